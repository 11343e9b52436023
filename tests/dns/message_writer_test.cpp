// SPDX-License-Identifier: MIT
// encodeQuery's exact bytes, presentation names (escapes, limits, InvalidName), and the small
// helpers: namesEqual, typeName, parseType, ednsPayloadSize. encodeMessage's compression and
// round trips are in message_writer_roundtrip_test.cpp.
#include "dns/message.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/dns/wire_builder.h"

using namespace weft::dns;
using weft::dns::testing::bytesOf;

namespace {

// The question name of a query for `name`, as the decoder gives it back.
std::string roundTrip(std::string_view name) {
    return decodeMessage(encodeQuery(1, name, RecordType::A, std::nullopt)).questions.at(0).name;
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("encodeQuery writes exactly the bytes of a standard query") {
    CHECK(encodeQuery(0x1234, "example.com", RecordType::A, std::nullopt) ==
          bytesOf({0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // RD, one question
                   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,              // example.com
                   0x00, 0x01, 0x00, 0x01}));                                              // A, IN
}

TEST_CASE("encodeQuery adds an OPT record advertising the payload size, DO bit clear") {
    CHECK(encodeQuery(0xABCD, "a.example.", RecordType::AAAA) ==
          bytesOf({0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // one additional
                   1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,                        // a.example
                   0x00, 0x1C, 0x00, 0x01,                                                 // AAAA, IN
                   0x00, 0x00, 0x29, 0x04, 0xD0,                                           // root, OPT, 1232
                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));                                  // ttl 0, no options
    auto big = encodeQuery(1, "x", RecordType::TXT, 4096);
    CHECK(decodeMessage(big).ednsPayloadSize() == 4096);
}

TEST_CASE("encodeQuery leaves RD clear when asked, and takes the root and odd types") {
    CHECK(encodeQuery(0, ".", RecordType::NS, std::nullopt, false) ==
          bytesOf({0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0x00, 0x01}));
    CHECK(encodeQuery(0, "", RecordType::NS, std::nullopt, false) == encodeQuery(0, ".", RecordType::NS, std::nullopt, false));
    Message m = decodeMessage(encodeQuery(7, "Mixed.Case", static_cast<RecordType>(65)));
    CHECK(m.header.recursionDesired);
    CHECK_FALSE(m.header.response);
    CHECK(m.questions.at(0).name == "Mixed.Case");  // case is kept, for 0x20 randomisation
    CHECK(m.questions.at(0).type == static_cast<RecordType>(65));
}

TEST_CASE("a trailing dot changes nothing") {
    CHECK(encodeQuery(1, "example.com.", RecordType::A) == encodeQuery(1, "example.com", RecordType::A));
}

TEST_CASE("escapes in presentation names round trip to the decoder's canonical form") {
    CHECK(roundTrip("a\\.b.c") == "a\\.b.c");      // one label "a.b", then "c"
    CHECK(roundTrip("back\\\\slash") == "back\\\\slash");
    CHECK(roundTrip("\\065\\066c") == "ABc");        // \DDD of a printable byte comes back plain
    CHECK(roundTrip("sp\\032ace") == "sp\\032ace");
    CHECK(roundTrip("sp ace") == "sp\\032ace");      // a raw byte is taken as it is
    CHECK(roundTrip("\\000\\255") == "\\000\\255");
    CHECK(roundTrip("\\x\\-y") == "x-y");            // RFC 1035's \X for a non-digit X
    CHECK(roundTrip("a\\.") == "a\\.");              // an escaped dot is not a trailing dot
    auto wire = encodeQuery(1, "a\\.b", RecordType::A, std::nullopt);
    CHECK(wire.size() == 12 + 5 + 4);                // one label of 3 bytes
    // Every byte value, one per label, survives encode then decode then encode.
    std::string every;
    for (int b = 0; b < 256; ++b) {
        if (b % 60 == 0 && b != 0) {
            std::string back = roundTrip(every);
            CHECK(encodeQuery(1, back, RecordType::A) == encodeQuery(1, every, RecordType::A));
            every.clear();
        }
        if (!every.empty()) every += '.';
        every += "\\" + std::string(b < 100 ? "0" : "") + std::string(b < 10 ? "0" : "") + std::to_string(b);
    }
    CHECK(encodeQuery(1, roundTrip(every), RecordType::A) == encodeQuery(1, every, RecordType::A));
}

TEST_CASE("names that cannot go on the wire throw InvalidName") {
    auto invalid = [](std::string_view name) {
        try {
            (void)encodeQuery(1, name, RecordType::A);
        } catch (const InvalidName& e) {
            CHECK(e.code() == DnsError::InvalidName);
            return std::string(e.what());
        }
        FAIL_CHECK("no InvalidName for " << std::string(name));
        return std::string();
    };
    CHECK(invalid("a..b") == "invalid DNS name \"a..b\": empty label");
    CHECK(invalid(".a").find("empty label") != std::string::npos);
    CHECK(invalid("..").find("empty label") != std::string::npos);
    CHECK(invalid("a.b..").find("empty label") != std::string::npos);
    CHECK(invalid(repeat('x', 64) + ".com").find("label longer than 63") != std::string::npos);
    CHECK(invalid("a\\").find("backslash") != std::string::npos);
    CHECK(invalid("a\\25").find("three digits") != std::string::npos);
    CHECK(invalid("a\\2x5").find("three digits") != std::string::npos);
    CHECK(invalid("a\\256").find("over 255") != std::string::npos);
    // 3 labels of 63 and one of 62: 256 bytes on the wire, one too many.
    std::string tooLong = repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 62);
    CHECK(invalid(tooLong).find("255") != std::string::npos);
    CHECK(invalid(tooLong + ".").find("255") != std::string::npos);
    // An escape counts as the one byte it stands for.
    CHECK(invalid(repeat('a', 60) + "\\001\\002\\003\\004").find("63") != std::string::npos);
}

TEST_CASE("names at the limits are accepted") {
    std::string label63 = repeat('x', 63);
    CHECK(roundTrip(label63) == label63);
    std::string max = repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 61);
    CHECK(encodeQuery(1, max, RecordType::A, std::nullopt).size() == 12 + 255 + 4);
    CHECK(roundTrip(max + ".") == max);
    CHECK(roundTrip(repeat('a', 60) + "\\001\\002\\003") == repeat('a', 60) + "\\001\\002\\003");
}

TEST_CASE("namesEqual ignores ASCII case and a trailing dot, and reads escapes") {
    CHECK(namesEqual("Example.COM", "example.com"));
    CHECK(namesEqual("example.com.", "example.com"));
    CHECK(namesEqual("", "."));
    CHECK(namesEqual("\\065.b", "a.B"));
    CHECK(namesEqual("a\\.b", "A\\.B"));
    CHECK_FALSE(namesEqual("a\\.b", "a.b"));
    CHECK_FALSE(namesEqual("a\\.", "a."));
    CHECK_FALSE(namesEqual("example.com", "example.co"));
    CHECK_FALSE(namesEqual("example.com", "example.comm"));
    CHECK_FALSE(namesEqual("a", ""));
    CHECK_FALSE(namesEqual("\\200", "\\201"));
    CHECK(namesEqual("\\200", "\\200"));
    // Without escapes a shorter path runs; it must agree with the escape-reading one.
    CHECK(namesEqual("WWW.Example.com.", "www.example.COM"));
    CHECK(namesEqual("a..b", "A..B"));
    CHECK_FALSE(namesEqual("a..", "a."));
    CHECK_FALSE(namesEqual("a.b.", "a.b.."));
    CHECK_FALSE(namesEqual("ab", "a."));
    CHECK(namesEqual("\\097.b", "A.b."));
    CHECK(namesEqual("A.b.", "\\097.b"));
}

TEST_CASE("typeName and parseType: mnemonics and RFC 3597's TYPEnnn") {
    CHECK(typeName(RecordType::A) == "A");
    CHECK(typeName(RecordType::AAAA) == "AAAA");
    CHECK(typeName(RecordType::MX) == "MX");
    CHECK(typeName(RecordType::OPT) == "OPT");
    CHECK(typeName(static_cast<RecordType>(65)) == "TYPE65");
    CHECK(typeName(static_cast<RecordType>(0)) == "TYPE0");
    for (RecordType t : {RecordType::A, RecordType::NS, RecordType::CNAME, RecordType::SOA, RecordType::PTR,
                         RecordType::MX, RecordType::TXT, RecordType::AAAA, RecordType::SRV, RecordType::OPT,
                         RecordType::ANY, static_cast<RecordType>(65), static_cast<RecordType>(65535)})
        CHECK(parseType(typeName(t)) == t);
    CHECK(parseType("aaaa") == RecordType::AAAA);
    CHECK(parseType("Srv") == RecordType::SRV);
    CHECK(parseType("type65") == static_cast<RecordType>(65));
    CHECK(parseType("TYPE1") == RecordType::A);
    CHECK_FALSE(parseType(""));
    CHECK_FALSE(parseType("TYPE"));
    CHECK_FALSE(parseType("TYPE65536"));
    CHECK_FALSE(parseType("TYPE6x"));
    CHECK_FALSE(parseType("TYPE-1"));
    CHECK_FALSE(parseType("AAAAA"));
    CHECK_FALSE(parseType("A "));
}

TEST_CASE("ednsPayloadSize reads the first OPT record in additional") {
    Message m;
    CHECK_FALSE(m.ednsPayloadSize());
    m.additional.push_back({"ns", RecordType::A, kClassIN, 0, IPAddress()});
    CHECK_FALSE(m.ednsPayloadSize());
    m.additional.push_back({"", RecordType::OPT, 1400, 0, RawData{}});
    CHECK(m.ednsPayloadSize() == 1400);
}
