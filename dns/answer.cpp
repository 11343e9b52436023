// SPDX-License-Identifier: MIT
// dns/answer.cpp: following a CNAME chain through one response.
// Tests: tests/dns/answer_test.cpp
#include "dns/answer.h"

#include <algorithm>
#include <type_traits>

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

// The records are copied from a message the caller keeps, moved from one it gives up.
template <class M>
Answer interpret(M&& reply, std::string_view qname, RecordType type, std::size_t maxChain) {
    Answer answer;
    answer.canonicalName = std::string(qname);
    std::optional<std::uint32_t> chainTtl;
    // A CNAME question is answered by the CNAME itself: nothing to follow.
    const bool follow = type != RecordType::CNAME && type != RecordType::ANY;
    std::vector<std::string_view> visited;  // the chain's names, once there is a chain
    for (bool moved = follow; moved;) {
        moved = false;
        for (const auto& rr : reply.answers) {
            if (rr.type != RecordType::CNAME || !namesEqual(rr.name, answer.canonicalName)) continue;
            const auto& target = std::get<NameData>(rr.data).name;
            if (visited.empty()) visited.push_back(qname);
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
    auto wanted = [&](const ResourceRecord& rr) {
        return (rr.type == type || type == RecordType::ANY) && namesEqual(rr.name, answer.canonicalName);
    };
    answer.records.reserve(static_cast<std::size_t>(std::count_if(reply.answers.begin(), reply.answers.end(), wanted)));
    for (auto& rr : reply.answers) {
        if (!wanted(rr)) continue;
        if constexpr (std::is_const_v<std::remove_reference_t<M>>) answer.records.push_back(rr);
        else answer.records.push_back(std::move(rr));
    }

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

}  // namespace

Answer interpretAnswer(const Message& reply, std::string_view qname, RecordType type, std::size_t maxChain) {
    return interpret(reply, qname, type, maxChain);
}

Answer interpretAnswer(Message&& reply, std::string_view qname, RecordType type, std::size_t maxChain) {
    return interpret(std::move(reply), qname, type, maxChain);
}

}  // namespace weft::dns
