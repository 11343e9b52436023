// SPDX-License-Identifier: MIT
// http/errors.h: everything that can end a fetch or break a parse, as weft::Error subclasses
// with codes in the "weft.http" category. Tests: tests/http/errors_test.cpp
//
// Whose fault: InvalidUrl, UnsupportedScheme and InvalidRequest are the caller's;
// MalformedResponse, HttpStatusError and RedirectLoop the server's; MalformedRequest the
// client's (as seen by weft's server); DnsError, the connect errors, Timeout and
// ConnectionClosed the network's (or nobody's); Cancelled the caller's choice.
//
// Every HttpFailure carries url() and step(). The sans-I/O parts (Url::parse, the parsers)
// know neither, so they throw with url() empty; the client catches, and rethrows
// e.withContext(url, step), a copy of the same dynamic type that names both.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>

#include "defer/errors.h"

namespace weft::http {

enum class HttpError {
    InvalidUrl = 1,     // caller: text that is not a URL we can fetch
    UnsupportedScheme,  // caller: a scheme other than http (https included: weft has no TLS)
    MalformedResponse,  // server: bytes that are not an HTTP/1.x response
    MalformedRequest,   // client (seen by our server): bytes that are not an HTTP/1.x request
    DnsError,           // the host name did not resolve
    ConnectionRefused,  // nothing listens at the address
    Timeout,            // a step took longer than allowed
    ResponseTooLarge,   // the body passed the caller's limit
    ConnectionClosed,   // the peer closed before the response was complete
    RedirectLoop,       // too many redirects, or one back to a URL already seen
    HttpStatus,         // a final status the caller asked to treat as an error (4xx, 5xx)
    Cancelled,          // the caller cancelled the fetch
    ConnectFailed,      // no connection for another reason: no route, network unreachable
    InvalidRequest,     // caller: a method, target or header that cannot be sent safely
};

// What the client was doing when it failed.
enum class Step { Url, Dns, Connect, SendRequest, ReadHeaders, ReadBody, Redirect };
[[nodiscard]] std::string_view stepName(Step step) noexcept;  // "reading headers"

// Why bytes are not an HTTP message; MalformedResponse::reason(), MalformedRequest::reason().
enum class Malformed {
    BadStartLine = 1,     // status line or request line of the wrong shape
    BadVersion,           // not HTTP/1.x
    BadStatus,            // status code not 3 digits in 100..599
    BadMethod,            // request method not a token
    BadTarget,            // request target empty, with a control byte or of no known form
    TargetTooLong,        // request line longer than the limit (414)
    BadHeader,            // no colon, a name that is not a token, space before the colon
    ObsFold,              // a field line continued on the next line (obsolete, RFC 9112 §5.2)
    BareCR,               // a CR not followed by LF
    NulByte,              // a NUL byte in the head
    HeaderTooLarge,       // head (or trailer section) longer than the limit
    TooManyHeaders,       // more field lines than the limit
    BadHost,              // request: HTTP/1.1 without Host, or several Host fields
    BadContentLength,     // not 1*DIGIT, or over 2^63-1
    ConflictingContentLength,  // several Content-Length values that differ
    BadTransferEncoding,  // chunked twice or not last (requests), TE in HTTP/1.0, TE with CL
    UnsupportedTransferEncoding,  // request: a transfer coding other than chunked (501)
    BadChunk,             // chunk-size line or the CRLF after chunk data of the wrong shape
    ChunkTooLarge,        // a chunk size over the limit
    BodyTooLarge,         // request: a body over the server's limit (413)
    TooMany1xx,           // more interim (1xx) responses than the limit
    UnexpectedUpgrade,    // 101 Switching Protocols, which weft never asks for
};
[[nodiscard]] std::string_view describe(Malformed reason) noexcept;

[[nodiscard]] const std::error_category& httpCategory() noexcept;
[[nodiscard]] std::error_code make_error_code(HttpError e) noexcept;

}  // namespace weft::http

template <>
struct std::is_error_code_enum<weft::http::HttpError> : std::true_type {};

namespace weft::http {

// Base of every http/ error. what() is "<detail> (<step> <url>)" once the context is known.
class HttpFailure : public Error {
public:
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    [[nodiscard]] Step step() const noexcept { return step_; }
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

    // A copy of this error, of the same dynamic type, naming url and step.
    [[nodiscard]] virtual std::exception_ptr withContext(std::string_view url, Step step) const = 0;

protected:
    HttpFailure(HttpError code, std::string detail, std::string_view url, Step step);
    void setContext(std::string_view url, Step step);

    template <class E>
    static std::exception_ptr copyWithContext(const E& error, std::string_view url, Step step) {
        E copy(error);
        static_cast<HttpFailure&>(copy).setContext(url, step);
        return std::make_exception_ptr(std::move(copy));
    }

private:
    void compose();

