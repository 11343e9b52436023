// SPDX-License-Identifier: MIT
#include "reactor/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

namespace weft {

Address::Address() {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage_);
    in->sin_family = AF_INET;
    length_ = sizeof(sockaddr_in);
}

std::optional<Address> Address::parse(std::string_view host, std::uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char text[INET6_ADDRSTRLEN] = {};
    std::memcpy(text, host.data(), host.size());
    Address a;
    auto* in4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
    if (inet_pton(AF_INET, text, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        a.length_ = sizeof(sockaddr_in);
        return a;
    }
    a.storage_ = {};
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
    if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        a.length_ = sizeof(sockaddr_in6);
        return a;
    }
    return std::nullopt;
}

Address Address::unixPath(std::string_view path) {
    Address a;
    a.storage_ = {};
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage_);
    un->sun_family = AF_UNIX;
    std::size_t n = std::min(path.size(), sizeof(un->sun_path) - 1);  // longer paths cannot be bound
    std::memcpy(un->sun_path, path.data(), n);
    a.length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + 1);
    return a;
}

Address Address::fromSockaddr(const sockaddr* sa, socklen_t length) {
    Address a;
    a.storage_ = {};
    if (length > sizeof(a.storage_)) length = sizeof(a.storage_);
    std::memcpy(&a.storage_, sa, length);
    a.length_ = length;
    return a;
}

Address::Family Address::family() const noexcept {
    switch (storage_.ss_family) {
        case AF_INET6: return Family::IPv6;
        case AF_UNIX: return Family::Unix;
        default: return Family::IPv4;
    }
}

std::string Address::host() const {
    char text[INET6_ADDRSTRLEN] = {};
    switch (family()) {
        case Family::IPv4:
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text, sizeof text);
            return text;
        case Family::IPv6:
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text, sizeof text);
            return text;
        case Family::Unix: {
            const auto* un = reinterpret_cast<const sockaddr_un*>(&storage_);
            std::size_t max = length_ > offsetof(sockaddr_un, sun_path) ? length_ - offsetof(sockaddr_un, sun_path) : 0;
            return std::string(un->sun_path, strnlen(un->sun_path, std::min(max, sizeof(un->sun_path))));
        }
    }
    return {};
}

std::uint16_t Address::port() const noexcept {
    switch (family()) {
        case Family::IPv4: return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
        case Family::IPv6: return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
        case Family::Unix: return 0;
    }
    return 0;
}

std::string Address::toString() const {
    switch (family()) {
        case Family::IPv4: return host() + ":" + std::to_string(port());
        case Family::IPv6: return "[" + host() + "]:" + std::to_string(port());
        case Family::Unix: return "unix:" + host();
    }
    return {};
}

// Compares the bytes that name the endpoint (not their text: this runs per datagram received).
bool operator==(const Address& a, const Address& b) noexcept {
    if (a.family() != b.family()) return false;
    switch (a.family()) {
        case Address::Family::IPv4: {
            const auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
            const auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
            return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
        }
        case Address::Family::IPv6: {
            const auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
            const auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
            return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
                   std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
        }
        case Address::Family::Unix: return a.host() == b.host();
    }
    return false;
}

}  // namespace weft
