// SPDX-License-Identifier: MIT
// TCP through the reactor: listenTCP/connectTCP, ListeningPort, Connector and StreamConnection,
// on every backend. Loopback only; every transfer is bounded.
#include "reactor/listening_port.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "reactor/stream_connection.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Address;
using weft::ConnectionError;
using weft::Reactor;
using weft::testing::ConnectionRecord;
using weft::testing::makeTestBackend;
using weft::testing::runUntil;
using weft::testing::runWithDeadline;
using weft::testing::TestFactory;
using weft::testing::TestProtocol;

namespace {

// Connects `client` to `port` and turns the loop until both ends have their connection.
void connectBoth(Reactor& reactor, weft::ListeningPort& port, TestFactory& server, TestFactory& client,
                 const char* host = "127.0.0.1") {
    std::size_t serverBefore = server.connections.size();
    std::size_t clientBefore = client.connections.size();
    reactor.connectTCP(*Address::parse(host, port.getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] {
        return server.connections.size() > serverBefore && client.connections.size() > clientBefore;
    }));
}

bool bothLost(const TestFactory& a, const TestFactory& b) {
    return !a.connections.empty() && !b.connections.empty() && a.lostCount() == a.connections.size() &&
           b.lostCount() == b.connections.size();
}

std::string pattern(std::size_t from, std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(((from + i) * 131 + ((from + i) >> 12)) & 0xFF);
    return s;
}

int highestOpenFd() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    int top = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
    for (int fd = top - 1; fd >= 0; --fd)
        if (::fcntl(fd, F_GETFD) >= 0) return fd;
    return -1;
}

// A raw listening socket, listen(backlog 0), whose accept queue is full of connections nobody
// accepts: Linux drops further SYNs (the client would retry after 1 s), so a connect to it
// stays pending. A connect timeout or a pending connector, without leaving loopback.
struct FullListener {
    weft::Fd listener;
    std::vector<weft::Fd> queued;
    Address address;

    FullListener() {
        listener.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        REQUIRE(listener);
        Address any = weft::testing::loopback(0);
        REQUIRE(::bind(listener.get(), any.sockaddrPtr(), any.length()) == 0);
        REQUIRE(::listen(listener.get(), 0) == 0);
        address = weft::testing::sockName(listener.get());
        for (int i = 0; i < 3; ++i) {  // backlog 0 still queues one; the rest are dropped
            weft::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            REQUIRE(fd);
            int rc = ::connect(fd.get(), address.sockaddrPtr(), address.length());
            REQUIRE((rc == 0 || errno == EINPROGRESS));
            queued.push_back(std::move(fd));
        }
    }
};

}  // namespace

