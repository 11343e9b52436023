// SPDX-License-Identifier: MIT
// dns/answer.cpp: following a CNAME chain through one response.
// Tests: tests/dns/answer_test.cpp
#include "dns/answer.h"

#include <algorithm>

namespace weft::dns {
namespace {

std::optional<std::uint32_t> negativeTtl(const Message& reply) {
    for (const auto& rr : reply.authority)
        if (auto* soa = std::get_if<SoaData>(&rr.data)) return std::min(rr.ttl, soa->minimum);
    return std::nullopt;  // without an SOA a negative answer is not cached (RFC 2308 §5)
}

void lowerTtl(std::optional<std::uint32_t>& ttl, std::uint32_t value) {
    ttl = ttl ? std::min(*ttl, value) : value;
}

}  // namespace

Answer interpretAnswer(const Message& reply, std::string_view qname, RecordType type, std::size_t maxChain) {
    Answer answer;
    answer.canonicalName = std::string(qname);
    std::optional<std::uint32_t> chainTtl;
    // A CNAME question is answered by the CNAME itself: nothing to follow.
    const bool follow = type != RecordType::CNAME && type != RecordType::ANY;
    std::vector<std::string_view> visited{qname};
    for (bool moved = follow; moved;) {
        moved = false;
        for (const auto& rr : reply.answers) {
            if (rr.type != RecordType::CNAME || !namesEqual(rr.name, answer.canonicalName)) continue;
            const auto& target = std::get<NameData>(rr.data).name;
            for (auto seen : visited)
                if (namesEqual(seen, target)) throw CnameLoop(qname, "");
            if (++answer.chainLength > maxChain) throw CnameLoop(qname, "");
            visited.push_back(target);
            lowerTtl(chainTtl, rr.ttl);
            answer.canonicalName = target;
            moved = true;
            break;
        }
    }
    for (const auto& rr : reply.answers)
        if ((rr.type == type || type == RecordType::ANY) && namesEqual(rr.name, answer.canonicalName))
            answer.records.push_back(rr);

    if (!answer.records.empty()) {
        answer.kind = Answer::Kind::Records;
        answer.ttl = chainTtl;
        for (const auto& rr : answer.records) lowerTtl(answer.ttl, rr.ttl);
        return answer;
    }
    answer.ttl = negativeTtl(reply);
    if (reply.header.rcode == Rcode::NXDomain) {
        answer.kind = Answer::Kind::NameNotFound;
    } else if (answer.chainLength > 0 && !answer.ttl) {
        // A CNAME out of the server's zone with no SOA to say "nothing there": ask again for
        // the target, as a stub behind a non-recursive server must.
        answer.kind = Answer::Kind::Unfinished;
    } else {
        answer.kind = Answer::Kind::NoData;
    }
    if (answer.ttl && chainTtl) answer.ttl = std::min(*answer.ttl, *chainTtl);
    return answer;
}

}  // namespace weft::dns
