// SPDX-License-Identifier: MIT
// reactor/backend.h: Backend, the one small interface every I/O multiplexer implements.
// Tests: tests/reactor/backend_test.cpp (every backend), tests/reactor/reactor_test.cpp
//
// A backend keeps the read/write interest of each fd and waits until some are ready. One file
// each: epoll_backend.cpp, kqueue_backend.cpp, poll_backend.cpp, select_backend.cpp. The
// reactor picks the best the platform has (epoll, then kqueue, then poll), or the one named by
// Reactor::Options::backend or the environment variable WEFT_REACTOR.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

namespace weft {

enum class Interest : std::uint8_t { None = 0, Read = 1, Write = 2, ReadWrite = 3 };

constexpr Interest operator|(Interest a, Interest b) noexcept {
    return static_cast<Interest>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool wants(Interest set, Interest bit) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(bit)) != 0;
}

// An fd that is ready. Errors and hang-ups are reported as readable and writable (for the
// directions watched), so that the next read or write finds out what happened.
struct Readiness {
    int fd;
    bool readable;
    bool writable;
};

class Backend {
public:
    virtual ~Backend() = default;
    [[nodiscard]] virtual const char* name() const noexcept = 0;
    // Sets the interest for fd (Interest::None stops watching it; the caller closes fds only
    // after that). Fails with a typed error, e.g. ConnectionError::FdOutOfRange from select.
    [[nodiscard]] virtual std::error_code watch(int fd, Interest interest) = 0;
    // Stops watching an fd that the caller closes next (and never duplicated). Backends whose
    // kernel forgets an fd when it is closed (epoll, kqueue) skip the syscall.
    virtual void forgetClosing(int fd) noexcept { (void)watch(fd, Interest::None); }
    // Waits up to `timeout` (forever if empty) and appends what is ready; EINTR is no error.
    [[nodiscard]] virtual std::error_code wait(std::optional<std::chrono::nanoseconds> timeout,
                                               std::vector<Readiness>& ready) = 0;
};

// "epoll", "kqueue", "poll", "select", or "" for the best available. An unknown or unavailable
// name gives null and sets `error`.
[[nodiscard]] std::unique_ptr<Backend> makeBackend(std::string_view name, std::error_code& error);

// The names makeBackend accepts on this platform, best first.
[[nodiscard]] std::vector<std::string_view> availableBackends();

// Each backend's own factory (in its own file); unavailable ones set `error`.
std::unique_ptr<Backend> makeEpollBackend(std::error_code& error);
std::unique_ptr<Backend> makeKqueueBackend(std::error_code& error);
std::unique_ptr<Backend> makePollBackend(std::error_code& error);
std::unique_ptr<Backend> makeSelectBackend(std::error_code& error);

// Milliseconds for poll/epoll_wait: rounded up, so a timer is never woken for too early.
[[nodiscard]] int timeoutMilliseconds(std::optional<std::chrono::nanoseconds> timeout) noexcept;

}  // namespace weft
