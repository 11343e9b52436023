// SPDX-License-Identifier: MIT
// decodeMessage on hand-built wire bytes: a real compressed response, every record type, the
// presentation form of odd label bytes, and every truncation of a valid response. The malformed
// shapes, one per Malformed reason, are in message_parser_malformed_test.cpp.
#include "dns/message.h"

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>

#include "tests/dns/wire_builder.h"

using namespace weft::dns;
using weft::dns::testing::malformedReason;
using weft::dns::testing::Wire;

namespace {

// www.example.com A, answered through a CNAME, with an NS in authority, its glue and an OPT
// in additional; every name after the question is compressed.
Wire realResponse() {
    Wire w;
    w.header(0xBEEF, 0x8180, 1, 2, 1, 2);                          // QR RD RA, NOERROR
    w.name("www.example.com").u16(1).u16(1);                       // 12: www, 16: example
    w.ptr(12).rr(RecordType::CNAME, 300, 2).ptr(16);               // www.example.com CNAME
    w.ptr(16).rr(RecordType::A, 3600, 4).raw({93, 184, 216, 34});  // example.com A
    w.ptr(16).rr(RecordType::NS, 86400, 6);
    std::size_t ns1 = w.size();
    w.labels("ns1").ptr(16);                                       // ns1.example.com
    w.ptr(static_cast<unsigned>(ns1)).rr(RecordType::A, 86400, 4).raw({192, 0, 2, 53});
    w.u8(0).u16(41).u16(1232).u32(0x8000).u16(0);                  // OPT, DO set
    return w;
}

template <typename T>
const T& dataOf(const ResourceRecord& rr) {
    REQUIRE(std::holds_alternative<T>(rr.data));
    return std::get<T>(rr.data);
}

// One record of `type` holding `rdata`, after a question for example.com.
Message decodeOne(RecordType type, const Wire& rdata) {
    Wire w;
    w.header(1, 0x8180, 1, 1, 0, 0).name("example.com").u16(static_cast<unsigned>(type)).u16(1);
    w.ptr(12).rr(type, 60, static_cast<unsigned>(rdata.size()));
    w.bytes.insert(w.bytes.end(), rdata.bytes.begin(), rdata.bytes.end());
    Message m = decodeMessage(w.bytes);
    REQUIRE(m.answers.size() == 1);
    CHECK(m.answers[0].name == "example.com");
    CHECK(m.answers[0].type == type);
    CHECK(m.answers[0].ttl == 60);
    return m;
}

}  // namespace

TEST_CASE("decodeMessage reads a real response, following compression pointers") {
    Message m = decodeMessage(realResponse().bytes);
    CHECK(m.header.id == 0xBEEF);
    CHECK(m.header.response);
    CHECK(m.header.recursionDesired);
    CHECK(m.header.recursionAvailable);
    CHECK_FALSE(m.header.authoritative);
    CHECK_FALSE(m.header.truncated);
    CHECK(m.header.rcode == Rcode::NoError);

    REQUIRE(m.questions.size() == 1);
    CHECK(m.questions[0].name == "www.example.com");
    CHECK(m.questions[0].type == RecordType::A);
    CHECK(m.questions[0].klass == kClassIN);

    REQUIRE(m.answers.size() == 2);
    CHECK(m.answers[0].name == "www.example.com");
    CHECK(m.answers[0].type == RecordType::CNAME);
    CHECK(m.answers[0].ttl == 300);
    CHECK(dataOf<NameData>(m.answers[0]).name == "example.com");
    CHECK(m.answers[1].name == "example.com");
    CHECK(dataOf<IPAddress>(m.answers[1]) == *IPAddress::parse("93.184.216.34"));

    REQUIRE(m.authority.size() == 1);
    CHECK(m.authority[0].type == RecordType::NS);
    CHECK(dataOf<NameData>(m.authority[0]).name == "ns1.example.com");

    REQUIRE(m.additional.size() == 2);
    CHECK(m.additional[0].name == "ns1.example.com");
    CHECK(dataOf<IPAddress>(m.additional[0]).toString() == "192.0.2.53");
    CHECK(m.additional[1].name == "");
    CHECK(m.additional[1].type == RecordType::OPT);
    CHECK(m.additional[1].ttl == 0x8000);
    CHECK(dataOf<RawData>(m.additional[1]).bytes.empty());
    CHECK(m.ednsPayloadSize() == 1232);
}

