// SPDX-License-Identifier: MIT
// http/url.cpp: RFC 3986 parsing and reference resolution. resolve() computes the target's
// parts as text and hands the result to parse(), so both share one set of checks and one
// normal form. Tests: tests/http/url_test.cpp
#include "http/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <optional>

#include "http/headers.h"

namespace weft::http {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr bool isAlpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool isUnreserved(char c) noexcept {
    return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool isSubDelim(char c) noexcept { return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos; }

// The five parts of RFC 3986 Appendix B, fragment already cut off; nothing validated yet.
struct Parts {
    std::optional<std::string_view> scheme, authority, query;
    std::string_view path;
};

bool isScheme(std::string_view text) noexcept {
    if (text.empty() || !isAlpha(text[0])) return false;
    for (char c : text)
        if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') return false;
    return true;
}

Parts split(std::string_view text) {
    Parts parts;
    text = text.substr(0, text.find('#'));
    std::size_t colon = text.find_first_of(":/?");
    if (colon != std::string_view::npos && text[colon] == ':' && isScheme(text.substr(0, colon))) {
        parts.scheme = text.substr(0, colon);
        text.remove_prefix(colon + 1);
    }
    if (text.starts_with("//")) {
        text.remove_prefix(2);
        std::size_t end = text.find_first_of("/?");
        parts.authority = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end);
    }
    std::size_t question = text.find('?');
    parts.path = text.substr(0, question);
    if (question != std::string_view::npos) parts.query = text.substr(question + 1);
    return parts;
}

// Space and control bytes cannot be carried on a request line at all, so no repair is tried.
void checkBytes(std::string_view text) {
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f)
            throw InvalidUrl(c == ' ' ? "contains a space" : "contains a control byte", text);
    }
}

// RFC 3986 §5.2.4, written as a scan over the input with the output as a stack of segments.
std::string removeDotSegments(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    auto popSegment = [&out] {
        std::size_t slash = out.rfind('/');
        out.resize(slash == std::string::npos ? 0 : slash);
    };
    while (!in.empty()) {
        if (in.starts_with("../")) {
            in.remove_prefix(3);
        } else if (in.starts_with("./")) {
            in.remove_prefix(2);
        } else if (in.starts_with("/./")) {
            in.remove_prefix(2);
        } else if (in == "/.") {
            out += '/';
            break;
        } else if (in.starts_with("/../")) {
            in.remove_prefix(3);
            popSegment();
        } else if (in == "/..") {
            popSegment();
            out += '/';
            break;
        } else if (in == "." || in == "..") {
            break;
        } else {
            std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
            out.append(in.substr(0, next));
            in.remove_prefix(next == std::string_view::npos ? in.size() : next);
        }
    }
    return out;
}

// What a path or query may hold as is (pchar, "/", "?"), and "%": the text may already be
// encoded, and encoding twice would change it. A table: every URL fetched passes through here.
struct PathBytes {
    bool in[256];
};
constexpr PathBytes makePathBytes() {
    PathBytes table{};
    for (int c = 0; c < 256; ++c) {
        char ch = static_cast<char>(c);
        table.in[c] = isUnreserved(ch) || std::string_view("!$&'()*+,;=:@/?%").find(ch) != std::string_view::npos;
    }
    return table;
}
constexpr PathBytes kPathBytes = makePathBytes();

// Percent-encodes the bytes kPathBytes leaves out; runs of bytes that need nothing are copied whole.
void appendEncoded(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t run = i;
        while (run < text.size() && kPathBytes.in[static_cast<unsigned char>(text[run])]) ++run;
        out.append(text.substr(i, run - i));
        if (run == text.size()) break;
        auto byte = static_cast<unsigned char>(text[run]);
        out += '%';
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
        i = run + 1;
    }
}

// True if the path may hold a "." or ".." segment; without one, removeDotSegments changes nothing.
bool mayHaveDotSegments(std::string_view path) noexcept {
    return path.starts_with('.') || path.find("/.") != std::string_view::npos;
}

std::uint16_t parsePort(std::string_view text, std::string_view original) {
    unsigned long value = 0;
    for (char c : text) {
        if (!isDigit(c)) throw InvalidUrl("port is not a number", original);
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535) throw InvalidUrl("port over 65535", original);
    }
    if (value == 0) throw InvalidUrl("port 0", original);
    return static_cast<std::uint16_t>(value);
}

void parseAuthority(std::string_view authority, Url& url, std::string_view original) {
    if (authority.find('@') != std::string_view::npos)
        throw InvalidUrl("user information (user:password@) is not supported", original);
    std::optional<std::string_view> port;
    if (authority.starts_with('[')) {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) throw InvalidUrl("IPv6 address without ']'", original);
        std::string literal(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest[0] != ':') throw InvalidUrl("text after an IPv6 address", original);
        if (!rest.empty()) port = rest.substr(1);
        if (!literal.empty() && (literal[0] == 'v' || literal[0] == 'V'))
            throw InvalidUrl("IPvFuture addresses are not supported", original);
        if (literal.find('%') != std::string::npos)
            throw InvalidUrl("IPv6 zone identifiers are not supported", original);
        in6_addr address{};
        char text[INET6_ADDRSTRLEN];
        if (inet_pton(AF_INET6, literal.c_str(), &address) != 1 ||
            inet_ntop(AF_INET6, &address, text, sizeof text) == nullptr)
            throw InvalidUrl("bad IPv6 address", original);
        url.host = text;
    } else {
        std::size_t colon = authority.find(':');
        std::string_view host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
        url.host.clear();
        for (char c : host) {
            if (!isUnreserved(c) && !isSubDelim(c))
                throw InvalidUrl(static_cast<unsigned char>(c) >= 0x80
                                     ? "non-ASCII host (internationalised names are not supported)"
                                     : "character not allowed in a host name",
                                 original);
            url.host += lower(c);
        }
    }
    url.port = port && !port->empty() ? parsePort(*port, original) : Url::defaultPort(url.scheme);
}

