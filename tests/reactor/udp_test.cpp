// SPDX-License-Identifier: MIT
// UDP through the reactor (listenUDP, UdpPort), on every backend. Loopback only.
#include "reactor/udp.h"

#include <doctest/doctest.h>

#include <sys/socket.h>

#include <string>
#include <vector>

#include "tests/reactor/helpers.h"

using weft::Address;
using weft::Reactor;
using weft::testing::makeTestBackend;
using weft::testing::runUntil;

namespace {

// Records datagrams; answers each with `reply` if that is set.
class TestDatagramProtocol final : public weft::IDatagramProtocol {
public:
    weft::UdpPort* port = nullptr;
    std::vector<std::pair<std::string, Address>> received;
    std::string reply;
    int refused = 0;
    int starts = 0;
    int stops = 0;

    void startProtocol(weft::UdpPort& p) override {
        port = &p;
        ++starts;
    }
    void datagramReceived(std::span<const std::byte> data, const Address& from) override {
        received.emplace_back(weft::testing::text(data), from);
        if (!reply.empty()) CHECK_FALSE(port->write(reply, from));
    }
    void connectionRefused() override { ++refused; }
    void stopProtocol() override { ++stops; }
};

}  // namespace

TEST_CASE_TEMPLATE("a UDP datagram goes there and its answer comes back, over IPv4 and IPv6", B, WEFT_TEST_BACKENDS) {
    for (const char* host : {"127.0.0.1", "::1"}) {
        CAPTURE(host);
        TestDatagramProtocol server;
        TestDatagramProtocol client;
        server.reply = "pong";
        Reactor reactor(makeTestBackend<B>());
        auto serverPort = reactor.listenUDP(0, server, host);
        auto clientPort = reactor.listenUDP(0, client, host);
        CHECK(server.starts == 1);
        CHECK(server.port == serverPort.get());
        CHECK(serverPort->getHost().host() == host);
        CHECK(serverPort->getHost().port() != 0);
        CHECK_FALSE(clientPort->write("ping", serverPort->getHost()));
        REQUIRE(runUntil(reactor, [&] { return !client.received.empty(); }));
        REQUIRE(server.received.size() == 1);
        CHECK(server.received[0].first == "ping");
        CHECK(server.received[0].second == clientPort->getHost());
        CHECK(client.received[0].first == "pong");
        CHECK(client.received[0].second == serverPort->getHost());
    }
}

TEST_CASE_TEMPLATE("UDP datagrams arrive whole, up to nearly 64 KiB, and many in a row", B, WEFT_TEST_BACKENDS) {
    TestDatagramProtocol server;
    TestDatagramProtocol client;
    Reactor reactor(makeTestBackend<B>());
    auto serverPort = reactor.listenUDP(0, server, "127.0.0.1");
    auto clientPort = reactor.listenUDP(0, client, "127.0.0.1");
    std::string big(60000, 'b');
    CHECK_FALSE(clientPort->write(big, serverPort->getHost()));
    REQUIRE(runUntil(reactor, [&] { return server.received.size() == 1; }));
    CHECK(server.received[0].first == big);
    for (int i = 0; i < 100; ++i) CHECK_FALSE(clientPort->write(std::to_string(i), serverPort->getHost()));
    REQUIRE(runUntil(reactor, [&] { return server.received.size() == 101; }));
    for (int i = 0; i < 100; ++i) CHECK(server.received[static_cast<std::size_t>(i) + 1].first == std::to_string(i));
    // Too big for one datagram: an error now, nothing sent.
    CHECK(clientPort->write(std::string(70000, 'x'), serverPort->getHost()) == std::errc::message_size);
}

TEST_CASE_TEMPLATE("connected UDP to a closed port hears connectionRefused", B, WEFT_TEST_BACKENDS) {
    // Nothing listens there, so loopback answers with ICMP port unreachable, which the
    // connected socket reports as ECONNREFUSED.
    Address closed = weft::testing::closedUdpAddress();
    TestDatagramProtocol client;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenUDP(0, client, "127.0.0.1");
    REQUIRE_FALSE(port->connect(closed));
    CHECK_FALSE(port->write(std::as_bytes(std::span("hello?", 6))));
    REQUIRE(runUntil(reactor, [&] { return client.refused > 0; }));
    CHECK(client.received.empty());
}

TEST_CASE_TEMPLATE("a connected UDP port receives only from its peer and writes without an address", B,
                   WEFT_TEST_BACKENDS) {
    TestDatagramProtocol server;
    TestDatagramProtocol other;
    TestDatagramProtocol client;
    server.reply = "from the peer";
    other.reply = "from a stranger";
    Reactor reactor(makeTestBackend<B>());
    auto serverPort = reactor.listenUDP(0, server, "127.0.0.1");
    auto otherPort = reactor.listenUDP(0, other, "127.0.0.1");
    auto clientPort = reactor.listenUDP(0, client, "127.0.0.1");
    REQUIRE_FALSE(clientPort->connect(serverPort->getHost()));
    CHECK_FALSE(otherPort->write("hello", clientPort->getHost()));  // dropped by the kernel: not the peer
    CHECK_FALSE(clientPort->write(std::as_bytes(std::span("hi", 2))));
    REQUIRE(runUntil(reactor, [&] { return !client.received.empty(); }));
    for (int i = 0; i < 3; ++i) reactor.iterate();
    REQUIRE(client.received.size() == 1);
    CHECK(client.received[0].first == "from the peer");
}

TEST_CASE_TEMPLATE("a stopped UDP port calls stopProtocol once and refuses writes", B, WEFT_TEST_BACKENDS) {
    TestDatagramProtocol protocol;
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenUDP(0, protocol, "127.0.0.1");
    Address where = port->getHost();
    port->stopListening();
    port->stopListening();
    CHECK(protocol.stops == 1);
    CHECK(port->write("x", where) == std::errc::not_connected);
    CHECK(port->write(std::as_bytes(std::span("x", 1))) == std::errc::not_connected);
    CHECK(port->getHost() == Address());
    port.reset();
    CHECK(protocol.stops == 1);
}

TEST_CASE_TEMPLATE("listenUDP throws ReactorError for a bad interface or a port in use", B, WEFT_TEST_BACKENDS) {
    TestDatagramProtocol protocol;
    Reactor reactor(makeTestBackend<B>());
    CHECK_THROWS_AS(reactor.listenUDP(0, protocol, "not-an-address"), weft::ReactorError);
    auto port = reactor.listenUDP(0, protocol, "127.0.0.1");
    try {
        (void)reactor.listenUDP(port->getHost().port(), protocol, "127.0.0.1");
        FAIL("a UDP port in use was bound twice");
    } catch (const weft::ReactorError& e) {
        CHECK(e.code() == std::errc::address_in_use);
    }
}
