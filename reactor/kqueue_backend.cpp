// SPDX-License-Identifier: MIT
// reactor/kqueue_backend.cpp: BSD and macOS kqueue. On Linux this file builds twice: as a stub
// in the library (makeKqueueBackend says "not supported"), and in the tests against a small
// kevent emulation (tests/reactor/kevent_emulation.h, WEFT_KEVENT_EMULATION) so that the same
// conformance suite proves it on every machine.
#include "reactor/backend.h"

#if defined(WEFT_KEVENT_EMULATION)
#include "tests/reactor/kevent_emulation.h"
#define WEFT_KQUEUE_FACTORY makeEmulatedKqueueBackend
#define WEFT_HAVE_KQUEUE 1
#elif __has_include(<sys/event.h>)
#include <sys/event.h>
#include <sys/time.h>
#define WEFT_KQUEUE_FACTORY makeKqueueBackend
#define WEFT_HAVE_KQUEUE 1
#endif

#if defined(WEFT_HAVE_KQUEUE)

#include <array>
#include <cstdint>
#include <ctime>
#include <unordered_map>

#include "reactor/fd.h"

namespace weft {
namespace {

class KqueueBackend final : public Backend {
public:
    explicit KqueueBackend(Fd kq) : kq_(std::move(kq)) {}

    const char* name() const noexcept override { return "kqueue"; }

    std::error_code watch(int fd, Interest interest) override {
        if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
        Interest before = Interest::None;
        if (auto it = registered_.find(fd); it != registered_.end()) before = it->second;
        std::array<struct kevent, 2> changes{};
        int n = 0;
        for (auto [bit, filter] : {std::pair{Interest::Read, EVFILT_READ}, std::pair{Interest::Write, EVFILT_WRITE}}) {
            if (wants(interest, bit) == wants(before, bit)) continue;
            EV_SET(&changes[static_cast<std::size_t>(n++)], static_cast<uintptr_t>(fd), filter,
                   wants(interest, bit) ? EV_ADD : EV_DELETE, 0, 0, nullptr);
        }
        // A closed fd has left the kqueue already: deleting it then is not an error.
        if (n > 0 && kevent(kq_.get(), changes.data(), n, nullptr, 0, nullptr) < 0 &&
            !(interest == Interest::None && (errno == EBADF || errno == ENOENT)))
            return lastError();
        if (interest == Interest::None) registered_.erase(fd);
        else registered_[fd] = interest;
        return {};
    }

    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<Readiness>& ready) override {
        timespec ts{};
        if (timeout) {
            auto ns = std::max(timeout->count(), std::int64_t{0});
            ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        }
        int n = kevent(kq_.get(), nullptr, 0, events_.data(), static_cast<int>(events_.size()), timeout ? &ts : nullptr);
        if (n < 0) return errno == EINTR ? std::error_code{} : lastError();
        for (int i = 0; i < n; ++i) {
            const struct kevent& e = events_[static_cast<std::size_t>(i)];
            int fd = static_cast<int>(e.ident);
            bool trouble = (e.flags & (EV_ERROR | EV_EOF)) != 0;
            ready.push_back({fd, e.filter == EVFILT_READ || (trouble && e.filter == EVFILT_READ),
                             e.filter == EVFILT_WRITE || (trouble && e.filter == EVFILT_WRITE)});
        }
        return {};
    }

private:
    Fd kq_;
    std::unordered_map<int, Interest> registered_;
    std::array<struct kevent, 256> events_{};
};

}  // namespace

std::unique_ptr<Backend> WEFT_KQUEUE_FACTORY(std::error_code& error) {
    Fd kq(kqueue());
    if (!kq) {
        error = lastError();
        return nullptr;
    }
    error.clear();
    return std::make_unique<KqueueBackend>(std::move(kq));
}

}  // namespace weft

#endif

#if !defined(WEFT_KEVENT_EMULATION) && !__has_include(<sys/event.h>)
namespace weft {
std::unique_ptr<Backend> makeKqueueBackend(std::error_code& error) {
    error = std::make_error_code(std::errc::function_not_supported);
    return nullptr;
}
}  // namespace weft
#endif
