// SPDX-License-Identifier: MIT
// Tests for http/errors.h: codes, messages, and withContext keeping the dynamic type.
#include "http/errors.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace weft::http;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("http errors are weft::Errors with codes in the weft.http category") {
    MalformedResponse malformed(Malformed::BadChunk, 57, "chunk data not followed by CRLF");
    CHECK(malformed.code() == HttpError::MalformedResponse);
    CHECK(std::string(malformed.code().category().name()) == "weft.http");
    CHECK(malformed.reason() == Malformed::BadChunk);
    CHECK(malformed.offset() == 57);
    CHECK(malformed.url().empty());
    CHECK(std::string(malformed.what()) ==
          "malformed response: bad chunk framing: chunk data not followed by CRLF (at byte 57)");
    const weft::Error& base = malformed;
    CHECK(base.code() == HttpError::MalformedResponse);
}

TEST_CASE("every HttpError and every Malformed reason has its own message") {
    std::set<std::string> seen;
    for (int e = static_cast<int>(HttpError::InvalidUrl); e <= static_cast<int>(HttpError::InvalidRequest); ++e) {
        std::string message = make_error_code(static_cast<HttpError>(e)).message();
        CHECK(!contains(message, "unknown"));
        CHECK(seen.insert(message).second);
    }
    seen.clear();
    for (int r = static_cast<int>(Malformed::BadStartLine); r <= static_cast<int>(Malformed::UnexpectedUpgrade); ++r) {
        std::string message(describe(static_cast<Malformed>(r)));
        CHECK(message != "unknown reason");
        CHECK(seen.insert(message).second);
    }
    for (int s = static_cast<int>(Step::Url); s <= static_cast<int>(Step::Redirect); ++s)
        CHECK(stepName(static_cast<Step>(s)) != "unknown step");
}

TEST_CASE("withContext rethrows the same type with url and step in what()") {
    ConnectionClosed closed(0);
    CHECK(std::string(closed.what()) == "connection closed before any response");
    std::exception_ptr withUrl = closed.withContext("http://example.com/", Step::ReadHeaders);
    try {
        std::rethrow_exception(withUrl);
    } catch (const ConnectionClosed& e) {
        CHECK(e.received() == 0);
        CHECK(e.url() == "http://example.com/");
        CHECK(e.step() == Step::ReadHeaders);
        CHECK(std::string(e.what()) ==
              "connection closed before any response (while reading the response head: http://example.com/)");
    }
    CHECK(closed.url().empty());  // the original is unchanged
}

TEST_CASE("withContext through a base reference keeps every derived field") {
    ConnectionRefused refused("192.0.2.1:80", std::make_error_code(std::errc::connection_refused));
    const HttpFailure& failure = refused;
    try {
        std::rethrow_exception(failure.withContext("http://192.0.2.1/", Step::Connect));
    } catch (const ConnectFailed& e) {
        CHECK(e.code() == HttpError::ConnectionRefused);
        CHECK(e.address() == "192.0.2.1:80");
        CHECK(e.reason() == std::errc::connection_refused);
        CHECK(e.step() == Step::Connect);
    }
    HttpStatusError status(404, "Not Found", "<h1>gone</h1>");
    try {
        std::rethrow_exception(static_cast<const HttpFailure&>(status).withContext("http://h/x", Step::ReadHeaders));
    } catch (const HttpStatusError& e) {
        CHECK(e.status() == 404);
        CHECK(e.reasonPhrase() == "Not Found");
        CHECK(e.body() == "<h1>gone</h1>");
        CHECK(contains(e.what(), "HTTP 404 Not Found"));
    }
}

TEST_CASE("messages say what happened and escape what the network sent") {
    CHECK(std::string(InvalidUrl("port over 65535", "http://h:99999/").what()) ==
          "invalid URL: port over 65535 (while parsing the URL: http://h:99999/)");
    CHECK(contains(UnsupportedScheme("ftp").what(), "\"ftp\""));
    CHECK(!contains(UnsupportedScheme("ftp").what(), "TLS"));
    CHECK(contains(UnsupportedScheme("https").what(), "no TLS"));
    CHECK(std::string(RedirectLoop(20, "http://h/\r\nx").what()) ==
          "redirect loop: gave up after 20 redirects (next: http://h/\\x0d\\x0ax)");
    CHECK(contains(Timeout(std::chrono::milliseconds(5000), "http://h/", Step::Connect).what(),
                   "timed out after 5000 ms (while connecting: http://h/)"));
    CHECK(contains(ResponseTooLarge(1000, 1001).what(), "1000"));
    CHECK(contains(ConnectionClosed(10, "body incomplete").what(), "after 10 bytes: body incomplete"));
    CHECK(contains(DnsError("nx.example", {}, "name not found").what(), "cannot resolve nx.example: name not found"));
    CHECK(contains(Cancelled("http://h/").what(), "cancelled"));
    CHECK(contains(InvalidRequest("header X contains CR, LF or NUL").what(), "CR, LF or NUL"));
    std::string longUrl(1000, 'a');
    CHECK(std::string(Cancelled(longUrl).what()).size() < 400);
}

TEST_CASE("MalformedRequest suggests the status a server should answer") {
    CHECK(MalformedRequest(Malformed::BadHeader, 0).statusHint() == 400);
    CHECK(MalformedRequest(Malformed::TargetTooLong, 0).statusHint() == 414);
    CHECK(MalformedRequest(Malformed::HeaderTooLarge, 0).statusHint() == 431);
    CHECK(MalformedRequest(Malformed::TooManyHeaders, 0).statusHint() == 431);
    CHECK(MalformedRequest(Malformed::BodyTooLarge, 0).statusHint() == 413);
    CHECK(MalformedRequest(Malformed::UnsupportedTransferEncoding, 0).statusHint() == 501);
    CHECK(MalformedRequest(Malformed::BadVersion, 0).statusHint() == 505);
    CHECK(contains(MalformedRequest(Malformed::BadHost, 3).what(), "malformed request: missing or repeated Host (at byte 3)"));
}
