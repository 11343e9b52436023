// SPDX-License-Identifier: MIT
// Tests of reactor/tcp.cpp's entry points as a whole (listenTCP/connectTCP end to end), on every backend.
// tcp.cpp has no header of its own: it implements Reactor's listenTCP/connectTCP from reactor/reactor.h.
#include "reactor/reactor.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "reactor/listening_port.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Address;
using weft::ConnectionError;
using weft::Reactor;
using weft::testing::bothLost;
using weft::testing::connectBoth;
using weft::testing::FullListener;
using weft::testing::makeTestBackend;
using weft::testing::pattern;
using weft::testing::runUntil;
using weft::testing::TestFactory;
using weft::testing::TestProtocol;

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

TEST_CASE_TEMPLATE("a listening socket above FD_SETSIZE: select refuses it with FdOutOfRange and leaves nothing behind", B,
                   WEFT_TEST_BACKENDS) {
    weft::testing::AllowFdsUpTo raised(FD_SETSIZE + 64);
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
