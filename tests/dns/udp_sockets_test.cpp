// SPDX-License-Identifier: MIT
// UdpSockets: a socket given back is reused on a fresh port, strays and ICMP errors left in it
// are dropped, the pool is bounded and lets go of idle sockets.
#include "dns/udp_sockets.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <set>

#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::dns::UdpSocket;
using weft::dns::UdpSockets;

namespace {

// A plain UDP socket on 127.0.0.1 (or ::1) standing for a nameserver.
struct Peer {
    weft::Fd fd;
    sockaddr_in address{};
    sockaddr_in6 address6{};
    explicit Peer(int family = AF_INET) : fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        auto* where = family == AF_INET6 ? reinterpret_cast<sockaddr*>(&address6) : reinterpret_cast<sockaddr*>(&address);
        socklen_t length = family == AF_INET6 ? sizeof address6 : sizeof address;
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address6.sin6_family = AF_INET6;
        address6.sin6_addr = in6addr_loopback;
        REQUIRE(::bind(fd.get(), where, length) == 0);
        REQUIRE(::getsockname(fd.get(), where, &length) == 0);
    }
    // Receives one datagram and answers it `copies` times; gives the sender's port.
    std::uint16_t echo(int copies = 1) {
        char buffer[64];
        sockaddr_storage from{};
        socklen_t length = sizeof from;
        auto n = ::recvfrom(fd.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
        REQUIRE(n > 0);
        for (int i = 0; i < copies; ++i)
            REQUIRE(::sendto(fd.get(), buffer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), length) == n);
        return ntohs(reinterpret_cast<const sockaddr_in*>(&from)->sin_port);  // same place in sockaddr_in6
    }
};

// A socket from the pool that has sent to `peer` (so it has a port), its datagram read there.
std::unique_ptr<UdpSocket> used(UdpSockets& sockets, Peer& peer, int family) {
    auto socket = sockets.take(family);
    auto* to = family == AF_INET6 ? reinterpret_cast<const sockaddr*>(&peer.address6) : reinterpret_cast<const sockaddr*>(&peer.address);
    socklen_t length = family == AF_INET6 ? sizeof peer.address6 : sizeof peer.address;
    REQUIRE(::sendto(socket->fd.get(), "q", 1, 0, to, length) == 1);
    char buffer[8];
    REQUIRE(::recv(peer.fd.get(), buffer, sizeof buffer, 0) == 1);
    return socket;
}

void sendTo(const UdpSocket& socket, const sockaddr_in& to) {
    REQUIRE(::sendto(socket.fd.get(), "q", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 1);
}

std::uint16_t localPort(const UdpSocket& socket) {
    sockaddr_in local{};
    socklen_t length = sizeof local;
    REQUIRE(::getsockname(socket.fd.get(), reinterpret_cast<sockaddr*>(&local), &length) == 0);
    return ntohs(local.sin_port);
}

// Reads what waits on the socket, blocking a little: the answer sent on loopback.
bool readOne(const UdpSocket& socket) {
    char buffer[64];
    for (int i = 0; i < 1000; ++i) {
        if (::recv(socket.fd.get(), buffer, sizeof buffer, 0) > 0) return true;
        if (errno != EAGAIN) return false;
        ::usleep(1000);
    }
    return false;
}

}  // namespace

TEST_CASE("dns/udp_sockets: a socket given back is reused, each time on a new random port") {
    weft::Reactor reactor;
    UdpSockets sockets(reactor);
    Peer peer;
    auto socket = sockets.take(AF_INET);
    const int fd = socket->fd.get();
    CHECK(localPort(*socket) == 0);  // not bound until the first send
    std::set<std::uint16_t> ports;
    for (int round = 0; round < 3; ++round) {
        sendTo(*socket, peer.address);
        auto port = localPort(*socket);
        CHECK(port >= 1024);
        CHECK(peer.echo() == port);
        REQUIRE(readOne(*socket));
        ports.insert(port);
        sockets.giveBack(std::move(socket));
        CHECK(sockets.idle() == 1);
        socket = sockets.take(AF_INET);
        CHECK(socket->fd.get() == fd);    // the same socket...
        CHECK(localPort(*socket) == 0);   // ...without its port: the next send binds a new one
    }
    CHECK(ports.size() >= 2);  // random ports: three equal ones would mean the port was kept
    sockets.close(std::move(socket));
    CHECK(sockets.idle() == 0);
}

TEST_CASE("dns/udp_sockets: families are kept apart, and the pool holds at most maxIdle") {
    weft::Reactor reactor;
    UdpSockets sockets(reactor, 2);
    Peer peer4, peer6(AF_INET6);
    auto v4 = used(sockets, peer4, AF_INET);
    auto v6 = used(sockets, peer6, AF_INET6);
    CHECK(v4->family == AF_INET);
    CHECK(v6->family == AF_INET6);
    const int v6fd = v6->fd.get();
    sockets.giveBack(std::move(v6));
    CHECK(sockets.idle() == 1);
    auto again = used(sockets, peer4, AF_INET);
    CHECK(again->fd.get() != v6fd);  // an IPv6 socket is not handed out for IPv4
    sockets.giveBack(std::move(v4));
    sockets.giveBack(std::move(again));
    CHECK(sockets.idle() == 3);  // two IPv4 and one IPv6: the bound is per family
    auto a = used(sockets, peer6, AF_INET6);
    auto b = used(sockets, peer6, AF_INET6);
    auto c = used(sockets, peer6, AF_INET6);
    sockets.giveBack(std::move(a));
    sockets.giveBack(std::move(b));
    sockets.giveBack(std::move(c));  // closed: two IPv6 are idle already
    CHECK(sockets.idle() == 4);
}

