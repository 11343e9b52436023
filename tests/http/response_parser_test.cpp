// SPDX-License-Identifier: MIT
// Tests for http/response_parser.h: status lines, fields, 1xx, limits, keep-alive, end of
// input, lifetimes. Framing (Content-Length, chunked, close) is in response_framing_test.cpp.
// Every wire input goes through everySplit: cut at each byte and a byte at a time.
#include "http/response_parser.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/http/split_feed.h"

using namespace weft::http;
using weft::http::testing::parseResponse;
using weft::http::testing::Transcript;

namespace {

std::string errorOf(std::string_view input, ResponseParser::Limits limits = {}) {
    Transcript t = parseResponse(input, false, "GET", limits);
    return t.empty() ? "" : t.back();
}

}  // namespace

TEST_CASE("a response with Content-Length gives head, body and a keep-alive end") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello") ==
          Transcript{"head 1.1 200 OK body=length cl=5 ka=1 [Content-Length: 5][Server: x]", "body:hello",
                     "end ka=1"});
}

TEST_CASE("lone LF line ends are accepted") {
    CHECK(parseResponse("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi") ==
          Transcript{"head 1.1 200 OK body=length cl=2 ka=1 [Content-Length: 2]", "body:hi", "end ka=1"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nA: 1\nContent-Length: 0\r\n\n") ==
          Transcript{"head 1.1 200 OK body=length cl=0 ka=1 [A: 1][Content-Length: 0]", "end ka=1"});
}

TEST_CASE("status line: the reason may be empty, with or without its SP, and keeps inner spaces") {
    CHECK(parseResponse("HTTP/1.1 204 \r\n\r\n").front() == "head 1.1 204  body=none cl=- ka=1 ");
    CHECK(parseResponse("HTTP/1.1 204\r\n\r\n").front() == "head 1.1 204  body=none cl=- ka=1 ");
    CHECK(parseResponse("HTTP/1.1 404 Not  Found \t\r\n\r\n", true).front() ==
          "head 1.1 404 Not  Found \t body=until close cl=- ka=0 ");
    CHECK(parseResponse("HTTP/1.1 200 caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n").front() ==
          "head 1.1 200 caf\xc3\xa9 body=length cl=0 ka=1 [Content-Length: 0]");
}

TEST_CASE("HTTP/1.0 keeps the connection only with Connection: keep-alive; 1.1 unless close") {
    CHECK(parseResponse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") ==
          Transcript{"head 1.0 200 OK body=length cl=0 ka=0 [Content-Length: 0]", "end ka=0"});
    CHECK(parseResponse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").back() == "end ka=1");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n").back() == "end ka=0");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: CLOSE\r\nContent-Length: 0\r\n\r\n")
              .back() == "end ka=0");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n").back() == "end ka=1");
    // Minor versions above 1 are read as 1.1 (RFC 9110 §2.5).
    CHECK(parseResponse("HTTP/1.7 200 OK\r\nContent-Length: 0\r\n\r\n").front() ==
          "head 1.1 200 OK body=length cl=0 ka=1 [Content-Length: 0]");
}

TEST_CASE("field values lose their surrounding whitespace; order, case and repeats are kept") {
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nX-A:  a b \t\r\nx-a:\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\n"
                "Content-Length: 0\r\n\r\n")
              .front() == "head 1.1 200 OK body=length cl=0 ka=1 [X-A: a b][x-a: ][Set-Cookie: 1][Set-Cookie: 2]"
                          "[Content-Length: 0]");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n").front() ==
          "head 1.1 200 OK body=length cl=0 ka=1 [X: caf\xc3\xa9][Content-Length: 0]");
}

TEST_CASE("the head's Headers answer case-insensitive lookups") {
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 301 Moved\r\nLOCATION: /b\r\nContent-Length: 0\r\n\r\n");
    auto head = std::get<ResponseHead>(parser.next());
    CHECK(head.headers.get("location") == "/b");
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
}

TEST_CASE("blank lines before a status line are skipped") {
    CHECK(parseResponse("\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") ==
          Transcript{"head 1.1 200 OK body=length cl=0 ka=1 [Content-Length: 0]", "end ka=1"});
}

TEST_CASE("1xx responses are reported before the final one; 101 and too many 1xx are errors") {
    CHECK(parseResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx") ==
          Transcript{"1xx 100 Continue ", "1xx 103 Early Hints [Link: </a.css>]",
                     "head 1.1 200 OK body=length cl=1 ka=1 [Content-Length: 1]", "body:x", "end ka=1"});
    CHECK(errorOf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n") ==
          "error unexpected 101 Switching Protocols @9");
    ResponseParser::Limits limits;
    limits.max1xx = 2;
    std::string three = "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 B\r\n\r\nHTTP/1.1 100 C\r\n\r\n";
    CHECK(parseResponse(three, false, "GET", limits) ==
          Transcript{"1xx 100 A ", "1xx 100 B ", "error too many interim (1xx) responses @36"});
}

