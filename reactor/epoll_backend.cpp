// SPDX-License-Identifier: MIT
// reactor/epoll_backend.cpp: Linux epoll. Level-triggered, so it behaves as poll does and the
// reactor needs no edge-triggered drain loops. Our interest table (one byte per fd, indexed by
// fd: fds are small and dense) picks ADD/MOD/DEL without a failed syscall, and is updated only
// after epoll_ctl succeeds.
#include "reactor/backend.h"

#if defined(__linux__)

#include <sys/epoll.h>

#include <array>
#include <vector>

#include "reactor/fd.h"

namespace weft {
namespace {

class EpollBackend final : public Backend {
public:
    explicit EpollBackend(Fd epollFd) : epollFd_(std::move(epollFd)) {}

    const char* name() const noexcept override { return "epoll"; }

    std::error_code watch(int fd, Interest interest) override {
        if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
        auto slot = static_cast<std::size_t>(fd);
        if (slot >= registered_.size()) registered_.resize(slot + 1, Interest::None);
        Interest before = registered_[slot];
        if (interest == before) return {};  // only the handler changes (the reactor's table)
        if (interest == Interest::None) {
            if (before == Interest::None) return {};
            registered_[slot] = Interest::None;
            // ENOENT/EBADF: the fd was closed before it was unwatched; the kernel dropped it already.
            if (epoll_ctl(epollFd_.get(), EPOLL_CTL_DEL, fd, nullptr) < 0 && errno != ENOENT && errno != EBADF)
                return lastError();
            return {};
        }
        epoll_event event{};
        event.events = (wants(interest, Interest::Read) ? EPOLLIN | EPOLLRDHUP : 0u) |
                       (wants(interest, Interest::Write) ? EPOLLOUT : 0u);
        event.data.fd = fd;
        int op = before == Interest::None ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(epollFd_.get(), op, fd, &event) < 0) return lastError();
        registered_[slot] = interest;
        return {};
    }

    // close() takes the fd out of the epoll set when it was its only reference: no EPOLL_CTL_DEL.
    void forgetClosing(int fd) noexcept override {
        if (fd >= 0 && static_cast<std::size_t>(fd) < registered_.size()) registered_[static_cast<std::size_t>(fd)] = Interest::None;
    }

    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<Readiness>& ready) override {
        int n = epoll_wait(epollFd_.get(), events_.data(), static_cast<int>(events_.size()), timeoutMilliseconds(timeout));
        if (n < 0) return errno == EINTR ? std::error_code{} : lastError();
        for (int i = 0; i < n; ++i) {
            const epoll_event& e = events_[static_cast<std::size_t>(i)];
            bool trouble = (e.events & (EPOLLERR | EPOLLHUP)) != 0;
            ready.push_back({e.data.fd, trouble || (e.events & (EPOLLIN | EPOLLRDHUP)) != 0,
                             trouble || (e.events & EPOLLOUT) != 0});
        }
        return {};
    }

private:
    Fd epollFd_;
    std::vector<Interest> registered_;  // by fd
    std::array<epoll_event, 256> events_{};  // one wait() reports at most this many; the rest wait a turn
};

}  // namespace

std::unique_ptr<Backend> makeEpollBackend(std::error_code& error) {
    Fd fd(epoll_create1(EPOLL_CLOEXEC));
    if (!fd) {
        error = lastError();
        return nullptr;
    }
    return std::make_unique<EpollBackend>(std::move(fd));
}

}  // namespace weft

#else

namespace weft {
std::unique_ptr<Backend> makeEpollBackend(std::error_code& error) {
    error = std::make_error_code(std::errc::function_not_supported);
    return nullptr;
}
}  // namespace weft

#endif
