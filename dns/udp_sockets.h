// SPDX-License-Identifier: MIT
// dns/udp_sockets.h: UdpSockets, the UDP sockets of a resolver's tries, kept for the next try
// without giving up a fresh source port for each one.
// Tests: tests/dns/udp_sockets_test.cpp
//
//   UdpSockets sockets(reactor);
//   auto socket = sockets.take(AF_INET);  // non-blocking, ICMP errors reported; throws on failure
//   ::sendto(socket->fd.get(), ...);      // the kernel binds a random ephemeral port here
//   ... the answer comes ...
//   sockets.giveBack(std::move(socket));  // after a clean exchange: the port is let go
//   // otherwise: sockets.close(std::move(socket));
//
// Why: socket() and close() are the dearest part of a lookup on loopback (inode, file and
// RCU-freed socket), and a resolver that asks thousands of names a second makes one pair per
// question. A socket given back is disconnected (connect with AF_UNSPEC); Linux then releases
// the port it bound automatically, and the next send binds a new random one, exactly as a new
// socket would (RFC 5452's port randomisation is kept). Where a disconnect keeps the port
// (the BSDs), the first giveBack sees it and from then on every socket is closed instead.
// take() checks that nothing is left in a pooled socket (one recv): a datagram or an ICMP
// error sent to its old port must not reach the next try, so such a socket is closed.
// A socket that was registered with the reactor stays registered in the pool (a datagram that
// strays to it there is read and dropped), so the next try needs no epoll_ctl either.
// Sockets idle for a second or two are closed, so a quiet resolver holds no descriptors.
// The pool must be destroyed before its reactor: it unregisters what it still holds.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <sys/socket.h>

#include "reactor/fd.h"
#include "reactor/reactor.h"

namespace weft::dns {

struct UdpSocket final : FdHandler {
    Fd fd;
    int family = AF_INET;
    bool watched = false;  // registered with the reactor for reading; the handler may change

    void readReady() override;  // while idle in the pool: strays are read and dropped
    void writeReady() override {}
};

class UdpSockets {
public:
    explicit UdpSockets(Reactor& reactor, std::size_t maxIdle = 64,
                        std::chrono::nanoseconds idleCheck = std::chrono::seconds(1));
    ~UdpSockets();
    UdpSockets(const UdpSockets&) = delete;
    UdpSockets& operator=(const UdpSockets&) = delete;

    // An unbound datagram socket of `family` (AF_INET or AF_INET6); throws std::system_error.
    [[nodiscard]] std::unique_ptr<UdpSocket> take(int family);
    // For a socket whose exchange ended cleanly: an answer was read and no error is pending.
    void giveBack(std::unique_ptr<UdpSocket> socket) noexcept;
    // For any other: unwatched and closed.
    void close(std::unique_ptr<UdpSocket> socket) noexcept;

    [[nodiscard]] std::size_t idle() const noexcept { return v4_.idle.size() + v6_.idle.size(); }

private:
    enum class Knowledge { Unknown, Yes, No };
    struct Slot {
        std::vector<std::unique_ptr<UdpSocket>> idle;  // the longest idle first
        std::size_t lowWater = 0;  // the fewest idle since the last check: those were not needed
        Knowledge releasesPort = Knowledge::Unknown;
    };
    Slot& slot(int family) noexcept { return family == AF_INET6 ? v6_ : v4_; }
    bool releasePort(const UdpSocket& socket, Slot& slot) noexcept;
    void checkIdle();

    Reactor& reactor_;
    std::size_t maxIdle_;
    std::chrono::nanoseconds idleCheck_;
    Slot v4_;
    Slot v6_;
    DelayedCall idleTimer_;
};

}  // namespace weft::dns
