// SPDX-License-Identifier: MIT
// defer/failure.h: Failure, an error travelling down a Deferred's errback chain.
// Tests: tests/defer/failure_test.cpp
//
// A Failure wraps any exception (as a std::exception_ptr), remembers where it was made and can
// carry context notes ("while fetching http://..."), outermost last. check<E>() and trap<E>()
// are Twisted's: check asks, trap rethrows the original exception unless it is an E, so an
// errback that traps passes every other error on unchanged, context included.
#pragma once

#include <exception>
#include "defer/source_location.h"
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft {

class Failure {
public:
    explicit Failure(std::exception_ptr error,
                     SourceLocation where = SourceLocation::current());

    // Failure(TimeoutError(5s)): an exception object, thrown nowhere, wrapped directly.
    template <class E>
        requires(!std::is_same_v<std::decay_t<E>, Failure> &&
                 !std::is_same_v<std::decay_t<E>, std::exception_ptr>)
    explicit Failure(E&& error, SourceLocation where = SourceLocation::current())
        : Failure(std::make_exception_ptr(std::forward<E>(error)), where) {}

    // Inside a catch block: the exception being handled.
    [[nodiscard]] static Failure current(SourceLocation where = SourceLocation::current()) {
        return Failure(std::current_exception(), where);
    }

    // True if the exception is an E (or derives from one).
    template <class E>
    [[nodiscard]] bool check() const noexcept {
        try {
            std::rethrow_exception(error_);
        } catch (const E&) {
            return true;
        } catch (...) {  // any other type is simply "not an E"
            return false;
        }
    }

    // Returns if the exception is an E; otherwise rethrows the original exception.
    template <class E>
    void trap() const {
        if (!check<E>()) raise();
    }

    [[noreturn]] void raise() const { std::rethrow_exception(error_); }

    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return error_; }
    [[nodiscard]] SourceLocation where() const noexcept { return where_; }
    [[nodiscard]] const std::vector<std::string>& context() const noexcept { return context_; }

    // Adds a note on what was being done when it failed; returns *this for chaining.
    Failure& addContext(std::string note) {
        context_.push_back(std::move(note));
        return *this;
    }

    [[nodiscard]] std::string typeName() const;  // demangled dynamic type: "weft::TimeoutError"
    [[nodiscard]] std::string message() const;   // what(), or "" for a non-std exception
    // "weft::TimeoutError: Deferred timed out after 5s (while: a; b) [at file.cpp:12]"
    [[nodiscard]] std::string describe() const;

private:
    std::exception_ptr error_;
    SourceLocation where_;
    std::vector<std::string> context_;
};

}  // namespace weft
