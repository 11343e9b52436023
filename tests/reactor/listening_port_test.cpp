// SPDX-License-Identifier: MIT
// Tests of reactor/listening_port.h over TCP, on every backend: ListeningPort accepting and stopping, Connector.
#include "reactor/listening_port.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Address;
using weft::ConnectionError;
using weft::Reactor;
using weft::testing::connectBoth;
using weft::testing::FullListener;
using weft::testing::makeTestBackend;
using weft::testing::runUntil;
using weft::testing::TestFactory;
using weft::testing::TestProtocol;

namespace {

int highestOpenFd() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    int top = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
    for (int fd = top - 1; fd >= 0; --fd)
        if (::fcntl(fd, F_GETFD) >= 0) return fd;
    return -1;
}

}  // namespace

TEST_CASE_TEMPLATE("connecting to a closed port fails with ConnectionError::Refused", B, WEFT_TEST_BACKENDS) {
    for (int family : {AF_INET, AF_INET6}) {
        CAPTURE(family);
        TestFactory client;
        Reactor reactor(makeTestBackend<B>());
        std::uint16_t closed = weft::testing::closedTcpPort(family);
        reactor.connectTCP(*Address::parse(family == AF_INET ? "127.0.0.1" : "::1", closed), client);
        CHECK_FALSE(client.failed);  // reported from the loop, not from inside connectTCP
        REQUIRE(runUntil(reactor, [&] { return client.failed.has_value(); }));
        CHECK(*client.failed == ConnectionError::Refused);
        CHECK(client.connections.empty());
        CHECK(client.peers.empty());
        CHECK(client.starts == 1);
        CHECK(client.stops == 1);
        CHECK(reactor.ownedCount() == 0);
    }
}

TEST_CASE_TEMPLATE("a connect that gets no answer fails with TimedOut after its timeout", B, WEFT_TEST_BACKENDS) {
    FullListener full;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto start = std::chrono::steady_clock::now();
    reactor.connectTCP(full.address, client, 200ms);
    REQUIRE(runUntil(reactor, [&] { return client.failed.has_value(); }));
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(*client.failed == ConnectionError::TimedOut);
    CHECK(elapsed >= 200ms);
    CHECK(elapsed < 900ms);  // before the kernel's own SYN retry at 1 s
    CHECK(client.connections.empty());
    CHECK(client.stops == 1);
}

TEST_CASE_TEMPLATE("stopConnecting ends a pending connect with Aborted", B, WEFT_TEST_BACKENDS) {
    FullListener full;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    weft::Connector& connector = reactor.connectTCP(full.address, client, 5s);
    SUBCASE("once the loop has looked at it") {
        reactor.iterate();
        CHECK_FALSE(client.failed);
    }
    SUBCASE("before the loop's first look") {}
    connector.stopConnecting();
    REQUIRE(client.failed);
    CHECK(*client.failed == ConnectionError::Aborted);
    reactor.iterate();
    CHECK(reactor.ownedCount() == 0);
}

TEST_CASE_TEMPLATE("a factory that builds no protocol refuses the connection", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    server.refuse = true;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return client.connections.size() == 1 && client.at(0).lost(); }));
    CHECK(server.peers.size() == 1);
    CHECK(server.connections.empty());
    CHECK(client.at(0).reason == ConnectionError::Done);
}

TEST_CASE_TEMPLATE("a client factory that builds no protocol hears clientConnectionFailed(Aborted)", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    client.refuse = true;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return client.failed.has_value(); }));
    CHECK(*client.failed == ConnectionError::Aborted);
    CHECK(client.peers.size() == 1);
    CHECK(client.starts == 1);
    CHECK(client.stops == 1);
}

TEST_CASE_TEMPLATE("many clients at once are all accepted and served", B, WEFT_TEST_BACKENDS) {
    constexpr std::size_t clients = 40;
    TestFactory server;
    TestFactory client;
    server.echo = true;
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) { self.transport().write(self.record().host.toString()); };
        p.onData = [](TestProtocol& self, std::string_view) {
            if (self.record().received == self.record().host.toString()) self.transport().loseConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 128, "127.0.0.1");
    for (std::size_t i = 0; i < clients; ++i) reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return client.lostCount() == clients && server.lostCount() == clients; }));
    for (const auto& r : client.connections) {
        CHECK(r->received == r->host.toString());
        CHECK(r->reason == ConnectionError::Done);
    }
}

TEST_CASE_TEMPLATE("a stopped port refuses new connections and its existing connections go on", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    TestFactory late;
    server.echo = true;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    std::uint16_t number = port->getHost().port();
    connectBoth(reactor, *port, server, client);
    port->stopListening();
    port->stopListening();  // idempotent
    CHECK(server.stops == 1);
    reactor.connectTCP(weft::testing::loopback(number), late);
    REQUIRE(runUntil(reactor, [&] { return late.failed.has_value(); }));
    CHECK(*late.failed == ConnectionError::Refused);
    client.at(0).transport->write("still here");
    REQUIRE(runUntil(reactor, [&] { return client.at(0).received == "still here"; }));
    port.reset();
    CHECK(server.stops == 1);
}

