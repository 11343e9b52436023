// SPDX-License-Identifier: MIT
// Tests for http/response_parser.h, second part: how a response body is framed (RFC 9112 §6,
// §7): no body (HEAD, 204, 304), Content-Length, chunked with trailers, until close, and the
// ambiguous cases. Every wire input goes through everySplit.
#include "http/response_parser.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/http/split_feed.h"

using namespace weft::http;
using weft::http::testing::parseResponse;
using weft::http::testing::Transcript;

namespace {

const std::string kChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";  // 47 bytes
const std::string kChunkedEvent = "head 1.1 200 OK body=chunked cl=- ka=1 [Transfer-Encoding: chunked]";

std::string lastOf(const Transcript& t) { return t.empty() ? "" : t.back(); }

}  // namespace

TEST_CASE("HEAD, 204 and 304 responses have no body whatever their head says") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                false, "HEAD") ==
          Transcript{"head 1.1 200 OK body=none cl=10 ka=1 [Content-Length: 10]", "end ka=1",
                     "head 1.1 404 Not Found body=none cl=0 ka=1 [Content-Length: 0]", "end ka=1"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, "HEAD").back() == "end ka=1");
    CHECK(parseResponse("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n") ==
          Transcript{"head 1.1 204 No Content body=none cl=3 ka=1 [Content-Length: 3]", "end ka=1"});
    CHECK(parseResponse("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n") ==
          Transcript{"head 1.1 304 Not Modified body=none cl=- ka=1 [ETag: \"x\"]", "end ka=1"});
}

TEST_CASE("a 2xx answer to CONNECT has no body and ends the connection's HTTP") {
    CHECK(parseResponse("HTTP/1.1 200 Connection established\r\n\r\ntunnel bytes", false, "CONNECT") ==
          Transcript{"head 1.1 200 Connection established body=none cl=- ka=0 ", "end ka=0"});
}

TEST_CASE("without Content-Length or Transfer-Encoding the body runs until the close") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\n\r\nall of\r\nthis", true) ==
          Transcript{"head 1.1 200 OK body=until close cl=- ka=0 ", "body:all of\r\nthis", "end ka=0"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\n\r\npartial", false) ==
          Transcript{"head 1.1 200 OK body=until close cl=- ka=0 ", "body:partial"});
    CHECK(parseResponse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", true).back() == "end ka=0");
}

TEST_CASE("Content-Length: lists of equal values are one value, anything else is an error") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc").front() ==
          "head 1.1 200 OK body=length cl=3 ka=1 [Content-Length: 3, 3]");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc").back() == "end ka=1");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc")) ==
          "error conflicting Content-Length values @0");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc")) ==
          "error conflicting Content-Length values @0");
    for (std::string bad : {"+3", "-1", "3a", "", " ", "0x10", "3,", ",3", "3 3", "1e3"}) {
        INFO(bad);
        CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: " + bad + "\r\n\r\n")) == "error bad Content-Length @0");
    }
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nab", true).back() == "closed 58");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n")) ==
          "error bad Content-Length @0");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n")) ==
          "error bad Content-Length @0");
}

TEST_CASE("a Content-Length body ends exactly at its length") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") ==
          Transcript{"head 1.1 200 OK body=length cl=0 ka=1 [Content-Length: 0]", "end ka=1"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabcdef", true) ==
          Transcript{"head 1.1 200 OK body=length cl=3 ka=0 [Content-Length: 3][Connection: close]", "body:abc",
                     "end ka=0"});
}

TEST_CASE("chunked bodies: sizes in hex, extensions skipped, trailers reported") {
    CHECK(parseResponse(kChunkedHead + "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\n") ==
          Transcript{kChunkedEvent, "body:hello world", "end ka=1"});
    CHECK(parseResponse(kChunkedHead + "A\r\n0123456789\r\n000001 ; a=\"q;x\" ;b\r\nZ\r\n0000\r\n\r\n") ==
          Transcript{kChunkedEvent, "body:0123456789Z", "end ka=1"});
    CHECK(parseResponse(kChunkedHead + "3\nabc\n0\n\n") == Transcript{kChunkedEvent, "body:abc", "end ka=1"});
    CHECK(parseResponse(kChunkedHead + "0\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n") ==
          Transcript{kChunkedEvent, "end ka=1 trailers=[X-Checksum: abc][X-Other: 1]"});
    CHECK(parseResponse(kChunkedHead + "2\r\nab\r\n0\r\n\r\n" + kChunkedHead + "0\r\n\r\n") ==
          Transcript{kChunkedEvent, "body:ab", "end ka=1", kChunkedEvent, "end ka=1"});
}

