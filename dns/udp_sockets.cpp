// SPDX-License-Identifier: MIT
// dns/udp_sockets.cpp: UdpSockets. Tests: tests/dns/udp_sockets_test.cpp
#include "dns/udp_sockets.h"

#include <netinet/in.h>

#include <algorithm>
#include <array>

namespace weft::dns {

void UdpSocket::readReady() {
    std::array<std::byte, 512> sink;  // a stray answer (a duplicate, a late one) is not needed
    for (int i = 0; i < 8; ++i) {
        if (::recv(fd.get(), sink.data(), sink.size(), MSG_TRUNC) >= 0 || errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
#ifdef MSG_ERRQUEUE
        // An ICMP error's report waits in the error queue and keeps the socket ready until read.
        (void)::recv(fd.get(), sink.data(), sink.size(), MSG_ERRQUEUE | MSG_TRUNC);
#endif
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
    if (!s.idle.empty()) {
        auto socket = std::move(s.idle.back());
        s.idle.pop_back();
        s.lowWater = std::min(s.lowWater, s.idle.size());
        return socket;
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
    sockaddr_storage none{};
    none.ss_family = AF_UNSPEC;
    if (::connect(socket.fd.get(), reinterpret_cast<const sockaddr*>(&none), sizeof(sockaddr)) != 0) {
        s.releasesPort = Knowledge::No;
        return false;
    }
    if (s.releasesPort == Knowledge::Unknown) {
        sockaddr_storage local{};
        socklen_t length = sizeof local;
        bool released = false;
        if (::getsockname(socket.fd.get(), reinterpret_cast<sockaddr*>(&local), &length) == 0) {
            in_port_t port = socket.family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port
                                                       : reinterpret_cast<const sockaddr_in*>(&local)->sin_port;
            released = port == 0;
        }
        s.releasesPort = released ? Knowledge::Yes : Knowledge::No;
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
    if (!idleTimer_.active()) idleTimer_ = reactor_.callLater(idleCheck_, [this] { checkIdle(); });
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
