// SPDX-License-Identifier: MIT
// tests/reactor/kevent_emulation.h: just enough of BSD kqueue/kevent, built on poll(), for
// reactor/kqueue_backend.cpp to run its conformance tests on Linux. Level-triggered
// EVFILT_READ / EVFILT_WRITE with EV_ADD / EV_DELETE; nothing else kqueue can do.
#pragma once

#include <cstdint>
#include <ctime>

struct kevent {
    std::uintptr_t ident;
    short filter;
    unsigned short flags;
    unsigned int fflags;
    std::intptr_t data;
    void* udata;
};

inline constexpr short EVFILT_READ = -1;
inline constexpr short EVFILT_WRITE = -2;
inline constexpr unsigned short EV_ADD = 0x0001;
inline constexpr unsigned short EV_DELETE = 0x0002;
inline constexpr unsigned short EV_ERROR = 0x4000;
inline constexpr unsigned short EV_EOF = 0x8000;

// A statement, as on the BSDs: `kevent` alone names the function here, not the struct, so the
// fields are set one by one rather than with a braced `kevent{...}`.
#define EV_SET(kevp, a, b, c, d, e, f)                      \
    do {                                                    \
        struct kevent* weftKev_ = (kevp);                   \
        weftKev_->ident = static_cast<std::uintptr_t>(a);   \
        weftKev_->filter = (b);                             \
        weftKev_->flags = static_cast<unsigned short>(c);   \
        weftKev_->fflags = (d);                             \
        weftKev_->data = (e);                               \
        weftKev_->udata = (f);                              \
    } while (0)

int kqueue();
int kevent(int kq, const struct kevent* changes, int nchanges, struct kevent* events, int nevents,
           const timespec* timeout);
