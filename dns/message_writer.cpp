// SPDX-License-Identifier: MIT
// dns/message_writer.cpp: encodeQuery and encodeMessage, presentation names to wire names, and
// the small helpers around record types. Compression matches suffixes byte for byte, not
// case-insensitively, so a decode of what we wrote gives back exactly the names we were given.
// Tests: tests/dns/message_writer_test.cpp, tests/dns/message_writer_roundtrip_test.cpp
#include "dns/message.h"

#include <array>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace weft::dns {
namespace {

constexpr std::size_t kMaxNameWire = 255;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxPointerTarget = 0x3FFF;  // a pointer has 14 bits of offset
constexpr std::size_t kOptSize = 11;               // root name, type, class, ttl, rdlength

// A name in wire form: length-prefixed labels and the root's 0, at most 255 bytes.
struct WireName {
    std::array<std::uint8_t, kMaxNameWire> bytes;
    std::size_t size = 0;
};

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

// Parses the presentation form message.h describes (RFC 1035 section 5.1 escapes: "\DDD" and
// "\X" for any other X). A trailing dot is allowed; "" and "." are the root.
void toWire(std::string_view name, WireName& out) {
    if (name.empty() || name == ".") {
        out.bytes[0] = 0;
        out.size = 1;
        return;
    }
    std::size_t labelStart = 0;  // where the current label's length byte goes
    std::size_t labelLength = 0;
    out.size = 1;
    std::size_t i = 0;
    while (i < name.size()) {
        char c = name[i];
        if (c == '.') {
            if (labelLength == 0) throw InvalidName(name, "empty label");
            out.bytes[labelStart] = static_cast<std::uint8_t>(labelLength);
            labelStart = out.size++;  // in range: the last byte added left room for a root
            labelLength = 0;
            ++i;
            continue;
        }
        std::uint8_t byte = static_cast<std::uint8_t>(c);
        if (c != '\\') {
            ++i;
        } else if (i + 1 == name.size()) {
            throw InvalidName(name, "ends with a lone backslash");
        } else if (!isDigit(name[i + 1])) {
            byte = static_cast<std::uint8_t>(name[i + 1]);
            i += 2;
        } else {
            if (name.size() - i < 4 || !isDigit(name[i + 2]) || !isDigit(name[i + 3]))
                throw InvalidName(name, "\\DDD escape without three digits");
            int value = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
            if (value > 255) throw InvalidName(name, "\\DDD escape over 255");
            byte = static_cast<std::uint8_t>(value);
            i += 4;
        }
        if (labelLength == kMaxLabel) throw InvalidName(name, "label longer than 63 bytes");
        if (out.size + 2 > kMaxNameWire) throw InvalidName(name, "longer than 255 bytes on the wire");
        out.bytes[out.size++] = byte;
        ++labelLength;
    }
    if (labelLength == 0) {  // a trailing dot: the label it opened is the root
        out.bytes[labelStart] = 0;
        out.size = labelStart + 1;
        return;
    }
    out.bytes[labelStart] = static_cast<std::uint8_t>(labelLength);
    out.bytes[out.size++] = 0;
}

void put16(std::byte* at, std::uint16_t value) noexcept {
    at[0] = std::byte(value >> 8);
    at[1] = std::byte(value & 0xFF);
}

std::uint16_t flagsOf(const Header& h) noexcept {
    unsigned flags = (h.response ? 0x8000u : 0) | (h.opcode & 0x0Fu) << 11 | (h.authoritative ? 0x0400u : 0) |
                     (h.truncated ? 0x0200u : 0) | (h.recursionDesired ? 0x0100u : 0) |
                     (h.recursionAvailable ? 0x0080u : 0) | (h.authenticData ? 0x0020u : 0) |
                     (h.checkingDisabled ? 0x0010u : 0) | (static_cast<unsigned>(h.rcode) & 0x0Fu);
    return static_cast<std::uint16_t>(flags);
}

std::uint16_t checked16(std::size_t value, const char* what) {
    if (value > 0xFFFF) throw std::length_error(std::string("DNS message: ") + what + " over 65535");
    return static_cast<std::uint16_t>(value);
}

// Appends to one message, remembering where each name suffix went so later names can point
// back to it. A map from suffix bytes costs an allocation per long suffix; encodeMessage is
// what a server or a test sends, not the resolver's hot path (that is encodeQuery).
class Writer {
public:
    explicit Writer(std::vector<std::byte>& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.push_back(std::byte{v}); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v & 0xFF));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v & 0xFFFF));
    }
    void bytes(const void* data, std::size_t n) {
        const auto* p = static_cast<const std::byte*>(data);
        out_.insert(out_.end(), p, p + n);
    }

    // compress = false still lets later names point into this one (RFC 2782 forbids only
    // compressing an SRV target itself).
    void name(std::string_view text, bool compress = true) {
        WireName wire;
        toWire(text, wire);
        std::array<std::size_t, kMaxNameWire / 2> labels;  // offset of each label in wire
        std::size_t count = 0;
        for (std::size_t at = 0; wire.bytes[at] != 0; at += 1 + wire.bytes[at]) labels[count++] = at;
        std::size_t written = count;  // labels written before the pointer (all: no pointer)
        std::size_t target = 0;
        for (std::size_t i = 0; compress && i < count; ++i) {
            auto found = suffixes_.find(key(wire, labels[i]));
            if (found != suffixes_.end()) {
                written = i;
                target = found->second;
                break;
            }
        }
        std::size_t start = out_.size();
        std::size_t end = written == count ? wire.size : labels[written];
        bytes(wire.bytes.data(), end);
        if (written != count) u16(static_cast<std::uint16_t>(0xC000 | target));
        for (std::size_t i = 0; i < written && start + labels[i] <= kMaxPointerTarget; ++i)
            suffixes_.emplace(key(wire, labels[i]), static_cast<std::uint16_t>(start + labels[i]));
    }

    // Writes rdlength, then whatever `body` writes, then fills rdlength in.
    template <typename F>
    void withLength(F&& body) {
        std::size_t at = out_.size();
        u16(0);
        body();
        put16(out_.data() + at, checked16(out_.size() - at - 2, "rdata"));
    }

