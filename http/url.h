// SPDX-License-Identifier: MIT
// http/url.h: absolute URLs (RFC 3986) as values, and resolving references against them.
// Tests: tests/http/url_test.cpp; fuzzed by http/fuzz/fuzz_url.cpp.
//
//   auto url = weft::http::Url::parse("HTTP://Example.COM:8080/a/../b?q=1#top");
//   url.requireHttp();            // throws UnsupportedScheme for https, ftp, mailto, ...
//   url.host == "example.com", url.port == 8080, url.path == "/b?q=1", fragment dropped
//   auto next = weft::http::Url::resolve(url, "../c?x");   // a Location header
//
// Decisions where the RFC leaves a choice, or where browsers and curl differ:
// - Any scheme parses, so a redirect to ftp: or mailto: fails as UnsupportedScheme rather
//   than InvalidUrl; only http is fetchable (requireHttp), and https is refused: no TLS.
// - user:password@ is refused (InvalidUrl): weft sends no credentials, and silently dropping
//   them would fetch something other than what was asked.
// - Space and control bytes anywhere are refused. Bytes >= 0x80 and ASCII that RFC 3986 does
//   not allow in a path or query ("<>\"{}|\\^`[]") are percent-encoded, as browsers do; "%"
//   sequences are kept exactly as given, even ill-formed ones. The fragment is dropped.
// - Hosts: reg-names are lowercased and must be ASCII (no IDNA) without "%"; IPv6 literals
//   are checked with inet_pton and kept without brackets in canonical form; zone ids and
//   IPvFuture are refused. http needs a non-empty host (RFC 9110 §4.2.1).
// - Dot segments are removed from every path, so parse("http://h/a/../b").path == "/b".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/errors.h"

namespace weft::http {

struct Url {
    std::string scheme;         // lowercased: "http"
    std::string host;           // lowercased reg-name, IPv4 text, or IPv6 without brackets
    std::uint16_t port = 0;     // the explicit port, else the scheme's default (0: none known)
    std::string path = "/";     // path and query, fragment dropped; "/" at least with a host
    bool hasAuthority = true;   // false for "mailto:x", "urn:y": no "//host" part

    // Throws InvalidUrl (not an absolute URL: relative, bad host, bad port, control bytes).
    [[nodiscard]] static Url parse(std::string_view text);
    // RFC 3986 §5.2 (non-strict: "http:g" against an http base is the relative "g"). Throws
    // InvalidUrl if reference, or the result, is not a URL.
    [[nodiscard]] static Url resolve(const Url& base, std::string_view reference);

    void requireHttp() const;  // throws UnsupportedScheme unless scheme == "http"

    [[nodiscard]] static std::uint16_t defaultPort(std::string_view scheme) noexcept;  // 80, 443, 0
    [[nodiscard]] bool isIPv6() const noexcept;
    [[nodiscard]] bool isIpLiteral() const noexcept;  // IPv6, or IPv4 in dotted-quad form
    [[nodiscard]] std::string_view pathOnly() const noexcept;  // path without "?query"
    [[nodiscard]] std::string_view query() const noexcept;     // after "?", "" if none
    // Host field value: "example.com", "example.com:8080", "[::1]:8080" (port when not default).
    [[nodiscard]] std::string hostHeader() const;
    // Normal form: parse(toString()) gives back the same fields.
    [[nodiscard]] std::string toString() const;

    friend bool operator==(const Url&, const Url&) = default;
};

}  // namespace weft::http