TEST_CASE_TEMPLATE("TCP echo over IPv4 loopback, then a clean close on both ends", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    server.echo = true;
    const std::string message = "hello, weft";
    client.configure = [&](TestProtocol& p) {
        p.onMade = [&](TestProtocol& self) { self.transport().write(message); };
        p.onData = [&](TestProtocol& self, std::string_view) {
            if (self.record().received.size() == message.size()) self.transport().loseConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    CHECK(port->getHost().host() == "127.0.0.1");
    CHECK(port->getHost().port() != 0);
    CHECK(server.starts == 1);
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    REQUIRE(client.connections.size() == 1);
    REQUIRE(server.connections.size() == 1);
    CHECK(client.at(0).received == message);
    CHECK(server.at(0).received == message);
    CHECK(client.at(0).reason == ConnectionError::Done);
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(client.clientLost == std::vector<std::error_code>{ConnectionError::Done});
    CHECK_FALSE(client.failed);
    CHECK(client.attempts == 1);
    CHECK(client.starts == 1);
    CHECK(client.stops == 1);  // every attempt is bracketed by doStart and doStop
    port.reset();
    CHECK(server.stops == 1);
}

TEST_CASE_TEMPLATE("TCP echo over IPv6 loopback (::1), a megabyte each way", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    server.echo = true;
    const std::string message = pattern(0, 1 << 20);
    client.configure = [&](TestProtocol& p) {
        p.onMade = [&](TestProtocol& self) { self.transport().write(message); };
        p.onData = [&](TestProtocol& self, std::string_view) {
            if (self.record().received.size() == message.size()) self.transport().loseConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "::1");
    CHECK(port->getHost().family() == Address::Family::IPv6);
    CHECK(port->getHost().host() == "::1");
    reactor.connectTCP(*Address::parse("::1", port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    CHECK(client.at(0).received == message);
    CHECK(client.at(0).reason == ConnectionError::Done);
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(client.at(0).peer.host() == "::1");
}

TEST_CASE_TEMPLATE("getHost and getPeer name both ends of a TCP connection", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    const ConnectionRecord& c = client.at(0);
    const ConnectionRecord& s = server.at(0);
    CHECK(c.peer == port->getHost());
    CHECK(s.host == port->getHost());
    CHECK(s.peer == c.host);
    CHECK(c.host.host() == "127.0.0.1");
    CHECK(c.host.port() != port->getHost().port());
    REQUIRE(server.peers.size() == 1);
    CHECK(server.peers[0] == c.host);  // what buildProtocol was told
    REQUIRE(client.peers.size() == 1);
    CHECK(client.peers[0] == port->getHost());
    CHECK(c.transport->getPeer() == c.peer);  // and still the same while connected
}

TEST_CASE_TEMPLATE("accepted TCP connections have TCP_NODELAY; setTcpNoDelay switches it", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    auto noDelay = [](const ConnectionRecord& r) {
        int fd = weft::testing::findSocket(r.host, r.peer);
        REQUIRE(fd >= 0);
        int on = -1;
        socklen_t length = sizeof on;
        REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &length) == 0);
        return on != 0;
    };
    CHECK(noDelay(server.at(0)));
    CHECK_FALSE(noDelay(client.at(0)));
    client.at(0).transport->setTcpNoDelay(true);
    CHECK(noDelay(client.at(0)));
    server.at(0).transport->setTcpNoDelay(false);
    CHECK_FALSE(noDelay(server.at(0)));
}

TEST_CASE_TEMPLATE("half-close: a protocol whose readConnectionLost returns true keeps writing", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) {
            self.transport().write("question");
            self.transport().loseWriteConnection();
            self.transport().write("ignored: after loseWriteConnection");
        };
    };
    Reactor reactor(makeTestBackend<B>());
    server.configure = [&](TestProtocol& p) {
        p.onReadLost = [&](TestProtocol& self) {
            self.transport().write("answer 1;");
            auto record = self.sharedRecord();
            reactor.callLater(2ms, [record] {
                if (!record->transport) {
                    FAIL_CHECK("the connection was lost before its answer");
                    return;
                }
                record->transport->write("answer 2 after " + record->received);
                record->transport->loseConnection();
            });
            return true;
        };
    };
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    CHECK(server.at(0).received == "question");
    CHECK(client.at(0).received == "answer 1;answer 2 after question");
    CHECK(server.at(0).events == std::vector<std::string>{"made", "data", "readLost", "lost"});
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(client.at(0).reason == ConnectionError::Done);
}

TEST_CASE_TEMPLATE("half-close: by default the end of input closes the connection", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) {
            self.transport().write("bye");
            self.transport().loseWriteConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    CHECK(server.at(0).events == std::vector<std::string>{"made", "data", "readLost", "lost"});
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(client.at(0).reason == ConnectionError::Done);
}

TEST_CASE_TEMPLATE("flow control: a slow reader pauses the sender's producer, nothing is lost, the buffer stays bounded", B,
                   WEFT_TEST_BACKENDS) {
    constexpr std::size_t total = 2 << 20;
    constexpr std::size_t chunk = 16 << 10;
    constexpr std::size_t high = 64 << 10;
    constexpr std::size_t low = 16 << 10;

    // The client sends through a push producer (Twisted's): chunks while not paused, then close.
    struct Pump final : weft::IProducer {
        weft::ITransport* transport = nullptr;
        std::size_t sent = 0;
        bool paused = false;
        int pauses = 0;
        int resumes = 0;
        int stops = 0;
        std::size_t maxBuffered = 0;
        std::size_t maxBufferedAtResume = 0;
        bool pausedAboveHigh = true;
        void pauseProducing() override {
            CHECK_FALSE(paused);
            paused = true;
            ++pauses;
            pausedAboveHigh = pausedAboveHigh && transport->bufferedBytes() > high;
        }
        void resumeProducing() override {
            CHECK(paused);
            paused = false;
            ++resumes;
            maxBufferedAtResume = std::max(maxBufferedAtResume, transport->bufferedBytes());
            produce();
        }
        void stopProducing() override { ++stops; }
        void produce() {
            while (!paused && sent < total) {
                transport->write(pattern(sent, chunk));
                sent += chunk;
                maxBuffered = std::max(maxBuffered, transport->bufferedBytes());
            }
            if (sent == total && transport) {
                transport->unregisterProducer();
                transport->loseConnection();
                transport = nullptr;
            }
        }
    } pump;

    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    client.configure = [&](TestProtocol& p) {
        p.onMade = [&](TestProtocol& self) {
            // Loopback's 64 KiB MSS makes the kernel size a send buffer at megabytes; a
            // smaller one (still several segments, so no Nagle/delayed-ACK stalls) means
            // the water marks are reached many times in a 2 MiB transfer.
            int fd = weft::testing::findSocket(self.record().host, self.record().peer);
            REQUIRE(fd >= 0);
            int sendBuffer = 128 << 10;
            REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof sendBuffer) == 0);
            pump.transport = &self.transport();
            self.transport().setWriteBufferLimits(high, low);
            self.transport().registerProducer(pump);
            pump.produce();
        };
    };
    // The server reads slowly: after each 128 KiB it stops reading for 2 ms.
    int readerPauses = 0;
    std::size_t sincePause = 0;
    weft::DelayedCall resumeReading;
    server.configure = [&](TestProtocol& p) {
        p.onData = [&](TestProtocol& self, std::string_view data) {
            sincePause += data.size();
            if (sincePause < (128 << 10)) return;
            sincePause = 0;
            ++readerPauses;
            self.transport().pauseProducing();
            weft::ITransport* transport = &self.transport();
            resumeReading = reactor.callLater(2ms, [transport] { transport->resumeProducing(); });
        };
        p.onLost = [&](TestProtocol&, std::error_code) {
            if (resumeReading.active()) resumeReading.cancel();
        };
    };
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    // A small receive buffer on the listening socket, which accepted sockets inherit: the
    // window is small from the first segment on, so kernel buffers cannot soak up the whole
    // transfer and user-space buffering (the water marks) is reached quickly.
    int listener = -1;
    for (int fd = 0; fd < 4096 && listener < 0; ++fd) {
        if (::fcntl(fd, F_GETFD) >= 0 && !weft::testing::peerName(fd) && weft::testing::sockName(fd) == port->getHost())
            listener = fd;
    }
    REQUIRE(listener >= 0);
    int size = 16 << 10;
    REQUIRE(::setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) == 0);

    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    CAPTURE(pump.sent);
    CAPTURE(pump.pauses);
    CAPTURE(pump.resumes);
    CAPTURE(readerPauses);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));

    CHECK(server.at(0).received.size() == total);
    CHECK(server.at(0).received == pattern(0, total));
    CHECK(client.at(0).reason == ConnectionError::Done);
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(readerPauses > 0);
    CHECK(pump.pauses > 0);
    CHECK(pump.resumes > 0);
    CHECK(pump.pauses - pump.resumes <= 1);  // the last write may pause it: nothing left to resume for
    CHECK(pump.pausedAboveHigh);
    CHECK(pump.maxBufferedAtResume <= low);
    CHECK(pump.maxBuffered <= high + chunk);  // bounded: at most one chunk past the mark
    CHECK(pump.stops == 0);  // unregistered before the close
}

