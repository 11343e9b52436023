// SPDX-License-Identifier: MIT
// http/message_head.h: what the request and response parsers share about a head: finding its
// end within limits, turning field lines into Headers, and reading the framing fields
// (Content-Length, Transfer-Encoding, Connection). Tests: tests/http/message_head_test.cpp
//
// Nothing here throws for bad input: errors come back as a ParseError, which each parser
// turns into its own exception (MalformedResponse or MalformedRequest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/errors.h"
#include "http/headers.h"

namespace weft::http {

struct ParseError {
    Malformed reason;
    std::uint64_t offset;  // in the stream
    std::string detail;
};

// Finds the blank line that ends a head or a trailer section, a line at a time, remembering
// how far it got so that a head arriving a byte at a time is scanned once. Its verdicts
// depend only on the bytes, never on how they were split: the size limit is checked against
// the limit itself (not against whatever happened to arrive), and the field count at each
// complete line, in order.
class HeadScanner {
public:
    struct Limits {
        std::size_t maxBytes;      // the whole head, blank line included
        std::size_t maxFields;     // field lines (the start line is not one)
        std::size_t maxStartLine;  // start line with its line end; past it: TargetTooLong
    };
    enum class Status { Incomplete, Complete, Failed };

    explicit HeadScanner(bool hasStartLine) : hasStartLine_(hasStartLine) {}
    void reset() noexcept { scanned_ = lines_ = 0; }

    // data starts at the head's first byte; base is its stream offset (for errors).
    Status scan(std::string_view data, const Limits& limits, std::uint64_t base);

    [[nodiscard]] std::size_t headSize() const noexcept { return scanned_; }      // once Complete
    [[nodiscard]] std::size_t fieldCount() const noexcept { return lines_ - (hasStartLine_ ? 1 : 0); }
    [[nodiscard]] bool started() const noexcept { return scanned_ > 0; }
    [[nodiscard]] const ParseError& error() const noexcept { return *error_; }

private:
    bool hasStartLine_;
    std::size_t scanned_ = 0;  // bytes of complete lines looked at
    std::size_t lines_ = 0;    // complete non-blank lines seen
    std::optional<ParseError> error_;
};

// The line starting at text[0], without its LF or a CR before it; npos-free: the caller
// knows a LF follows. next is set to the index after the LF.
[[nodiscard]] std::string_view lineAt(std::string_view text, std::size_t& next) noexcept;

// A byte that may not appear in a start line or field line, with the reason it gives:
// NUL -> NulByte, CR -> BareCR, other controls but HTAB -> `otherwise`.
[[nodiscard]] std::optional<Malformed> badByte(char c, Malformed otherwise) noexcept;

// Parses field lines (text: the first field line through the blank line) into out.
[[nodiscard]] std::optional<ParseError> parseFields(std::string_view text, std::uint64_t base,
                                                    std::size_t fieldCount, Headers& out);

// Content-Length and Transfer-Encoding as RFC 9112 §6 reads them; what to make of them is
// each parser's decision (they differ: a server rejects what a client may tolerate).
struct Framing {
    std::optional<std::uint64_t> contentLength;
    bool hasTransferEncoding = false;
    bool chunkedLast = false;    // the final transfer coding is chunked
    int chunkedCount = 0;        // chunked more than once is never valid
    bool otherCodings = false;   // a coding other than chunked
};
[[nodiscard]] std::optional<ParseError> readFraming(const Headers& headers, std::uint64_t offset, Framing& out);

// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
[[nodiscard]] bool persistsByDefault(int versionMinor, const Headers& headers) noexcept;

// "HTTP/1.x" at text[0..8): sets minor (any digit; 2..9 read as 1.1). Returns the reason if
// it is not: BadStartLine when it does not look like a version, BadVersion when it is one
// we do not speak ("HTTP/2.0").
[[nodiscard]] std::optional<Malformed> parseVersion(std::string_view text, int& minor) noexcept;

}  // namespace weft::http