private:
    static std::string key(const WireName& wire, std::size_t from) {
        return {reinterpret_cast<const char*>(wire.bytes.data()) + from, wire.size - from};
    }

    std::vector<std::byte>& out_;
    std::unordered_map<std::string, std::uint16_t> suffixes_;
};

void writeRdata(Writer& w, const RData& data) {
    struct Visitor {
        Writer& w;
        void operator()(const IPAddress& ip) const { w.bytes(ip.bytes().data(), ip.isV4() ? 4 : 16); }
        void operator()(const NameData& d) const { w.name(d.name); }
        void operator()(const SoaData& d) const {
            w.name(d.mname);
            w.name(d.rname);
            for (std::uint32_t v : {d.serial, d.refresh, d.retry, d.expire, d.minimum}) w.u32(v);
        }
        void operator()(const MxData& d) const {
            w.u16(d.preference);
            w.name(d.exchange);
        }
        void operator()(const TxtData& d) const {
            for (const auto& s : d.strings) {
                if (s.size() > 255) throw std::length_error("DNS message: TXT string over 255 bytes");
                w.u8(static_cast<std::uint8_t>(s.size()));
                w.bytes(s.data(), s.size());
            }
        }
        void operator()(const SrvData& d) const {
            for (std::uint16_t v : {d.priority, d.weight, d.port}) w.u16(v);
            w.name(d.target, false);
        }
        void operator()(const RawData& d) const { w.bytes(d.bytes.data(), d.bytes.size()); }
    };
    w.withLength([&] { std::visit(Visitor{w}, data); });
}

