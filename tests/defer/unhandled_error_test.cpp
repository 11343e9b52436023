// SPDX-License-Identifier: MIT
#include "defer/unhandled_error.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "defer/deferred.h"
#include "tests/defer/helpers.h"

TEST_CASE("a Failure left in a Deferred is reported when its last handle goes, with where it was created") {
    weft::testing::UnhandledErrors unhandled;
    int line = 0;
    {
        weft::Deferred<int> d;
        line = __LINE__ - 1;
        weft::Deferred<int> copy = d;
        d.errback(weft::Failure(std::runtime_error("no route to host")));
        CHECK(unhandled.reports.empty());  // `copy` still holds it
        (void)copy;
    }
    REQUIRE(unhandled.reports.size() == 1);  // reported at that moment, not later
    CHECK(unhandled.reports[0].failure.message() == "no route to host");
    CHECK(unhandled.reports[0].created.line() == static_cast<unsigned>(line));
}

TEST_CASE("a handled Failure, or one handed on, is not reported") {
    weft::testing::UnhandledErrors unhandled;
    {
        weft::Deferred<int> d;
        d.addErrback([](weft::Failure&) { return 0; });
        d.errback(weft::Failure(std::runtime_error("x")));
        weft::Deferred<int> outer;
        weft::Deferred<int> inner;
        outer.addCallback([&](int) { return inner; }).addErrback([](weft::Failure&) { return 1; });
        outer.callback(0);
        inner.errback(weft::Failure(std::runtime_error("y")));
    }
    CHECK(unhandled.reports.empty());
}

TEST_CASE("the hook is replaceable and restorable; a throwing hook does not escape") {
    int calls = 0;
    auto previous = weft::setUnhandledErrorHook([&](const weft::Failure&, weft::SourceLocation) {
        ++calls;
        throw std::runtime_error("hook failed");
    });
    // stderr gets the fallback report: send it to /dev/null for this test.
    std::fflush(stderr);
    int saved = dup(2);
    FILE* devnull = std::fopen("/dev/null", "w");
    dup2(fileno(devnull), 2);
    { weft::Deferred<void> d; d.errback(weft::Failure(std::runtime_error("z"))); }
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::fclose(devnull);
    CHECK(calls == 1);
    auto mine = weft::setUnhandledErrorHook(std::move(previous));
    CHECK(static_cast<bool>(mine));
}

TEST_CASE("the default hook writes the error and the creation site to stderr") {
    auto previous = weft::setUnhandledErrorHook({});  // the default
    char path[] = "/tmp/weft-unhandled-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    std::fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    { weft::Deferred<void> d; d.errback(weft::Failure(std::runtime_error("no DNS"))); }
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    weft::setUnhandledErrorHook(std::move(previous));
    std::string text(4096, '\0');
    ssize_t n = pread(fd, text.data(), text.size(), 0);
    close(fd);
    unlink(path);
    REQUIRE(n > 0);
    text.resize(static_cast<std::size_t>(n));
    CHECK(text.find("unhandled error in Deferred created at") != std::string::npos);
    CHECK(text.find("unhandled_error_test.cpp") != std::string::npos);
    CHECK(text.find("std::runtime_error: no DNS") != std::string::npos);
}
