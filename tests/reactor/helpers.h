// SPDX-License-Identifier: MIT
// tests/reactor/helpers.h: what reactor/'s tests share (Twisted's ReactorBuilder, in doctest):
// the backend list every conformance test runs over, a reactor factory, a run-with-deadline
// that fails the test instead of hanging, recording protocols and factories, small socket
// utilities, and what the TCP tests share (connectBoth, FullListener...). Everything stays on
// loopback.
//
//   TEST_CASE_TEMPLATE("something works", B, WEFT_TEST_BACKENDS) {
//       weft::Reactor reactor(weft::testing::makeTestBackend<B>());
//       ...
//       weft::testing::runWithDeadline(reactor);   // until something calls reactor.stop()
//   }
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>  // doctest prints error_codes with std's operator<<
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "reactor/address.h"
#include "reactor/backend.h"
#include "reactor/errors.h"
#include "reactor/fd.h"
#include "reactor/listening_port.h"
#include "reactor/reactor.h"
#include "reactor/stream.h"

namespace weft {
// kqueue_backend.cpp built with -DWEFT_KEVENT_EMULATION (tests/reactor/meson.build) defines
// this: the real kqueue backend over tests/reactor/kevent_emulation.cpp.
std::unique_ptr<Backend> makeEmulatedKqueueBackend(std::error_code& error);
}  // namespace weft

namespace weft::testing {

using namespace std::chrono_literals;

// ------------------------------------------------------------------ the backends under test

struct Epoll {
    static std::unique_ptr<Backend> make(std::error_code& e) { return makeEpollBackend(e); }
};
struct Poll {
    static std::unique_ptr<Backend> make(std::error_code& e) { return makePollBackend(e); }
};
struct Select {
    static std::unique_ptr<Backend> make(std::error_code& e) { return makeSelectBackend(e); }
};
struct EmulatedKqueue {
    static std::unique_ptr<Backend> make(std::error_code& e) { return makeEmulatedKqueueBackend(e); }
};

}  // namespace weft::testing

TYPE_TO_STRING_AS("epoll", weft::testing::Epoll);
TYPE_TO_STRING_AS("poll", weft::testing::Poll);
TYPE_TO_STRING_AS("select", weft::testing::Select);
TYPE_TO_STRING_AS("kqueue", weft::testing::EmulatedKqueue);

// Every conformance test: TEST_CASE_TEMPLATE("...", B, WEFT_TEST_BACKENDS).
#define WEFT_TEST_BACKENDS \
    weft::testing::Epoll, weft::testing::Poll, weft::testing::Select, weft::testing::EmulatedKqueue

namespace weft::testing {

template <class B>
std::unique_ptr<Backend> makeTestBackend() {
    std::error_code error;
    std::unique_ptr<Backend> backend = B::make(error);
    REQUIRE_MESSAGE(backend, error.message());
    return backend;
}

// For tests that must decide when the reactor goes away (its destructor ends connections).
template <class B>
std::unique_ptr<Reactor> makeReactor() {
    return std::make_unique<Reactor>(makeTestBackend<B>());
}

// Wraps a backend and counts wait() calls: one per loop iteration, so a loop that spins
// shows up as a large count.
class CountingBackend final : public Backend {
public:
    explicit CountingBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}
    const char* name() const noexcept override { return inner_->name(); }
    std::error_code watch(int fd, Interest interest) override { return inner_->watch(fd, interest); }
    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<Readiness>& ready) override {
        ++waits_;
        return inner_->wait(timeout, ready);
    }
    [[nodiscard]] std::size_t waits() const noexcept { return waits_; }

private:
    std::unique_ptr<Backend> inner_;
    std::size_t waits_ = 0;
};

// ------------------------------------------------------------------ running with a deadline

// Runs the reactor until something calls stop(). A guard timer stops it after `limit`
// instead, and the test fails: a broken test ends, it does not hang.
inline bool runWithDeadline(Reactor& reactor, std::chrono::nanoseconds limit = 5s) {
    bool expired = false;
    DelayedCall guard = reactor.callLater(limit, [&] {
        expired = true;
        reactor.stop();
    });
    reactor.run();
    if (guard.active()) guard.cancel();
    CHECK_MESSAGE(!expired, "the reactor was still running when the test's deadline came");
    return !expired;
}

// Turns the loop (blocking in the backend at most 1 ms a turn) until done() holds; fails the
// test after `limit`.
inline bool runUntil(Reactor& reactor, const std::function<bool()>& done, std::chrono::nanoseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            FAIL_CHECK("the awaited condition did not hold before the test's deadline");
            return false;
        }
        reactor.iterate(1ms);
    }
    return true;
}

// ------------------------------------------------------------------ protocols and factories