TEST_CASE_TEMPLATE("out of fds (EMFILE), a port pauses accepting without spinning, serves what it has, then resumes", B,
                   WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    server.echo = true;
    auto counting = std::make_unique<weft::testing::CountingBackend>(makeTestBackend<B>());
    weft::testing::CountingBackend& backend = *counting;
    Reactor reactor(std::move(counting));
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);

    // A connection whose accept() will find no fd: its own fd is taken before they run out.
    weft::Fd waiting(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    REQUIRE(waiting);
    weft::Fd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(devNull);
    // While no fd is free, the test only records what happens and checks it afterwards: the
    // sanitizers need fds of their own to report (UBSan's vptr check even opens a pipe to test
    // whether memory is readable, and fails without one).
    bool filled = false;
    bool paused = false;
    std::size_t acceptedDuring = 0;
    std::size_t turns = 0;
    std::size_t pausesBefore = 0;
    std::size_t pausesAfter = 0;
    std::string echoedDuring;
    {
        weft::testing::FdLimitGuard limit(static_cast<rlim_t>(highestOpenFd() + 1));
        std::vector<weft::Fd> fillers;  // every free fd below the limit
        for (int fd; (fd = ::dup(devNull.get())) >= 0;) fillers.emplace_back(fd);
        filled = errno == EMFILE;
        Address address = port->getHost();
        int rc = ::connect(waiting.get(), address.sockaddrPtr(), address.length());
        if (filled && (rc == 0 || errno == EINPROGRESS)) {
            auto deadline = std::chrono::steady_clock::now() + 1s;
            while (port->acceptPauses() == 0 && std::chrono::steady_clock::now() < deadline) reactor.iterate(1ms);
            paused = port->acceptPauses() > 0;
        }
        if (paused) {
            // A window of 150 ms (more than ListeningPort::kAcceptPause): the old connection is
            // served, nothing is accepted, and the loop turns a handful of times, not thousands.
            std::size_t waitsBefore = backend.waits();
            pausesBefore = port->acceptPauses();
            client.at(0).transport->write("during the pause");
            weft::DelayedCall window = reactor.callLater(150ms, [&] { reactor.stop(); });
            reactor.run();
            turns = backend.waits() - waitsBefore;
            pausesAfter = port->acceptPauses();
            acceptedDuring = server.connections.size() - 1;
            echoedDuring = client.at(0).received;
        }
    }  // fds free again, and the old limit back
    REQUIRE(filled);
    REQUIRE(paused);
    CAPTURE(turns);
    CHECK(turns < 40);
    CHECK(echoedDuring == "during the pause");
    CHECK(acceptedDuring == 0);
    CHECK(pausesAfter >= pausesBefore);
    CHECK(pausesAfter <= pausesBefore + 3);

    REQUIRE(runUntil(reactor, [&] { return server.connections.size() == 2; }, 1s));
    CHECK(server.peers.back() == weft::testing::sockName(waiting.get()));
}

namespace {

// Epoll, counting the fds it is asked to watch for writing (how a pending connect is watched).
class WriteWatchCounter final : public weft::Backend {
public:
    explicit WriteWatchCounter(std::unique_ptr<weft::Backend> inner) : inner_(std::move(inner)) {}
    const char* name() const noexcept override { return inner_->name(); }
    std::error_code watch(int fd, weft::Interest interest) override {
        if (weft::wants(interest, weft::Interest::Write)) ++writeWatches;
        return inner_->watch(fd, interest);
    }
    void forgetClosing(int fd) noexcept override { inner_->forgetClosing(fd); }
    std::error_code wait(std::optional<std::chrono::nanoseconds> timeout, std::vector<weft::Readiness>& ready) override {
        return inner_->wait(timeout, ready);
    }
    int writeWatches = 0;

private:
    std::unique_ptr<weft::Backend> inner_;
};

}  // namespace

TEST_CASE_TEMPLATE("a connect without a timeout (nanoseconds::max()) waits, and does not time out at once", B, WEFT_TEST_BACKENDS) {
    FullListener full;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    weft::Connector& connector = reactor.connectTCP(full.address, client, std::chrono::nanoseconds::max());
    auto until = std::chrono::steady_clock::now() + 200ms;
    while (std::chrono::steady_clock::now() < until) reactor.iterate(10ms);
    CHECK_FALSE(client.failed);
    connector.stopConnecting();
    REQUIRE(client.failed);
    CHECK(*client.failed == ConnectionError::Aborted);
}

TEST_CASE("a connect that has completed by the end of the loop turn (loopback) is never watched") {
    TestFactory server;  // before the reactor: its connections still call them as it goes
    TestFactory client;
    std::error_code error;
    auto counter = std::make_unique<WriteWatchCounter>(weft::makeEpollBackend(error));
    REQUIRE_FALSE(error);
    WriteWatchCounter& counted = *counter;
    Reactor reactor(std::move(counter));
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    // On loopback the handshake is normally over when connect() returns; a busy machine may
    // leave a few to the kernel's softirq thread, so ten connects may watch some, not all.
    for (int i = 0; i < 10; ++i) reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return client.connections.size() == 10 && server.connections.size() == 10; }));
    CHECK(counted.writeWatches < 10);  // watched at once (the old way), all ten would be
}
