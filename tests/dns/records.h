// SPDX-License-Identifier: MIT
// tests/dns/records.h: what tests of answers, the cache and happy eyeballs share: addresses and address records from text.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/ip_address.h"
#include "dns/message.h"

namespace weft::dns::testing {

// The address `text` is; fails the test if it is none.
inline IPAddress ipOf(std::string_view text) {
    auto parsed = IPAddress::parse(text);
    REQUIRE_MESSAGE(parsed, "not an address: " << std::string(text));
    return *parsed;
}

inline std::vector<IPAddress> ipsOf(const std::vector<std::string>& texts) {
    std::vector<IPAddress> out;
    for (const auto& t : texts) out.push_back(ipOf(t));
    return out;
}

// An A record for an IPv4 address, AAAA for an IPv6 one, class IN.
inline ResourceRecord addressRecord(std::string name, std::string_view ip, std::uint32_t ttl = 300) {
    IPAddress address = ipOf(ip);
    return {std::move(name), address.isV4() ? RecordType::A : RecordType::AAAA, kClassIN, ttl, address};
}

}  // namespace weft::dns::testing