TEST_CASE("chunk framing of the wrong shape is BadChunk at the offending byte") {
    // The first chunk line starts at byte 47.
    CHECK(lastOf(parseResponse(kChunkedHead + "5x\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @48");
    CHECK(lastOf(parseResponse(kChunkedHead + "-5\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @47");
    CHECK(lastOf(parseResponse(kChunkedHead + "+5\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @47");
    CHECK(lastOf(parseResponse(kChunkedHead + " 5\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @47");
    CHECK(lastOf(parseResponse(kChunkedHead + "5 \r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @48");
    CHECK(lastOf(parseResponse(kChunkedHead + "\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @47");
    CHECK(lastOf(parseResponse(kChunkedHead + "0x5\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @48");
    CHECK(lastOf(parseResponse(kChunkedHead + "5\r\nhelloXX0\r\n\r\n")) == "error bad chunk framing @55");
    CHECK(lastOf(parseResponse(kChunkedHead + "5\r\nhello\rX0\r\n\r\n")) == "error bad chunk framing @56");
    CHECK(lastOf(parseResponse(kChunkedHead + "5;a\x01\r\nhello\r\n0\r\n\r\n")) == "error bad chunk framing @50");
    CHECK(lastOf(parseResponse(kChunkedHead + std::string("5;\0\r\nhello\r\n0\r\n\r\n", 17))) ==
          "error NUL byte in the head @49");
    CHECK(lastOf(parseResponse(kChunkedHead + "5;a\rb\r\nhello\r\n0\r\n\r\n")) == "error CR not followed by LF @50");
}

TEST_CASE("chunk sizes over the limit, or over 64 bits, are ChunkTooLarge") {
    CHECK(lastOf(parseResponse(kChunkedHead + "10000000000000000\r\n")) == "error chunk too large @47");
    CHECK(lastOf(parseResponse(kChunkedHead + "4000000000000001\r\n")) == "error chunk too large @47");
    CHECK(parseResponse(kChunkedHead + "000000000000000000000000000003\r\nabc\r\n0\r\n\r\n").back() == "end ka=1");
    ResponseParser::Limits limits;
    limits.maxChunkSize = 16;
    CHECK(parseResponse(kChunkedHead + "10\r\n0123456789abcdef\r\n0\r\n\r\n", false, "GET", limits).back() == "end ka=1");
    CHECK(lastOf(parseResponse(kChunkedHead + "11\r\n", false, "GET", limits)) == "error chunk too large @47");
}

TEST_CASE("a chunk line over the limit fails before its end arrives") {
    ResponseParser::Limits limits;
    limits.maxChunkLineBytes = 16;
    CHECK(parseResponse(kChunkedHead + "1;abcdefghijkl\r\nx\r\n0\r\n\r\n", false, "GET", limits).back() == "end ka=1");
    CHECK(lastOf(parseResponse(kChunkedHead + "1;abcdefghijklmnopqrstuvwxyz", false, "GET", limits)) ==
          "error bad chunk framing @63");
}

TEST_CASE("trailers obey the head's limits and rules") {
    ResponseParser::Limits limits;
    limits.maxHeaders = 1;
    CHECK(lastOf(parseResponse(kChunkedHead + "0\r\nA: 1\r\nB: 2\r\n\r\n", false, "GET", limits)) ==
          "error too many header fields @56");
    CHECK(lastOf(parseResponse(kChunkedHead + "0\r\n folded: x\r\n\r\n")) == "error obsolete line folding @50");
    limits = {};
    limits.maxHeadBytes = 50;
    CHECK(lastOf(parseResponse(kChunkedHead + "0\r\nA: " + std::string(60, 'x'), false, "GET", limits)) ==
          "error head too large @100");
}

TEST_CASE("a chunked body cut short by the close is ConnectionClosed") {
    CHECK(parseResponse(kChunkedHead + "5\r\nhel", true) == Transcript{kChunkedEvent, "body:hel", "closed 53"});
    CHECK(parseResponse(kChunkedHead + "5\r\nhello\r\n", true) == Transcript{kChunkedEvent, "body:hello", "closed 57"});
    CHECK(parseResponse(kChunkedHead + "0\r\n", true) == Transcript{kChunkedEvent, "closed 50"});
    CHECK(parseResponse(kChunkedHead + "0\r\nA: b\r\n", true) == Transcript{kChunkedEvent, "closed 56"});
}

TEST_CASE("Transfer-Encoding: chunked last means chunked; any other last coding means until close") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n") ==
          Transcript{"head 1.1 200 OK body=chunked cl=- ka=1 [Transfer-Encoding: gzip, chunked]", "body:z",
                     "end ka=1"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n")
              .back() == "end ka=1");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw", true) ==
          Transcript{"head 1.1 200 OK body=until close cl=- ka=0 [Transfer-Encoding: gzip]", "body:raw", "end ka=0"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n1\r\nz", true).front() ==
          "head 1.1 200 OK body=until close cl=- ka=0 [Transfer-Encoding: chunked, gzip]");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1 , \r\n\r\n0\r\n\r\n").back() == "end ka=1");
}

TEST_CASE("Transfer-Encoding that cannot be trusted is BadTransferEncoding") {
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")) ==
          "error bad Transfer-Encoding @0");
    CHECK(lastOf(parseResponse("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) == "error bad Transfer-Encoding @0");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n")) == "error bad Transfer-Encoding @0");
    CHECK(lastOf(parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chu@nked\r\n\r\n")) == "error bad Transfer-Encoding @0");
}

TEST_CASE("Transfer-Encoding with Content-Length: chunked framing wins and the connection is not reused") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
                "HTTP/1.1 200 OK\r\n") ==
          Transcript{"head 1.1 200 OK body=chunked cl=100 ka=0 [Content-Length: 100][Transfer-Encoding: chunked]",
                     "body:ab", "end ka=0"});
}

TEST_CASE("a large body arrives in as many events as feeds, not per byte") {
    ResponseParser parser;
    parser.startResponse("GET");
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n";
    std::string chunk(65536, 'b');
    parser.feed(head);
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    std::size_t events = 0, bytes = 0;
    for (int i = 0; i < 16; ++i) {
        parser.feed(chunk);
        for (;;) {
            auto event = parser.next();
            if (auto* data = std::get_if<BodyData>(&event)) {
                ++events;
                bytes += data->bytes.size();
            } else {
                CHECK((std::holds_alternative<NeedData>(event) || std::holds_alternative<MessageEnd>(event)));
                break;
            }
        }
    }
    CHECK(events == 16);
    CHECK(bytes == 1048576);
}
