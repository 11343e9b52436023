// SPDX-License-Identifier: MIT
// Tests for http/request_writer.h: request heads and chunks, and the smuggling guard.
#include "http/request_writer.h"

#include <doctest/doctest.h>

#include <string>

#include "http/errors.h"
#include "http/request_parser.h"

using namespace weft::http;

TEST_CASE("a GET head: request line, Host, the caller's fields in order, blank line") {
    Url url = Url::parse("http://example.com/a/b?x=1#frag");
    CHECK(writeRequestHead("GET", url, Headers{{"User-Agent", "weft"}, {"Accept", "*/*"}}) ==
          "GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: weft\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("Host carries a port that is not 80, and IPv6 hosts in brackets") {
    CHECK(writeRequestHead("GET", Url::parse("http://h:8080/"), {}) == "GET / HTTP/1.1\r\nHost: h:8080\r\n\r\n");
    CHECK(writeRequestHead("GET", Url::parse("http://[::1]/"), {}) == "GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n");
    CHECK(writeRequestHead("GET", Url::parse("http://[::1]:81/"), {}) == "GET / HTTP/1.1\r\nHost: [::1]:81\r\n\r\n");
}

TEST_CASE("the caller's Host wins") {
    CHECK(writeRequestHead("GET", Url::parse("http://127.0.0.1:8080/"), Headers{{"host", "example.test"}}) ==
          "GET / HTTP/1.1\r\nhost: example.test\r\n\r\n");
}

TEST_CASE("Content-Length or chunked framing comes from the arguments") {
    Url url = Url::parse("http://h/upload");
    CHECK(writeRequestHead("POST", url, {}, 5) == "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n");
    CHECK(writeRequestHead("POST", url, {}, 0) == "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    CHECK(writeRequestHead("PUT", url, {}, UINT64_MAX).find("Content-Length: 18446744073709551615\r\n") !=
          std::string::npos);
    CHECK(writeRequestHead("POST", url, {}, std::nullopt, true) ==
          "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
    CHECK_THROWS_AS((void)writeRequestHead("POST", url, {}, 5, true), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("POST", url, Headers{{"Content-Length", "5"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("POST", url, Headers{{"transfer-encoding", "chunked"}}), InvalidRequest);
}

TEST_CASE("CR, LF and NUL anywhere are refused with InvalidRequest") {
    Url url = Url::parse("http://h/");
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X", "a\r\nInjected: 1"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X", "a\nb"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X", std::string("a\0b", 3)}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X", "a\x01"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X\r\nY", "1"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"X Y", "1"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET", url, Headers{{"", "1"}}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("GET /x HTTP/1.1\r\n", url, {}), InvalidRequest);
    CHECK_THROWS_AS((void)writeRequestHead("", url, {}), InvalidRequest);
    Url bad = url;
    bad.path = "/a\r\nX: y";
    CHECK_THROWS_AS((void)writeRequestHead("GET", bad, {}), InvalidRequest);
    bad.path = "/a b";
    CHECK_THROWS_AS((void)writeRequestHead("GET", bad, {}), InvalidRequest);
    bad = url;
    bad.host = "h\r\nX: y";
    CHECK_THROWS_AS((void)writeRequestHead("GET", bad, {}), InvalidRequest);
    CHECK_NOTHROW((void)writeRequestHead("GET", url, Headers{{"X", "caf\xc3\xa9\t ok"}}));
}

TEST_CASE("chunks: hex size, CRLF, data, CRLF; empty data writes nothing") {
    CHECK(writeChunk("hello") == "5\r\nhello\r\n");
    CHECK(writeChunk(std::string(255, 'x')).substr(0, 4) == "ff\r\n");
    CHECK(writeChunk("").empty());
    CHECK(lastChunk() == "0\r\n\r\n");
}

TEST_CASE("what the writer writes, the request parser reads back") {
    Url url = Url::parse("http://[::1]:8080/p?q");
    std::string wire = writeRequestHead("POST", url, Headers{{"A", "1"}}, std::nullopt, true) + writeChunk("abc") +
                       writeChunk("de") + std::string(lastChunk());
    RequestParser parser;
    parser.feed(wire);
    auto head = std::get<RequestHead>(parser.next());
    CHECK(head.method == "POST");
    CHECK(head.target == "/p?q");
    CHECK(head.headers.get("host") == "[::1]:8080");
    CHECK(head.body == BodyKind::Chunked);
    std::string body;
    for (;;) {
        auto event = parser.next();
        if (auto* data = std::get_if<BodyData>(&event)) {
            body.append(data->bytes);
            continue;
        }
        CHECK(std::holds_alternative<MessageEnd>(event));
        break;
    }
    CHECK(body == "abcde");
}
