// SPDX-License-Identifier: MIT
// dns/udp_sockets.cpp: UdpSockets. Tests: tests/dns/udp_sockets_test.cpp
#include "dns/udp_sockets.h"

#include <netinet/in.h>

#include <algorithm>
#include <array>

namespace weft::dns {

namespace {

// Reads one datagram (or pending error) and drops it; false when there was none.
bool dropOne(int fd, int flags = 0) noexcept {
    std::array<std::byte, 512> sink;
    while (::recv(fd, sink.data(), sink.size(), flags | MSG_DONTWAIT | MSG_TRUNC) < 0) {
        if (errno != EINTR) return errno != EAGAIN && errno != EWOULDBLOCK;  // an error counts as one
    }
    return true;
}

}  // namespace

void UdpSocket::readReady() {
    // A stray (a duplicate answer, a late one) is not needed. A few per wake-up at most.
    for (int i = 0; i < 8; ++i) {
        if (dropOne(fd.get())) continue;
#ifdef MSG_ERRQUEUE
        // An ICMP error's report waits in the error queue and keeps the socket ready until read.
        (void)dropOne(fd.get(), MSG_ERRQUEUE);
#endif
        return;
    }
}

UdpSockets::UdpSockets(Reactor& reactor, std::size_t maxIdle, std::chrono::nanoseconds idleCheck)
    : reactor_(reactor), maxIdle_(maxIdle), idleCheck_(idleCheck) {}

UdpSockets::~UdpSockets() {
    if (idleTimer_.active()) idleTimer_.cancel();
    for (Slot* s : {&v4_, &v6_})
        for (auto& socket : s->idle) close(std::move(socket));
}

std::unique_ptr<UdpSocket> UdpSockets::take(int family) {
    Slot& s = slot(family);
    while (!s.idle.empty()) {
        auto socket = std::move(s.idle.back());
        s.idle.pop_back();
        s.lowWater = std::min(s.lowWater, s.idle.size());
        // Anything still queued was sent to the port the socket had before: a late copy of an
        // answer, a forgery, an ICMP error. The next try must not read it as its own, so such
        // a socket is closed rather than emptied (it is rare, and this costs one recv).
        if (!dropOne(socket->fd.get())) return socket;
        close(std::move(socket));
    }
    auto socket = std::make_unique<UdpSocket>();
    socket->family = family;
    socket->fd.reset(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket->fd) throw std::system_error(lastError(), "socket");
#if defined(IP_RECVERR) && defined(IPV6_RECVERR)
    // ICMP errors (a closed port, an unreachable host) are then reported on an unconnected
    // socket too, so a try to a dead server ends at once.
    const int on = 1;
    const bool v6 = family == AF_INET6;
    if (::setsockopt(socket->fd.get(), v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &on,
                     sizeof on) != 0) {
        throw std::system_error(lastError(), "setsockopt RECVERR");
    }
#endif
    return socket;
}

// Disconnecting lets go of an automatically bound port on Linux; whether it did is checked
// once per family, since keeping the port would make every later try guessable.
bool UdpSockets::releasePort(const UdpSocket& socket, Slot& s) noexcept {
    auto portOf = [&](in_port_t& port) {
        sockaddr_storage local{};
        socklen_t length = sizeof local;
        if (::getsockname(socket.fd.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
        port = socket.family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port
                                         : reinterpret_cast<const sockaddr_in*>(&local)->sin_port;
        return true;
    };
    in_port_t before = 0;
    // Only a socket that has a port can show whether a disconnect lets go of it.
    if (s.releasesPort == Knowledge::Unknown && (!portOf(before) || before == 0)) return false;
    sockaddr_storage none{};
    none.ss_family = AF_UNSPEC;
    if (::connect(socket.fd.get(), reinterpret_cast<const sockaddr*>(&none), sizeof(sockaddr)) != 0) {
        s.releasesPort = Knowledge::No;
        return false;
    }
    if (s.releasesPort == Knowledge::Unknown) {
        in_port_t after = before;
        s.releasesPort = portOf(after) && after == 0 ? Knowledge::Yes : Knowledge::No;
    }
    return s.releasesPort == Knowledge::Yes;
}

void UdpSockets::giveBack(std::unique_ptr<UdpSocket> socket) noexcept {
    if (!socket) return;
    Slot& s = slot(socket->family);
    if (s.releasesPort == Knowledge::No || s.idle.size() >= maxIdle_ || !releasePort(*socket, s) ||
        (socket->watched && reactor_.watch(socket->fd.get(), Interest::Read, *socket))) {
        return close(std::move(socket));
    }
    try {
        s.idle.push_back(std::move(socket));
    } catch (...) {
        return close(std::move(socket));  // no memory for the slot (push_back left it untouched)
    }
    if (idleTimer_.active()) return;
    try {
        idleTimer_ = reactor_.callLater(idleCheck_, [this] { checkIdle(); });
    } catch (...) {
        // No memory for the timer: nothing is pooled without one, or it could stay forever.
        auto last = std::move(s.idle.back());
        s.idle.pop_back();
        close(std::move(last));
    }
}

void UdpSockets::close(std::unique_ptr<UdpSocket> socket) noexcept {
    if (!socket) return;
    if (socket->watched) reactor_.unwatchClosing(socket->fd.get());
    socket.reset();
}

// Sockets not needed during a whole check interval are closed, the longest idle first.
void UdpSockets::checkIdle() {
    for (Slot* s : {&v4_, &v6_}) {
        auto unused = static_cast<std::ptrdiff_t>(std::min(s->lowWater, s->idle.size()));
        for (auto it = s->idle.begin(); it != s->idle.begin() + unused; ++it) close(std::move(*it));
        s->idle.erase(s->idle.begin(), s->idle.begin() + unused);
        s->lowWater = s->idle.size();
    }
    if (idle() > 0) idleTimer_ = reactor_.callLater(idleCheck_, [this] { checkIdle(); });
}

}  // namespace weft::dns
