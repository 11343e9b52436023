// SPDX-License-Identifier: MIT
// tests/dns/wire_builder.h: what the codec's tests share: Wire, which builds DNS messages byte
// by byte (so a test can say exactly which byte is wrong), and malformedReason, which decodes
// and returns the reason the decoder gave.
//
//   Wire w;
//   w.header(0x1234, 0x8180, 1, 1, 0, 0).name("example.com").u16(1).u16(1);
//   w.ptr(12).u16(1).u16(1).u32(300).u16(4).raw({93, 184, 216, 34});
//   weft::dns::Message m = weft::dns::decodeMessage(w.bytes);
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "dns/message.h"

namespace weft::dns::testing {

struct Wire {
    std::vector<std::byte> bytes;

    [[nodiscard]] std::size_t size() const { return bytes.size(); }
    Wire& u8(unsigned v) {
        bytes.push_back(std::byte(v & 0xFF));
        return *this;
    }
    Wire& u16(unsigned v) { return u8(v >> 8).u8(v); }
    Wire& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xFFFF); }
    Wire& raw(std::initializer_list<unsigned> values) {
        for (unsigned v : values) u8(v);
        return *this;
    }
    Wire& text(std::string_view s) {
        for (char c : s) u8(static_cast<unsigned char>(c));
        return *this;
    }
    // Plain labels split at '.', no escapes, ending with the root; "" is the root alone.
    Wire& labels(std::string_view dotted) {
        while (!dotted.empty()) {
            auto dot = dotted.find('.');
            auto label = dotted.substr(0, dot);
            u8(static_cast<unsigned>(label.size())).text(label);
            dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
        }
        return *this;
    }
    Wire& name(std::string_view dotted) { return labels(dotted).u8(0); }
    Wire& ptr(unsigned offset) { return u16(0xC000 | offset); }
    Wire& header(unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar) {
        return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    // A record's fixed part after its name: type, class IN, ttl, rdlength.
    Wire& rr(RecordType type, std::uint32_t ttl, unsigned rdlength) {
        return u16(static_cast<unsigned>(type)).u16(kClassIN).u32(ttl).u16(rdlength);
    }
    void set16(std::size_t at, unsigned v) {
        bytes.at(at) = std::byte((v >> 8) & 0xFF);
        bytes.at(at + 1) = std::byte(v & 0xFF);
    }
};

// The reason decodeMessage gave, or nothing (and a failed check) if it decoded.
inline std::optional<Malformed> malformedReason(std::span<const std::byte> wire, std::size_t* offset = nullptr) {
    try {
        (void)decodeMessage(wire);
    } catch (const MalformedMessage& e) {
        if (offset) *offset = e.offset();
        return e.reason();
    }
    FAIL_CHECK("decoded without an error");
    return std::nullopt;
}

inline std::vector<std::byte> bytesOf(std::initializer_list<unsigned> values) {
    Wire w;
    w.raw(values);
    return w.bytes;
}

}  // namespace weft::dns::testing
