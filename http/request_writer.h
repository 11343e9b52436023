// SPDX-License-Identifier: MIT
// http/request_writer.h: the bytes of a request head, and of a chunked body, for the client.
// Tests: tests/http/request_writer_test.cpp
//
//   Headers headers{{"User-Agent", "weft"}};
//   std::string head = writeRequestHead("GET", url, headers);   // "GET /a HTTP/1.1\r\nHost: ..."
//   std::string head = writeRequestHead("POST", url, headers, std::nullopt, true);
//   transport.write(head + writeChunk(part) + std::string(lastChunk()));
//
// A request-smuggling guard: a CR, LF or NUL anywhere (method, target, header names or values)
// would let whoever chose that text add headers or a second request, so every byte is checked
// and InvalidRequest is thrown rather than anything sent. Framing comes only from the
// arguments: a Content-Length or Transfer-Encoding in `headers` is refused too, since it could
// contradict them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.h"
#include "http/url.h"

namespace weft::http {

// "METHOD path HTTP/1.1", then Host (url.hostHeader(), unless headers has one: the caller's
// wins, for virtual-host tests), then headers in order, then Content-Length: contentLength,
// or Transfer-Encoding: chunked when chunked (not both). The target is url.path (origin-form).
[[nodiscard]] std::string writeRequestHead(std::string_view method, const Url& url, const Headers& headers,
                                           std::optional<std::uint64_t> contentLength = std::nullopt,
                                           bool chunked = false);

// One chunk of a chunked body: hex size, CRLF, data, CRLF. Empty data gives "": a chunk of
// size 0 would end the body.
[[nodiscard]] std::string writeChunk(std::string_view data);

// The last chunk with no trailers: ends a chunked body.
[[nodiscard]] constexpr std::string_view lastChunk() noexcept { return "0\r\n\r\n"; }

}  // namespace weft::http
