// SPDX-License-Identifier: MIT
// tests/http/split_feed.h: runs a parser over one input cut in every possible way (whole, in
// two at each byte, a byte at a time) and checks that every cut gives the same transcript.
// Each piece lives in its own heap buffer, freed as soon as the parser returns NeedData, so a
// parser that kept a view of the caller's bytes too long is caught by ASan. parseResponse: the
// same for a ResponseParser answering `method`, started again after each kept-alive response.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_parser.h"
#include "http/response_parser.h"

namespace weft::http::testing {

using Transcript = std::vector<std::string>;

inline std::string describeHeaders(const Headers& headers) {
    std::string out;
    for (auto [name, value] : headers) out += "[" + std::string(name) + ": " + std::string(value) + "]";
    return out;
}

inline std::string describe(const Informational& e) {
    return "1xx " + std::to_string(e.status) + " " + e.reason + " " + describeHeaders(e.headers);
}
inline std::string describe(const ResponseHead& e) {
    return "head 1." + std::to_string(e.versionMinor) + " " + std::to_string(e.status) + " " + e.reason +
           " body=" + std::string(bodyKindName(e.body)) +
           " cl=" + (e.contentLength ? std::to_string(*e.contentLength) : "-") + " ka=" + (e.keepAlive ? "1" : "0") +
           " " + describeHeaders(e.headers);
}
inline std::string describe(const RequestHead& e) {
    return "request " + e.method + " " + e.target + " 1." + std::to_string(e.versionMinor) +
           " body=" + std::string(bodyKindName(e.body)) +
           " cl=" + (e.contentLength ? std::to_string(*e.contentLength) : "-") + " ka=" + (e.keepAlive ? "1" : "0") +
           (e.expectContinue ? " expect-100" : "") + " " + describeHeaders(e.headers);
}
inline std::string describe(const MessageEnd& e) {
    return std::string("end ka=") + (e.keepAlive ? "1" : "0") +
           (e.trailers.empty() ? "" : " trailers=" + describeHeaders(e.trailers));
}

// Feeds pieces in order, draining next() after each; afterEnd runs at every MessageEnd (to
// start the next response, say). Body bytes are merged into one "body:" line per message.
template <class Parser>
Transcript runPieces(Parser parser, const std::vector<std::string_view>& pieces, bool eof,
                     const std::function<void(Parser&, const MessageEnd&)>& afterEnd = {}) {
    Transcript out;
    bool inBody = false;
    auto drain = [&]() -> bool {
        for (;;) {
            try {
                auto event = parser.next();
                if (std::holds_alternative<NeedData>(event)) return true;
                if (auto* body = std::get_if<BodyData>(&event)) {
                    CHECK(!body->bytes.empty());
                    if (!inBody) out.push_back("body:");
                    inBody = true;
                    out.back().append(body->bytes);
                    continue;
                }
                inBody = false;
                std::visit(
                    [&](const auto& e) {
                        using E = std::decay_t<decltype(e)>;
                        if constexpr (!std::is_same_v<E, NeedData> && !std::is_same_v<E, BodyData>)
                            out.push_back(describe(e));
                    },
                    event);
                if (auto* end = std::get_if<MessageEnd>(&event); end && afterEnd) afterEnd(parser, *end);
            } catch (const MalformedRequest& e) {
                out.push_back("error " + std::string(weft::http::describe(e.reason())) + " @" +
                              std::to_string(e.offset()) + " status=" + std::to_string(e.statusHint()));
                return false;
            } catch (const MalformedResponse& e) {
                out.push_back("error " + std::string(weft::http::describe(e.reason())) + " @" +
                              std::to_string(e.offset()));
                return false;
            } catch (const ConnectionClosed& e) {
                out.push_back("closed " + std::to_string(e.received()));
                return false;
            }
        }
    };
    for (std::string_view piece : pieces) {
        auto copy = std::make_unique<char[]>(piece.size() + 1);
        std::memcpy(copy.get(), piece.data(), piece.size());
        parser.feed(std::string_view(copy.get(), piece.size()));
        if (!drain()) return out;
        std::memset(copy.get(), '#', piece.size());  // what a reused socket buffer would do
    }
    if (eof) {
        parser.feedEof();
        drain();
    }
    return out;
}

// The transcript of input fed whole, after checking that every other cut gives the same.
template <class Parser>
Transcript everySplit(const std::function<Parser()>& make, std::string_view input, bool eof,
                      const std::function<void(Parser&, const MessageEnd&)>& afterEnd = {}) {
    Transcript whole = runPieces(make(), {input}, eof, afterEnd);
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        Transcript split = runPieces(make(), {input.substr(0, cut), input.substr(cut)}, eof, afterEnd);
        if (split != whole) {
            INFO("cut at byte " << cut);
            CHECK(split == whole);
            return whole;
        }
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
    CHECK(runPieces(make(), bytes, eof, afterEnd) == whole);
    return whole;
}

// everySplit over a ResponseParser with `limits`, started for `method` and started again for it
// after every response that keeps the connection.
inline Transcript parseResponse(std::string_view input, bool eof = false, std::string method = "GET",
                                ResponseParser::Limits limits = {}) {
    return everySplit<ResponseParser>(
        [&] {
            ResponseParser parser(limits);
            parser.startResponse(method);
            return parser;
        },
        input, eof, [&](ResponseParser& parser, const MessageEnd& end) {
            if (end.keepAlive) parser.startResponse(method);
        });
}

}  // namespace weft::http::testing
