// SPDX-License-Identifier: MIT
// decodeMessage on malformed messages: one or more hand-built shapes per Malformed reason, each
// checked for the exact reason (and, where it says something, the offset).
#include "dns/message.h"

#include <doctest/doctest.h>

#include "tests/dns/wire_builder.h"

using namespace weft::dns;
using weft::dns::testing::malformedReason;
using weft::dns::testing::Wire;

namespace {

// A query whose one question's name is `name`, followed by `padding` (which the decoder
// ignores, but which puts pointer targets inside the message).
Wire withQuestionName(std::initializer_list<unsigned> name, std::size_t padding = 0) {
    Wire w;
    w.header(1, 0, 1, 0, 0, 0).raw(name).u16(1).u16(1);
    for (std::size_t i = 0; i < padding; ++i) w.u8(0);
    return w;
}

// A response to example.com with one record of `type` whose rdlength says `rdlength` and whose
// rdata is `rdata`, then `after` (more of the message).
Wire withRecord(RecordType type, unsigned rdlength, const Wire& rdata, const Wire& after = {}) {
    Wire w;
    w.header(1, 0x8180, 1, 1, 0, 0).name("example.com").u16(1).u16(1);
    w.ptr(12).rr(type, 60, rdlength);
    w.bytes.insert(w.bytes.end(), rdata.bytes.begin(), rdata.bytes.end());
    w.bytes.insert(w.bytes.end(), after.bytes.begin(), after.bytes.end());
    return w;
}

Wire rdataOf(RecordType type, const Wire& rdata) {
    return withRecord(type, static_cast<unsigned>(rdata.size()), rdata);
}

Wire label(std::size_t length, char fill) {
    Wire w;
    w.u8(static_cast<unsigned>(length));
    for (std::size_t i = 0; i < length; ++i) w.u8(static_cast<unsigned char>(fill));
    return w;
}

// A response whose first answer is a TYPE65 record at the root carrying `scratch` as its rdata,
// so that the second answer's name (`name`) can point into it.
Wire scratchThenName(const Wire& scratch, const Wire& name, std::size_t& scratchAt) {
    Wire w;
    w.header(1, 0x8180, 0, 2, 0, 0).u8(0).rr(static_cast<RecordType>(65), 0, static_cast<unsigned>(scratch.size()));
    scratchAt = w.size();
    w.bytes.insert(w.bytes.end(), scratch.bytes.begin(), scratch.bytes.end());
    w.bytes.insert(w.bytes.end(), name.bytes.begin(), name.bytes.end());
    w.rr(RecordType::A, 0, 4).raw({127, 0, 0, 1});
    return w;
}

}  // namespace

TEST_CASE("Truncated: the message ends inside the header, a name or a fixed field") {
    std::size_t offset = 99;
    Wire header;
    header.header(1, 0, 0, 0, 0, 0);
    CHECK(malformedReason(std::span<const std::byte>(header.bytes).first(11), &offset) == Malformed::Truncated);
    CHECK(offset == 0);
    CHECK(malformedReason({}) == Malformed::Truncated);
    Wire cutLabel;
    cutLabel.header(1, 0, 1, 0, 0, 0).u8(7).text("exam");
    CHECK(malformedReason(cutLabel.bytes, &offset) == Malformed::Truncated);
    CHECK(offset == 12);
    Wire noRoot;
    noRoot.header(1, 0, 1, 0, 0, 0).labels("example");
    CHECK(malformedReason(noRoot.bytes, &offset) == Malformed::Truncated);
    CHECK(offset == 20);
    Wire cutPointer;
    cutPointer.header(1, 0, 1, 0, 0, 0).u8(0xC0);
    CHECK(malformedReason(cutPointer.bytes, &offset) == Malformed::Truncated);
    CHECK(offset == 12);
    Wire cutType;
    cutType.header(1, 0, 1, 0, 0, 0).name("a").u8(0);
    CHECK(malformedReason(cutType.bytes, &offset) == Malformed::Truncated);
    CHECK(offset == 15);
}

