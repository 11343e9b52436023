// SPDX-License-Identifier: MIT
// Tests for http/request_parser.h: request lines, Host, framing, limits, pipelining and the
// status each rejection suggests. Every wire input goes through everySplit.
#include "http/request_parser.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/http/split_feed.h"

using namespace weft::http;
using weft::http::testing::everySplit;
using weft::http::testing::Transcript;

namespace {

Transcript parse(std::string_view input, bool eof = false, RequestParser::Limits limits = {}) {
    return everySplit<RequestParser>([&] { return RequestParser(limits); }, input, eof);
}

std::string errorOf(std::string_view input, RequestParser::Limits limits = {}) {
    Transcript t = parse(input, false, limits);
    return t.empty() ? "" : t.back();
}

const std::string kHost = "Host: h\r\n";

}  // namespace

TEST_CASE("a GET: request line, fields, an end that keeps the connection") {
    CHECK(parse("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n") ==
          Transcript{"request GET /index.html?q=1 1.1 body=none cl=- ka=1 [Host: example.com][Accept: */*]",
                     "end ka=1"});
    CHECK(parse("GET / HTTP/1.1\nHost: h\n\n") == Transcript{"request GET / 1.1 body=none cl=- ka=1 [Host: h]", "end ka=1"});
}

TEST_CASE("pipelined requests come out in order, bodies included") {
    std::string wire = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                       "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                       "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n"
                       "\r\nDELETE /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n";
    CHECK(parse(wire, true) ==
          Transcript{"request GET /a 1.1 body=none cl=- ka=1 [Host: h]", "end ka=1",
                     "request POST /b 1.1 body=length cl=5 ka=1 [Host: h][Content-Length: 5]", "body:hello",
                     "end ka=1", "request PUT /c 1.1 body=chunked cl=- ka=1 [Host: h][Transfer-Encoding: chunked]",
                     "body:abc", "end ka=1 trailers=[T: 1]",
                     "request DELETE /d 1.1 body=none cl=- ka=0 [Host: h][Connection: close]", "end ka=0"});
}

TEST_CASE("bytes after a request that closes the connection are discarded") {
    RequestParser parser;
    parser.feed("GET / HTTP/1.0\r\n\r\nGET /next HTTP/1.0\r\n\r\n");
    auto head = std::get<RequestHead>(parser.next());
    CHECK(!head.keepAlive);
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    CHECK(parser.discarded() == 22);
}

TEST_CASE("HTTP/1.0: Host optional, keep-alive only when asked") {
    CHECK(parse("GET / HTTP/1.0\r\n\r\n") == Transcript{"request GET / 1.0 body=none cl=- ka=0 ", "end ka=0"});
    CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").back() == "end ka=1");
}

