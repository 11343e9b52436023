// SPDX-License-Identifier: MIT
// dns/message.h: DNS messages (RFC 1035) as values, and their wire codec. Sans-I/O: bytes in,
// a Message or a typed MalformedMessage out; no sockets. Tests: tests/dns/message_parser_test.cpp
// and tests/dns/message_writer_test.cpp; fuzzed by dns/fuzz/fuzz_message.cpp.
//
//   auto query = weft::dns::encodeQuery(0x1234, "example.com", weft::dns::RecordType::AAAA);
//   weft::dns::Message reply = weft::dns::decodeMessage(bytesFromServer);  // or throws
//   for (auto& rr : reply.answers)
//       if (auto* ip = std::get_if<weft::dns::IPAddress>(&rr.data)) use(*ip);
//
// Names are kept in presentation form without the trailing dot ("www.example.com", "" for the
// root). A label byte that is '.', '\\' or outside 0x21..0x7e is written as "\\." / "\\\\" /
// "\\DDD" (RFC 4343), so every wire name survives a decode/encode round trip. Names compare
// case-insensitively (namesEqual). The decoder checks every length, count and offset and never
// reads outside the span it was given. A name being parsed from presentation form also takes
// "\\X" for any other non-digit X (RFC 1035 section 5.1), and raw bytes as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dns/errors.h"
#include "dns/ip_address.h"

namespace weft::dns {

// Any 16-bit value is a valid RecordType: unknown types travel as RawData.
enum class RecordType : std::uint16_t {
    A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33,
    OPT = 41, ANY = 255,
};
[[nodiscard]] std::string typeName(RecordType type);                    // "AAAA", "TYPE65"
[[nodiscard]] std::optional<RecordType> parseType(std::string_view text);  // "aaaa", "TYPE65"

enum class Rcode : std::uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NXDomain = 3, NotImp = 4, Refused = 5 };

inline constexpr std::uint16_t kClassIN = 1;

struct Header {
    std::uint16_t id = 0;
    bool response = false;
    std::uint8_t opcode = 0;  // 0: QUERY
    bool authoritative = false;
    bool truncated = false;
    bool recursionDesired = true;
    bool recursionAvailable = false;
    bool authenticData = false;
    bool checkingDisabled = false;
    Rcode rcode = Rcode::NoError;  // the header's 4 bits (values 6..15 kept as they are)
};

struct Question {
    std::string name;
    RecordType type = RecordType::A;
    std::uint16_t klass = kClassIN;
};

struct NameData { std::string name; };  // CNAME, NS, PTR
struct SoaData {
    std::string mname, rname;
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
struct MxData { std::uint16_t preference = 0; std::string exchange; };
struct TxtData { std::vector<std::string> strings; };
struct SrvData { std::uint16_t priority = 0, weight = 0, port = 0; std::string target; };
struct RawData { std::vector<std::byte> bytes; };  // unknown types, OPT

// A and AAAA hold an IPAddress.
using RData = std::variant<IPAddress, NameData, SoaData, MxData, TxtData, SrvData, RawData>;

struct ResourceRecord {
    std::string name;
    RecordType type = RecordType::A;
    std::uint16_t klass = kClassIN;  // for OPT: the sender's UDP payload size
    std::uint32_t ttl = 0;           // for OPT: extended rcode, version and flags
    RData data;
};

struct Message {
    Header header;
    std::vector<Question> questions;
    std::vector<ResourceRecord> answers;
    std::vector<ResourceRecord> authority;
    std::vector<ResourceRecord> additional;  // an OPT record, if any, stays here

    // The UDP payload size of the OPT record in additional, if there is one.
    [[nodiscard]] std::optional<std::uint16_t> ednsPayloadSize() const;
};

// A standard query for one question. ednsPayload adds an OPT record advertising that UDP size
// (RFC 6891); nullopt sends none. Throws InvalidName.
[[nodiscard]] std::vector<std::byte> encodeQuery(std::uint16_t id, std::string_view name, RecordType type,
                                                 std::optional<std::uint16_t> ednsPayload = 1232,
                                                 bool recursionDesired = true);

// Any message, names compressed against earlier ones: what a server (or a test's fake one)
// sends. Record data is written as `data` holds it, whatever `type` says, so a fake server can
// send an A record holding RawData of 5 bytes. Throws InvalidName, or std::length_error for a
// TXT string over 255 bytes, rdata over 65535 bytes or a message over 65535.
[[nodiscard]] std::vector<std::byte> encodeMessage(const Message& message);

// Decodes a whole message; throws MalformedMessage (reason and offset) for anything else.
// Bytes after the last record are ignored, as most stub resolvers do (some servers pad), so
// Malformed::TrailingBytes is never thrown; a length byte of 64 or more is a label type, so a
// label over 63 arrives as BadLabelType. A and AAAA decode by type alone, in any class.
[[nodiscard]] Message decodeMessage(std::span<const std::byte> wire);

// Case-insensitive (ASCII) comparison of two presentation-form names; a trailing dot on either
// is ignored.
[[nodiscard]] bool namesEqual(std::string_view a, std::string_view b) noexcept;

}  // namespace weft::dns
