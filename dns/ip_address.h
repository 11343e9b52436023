// SPDX-License-Identifier: MIT
// dns/ip_address.h: IPAddress, an IPv4 or IPv6 address without a port: what A and AAAA records
// hold and what lookupAddress returns. Tests: tests/dns/ip_address_test.cpp
//
//   auto ip = weft::dns::IPAddress::parse("2001:db8::1");   // std::optional
//   ip->toString();                                         // "2001:db8::1"
//   weft::Address a = ip->withPort(80);                     // "[2001:db8::1]:80"
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reactor/address.h"

namespace weft::dns {

class IPAddress {
public:
    enum class Family : std::uint8_t { IPv4, IPv6 };

    IPAddress() = default;  // 0.0.0.0
    static IPAddress v4(const std::array<std::uint8_t, 4>& bytes) noexcept;
    static IPAddress v6(const std::array<std::uint8_t, 16>& bytes) noexcept;
    // A dotted quad or an IPv6 literal (no brackets, no zone); empty for anything else.
    [[nodiscard]] static std::optional<IPAddress> parse(std::string_view text);
    [[nodiscard]] static IPAddress fromAddress(const Address& address);  // drops the port

    [[nodiscard]] Family family() const noexcept { return family_; }
    [[nodiscard]] bool isV4() const noexcept { return family_ == Family::IPv4; }
    // 4 meaningful bytes for IPv4, 16 for IPv6.
    [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
    [[nodiscard]] std::string toString() const;
    [[nodiscard]] Address withPort(std::uint16_t port) const;

    friend bool operator==(const IPAddress&, const IPAddress&) = default;
    friend auto operator<=>(const IPAddress&, const IPAddress&) = default;

private:
    Family family_ = Family::IPv4;
    std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace weft::dns
