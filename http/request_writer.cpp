// SPDX-License-Identifier: MIT
// http/request_writer.cpp: request heads, checked and sized before anything is written, so
// the output is allocated once and a refused request leaves nothing half-built.
// Tests: tests/http/request_writer_test.cpp
#include "http/request_writer.h"

#include <charconv>

#include "http/errors.h"

namespace weft::http {
namespace {

void checkValue(std::string_view what, std::string_view text) {
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\r' || c == '\n' || c == 0)
            throw InvalidRequest(std::string(what) + " contains CR, LF or NUL");
    }
    if (!isFieldValue(text)) throw InvalidRequest(std::string(what) + " contains a control byte");
}

}  // namespace

std::string writeRequestHead(std::string_view method, const Url& url, const Headers& headers,
                             std::optional<std::uint64_t> contentLength, bool chunked) {
    if (!isToken(method)) throw InvalidRequest("method is not a token");
    std::string_view target = url.path.empty() ? std::string_view("/") : std::string_view(url.path);
    for (char ch : target) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) throw InvalidRequest("target contains a space or control byte");
    }
    if (contentLength && chunked) throw InvalidRequest("both Content-Length and chunked");

    bool callerHost = false;
    std::size_t size = method.size() + 1 + target.size() + 11;  // " HTTP/1.1\r\n"
    for (auto [name, value] : headers) {
        if (!isToken(name)) throw InvalidRequest("header name is not a token");
        checkValue("header " + std::string(name), value);
        if (equalsIgnoreCase(name, "content-length") || equalsIgnoreCase(name, "transfer-encoding"))
            throw InvalidRequest(std::string(name) + " must be given as an argument, not a header");
        callerHost = callerHost || equalsIgnoreCase(name, "host");
        size += name.size() + 2 + value.size() + 2;
    }
    std::string host = callerHost ? std::string() : url.hostHeader();
    checkValue("host", host);
    size += callerHost ? 0 : 6 + host.size() + 2;
    size += chunked ? 28 : 0;                     // "Transfer-Encoding: chunked\r\n"
    size += contentLength ? 16 + 20 + 2 : 0;      // "Content-Length: " digits CRLF
    size += 2;

    std::string out;
    out.reserve(size);
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    if (!callerHost) out.append("Host: ").append(host).append("\r\n");
    for (auto [name, value] : headers) out.append(name).append(": ").append(value).append("\r\n");
    if (chunked) out.append("Transfer-Encoding: chunked\r\n");
    if (contentLength) out.append("Content-Length: ").append(std::to_string(*contentLength)).append("\r\n");
    out.append("\r\n");
    return out;
}

std::string writeChunk(std::string_view data) {
    if (data.empty()) return {};
    char hex[16];
    auto [end, ec] = std::to_chars(hex, hex + sizeof hex, data.size(), 16);
    (void)ec;  // 16 hex digits hold any size_t
    std::string out;
    out.reserve(static_cast<std::size_t>(end - hex) + data.size() + 4);
    out.append(hex, end).append("\r\n").append(data).append("\r\n");
    return out;
}

}  // namespace weft::http
