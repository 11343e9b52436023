// SPDX-License-Identifier: MIT
#include "defer/result.h"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>

TEST_CASE("a Result is pending, a value or a Failure, and says which") {
    weft::Result<std::string> pending;
    CHECK(pending.pending());
    CHECK_FALSE(pending.succeeded());
    CHECK_FALSE(pending.failed());
    CHECK_THROWS_AS(pending.value(), std::logic_error);
    CHECK_THROWS_AS(pending.failure(), std::logic_error);

    auto ok = weft::Result<std::string>::success("page");
    CHECK(ok.succeeded());
    CHECK(ok.value() == "page");

    weft::Result<std::string> bad = weft::Failure(std::runtime_error("404"));
    CHECK(bad.failed());
    CHECK(bad.failure().message() == "404");
    CHECK_THROWS_WITH_AS(bad.value(), "404", std::runtime_error);  // value() of a failure throws it
}

TEST_CASE("setValue assigns, reset makes it pending again, and move-only values work") {
    weft::Result<std::unique_ptr<int>> r;
    r.setValue(std::make_unique<int>(1));
    r.setValue(std::make_unique<int>(2));
    CHECK(*r.value() == 2);
    std::unique_ptr<int> taken = std::move(r).value();
    CHECK(*taken == 2);
    r.reset();
    CHECK(r.pending());
}

TEST_CASE("Result<void> holds a Unit") {
    auto r = weft::Result<void>::success();
    CHECK(r.succeeded());
    CHECK(r.value() == weft::Unit{});
}