TEST_CASE("CountMismatch: more entries announced than the message holds") {
    std::size_t offset = 0;
    Wire questions;
    questions.header(1, 0, 2, 0, 0, 0).name("a").u16(1).u16(1);
    CHECK(malformedReason(questions.bytes, &offset) == Malformed::CountMismatch);
    CHECK(offset == questions.size());
    Wire additional = withRecord(RecordType::A, 4, Wire().raw({1, 2, 3, 4}));
    additional.set16(10, 1);
    CHECK(malformedReason(additional.bytes) == Malformed::CountMismatch);
    // 65535 answers announced and one there: fails at the second, without reserving 65535.
    Wire many = withRecord(RecordType::A, 4, Wire().raw({1, 2, 3, 4}));
    many.set16(6, 0xFFFF);
    CHECK(malformedReason(many.bytes) == Malformed::CountMismatch);
}

TEST_CASE("PointerForward: a compression pointer to itself or further on") {
    std::size_t offset = 0;
    CHECK(malformedReason(withQuestionName({0xC0, 12}).bytes, &offset) == Malformed::PointerForward);
    CHECK(offset == 12);
    CHECK(malformedReason(withQuestionName({0xC0, 20}, 8).bytes) == Malformed::PointerForward);
    CHECK(malformedReason(withQuestionName({1, 'a', 0xC0, 14}).bytes, &offset) == Malformed::PointerForward);
    CHECK(offset == 14);
    // From rdata, to a name later in the message.
    Wire later;
    later.name("a");
    CHECK(malformedReason(withRecord(RecordType::CNAME, 2, Wire().ptr(43), later).bytes) == Malformed::PointerForward);
}

TEST_CASE("PointerOutOfRange: a compression pointer past the end of the message") {
    std::size_t offset = 0;
    CHECK(malformedReason(withQuestionName({0xFF, 0xFF}).bytes, &offset) == Malformed::PointerOutOfRange);
    CHECK(offset == 12);
    CHECK(malformedReason(rdataOf(RecordType::NS, Wire().ptr(0x3000)).bytes) == Malformed::PointerOutOfRange);
}

TEST_CASE("PointerLoop: a pointer back into the name being read, or a chain too long") {
    std::size_t offset = 0;
    CHECK(malformedReason(withQuestionName({1, 'a', 0xC0, 12}).bytes, &offset) == Malformed::PointerLoop);
    CHECK(offset == 14);

    // Two hops: the name jumps to "y", which jumps back to "x", which runs into "y" again.
    std::size_t at = 0;
    Wire scratch;
    scratch.labels("x").labels("y").u16(0);  // patched below: a pointer to "x"
    Wire name;
    name.u16(0);  // patched below: a pointer to "y"
    Wire w = scratchThenName(scratch, name, at);
    w.set16(at + 4, 0xC000 | static_cast<unsigned>(at));
    w.set16(at + 6, 0xC000 | static_cast<unsigned>(at + 2));
    CHECK(malformedReason(w.bytes, &offset) == Malformed::PointerLoop);
    CHECK(offset == at + 4);

    // A chain of pointers, each to the one before, ending at a root: 128 in all is the limit.
    for (unsigned chained : {127u, 128u}) {
        CAPTURE(chained);
        Wire chain;
        chain.u8(0);
        for (unsigned i = 0; i < chained; ++i) chain.u16(0);
        Wire last;
        last.u16(0);
        Wire m = scratchThenName(chain, last, at);
        for (unsigned i = 0; i <= chained; ++i)  // pointer i goes to pointer i - 1, the first to the root
            m.set16(at + 1 + 2 * i, 0xC000 | static_cast<unsigned>(i == 0 ? at : at + 2 * i - 1));
        if (chained == 127) {
            CHECK(decodeMessage(m.bytes).answers[1].name.empty());
        } else {
            CHECK(malformedReason(m.bytes) == Malformed::PointerLoop);
        }
    }
}

TEST_CASE("BadLabelType: the reserved label types, which is also where a label over 63 lands") {
    std::size_t offset = 0;
    for (unsigned byte : {0x40u, 0x41u, 0x7Fu, 0x80u, 0xBFu}) {
        CAPTURE(byte);
        CHECK(malformedReason(withQuestionName({1, 'a', byte, 'b', 0}, 64).bytes, &offset) == Malformed::BadLabelType);
        CHECK(offset == 14);
    }
}

