// SPDX-License-Identifier: MIT
// Tests for http/url.h: parsing, the normal form, and RFC 3986 §5.4's resolution examples.
#include "http/url.h"

#include <doctest/doctest.h>

#include <string>

using weft::http::InvalidUrl;
using weft::http::UnsupportedScheme;
using weft::http::Url;

namespace {

std::string resolved(std::string_view reference) {
    static const Url base = Url::parse("http://a/b/c/d;p?q");
    return Url::resolve(base, reference).toString();
}

}  // namespace

TEST_CASE("an http URL splits into scheme, host, port and path with query") {
    Url url = Url::parse("HTTP://Example.COM:8080/a/b?x=1&y=%20#frag");
    CHECK(url.scheme == "http");
    CHECK(url.host == "example.com");
    CHECK(url.port == 8080);
    CHECK(url.path == "/a/b?x=1&y=%20");
    CHECK(url.pathOnly() == "/a/b");
    CHECK(url.query() == "x=1&y=%20");
    CHECK(url.hasAuthority);
    CHECK(url.hostHeader() == "example.com:8080");
    CHECK(url.toString() == "http://example.com:8080/a/b?x=1&y=%20");
    CHECK_NOTHROW(url.requireHttp());
}

TEST_CASE("defaults: port 80, path /, an empty port means the default") {
    Url url = Url::parse("http://example.com");
    CHECK(url.port == 80);
    CHECK(url.path == "/");
    CHECK(url.hostHeader() == "example.com");
    CHECK(url.toString() == "http://example.com/");
    CHECK(Url::parse("http://example.com:/x").port == 80);
    CHECK(Url::parse("http://example.com:80/x").toString() == "http://example.com/x");
    CHECK(Url::parse("http://example.com?q").path == "/?q");
    CHECK(Url::parse("http://example.com:0080").port == 80);
}

TEST_CASE("ports outside 1..65535 or with non-digits are InvalidUrl") {
    CHECK_THROWS_AS((void)Url::parse("http://h:0/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h:65536/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h:99999999999999999999/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h:8o/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h:-1/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h:1:2/"), InvalidUrl);
    CHECK(Url::parse("http://h:65535/").port == 65535);
    CHECK(Url::parse("http://h:1/").port == 1);
}

TEST_CASE("IPv6 literals are checked, kept without brackets and printed with them") {
    Url url = Url::parse("http://[2001:DB8::0:1]:8080/x");
    CHECK(url.host == "2001:db8::1");
    CHECK(url.isIPv6());
    CHECK(url.isIpLiteral());
    CHECK(url.hostHeader() == "[2001:db8::1]:8080");
    CHECK(url.toString() == "http://[2001:db8::1]:8080/x");
    CHECK(Url::parse("http://[::1]").hostHeader() == "[::1]");
    CHECK(Url::parse("http://[::ffff:192.0.2.1]/").host == "::ffff:192.0.2.1");
    CHECK_THROWS_AS((void)Url::parse("http://[::1/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://[::1]x/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://[1:2:3]/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://[fe80::1%25eth0]/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://[v1.x]/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://[]/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://::1/"), InvalidUrl);
}

TEST_CASE("IPv4 literals and names") {
    CHECK(Url::parse("http://192.0.2.1/").isIpLiteral());
    CHECK(!Url::parse("http://example.com/").isIpLiteral());
    CHECK(!Url::parse("http://192.0.2/").isIpLiteral());
    CHECK(!Url::parse("http://example.com/").isIPv6());
}

TEST_CASE("user information is refused, not dropped") {
    CHECK_THROWS_AS((void)Url::parse("http://user:pass@example.com/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://@example.com/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://evil.com\\@good.com/"), InvalidUrl);
}

