// SPDX-License-Identifier: MIT
// reactor/errors.h: how connections end and why operations fail, as std::error_code.
// Tests: tests/reactor/errors_test.cpp
//
// connectionLost(reason) gets one of these or a system error from the socket (errno, e.g.
// std::errc::connection_reset for a reset). isCleanClose(reason) says whether it ended well.
// Failures the caller must not ignore (a port that cannot listen, an fd that select cannot
// watch) are thrown as ReactorError, a std::system_error.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace weft {

enum class ConnectionError {
    Done = 1,       // closed cleanly: the peer's FIN, or our own loseConnection()
    Aborted,        // abortConnection(): closed now, unsent data dropped
    Refused,        // connect: nothing listens there (ECONNREFUSED)
    TimedOut,       // connect: no answer before the connect timeout
    NoRoute,        // connect: network or host unreachable
    FdOutOfRange,   // the select backend cannot watch an fd >= FD_SETSIZE
    AlreadyRunning, // Reactor::run() while it runs
    Stopped,        // the reactor stopped before the operation completed
};

[[nodiscard]] const std::error_category& reactorCategory() noexcept;
[[nodiscard]] std::error_code make_error_code(ConnectionError e) noexcept;

// True for an orderly end (ConnectionError::Done); false for resets, aborts, timeouts...
[[nodiscard]] bool isCleanClose(std::error_code reason) noexcept;

// A thrown reactor error: the error_code, and what was being done.
class ReactorError : public std::system_error {
public:
    ReactorError(std::error_code code, const std::string& what) : std::system_error(code, what) {}
};

}  // namespace weft

template <>
struct std::is_error_code_enum<weft::ConnectionError> : std::true_type {};
