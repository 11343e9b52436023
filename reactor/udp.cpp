// SPDX-License-Identifier: MIT
#include "reactor/udp.h"

#include <sys/socket.h>

namespace weft {

UdpPort::UdpPort(Reactor& reactor, Fd fd, IDatagramProtocol& protocol)
    : reactor_(reactor), fd_(std::move(fd)), protocol_(protocol) {
    if (std::error_code ec = reactor_.watch(fd_.get(), Interest::Read, *this)) throw ReactorError(ec, "listenUDP: watch");
    protocol_.startProtocol(*this);
}

UdpPort::~UdpPort() { stopListening(); }

void UdpPort::stopListening() {
    if (!listening_) return;
    listening_ = false;
    reactor_.unwatch(fd_.get());
    fd_.reset();
    protocol_.stopProtocol();
}

std::error_code UdpPort::write(std::span<const std::byte> datagram, const Address& to) {
    if (!fd_) return std::make_error_code(std::errc::not_connected);
    for (;;) {
        if (::sendto(fd_.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL, to.sockaddrPtr(), to.length()) >= 0) return {};
        if (errno != EINTR) return lastError();
    }
}

std::error_code UdpPort::write(std::span<const std::byte> datagram) {
    if (!fd_) return std::make_error_code(std::errc::not_connected);
    for (;;) {
        if (::send(fd_.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0) return {};
        if (errno == ECONNREFUSED) {  // the refusal of an earlier datagram, reported on this send
            reactor_.guardedCall([&] { protocol_.connectionRefused(); });
            return ConnectionError::Refused;
        }
        if (errno != EINTR) return lastError();
    }
}

std::error_code UdpPort::connect(const Address& peer) {
    if (::connect(fd_.get(), peer.sockaddrPtr(), peer.length()) < 0) return lastError();
    return {};
}

Address UdpPort::getHost() const {
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (!fd_ || ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &length) < 0) return Address();
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

void UdpPort::readReady() {
    std::span<std::byte> space = reactor_.readBuffer();
    // A few datagrams per turn: enough for throughput, few enough to stay fair to other fds.
    for (int i = 0; i < 32 && listening_; ++i) {
        sockaddr_storage sa{};
        socklen_t length = sizeof sa;
        ssize_t n = ::recvfrom(fd_.get(), space.data(), space.size(), 0, reinterpret_cast<sockaddr*>(&sa), &length);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNREFUSED) {
                reactor_.guardedCall([&] { protocol_.connectionRefused(); });
                continue;
            }
            return;  // EAGAIN, or an error that belongs to no datagram
        }
        Address from = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
        reactor_.guardedCall([&] { protocol_.datagramReceived(space.first(static_cast<std::size_t>(n)), from); });
    }
}

std::unique_ptr<UdpPort> Reactor::listenUDP(std::uint16_t port, IDatagramProtocol& protocol, std::string_view interface) {
    std::optional<Address> address = Address::parse(interface.empty() ? "0.0.0.0" : interface, port);
    if (!address)
        throw ReactorError(std::make_error_code(std::errc::invalid_argument),
                           "listenUDP: '" + std::string(interface) + "' is not an IP address");
    Fd fd(::socket(address->sockaddrPtr()->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw ReactorError(lastError(), "socket");
    if (::bind(fd.get(), address->sockaddrPtr(), address->length()) < 0)
        throw ReactorError(lastError(), "cannot listen on udp " + address->toString());
    return std::make_unique<UdpPort>(*this, std::move(fd), protocol);
}

}  // namespace weft
