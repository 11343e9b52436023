// SPDX-License-Identifier: MIT
#include "defer/errors.h"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("defer's errors are weft::Errors with codes in the weft.defer category") {
    weft::CancelledError cancelled;
    CHECK(cancelled.code() == weft::DeferError::Cancelled);
    CHECK(std::string(cancelled.code().category().name()) == "weft.defer");
    CHECK(weft::AlreadyCalledError().code() == weft::DeferError::AlreadyCalled);
    CHECK(weft::QueueOverflow().code() == weft::DeferError::QueueOverflow);
    CHECK(weft::QueueUnderflow().code() == weft::DeferError::QueueUnderflow);
    CHECK(cancelled.code().message() == "Deferred was cancelled");
}

TEST_CASE("TimeoutError says after how long, in seconds") {
    weft::TimeoutError e(std::chrono::milliseconds(2500));
    CHECK(std::string(e.what()) == "Deferred timed out after 2.5s");
    CHECK(e.after() == std::chrono::milliseconds(2500));
    CHECK(e.code() == weft::DeferError::TimedOut);
}
