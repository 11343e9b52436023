// SPDX-License-Identifier: MIT
// dns/message_parser.cpp: decodeMessage, wire bytes to a Message. Every read is checked against
// an explicit end, so the decoder never reads outside the span; a compression pointer must
// point strictly before the name (or jumped-to suffix) it appears in, which makes loops
// impossible to follow and bounds the work per name. Bytes after the last record are ignored,
// as most stub resolvers do, since some servers and middleboxes pad replies.
// Tests: tests/dns/message_parser_test.cpp, tests/dns/message_parser_malformed_test.cpp
#include "dns/message.h"

#include <algorithm>
#include <array>
#include <utility>

namespace weft::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameWire = 255;
// A name holds at most 127 labels, and an encoder needs at most one pointer after each (plus
// one up front); more is a chain built to waste our time.
constexpr int kMaxPointers = 128;
// Room for the longest presentation form of a 255-byte wire name, every byte "\DDD" plus the
// dots: 1003 characters (labels of 63, 63, 63 and 61 bytes).
constexpr std::size_t kMaxPresentation = 1024;
constexpr std::size_t kMinQuestion = 5;  // root name, type, class
constexpr std::size_t kMinRecord = 11;   // root name, type, class, ttl, rdlength

[[noreturn]] void fail(Malformed reason, std::size_t offset) { throw MalformedMessage(reason, offset); }

// Appends one label byte in the presentation form message.h describes.
inline void appendEscaped(char* out, std::size_t& length, std::uint8_t byte) {
    if (byte == '.' || byte == '\\') {
        out[length++] = '\\';
        out[length++] = static_cast<char>(byte);
    } else if (byte >= 0x21 && byte <= 0x7e) {
        out[length++] = static_cast<char>(byte);
    } else {
        out[length++] = '\\';
        out[length++] = static_cast<char>('0' + byte / 100);
        out[length++] = static_cast<char>('0' + byte / 10 % 10);
        out[length++] = static_cast<char>('0' + byte % 10);
    }
}

class Reader {
public:
    explicit Reader(std::span<const std::byte> wire) : wire_(wire) {}

    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
    [[nodiscard]] std::size_t size() const noexcept { return wire_.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return wire_.size() - pos_; }

    // `end` bounds the read (the message, or the current rdata); `reason` is what running past
    // it means there.
    std::uint8_t u8(std::size_t end, Malformed reason) {
        need(1, end, reason);
        return at(pos_++);
    }
    std::uint16_t u16(std::size_t end, Malformed reason) {
        need(2, end, reason);
        auto value = static_cast<std::uint16_t>(at(pos_) << 8 | at(pos_ + 1));
        pos_ += 2;
        return value;
    }
    std::uint32_t u32(std::size_t end, Malformed reason) {
        need(4, end, reason);
        std::uint32_t value = std::uint32_t{at(pos_)} << 24 | std::uint32_t{at(pos_ + 1)} << 16 |
                              std::uint32_t{at(pos_ + 2)} << 8 | at(pos_ + 3);
        pos_ += 4;
        return value;
    }

    std::span<const std::byte> take(std::size_t n, std::size_t end, Malformed reason) {
        need(n, end, reason);
        auto bytes = wire_.subspan(pos_, n);
        pos_ += n;
        return bytes;
    }

    std::string name(std::size_t end, Malformed reason);

private:
    [[nodiscard]] std::uint8_t at(std::size_t i) const noexcept { return static_cast<std::uint8_t>(wire_[i]); }
    void need(std::size_t n, std::size_t end, Malformed reason) const {
        if (end - pos_ < n) fail(reason, pos_);  // pos_ <= end always holds
    }

    std::span<const std::byte> wire_;
    std::size_t pos_ = 0;
};

