// SPDX-License-Identifier: MIT
// Tests of reactor/stream_connection.h (the transport) over TCP, on every backend: writes, flow control, closes.
#include "reactor/stream_connection.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "reactor/listening_port.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::ConnectionError;
using weft::Reactor;
using weft::testing::bothLost;
using weft::testing::connectBoth;
using weft::testing::ConnectionRecord;
using weft::testing::makeTestBackend;
using weft::testing::pattern;
using weft::testing::runUntil;
using weft::testing::TestFactory;
using weft::testing::TestProtocol;

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

TEST_CASE_TEMPLATE("a connection on an fd above FD_SETSIZE: select fails it with FdOutOfRange, the others serve it", B,
                   WEFT_TEST_BACKENDS) {
    constexpr int high = 1100;
    weft::testing::AllowFdsUpTo raised(high);
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

TEST_CASE("connectionErrorFrom maps connect errnos to ConnectionErrors and keeps the rest") {
    CHECK(weft::connectionErrorFrom(ECONNREFUSED) == ConnectionError::Refused);
    CHECK(weft::connectionErrorFrom(ENETUNREACH) == ConnectionError::NoRoute);
    CHECK(weft::connectionErrorFrom(EHOSTUNREACH) == ConnectionError::NoRoute);
    CHECK(weft::connectionErrorFrom(ETIMEDOUT) == ConnectionError::TimedOut);
    CHECK(weft::connectionErrorFrom(ECONNRESET) == std::errc::connection_reset);
    CHECK(weft::connectionErrorFrom(EPIPE) == std::errc::broken_pipe);
}
