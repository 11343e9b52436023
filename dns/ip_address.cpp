// SPDX-License-Identifier: MIT
// dns/ip_address.cpp: IPAddress through inet_pton/inet_ntop, so the text forms are exactly the
// C library's (RFC 5952 for IPv6), the same ones weft::Address prints.
// Tests: tests/dns/ip_address_test.cpp
#include "dns/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace weft::dns {

IPAddress IPAddress::v4(const std::array<std::uint8_t, 4>& bytes) noexcept {
    IPAddress ip;
    std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());  // the other 12 stay 0, so == works
    return ip;
}

IPAddress IPAddress::v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
    IPAddress ip;
    ip.family_ = Family::IPv6;
    ip.bytes_ = bytes;
    return ip;
}

std::optional<IPAddress> IPAddress::parse(std::string_view text) {
    // inet_pton wants a C string, which would end early at an embedded NUL; anything this long
    // is not an address anyway.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos)
        return std::nullopt;
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, text.data(), text.size());
    std::array<std::uint8_t, 4> four{};
    if (inet_pton(AF_INET, buffer, four.data()) == 1) return v4(four);
    std::array<std::uint8_t, 16> sixteen{};
    if (inet_pton(AF_INET6, buffer, sixteen.data()) == 1) return v6(sixteen);
    return std::nullopt;
}

IPAddress IPAddress::fromAddress(const Address& address) {
    switch (address.family()) {
        case Address::Family::IPv4: {
            const auto* in = reinterpret_cast<const sockaddr_in*>(address.sockaddrPtr());
            std::array<std::uint8_t, 4> bytes{};
            std::memcpy(bytes.data(), &in->sin_addr, bytes.size());
            return v4(bytes);
        }
        case Address::Family::IPv6: {
            const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddrPtr());
            std::array<std::uint8_t, 16> bytes{};
            std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
            return v6(bytes);
        }
        case Address::Family::Unix: break;
    }
    return IPAddress();  // a Unix path has no IP; 0.0.0.0 rather than an exception nobody expects
}

std::string IPAddress::toString() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(isV4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
    return text;
}

Address IPAddress::withPort(std::uint16_t port) const {
    if (isV4()) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(port);
        std::memcpy(&in.sin_addr, bytes_.data(), 4);
        return Address::fromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof in);
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, bytes_.data(), 16);
    return Address::fromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
}

}  // namespace weft::dns