TEST_CASE("dns/udp_sockets: whether a disconnect lets go of the port is learnt from a socket that has one") {
    weft::Reactor reactor;
    UdpSockets sockets(reactor);
    Peer peer;
    sockets.giveBack(sockets.take(AF_INET));  // never sent: its port is 0 either way, so it proves nothing
    CHECK(sockets.idle() == 0);
    sockets.giveBack(used(sockets, peer, AF_INET));
    CHECK(sockets.idle() == 1);
    auto unsent = sockets.take(AF_INET);  // from now on any socket may come back
    auto fresh = sockets.take(AF_INET);
    sockets.giveBack(std::move(unsent));
    sockets.giveBack(std::move(fresh));
    CHECK(sockets.idle() == 2);
}

TEST_CASE("dns/udp_sockets: a late copy of an answer, or an ICMP error, left in a socket never reaches the next try") {
    for (bool watched : {false, true}) {
        for (bool icmp : {false, true}) {
            CAPTURE(watched);
            CAPTURE(icmp);
            weft::Reactor reactor;
            UdpSockets sockets(reactor);
            Peer peer, other;
            struct Reader final : weft::FdHandler {
                void readReady() override { ++calls; }
                void writeReady() override {}
                int calls = 0;
            } reader;
            auto socket = sockets.take(AF_INET);
            if (icmp) {
                weft::Address closed = weft::testing::closedUdpAddress();  // "port unreachable"
                REQUIRE(::sendto(socket->fd.get(), "q", 1, 0, closed.sockaddrPtr(), closed.length()) == 1);
                pollfd p{socket->fd.get(), 0, 0};
                for (int i = 0; i < 100 && !(p.revents & POLLERR); ++i) REQUIRE(::poll(&p, 1, 10) >= 0);
                REQUIRE((p.revents & POLLERR) != 0);  // the error is there, unread
            } else {
                sendTo(*socket, peer.address);
                peer.echo(2);
                REQUIRE(readOne(*socket));  // the answer; its copy stays queued
            }
            const int fd = socket->fd.get();
            if (watched) {
                REQUIRE(reactor.watch(fd, weft::Interest::Read, reader) == std::error_code{});
                socket->watched = true;
                sockets.giveBack(std::move(socket));
                // Idle in the pool, it is read there: the loop neither spins on it nor calls
                // the old handler.
                reactor.iterate(5ms);
                auto start = std::chrono::steady_clock::now();
                for (int i = 0; i < 4; ++i) reactor.iterate(5ms);
                CHECK(std::chrono::steady_clock::now() - start >= 15ms);
                CHECK(reader.calls == 0);
            } else {
                sockets.giveBack(std::move(socket));
            }
            // The next try's socket (the same one emptied, or a new one) has nothing to read
            // and sends without a stale error.
            auto next = sockets.take(AF_INET);
            if (watched) CHECK(next->fd.get() == fd);
            char buffer[64];
            CHECK(::recv(next->fd.get(), buffer, sizeof buffer, MSG_DONTWAIT) < 0);
            CHECK(errno == EAGAIN);
            sendTo(*next, other.address);
            CHECK(other.echo() == localPort(*next));
            CHECK(readOne(*next));
            sockets.close(std::move(next));
        }
    }
}

TEST_CASE("dns/udp_sockets: sockets idle for a whole check are closed, those in use are kept") {
    weft::Reactor reactor;
    UdpSockets sockets(reactor, 64, 20ms);
    Peer peer;
    auto a = used(sockets, peer, AF_INET);
    auto b = used(sockets, peer, AF_INET);
    const int kept = b->fd.get();  // given back last, so taken first
    sockets.giveBack(std::move(a));
    sockets.giveBack(std::move(b));
    // One socket taken and given back again every turn: it was needed, the other was not.
    auto until = std::chrono::steady_clock::now() + 2s;
    while (sockets.idle() == 2 && std::chrono::steady_clock::now() < until) {
        auto busy = sockets.take(AF_INET);
        sockets.giveBack(std::move(busy));
        reactor.iterate(2ms);
    }
    CHECK(sockets.idle() == 1);
    auto busy = sockets.take(AF_INET);
    CHECK(busy->fd.get() == kept);
    sockets.giveBack(std::move(busy));
    // Nobody asks any more: the last one goes too, and the pool's timer stops.
    until = std::chrono::steady_clock::now() + 2s;
    while (sockets.idle() > 0 && std::chrono::steady_clock::now() < until) reactor.iterate(5ms);
    CHECK(sockets.idle() == 0);
}
