// SPDX-License-Identifier: MIT
// http/response_parser.cpp: the client's response state machine. Idle -> startResponse() ->
// Head (1xx heads loop here) -> Body -> MessageEnd -> Idle, or Closed when the connection
// cannot be reused. The head is parsed only once complete; until then it is only scanned for
// its end and its limits, so a head split anywhere gives the same result.
// Tests: tests/http/response_parser_test.cpp, tests/http/response_framing_test.cpp
#include "http/response_parser.h"

#include <limits>
#include <stdexcept>

namespace weft::http {
namespace {

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

// Bytes a blank line starts with, skipped before a start line: "\n", "\r\n". Returns how many
// may be dropped from data now; stops at a lone "\r" at the end (its LF may follow).
std::size_t leadingBlankLines(std::string_view data) noexcept {
    std::size_t i = 0;
    for (;;) {
        if (i < data.size() && data[i] == '\n') {
            i += 1;
        } else if (i + 1 < data.size() && data[i] == '\r' && data[i + 1] == '\n') {
            i += 2;
        } else {
            return i;
        }
    }
}

}  // namespace

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}

ResponseParser::ResponseParser(Limits limits) : limits_(limits) {}

void ResponseParser::startResponse(std::string_view requestMethod) {
    if (state_ == State::Head || state_ == State::Body)
        throw std::logic_error("ResponseParser::startResponse: the previous response is not complete");
    if (state_ == State::Closed || state_ == State::Failed)
        throw std::logic_error("ResponseParser::startResponse: the connection cannot carry another response");
    state_ = State::Head;
    headRequest_ = requestMethod == "HEAD";
    connectRequest_ = requestMethod == "CONNECT";
    interim_ = 0;
    scanner_.reset();
    responseStart_ = input_.offset();
}

void ResponseParser::feed(std::string_view bytes) {
    if (eof_) throw std::logic_error("ResponseParser::feed after feedEof");
    if (state_ == State::Failed) return;
    if (state_ == State::Closed) {
        discarded_ += bytes.size();
        return;
    }
    input_.feed(bytes);
    if (state_ == State::Idle) input_.keep();  // no event will come for them until startResponse
}

void ResponseParser::feedEof() { eof_ = true; }

void ResponseParser::failNow(std::exception_ptr error) {
    state_ = State::Failed;
    failure_ = error;
    input_.discardAll();
    std::rethrow_exception(failure_);
}

void ResponseParser::fail(const ParseError& error) {
    failNow(std::make_exception_ptr(MalformedResponse(
        error.reason, error.offset, error.detail, {}, state_ == State::Body ? Step::ReadBody : Step::ReadHeaders)));
}

void ResponseParser::failClosed(std::string_view detail) {
    std::uint64_t received = input_.offset() + input_.size() - responseStart_;
    failNow(std::make_exception_ptr(
        ConnectionClosed(received, detail, {}, state_ == State::Body ? Step::ReadBody : Step::ReadHeaders)));
}

ResponseEvent ResponseParser::next() {
    switch (state_) {
        case State::Idle:
            input_.keep();
            return NeedData{};
        case State::Head: return readHead();
        case State::Body: return readBody();
        case State::Closed:
            discarded_ += input_.size();
            input_.discardAll();
            return NeedData{};
        case State::Failed: std::rethrow_exception(failure_);
    }
    return NeedData{};
}

ResponseEvent ResponseParser::readHead() {
    if (!scanner_.started()) {
        input_.consume(leadingBlankLines(input_.data()));
        if (interim_ == 0) responseStart_ = input_.offset();  // stray blank lines are not the response
    }
    std::string_view data = input_.data();
    HeadScanner::Limits limits{limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxHeadBytes};
    switch (scanner_.scan(data, limits, input_.offset())) {
        case HeadScanner::Status::Failed: fail(scanner_.error());
        case HeadScanner::Status::Incomplete:
            if (eof_) failClosed(data.empty() ? "" : "response head incomplete");
            input_.keep();
            return NeedData{};
        case HeadScanner::Status::Complete: break;
    }
    std::string_view head = data.substr(0, scanner_.headSize());
    ResponseEvent event = parseHead(head);  // copies what it keeps, so consuming after is safe
    input_.consume(head.size());
    scanner_.reset();
    return event;
}