// Reads the name at pos() and leaves pos() just after it (after its first pointer, if any).
// Its own bytes must end before `end`; the suffixes pointers lead to may lie anywhere earlier.
std::string Reader::name(std::size_t end, Malformed reason) {
    std::array<char, kMaxPresentation> text;  // uninitialised on purpose: written before read
    std::size_t length = 0;
    std::size_t wireLength = 1;  // the root label's byte
    std::size_t p = pos_;
    std::size_t segmentStart = pos_;  // where the bytes being read began: the name, or a jump target
    int pointers = 0;
    for (;;) {
        if (p >= end) fail(reason, p);
        std::uint8_t byte = at(p);
        switch (byte & 0xC0) {
            case 0x00: {
                if (byte == 0) {
                    if (pointers == 0) pos_ = p + 1;
                    return std::string(text.data(), length);
                }
                if (end - p - 1 < byte) fail(reason, p);
                wireLength += 1 + std::size_t{byte};
                if (wireLength > kMaxNameWire) fail(Malformed::NameTooLong, p);
                if (length != 0) text[length++] = '.';
                for (std::size_t i = p + 1; i <= p + byte; ++i) appendEscaped(text.data(), length, at(i));
                p += 1 + std::size_t{byte};
                break;
            }
            case 0xC0: {
                if (end - p < 2) fail(reason, p);
                std::size_t target = std::size_t{byte & 0x3Fu} << 8 | at(p + 1);
                if (target >= wire_.size()) fail(Malformed::PointerOutOfRange, p);
                if (target >= p) fail(Malformed::PointerForward, p);
                // Backwards, but into the bytes of this name already read: following it would
                // come back to this same pointer forever.
                if (target >= segmentStart) fail(Malformed::PointerLoop, p);
                if (++pointers > kMaxPointers) fail(Malformed::PointerLoop, p);
                if (pointers == 1) pos_ = p + 2;
                segmentStart = p = target;
                end = wire_.size();
                reason = Malformed::Truncated;
                break;
            }
            default:
                // 0x40 is EDNS's extended label type (RFC 6891), 0x80 is unassigned. A length
                // byte cannot say more than 63, so this is also where "labels over 63" land.
                fail(Malformed::BadLabelType, p);
        }
    }
}

IPAddress readAddress(Reader& in, std::size_t rdlength, std::size_t size) {
    if (rdlength != size) fail(Malformed::BadRdata, in.pos());
    auto wire = in.take(size, in.size(), Malformed::RdataOverrun);
    std::array<std::uint8_t, 16> bytes{};
    std::transform(wire.begin(), wire.end(), bytes.begin(), [](std::byte b) { return std::uint8_t(b); });
    if (size == 4) return IPAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
    return IPAddress::v6(bytes);
}

void expectEnd(const Reader& in, std::size_t rdEnd) {
    if (in.pos() != rdEnd) fail(Malformed::BadRdata, in.pos());
}

// The rdata at pos(), which the caller has checked lies inside the message.
RData readRdata(Reader& in, RecordType type, std::size_t rdlength) {
    const std::size_t rdEnd = in.pos() + rdlength;
    constexpr Malformed kBad = Malformed::BadRdata;
    switch (type) {
        case RecordType::A: return readAddress(in, rdlength, 4);
        case RecordType::AAAA: return readAddress(in, rdlength, 16);
        case RecordType::NS:
        case RecordType::CNAME:
        case RecordType::PTR: {
            NameData data{in.name(rdEnd, kBad)};
            expectEnd(in, rdEnd);
            return data;
        }
        case RecordType::SOA: {
            SoaData soa;
            soa.mname = in.name(rdEnd, kBad);
            soa.rname = in.name(rdEnd, kBad);
            soa.serial = in.u32(rdEnd, kBad);
            soa.refresh = in.u32(rdEnd, kBad);
            soa.retry = in.u32(rdEnd, kBad);
            soa.expire = in.u32(rdEnd, kBad);
            soa.minimum = in.u32(rdEnd, kBad);
            expectEnd(in, rdEnd);
            return soa;
        }
        case RecordType::MX: {
            MxData mx;
            mx.preference = in.u16(rdEnd, kBad);
            mx.exchange = in.name(rdEnd, kBad);
            expectEnd(in, rdEnd);
            return mx;
        }
        case RecordType::SRV: {
            SrvData srv;
            srv.priority = in.u16(rdEnd, kBad);
            srv.weight = in.u16(rdEnd, kBad);
            srv.port = in.u16(rdEnd, kBad);
            srv.target = in.name(rdEnd, kBad);  // RFC 2782 forbids compressing it; we accept it anyway
            expectEnd(in, rdEnd);
            return srv;
        }
        case RecordType::TXT: {
            TxtData txt;
            while (in.pos() < rdEnd) {
                std::size_t start = in.pos();
                std::uint8_t length = in.u8(rdEnd, kBad);
                if (rdEnd - in.pos() < length) fail(kBad, start);
                auto bytes = in.take(length, rdEnd, kBad);
                txt.strings.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            }
            return txt;
        }
        default: {
            auto bytes = in.take(rdlength, rdEnd, kBad);
            return RawData{{bytes.begin(), bytes.end()}};
        }
    }
}

