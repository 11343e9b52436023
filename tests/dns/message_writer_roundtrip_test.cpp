// SPDX-License-Identifier: MIT
// encodeMessage: the bytes name compression gives, and encode -> decode round trips of every
// record type, header bit and awkward name.
#include "dns/message.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <variant>

#include "tests/dns/wire_builder.h"

using namespace weft::dns;
using weft::dns::testing::bytesOf;
using weft::dns::testing::malformedReason;

namespace {

ResourceRecord record(std::string name, RecordType type, RData data, std::uint32_t ttl = 300) {
    return {std::move(name), type, kClassIN, ttl, std::move(data)};
}

std::vector<std::byte> tail(const std::vector<std::byte>& bytes, std::size_t from) {
    return {bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.end()};
}

void checkSameData(const RData& a, const RData& b) {
    REQUIRE(a.index() == b.index());
    if (auto* ip = std::get_if<IPAddress>(&a)) CHECK(*ip == std::get<IPAddress>(b));
    if (auto* n = std::get_if<NameData>(&a)) CHECK(n->name == std::get<NameData>(b).name);
    if (auto* s = std::get_if<SoaData>(&a)) {
        const auto& t = std::get<SoaData>(b);
        CHECK(s->mname == t.mname);
        CHECK(s->rname == t.rname);
        CHECK(s->serial == t.serial);
        CHECK(s->refresh == t.refresh);
        CHECK(s->retry == t.retry);
        CHECK(s->expire == t.expire);
        CHECK(s->minimum == t.minimum);
    }
    if (auto* mx = std::get_if<MxData>(&a)) {
        CHECK(mx->preference == std::get<MxData>(b).preference);
        CHECK(mx->exchange == std::get<MxData>(b).exchange);
    }
    if (auto* txt = std::get_if<TxtData>(&a)) CHECK(txt->strings == std::get<TxtData>(b).strings);
    if (auto* srv = std::get_if<SrvData>(&a)) {
        const auto& t = std::get<SrvData>(b);
        CHECK(srv->priority == t.priority);
        CHECK(srv->weight == t.weight);
        CHECK(srv->port == t.port);
        CHECK(srv->target == t.target);
    }
    if (auto* raw = std::get_if<RawData>(&a)) CHECK(raw->bytes == std::get<RawData>(b).bytes);
}

void checkSameRecords(const std::vector<ResourceRecord>& a, const std::vector<ResourceRecord>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CAPTURE(i);
        CHECK(a[i].name == b[i].name);
        CHECK(a[i].type == b[i].type);
        CHECK(a[i].klass == b[i].klass);
        CHECK(a[i].ttl == b[i].ttl);
        checkSameData(a[i].data, b[i].data);
    }
}

void checkRoundTrip(const Message& m) {
    auto wire = encodeMessage(m);
    Message back = decodeMessage(wire);
    CHECK(back.header.id == m.header.id);
    REQUIRE(back.questions.size() == m.questions.size());
    for (std::size_t i = 0; i < m.questions.size(); ++i) {
        CHECK(back.questions[i].name == m.questions[i].name);
        CHECK(back.questions[i].type == m.questions[i].type);
        CHECK(back.questions[i].klass == m.questions[i].klass);
    }
    checkSameRecords(m.answers, back.answers);
    checkSameRecords(m.authority, back.authority);
    checkSameRecords(m.additional, back.additional);
    CHECK(encodeMessage(back) == wire);
}

}  // namespace

TEST_CASE("encodeMessage compresses names against the ones already written") {
    Message m;
    m.header.id = 0x0102;
    m.header.response = true;
    m.questions.push_back({"www.example.com", RecordType::A, kClassIN});
    m.answers.push_back(record("www.example.com", RecordType::CNAME, NameData{"example.com"}));
    m.answers.push_back(record("mail.example.com", RecordType::MX, MxData{10, "mail.example.com"}));
    auto wire = encodeMessage(m);
    // The question's name starts at 12 ("example" at 16), and ends at 28; its type and class
    // take 29..32.
    CHECK(tail(wire, 33) == bytesOf({0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2C, 0, 2, 0xC0, 16,         // CNAME
                                     4, 'm', 'a', 'i', 'l', 0xC0, 16, 0, 15, 0, 1, 0, 0, 1, 0x2C,  // MX
                                     0, 4, 0, 10, 0xC0, 47}));
    checkRoundTrip(m);
}

