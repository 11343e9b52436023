// SPDX-License-Identifier: MIT
// http/errors.cpp: the "weft.http" category and how each http/ error words itself. URLs in
// messages are escaped and cut short, because they may come from a hostile Location header.
// Tests: tests/http/errors_test.cpp
#include "http/errors.h"

#include <string>

namespace weft::http {
namespace {

class HttpCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "weft.http"; }
    std::string message(int value) const override {
        switch (static_cast<HttpError>(value)) {
            case HttpError::InvalidUrl: return "invalid URL";
            case HttpError::UnsupportedScheme: return "unsupported URL scheme";
            case HttpError::MalformedResponse: return "malformed HTTP response";
            case HttpError::MalformedRequest: return "malformed HTTP request";
            case HttpError::DnsError: return "host name lookup failed";
            case HttpError::ConnectionRefused: return "connection refused";
            case HttpError::Timeout: return "timed out";
            case HttpError::ResponseTooLarge: return "response too large";
            case HttpError::ConnectionClosed: return "connection closed before the response was complete";
            case HttpError::RedirectLoop: return "too many redirects";
            case HttpError::HttpStatus: return "HTTP error status";
            case HttpError::Cancelled: return "cancelled";
            case HttpError::ConnectFailed: return "could not connect";
            case HttpError::InvalidRequest: return "request cannot be sent";
        }
        return "unknown http error " + std::to_string(value);
    }
};

// Printable ASCII as is, anything else as \xNN; at most 300 characters of input.
std::string printable(std::string_view text) {
    constexpr std::size_t kMax = 300;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    if (text.size() > kMax) out += "...";
    return out;
}

std::string malformedDetail(std::string_view what, Malformed reason, std::uint64_t offset, std::string_view detail) {
    std::string out(what);
    out += ": ";
    out += describe(reason);
    if (!detail.empty()) {
        out += ": ";
        out += printable(detail);
    }
    out += " (at byte " + std::to_string(offset) + ")";
    return out;
}

}  // namespace

std::string_view stepName(Step step) noexcept {
    switch (step) {
        case Step::Url: return "parsing the URL";
        case Step::Dns: return "resolving the host";
        case Step::Connect: return "connecting";
        case Step::SendRequest: return "sending the request";
        case Step::ReadHeaders: return "reading the response head";
        case Step::ReadBody: return "reading the response body";
        case Step::Redirect: return "following a redirect";
    }
    return "unknown step";
}

std::string_view describe(Malformed reason) noexcept {
    switch (reason) {
        case Malformed::BadStartLine: return "bad start line";
        case Malformed::BadVersion: return "unsupported HTTP version";
        case Malformed::BadStatus: return "bad status code";
        case Malformed::BadMethod: return "bad method";
        case Malformed::BadTarget: return "bad request target";
        case Malformed::TargetTooLong: return "request line too long";
        case Malformed::BadHeader: return "bad header field";
        case Malformed::ObsFold: return "obsolete line folding";
        case Malformed::BareCR: return "CR not followed by LF";
        case Malformed::NulByte: return "NUL byte in the head";
        case Malformed::HeaderTooLarge: return "head too large";
        case Malformed::TooManyHeaders: return "too many header fields";
        case Malformed::BadHost: return "missing or repeated Host";
        case Malformed::BadContentLength: return "bad Content-Length";
        case Malformed::ConflictingContentLength: return "conflicting Content-Length values";
        case Malformed::BadTransferEncoding: return "bad Transfer-Encoding";
        case Malformed::UnsupportedTransferEncoding: return "unsupported transfer coding";
        case Malformed::BadChunk: return "bad chunk framing";
        case Malformed::ChunkTooLarge: return "chunk too large";
        case Malformed::BodyTooLarge: return "body too large";
        case Malformed::TooMany1xx: return "too many interim (1xx) responses";
        case Malformed::UnexpectedUpgrade: return "unexpected 101 Switching Protocols";
    }
    return "unknown reason";
}

const std::error_category& httpCategory() noexcept {
    static const HttpCategory category;
    return category;
}

std::error_code make_error_code(HttpError e) noexcept { return {static_cast<int>(e), httpCategory()}; }

HttpFailure::HttpFailure(HttpError code, std::string detail, std::string_view url, Step step)
    : Error(code, detail), detail_(std::move(detail)), url_(url), step_(step) {
    compose();
}

void HttpFailure::setContext(std::string_view url, Step step) {
    url_ = url;
    step_ = step;
    compose();
}

void HttpFailure::compose() {
    message_ = detail_;
    if (!url_.empty()) message_ += " (while " + std::string(stepName(step_)) + ": " + printable(url_) + ")";
}

InvalidUrl::InvalidUrl(std::string_view why, std::string_view url, Step step)
    : HttpFailure(HttpError::InvalidUrl, "invalid URL: " + std::string(why), url, step) {}

