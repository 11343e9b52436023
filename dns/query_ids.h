// SPDX-License-Identifier: MIT
// dns/query_ids.h: QueryIds, unpredictable 16-bit query ids. Together with the source port the
// kernel picks at random for every socket, they are what an off-path attacker must guess to
// forge an answer (RFC 5452), so they come from the OS's CSPRNG, read in blocks to keep the
// cost per query at a copy. Tests: tests/dns/resolver_test.cpp
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace weft::dns {

class QueryIds {
public:
    std::uint16_t next();

private:
    std::array<std::uint8_t, 512> pool_{};
    std::size_t used_ = 512;
};

}  // namespace weft::dns
