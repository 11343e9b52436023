// SPDX-License-Identifier: MIT
// dns/happy_eyeballs.cpp: the address order of RFC 8305 §4. Tests: tests/dns/happy_eyeballs_test.cpp
#include "dns/happy_eyeballs.h"

namespace weft::dns {

std::vector<IPAddress> interleaveFamilies(const std::vector<IPAddress>& addresses) {
    std::vector<IPAddress> v6, v4, out;
    for (const auto& ip : addresses) (ip.isV4() ? v4 : v6).push_back(ip);
    out.reserve(addresses.size());
    for (std::size_t i = 0; i < std::max(v4.size(), v6.size()); ++i) {
        if (i < v6.size()) out.push_back(v6[i]);
        if (i < v4.size()) out.push_back(v4[i]);
    }
    return out;
}

}  // namespace weft::dns
