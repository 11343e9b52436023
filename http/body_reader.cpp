// SPDX-License-Identifier: MIT
// http/body_reader.cpp: body framing. Chunk sizes are read strictly (hex digits, then only
// BWS ";" extensions): lenient chunk parsers that skip junk after the size are a classic
// request-smuggling hole. Extensions are skipped, bounded by the chunk-line limit.
// Tests: tests/http/body_reader_test.cpp
#include "http/body_reader.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace weft::http {
namespace {

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string_view bodyKindName(BodyKind kind) noexcept {
    switch (kind) {
        case BodyKind::None: return "none";
        case BodyKind::Length: return "length";
        case BodyKind::Chunked: return "chunked";
        case BodyKind::UntilClose: return "until close";
    }
    return "unknown";
}

void BodyReader::start(BodyKind kind, std::uint64_t length, const Limits& limits) {
    kind_ = kind;
    limits_ = limits;
    chunk_ = Chunk::Size;
    remaining_ = kind == BodyKind::Length ? length : 0;
    received_ = declared_ = 0;
    trailerScanner_.reset();
    trailers_.clear();
    error_.reset();
}

BodyReader::Step BodyReader::fail(Malformed reason, std::uint64_t offset, std::string detail) {
    error_ = ParseError{reason, offset, std::move(detail)};
    return {Status::Failed, {}};
}

BodyReader::Step BodyReader::step(InputBuffer& input, bool eof) {
    if (error_) return {Status::Failed, {}};
    switch (kind_) {
        case BodyKind::None: return {Status::End, {}};
        case BodyKind::Length: {
            if (remaining_ == 0) return {Status::End, {}};
            std::string_view data = input.data();
            if (data.empty()) return {Status::NeedData, {}};
            data = data.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size())));
            input.consume(data.size());
            remaining_ -= data.size();
            received_ += data.size();
            return {Status::Data, data};
        }
        case BodyKind::UntilClose: {
            std::string_view data = input.data();
            if (data.empty()) return {eof ? Status::End : Status::NeedData, {}};
            input.consume(data.size());
            received_ += data.size();
            return {Status::Data, data};
        }
        case BodyKind::Chunked: return chunked(input);
    }
    return {Status::End, {}};
}

BodyReader::Step BodyReader::chunked(InputBuffer& input) {
    for (;;) {
        std::string_view data = input.data();
        switch (chunk_) {
            case Chunk::Size: {
                Step result = readSizeLine(input);
                if (result.status != Status::Data) return result;
                break;  // a size line was consumed: go on to its data or the trailers
            }
            case Chunk::Data: {
                if (data.empty()) return {Status::NeedData, {}};
                data = data.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size())));
                input.consume(data.size());
                remaining_ -= data.size();
                received_ += data.size();
                if (remaining_ == 0) chunk_ = Chunk::DataEnd;
                return {Status::Data, data};
            }
            case Chunk::DataEnd: {
                if (data.empty() || (data[0] == '\r' && data.size() < 2)) return {Status::NeedData, {}};
                if (data[0] == '\n') {
                    input.consume(1);
                } else if (data[0] == '\r' && data[1] == '\n') {
                    input.consume(2);
                } else {
                    std::uint64_t at = input.offset() + (data[0] == '\r' ? 1 : 0);
                    return fail(Malformed::BadChunk, at, "chunk data not followed by CRLF");
                }
                chunk_ = Chunk::Size;
                break;
            }
            case Chunk::Trailers: {
                switch (trailerScanner_.scan(data, limits_.trailers, input.offset())) {
                    case HeadScanner::Status::Incomplete: return {Status::NeedData, {}};
                    case HeadScanner::Status::Failed: error_ = trailerScanner_.error(); return {Status::Failed, {}};
                    case HeadScanner::Status::Complete: break;
                }
                std::size_t size = trailerScanner_.headSize();
                if (auto error = parseFields(data.substr(0, size), input.offset(), trailerScanner_.fieldCount(),
                                             trailers_)) {
                    error_ = std::move(error);
                    return {Status::Failed, {}};
                }
                input.consume(size);
                return {Status::End, {}};
            }
        }
    }
}