TEST_CASE("NameTooLong: over 255 bytes on the wire, counted after expanding pointers") {
    Wire ok;
    ok.header(1, 0x8180, 1, 1, 0, 0);
    for (const Wire& l : {label(63, 'a'), label(63, 'b'), label(63, 'c'), label(61, 'd')})
        ok.bytes.insert(ok.bytes.end(), l.bytes.begin(), l.bytes.end());
    ok.u8(0).u16(1).u16(1);  // exactly 255 bytes
    std::size_t answer = ok.size();
    ok.ptr(12).rr(RecordType::A, 0, 4).raw({1, 2, 3, 4});
    Message m = decodeMessage(ok.bytes);
    CHECK(m.questions[0].name.size() == 253);
    CHECK(m.answers[0].name == m.questions[0].name);

    Wire expanded = ok;
    expanded.bytes.resize(answer);
    expanded.labels("x").ptr(12).rr(RecordType::A, 0, 4).raw({1, 2, 3, 4});
    std::size_t offset = 0;
    CHECK(malformedReason(expanded.bytes, &offset) == Malformed::NameTooLong);
    CHECK(offset == 12 + 3 * 64);  // the label that crossed the limit

    Wire inline_;
    inline_.header(1, 0, 1, 0, 0, 0);
    for (char c : {'a', 'b', 'c', 'd'}) {
        Wire l = label(63, c);
        inline_.bytes.insert(inline_.bytes.end(), l.bytes.begin(), l.bytes.end());
    }
    inline_.u8(0).u16(1).u16(1);
    CHECK(malformedReason(inline_.bytes) == Malformed::NameTooLong);
}

TEST_CASE("RdataOverrun: an rdlength past the end of the message") {
    std::size_t offset = 0;
    CHECK(malformedReason(withRecord(RecordType::A, 100, Wire().raw({1, 2, 3, 4})).bytes, &offset) ==
          Malformed::RdataOverrun);
    CHECK(offset == 39);  // the rdlength field
    CHECK(malformedReason(withRecord(RecordType::TXT, 1, Wire()).bytes) == Malformed::RdataOverrun);
}

TEST_CASE("BadRdata: record data that does not fit its type") {
    auto bad = [](RecordType type, const Wire& rdata) { return malformedReason(rdataOf(type, rdata).bytes); };
    CHECK(bad(RecordType::A, Wire().raw({1, 2, 3, 4, 5})) == Malformed::BadRdata);
    CHECK(bad(RecordType::A, Wire().raw({1, 2, 3})) == Malformed::BadRdata);
    CHECK(bad(RecordType::AAAA, Wire().raw({1, 2, 3, 4})) == Malformed::BadRdata);
    CHECK(bad(RecordType::CNAME, Wire().name("a").u8(0)) == Malformed::BadRdata);   // a byte left over
    CHECK(bad(RecordType::PTR, Wire()) == Malformed::BadRdata);                     // no name at all
    CHECK(bad(RecordType::MX, Wire().u8(1)) == Malformed::BadRdata);
    CHECK(bad(RecordType::MX, Wire().u16(1)) == Malformed::BadRdata);
    CHECK(bad(RecordType::SRV, Wire().u16(1).u16(2).u16(3)) == Malformed::BadRdata);
    CHECK(bad(RecordType::SRV, Wire().u16(1).u16(2).u16(3).name("a").u16(0)) == Malformed::BadRdata);
    CHECK(bad(RecordType::SOA, Wire().ptr(12).ptr(12).u32(1).u32(2).u32(3).u32(4)) == Malformed::BadRdata);
    CHECK(bad(RecordType::SOA, Wire().ptr(12).ptr(12).u32(1).u32(2).u32(3).u32(4).u32(5).u8(0)) == Malformed::BadRdata);
    CHECK(bad(RecordType::TXT, Wire().u8(3).text("ab")) == Malformed::BadRdata);
    CHECK(bad(RecordType::TXT, Wire().u8(1).text("a").u8(9)) == Malformed::BadRdata);

    // A name that runs on past its rdlength fails there, even with the message going on after it.
    std::size_t offset = 0;
    Wire rest;
    rest.text("ample").u8(0);
    CHECK(malformedReason(withRecord(RecordType::NS, 3, Wire().u8(7).text("ex"), rest).bytes, &offset) ==
          Malformed::BadRdata);
    CHECK(offset == 41);  // the label that crossed rdlength
}