TEST_CASE_TEMPLATE("registering a producer while above the high-water mark pauses it at once", B, WEFT_TEST_BACKENDS) {
    struct Producer final : weft::IProducer {
        int pauses = 0, resumes = 0, stops = 0;
        void pauseProducing() override { ++pauses; }
        void resumeProducing() override { ++resumes; }
        void stopProducing() override { ++stops; }
    } producer;
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    client.at(0).transport->pauseProducing();  // the client reads nothing
    weft::ITransport& transport = *server.at(0).transport;
    transport.setWriteBufferLimits(1024, 512);
    std::string big(8 << 20, 'x');  // more than loopback's kernel buffers take at once
    transport.write(big);
    REQUIRE(transport.bufferedBytes() > 1024);
    transport.registerProducer(producer);
    CHECK(producer.pauses == 1);
    // The connection ends while the producer is registered: it is told to stop.
    transport.abortConnection();
    REQUIRE(runUntil(reactor, [&] { return server.at(0).lost(); }));
    CHECK(producer.stops == 1);
    CHECK(producer.resumes == 0);
}

TEST_CASE_TEMPLATE("abortConnection: the local side gets Aborted, the peer a reset", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    bool lostInsideAbort = false;
    server.configure = [&](TestProtocol& p) {
        p.onData = [&](TestProtocol& self, std::string_view) {
            self.transport().write("dropped: written before the abort");
            self.transport().abortConnection();
            CHECK(self.transport().disconnecting());
            lostInsideAbort = self.record().lost();
        };
    };
    client.configure = [](TestProtocol& p) { p.onMade = [](TestProtocol& self) { self.transport().write("x"); }; };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    CHECK_FALSE(lostInsideAbort);  // connectionLost comes from the loop, never from inside the call
    CHECK(server.at(0).reason == ConnectionError::Aborted);
    CHECK(client.at(0).reason == std::errc::connection_reset);
    REQUIRE(client.clientLost.size() == 1);
    CHECK(client.clientLost[0] == std::errc::connection_reset);
}