TEST_CASE("status lines of the wrong shape are MalformedResponse with the offending byte") {
    CHECK(errorOf("HTTP/1.1 20 OK\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/1.1 2000 OK\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/1.1  200 OK\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/1.1 099 Low\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/1.1 600 High\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/1.1 200OK\r\n\r\n") == "error bad status code @9");
    CHECK(errorOf("HTTP/2.0 200 OK\r\n\r\n") == "error unsupported HTTP version @0");
    CHECK(errorOf("HTTP/11 200 OK\r\n\r\n") == "error unsupported HTTP version @0");
    CHECK(errorOf("http/1.1 200 OK\r\n\r\n") == "error bad start line @0");
    CHECK(errorOf("ICY 200 OK\r\n\r\n") == "error bad start line @0");
    CHECK(errorOf("HTTP/1.1\r\n\r\n") == "error bad start line @8");
    CHECK(errorOf("HTTP/1.1 200 O\x01K\r\n\r\n") == "error bad start line @14");
    CHECK(errorOf(std::string("HTTP/1.1 200 O\0K\r\n\r\n", 20)) == "error NUL byte in the head @14");
    CHECK(errorOf("HTTP/1.1 200 O\rK\r\n\r\n") == "error CR not followed by LF @14");
}

TEST_CASE("field lines of the wrong shape are MalformedResponse with the offending byte") {
    std::string start = "HTTP/1.1 200 OK\r\n";  // 17 bytes
    CHECK(errorOf(start + "Foo : bar\r\n\r\n") == "error bad header field @20");
    CHECK(errorOf(start + "Foo bar: baz\r\n\r\n") == "error bad header field @20");
    CHECK(errorOf(start + ": x\r\n\r\n") == "error bad header field @17");
    CHECK(errorOf(start + "NoColon\r\n\r\n") == "error bad header field @17");
    CHECK(errorOf(start + "A: 1\r\n folded\r\n\r\n") == "error obsolete line folding @23");
    CHECK(errorOf(start + " A: 1\r\n\r\n") == "error obsolete line folding @17");
    CHECK(errorOf(start + "A: x\ry\r\n\r\n") == "error CR not followed by LF @21");
    CHECK(errorOf(start + std::string("A: x\0y\r\n\r\n", 10)) == "error NUL byte in the head @21");
    CHECK(errorOf(start + std::string("A\0: y\r\n\r\n", 9)) == "error NUL byte in the head @18");
    CHECK(errorOf(start + "A: \x01\r\n\r\n") == "error bad header field @20");
    CHECK(errorOf(start + "A: \x7f\r\n\r\n") == "error bad header field @20");
    CHECK(errorOf(start + "A\r: b\r\n\r\n") == "error CR not followed by LF @18");
    CHECK(errorOf(start + "A: b\r\r\n\r\n") == "error CR not followed by LF @21");
    CHECK(errorOf(start + "A: b\r\n\r\r\n\r\n") == "error CR not followed by LF @23");
}

TEST_CASE("the head size limit holds while the head is still arriving") {
    ResponseParser::Limits limits;
    limits.maxHeadBytes = 40;
    std::string fits = "HTTP/1.1 200 OK\r\nA: 0123456789\r\n\r\n";
    REQUIRE(fits.size() == 34);
    CHECK(parseResponse(fits + "tail", true, "GET", limits).front() == "head 1.1 200 OK body=until close cl=- ka=0 [A: 0123456789]");
    std::string exact = "HTTP/1.1 200 OK\r\nA: 0123456789012345\r\n\r\n";
    REQUIRE(exact.size() == 40);
    CHECK(parseResponse(exact, true, "GET", limits).size() == 2);
    CHECK(errorOf("HTTP/1.1 200 OK\r\nA: 01234567890123456\r\n\r\n", limits) == "error head too large @40");
    // An endless head fails at byte 40, without waiting for its end or for the close.
    ResponseParser parser(limits);
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 200 OK\r\nA: b\r\nA: b\r\nA: b\r\nA: b\r\nA: b\r\nA: b");
    CHECK_THROWS_AS((void)parser.next(), MalformedResponse);
    // The status line alone counts too.
    CHECK(errorOf("HTTP/1.1 200 " + std::string(60, 'x'), limits) == "error head too large @40");
}

TEST_CASE("the field count limit holds while the head is still arriving") {
    ResponseParser::Limits limits;
    limits.maxHeaders = 3;
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n", false, "GET", limits).back() ==
          "error too many header fields @35");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", false, "GET", limits).back() ==
          "error too many header fields @35");
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n", false, "GET", limits).back() ==
          "end ka=1");
}

