// SPDX-License-Identifier: MIT
// succeed, fail and maybeDeferred: the behaviours of Twisted's test_succeed/test_fail and
// maybeDeferred tests.
#include "defer/shortcuts.h"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "defer/deferred.h"
#include "tests/defer/helpers.h"

using weft::Deferred;
using weft::Failure;

namespace {

struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};

}  // namespace

TEST_CASE("succeed gives a fired Deferred of the value's decayed type") {
    const std::string text = "hello";
    auto d = weft::succeed(text);
    static_assert(std::is_same_v<decltype(d), Deferred<std::string>>);
    REQUIRE(d.called());
    CHECK(d.result().value() == "hello");
    int seen = 0;
    weft::succeed(5).addCallback([&](int x) {
        seen = x;
        return x;
    });
    CHECK(seen == 5);
}

TEST_CASE("succeed takes move-only values") {
    auto d = weft::succeed(std::make_unique<int>(9));
    CHECK(*d.result().value() == 9);
}

TEST_CASE("succeed() gives a fired Deferred<void>") {
    Deferred<void> d = weft::succeed();
    CHECK(d.called());
    CHECK(d.result().succeeded());
}

TEST_CASE("fail gives a failed Deferred whose errbacks see the Failure") {
    Deferred<int> d = weft::fail<int>(Failure(Boom()));
    REQUIRE(d.called());
    REQUIRE(d.result().failed());
    std::string seen;
    d.addErrback([&](Failure& f) {
        seen = f.message();
        return 1;
    });
    CHECK(seen == "boom");
    CHECK(d.result().value() == 1);

    Deferred<void> v = weft::fail(Failure(Boom()));  // Deferred<void> unless told otherwise
    CHECK(v.result().failed());
    v.addErrback([](Failure& f) { f.trap<Boom>(); });
    CHECK(v.result().succeeded());
}

TEST_CASE("a failure from fail() that nobody handles is reported with the line that called fail") {
    weft::testing::UnhandledErrors unhandled;
    unsigned line = 0;
    {
        line = __LINE__ + 1;
        Deferred<int> d = weft::fail<int>(Failure(Boom()));
        CHECK(unhandled.reports.empty());
    }
    REQUIRE(unhandled.reports.size() == 1);
    CHECK(unhandled.reports[0].failure.check<Boom>());
    CHECK(unhandled.reports[0].created.line() == line);
    CHECK(std::string(unhandled.reports[0].created.file_name()).find("shortcuts_test.cpp") != std::string::npos);
}

TEST_CASE("maybeDeferred turns a plain value into a fired Deferred, passing the arguments on") {
    auto d = weft::maybeDeferred([](int a, const std::string& b) { return std::to_string(a).append(b); }, 10, "x");
    static_assert(std::is_same_v<decltype(d), Deferred<std::string>>);
    CHECK(d.result().value() == "10x");
}

TEST_CASE("maybeDeferred of a function returning nothing gives a fired Deferred<void>") {
    int calls = 0;
    auto d = weft::maybeDeferred([&] { ++calls; });
    static_assert(std::is_same_v<decltype(d), Deferred<void>>);
    CHECK(calls == 1);
    CHECK(d.result().succeeded());
}

TEST_CASE("maybeDeferred returns the function's own Deferred as it is") {
    Deferred<int> pending;
    auto d = weft::maybeDeferred([&] { return pending; });
    static_assert(std::is_same_v<decltype(d), Deferred<int>>);
    CHECK(d.sameAs(pending));
    CHECK_FALSE(d.called());
    pending.callback(3);
    CHECK(d.result().value() == 3);
}

TEST_CASE("maybeDeferred turns an exception into a failed Deferred of the function's type") {
    auto value = weft::maybeDeferred([](int) -> int { throw Boom(); }, 1);
    static_assert(std::is_same_v<decltype(value), Deferred<int>>);
    REQUIRE(value.result().failed());
    CHECK(value.result().failure().check<Boom>());
    value.addErrback([](Failure&) { return 0; });

    auto nothing = weft::maybeDeferred([] { throw std::out_of_range("none"); });
    REQUIRE(nothing.result().failed());
    CHECK(nothing.result().failure().check<std::out_of_range>());
    nothing.addErrback([](Failure&) {});

    auto deferred = weft::maybeDeferred([]() -> Deferred<std::string> { throw Boom(); });
    static_assert(std::is_same_v<decltype(deferred), Deferred<std::string>>);
    REQUIRE(deferred.result().failed());
    CHECK(deferred.result().failure().check<Boom>());
    deferred.addErrback([](Failure&) { return std::string(); });
}

TEST_CASE("maybeDeferred of a function returning a Failure gives a failed Deferred") {
    weft::testing::UnhandledErrors unhandled;
    {
        auto d = weft::maybeDeferred([] { return Failure(Boom()); });
        static_assert(std::is_same_v<decltype(d), Deferred<void>>);
        REQUIRE(d.result().failed());
        CHECK(d.result().failure().check<Boom>());
    }
    CHECK(unhandled.reports.size() == 1);
}
