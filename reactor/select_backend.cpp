// SPDX-License-Identifier: MIT
// reactor/select_backend.cpp: POSIX select(). An fd_set holds fds below FD_SETSIZE only: a
// larger fd is refused with ConnectionError::FdOutOfRange, never written past the set's end.
#include <sys/select.h>

#include <algorithm>
#include <set>

#include "reactor/backend.h"
#include "reactor/errors.h"
#include "reactor/fd.h"

namespace weft {
namespace {

class SelectBackend final : public Backend {
public:
    SelectBackend() {
        FD_ZERO(&readSet_);
        FD_ZERO(&writeSet_);
    }

    const char* name() const noexcept override { return "select"; }

    std::error_code watch(int fd, Interest interest) override {
        if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
        if (fd >= FD_SETSIZE) return ConnectionError::FdOutOfRange;
        if (wants(interest, Interest::Read)) FD_SET(fd, &readSet_);
        else FD_CLR(fd, &readSet_);
        if (wants(interest, Interest::Write)) FD_SET(fd, &writeSet_);
        else FD_CLR(fd, &writeSet_);
        if (interest == Interest::None) watched_.erase(fd);
        else watched_.insert(fd);
        return {};
    }

    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<Readiness>& ready) override {
        fd_set readable = readSet_;
        fd_set writable = writeSet_;
        timeval tv{};
        if (timeout) {
            auto us = std::chrono::ceil<std::chrono::microseconds>(std::max(*timeout, std::chrono::nanoseconds(0)));
            tv.tv_sec = static_cast<time_t>(us.count() / 1'000'000);
            tv.tv_usec = static_cast<suseconds_t>(us.count() % 1'000'000);
        }
        int top = watched_.empty() ? 0 : *watched_.rbegin() + 1;
        int n = ::select(top, &readable, &writable, nullptr, timeout ? &tv : nullptr);
        if (n < 0) return errno == EINTR ? std::error_code{} : lastError();
        for (int fd : watched_) {
            if (n == 0) break;
            bool r = FD_ISSET(fd, &readable);
            bool w = FD_ISSET(fd, &writable);
            if (r || w) {
                ready.push_back({fd, r, w});
                n -= (r ? 1 : 0) + (w ? 1 : 0);
            }
        }
        return {};
    }

private:
    fd_set readSet_;
    fd_set writeSet_;
    std::set<int> watched_;  // ordered: the highest is select()'s nfds - 1
};

}  // namespace

std::unique_ptr<Backend> makeSelectBackend(std::error_code& error) {
    error.clear();
    return std::make_unique<SelectBackend>();
}

}  // namespace weft