TEST_CASE("end of input before the response is complete is ConnectionClosed with the bytes received") {
    CHECK(parseResponse("", true) == Transcript{"closed 0"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Le", true) == Transcript{"closed 27"});
    CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", true) ==
          Transcript{"head 1.1 200 OK body=length cl=10 ka=1 [Content-Length: 10]", "body:hello", "closed 44"});
    CHECK(parseResponse("HTTP/1.1 100 Continue\r\n\r\n", true) == Transcript{"1xx 100 Continue ", "closed 25"});
    CHECK(parseResponse("\r\n", true) == Transcript{"closed 0"});
}

TEST_CASE("ConnectionClosed and MalformedResponse say which step they happened in") {
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    (void)parser.next();
    (void)parser.next();
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    parser.feedEof();
    try {
        (void)parser.next();
        FAIL("no throw");
    } catch (const ConnectionClosed& e) {
        CHECK(e.step() == Step::ReadBody);
        CHECK(e.received() == 44);
        CHECK(e.url().empty());
    }
}

TEST_CASE("an error is sticky, and withContext names the URL") {
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 200 OK\r\nBad Field: x\r\n\r\n");
    std::exception_ptr first;
    try {
        (void)parser.next();
    } catch (const HttpFailure& e) {
        first = e.withContext("http://example.com/", Step::ReadHeaders);
    }
    REQUIRE(first);
    CHECK_THROWS_AS((void)parser.next(), MalformedResponse);
    parser.feed("more");  // ignored
    try {
        std::rethrow_exception(first);
    } catch (const MalformedResponse& e) {
        CHECK(e.reason() == Malformed::BadHeader);
        CHECK(e.url() == "http://example.com/");
        CHECK(std::string(e.what()).find("(while reading the response head: http://example.com/)") != std::string::npos);
    }
}

TEST_CASE("keep-alive responses follow each other; bytes after the last one wait for startResponse") {
    std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
    CHECK(parseResponse(two) == Transcript{"head 1.1 200 OK body=length cl=1 ka=1 [Content-Length: 1]", "body:a", "end ka=1",
                                   "head 1.1 200 OK body=length cl=1 ka=1 [Content-Length: 1]", "body:b",
                                   "end ka=1"});
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed(two);
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
    CHECK(std::holds_alternative<BodyData>(parser.next()));
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
    CHECK(!parser.inResponse());
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    CHECK(parser.buffered() == 39);  // a server sending unasked: a pool would not reuse this
    parser.startResponse("GET");
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
}

TEST_CASE("bytes after a response that closes the connection are discarded and counted") {
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\naEXTRA");
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
    CHECK(std::get<BodyData>(parser.next()).bytes == "a");
    CHECK(std::get<MessageEnd>(parser.next()).keepAlive == false);
    CHECK(parser.discarded() == 5);
    parser.feed("MORE");
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    CHECK(parser.discarded() == 9);
    CHECK_THROWS_AS(parser.startResponse("GET"), std::logic_error);
}

TEST_CASE("body bytes from one feed are handed out without a copy") {
    std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'z');
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed(wire);
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
    auto body = std::get<BodyData>(parser.next());
    CHECK(body.bytes.size() == 100000);
    CHECK(body.bytes.data() == wire.data() + wire.size() - 100000);
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
}

TEST_CASE("feeding again before next() returned NeedData is a logic_error") {
    ResponseParser parser;
    parser.startResponse("GET");
    parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
    CHECK(std::holds_alternative<ResponseHead>(parser.next()));
    CHECK_THROWS_AS(parser.feed("cd"), std::logic_error);
    CHECK(std::get<BodyData>(parser.next()).bytes == "ab");
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    parser.feed("cd");
    CHECK(std::get<BodyData>(parser.next()).bytes == "cd");
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
    parser.feedEof();
    CHECK_THROWS_AS(parser.feed("x"), std::logic_error);
}

TEST_CASE("startResponse in the middle of a response is a logic_error") {
    ResponseParser parser;
    parser.startResponse("GET");
    CHECK_THROWS_AS(parser.startResponse("GET"), std::logic_error);
}

TEST_CASE("bytes fed while idle are copied at once, so feeding again without next() is fine") {
    ResponseParser parser;
    parser.feed("HTTP/1.1 200 OK\r\n");
    parser.feed("Content-Length: 0\r\n\r\n");
    CHECK(parser.buffered() == 38);
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    parser.startResponse("GET");
    CHECK(std::get<ResponseHead>(parser.next()).status == 200);
    CHECK(std::get<MessageEnd>(parser.next()).keepAlive);
}
