// SPDX-License-Identifier: MIT
// reactor/poll_backend.cpp: POSIX poll(). A dense pollfd array plus an index per fd, so watch()
// is O(1) (removal swaps the last entry in) and wait() is O(watched fds).
#include <poll.h>

#include <unordered_map>
#include <vector>

#include "reactor/backend.h"
#include "reactor/fd.h"

namespace weft {
namespace {

class PollBackend final : public Backend {
public:
    const char* name() const noexcept override { return "poll"; }

    std::error_code watch(int fd, Interest interest) override {
        if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
        auto it = index_.find(fd);
        if (interest == Interest::None) {
            if (it == index_.end()) return {};
            std::size_t slot = it->second;
            index_.erase(it);
            if (slot + 1 != fds_.size()) {
                fds_[slot] = fds_.back();
                index_[fds_[slot].fd] = slot;
            }
            fds_.pop_back();
            return {};
        }
        short events = static_cast<short>((wants(interest, Interest::Read) ? POLLIN : 0) |
                                          (wants(interest, Interest::Write) ? POLLOUT : 0));
        if (it != index_.end()) {
            fds_[it->second].events = events;
        } else {
            index_[fd] = fds_.size();
            fds_.push_back({fd, events, 0});
        }
        return {};
    }

    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<Readiness>& ready) override {
        int n = ::poll(fds_.data(), fds_.size(), timeoutMilliseconds(timeout));
        if (n < 0) return errno == EINTR ? std::error_code{} : lastError();
        for (const pollfd& p : fds_) {
            if (n == 0) break;
            if (p.revents == 0) continue;
            --n;
            bool trouble = (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
            ready.push_back({p.fd, (trouble && (p.events & POLLIN)) || (p.revents & POLLIN) != 0,
                             (trouble && (p.events & POLLOUT)) || (p.revents & POLLOUT) != 0});
        }
        return {};
    }

private:
    std::vector<pollfd> fds_;
    std::unordered_map<int, std::size_t> index_;  // fd -> slot in fds_
};

}  // namespace

std::unique_ptr<Backend> makePollBackend(std::error_code& error) {
    error.clear();
    return std::make_unique<PollBackend>();
}

}  // namespace weft
