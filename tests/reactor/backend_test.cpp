// SPDX-License-Identifier: MIT
#include "reactor/backend.h"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <vector>

#include "reactor/errors.h"
#include "reactor/fd.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Interest;
using weft::testing::socketPair;

namespace {

struct Seen {
    bool readable = false;
    bool writable = false;
};

// One wait(), folded per fd (kqueue reports the read and write sides as separate events).
std::map<int, Seen> waitOnce(weft::Backend& backend, std::optional<std::chrono::nanoseconds> timeout) {
    std::vector<weft::Readiness> ready;
    std::error_code error = backend.wait(timeout, ready);
    CHECK_FALSE(error);
    std::map<int, Seen> seen;
    for (const weft::Readiness& r : ready) {
        seen[r.fd].readable |= r.readable;
        seen[r.fd].writable |= r.writable;
    }
    return seen;
}

void put(int fd, std::string_view bytes) { REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }

extern "C" void ignoreAlarm(int) {}

}  // namespace

TEST_CASE_TEMPLATE("a backend reports an fd readable only once data has arrived", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));
    CHECK(waitOnce(*backend, 0ns).count(a.get()) == 0);
    put(b.get(), "x");
    auto seen = waitOnce(*backend, 1s);
    REQUIRE(seen.count(a.get()) == 1);
    CHECK(seen[a.get()].readable);
    CHECK_FALSE(seen[a.get()].writable);  // not asked for
    // Level-triggered: still readable until read.
    CHECK(waitOnce(*backend, 0ns)[a.get()].readable);
    char c;
    REQUIRE(::read(a.get(), &c, 1) == 1);
    CHECK(waitOnce(*backend, 0ns).count(a.get()) == 0);
}

TEST_CASE_TEMPLATE("a backend follows interest changes: Write, ReadWrite, Read, None", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    put(b.get(), "x");
    REQUIRE_FALSE(backend->watch(a.get(), Interest::Write));
    auto seen = waitOnce(*backend, 1s);
    CHECK(seen[a.get()].writable);
    CHECK_FALSE(seen[a.get()].readable);

    REQUIRE_FALSE(backend->watch(a.get(), Interest::ReadWrite));
    seen = waitOnce(*backend, 1s);
    CHECK(seen[a.get()].writable);
    CHECK(seen[a.get()].readable);

    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));
    seen = waitOnce(*backend, 1s);
    CHECK(seen[a.get()].readable);
    CHECK_FALSE(seen[a.get()].writable);

    REQUIRE_FALSE(backend->watch(a.get(), Interest::None));
    CHECK(waitOnce(*backend, 0ns).empty());
    REQUIRE_FALSE(backend->watch(a.get(), Interest::None));  // twice is fine

    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));  // and it can come back
    CHECK(waitOnce(*backend, 1s)[a.get()].readable);
}

TEST_CASE_TEMPLATE("a backend reports a peer's hang-up on the directions watched", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    auto [c, d] = socketPair();
    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));
    REQUIRE_FALSE(backend->watch(c.get(), Interest::Write));
    CHECK(waitOnce(*backend, 0ns).count(a.get()) == 0);
    b.reset();
    d.reset();
    auto seen = waitOnce(*backend, 1s);
    CHECK(seen[a.get()].readable);  // the next read finds the end of the stream
    CHECK(seen[c.get()].writable);  // the next write finds EPIPE
    char byte;
    CHECK(::read(a.get(), &byte, 1) == 0);
}

TEST_CASE_TEMPLATE("a backend's wait returns empty when its timeout passes, not before", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));
    auto start = std::chrono::steady_clock::now();
    CHECK(waitOnce(*backend, 0ns).empty());
    CHECK(waitOnce(*backend, 15ms).empty());
    CHECK(waitOnce(*backend, 1500us).empty());  // rounded up, never down to a busy 1 ms
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= 16500us);
    CHECK(elapsed < 1s);
}

TEST_CASE_TEMPLATE("a signal wakes a backend's wait with no events and no error", B, WEFT_TEST_BACKENDS) {
    // ITIMER_REAL delivers SIGALRM after 5 ms; a handler without SA_RESTART interrupts the
    // wait (EINTR), which the backend must turn into an empty, successful wait.
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    REQUIRE_FALSE(backend->watch(a.get(), Interest::Read));
    struct sigaction action {}, previous{};
    action.sa_handler = ignoreAlarm;
    sigemptyset(&action.sa_mask);
    REQUIRE(::sigaction(SIGALRM, &action, &previous) == 0);
    itimerval timer{};
    timer.it_value.tv_usec = 5000;
    REQUIRE(::setitimer(ITIMER_REAL, &timer, nullptr) == 0);
    auto start = std::chrono::steady_clock::now();
    std::vector<weft::Readiness> ready;
    std::error_code error = backend->wait(2s, ready);
    auto elapsed = std::chrono::steady_clock::now() - start;
    timer = {};
    ::setitimer(ITIMER_REAL, &timer, nullptr);
    ::sigaction(SIGALRM, &previous, nullptr);
    CHECK_FALSE(error);
    CHECK(ready.empty());
    CHECK(elapsed < 1s);
}

