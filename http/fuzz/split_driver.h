// SPDX-License-Identifier: MIT
// http/fuzz/split_driver.h: what the parser fuzz targets share. The input is fed twice, whole
// and cut into pieces chosen by its first bytes, each piece in its own heap buffer freed as
// soon as next() returns NeedData (so ASan catches a view kept too long); the two transcripts
// of events must be equal. Only the parsers' typed errors are caught: anything else crashes.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/request_parser.h"
#include "http/response_parser.h"

namespace weft::http::fuzz {

// The piece sizes: 0 -> whole, 1 -> byte by byte, otherwise pseudo-random 1..64.
inline std::vector<std::string_view> cut(std::string_view input, std::uint8_t mode, std::uint8_t seed) {
    std::vector<std::string_view> pieces;
    if (mode % 4 == 0) {
        pieces.push_back(input);
        return pieces;
    }
    std::uint32_t state = 0x9e3779b9u ^ (static_cast<std::uint32_t>(seed) << 8 | mode);
    for (std::size_t pos = 0; pos < input.size();) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        std::size_t n = mode % 4 == 1 ? 1 : 1 + state % 64;
        pieces.push_back(input.substr(pos, n));
        pos += n;
    }
    return pieces;
}

inline void check(bool ok) {
    if (!ok) std::abort();
}

// Feeds pieces, draining next() after each; restart() runs at a keep-alive MessageEnd.
template <class Parser, class Restart>
std::vector<std::string> transcript(Parser parser, const std::vector<std::string_view>& pieces, bool eof,
                                    Restart restart) {
    std::vector<std::string> out;
    std::uint64_t body = 0;
    std::optional<std::uint64_t> length;
    bool counted = false;
    auto drain = [&]() -> bool {
        for (;;) {
            try {
                auto event = parser.next();
                if (std::holds_alternative<NeedData>(event)) return true;
                if (auto* data = std::get_if<BodyData>(&event)) {
                    check(!data->bytes.empty());
                    body += data->bytes.size();
                    if (length) check(body <= *length);
                    continue;
                }
                if (auto* end = std::get_if<MessageEnd>(&event)) {
                    if (length) check(body == *length);
                    out.push_back("end " + std::to_string(body) + " " + std::to_string(end->keepAlive) + " " +
                                  std::to_string(end->trailers.size()));
                    body = 0;
                    if (end->keepAlive) restart(parser);
                    continue;
                }
                std::visit(
                    [&](const auto& e) {
                        using E = std::decay_t<decltype(e)>;
                        if constexpr (std::is_same_v<E, ResponseHead> || std::is_same_v<E, RequestHead>) {
                            counted = e.body == BodyKind::Length || e.body == BodyKind::None;
                            length = counted ? std::optional<std::uint64_t>(e.body == BodyKind::None
                                                                                ? 0
                                                                                : e.contentLength.value_or(0))
                                             : std::nullopt;
                            out.push_back("head " + std::to_string(e.headers.size()) + " " +
                                          std::string(bodyKindName(e.body)));
                        } else if constexpr (std::is_same_v<E, Informational>) {
                            out.push_back("1xx " + std::to_string(e.status));
                        }
                    },
                    event);
            } catch (const MalformedResponse& e) {
                out.push_back("error " + std::to_string(static_cast<int>(e.reason())) + " @" + std::to_string(e.offset()));
                return false;
            } catch (const MalformedRequest& e) {
                out.push_back("error " + std::to_string(static_cast<int>(e.reason())) + " @" + std::to_string(e.offset()));
                return false;
            } catch (const ConnectionClosed& e) {
                out.push_back("closed " + std::to_string(e.received()));
                return false;
            }
        }
    };
    for (std::string_view piece : pieces) {
        auto copy = std::make_unique<char[]>(piece.size());
        std::memcpy(copy.get(), piece.data(), piece.size());
        parser.feed(std::string_view(copy.get(), piece.size()));
        if (!drain()) return out;
    }
    if (eof) {
        parser.feedEof();
        drain();
    }
    if (body > 0) out.push_back("partial " + std::to_string(body));
    return out;
}

// What each target checks: the input (data after its first two bytes) gives the same
// transcript fed whole as cut the way data[0] >> 2 and data[1] choose; bit 1 of data[0] ends
// both with feedEof. make() gives a fresh parser; size must be at least 2.
template <class Make, class Restart>
void checkSplits(const std::uint8_t* data, std::size_t size, Make make, Restart restart) {
    bool eof = (data[0] & 2) != 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
    auto whole = transcript(make(), {input}, eof, restart);
    auto pieces = transcript(make(), cut(input, static_cast<std::uint8_t>(data[0] >> 2), data[1]), eof, restart);
    check(whole == pieces);
}

}  // namespace weft::http::fuzz