TEST_CASE_TEMPLATE("abortConnection from a timer, with unsent data buffered, still aborts", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) { self.transport().pauseProducing(); };  // reads nothing
    };
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    ConnectionRecord& s = server.at(0);
    s.transport->write(std::string(8 << 20, 'x'));
    CHECK(s.transport->bufferedBytes() > 0);
    auto record = server.connections[0];
    reactor.callLater(1ms, [record] {
        if (!record->transport) {
            FAIL_CHECK("the connection was lost before the abort");
            return;
        }
        record->transport->abortConnection();
    });
    REQUIRE(runUntil(reactor, [&] { return s.lost(); }));
    CHECK(s.reason == ConnectionError::Aborted);
    // The peer hears of it once it reads again.
    client.at(0).transport->resumeProducing();
    REQUIRE(runUntil(reactor, [&] { return client.at(0).lost(); }));
    CHECK(client.at(0).reason == std::errc::connection_reset);
    CHECK(client.at(0).received.size() < (8u << 20));
}

TEST_CASE_TEMPLATE("abortConnection from a timer on an idle connection aborts, even though the socket is writable", B,
                   WEFT_TEST_BACKENDS) {
    // The close is deferred to the loop; a writable socket must not turn it into a clean close.
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    auto record = server.connections[0];
    reactor.callLater(0ns, [record] {
        if (!record->transport) {
            FAIL_CHECK("the connection was lost before the abort");
            return;
        }
        record->transport->abortConnection();
    });
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    CHECK(server.at(0).reason == ConnectionError::Aborted);
    CHECK(client.at(0).reason == std::errc::connection_reset);
}

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
    reactor.iterate();
    CHECK_FALSE(client.failed);
    connector.stopConnecting();
    REQUIRE(client.failed);
    CHECK(*client.failed == ConnectionError::Aborted);
    reactor.iterate();
    CHECK(reactor.ownedCount() == 0);
}

