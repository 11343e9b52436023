// SPDX-License-Identifier: MIT
// http/request_parser.h: HTTP/1.x requests from bytes (RFC 9112), the server's side of
// ResponseParser, with the same feed/next shape, lifetimes and events (NeedData, BodyData and
// MessageEnd are shared, in http/body_reader.h; see http/response_parser.h).
// Tests: tests/http/request_parser_test.cpp; fuzzed by http/fuzz/fuzz_request.cpp.
//
//   RequestParser parser;
//   parser.feed(bytes);                      // several pipelined requests may arrive at once
//   for (;;) {
//       RequestEvent event = parser.next();  // throws MalformedRequest (statusHint()), ConnectionClosed
//       if (std::holds_alternative<NeedData>(event)) break;
//       ...                                  // RequestHead, BodyData, MessageEnd, in order
//   }
//
// Decisions where the RFC leaves a choice (the server is stricter than the client: what it
// accepts, a proxy in front of it might read differently):
// - Lone LF line ends are accepted; bare CR, NUL, obs-fold, whitespace before a colon are 400.
// - Blank lines before a request line are skipped (RFC 9112 §2.2); a clean close there is not
//   an error: next() just returns NeedData.
// - Targets: origin-form, absolute-form, "*" for OPTIONS, authority-form for CONNECT only.
//   Bytes >= 0x80 in a target are accepted as they are; space and controls are not.
// - HTTP/1.1 needs exactly one Host; HTTP/1.0 at most one (RFC 9112 §3.2).
// - Transfer-Encoding with Content-Length is rejected (400), not resolved: a request that two
//   parsers may frame differently is how smuggling works. So is Transfer-Encoding in HTTP/1.0,
//   chunked twice or not last (400); a coding other than chunked before it is 501.
// - Content-Length over maxBodyBytes is 413 at once; chunked bodies are 413 as soon as the
//   declared chunk sizes pass it.
// - Expect: 100-continue is reported (expectContinue) for HTTP/1.1 only, as RFC 9110 §10.1.1
//   says; the server decides whether to send 100 Continue.
// - After a request that does not keep the connection, further bytes are discarded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "http/body_reader.h"  // NeedData, BodyData, MessageEnd, MessageStream
#include "http/errors.h"
#include "http/headers.h"
#include "http/input_buffer.h"
#include "http/message_head.h"

namespace weft::http {

struct RequestHead {
    std::string method;
    std::string target;  // as sent: "/a?b", "http://host/a", "*", "host:443"
    int versionMinor = 1;
    Headers headers;
    BodyKind body = BodyKind::None;  // None, Length or Chunked: a request is never read until close
    std::optional<std::uint64_t> contentLength;
    bool expectContinue = false;  // the client waits for 100 Continue before sending the body
    bool keepAlive = false;       // what MessageEnd will say
};

using RequestEvent = std::variant<NeedData, RequestHead, BodyData, MessageEnd>;

class RequestParser {
public:
    struct Limits {
        std::size_t maxHeadBytes = 64 * 1024;    // request line, fields, blank line; trailers too
        std::size_t maxHeaders = 100;
        std::size_t maxRequestLineBytes = 8 * 1024;  // past it: TargetTooLong (414)
        std::uint64_t maxBodyBytes = 16 * 1024 * 1024;
        std::uint64_t maxChunkSize = std::uint64_t(1) << 62;
        std::size_t maxChunkLineBytes = 4096;
    };

    RequestParser();
    explicit RequestParser(Limits limits);

    void feed(std::string_view bytes) { stream_.feed(bytes); }
    void feed(std::span<const std::byte> bytes) {
        feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    void feedEof() { stream_.feedEof(); }  // the client closed (or half-closed) its side
    [[nodiscard]] RequestEvent next();

    [[nodiscard]] bool inRequest() const noexcept;  // some of a request has arrived, not all
    [[nodiscard]] std::size_t buffered() const noexcept { return stream_.input.size(); }
    [[nodiscard]] std::uint64_t discarded() const noexcept { return stream_.discarded; }

private:
    using State = MessageStream::State;  // Idle is not used: a request just comes

    RequestEvent parseHead(std::string_view head);
    void parseRequestLine(std::string_view line, std::uint64_t base, RequestHead& out);
    void checkHost(const RequestHead& head, std::uint64_t base);
    void decideFraming(RequestHead& head, std::uint64_t base);
    [[noreturn]] void fail(const ParseError& error) { stream_.fail(error); }

    Limits limits_;
    MessageStream stream_;
};

}  // namespace weft::http
