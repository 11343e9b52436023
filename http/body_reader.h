// SPDX-License-Identifier: MIT
// http/body_reader.h: a message body as its framing delivers it (RFC 9112 §6, §7): none, a
// Content-Length, the chunked coding with its trailers, or everything until the peer closes.
// Shared by both parsers. Tests: tests/http/body_reader_test.cpp
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/headers.h"
#include "http/input_buffer.h"
#include "http/message_head.h"

namespace weft::http {

enum class BodyKind { None, Length, Chunked, UntilClose };
[[nodiscard]] std::string_view bodyKindName(BodyKind kind) noexcept;  // "none", "length", ...

class BodyReader {
public:
    struct Limits {
        std::uint64_t maxChunkSize;       // past it: ChunkTooLarge
        std::size_t maxChunkLine;         // chunk size, extensions and line end
        HeadScanner::Limits trailers;     // the trailer section, as a head without start line
        std::uint64_t maxBody;            // all chunks together; past it: BodyTooLarge
    };
    enum class Status { NeedData, Data, End, Failed };
    struct Step {
        Status status;
        std::string_view data;  // Data: body bytes, a view into the InputBuffer
    };

    void start(BodyKind kind, std::uint64_t length, const Limits& limits);

    // Takes what it can from input: at most one run of body bytes, or framing up to the next
    // body bytes. Never Failed for UntilClose, and never End for it unless eof.
    [[nodiscard]] Step step(InputBuffer& input, bool eof);

    [[nodiscard]] const ParseError& error() const noexcept { return *error_; }
    [[nodiscard]] Headers takeTrailers() noexcept { return std::move(trailers_); }
    [[nodiscard]] std::uint64_t received() const noexcept { return received_; }
    [[nodiscard]] BodyKind kind() const noexcept { return kind_; }
    // Length: bytes still expected; Chunked: of the current chunk.
    [[nodiscard]] std::uint64_t remaining() const noexcept { return remaining_; }

private:
    enum class Chunk { Size, Data, DataEnd, Trailers };

    Step chunked(InputBuffer& input);
    Step readSizeLine(InputBuffer& input);
    Step fail(Malformed reason, std::uint64_t offset, std::string detail = {});

    BodyKind kind_ = BodyKind::None;
    Limits limits_{};
    Chunk chunk_ = Chunk::Size;
    std::uint64_t remaining_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t declared_ = 0;  // sum of chunk sizes so far, against maxBody
    HeadScanner trailerScanner_{false};
    Headers trailers_;
    std::optional<ParseError> error_;
};

}  // namespace weft::http