ResponseEvent ResponseParser::parseHead(std::string_view head) {
    std::uint64_t base = input_.offset();
    std::size_t fieldsAt = 0;
    std::string_view line = lineAt(head, fieldsAt);
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (auto bad = badByte(line[i], Malformed::BadStartLine)) fail({*bad, base + i, "in the status line"});
    }
    ResponseHead result;
    if (auto bad = parseVersion(line, result.versionMinor)) fail({*bad, base, std::string(line.substr(0, 8))});
    // "HTTP/1.1" SP 3DIGIT [SP reason]; the SP before an empty reason may be missing.
    if (line.size() < 12 || line[8] != ' ') fail({Malformed::BadStartLine, base + 8, "no status code"});
    if (!isDigit(line[9]) || !isDigit(line[10]) || !isDigit(line[11]) || (line.size() > 12 && line[12] != ' '))
        fail({Malformed::BadStatus, base + 9, std::string(line.substr(9, 4))});
    result.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (result.status < 100 || result.status > 599)
        fail({Malformed::BadStatus, base + 9, std::to_string(result.status)});
    if (line.size() > 13) result.reason = line.substr(13);

    if (auto error = parseFields(head.substr(fieldsAt), base + fieldsAt, scanner_.fieldCount(), result.headers))
        fail(*error);

    if (result.status == 101) fail({Malformed::UnexpectedUpgrade, base + 9, ""});
    if (result.status < 200) {
        if (++interim_ > limits_.max1xx)
            fail({Malformed::TooMany1xx, base, "over " + std::to_string(limits_.max1xx)});
        return Informational{result.status, std::move(result.reason), std::move(result.headers)};
    }
    return finalHead(std::move(result), base);
}

ResponseEvent ResponseParser::finalHead(ResponseHead head, std::uint64_t at) {
    Framing framing;
    if (auto error = readFraming(head.headers, at, framing)) fail(*error);
    if (framing.hasTransferEncoding && head.versionMinor == 0)
        fail({Malformed::BadTransferEncoding, at, "Transfer-Encoding in an HTTP/1.0 response"});
    if (framing.chunkedCount > 1) fail({Malformed::BadTransferEncoding, at, "chunked more than once"});
    head.contentLength = framing.contentLength;

    bool tunnel = connectRequest_ && head.status < 300;
    if (headRequest_ || head.status == 204 || head.status == 304 || tunnel) {
        head.body = BodyKind::None;
    } else if (framing.hasTransferEncoding) {
        head.body = framing.chunkedLast ? BodyKind::Chunked : BodyKind::UntilClose;
    } else if (framing.contentLength) {
        head.body = BodyKind::Length;
    } else {
        head.body = BodyKind::UntilClose;
    }
    // TE with CL is how response smuggling starts: answer this one, then drop the connection.
    bool ambiguous = framing.hasTransferEncoding && framing.contentLength;
    keepAlive_ = persistsByDefault(head.versionMinor, head.headers) && head.body != BodyKind::UntilClose &&
                 !ambiguous && !tunnel;
    head.keepAlive = keepAlive_;

    BodyReader::Limits limits{limits_.maxChunkSize, limits_.maxChunkLineBytes,
                              {limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxHeadBytes}, std::numeric_limits<std::uint64_t>::max()};
    body_.start(head.body, framing.contentLength.value_or(0), limits);
    state_ = State::Body;
    return head;
}

ResponseEvent ResponseParser::readBody() {
    BodyReader::Step step = body_.step(input_, eof_);
    switch (step.status) {
        case BodyReader::Status::Data: return BodyData{step.data};
        case BodyReader::Status::Failed: fail(body_.error());
        case BodyReader::Status::NeedData:
            if (eof_) {
                if (body_.kind() == BodyKind::Length)
                    failClosed("body incomplete, " + std::to_string(body_.remaining()) + " bytes missing");
                failClosed("chunked body incomplete");
            }
            input_.keep();
            return NeedData{};
        case BodyReader::Status::End: break;
    }
    MessageEnd end{keepAlive_, body_.takeTrailers()};
    state_ = keepAlive_ ? State::Idle : State::Closed;
    if (state_ == State::Closed) {
        discarded_ += input_.size();
        input_.discardAll();
    } else {
        input_.keep();
    }
    return end;
}

}  // namespace weft::http