inline std::string text(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// What happened to one connection. Shared by its protocol and the test, so it outlives the
// protocol (the reactor frees that after connectionLost).
struct ConnectionRecord {
    ITransport* transport = nullptr;  // from makeConnection until connectionLost
    std::string received;
    std::vector<std::string> events;  // "made", "data", "readLost", "lost", in order
    int lostCount = 0;
    std::error_code reason;
    Address host;  // getHost()/getPeer() as seen in makeConnection
    Address peer;

    [[nodiscard]] bool made() const noexcept { return !events.empty(); }
    [[nodiscard]] bool lost() const noexcept { return lostCount > 0; }
};

// A protocol that records everything into its ConnectionRecord and runs optional hooks.
class TestProtocol final : public IProtocol {
public:
    explicit TestProtocol(std::shared_ptr<ConnectionRecord> record = std::make_shared<ConnectionRecord>())
        : record_(std::move(record)) {}

    std::function<void(TestProtocol&)> onMade;
    std::function<void(TestProtocol&, std::string_view)> onData;
    std::function<bool(TestProtocol&)> onReadLost;  // readConnectionLost's answer; none: false
    std::function<void(TestProtocol&, std::error_code)> onLost;
    bool echo = false;  // write back whatever arrives

    [[nodiscard]] ITransport& transport() const {
        REQUIRE(record_->transport);
        return *record_->transport;
    }
    [[nodiscard]] ConnectionRecord& record() const noexcept { return *record_; }
    [[nodiscard]] std::shared_ptr<ConnectionRecord> sharedRecord() const noexcept { return record_; }

    void makeConnection(ITransport& transport) override {
        CHECK(record_->events.empty());
        record_->transport = &transport;
        record_->host = transport.getHost();
        record_->peer = transport.getPeer();
        record_->events.push_back("made");
        if (onMade) onMade(*this);
    }
    void dataReceived(std::span<const std::byte> data) override {
        CHECK_FALSE(record_->lost());
        record_->received += text(data);
        if (record_->events.back() != "data") record_->events.push_back("data");
        if (echo) record_->transport->write(data);
        if (onData) onData(*this, text(data));
    }
    bool readConnectionLost() override {
        CHECK_FALSE(record_->lost());
        record_->events.push_back("readLost");
        return onReadLost ? onReadLost(*this) : false;
    }
    void connectionLost(std::error_code reason) override {
        ++record_->lostCount;
        record_->reason = reason;
        record_->events.push_back("lost");
        if (onLost) onLost(*this, reason);
        record_->transport = nullptr;
    }

private:
    std::shared_ptr<ConnectionRecord> record_;
};

// A server or client factory. Each protocol it builds is a TestProtocol (an echo one if
// `echo`), set up further by `configure`; the records stay in `connections`.
class TestFactory final : public IClientFactory {
public:
    bool echo = false;
    bool refuse = false;  // buildProtocol returns null
    std::function<void(TestProtocol&)> configure;
    std::vector<std::shared_ptr<ConnectionRecord>> connections;
    std::vector<Address> peers;  // as given to buildProtocol
    std::optional<std::error_code> failed;
    std::vector<std::error_code> clientLost;
    int attempts = 0;  // startedConnecting
    int starts = 0;
    int stops = 0;

    std::unique_ptr<IProtocol> buildProtocol(const Address& peer) override {
        peers.push_back(peer);
        if (refuse) return nullptr;
        auto protocol = std::make_unique<TestProtocol>();
        protocol->echo = echo;
        connections.push_back(protocol->sharedRecord());
        if (configure) configure(*protocol);
        return protocol;
    }
    void startedConnecting() override { ++attempts; }
    void doStart() override { ++starts; }
    void doStop() override { ++stops; }
    void clientConnectionFailed(std::error_code reason) override {
        CHECK_FALSE(failed.has_value());
        failed = reason;
    }
    void clientConnectionLost(std::error_code reason) override { clientLost.push_back(reason); }

    [[nodiscard]] ConnectionRecord& at(std::size_t i) const {
        REQUIRE(i < connections.size());
        return *connections[i];
    }
    [[nodiscard]] std::size_t lostCount() const {
        std::size_t n = 0;
        for (const auto& c : connections) n += c->lost() ? 1 : 0;
        return n;
    }
};

// ------------------------------------------------------------------ sockets

// Loopback IPv4 with the port of a listening socket, ready to connect to.
inline Address loopback(std::uint16_t port) { return *Address::parse("127.0.0.1", port); }

// A port number with nothing listening on it (bound once, then closed).
inline std::uint16_t closedTcpPort(int family = AF_INET) {
    Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    Address any = *Address::parse(family == AF_INET ? "127.0.0.1" : "::1", 0);
    REQUIRE(::bind(fd.get(), any.sockaddrPtr(), any.length()) == 0);
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &length) == 0);
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length).port();
}