TEST_CASE("compression matches bytes exactly, so every name decodes as it was given") {
    Message m;
    m.questions.push_back({"example.com", RecordType::A, kClassIN});
    m.answers.push_back(record("EXAMPLE.com", RecordType::A, *IPAddress::parse("192.0.2.1")));
    auto wire = encodeMessage(m);
    CHECK(tail(wire, 29) == bytesOf({7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 0xC0, 20, 0, 1, 0, 1, 0, 0, 1, 0x2C,
                                     0, 4, 192, 0, 2, 1}));
    checkRoundTrip(m);
}

TEST_CASE("an SRV target is never compressed, but later names may point into it") {
    Message m;
    m.questions.push_back({"_sip._udp.example.com", RecordType::SRV, kClassIN});
    m.answers.push_back(record("_sip._udp.example.com", RecordType::SRV, SrvData{1, 2, 5060, "sip.example.com"}));
    m.additional.push_back(record("sip.example.com", RecordType::A, *IPAddress::parse("192.0.2.7")));
    auto wire = encodeMessage(m);
    // Question 12..38 (name 12..34, "example" at 22); answer name 39..40, fixed part 41..50;
    // rdata 51..: priority, weight, port, then the target spelled out in full at 57.
    CHECK(tail(wire, 57) == bytesOf({3, 's', 'i', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
                                     0xC0, 57, 0, 1, 0, 1, 0, 0, 1, 0x2C, 0, 4, 192, 0, 2, 7}));
    checkRoundTrip(m);
}

TEST_CASE("every record type round trips through encodeMessage and decodeMessage") {
    Message m;
    m.header = {0xFFFF, true, 0, true, false, true, true, true, false, Rcode::NXDomain};
    m.questions.push_back({"example.com", RecordType::ANY, kClassIN});
    m.answers.push_back(record("example.com", RecordType::A, *IPAddress::parse("93.184.216.34"), 0));
    m.answers.push_back(record("example.com", RecordType::AAAA, *IPAddress::parse("2606:2800:220:1::248"), 0xFFFFFFFF));
    m.answers.push_back(record("alias.example.com", RecordType::CNAME, NameData{"example.com"}));
    m.answers.push_back(record("34.216.184.93.in-addr.arpa", RecordType::PTR, NameData{"example.com"}));
    m.answers.push_back(record("example.com", RecordType::MX, MxData{65535, ""}));
    m.answers.push_back(record("example.com", RecordType::TXT, TxtData{{"v=spf1 -all", "", std::string(255, 'x')}}));
    m.answers.push_back(record("example.com", RecordType::TXT, TxtData{}));
    m.answers.push_back(record("_h._tcp.example.com", RecordType::SRV, SrvData{0, 65535, 443, "host.example.net"}));
    m.answers.push_back(record("example.com", static_cast<RecordType>(65), RawData{bytesOf({0, 1, 0xC0, 0x0C})}));
    m.authority.push_back(record("example.com", RecordType::NS, NameData{"a.iana-servers.net"}));
    m.authority.push_back(record("example.com", RecordType::SOA,
                                 SoaData{"ns.icann.org", "noc.dns.icann.org", 2024080101, 7200, 3600, 1209600, 3600}));
    m.additional.push_back(record("a.iana-servers.net", RecordType::A, *IPAddress::parse("199.43.135.53")));
    m.additional.push_back({"", RecordType::OPT, 1232, 0x00008000, RawData{bytesOf({0, 10, 0, 2, 0xAB, 0xCD})}});
    checkRoundTrip(m);
    Message back = decodeMessage(encodeMessage(m));
    CHECK(back.header.response);
    CHECK(back.header.authoritative);
    CHECK_FALSE(back.header.truncated);
    CHECK(back.header.recursionDesired);
    CHECK(back.header.recursionAvailable);
    CHECK(back.header.authenticData);
    CHECK_FALSE(back.header.checkingDisabled);
    CHECK(back.header.rcode == Rcode::NXDomain);
    CHECK(back.ednsPayloadSize() == 1232);
}