Url build(const Parts& parts, std::string_view original) {
    Url url;
    url.scheme.clear();
    for (char c : *parts.scheme) url.scheme += lower(c);
    bool needsHost = url.scheme == "http" || url.scheme == "https";
    url.hasAuthority = parts.authority.has_value();
    if (url.hasAuthority) {
        parseAuthority(*parts.authority, url, original);
    } else {
        url.port = 0;
    }
    if (needsHost && url.host.empty()) throw InvalidUrl("no host", original);
    std::string cleaned;
    std::string_view path = parts.path;
    if (mayHaveDotSegments(path)) path = cleaned = removeDotSegments(path);
    if (url.hasAuthority && path.empty()) path = "/";
    url.path.clear();
    url.path.reserve(path.size() + (parts.query ? parts.query->size() + 1 : 0));
    appendEncoded(url.path, path);
    if (parts.query) {
        url.path += '?';
        appendEncoded(url.path, *parts.query);
    }
    return url;
}

std::optional<std::string_view> queryOf(const Url& url) {
    std::size_t question = url.path.find('?');
    if (question == std::string::npos) return std::nullopt;
    return std::string_view(url.path).substr(question + 1);
}

// scheme ":" ["//" authority] path ["?" query], with "/." before a path that would otherwise
// read as an authority (RFC 3986 §5.3's caveat).
std::string compose(std::string_view scheme, std::optional<std::string_view> authority, std::string_view path,
                    std::optional<std::string_view> query) {
    std::string out(scheme);
    out += ':';
    if (authority) {
        out += "//";
        out += *authority;
    } else if (path.starts_with("//")) {
        out += "/.";
    }
    out += path;
    if (query) {
        out += '?';
        out += *query;
    }
    return out;
}

}  // namespace

Url Url::parse(std::string_view text) {
    checkBytes(text);
    Parts parts = split(text);
    if (!parts.scheme) throw InvalidUrl("no scheme (a relative reference is not a URL)", text);
    return build(parts, text);
}

Url Url::resolve(const Url& base, std::string_view reference) {
    checkBytes(reference);
    Parts ref = split(reference);
    if (ref.scheme && !ref.authority && equalsIgnoreCase(*ref.scheme, base.scheme)) ref.scheme.reset();
    if (ref.scheme) return build(ref, reference);

    std::string authority = base.hasAuthority ? base.hostHeader() : std::string();
    std::optional<std::string_view> baseAuthority;
    if (base.hasAuthority) baseAuthority = authority;

    std::string target;
    if (ref.authority) {
        target = compose(base.scheme, ref.authority, removeDotSegments(ref.path), ref.query);
    } else if (ref.path.empty()) {
        target = compose(base.scheme, baseAuthority, base.pathOnly(), ref.query ? ref.query : queryOf(base));
    } else if (ref.path.starts_with('/')) {
        target = compose(base.scheme, baseAuthority, removeDotSegments(ref.path), ref.query);
    } else {
        std::string merged;  // RFC 3986 §5.2.3
        std::string_view basePath = base.pathOnly();
        if (base.hasAuthority && basePath.empty()) {
            merged = "/";
        } else {
            std::size_t slash = basePath.rfind('/');
            if (slash != std::string_view::npos) merged = basePath.substr(0, slash + 1);
        }
        merged += ref.path;
        target = compose(base.scheme, baseAuthority, removeDotSegments(merged), ref.query);
    }
    return parse(target);
}

void Url::requireHttp() const {
    if (scheme != "http") throw UnsupportedScheme(scheme, toString());
}

std::uint16_t Url::defaultPort(std::string_view scheme) noexcept {
    if (scheme == "http") return 80;
    if (scheme == "https") return 443;
    return 0;
}

bool Url::isIPv6() const noexcept { return host.find(':') != std::string::npos; }

bool Url::isIpLiteral() const noexcept {
    if (isIPv6()) return true;
    in_addr address{};
    return !host.empty() && inet_pton(AF_INET, host.c_str(), &address) == 1;
}

std::string_view Url::pathOnly() const noexcept { return std::string_view(path).substr(0, path.find('?')); }

std::string_view Url::query() const noexcept { return queryOf(*this).value_or(std::string_view()); }

namespace {

// host, in brackets if IPv6, then ":port" unless it is the scheme's default.
void appendAuthority(std::string& out, const Url& url) {
    if (url.isIPv6()) {
        out += '[';
        out += url.host;
        out += ']';
    } else {
        out += url.host;
    }
    if (url.port != 0 && url.port != Url::defaultPort(url.scheme)) {
        char digits[8];
        auto end = std::to_chars(digits, digits + sizeof digits, url.port).ptr;
        out += ':';
        out.append(digits, end);
    }
}

}  // namespace

std::string Url::hostHeader() const {
    std::string out;
    appendAuthority(out, *this);
    return out;
}

// compose()'s normal form, built in place: path already holds "?query".
std::string Url::toString() const {
    std::string out;
    out.reserve(scheme.size() + 3 + host.size() + 8 + path.size());
    out.append(scheme).append(":");
    if (hasAuthority) {
        out += "//";
        appendAuthority(out, *this);
    } else if (path.starts_with("//")) {
        out += "/.";
    }
    out += path;
    return out;
}

}  // namespace weft::http