TEST_CASE("hosts: empty, non-ASCII, percent-encoded or with odd characters are InvalidUrl") {
    CHECK_THROWS_AS((void)Url::parse("http:///path"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://:80/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://b\xc3\xbc"
                                     "cher.de/"),
                    InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://ex%41mple.com/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://a<b/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http:path"), InvalidUrl);
    CHECK(Url::parse("http://my_host-1.example/").host == "my_host-1.example");
}

TEST_CASE("space and control bytes are refused anywhere, even in the fragment") {
    CHECK_THROWS_AS((void)Url::parse("http://h/a b"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse(" http://h/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h/\r\nX: y"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse(std::string("http://h/\0", 10)), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h/#a\tb"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("http://h/\x7f"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse(""), InvalidUrl);
}

TEST_CASE("bytes >= 0x80 and ASCII not allowed in a path are percent-encoded; % is kept") {
    CHECK(Url::parse("http://h/caf\xc3\xa9?q=\xc3\xa9").path == "/caf%C3%A9?q=%C3%A9");
    CHECK(Url::parse("http://h/a\"<>\\^`{|}[]").path == "/a%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D");
    CHECK(Url::parse("http://h/100%?x=%zz").path == "/100%?x=%zz");
    CHECK(Url::parse("http://h/a?b?c/d").path == "/a?b?c/d");
    CHECK(Url::parse("http://h/!$&'()*+,;=:@~").path == "/!$&'()*+,;=:@~");
}

TEST_CASE("relative references are not URLs") {
    CHECK_THROWS_AS((void)Url::parse("/a/b"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("example.com/a"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("//example.com/a"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::parse("1http://h/"), InvalidUrl);
}

TEST_CASE("any scheme parses; only http is fetchable, https included in the refusal") {
    Url https = Url::parse("https://example.com/");
    CHECK(https.port == 443);
    CHECK(https.toString() == "https://example.com/");
    CHECK_THROWS_AS(https.requireHttp(), UnsupportedScheme);
    try {
        https.requireHttp();
    } catch (const UnsupportedScheme& e) {
        CHECK(e.scheme() == "https");
        CHECK(std::string(e.what()).find("no TLS") != std::string::npos);
    }
    Url mail = Url::parse("MailTo:someone@example.com");
    CHECK(mail.scheme == "mailto");
    CHECK(!mail.hasAuthority);
    CHECK(mail.path == "someone@example.com");
    CHECK(mail.toString() == "mailto:someone@example.com");
    CHECK_THROWS_AS(mail.requireHttp(), UnsupportedScheme);
    Url ftp = Url::parse("ftp://files.example.com/x");
    CHECK(ftp.port == 0);
    CHECK(ftp.toString() == "ftp://files.example.com/x");
    Url file = Url::parse("file:///etc/hosts");
    CHECK(file.host.empty());
    CHECK(file.toString() == "file:///etc/hosts");
}

TEST_CASE("dot segments are removed when parsing") {
    CHECK(Url::parse("http://h/a/b/../c/./d").path == "/a/c/d");
    CHECK(Url::parse("http://h/../../x").path == "/x");
    CHECK(Url::parse("http://h/a/..").path == "/");
    CHECK(Url::parse("http://h/a/.?q=/../").path == "/a/?q=/../");
    // Dots inside a segment are not dot segments.
    CHECK(Url::parse("http://h/a.b/.c/..d/e..").path == "/a.b/.c/..d/e..");
    CHECK(Url::parse("mailto:./x").path == "x");
}

TEST_CASE("a path that would read as an authority is written with /. in front") {
    Url url = Url::parse("foo:/.//bar");
    CHECK(url.path == "//bar");
    CHECK(!url.hasAuthority);
    CHECK(url.toString() == "foo:/.//bar");
    CHECK(Url::parse(url.toString()) == url);
}

TEST_CASE("RFC 3986 §5.4.1: normal examples") {
    CHECK(resolved("g:h") == "g:h");
    CHECK(resolved("g") == "http://a/b/c/g");
    CHECK(resolved("./g") == "http://a/b/c/g");
    CHECK(resolved("g/") == "http://a/b/c/g/");
    CHECK(resolved("/g") == "http://a/g");
    CHECK(resolved("//g") == "http://g/");  // http's empty path is "/" (RFC 3986 §6.2.3)
    CHECK(resolved("?y") == "http://a/b/c/d;p?y");
    CHECK(resolved("g?y") == "http://a/b/c/g?y");
    CHECK(resolved("#s") == "http://a/b/c/d;p?q");  // fragments are dropped
    CHECK(resolved("g#s") == "http://a/b/c/g");
    CHECK(resolved("g?y#s") == "http://a/b/c/g?y");
    CHECK(resolved(";x") == "http://a/b/c/;x");
    CHECK(resolved("g;x") == "http://a/b/c/g;x");
    CHECK(resolved("g;x?y#s") == "http://a/b/c/g;x?y");
    CHECK(resolved("") == "http://a/b/c/d;p?q");
    CHECK(resolved(".") == "http://a/b/c/");
    CHECK(resolved("./") == "http://a/b/c/");
    CHECK(resolved("..") == "http://a/b/");
    CHECK(resolved("../") == "http://a/b/");
    CHECK(resolved("../g") == "http://a/b/g");
    CHECK(resolved("../..") == "http://a/");
    CHECK(resolved("../../") == "http://a/");
    CHECK(resolved("../../g") == "http://a/g");
}

TEST_CASE("RFC 3986 §5.4.2: abnormal examples") {
    CHECK(resolved("../../../g") == "http://a/g");
    CHECK(resolved("../../../../g") == "http://a/g");
    CHECK(resolved("/./g") == "http://a/g");
    CHECK(resolved("/../g") == "http://a/g");
    CHECK(resolved("g.") == "http://a/b/c/g.");
    CHECK(resolved(".g") == "http://a/b/c/.g");
    CHECK(resolved("g..") == "http://a/b/c/g..");
    CHECK(resolved("..g") == "http://a/b/c/..g");
    CHECK(resolved("./../g") == "http://a/b/g");
    CHECK(resolved("./g/.") == "http://a/b/c/g/");
    CHECK(resolved("g/./h") == "http://a/b/c/g/h");
    CHECK(resolved("g/../h") == "http://a/b/c/h");
    CHECK(resolved("g;x=1/./y") == "http://a/b/c/g;x=1/y");
    CHECK(resolved("g;x=1/../y") == "http://a/b/c/y");
    CHECK(resolved("g?y/./x") == "http://a/b/c/g?y/./x");
    CHECK(resolved("g?y/../x") == "http://a/b/c/g?y/../x");
    CHECK(resolved("g#s/./x") == "http://a/b/c/g");
    CHECK(resolved("g#s/../x") == "http://a/b/c/g");
    // The RFC allows either; weft takes the backward-compatible reading, as browsers do.
    CHECK(resolved("http:g") == "http://a/b/c/g");
}

TEST_CASE("resolve: other schemes, ports, IPv6 bases and bad references") {
    Url base = Url::parse("http://[::1]:8080/dir/page?x");
    CHECK(Url::resolve(base, "other").toString() == "http://[::1]:8080/dir/other");
    CHECK(Url::resolve(base, "//example.com:81").toString() == "http://example.com:81/");
    CHECK(Url::resolve(base, "HTTPS://secure.example/").scheme == "https");
    CHECK(Url::resolve(base, "?y").path == "/dir/page?y");
    CHECK(Url::resolve(base, "caf\xc3\xa9").path == "/dir/caf%C3%A9");
    CHECK_THROWS_AS((void)Url::resolve(base, "//user@h/"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::resolve(base, "a b"), InvalidUrl);
    CHECK_THROWS_AS((void)Url::resolve(base, "http://"), InvalidUrl);
    Url mail = Url::parse("mailto:a@b");
    CHECK(Url::resolve(mail, "c").toString() == "mailto:c");
}

TEST_CASE("parse(toString()) gives the same fields") {
    for (const char* text : {"http://h/", "HTTP://H:81/a/./b/../c?d#e", "http://[::1]:80/", "https://h:443/x",
                             "foo:bar", "foo://h:7/p", "file:///x", "http://h/caf\xc3\xa9", "foo:?x", "foo:"}) {
        INFO(text);
        Url url = Url::parse(text);
        CHECK(Url::parse(url.toString()) == url);
    }
}
