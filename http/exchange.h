// SPDX-License-Identifier: MIT
// http/exchange.h: the values a client exchange is made of: Request, Response, and the
// per-request limits and progress the Agent and its connections share.
// Tests: tests/http/agent_test.cpp, tests/http/fetch_test.cpp
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/errors.h"
#include "http/headers.h"
#include "http/url.h"

namespace weft::http {

struct Request {
    std::string method = "GET";
    Url url;
    Headers headers;              // Host, Content-Length/Transfer-Encoding are added
    std::optional<std::string> body;
    bool chunked = false;         // send the body with Transfer-Encoding: chunked

    // RFC 9110 §9.2.2: may be sent twice without changing what it did once.
    [[nodiscard]] bool idempotent() const noexcept {
        return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
               method == "PUT" || method == "DELETE";
    }
};

struct Response {
    int status = 0;
    std::string reason;
    int versionMinor = 1;
    Headers headers;
    std::string body;                    // empty when a body sink took the bytes
    std::string url;                     // the URL that answered (after redirects)
    std::vector<std::string> redirects;  // the URLs redirected from, in order
};

// Whole milliseconds, as Timeout reports them.
[[nodiscard]] inline std::chrono::milliseconds inMs(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// Where a request is, for errors that must say which step failed.
struct Progress {
    Step step = Step::Url;
    std::string url;
};

struct RequestOptions {
    std::uint64_t maxBodySize = std::uint64_t(64) << 20;           // ResponseTooLarge past it
    std::chrono::nanoseconds readTimeout = std::chrono::seconds(30);  // idle between reads
    std::function<void(std::string_view)> bodySink;  // streams the body instead of keeping it
    std::function<bool(int status)> streamWhen;      // which statuses go to bodySink (all if unset)
    std::shared_ptr<Progress> progress;              // updated as the request moves on
};

}  // namespace weft::http
