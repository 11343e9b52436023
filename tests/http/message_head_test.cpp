// SPDX-License-Identifier: MIT
// Tests for http/message_head.h: the head scanner's limits, field parsing and framing fields.
// The parsers' tests cover the same rules from wire bytes; these pin the shared pieces.
#include "http/message_head.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace weft::http;

namespace {

constexpr HeadScanner::Limits kLimits{100, 3, 100};

}  // namespace

TEST_CASE("the scanner finds the blank line, remembering how far it got") {
    HeadScanner scanner(true);
    std::string head = "HTTP/1.1 200 OK\r\nA: 1\r\n\r\nbody";
    CHECK(scanner.scan(head.substr(0, 10), kLimits, 0) == HeadScanner::Status::Incomplete);
    CHECK(scanner.scan(head.substr(0, 20), kLimits, 0) == HeadScanner::Status::Incomplete);
    CHECK(scanner.started());
    CHECK(scanner.scan(head, kLimits, 0) == HeadScanner::Status::Complete);
    CHECK(scanner.headSize() == 25);
    CHECK(scanner.fieldCount() == 1);
    scanner.reset();
    CHECK(!scanner.started());
}

TEST_CASE("a trailer section may be empty; its first blank line ends it") {
    HeadScanner scanner(false);
    CHECK(scanner.scan("\r\nrest", kLimits, 0) == HeadScanner::Status::Complete);
    CHECK(scanner.headSize() == 2);
    CHECK(scanner.fieldCount() == 0);
}

TEST_CASE("the scanner fails at the limit, not at whatever arrived") {
    HeadScanner scanner(true);
    std::string longLine(150, 'x');
    CHECK(scanner.scan(longLine.substr(0, 99), kLimits, 1000) == HeadScanner::Status::Incomplete);
    CHECK(scanner.scan(longLine, kLimits, 1000) == HeadScanner::Status::Failed);
    CHECK(scanner.error().reason == Malformed::HeaderTooLarge);
    CHECK(scanner.error().offset == 1100);
    // A shorter start-line limit gives TargetTooLong.
    HeadScanner request(true);
    CHECK(request.scan(longLine, {100, 3, 20}, 0) == HeadScanner::Status::Failed);
    CHECK(request.error().reason == Malformed::TargetTooLong);
    CHECK(request.error().offset == 20);
    HeadScanner many(true);
    CHECK(many.scan("S\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", kLimits, 0) == HeadScanner::Status::Failed);
    CHECK(many.error().reason == Malformed::TooManyHeaders);
    CHECK(many.error().offset == 21);
}

TEST_CASE("parseFields trims values and reports the first bad byte") {
    Headers headers;
    CHECK(!parseFields("A:1\r\nB: \t2 \r\nC:\r\n\r\n", 0, 3, headers));
    CHECK(headers == Headers{{"A", "1"}, {"B", "2"}, {"C", ""}});
    Headers bad;
    auto error = parseFields("A: 1\r\nB : 2\r\n\r\n", 100, 2, bad);
    REQUIRE(error);
    CHECK(error->reason == Malformed::BadHeader);
    CHECK(error->offset == 107);
}

TEST_CASE("parseFields: tabs and obs-text pass in values; each bad name or value byte has its own reason") {
    Headers headers;
    CHECK(!parseFields("A: x\ty\r\nB: caf\xc3\xa9\r\n\r\n", 0, 2, headers));
    CHECK(headers == Headers{{"A", "x\ty"}, {"B", "caf\xc3\xa9"}});
    struct Case {
        std::string text;
        Malformed reason;
        std::uint64_t offset;
        std::string detail;
    };
    const Case cases[] = {
        {"A@: b\r\n\r\n", Malformed::BadHeader, 1, "field name is not a token"},
        {"A\tB: c\r\n\r\n", Malformed::BadHeader, 1, "whitespace in or after a field name"},
        {": b\r\n\r\n", Malformed::BadHeader, 0, "empty field name"},
        {"NoColon\x01\r\n\r\n", Malformed::BadHeader, 0, "no colon"},
        {std::string("No\0Colon\r\n\r\n", 11), Malformed::NulByte, 2, ""},
        {"No\rColon\r\n\r\n", Malformed::BareCR, 2, ""},
        {"A: b\x7f\r\n\r\n", Malformed::BadHeader, 4, "control byte in a value"},
        {"A: b\rc\r\n\r\n", Malformed::BareCR, 4, ""},
        {"\tA: b\r\n\r\n", Malformed::ObsFold, 0, "a field line starting with whitespace"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        Headers out;
        auto error = parseFields(c.text, 0, 1, out);
        REQUIRE(error);
        CHECK(error->reason == c.reason);
        CHECK(error->offset == c.offset);
        CHECK(error->detail == c.detail);
    }
}

TEST_CASE("readFraming: Content-Length values agree, Transfer-Encoding codings in order") {
    Framing framing;
    CHECK(!readFraming(Headers{{"Content-Length", "7, 7"}, {"content-length", "7"}}, 0, framing));
    CHECK(framing.contentLength == 7u);
    Framing coded;
    CHECK(!readFraming(Headers{{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "Chunked"}}, 0, coded));
    CHECK(coded.hasTransferEncoding);
    CHECK(coded.chunkedLast);
    CHECK(coded.otherCodings);
    CHECK(coded.chunkedCount == 1);
    Framing conflict;
    auto error = readFraming(Headers{{"Content-Length", "7"}, {"Content-Length", "8"}}, 5, conflict);
    REQUIRE(error);
    CHECK(error->reason == Malformed::ConflictingContentLength);
    CHECK(error->offset == 5);
}

TEST_CASE("persistence by version and Connection; versions") {
    CHECK(persistsByDefault(1, {}));
    CHECK(!persistsByDefault(0, {}));
    CHECK(persistsByDefault(0, Headers{{"Connection", "Keep-Alive"}}));
    CHECK(!persistsByDefault(1, Headers{{"Connection", "keep-alive"}, {"Connection", "close"}}));
    int minor = -1;
    CHECK(!parseVersion("HTTP/1.0", minor));
    CHECK(minor == 0);
    CHECK(!parseVersion("HTTP/1.9", minor));
    CHECK(minor == 1);
    CHECK(parseVersion("HTTP/3.0", minor) == Malformed::BadVersion);
    CHECK(parseVersion("HTTP/1", minor) == Malformed::BadStartLine);
    CHECK(parseVersion("HTTPS/1.1", minor) == Malformed::BadStartLine);
}