// chunk-size [ BWS ";" extensions ] line-end. Returns Data (with no bytes) once a line is
// consumed, so chunked() knows to go on.
BodyReader::Step BodyReader::readSizeLine(InputBuffer& input) {
    std::string_view data = input.data();
    std::uint64_t base = input.offset();
    std::size_t end = std::min(data.size(), limits_.maxChunkLine);
    const void* lf = end > 0 ? std::memchr(data.data(), '\n', end) : nullptr;  // data() may be null
    if (lf == nullptr) {
        if (data.size() < limits_.maxChunkLine) return {Status::NeedData, {}};
        return fail(Malformed::BadChunk, base + limits_.maxChunkLine,
                    "chunk-size line over " + std::to_string(limits_.maxChunkLine) + " bytes");
    }
    std::size_t next = 0;
    std::string_view line = lineAt(data, next);
    std::uint64_t size = 0;
    std::size_t i = 0;
    for (; i < line.size() && hexValue(line[i]) >= 0; ++i) {
        if (size > (limits_.maxChunkSize >> 4)) return fail(Malformed::ChunkTooLarge, base, "over the limit");
        size = size * 16 + static_cast<std::uint64_t>(hexValue(line[i]));
    }
    if (size > limits_.maxChunkSize) return fail(Malformed::ChunkTooLarge, base, std::to_string(size) + " bytes");
    if (i == 0) return fail(Malformed::BadChunk, base + i, "no chunk size");
    std::size_t extension = i;
    while (extension < line.size() && (line[extension] == ' ' || line[extension] == '\t')) ++extension;
    if (extension < line.size() && line[extension] != ';')
        return fail(Malformed::BadChunk, base + extension, "junk after the chunk size");
    if (extension == line.size() && extension != i)
        return fail(Malformed::BadChunk, base + i, "whitespace after the chunk size");
    for (std::size_t k = extension; k < line.size(); ++k) {
        if (auto bad = badByte(line[k], Malformed::BadChunk)) return fail(*bad, base + k, "in a chunk extension");
    }
    if (size > limits_.maxBody - std::min(declared_, limits_.maxBody))
        return fail(Malformed::BodyTooLarge, base, "over " + std::to_string(limits_.maxBody) + " bytes");
    declared_ += size;
    input.consume(next);
    remaining_ = size;
    chunk_ = size == 0 ? Chunk::Trailers : Chunk::Data;
    return {Status::Data, {}};
}

std::size_t leadingBlankLines(std::string_view data) noexcept {
    std::size_t i = 0;
    for (;;) {
        if (i < data.size() && data[i] == '\n') {
            i += 1;
        } else if (i + 1 < data.size() && data[i] == '\r' && data[i + 1] == '\n') {
            i += 2;
        } else {
            return i;
        }
    }
}

void MessageStream::feed(std::string_view bytes) {
    if (eof) throw std::logic_error(std::string(parserName_) + "::feed after feedEof");
    if (state == State::Failed) return;
    if (state == State::Closed) {
        discarded += bytes.size();
        return;
    }
    input.feed(bytes);
    if (state == State::Idle) input.keep();
}

NeedData MessageStream::noMessage() {
    switch (state) {
        case State::Idle: input.keep(); break;
        case State::Closed:
            discarded += input.size();
            input.discardAll();
            break;
        case State::Failed: std::rethrow_exception(failure_);
        case State::Head:
        case State::Body: break;
    }
    return NeedData{};
}

void MessageStream::failNow(std::exception_ptr error) {
    state = State::Failed;
    failure_ = error;
    input.discardAll();
    std::rethrow_exception(failure_);
}

void MessageStream::fail(const ParseError& error) { failNow(malformed_(error, step())); }

void MessageStream::failClosed(std::string_view detail) {
    std::uint64_t received = input.offset() + input.size() - messageStart;
    failNow(std::make_exception_ptr(ConnectionClosed(received, detail, {}, step())));
}

}  // namespace weft::http