// How many entries of at least `minSize` bytes can still fit: what a section may reserve.
std::size_t plausible(std::uint16_t count, const Reader& in, std::size_t minSize) {
    return std::min<std::size_t>(count, in.remaining() / minSize);
}

void readRecords(Reader& in, std::uint16_t count, std::vector<ResourceRecord>& out) {
    out.reserve(plausible(count, in, kMinRecord));
    const std::size_t size = in.size();
    for (std::uint16_t i = 0; i < count; ++i) {
        if (in.pos() == size) fail(Malformed::CountMismatch, in.pos());
        ResourceRecord rr;
        rr.name = in.name(size, Malformed::Truncated);
        rr.type = static_cast<RecordType>(in.u16(size, Malformed::Truncated));
        rr.klass = in.u16(size, Malformed::Truncated);
        rr.ttl = in.u32(size, Malformed::Truncated);
        std::size_t lengthAt = in.pos();
        std::uint16_t rdlength = in.u16(size, Malformed::Truncated);
        if (in.remaining() < rdlength) fail(Malformed::RdataOverrun, lengthAt);
        rr.data = readRdata(in, rr.type, rdlength);
        out.push_back(std::move(rr));
    }
}

}  // namespace

Message decodeMessage(std::span<const std::byte> wire) {
    Reader in(wire);
    if (wire.size() < kHeaderSize) fail(Malformed::Truncated, 0);
    constexpr Malformed kCut = Malformed::Truncated;
    Message message;
    Header& h = message.header;
    h.id = in.u16(wire.size(), kCut);
    std::uint8_t flags1 = in.u8(wire.size(), kCut);
    std::uint8_t flags2 = in.u8(wire.size(), kCut);
    h.response = (flags1 & 0x80) != 0;
    h.opcode = static_cast<std::uint8_t>(flags1 >> 3 & 0x0F);
    h.authoritative = (flags1 & 0x04) != 0;
    h.truncated = (flags1 & 0x02) != 0;
    h.recursionDesired = (flags1 & 0x01) != 0;
    h.recursionAvailable = (flags2 & 0x80) != 0;
    h.authenticData = (flags2 & 0x20) != 0;
    h.checkingDisabled = (flags2 & 0x10) != 0;
    h.rcode = static_cast<Rcode>(flags2 & 0x0F);
    std::uint16_t questions = in.u16(wire.size(), kCut);
    std::uint16_t answers = in.u16(wire.size(), kCut);
    std::uint16_t authority = in.u16(wire.size(), kCut);
    std::uint16_t additional = in.u16(wire.size(), kCut);

    message.questions.reserve(plausible(questions, in, kMinQuestion));
    for (std::uint16_t i = 0; i < questions; ++i) {
        if (in.pos() == wire.size()) fail(Malformed::CountMismatch, in.pos());
        Question q;
        q.name = in.name(wire.size(), kCut);
        q.type = static_cast<RecordType>(in.u16(wire.size(), kCut));
        q.klass = in.u16(wire.size(), kCut);
        message.questions.push_back(std::move(q));
    }
    readRecords(in, answers, message.answers);
    readRecords(in, authority, message.authority);
    readRecords(in, additional, message.additional);
    return message;
}

}  // namespace weft::dns
