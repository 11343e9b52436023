// SPDX-License-Identifier: MIT
// AnyClock: one type for any clock with callLater, checked against the defer tests' FakeClock.
#include "protocols/any_clock.h"

#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "defer/deferred.h"
#include "tests/defer/helpers.h"

using namespace std::chrono_literals;
using weft::AnyClock;
using weft::testing::FakeClock;

TEST_CASE("AnyClock schedules on the clock it wraps; its Calls report and cancel") {
    FakeClock fake;
    AnyClock clock(fake);
    std::vector<int> ran;
    AnyClock::Call first = clock.callLater(1s, [&] { ran.push_back(1); });
    AnyClock::Call second = clock.callLater(2s, [&] { ran.push_back(2); });
    CHECK(first.active());
    CHECK(fake.pendingCalls() == 2);
    second.cancel();
    CHECK_FALSE(second.active());
    fake.advance(5s);
    CHECK(ran == std::vector<int>{1});
    CHECK_FALSE(first.active());
}

TEST_CASE("copies of a Call are the same call; an empty Call is inactive and cancels nothing") {
    FakeClock fake;
    AnyClock clock(fake);
    AnyClock::Call call = clock.callLater(1s, [] {});
    AnyClock::Call copy = call;
    copy.cancel();
    CHECK_FALSE(call.active());
    AnyClock::Call empty;
    CHECK_FALSE(empty.active());
    empty.cancel();
}

TEST_CASE("AnyClock is copyable, and is itself a clock for addTimeout") {
    FakeClock fake;
    AnyClock clock(fake);
    AnyClock copy = clock;  // copies refer to the same underlying clock, not to each other
    weft::Deferred<int> d;
    d.addTimeout(3s, copy);
    bool timedOut = false;
    d.addErrback([&](weft::Failure& f) {
        timedOut = f.check<weft::TimeoutError>();
        return 0;
    });
    fake.advance(3s);
    CHECK(timedOut);
}