UnsupportedScheme::UnsupportedScheme(std::string_view scheme, std::string_view url, Step step)
    : HttpFailure(HttpError::UnsupportedScheme,
                  "unsupported scheme \"" + printable(scheme) + "\" (weft fetches http URLs only" +
                      (scheme == "https" ? "; it has no TLS)" : ")"),
                  url, step),
      scheme_(scheme) {}

InvalidRequest::InvalidRequest(std::string_view why, std::string_view url, Step step)
    : HttpFailure(HttpError::InvalidRequest, "request cannot be sent: " + std::string(why), url, step) {}

MalformedResponse::MalformedResponse(Malformed reason, std::uint64_t offset, std::string_view detail,
                                     std::string_view url, Step step)
    : HttpFailure(HttpError::MalformedResponse, malformedDetail("malformed response", reason, offset, detail), url,
                  step),
      reason_(reason),
      offset_(offset) {}

MalformedRequest::MalformedRequest(Malformed reason, std::uint64_t offset, std::string_view detail,
                                   std::string_view url, Step step)
    : HttpFailure(HttpError::MalformedRequest, malformedDetail("malformed request", reason, offset, detail), url,
                  step),
      reason_(reason),
      offset_(offset) {}

int MalformedRequest::statusHint() const noexcept {
    switch (reason_) {
        case Malformed::TargetTooLong: return 414;
        case Malformed::HeaderTooLarge:
        case Malformed::TooManyHeaders: return 431;
        case Malformed::BodyTooLarge:
        case Malformed::ChunkTooLarge: return 413;
        case Malformed::UnsupportedTransferEncoding: return 501;
        case Malformed::BadVersion: return 505;
        default: return 400;
    }
}

DnsError::DnsError(std::string_view host, std::error_code dnsCode, std::string_view dnsMessage, std::string_view url,
                   Step step)
    : HttpFailure(HttpError::DnsError, "cannot resolve " + printable(host) + ": " + std::string(dnsMessage), url,
                  step),
      host_(host),
      dnsCode_(dnsCode) {}

ConnectFailed::ConnectFailed(std::string_view address, std::error_code reason, std::string_view url, Step step)
    : ConnectFailed(HttpError::ConnectFailed, address, reason, url, step) {}

ConnectFailed::ConnectFailed(HttpError code, std::string_view address, std::error_code reason, std::string_view url,
                             Step step)
    : HttpFailure(code, "cannot connect to " + printable(address) + ": " + reason.message(), url, step),
      address_(address),
      reason_(reason) {}

ConnectionRefused::ConnectionRefused(std::string_view address, std::error_code reason, std::string_view url, Step step)
    : ConnectFailed(HttpError::ConnectionRefused, address, reason, url, step) {}

Timeout::Timeout(std::chrono::milliseconds after, std::string_view url, Step step)
    : HttpFailure(HttpError::Timeout, "timed out after " + std::to_string(after.count()) + " ms", url, step),
      after_(after) {}

ResponseTooLarge::ResponseTooLarge(std::uint64_t limit, std::uint64_t received, std::string_view url, Step step)
    : HttpFailure(HttpError::ResponseTooLarge,
                  "response body over the limit of " + std::to_string(limit) + " bytes (" +
                      std::to_string(received) + " received or announced)",
                  url, step),
      limit_(limit),
      received_(received) {}

ConnectionClosed::ConnectionClosed(std::uint64_t received, std::string_view detail, std::string_view url, Step step)
    : HttpFailure(HttpError::ConnectionClosed,
                  (received == 0 ? std::string("connection closed before any response")
                                 : "connection closed after " + std::to_string(received) + " bytes") +
                      (detail.empty() ? "" : ": " + std::string(detail)),
                  url, step),
      received_(received) {}

RedirectLoop::RedirectLoop(int count, std::string_view lastUrl, std::string_view url, Step step)
    : HttpFailure(HttpError::RedirectLoop,
                  "redirect loop: gave up after " + std::to_string(count) + " redirects (next: " +
                      printable(lastUrl) + ")",
                  url, step),
      count_(count),
      lastUrl_(lastUrl) {}

HttpStatusError::HttpStatusError(int status, std::string_view reasonPhrase, std::string body, std::string_view url,
                                 Step step)
    : HttpFailure(HttpError::HttpStatus,
                  "HTTP " + std::to_string(status) + (reasonPhrase.empty() ? "" : " " + printable(reasonPhrase)), url,
                  step),
      status_(status),
      reasonPhrase_(reasonPhrase),
      body_(std::move(body)) {}

Cancelled::Cancelled(std::string_view url, Step step) : HttpFailure(HttpError::Cancelled, "cancelled", url, step) {}

}  // namespace weft::http