TEST_CASE_TEMPLATE("a backend can drop an fd that was closed before it was unwatched", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    int number = a.get();
    REQUIRE_FALSE(backend->watch(number, Interest::ReadWrite));
    a.reset();
    CHECK_FALSE(backend->watch(number, Interest::None));
    CHECK_FALSE(backend->watch(1000, Interest::None));  // never watched: nothing to do
    CHECK(backend->watch(-1, Interest::Read));
}

TEST_CASE_TEMPLATE("a backend reports every ready fd, even more than one wait returns", B, WEFT_TEST_BACKENDS) {
    // epoll and kqueue hand back at most 256 events per wait; the rest must come next time.
    auto backend = weft::testing::makeTestBackend<B>();
    std::vector<std::pair<weft::Fd, weft::Fd>> pairs;
    for (int i = 0; i < 300; ++i) {
        pairs.push_back(socketPair());
        REQUIRE_FALSE(backend->watch(pairs.back().first.get(), Interest::Read));
        put(pairs.back().second.get(), "x");
    }
    std::map<int, Seen> all;
    for (int turn = 0; turn < 3 && all.size() < pairs.size(); ++turn) {
        for (auto& [fd, seen] : waitOnce(*backend, 1s)) {
            all[fd].readable |= seen.readable;
            char c;
            CHECK(::read(fd, &c, 1) == 1);
        }
    }
    CHECK(all.size() == pairs.size());
    for (auto& [fd, seen] : all) CHECK(seen.readable);
}

TEST_CASE_TEMPLATE("select refuses an fd >= FD_SETSIZE with FdOutOfRange; the others watch it", B, WEFT_TEST_BACKENDS) {
    constexpr int high = 1100;
    static_assert(high >= FD_SETSIZE);
    weft::testing::AllowFdsUpTo raised(high);
    auto backend = weft::testing::makeTestBackend<B>();
    auto [a, b] = socketPair();
    REQUIRE(::dup2(a.get(), high) == high);
    weft::Fd fd(high);
    std::error_code error = backend->watch(fd.get(), Interest::Read);
    if (std::string_view(backend->name()) == "select") {
        CHECK(error == weft::ConnectionError::FdOutOfRange);
        CHECK(waitOnce(*backend, 0ns).empty());
    } else {
        REQUIRE_FALSE(error);
        put(b.get(), "x");
        CHECK(waitOnce(*backend, 1s)[high].readable);
        CHECK_FALSE(backend->watch(fd.get(), Interest::None));
    }
}

TEST_CASE_TEMPLATE("a backend says its name", B, WEFT_TEST_BACKENDS) {
    auto backend = weft::testing::makeTestBackend<B>();
    std::string_view name = backend->name();
    CHECK((name == "epoll" || name == "poll" || name == "select" || name == "kqueue"));
    if constexpr (std::is_same_v<B, weft::testing::EmulatedKqueue>) CHECK(name == "kqueue");
    if constexpr (std::is_same_v<B, weft::testing::Select>) CHECK(name == "select");
}

TEST_CASE("makeBackend makes each available backend by name, the best one for an empty name") {
    std::vector<std::string_view> names = weft::availableBackends();
    REQUIRE_FALSE(names.empty());
    for (std::string_view name : names) {
        CAPTURE(name);
        std::error_code error;
        auto backend = weft::makeBackend(name, error);
        REQUIRE(backend);
        CHECK_FALSE(error);
        CHECK(backend->name() == name);
    }
    std::error_code error;
    auto best = weft::makeBackend("", error);
    REQUIRE(best);
    CHECK(best->name() == names.front());
#if defined(__linux__)
    CHECK(names == std::vector<std::string_view>{"epoll", "poll", "select"});
#endif
}

TEST_CASE("makeBackend gives a typed error for unknown and unavailable backends") {
    std::error_code error;
    CHECK_FALSE(weft::makeBackend("io_uring", error));
    CHECK(error == std::errc::invalid_argument);
#if !__has_include(<sys/event.h>)
    error.clear();
    CHECK_FALSE(weft::makeBackend("kqueue", error));
    CHECK(error == std::errc::function_not_supported);
    error.clear();
    CHECK_FALSE(weft::makeKqueueBackend(error));
    CHECK(error == std::errc::function_not_supported);
#endif
}

TEST_CASE("timeoutMilliseconds rounds up, never into a busy wait, and saturates") {
    CHECK(weft::timeoutMilliseconds(std::nullopt) == -1);
    CHECK(weft::timeoutMilliseconds(0ns) == 0);
    CHECK(weft::timeoutMilliseconds(-5ms) == 0);
    CHECK(weft::timeoutMilliseconds(1ns) == 1);
    CHECK(weft::timeoutMilliseconds(1ms) == 1);
    CHECK(weft::timeoutMilliseconds(1001us) == 2);
    CHECK(weft::timeoutMilliseconds(std::chrono::hours(24 * 365 * 100)) == INT_MAX);
}