TEST_CASE("every header bit round trips on its own") {
    for (int bit = 0; bit < 8; ++bit) {
        CAPTURE(bit);
        Header h;
        h.recursionDesired = false;
        h.response = bit == 0;
        h.authoritative = bit == 1;
        h.truncated = bit == 2;
        h.recursionDesired = bit == 3;
        h.recursionAvailable = bit == 4;
        h.authenticData = bit == 5;
        h.checkingDisabled = bit == 6;
        h.opcode = bit == 7 ? 5 : 0;
        h.rcode = bit == 7 ? static_cast<Rcode>(11) : Rcode::NoError;
        Message m;
        m.header = h;
        Header back = decodeMessage(encodeMessage(m)).header;
        CHECK(back.response == h.response);
        CHECK(back.authoritative == h.authoritative);
        CHECK(back.truncated == h.truncated);
        CHECK(back.recursionDesired == h.recursionDesired);
        CHECK(back.recursionAvailable == h.recursionAvailable);
        CHECK(back.authenticData == h.authenticData);
        CHECK(back.checkingDisabled == h.checkingDisabled);
        CHECK(back.opcode == h.opcode);
        CHECK(back.rcode == h.rcode);
    }
}

TEST_CASE("names with escapes round trip in every place a name goes") {
    const std::string odd = "a\\.b.\\\\.\\032\\000\\255.\"quoted\"";
    Message m;
    m.questions.push_back({odd, RecordType::MX, kClassIN});
    m.answers.push_back(record(odd, RecordType::MX, MxData{1, "x." + odd}));
    m.answers.push_back(record("y." + odd, RecordType::SOA, SoaData{odd, "z." + odd, 1, 2, 3, 4, 5}));
    m.answers.push_back(record(odd, RecordType::SRV, SrvData{1, 1, 1, odd}));
    checkRoundTrip(m);
}

TEST_CASE("names past offset 0x3FFF are written in full: a pointer cannot reach them") {
    Message m;
    m.questions.push_back({"first.example", RecordType::A, kClassIN});
    m.answers.push_back(record("big.example", static_cast<RecordType>(65), RawData{std::vector<std::byte>(0x4000)}));
    for (int i = 0; i < 3; ++i) m.answers.push_back(record("late.example", RecordType::A, IPAddress()));
    auto wire = encodeMessage(m);
    checkRoundTrip(m);
    // The first "late.example" lies past 0x3FFF, so the others cannot point at it: each spells
    // out "late" again (and points back at the question's "example").
    std::size_t lateCount = 0;
    for (std::size_t i = 0; i + 4 < wire.size(); ++i)
        if (wire[i] == std::byte{4} && wire[i + 1] == std::byte{'l'} && wire[i + 4] == std::byte{'e'}) ++lateCount;
    CHECK(lateCount == 3);
}

TEST_CASE("encodeMessage writes data as it is given, so tests can send broken records") {
    Message m;
    m.answers.push_back(record("a", RecordType::A, RawData{bytesOf({1, 2, 3, 4, 5})}));
    CHECK(malformedReason(encodeMessage(m)) == Malformed::BadRdata);
    m.answers[0] = record("a", RecordType::AAAA, *IPAddress::parse("192.0.2.1"));
    CHECK(malformedReason(encodeMessage(m)) == Malformed::BadRdata);
}

TEST_CASE("encodeMessage refuses what the wire cannot say") {
    Message m;
    m.answers.push_back(record("a", RecordType::TXT, TxtData{{std::string(256, 'x')}}));
    CHECK_THROWS_AS((void)encodeMessage(m), std::length_error);
    m.answers[0] = record("a", static_cast<RecordType>(65), RawData{std::vector<std::byte>(65536)});
    CHECK_THROWS_AS((void)encodeMessage(m), std::length_error);
    m.answers[0] = record("a..b", RecordType::A, IPAddress());
    CHECK_THROWS_AS((void)encodeMessage(m), InvalidName);
    m.answers.clear();
    m.questions.push_back({"a", RecordType::A, kClassIN});
    m.questions.back().name = std::string(64, 'q');
    CHECK_THROWS_AS((void)encodeMessage(m), InvalidName);
}
