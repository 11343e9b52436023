// SPDX-License-Identifier: MIT
#include "defer/failure.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "defer/errors.h"

namespace {
struct NotStd {
    int code;
};
}  // namespace

TEST_CASE("check<E> matches the exception's type and its bases, nothing else") {
    weft::Failure f(weft::TimeoutError(std::chrono::seconds(2)));
    CHECK(f.check<weft::TimeoutError>());
    CHECK(f.check<weft::Error>());
    CHECK(f.check<std::runtime_error>());
    CHECK(f.check<std::exception>());
    CHECK_FALSE(f.check<weft::CancelledError>());
    CHECK_FALSE(f.check<std::logic_error>());
}

TEST_CASE("trap<E> returns for an E and rethrows the original exception otherwise") {
    weft::Failure f(std::invalid_argument("bad url"));
    CHECK_NOTHROW(f.trap<std::logic_error>());
    CHECK_THROWS_WITH_AS(f.trap<weft::CancelledError>(), "bad url", std::invalid_argument);
}

TEST_CASE("a Failure names the exception's type, its message, its context and where it was made") {
    weft::Failure f(weft::CancelledError{});
    int line = __LINE__ - 1;
    f.addContext("fetching http://127.0.0.1/").addContext("scraping the blog");
    CHECK(f.typeName() == "weft::CancelledError");
    CHECK(f.message() == "Deferred was cancelled");
    std::string text = f.describe();
    CHECK(text.find("weft::CancelledError: Deferred was cancelled") == 0);
    CHECK(text.find("(while: fetching http://127.0.0.1/; scraping the blog)") != std::string::npos);
    CHECK(text.find("failure_test.cpp:" + std::to_string(line)) != std::string::npos);
    CHECK(f.where().line() == static_cast<unsigned>(line));
}

TEST_CASE("a Failure wraps exceptions that do not derive from std::exception") {
    weft::Failure f(std::make_exception_ptr(NotStd{7}));
    CHECK(f.check<NotStd>());
    CHECK(f.message().empty());
    CHECK(f.typeName().find("NotStd") != std::string::npos);
    try {
        f.raise();
        FAIL("raise() returned");
    } catch (const NotStd& e) {
        CHECK(e.code == 7);
    }
}

TEST_CASE("current() inside a catch block captures the exception being handled") {
    try {
        throw std::out_of_range("index 9");
    } catch (...) {
        weft::Failure f = weft::Failure::current();
        CHECK(f.check<std::out_of_range>());
        CHECK(f.message() == "index 9");
    }
}

TEST_CASE("an empty exception_ptr still gives a Failure that says what went wrong") {
    weft::Failure f{std::exception_ptr{}};
    CHECK(f.check<std::logic_error>());
    CHECK(f.message().find("empty") != std::string::npos);
}
