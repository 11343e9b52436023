// SPDX-License-Identifier: MIT
// reactor/address.h: Address, an IPv4, IPv6 or Unix-domain socket address.
// Tests: tests/reactor/address_test.cpp
//
//   auto a = weft::Address::parse("::1", 8080);     // std::optional: empty unless an IP literal
//   a->toString();                                    // "[::1]:8080"
//   weft::Address::unixPath("/tmp/s").toString();     // "unix:/tmp/s"
// Hostnames are not resolved here: dns/ does that.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

class Address {
public:
    enum class Family { IPv4, IPv6, Unix };

    // An IPv4 or IPv6 literal (IPv6 with or without brackets) and a port; empty otherwise.
    [[nodiscard]] static std::optional<Address> parse(std::string_view host, std::uint16_t port);
    [[nodiscard]] static Address unixPath(std::string_view path);
    [[nodiscard]] static Address fromSockaddr(const sockaddr* sa, socklen_t length);

    Address();  // 0.0.0.0:0

    [[nodiscard]] Family family() const noexcept;
    [[nodiscard]] std::string host() const;       // "127.0.0.1", "::1", or the Unix path
    [[nodiscard]] std::uint16_t port() const noexcept;  // 0 for Unix
    [[nodiscard]] std::string toString() const;   // "127.0.0.1:80", "[::1]:80", "unix:/path"

    [[nodiscard]] const sockaddr* sockaddrPtr() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    [[nodiscard]] socklen_t length() const noexcept { return length_; }

    friend bool operator==(const Address& a, const Address& b) noexcept;

private:
    sockaddr_storage storage_{};
    socklen_t length_ = 0;
};

}  // namespace weft
