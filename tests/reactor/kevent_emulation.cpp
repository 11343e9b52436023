// SPDX-License-Identifier: MIT
#include "tests/reactor/kevent_emulation.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace {

// One emulated kqueue per fd (an eventfd, so that it is a real fd to close): its filters.
std::map<int, std::set<std::pair<int, short>>>& queues() {
    static std::map<int, std::set<std::pair<int, short>>> all;
    return all;
}

}  // namespace

int kqueue() {
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd >= 0) queues()[fd].clear();
    return fd;
}

int kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events, int nevents,
           const timespec* timeout) {
    auto q = queues().find(kq);
    if (q == queues().end()) {
        errno = EBADF;
        return -1;
    }
    for (int i = 0; i < nchanges; ++i) {
        const struct kevent& c = changes[i];
        std::pair<int, short> key{static_cast<int>(c.ident), c.filter};
        if (c.flags & EV_ADD) {
            if (fcntl(key.first, F_GETFD) < 0) return -1;  // errno EBADF, as kevent says
            q->second.insert(key);
        } else if (c.flags & EV_DELETE) {
            if (q->second.erase(key) == 0) {
                errno = ENOENT;
                return -1;
            }
        }
    }
    if (nevents == 0) return 0;
    std::vector<pollfd> fds;
    std::vector<short> filters;
    for (auto [fd, filter] : q->second) {
        fds.push_back({fd, static_cast<short>(filter == EVFILT_READ ? POLLIN : POLLOUT), 0});
        filters.push_back(filter);
    }
    int ms = -1;
    if (timeout) {  // rounded up, and capped rather than wrapped for far-away deadlines
        long long total = static_cast<long long>(timeout->tv_sec) * 1000 + (timeout->tv_nsec + 999'999) / 1'000'000;
        ms = static_cast<int>(std::min<long long>(total, INT_MAX));
    }
    int n = ::poll(fds.data(), fds.size(), ms);
    if (n < 0) return -1;
    int out = 0;
    for (std::size_t i = 0; i < fds.size() && out < nevents; ++i) {
        if (fds[i].revents == 0) continue;
        unsigned short flags = (fds[i].revents & (POLLHUP | POLLERR)) ? EV_EOF : 0;
        events[out++] = {static_cast<std::uintptr_t>(fds[i].fd), filters[i], flags, 0, 0, nullptr};
    }
    return out;
}