TEST_CASE_TEMPLATE("connectionLost is called exactly once, last, whatever closes the connection", B, WEFT_TEST_BACKENDS) {
    // Every way to close, several at once, and the peer closing too.
    TestFactory server;
    TestFactory client;
    bool lostDuringCalls = false;
    client.configure = [&](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) { self.transport().write("ping"); };
        p.onData = [&](TestProtocol& self, std::string_view) {
            weft::ITransport& t = self.transport();
            CHECK_FALSE(t.disconnecting());
            t.loseConnection();
            CHECK(t.disconnecting());
            t.loseConnection();
            t.loseWriteConnection();
            t.write("ignored after loseConnection");
            t.abortConnection();
            t.abortConnection();
            t.pauseProducing();
            t.resumeProducing();
            lostDuringCalls = self.record().lost();
        };
    };
    server.configure = [](TestProtocol& p) {
        p.onData = [](TestProtocol& self, std::string_view) {
            self.transport().write("pong");
            self.transport().loseConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    reactor.connectTCP(weft::testing::loopback(port->getHost().port()), client);
    REQUIRE(runUntil(reactor, [&] { return bothLost(server, client); }));
    for (int i = 0; i < 5; ++i) reactor.iterate();
    CHECK_FALSE(lostDuringCalls);
    for (const TestFactory* f : {&server, &client}) {
        const ConnectionRecord& r = f->at(0);
        CHECK(r.lostCount == 1);
        CHECK(r.events.back() == "lost");
        CHECK(r.transport == nullptr);
    }
    CHECK(client.clientLost.size() == 1);
    CHECK(reactor.ownedCount() == 0);
}

TEST_CASE_TEMPLATE("writing to a peer that has gone gives an error, not SIGPIPE", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(reactor, *port, server, client);
    ConnectionRecord& s = server.at(0);
    s.transport->pauseProducing();  // only writes can find out that the peer is gone
    client.at(0).transport->loseConnection();
    REQUIRE(runUntil(reactor, [&] { return client.at(0).lost(); }));
    int writes = 0;
    REQUIRE(runUntil(reactor, [&] {
        if (!s.lost() && writes < 1000) {
            s.transport->write("are you there?");
            ++writes;
        }
        return s.lost();
    }));
    CHECK(writes >= 1);
    CHECK((s.reason == std::errc::broken_pipe || s.reason == std::errc::connection_reset));
    CHECK_FALSE(weft::isCleanClose(s.reason));
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

TEST_CASE_TEMPLATE("listenTCP throws ReactorError for a bad interface or a port in use", B, WEFT_TEST_BACKENDS) {
    TestFactory server;
    Reactor reactor(makeTestBackend<B>());
    try {
        (void)reactor.listenTCP(0, server, 16, "localhost");
        FAIL("a hostname was accepted as an interface");
    } catch (const weft::ReactorError& e) {
        CHECK(e.code() == std::errc::invalid_argument);
    }
    auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
    try {
        (void)reactor.listenTCP(port->getHost().port(), server, 16, "127.0.0.1");
        FAIL("a port in use was bound twice");
    } catch (const weft::ReactorError& e) {
        CHECK(e.code() == std::errc::address_in_use);
        CHECK(std::string(e.what()).find("127.0.0.1") != std::string::npos);
    }
}

TEST_CASE_TEMPLATE("the Reactor's destructor ends open connections with Stopped and pending connects too", B,
                   WEFT_TEST_BACKENDS) {
    FullListener full;
    TestFactory server;
    TestFactory client;
    TestFactory pending;
    auto reactor = weft::testing::makeReactor<B>();
    auto port = reactor->listenTCP(0, server, 16, "127.0.0.1");
    connectBoth(*reactor, *port, server, client);
    reactor->connectTCP(full.address, pending, 5s);
    reactor->iterate();
    CHECK(reactor->ownedCount() == 3);  // two ends and the pending connect
    port.reset();
    reactor.reset();
    CHECK(server.at(0).reason == ConnectionError::Stopped);
    CHECK(client.at(0).reason == ConnectionError::Stopped);
    CHECK(server.at(0).lostCount == 1);
    CHECK(client.clientLost == std::vector<std::error_code>{ConnectionError::Stopped});
    REQUIRE(pending.failed);
    CHECK(*pending.failed == ConnectionError::Stopped);
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

TEST_CASE_TEMPLATE("a connection on an fd above FD_SETSIZE: select fails it with FdOutOfRange, the others serve it", B,
                   WEFT_TEST_BACKENDS) {
    constexpr int high = 1100;
    rlimit limit{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    std::optional<weft::testing::FdLimitGuard> raised;
    if (limit.rlim_cur <= high) {
        REQUIRE(limit.rlim_max > high);
        raised.emplace(high + 1);
    }
    auto oursTheirs = weft::testing::socketPair();
    weft::Fd& ours = oursTheirs.first;
    weft::Fd& theirs = oursTheirs.second;
    REQUIRE(::dup2(ours.get(), high) == high);
    ours.reset();
    Reactor reactor(makeTestBackend<B>());
    auto protocol = std::make_unique<TestProtocol>();
    protocol->echo = true;
    auto record = protocol->sharedRecord();
    weft::StreamConnection::start(reactor, weft::Fd(high), std::move(protocol));
    REQUIRE(::write(theirs.get(), "ping", 4) == 4);
    if (std::string_view(reactor.backendName()) == "select") {
        REQUIRE(runUntil(reactor, [&] { return record->lost(); }));
        CHECK(record->reason == ConnectionError::FdOutOfRange);
        CHECK(record->events == std::vector<std::string>{"made", "lost"});
    } else {
        REQUIRE(runUntil(reactor, [&] { return record->received == "ping"; }));
        char echoed[4];
        REQUIRE(runUntil(reactor, [&] { return ::recv(theirs.get(), echoed, 4, MSG_PEEK) == 4; }));
        record->transport->loseConnection();
        REQUIRE(runUntil(reactor, [&] { return record->lost(); }));
        CHECK(record->reason == ConnectionError::Done);
    }
    CHECK(::fcntl(high, F_GETFD) < 0);  // the transport closed it
}

TEST_CASE_TEMPLATE("a listening socket above FD_SETSIZE: select refuses it with FdOutOfRange and leaves nothing behind", B,
                   WEFT_TEST_BACKENDS) {
    rlimit limit{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    std::optional<weft::testing::FdLimitGuard> raised;
    if (limit.rlim_cur <= FD_SETSIZE + 64) {
        REQUIRE(limit.rlim_max > FD_SETSIZE + 64);
        raised.emplace(FD_SETSIZE + 64);
    }
    char directory[] = "/tmp/weft-tcp-test-XXXXXX";
    REQUIRE(::mkdtemp(directory) != nullptr);
    const std::string path = std::string(directory) + "/s";
    TestFactory server;
    TestFactory client;
    server.echo = true;
    Reactor reactor(makeTestBackend<B>());  // its own fds stay low
    weft::Fd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    std::vector<weft::Fd> fillers;  // every fd below FD_SETSIZE, so the next ones are above it
    for (;;) {
        weft::Fd fd(::dup(devNull.get()));
        REQUIRE(fd);
        if (fd.get() >= FD_SETSIZE) break;
        fillers.push_back(std::move(fd));
    }
    if (std::string_view(reactor.backendName()) == "select") {
        try {
            (void)reactor.listenTCP(0, server, 16, "127.0.0.1");
            FAIL("select watched an fd beyond FD_SETSIZE");
        } catch (const weft::ReactorError& e) {
            CHECK(e.code() == ConnectionError::FdOutOfRange);
        }
        CHECK_THROWS_AS(reactor.listenUNIX(path, server), weft::ReactorError);
        struct stat st {};
        CHECK(::lstat(path.c_str(), &st) != 0);  // no socket file left behind
        CHECK(server.starts == server.stops);
    } else {
        auto port = reactor.listenTCP(0, server, 16, "127.0.0.1");
        connectBoth(reactor, *port, server, client);
        client.at(0).transport->write("high fds");
        REQUIRE(runUntil(reactor, [&] { return client.at(0).received == "high fds"; }));
        auto unixPort = reactor.listenUNIX(path, server);
        CHECK(::access(path.c_str(), F_OK) == 0);
    }
    fillers.clear();
    ::unlink(path.c_str());
    ::rmdir(directory);
}

TEST_CASE("connectionErrorFrom maps connect errnos to ConnectionErrors and keeps the rest") {
    CHECK(weft::connectionErrorFrom(ECONNREFUSED) == ConnectionError::Refused);
    CHECK(weft::connectionErrorFrom(ENETUNREACH) == ConnectionError::NoRoute);
    CHECK(weft::connectionErrorFrom(EHOSTUNREACH) == ConnectionError::NoRoute);
    CHECK(weft::connectionErrorFrom(ETIMEDOUT) == ConnectionError::TimedOut);
    CHECK(weft::connectionErrorFrom(ECONNRESET) == std::errc::connection_reset);
    CHECK(weft::connectionErrorFrom(EPIPE) == std::errc::broken_pipe);
}
