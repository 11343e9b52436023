// SPDX-License-Identifier: MIT
// http/response_parser.h: HTTP/1.x responses from bytes (RFC 9112); knows nothing of sockets.
// Tests: tests/http/response_parser_test.cpp, response_framing_test.cpp; fuzzed by
// http/fuzz/fuzz_response.cpp.
//
//   ResponseParser parser;
//   parser.startResponse("GET");               // before the request goes out
//   // in dataReceived:
//   parser.feed(bytes);
//   for (;;) {
//       ResponseEvent event = parser.next();   // throws MalformedResponse, ConnectionClosed
//       if (std::holds_alternative<NeedData>(event)) break;
//       ...                                    // Informational, ResponseHead, BodyData, MessageEnd
//   }
//   // in connectionLost: parser.feedEof(), then next() as above.
//
// Lifetimes. feed() does not copy: the bytes must stay valid until next() returns NeedData
// or MessageEnd (or throws), so call next() until one of those before returning to the
// reactor (bytes fed between a MessageEnd and the next startResponse() are copied at once). The parser copies only what it must keep past that point (a partial head, the
// start of a chunk line, bytes after a response). BodyData::bytes is valid until the next
// call to next() or feed().
//
// Errors. next() throws MalformedResponse (reason and stream offset) for bytes that break
// RFC 9112, and ConnectionClosed when feedEof() came before the response was complete; both
// with url() empty, for the client to fill in with withContext(). After a throw, every
// next() throws the same error again.
//
// Decisions where the RFC leaves a choice:
// - Lone LF line ends are accepted; a CR not followed by LF, NUL and other control bytes in
//   the head, obs-fold and whitespace before a colon are errors.
// - Blank lines before a status line are skipped (some servers send a stray CRLF after a body).
// - "HTTP/1.2".."HTTP/1.9" are read as 1.1; other majors are BadVersion. The SP before an
//   empty reason phrase may be missing. Status codes outside 100..599 are BadStatus.
// - 1xx other than 101 are reported as Informational (at most max1xx of them); 101 is
//   UnexpectedUpgrade, since weft never asks to upgrade.
// - Content-Length: "5, 5" and repeated equal fields mean 5; differing values are
//   ConflictingContentLength; anything but digits, or over 2^63-1, is BadContentLength.
// - Transfer-Encoding whose last coding is chunked: chunked framing (other codings before it
//   are left in the body, undecoded). Any other last coding: read until close (RFC 9112 §6.3).
//   chunked twice, or any Transfer-Encoding in an HTTP/1.0 response: BadTransferEncoding.
//   With Content-Length too, Transfer-Encoding wins and the connection is not reused.
// - After a response that does not keep the connection, further bytes are discarded (and
//   counted by discarded()); after one that does, they wait for the next startResponse().
//   A missing final CRLF after the last chunk is incomplete, like any other truncation.
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

// A 1xx interim response (100 Continue, 103 Early Hints); the final response follows.
struct Informational {
    int status = 0;
    std::string reason;
    Headers headers;
};

struct ResponseHead {
    int versionMinor = 1;  // 0 or 1
    int status = 0;
    std::string reason;
    Headers headers;
    BodyKind body = BodyKind::None;
    std::optional<std::uint64_t> contentLength;  // as announced, even when there is no body (HEAD)
    bool keepAlive = false;  // what MessageEnd will say, known early for pools that care
};

using ResponseEvent = std::variant<NeedData, Informational, ResponseHead, BodyData, MessageEnd>;

class ResponseParser {
public:
    struct Limits {
        std::size_t maxHeadBytes = 64 * 1024;       // status line, fields and blank line; trailers too
        std::size_t maxHeaders = 100;               // field lines in a head or a trailer section
        std::size_t max1xx = 10;                    // interim responses before the final one
        std::uint64_t maxChunkSize = std::uint64_t(1) << 62;
        std::size_t maxChunkLineBytes = 4096;       // chunk size, extensions and line end
    };

    ResponseParser();
    explicit ResponseParser(Limits limits);

    // The next response answers a request with this method: "HEAD" means no body whatever the
    // head says. Call it before sending each request, after the previous MessageEnd.
    void startResponse(std::string_view requestMethod);
    void feed(std::string_view bytes) { stream_.feed(bytes); }
    void feed(std::span<const std::byte> bytes) {
        feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    // The peer closed: ends a read-until-close body; anything else unfinished fails next()
    // with ConnectionClosed. feed() after it is a logic_error.
    void feedEof() { stream_.feedEof(); }

    [[nodiscard]] ResponseEvent next();

    // True between startResponse() and its MessageEnd.
    [[nodiscard]] bool inResponse() const noexcept {
        return stream_.state == State::Head || stream_.state == State::Body;
    }
    // Bytes fed and not yet parsed (after a keep-alive MessageEnd: bytes nobody asked for).
    [[nodiscard]] std::size_t buffered() const noexcept { return stream_.input.size(); }
    [[nodiscard]] std::uint64_t discarded() const noexcept { return stream_.discarded; }

private:
    using State = MessageStream::State;

    ResponseEvent parseHead(std::string_view head);
    ResponseEvent finalHead(ResponseHead head, std::uint64_t at);
    [[noreturn]] void fail(const ParseError& error) { stream_.fail(error); }

    Limits limits_;
    MessageStream stream_;
    bool headRequest_ = false;
    bool connectRequest_ = false;
    std::size_t interim_ = 0;
};

}  // namespace weft::http
