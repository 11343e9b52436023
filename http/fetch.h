// SPDX-License-Identifier: MIT
// http/fetch.h: fetch and getPage, a whole fetch by URL: redirects, one deadline over every
// step, and errors that say which step failed and for which URL. Tests: tests/http/fetch_test.cpp
//
//   weft::http::getPage(agent, "http://example.com/").addCallback([](weft::http::Response r) {
//       std::printf("%d, %zu bytes\n", r.status, r.body.size());
//   });
//
// Redirects (301, 302, 303, 307, 308) are followed up to maxRedirects, then RedirectLoop (at
// once for a redirect back to a URL already visited). The
// method follows RFC 9110 §15.4: 303 turns anything but HEAD into GET, 301 and 302 turn POST
// into GET (as every browser does), 307 and 308 keep method and body. A relative Location is
// resolved against the URL that sent it; a 3xx without Location, or whose Location is not an
// http URL, is returned as the response (weft has no TLS: https is not followed). Credentials
// headers are not carried to another host.
// timeout bounds everything from the DNS lookup to the last body byte of the last redirect:
// when it passes, the socket is closed and the fetch fails with Timeout naming the step it
// was in. Cancelling the Deferred closes the socket at once (CancelledError).
// Failures: InvalidUrl, UnsupportedScheme, DnsError, ConnectionRefused, ConnectFailed,
// Timeout, MalformedResponse, ResponseTooLarge, ConnectionClosed, RedirectLoop, and
// HttpStatusError for 4xx and 5xx when failOnHttpError is set; all HttpFailure, with url().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "defer/deferred.h"
#include "http/agent.h"
#include "http/exchange.h"

namespace weft::http {

struct FetchOptions {
    std::string method = "GET";
    Headers headers;
    std::optional<std::string> body;
    bool chunked = false;
    bool followRedirects = true;
    int maxRedirects = 10;
    std::chrono::nanoseconds timeout = std::chrono::seconds(30);
    std::chrono::nanoseconds readTimeout = std::chrono::seconds(30);
    std::uint64_t maxBodySize = std::uint64_t(64) << 20;
    bool failOnHttpError = false;
    std::function<void(std::string_view)> bodySink;  // the final response's body, as it comes
    std::function<void(int status)> onStream;        // bodySink's response's status, before its body
};

[[nodiscard]] Deferred<Response> fetch(Agent& agent, std::string url, FetchOptions options);

// The article's getPage: GET, following redirects, the body in Response::body.
[[nodiscard]] inline Deferred<Response> getPage(Agent& agent, std::string url, FetchOptions options) {
    options.method = "GET";
    return fetch(agent, std::move(url), std::move(options));
}
// Overloads rather than default arguments: g++ 12 destroys a default argument's temporary
// twice when the call is the operand of co_await (`co_await getPage(agent, url)`).
[[nodiscard]] inline Deferred<Response> getPage(Agent& agent, std::string url) {
    return getPage(agent, std::move(url), FetchOptions{});
}
[[nodiscard]] inline Deferred<Response> fetch(Agent& agent, std::string url) {
    return fetch(agent, std::move(url), FetchOptions{});
}

}  // namespace weft::http
