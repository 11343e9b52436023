// SPDX-License-Identifier: MIT
// dns/fuzz/fuzz_message.cpp: libFuzzer target for the message codec. Any bytes either fail
// with MalformedMessage or decode to a Message that re-encodes, decodes again to the same
// Message, and re-encodes to the same bytes; anything else (another exception, a mismatch, a
// sanitizer report) is a crash. Seeds: dns/fuzz/corpus/message/ (dns/fuzz/make_corpus.py).
// Tests: tests/dns/message_parser_test.cpp, tests/dns/message_writer_roundtrip_test.cpp
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <variant>

#include "dns/message.h"

namespace {

using namespace weft::dns;

void require(bool ok) {
    if (!ok) std::abort();
}

bool sameData(const RData& a, const RData& b) {
    if (a.index() != b.index()) return false;
    if (auto* ip = std::get_if<IPAddress>(&a)) return *ip == std::get<IPAddress>(b);
    if (auto* n = std::get_if<NameData>(&a)) return n->name == std::get<NameData>(b).name;
    if (auto* s = std::get_if<SoaData>(&a)) {
        const auto& t = std::get<SoaData>(b);
        return s->mname == t.mname && s->rname == t.rname && s->serial == t.serial && s->refresh == t.refresh &&
               s->retry == t.retry && s->expire == t.expire && s->minimum == t.minimum;
    }
    if (auto* mx = std::get_if<MxData>(&a))
        return mx->preference == std::get<MxData>(b).preference && mx->exchange == std::get<MxData>(b).exchange;
    if (auto* txt = std::get_if<TxtData>(&a)) return txt->strings == std::get<TxtData>(b).strings;
    if (auto* srv = std::get_if<SrvData>(&a)) {
        const auto& t = std::get<SrvData>(b);
        return srv->priority == t.priority && srv->weight == t.weight && srv->port == t.port &&
               srv->target == t.target;
    }
    return std::get<RawData>(a).bytes == std::get<RawData>(b).bytes;
}

void requireSameRecords(const std::vector<ResourceRecord>& a, const std::vector<ResourceRecord>& b) {
    require(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        // Compression matches bytes exactly, so names come back exactly, not just equal.
        require(a[i].name == b[i].name && namesEqual(a[i].name, b[i].name));
        require(a[i].type == b[i].type && a[i].klass == b[i].klass && a[i].ttl == b[i].ttl);
        require(sameData(a[i].data, b[i].data));
    }
}

void requireSame(const Message& a, const Message& b) {
    const Header &x = a.header, &y = b.header;
    require(x.id == y.id && x.response == y.response && x.opcode == y.opcode && x.authoritative == y.authoritative &&
            x.truncated == y.truncated && x.recursionDesired == y.recursionDesired &&
            x.recursionAvailable == y.recursionAvailable && x.authenticData == y.authenticData &&
            x.checkingDisabled == y.checkingDisabled && x.rcode == y.rcode);
    require(a.questions.size() == b.questions.size());
    for (std::size_t i = 0; i < a.questions.size(); ++i) {
        require(a.questions[i].name == b.questions[i].name && namesEqual(a.questions[i].name, b.questions[i].name));
        require(a.questions[i].type == b.questions[i].type && a.questions[i].klass == b.questions[i].klass);
    }
    requireSameRecords(a.answers, b.answers);
    requireSameRecords(a.authority, b.authority);
    requireSameRecords(a.additional, b.additional);
    require(a.ednsPayloadSize() == b.ednsPayloadSize());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Message first;
    try {
        first = decodeMessage({reinterpret_cast<const std::byte*>(data), size});
    } catch (const MalformedMessage&) {
        return 0;  // the expected way for random bytes to end
    }
    std::vector<std::byte> wire;
    try {
        wire = encodeMessage(first);
    } catch (const std::length_error&) {
        // Legitimate only for size: names the input reached through pointers we cannot
        // reproduce (into rdata, or chains) may re-encode to more than 65535 bytes. That takes
        // over 250 names of 6 bytes each expanding to 255, so not from a small input.
        require(size > 1024);
        return 0;
    }
    Message second = decodeMessage(wire);
    requireSame(first, second);
    require(encodeMessage(second) == wire);
    return 0;
}
