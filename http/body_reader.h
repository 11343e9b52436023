// SPDX-License-Identifier: MIT
// http/body_reader.h: a message body as its framing delivers it (RFC 9112 §6, §7): none, a
// Content-Length, the chunked coding with its trailers, or everything until the peer closes.
// Shared by both parsers, with MessageStream: the mechanics both parsers' state machines share
// (feeding, failing, a head's scan, a body's steps) and the events they share (NeedData,
// BodyData, MessageEnd). Tests: tests/http/body_reader_test.cpp
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "http/errors.h"
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

struct NeedData {};  // feed more bytes (or feedEof()), then call next() again

struct BodyData {
    std::string_view bytes;  // valid until the next call to next() or feed()
};

struct MessageEnd {
    bool keepAlive = false;  // the connection may carry another request
    Headers trailers;        // from a chunked body's trailer section; usually empty
};

// What RequestParser and ResponseParser share between events: the bytes fed and not yet
// parsed, the head being scanned, the body being read, the end of input, and the failure
// that ends the stream. What a head means, and what to decide from it, stays in each parser.
class MessageStream {
public:
    enum class State { Idle, Head, Body, Closed, Failed };  // Idle: the request parser has none
    // The parser's own exception (MalformedRequest, MalformedResponse) for a ParseError.
    using MakeError = std::exception_ptr (*)(const ParseError& error, Step step);

    MessageStream(State initial, MakeError malformed, const char* parserName)
        : state(initial), malformed_(malformed), parserName_(parserName) {}

    // logic_error after feedEof(); dropped once Failed, discarded (and counted) once Closed,
    // copied at once when Idle (no event will come for them until a message starts).
    void feed(std::string_view bytes);
    void feedEof() noexcept { eof = true; }

    // next() when there is nothing to parse: Idle (input kept), Closed (input discarded),
    // Failed (rethrows the failure).
    NeedData noMessage();

    // The parser's exception for `error`, and ConnectionClosed for an end of input before a
    // message's end (the bytes received since messageStart); both remembered and thrown again
    // by every later next(), with the input dropped.
    [[noreturn]] void fail(const ParseError& error);
    [[noreturn]] void failClosed(std::string_view detail);

    // In state Head: skips blank lines before a head (and, when `moveStart`, moves messageStart
    // past them), scans for the head's end, and once it is complete returns parse(head) with
    // the head consumed. Until then NeedData, with the input kept; at the end of input,
    // atEof(bytes so far) may name what is missing (a std::optional<std::string>): then fails
    // with ConnectionClosed.
    template <class Event, class Parse, class AtEof>
    Event readHead(const HeadScanner::Limits& limits, bool moveStart, AtEof atEof, Parse parse);

    // In state Body: BodyData, NeedData (at the end of input: ConnectionClosed(incomplete())),
    // or MessageEnd, after which the state is `next` if the connection is kept alive (the
    // bytes after it kept), else Closed (discarded).
    template <class Event, class Incomplete>
    Event readBody(State next, Incomplete incomplete);

    State state;
    InputBuffer input;
    HeadScanner scanner{true};
    BodyReader body;
    bool eof = false;
    bool keepAlive = false;            // what MessageEnd will say
    std::uint64_t messageStart = 0;    // stream offset of this message's first byte
    std::uint64_t discarded = 0;

private:
    [[noreturn]] void failNow(std::exception_ptr error);
    [[nodiscard]] Step step() const noexcept { return state == State::Body ? Step::ReadBody : Step::ReadHeaders; }

    MakeError malformed_;
    const char* parserName_;
    std::exception_ptr failure_;
};

// Bytes a blank line starts with, skipped before a start line: "\n", "\r\n". Returns how many
// may be dropped from data now; stops at a lone "\r" at the end (its LF may follow).
[[nodiscard]] std::size_t leadingBlankLines(std::string_view data) noexcept;

template <class Event, class Parse, class AtEof>
Event MessageStream::readHead(const HeadScanner::Limits& limits, bool moveStart, AtEof atEof, Parse parse) {
    if (!scanner.started()) {
        input.consume(leadingBlankLines(input.data()));
        if (moveStart) messageStart = input.offset();
    }
    std::string_view data = input.data();
    switch (scanner.scan(data, limits, input.offset())) {
        case HeadScanner::Status::Failed: fail(scanner.error());
        case HeadScanner::Status::Incomplete:
            if (eof) {
                if (std::optional<std::string> missing = atEof(data)) failClosed(*missing);
            }
            input.keep();
            return NeedData{};
        case HeadScanner::Status::Complete: break;
    }
    std::string_view head = data.substr(0, scanner.headSize());
    Event event = parse(head);  // copies what it keeps, so consuming after is safe
    input.consume(head.size());
    scanner.reset();
    return event;
}

template <class Event, class Incomplete>
Event MessageStream::readBody(State next, Incomplete incomplete) {
    BodyReader::Step step = body.step(input, eof);
    switch (step.status) {
        case BodyReader::Status::Data: return BodyData{step.data};
        case BodyReader::Status::Failed: fail(body.error());
        case BodyReader::Status::NeedData:
            if (eof) failClosed(incomplete());
            input.keep();
            return NeedData{};
        case BodyReader::Status::End: break;
    }
    MessageEnd end{keepAlive, body.takeTrailers()};
    state = keepAlive ? next : State::Closed;
    if (state == State::Closed) {
        discarded += input.size();
        input.discardAll();
    } else {
        input.keep();
    }
    return end;
}

}  // namespace weft::http
