// SPDX-License-Identifier: MIT
// reactor/fd.h: Fd, an owning file descriptor (closed by its destructor), and the syscall
// error helper every reactor file uses.
// Tests: tests/reactor/fd_test.cpp
#pragma once

#include <cerrno>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace weft {

class Fd {
public:
    Fd() noexcept = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);  // EINTR on close is not retried on Linux: the fd is gone either way
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// The current errno as an error_code (call right after the failing syscall).
[[nodiscard]] inline std::error_code lastError() noexcept { return {errno, std::system_category()}; }

}  // namespace weft
