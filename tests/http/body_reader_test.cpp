// SPDX-License-Identifier: MIT
// Tests for http/body_reader.h, driven directly (the parsers' tests drive it from wire bytes).
#include "http/body_reader.h"

#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace weft::http;

namespace {

const BodyReader::Limits kLimits{1u << 20, 64, {1024, 10, 1024}, std::numeric_limits<std::uint64_t>::max()};

// Reads everything available; "" when more is needed, "END" appended when the body ended.
std::string drain(BodyReader& reader, InputBuffer& input, bool eof = false) {
    std::string out;
    for (;;) {
        auto step = reader.step(input, eof);
        if (step.status == BodyReader::Status::Data) {
            out.append(step.data);
            continue;
        }
        if (step.status == BodyReader::Status::End) out += "END";
        if (step.status == BodyReader::Status::Failed) out += "FAILED";
        input.keep();
        return out;
    }
}

}  // namespace

TEST_CASE("no body ends at once; a length body ends at its length") {
    BodyReader reader;
    InputBuffer input;
    reader.start(BodyKind::None, 0, kLimits);
    CHECK(drain(reader, input) == "END");
    reader.start(BodyKind::Length, 5, kLimits);
    input.feed("abc");
    CHECK(drain(reader, input) == "abc");
    CHECK(reader.remaining() == 2);
    input.feed("defgh");
    CHECK(drain(reader, input) == "deEND");
    CHECK(reader.received() == 5);
    CHECK(input.data() == "fgh");
}

TEST_CASE("an until-close body ends only at end of input") {
    BodyReader reader;
    InputBuffer input;
    reader.start(BodyKind::UntilClose, 0, kLimits);
    input.feed("abc");
    CHECK(drain(reader, input) == "abc");
    CHECK(drain(reader, input, true) == "END");
}

TEST_CASE("chunked: data, trailers, and the bytes after the body left alone") {
    BodyReader reader;
    InputBuffer input;
    reader.start(BodyKind::Chunked, 0, kLimits);
    input.feed("3\r\nabc\r\n0\r\nX: y\r\n\r\nnext");
    CHECK(drain(reader, input) == "abcEND");
    CHECK(reader.takeTrailers() == Headers{{"X", "y"}});
    CHECK(input.data() == "next");
    CHECK(input.offset() == 19);
}

TEST_CASE("chunked errors carry the stream offset") {
    BodyReader reader;
    InputBuffer input;
    reader.start(BodyKind::Chunked, 0, kLimits);
    input.feed("3\r\nabcd");
    CHECK(drain(reader, input) == "abcFAILED");
    CHECK(reader.error().reason == Malformed::BadChunk);
    CHECK(reader.error().offset == 6);
}

TEST_CASE("bodyKindName names every kind") {
    CHECK(bodyKindName(BodyKind::None) == "none");
    CHECK(bodyKindName(BodyKind::Length) == "length");
    CHECK(bodyKindName(BodyKind::Chunked) == "chunked");
    CHECK(bodyKindName(BodyKind::UntilClose) == "until close");
}
