// SPDX-License-Identifier: MIT
// dns/answer.h: what one response says about the question asked: the records at the end of
// the CNAME chain, no data, no such name, or a chain the server left unfinished. Sans-I/O.
// Tests: tests/dns/answer_test.cpp
//
//   Answer a = interpretAnswer(reply, "www.example.com", RecordType::A);
//   if (a.kind == Answer::Kind::Records) use(a.records, a.ttl);
//
// Only records on the chain that starts at the name asked count: an answer section that also
// carries records for other owners (a poisoning attempt, or a careless server) is read as if
// they were not there. A chain that loops or is longer than maxChain throws CnameLoop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/message.h"

namespace weft::dns {

struct Answer {
    enum class Kind {
        Records,       // records of the type asked, owned by canonicalName
        NoData,        // the name exists, without records of that type (NODATA)
        NameNotFound,  // NXDOMAIN (for the end of the chain)
        Unfinished,    // the chain ends at canonicalName with nothing about it: ask for that name
    };
    Kind kind = Kind::NoData;
    std::string canonicalName;             // the name at the end of the CNAME chain
    std::vector<ResourceRecord> records;   // Kind::Records only
    std::size_t chainLength = 0;           // CNAMEs followed
    // How long this may be cached: the smallest TTL on the chain and the records, or for a
    // negative answer min(SOA TTL, SOA minimum) (RFC 2308). Empty: do not cache.
    std::optional<std::uint32_t> ttl;
    std::string server;  // "IP:port" of the server that said so (set by the resolver)
};

inline constexpr std::size_t kMaxCnameChain = 16;

// `reply` must already be known to answer (qname, type): same id and question. Rcodes other than
// NOERROR and NXDOMAIN are the caller's business.
[[nodiscard]] Answer interpretAnswer(const Message& reply, std::string_view qname, RecordType type,
                                     std::size_t maxChain = kMaxCnameChain);
// The same, moving the records out of a reply the caller no longer needs.
[[nodiscard]] Answer interpretAnswer(Message&& reply, std::string_view qname, RecordType type,
                                     std::size_t maxChain = kMaxCnameChain);

}  // namespace weft::dns