TEST_CASE("decodeMessage reads every header bit, and rcodes beyond the named ones") {
    Wire w;
    w.header(7, 0xFFBF, 0, 0, 0, 0);  // every bit but Z
    Message m = decodeMessage(w.bytes);
    CHECK(m.header.response);
    CHECK(m.header.opcode == 15);
    CHECK(m.header.authoritative);
    CHECK(m.header.truncated);
    CHECK(m.header.recursionDesired);
    CHECK(m.header.recursionAvailable);
    CHECK(m.header.authenticData);
    CHECK(m.header.checkingDisabled);
    CHECK(static_cast<int>(m.header.rcode) == 15);
    CHECK_FALSE(m.ednsPayloadSize());

    w.set16(2, 0x0003);
    m = decodeMessage(w.bytes);
    CHECK_FALSE(m.header.response);
    CHECK_FALSE(m.header.recursionDesired);
    CHECK(m.header.opcode == 0);
    CHECK(m.header.rcode == Rcode::NXDomain);
}

TEST_CASE("decodeMessage decodes each record type") {
    SUBCASE("A and AAAA hold an IPAddress") {
        CHECK(dataOf<IPAddress>(decodeOne(RecordType::A, Wire().raw({10, 0, 0, 1})).answers[0]).toString() ==
              "10.0.0.1");
        Wire v6;
        v6.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        CHECK(dataOf<IPAddress>(decodeOne(RecordType::AAAA, v6).answers[0]).toString() == "2001:db8::1");
    }
    SUBCASE("CNAME, NS and PTR hold a NameData") {
        for (RecordType type : {RecordType::CNAME, RecordType::NS, RecordType::PTR})
            CHECK(dataOf<NameData>(decodeOne(type, Wire().name("host.test")).answers[0]).name == "host.test");
        CHECK(dataOf<NameData>(decodeOne(RecordType::CNAME, Wire().labels("a").ptr(12)).answers[0]).name ==
              "a.example.com");
    }
    SUBCASE("SOA") {
        Wire soa;
        soa.labels("ns").ptr(12).labels("hostmaster").ptr(12).u32(2024010101).u32(7200).u32(900).u32(1209600).u32(300);
        Message m = decodeOne(RecordType::SOA, soa);
        const auto& d = dataOf<SoaData>(m.answers[0]);
        CHECK(d.mname == "ns.example.com");
        CHECK(d.rname == "hostmaster.example.com");
        CHECK(d.serial == 2024010101);
        CHECK(d.refresh == 7200);
        CHECK(d.retry == 900);
        CHECK(d.expire == 1209600);
        CHECK(d.minimum == 300);
    }
    SUBCASE("MX") {
        Message m = decodeOne(RecordType::MX, Wire().u16(10).labels("mail").ptr(12));
        const auto& d = dataOf<MxData>(m.answers[0]);
        CHECK(d.preference == 10);
        CHECK(d.exchange == "mail.example.com");
    }
    SUBCASE("TXT keeps each string's bytes as they are, empty ones included") {
        Wire txt;
        txt.u8(5).text("v=spf").u8(0).u8(3).raw({'a', 0, 0xFF});
        Message m = decodeOne(RecordType::TXT, txt);
        const auto& d = dataOf<TxtData>(m.answers[0]);
        REQUIRE(d.strings.size() == 3);
        CHECK(d.strings[0] == "v=spf");
        CHECK(d.strings[1].empty());
        CHECK(d.strings[2] == std::string("a\0\xFF", 3));
        CHECK(dataOf<TxtData>(decodeOne(RecordType::TXT, Wire()).answers[0]).strings.empty());
    }
    SUBCASE("SRV") {
        Wire srv;
        srv.u16(1).u16(5).u16(5060).name("sip.example.com");
        Message m = decodeOne(RecordType::SRV, srv);
        const auto& d = dataOf<SrvData>(m.answers[0]);
        CHECK(d.priority == 1);
        CHECK(d.weight == 5);
        CHECK(d.port == 5060);
        CHECK(d.target == "sip.example.com");
    }
    SUBCASE("unknown types and OPT hold their bytes raw") {
        Message m = decodeOne(static_cast<RecordType>(65), Wire().raw({1, 2, 0xC0}));
        const auto& d = dataOf<RawData>(m.answers[0]);
        CHECK(d.bytes == weft::dns::testing::bytesOf({1, 2, 0xC0}));
        CHECK(dataOf<RawData>(decodeOne(static_cast<RecordType>(0xFFFF), Wire()).answers[0]).bytes.empty());
        Wire option;
        option.u16(10).u16(8).raw({1, 2, 3, 4, 5, 6, 7, 8});  // an EDNS COOKIE option
        CHECK(dataOf<RawData>(decodeOne(RecordType::OPT, option).answers[0]).bytes.size() == 12);
    }
}