    std::string detail_;
    std::string url_;
    Step step_;
    std::string message_;  // what(): runtime_error's own text cannot change with the context
};

// Declares the override every concrete class needs (one line instead of three each).
#define WEFT_HTTP_WITH_CONTEXT                                                                  \
    [[nodiscard]] std::exception_ptr withContext(std::string_view url, Step step) const override { \
        return copyWithContext(*this, url, step);                                               \
    }

// url() here is the text that failed to parse (control bytes shown as \xNN in what()).
class InvalidUrl : public HttpFailure {
public:
    InvalidUrl(std::string_view why, std::string_view url = {}, Step step = Step::Url);
    WEFT_HTTP_WITH_CONTEXT
};

class UnsupportedScheme : public HttpFailure {
public:
    UnsupportedScheme(std::string_view scheme, std::string_view url = {}, Step step = Step::Url);
    [[nodiscard]] const std::string& scheme() const noexcept { return scheme_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    std::string scheme_;
};

// A header, method or target the caller gave that would break the request's framing (CR, LF,
// NUL: request smuggling) or is not a token where one is needed.
class InvalidRequest : public HttpFailure {
public:
    InvalidRequest(std::string_view why, std::string_view url = {}, Step step = Step::SendRequest);
    WEFT_HTTP_WITH_CONTEXT
};

// offset(): the byte of the connection's input (counted from 0) where the rule broke.
class MalformedResponse : public HttpFailure {
public:
    MalformedResponse(Malformed reason, std::uint64_t offset, std::string_view detail = {},
                      std::string_view url = {}, Step step = Step::ReadHeaders);
    [[nodiscard]] Malformed reason() const noexcept { return reason_; }
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    Malformed reason_;
    std::uint64_t offset_;
};

// statusHint(): what a server should answer before closing (400, 413, 414, 431, 501, 505).
class MalformedRequest : public HttpFailure {
public:
    MalformedRequest(Malformed reason, std::uint64_t offset, std::string_view detail = {},
                     std::string_view url = {}, Step step = Step::ReadHeaders);
    [[nodiscard]] Malformed reason() const noexcept { return reason_; }
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
    [[nodiscard]] int statusHint() const noexcept;
    WEFT_HTTP_WITH_CONTEXT

private:
    Malformed reason_;
    std::uint64_t offset_;
};

// dnsCode() is the resolver's error (weft.dns category: NameNotFound, Timeout, ...).
class DnsError : public HttpFailure {
public:
    DnsError(std::string_view host, std::error_code dnsCode, std::string_view dnsMessage,
             std::string_view url = {}, Step step = Step::Dns);
    [[nodiscard]] const std::string& host() const noexcept { return host_; }
    [[nodiscard]] std::error_code dnsCode() const noexcept { return dnsCode_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    std::string host_;
    std::error_code dnsCode_;
};

// No connection to address ("192.0.2.1:80", "[::1]:8080"); reason() is what the reactor said.
class ConnectFailed : public HttpFailure {
public:
    ConnectFailed(std::string_view address, std::error_code reason, std::string_view url = {},
                  Step step = Step::Connect);
    [[nodiscard]] const std::string& address() const noexcept { return address_; }
    [[nodiscard]] std::error_code reason() const noexcept { return reason_; }
    WEFT_HTTP_WITH_CONTEXT

protected:
    ConnectFailed(HttpError code, std::string_view address, std::error_code reason, std::string_view url,
                  Step step);

private:
    std::string address_;
    std::error_code reason_;
};

// A ConnectFailed with its own code, so a catch of ConnectFailed sees it too.
class ConnectionRefused : public ConnectFailed {
public:
    ConnectionRefused(std::string_view address, std::error_code reason, std::string_view url = {},
                      Step step = Step::Connect);
    WEFT_HTTP_WITH_CONTEXT
};

// step() says which step ran out of time; after() is the limit it had.
class Timeout : public HttpFailure {
public:
    Timeout(std::chrono::milliseconds after, std::string_view url = {}, Step step = Step::ReadHeaders);
    [[nodiscard]] std::chrono::milliseconds after() const noexcept { return after_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    std::chrono::milliseconds after_;
};

class ResponseTooLarge : public HttpFailure {
public:
    // received: bytes of body seen when the limit passed (or the announced Content-Length).
    ResponseTooLarge(std::uint64_t limit, std::uint64_t received, std::string_view url = {},
                     Step step = Step::ReadBody);
    [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }
    [[nodiscard]] std::uint64_t received() const noexcept { return received_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    std::uint64_t limit_;
    std::uint64_t received_;
};

// received(): bytes of this message (response, or request for the server) that arrived before
// the close. 0 means the server closed without answering at all, which is what a stale
// keep-alive connection does, so an idempotent request may be retried on a new connection.
class ConnectionClosed : public HttpFailure {
public:
    ConnectionClosed(std::uint64_t received, std::string_view detail = {}, std::string_view url = {},
                     Step step = Step::ReadHeaders);
    [[nodiscard]] std::uint64_t received() const noexcept { return received_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    std::uint64_t received_;
};

// count(): redirects followed; lastUrl(): the Location that was not followed.
class RedirectLoop : public HttpFailure {
public:
    RedirectLoop(int count, std::string_view lastUrl, std::string_view url = {}, Step step = Step::Redirect);
    [[nodiscard]] int count() const noexcept { return count_; }
    [[nodiscard]] const std::string& lastUrl() const noexcept { return lastUrl_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    int count_;
    std::string lastUrl_;
};

// A final status the caller treats as failure (Twisted's web.error.Error); body() is the
// response body, as far as it was read.
class HttpStatusError : public HttpFailure {
public:
    HttpStatusError(int status, std::string_view reasonPhrase, std::string body = {}, std::string_view url = {},
                    Step step = Step::ReadHeaders);
    [[nodiscard]] int status() const noexcept { return status_; }
    [[nodiscard]] const std::string& reasonPhrase() const noexcept { return reasonPhrase_; }
    [[nodiscard]] const std::string& body() const noexcept { return body_; }
    WEFT_HTTP_WITH_CONTEXT

private:
    int status_;
    std::string reasonPhrase_;
    std::string body_;
};

class Cancelled : public HttpFailure {
public:
    explicit Cancelled(std::string_view url = {}, Step step = Step::Url);
    WEFT_HTTP_WITH_CONTEXT
};

#undef WEFT_HTTP_WITH_CONTEXT

}  // namespace weft::http