// A loopback UDP address where nothing listens, for "port unreachable". The port is below the
// kernel's ephemeral range (32768 and up here), so no socket bound to port 0 in this or a
// parallel test can land on it meanwhile (one did, once: a datagram to a port just given up
// reached a new socket instead of drawing the ICMP error). The start varies by process so
// that parallel tests look in different places; several of them sharing one is harmless.
inline Address closedUdpAddress(const char* ip = "127.0.0.1") {
    const unsigned start = static_cast<unsigned>(::getpid()) * 7919u % 12000u;
    for (unsigned i = 0; i < 12000; ++i) {
        const auto port = static_cast<std::uint16_t>(20000 + (start + i) % 12000);
        Address address = *Address::parse(ip, port);
        Fd fd(::socket(address.sockaddrPtr()->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        REQUIRE(fd);
        if (::bind(fd.get(), address.sockaddrPtr(), address.length()) == 0) return address;  // free: closed again here
    }
    FAIL("no free UDP port between 20000 and 31999");
    return Address();
}

inline Address sockName(int fd) {
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) < 0) return Address();
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

inline std::optional<Address> peerName(int fd) {
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &length) < 0) return std::nullopt;
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

// The fd of this process's connected socket with these two ends (transports do not expose
// their fds; a test that must look at a socket option finds it this way). -1 if none.
inline int findSocket(const Address& host, const Address& peer) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    int top = limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > 65536 ? 65536 : static_cast<int>(limit.rlim_cur);
    for (int fd = 0; fd < top; ++fd) {
        if (::fcntl(fd, F_GETFD) < 0) continue;
        std::optional<Address> p = peerName(fd);
        if (p && *p == peer && sockName(fd) == host) return fd;
    }
    return -1;
}

// Sets RLIMIT_NOFILE's soft limit for the life of the guard, then puts the old one back.
class FdLimitGuard {
public:
    explicit FdLimitGuard(rlim_t soft) {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
        rlimit lowered = saved_;
        lowered.rlim_cur = soft;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    }
    ~FdLimitGuard() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
    FdLimitGuard(const FdLimitGuard&) = delete;
    FdLimitGuard& operator=(const FdLimitGuard&) = delete;

private:
    rlimit saved_{};
};

// Makes fd `needed` openable while it lives: raises the soft RLIMIT_NOFILE above it if it is
// not already (the hard limit must allow that), and restores it afterwards.
class AllowFdsUpTo {
public:
    explicit AllowFdsUpTo(rlim_t needed) {
        rlimit limit{};
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
        if (limit.rlim_cur <= needed) {
            REQUIRE(limit.rlim_max > needed);
            raised_.emplace(needed + 1);
        }
    }

private:
    std::optional<FdLimitGuard> raised_;
};

// A connected pair of non-blocking Unix stream sockets. (Bind the halves to references, not a
// structured binding, if a lambda captures them: clang 14 cannot capture structured bindings.)
inline std::pair<Fd, Fd> socketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    return {Fd(fds[0]), Fd(fds[1])};
}

// An FdHandler that counts and runs hooks; for tests that watch raw fds.
class TestHandler final : public FdHandler {
public:
    std::function<void()> onRead;
    std::function<void()> onWrite;
    int reads = 0;
    int writes = 0;
    void readReady() override {
        ++reads;
        if (onRead) onRead();
    }
    void writeReady() override {
        ++writes;
        if (onWrite) onWrite();
    }
};


// ------------------------------------------------------------------ TCP connections

// Connects `client` to `port` and turns the loop until both ends have their connection.
inline void connectBoth(Reactor& reactor, ListeningPort& port, TestFactory& server, TestFactory& client,
                        const char* host = "127.0.0.1") {
    std::size_t serverBefore = server.connections.size();
    std::size_t clientBefore = client.connections.size();
    reactor.connectTCP(*Address::parse(host, port.getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] {
        return server.connections.size() > serverBefore && client.connections.size() > clientBefore;
    }));
}

inline bool bothLost(const TestFactory& a, const TestFactory& b) {
    return !a.connections.empty() && !b.connections.empty() && a.lostCount() == a.connections.size() &&
           b.lostCount() == b.connections.size();
}

// `n` bytes of a fixed pattern, starting at offset `from` of it: a long transfer's pieces
// concatenate to the same bytes as one call for the whole.
inline std::string pattern(std::size_t from, std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(((from + i) * 131 + ((from + i) >> 12)) & 0xFF);
    return s;
}

// A raw listening socket, listen(backlog 0), whose accept queue is full of connections nobody
// accepts: Linux drops further SYNs (the client would retry after 1 s), so a connect to it
// stays pending. A connect timeout or a pending connector, without leaving loopback.
struct FullListener {
    Fd listener;
    std::vector<Fd> queued;
    Address address;

    FullListener() {
        listener.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        REQUIRE(listener);
        Address any = loopback(0);
        REQUIRE(::bind(listener.get(), any.sockaddrPtr(), any.length()) == 0);
        REQUIRE(::listen(listener.get(), 0) == 0);
        address = sockName(listener.get());
        for (int i = 0; i < 3; ++i) {  // backlog 0 still queues one; the rest are dropped
            Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            REQUIRE(fd);
            int rc = ::connect(fd.get(), address.sockaddrPtr(), address.length());
            REQUIRE((rc == 0 || errno == EINPROGRESS));
            queued.push_back(std::move(fd));
        }
    }
};

}  // namespace weft::testing