TEST_CASE("decodeMessage escapes label bytes that are not plain text") {
    Wire w;
    w.header(1, 0, 1, 0, 0, 0);
    w.u8(3).raw({'a', '.', 'b'}).u8(2).raw({'\\', ' '}).u8(4).raw({0, 0x7F, 0xFF, '"'}).u8(0).u16(1).u16(1);
    Message m = decodeMessage(w.bytes);
    CHECK(m.questions[0].name == "a\\.b.\\\\\\032.\\000\\127\\255\"");
}

TEST_CASE("decodeMessage gives the root as an empty name") {
    Wire w;
    w.header(1, 0, 1, 0, 0, 0).u8(0).u16(2).u16(1);
    CHECK(decodeMessage(w.bytes).questions[0].name.empty());
}

TEST_CASE("decodeMessage ignores bytes after the last record") {
    Wire w = realResponse();
    w.raw({0, 0, 0, 0xC0, 0xFF});
    Message m = decodeMessage(w.bytes);
    CHECK(m.answers.size() == 2);
    CHECK(m.additional.size() == 2);
}

TEST_CASE("every truncation of a valid response fails cleanly") {
    const Wire full = realResponse();
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
        CAPTURE(cut);
        // An exact-size copy, so an over-read is a heap overflow the sanitizer build reports.
        std::vector<std::byte> prefix(full.bytes.begin(), full.bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        auto reason = malformedReason(prefix);
        REQUIRE(reason);
        CHECK((*reason == Malformed::Truncated || *reason == Malformed::CountMismatch ||
               *reason == Malformed::RdataOverrun));
    }
}

TEST_CASE("the offset of a truncation points at what was cut") {
    const Wire full = realResponse();
    std::size_t offset = 0;
    CHECK(malformedReason(std::span(full.bytes).first(5), &offset) == Malformed::Truncated);
    CHECK(offset == 0);
    CHECK(malformedReason(std::span(full.bytes).first(20), &offset) == Malformed::Truncated);
    CHECK(offset == 16);  // the "example" label
    CHECK(malformedReason(std::span(full.bytes).first(33), &offset) == Malformed::CountMismatch);
    CHECK(offset == 33);  // the first answer should start here
    CHECK(malformedReason(std::span(full.bytes).first(46), &offset) == Malformed::RdataOverrun);
    CHECK(offset == 43);  // the CNAME's rdlength
}

TEST_CASE("the fuzzer's seeds decode and round trip, except the one cut short on purpose") {
    // Replayed here so that `make test` covers them, as c-ares replays its fuzz corpora.
    std::filesystem::path dir = std::filesystem::path(WEFT_SOURCE_DIR) / "dns/fuzz/corpus/message";
    int seeds = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        CAPTURE(entry.path().filename().string());
        std::ifstream file(entry.path(), std::ios::binary);
        std::vector<char> chars{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
        std::vector<std::byte> wire(chars.size());
        std::memcpy(wire.data(), chars.data(), chars.size());
        ++seeds;
        if (entry.path().filename() == "truncated_mid_record.bin") {
            CHECK(malformedReason(wire) == Malformed::RdataOverrun);
            continue;
        }
        Message m = decodeMessage(wire);
        CHECK(decodeMessage(encodeMessage(m)).answers.size() == m.answers.size());
    }
    CHECK(seeds >= 12);
}