void writeRecords(Writer& w, const std::vector<ResourceRecord>& records) {
    for (const auto& rr : records) {
        w.name(rr.name);
        w.u16(static_cast<std::uint16_t>(rr.type));
        w.u16(rr.klass);
        w.u32(rr.ttl);
        writeRdata(w, rr.data);
    }
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Walks a presentation name one wire byte at a time, so namesEqual sees "\065" as "A"
// without allocating. A trailing unescaped dot reads as the end.
class NameCursor {
public:
    static constexpr int kEnd = -2;
    static constexpr int kDot = -1;
    explicit NameCursor(std::string_view s) : s_(s) {}
    int next() noexcept {
        if (i_ >= s_.size()) return kEnd;
        char c = s_[i_++];
        if (c == '.') return i_ == s_.size() ? kEnd : kDot;
        if (c != '\\' || i_ == s_.size()) return static_cast<unsigned char>(c);
        if (!isDigit(s_[i_])) return static_cast<unsigned char>(s_[i_++]);
        if (s_.size() - i_ >= 3 && isDigit(s_[i_ + 1]) && isDigit(s_[i_ + 2])) {
            int value = (s_[i_] - '0') * 100 + (s_[i_ + 1] - '0') * 10 + (s_[i_ + 2] - '0');
            if (value <= 255) {
                i_ += 3;
                return value;
            }
        }
        return '\\';  // not a valid escape: compare it as written
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

struct KnownType {
    RecordType type;
    std::string_view name;
};
constexpr std::array<KnownType, 11> kTypes{{
    {RecordType::A, "A"}, {RecordType::NS, "NS"}, {RecordType::CNAME, "CNAME"}, {RecordType::SOA, "SOA"},
    {RecordType::PTR, "PTR"}, {RecordType::MX, "MX"}, {RecordType::TXT, "TXT"}, {RecordType::AAAA, "AAAA"},
    {RecordType::SRV, "SRV"}, {RecordType::OPT, "OPT"}, {RecordType::ANY, "ANY"},
}};

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

}  // namespace

std::vector<std::byte> encodeQuery(std::uint16_t id, std::string_view name, RecordType type,
                                   std::optional<std::uint16_t> ednsPayload, bool recursionDesired) {
    WireName wire;
    toWire(name, wire);
    // Sized once and written in place: this runs for every lookup.
    std::vector<std::byte> out(12 + wire.size + 4 + (ednsPayload ? kOptSize : 0));
    std::byte* p = out.data();
    put16(p, id);
    put16(p + 2, recursionDesired ? 0x0100 : 0);
    put16(p + 4, 1);
    put16(p + 10, ednsPayload ? 1 : 0);  // an and ns counts stay 0
    p += 12;
    std::memcpy(p, wire.bytes.data(), wire.size);
    p += wire.size;
    put16(p, static_cast<std::uint16_t>(type));
    put16(p + 2, kClassIN);
    if (ednsPayload) {
        p += 4;
        p[0] = std::byte{0};  // root owner name
        put16(p + 1, static_cast<std::uint16_t>(RecordType::OPT));
        put16(p + 3, *ednsPayload);  // the class field carries the payload size; ttl, rdlength 0
    }
    return out;
}

std::vector<std::byte> encodeMessage(const Message& message) {
    std::vector<std::byte> out;
    out.reserve(512);
    Writer w(out);
    w.u16(message.header.id);
    w.u16(flagsOf(message.header));
    w.u16(checked16(message.questions.size(), "question count"));
    w.u16(checked16(message.answers.size(), "answer count"));
    w.u16(checked16(message.authority.size(), "authority count"));
    w.u16(checked16(message.additional.size(), "additional count"));
    for (const auto& q : message.questions) {
        w.name(q.name);
        w.u16(static_cast<std::uint16_t>(q.type));
        w.u16(q.klass);
    }
    writeRecords(w, message.answers);
    writeRecords(w, message.authority);
    writeRecords(w, message.additional);
    checked16(out.size(), "message size");
    return out;
}

std::optional<std::uint16_t> Message::ednsPayloadSize() const {
    for (const auto& rr : additional)
        if (rr.type == RecordType::OPT) return rr.klass;
    return std::nullopt;
}

bool namesEqual(std::string_view a, std::string_view b) noexcept {
    // Without escapes (nearly always) a trailing dot is the only thing to look past; this runs
    // for every answer record, so it skips the cursor's byte-at-a-time walk.
    if (a.find('\\') == std::string_view::npos && b.find('\\') == std::string_view::npos) {
        if (!a.empty() && a.back() == '.') a.remove_suffix(1);
        if (!b.empty() && b.back() == '.') b.remove_suffix(1);
        return a.size() == b.size() && (a == b || equalsIgnoringCase(a, b));  // the same case is usual
    }
    NameCursor x(a), y(b);
    for (;;) {
        int p = x.next(), q = y.next();
        if (p >= 0 && q >= 0 ? lower(static_cast<char>(p)) != lower(static_cast<char>(q)) : p != q) return false;
        if (p == NameCursor::kEnd) return true;
    }
}

std::string typeName(RecordType type) {
    for (const auto& known : kTypes)
        if (known.type == type) return std::string(known.name);
    return "TYPE" + std::to_string(static_cast<unsigned>(type));
}

std::optional<RecordType> parseType(std::string_view text) {
    for (const auto& known : kTypes)
        if (equalsIgnoringCase(text, known.name)) return known.type;
    // RFC 3597's generic form for types without a mnemonic.
    if (text.size() < 5 || text.size() > 9 || !equalsIgnoringCase(text.substr(0, 4), "TYPE")) return std::nullopt;
    unsigned value = 0;
    for (char c : text.substr(4)) {
        if (!isDigit(c)) return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 0xFFFF) return std::nullopt;
    return static_cast<RecordType>(value);
}

}  // namespace weft::dns