TEST_CASE("Host: exactly one for HTTP/1.1, at most one for 1.0, and of host[:port] characters") {
    CHECK(errorOf("GET / HTTP/1.1\r\n\r\n") == "error missing or repeated Host @0 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == "error missing or repeated Host @0 status=400");
    CHECK(errorOf("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == "error missing or repeated Host @0 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n") == "error missing or repeated Host @0 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") == "error missing or repeated Host @0 status=400");
    CHECK(parse("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").back() == "end ka=1");
    CHECK(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n").back() == "end ka=1");
}

TEST_CASE("request targets: origin-form, absolute-form, * for OPTIONS, authority-form for CONNECT") {
    CHECK(parse("GET http://example.com/x HTTP/1.1\r\n" + kHost + "\r\n").front() ==
          "request GET http://example.com/x 1.1 body=none cl=- ka=1 [Host: h]");
    CHECK(parse("OPTIONS * HTTP/1.1\r\n" + kHost + "\r\n").back() == "end ka=1");
    CHECK(parse("CONNECT example.com:443 HTTP/1.1\r\n" + kHost + "\r\n").back() == "end ka=1");
    CHECK(parse("GET /caf\xc3\xa9 HTTP/1.1\r\n" + kHost + "\r\n").back() == "end ka=1");
    CHECK(errorOf("GET * HTTP/1.1\r\n" + kHost + "\r\n") == "error bad request target @4 status=400");
    CHECK(errorOf("GET a/b HTTP/1.1\r\n" + kHost + "\r\n") == "error bad request target @4 status=400");
    CHECK(errorOf("GET example.com:80 HTTP/1.1\r\n" + kHost + "\r\n") == "error bad request target @4 status=400");
    CHECK(errorOf("CONNECT / HTTP/1.1\r\n" + kHost + "\r\n") == "error bad request target @8 status=400");
    CHECK(errorOf("GET  / HTTP/1.1\r\n" + kHost + "\r\n") == "error bad request target @4 status=400");
    CHECK(errorOf(std::string("GET /\0 HTTP/1.1\r\n", 17) + kHost + "\r\n") ==
          "error NUL byte in the head @5 status=400");
}

TEST_CASE("request lines of the wrong shape give 400, unknown versions 505") {
    CHECK(errorOf("G@T / HTTP/1.1\r\n" + kHost + "\r\n") == "error bad method @1 status=400");
    CHECK(errorOf(" GET / HTTP/1.1\r\n" + kHost + "\r\n") == "error bad method @0 status=400");
    CHECK(errorOf("GET /\tHTTP/1.1\r\n" + kHost + "\r\n") == "error bad start line @5 status=400");
    CHECK(errorOf("GET /\r\n" + kHost + "\r\n") == "error bad start line @0 status=400");
    CHECK(errorOf("GET / HTTP/2.0\r\n" + kHost + "\r\n") == "error unsupported HTTP version @6 status=505");
    CHECK(errorOf("GET / HTTP/1.1x\r\n" + kHost + "\r\n") == "error bad start line @14 status=400");
    CHECK(errorOf("GET / HTTP/1.1 \r\n" + kHost + "\r\n") == "error bad start line @15 status=400");
    CHECK(errorOf("GET / http/1.1\r\n" + kHost + "\r\n") == "error bad start line @6 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\r\n" + kHost + "\r\n") == "error CR not followed by LF @14 status=400");
}

TEST_CASE("field lines follow the same rules as in responses") {
    CHECK(errorOf("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == "error bad header field @20 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: h\r\n x\r\n\r\n") == "error obsolete line folding @25 status=400");
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: h\r\nA: b\rc\r\n\r\n") == "error CR not followed by LF @29 status=400");
}

TEST_CASE("blank lines before a request line are skipped") {
    CHECK(parse("\r\n\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") ==
          Transcript{"request GET / 1.1 body=none cl=- ka=1 [Host: h]", "end ka=1"});
}

TEST_CASE("limits: request line 414, head and field count 431, body 413") {
    RequestParser::Limits limits;
    limits.maxRequestLineBytes = 32;
    CHECK(errorOf("GET /" + std::string(40, 'a') + " HTTP/1.1\r\n", limits) == "error request line too long @32 status=414");
    CHECK(parse("GET /" + std::string(16, 'a') + " HTTP/1.1\r\n" + kHost + "\r\n", false, limits).back() == "end ka=1");
    limits = {};
    limits.maxHeadBytes = 64;
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: h\r\nCookie: " + std::string(64, 'c'), limits) ==
          "error head too large @64 status=431");
    limits = {};
    limits.maxHeaders = 2;
    CHECK(errorOf("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits) ==
          "error too many header fields @31 status=431");
    limits = {};
    limits.maxBodyBytes = 10;
    CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", false, limits).back() ==
          "end ka=1");
    CHECK(errorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits) ==
          "error body too large @0 status=413");
    std::string chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";  // 56 bytes
    CHECK(parse(chunked + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", false, limits).back() == "end ka=1");
    CHECK(parse(chunked + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n", false, limits) ==
          Transcript{"request POST / 1.1 body=chunked cl=- ka=1 [Host: h][Transfer-Encoding: chunked]", "body:01234",
                     "error body too large @66 status=413"});
    CHECK(errorOf(chunked + "fffffffffffffffff\r\n") == "error chunk too large @56 status=413");
}

TEST_CASE("Transfer-Encoding a server cannot frame safely is refused") {
    std::string start = "POST / HTTP/1.1\r\nHost: h\r\n";
    CHECK(errorOf(start + "Transfer-Encoding: gzip, chunked\r\n\r\n") ==
          "error unsupported transfer coding @0 status=501");
    CHECK(errorOf(start + "Transfer-Encoding: chunked, gzip\r\n\r\n") == "error bad Transfer-Encoding @0 status=400");
    CHECK(errorOf(start + "Transfer-Encoding: gzip\r\n\r\n") == "error bad Transfer-Encoding @0 status=400");
    CHECK(errorOf(start + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") ==
          "error bad Transfer-Encoding @0 status=400");
    CHECK(errorOf(start + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n") ==
          "error bad Transfer-Encoding @0 status=400");
    CHECK(errorOf("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == "error bad Transfer-Encoding @0 status=400");
    CHECK(errorOf(start + "Content-Length: 1, 2\r\n\r\n") == "error conflicting Content-Length values @0 status=400");
    CHECK(errorOf(start + "Content-Length: -1\r\n\r\n") == "error bad Content-Length @0 status=400");
    CHECK(errorOf(start + "Transfer-Encoding: chunked\r\n\r\n5\r\nabcdeX") == "error bad chunk framing @64 status=400");
}

TEST_CASE("Expect: 100-continue is reported for HTTP/1.1 only") {
    CHECK(parse("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nab").front() ==
          "request PUT /x 1.1 body=length cl=2 ka=1 expect-100 [Host: h][Expect: 100-Continue][Content-Length: 2]");
    CHECK(parse("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab").front() ==
          "request PUT /x 1.0 body=length cl=2 ka=0 [Expect: 100-continue][Content-Length: 2]");
}

TEST_CASE("end of input: clean between requests, ConnectionClosed inside one") {
    CHECK(parse("", true).empty());
    CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n", true) ==
          Transcript{"request GET / 1.1 body=none cl=- ka=1 [Host: h]", "end ka=1"});
    CHECK(parse("GET / HTTP/1.1\r\nHo", true) == Transcript{"closed 18"});
    CHECK(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab", true) ==
          Transcript{"request POST / 1.1 body=length cl=5 ka=1 [Host: h][Content-Length: 5]", "body:ab", "closed 49"});
}

TEST_CASE("inRequest says whether part of a request is waiting") {
    RequestParser parser;
    CHECK(!parser.inRequest());
    parser.feed("GET / HT");
    CHECK(std::holds_alternative<NeedData>(parser.next()));
    CHECK(parser.inRequest());
    parser.feed("TP/1.1\r\nHost: h\r\n\r\n");
    CHECK(std::holds_alternative<RequestHead>(parser.next()));
    CHECK(parser.inRequest());
    CHECK(std::holds_alternative<MessageEnd>(parser.next()));
    CHECK(!parser.inRequest());
}
