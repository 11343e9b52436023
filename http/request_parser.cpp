// SPDX-License-Identifier: MIT
// http/request_parser.cpp: the server's request state machine: Head -> Body -> MessageEnd ->
// Head again (pipelining), or Closed. Every rejection names the status a server should send.
// Tests: tests/http/request_parser_test.cpp
#include "http/request_parser.h"

#include <limits>
#include <stdexcept>

namespace weft::http {
namespace {

bool isAbsoluteForm(std::string_view target) noexcept {
    std::size_t colon = target.find("://");
    if (colon == std::string_view::npos || colon == 0) return false;
    char first = target[0];
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
    for (char c : target.substr(0, colon)) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

bool isHostChar(char c) noexcept {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
}

std::exception_ptr malformedRequest(const ParseError& error, Step step) {
    return std::make_exception_ptr(MalformedRequest(error.reason, error.offset, error.detail, {}, step));
}

}  // namespace

RequestParser::RequestParser() : RequestParser(Limits{}) {}

RequestParser::RequestParser(Limits limits)
    : limits_(limits), stream_(State::Head, &malformedRequest, "RequestParser") {}

bool RequestParser::inRequest() const noexcept {
    return stream_.state == State::Body || (stream_.state == State::Head && stream_.input.size() > 0);
}

RequestEvent RequestParser::next() {
    switch (stream_.state) {
        case State::Head: {
            HeadScanner::Limits limits{limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxRequestLineBytes};
            // A close between requests (or after blank lines only) is how a client says goodbye.
            auto atEof = [](std::string_view data) -> std::optional<std::string> {
                if (data.empty() || data == "\r") return std::nullopt;
                return "request head incomplete";
            };
            return stream_.readHead<RequestEvent>(limits, true, atEof, [&](std::string_view head) { return parseHead(head); });
        }
        case State::Body:
            return stream_.readBody<RequestEvent>(State::Head, [] { return std::string("request body incomplete"); });
        default: return stream_.noMessage();  // Closed, Failed
    }
}

RequestEvent RequestParser::parseHead(std::string_view head) {
    std::uint64_t base = stream_.input.offset();
    std::size_t fieldsAt = 0;
    std::string_view line = lineAt(head, fieldsAt);
    RequestHead result;
    parseRequestLine(line, base, result);
    if (auto error = parseFields(head.substr(fieldsAt), base + fieldsAt, stream_.scanner.fieldCount(), result.headers))
        fail(*error);
    checkHost(result, base);
    decideFraming(result, base);
    result.expectContinue = result.versionMinor >= 1 && result.headers.hasToken("Expect", "100-continue");
    stream_.keepAlive = persistsByDefault(result.versionMinor, result.headers);
    result.keepAlive = stream_.keepAlive;
    stream_.state = State::Body;
    return result;
}

// method SP request-target SP HTTP-version, single spaces, no other whitespace.
void RequestParser::parseRequestLine(std::string_view line, std::uint64_t base, RequestHead& out) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        auto c = static_cast<unsigned char>(line[i]);
        if (c == '\t') fail({Malformed::BadStartLine, base + i, "tab in the request line"});
        if (auto bad = badByte(line[i], Malformed::BadStartLine)) fail({*bad, base + i, "in the request line"});
    }
    std::size_t first = line.find(' ');
    std::size_t last = line.rfind(' ');
    if (first == std::string_view::npos || first == last)
        fail({Malformed::BadStartLine, base, "not method SP target SP version"});
    std::string_view method = line.substr(0, first);
    std::string_view target = line.substr(first + 1, last - first - 1);
    std::string_view version = line.substr(last + 1);
    for (std::size_t i = 0; i < method.size(); ++i)
        if (!isTokenChar(method[i])) fail({Malformed::BadMethod, base + i, "method is not a token"});
    if (method.empty()) fail({Malformed::BadMethod, base, "no method"});
    if (auto bad = parseVersion(version, out.versionMinor)) fail({*bad, base + last + 1, std::string(version)});
    if (version.size() != 8) fail({Malformed::BadStartLine, base + last + 9, "text after the version"});

    std::uint64_t at = base + first + 1;
    if (target.empty()) fail({Malformed::BadTarget, at, "empty target"});
    if (std::size_t space = target.find(' '); space != std::string_view::npos)
        fail({Malformed::BadTarget, at + space, "space in the target"});
    bool connect = method == "CONNECT";
    if (connect) {
        if (target[0] == '/' || isAbsoluteForm(target) || target.find(':') == std::string_view::npos)
            fail({Malformed::BadTarget, at, "CONNECT needs host:port"});
    } else if (target == "*") {
        if (method != "OPTIONS") fail({Malformed::BadTarget, at, "* is for OPTIONS only"});
    } else if (target[0] != '/' && !isAbsoluteForm(target)) {
        fail({Malformed::BadTarget, at, "neither origin-form nor absolute-form"});
    }
    out.method = method;
    out.target = target;
}

void RequestParser::checkHost(const RequestHead& head, std::uint64_t base) {
    std::size_t count = 0;
    for (auto [name, value] : head.headers) {
        if (!equalsIgnoreCase(name, "host")) continue;
        ++count;
        for (char c : value)
            if (!isHostChar(c)) fail({Malformed::BadHost, base, "Host is not host[:port]"});
    }
    if (count > 1) fail({Malformed::BadHost, base, "more than one Host"});
    if (count == 0 && head.versionMinor >= 1) fail({Malformed::BadHost, base, "HTTP/1.1 request without Host"});
}

void RequestParser::decideFraming(RequestHead& head, std::uint64_t base) {
    Framing framing;
    if (auto error = readFraming(head.headers, base, framing)) fail(*error);
    head.contentLength = framing.contentLength;
    if (framing.hasTransferEncoding) {
        if (head.versionMinor == 0) fail({Malformed::BadTransferEncoding, base, "Transfer-Encoding in HTTP/1.0"});
        if (framing.contentLength) fail({Malformed::BadTransferEncoding, base, "both Transfer-Encoding and Content-Length"});
        if (framing.chunkedCount != 1 || !framing.chunkedLast)
            fail({Malformed::BadTransferEncoding, base, "chunked must be the last coding, once"});
        if (framing.otherCodings) fail({Malformed::UnsupportedTransferEncoding, base, "only chunked is supported"});
        head.body = BodyKind::Chunked;
    } else if (framing.contentLength) {
        if (*framing.contentLength > limits_.maxBodyBytes)
            fail({Malformed::BodyTooLarge, base, std::to_string(*framing.contentLength) + " bytes"});
        head.body = BodyKind::Length;
    }
    BodyReader::Limits limits{limits_.maxChunkSize, limits_.maxChunkLineBytes,
                              {limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxHeadBytes}, limits_.maxBodyBytes};
    stream_.body.start(head.body, framing.contentLength.value_or(0), limits);
}

}  // namespace weft::http
