// SPDX-License-Identifier: MIT
// defer/errors.h: weft::Error, the base of every weft exception, and the errors defer/ raises.
// Tests: tests/defer/errors_test.cpp
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>

namespace weft {

// Every weft exception: a message for people and an error_code for programs.
class Error : public std::runtime_error {
public:
    Error(std::error_code code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    [[nodiscard]] const std::error_code& code() const noexcept { return code_; }

private:
    std::error_code code_;
};

enum class DeferError {
    AlreadyCalled = 1,  // a Deferred was fired twice
    Cancelled,          // cancel() with no canceller that fired the Deferred itself
    TimedOut,           // addTimeout's deadline passed first
    QueueOverflow,      // DeferredQueue::put on a full queue
    QueueUnderflow,     // DeferredQueue::get with the backlog of waiters full
    FirstError,         // DeferredList / gatherResults: one entry failed
};

[[nodiscard]] const std::error_category& deferCategory() noexcept;
[[nodiscard]] std::error_code make_error_code(DeferError e) noexcept;

}  // namespace weft

template <>
struct std::is_error_code_enum<weft::DeferError> : std::true_type {};

namespace weft {

class AlreadyCalledError : public Error {
public:
    AlreadyCalledError() : Error(DeferError::AlreadyCalled, "Deferred fired twice") {}
};

class CancelledError : public Error {
public:
    CancelledError() : Error(DeferError::Cancelled, "Deferred was cancelled") {}
};

class TimeoutError : public Error {
public:
    explicit TimeoutError(std::chrono::nanoseconds after);
    [[nodiscard]] std::chrono::nanoseconds after() const noexcept { return after_; }

private:
    std::chrono::nanoseconds after_;
};

class QueueOverflow : public Error {
public:
    QueueOverflow() : Error(DeferError::QueueOverflow, "DeferredQueue is full") {}
};

class QueueUnderflow : public Error {
public:
    QueueUnderflow() : Error(DeferError::QueueUnderflow, "DeferredQueue has too many waiting getters") {}
};

}  // namespace weft
