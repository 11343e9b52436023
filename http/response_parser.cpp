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

std::exception_ptr malformedResponse(const ParseError& error, Step step) {
    return std::make_exception_ptr(MalformedResponse(error.reason, error.offset, error.detail, {}, step));
}

}  // namespace

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}

ResponseParser::ResponseParser(Limits limits)
    : limits_(limits), stream_(State::Idle, &malformedResponse, "ResponseParser") {}

void ResponseParser::startResponse(std::string_view requestMethod) {
    if (inResponse()) throw std::logic_error("ResponseParser::startResponse: the previous response is not complete");
    if (stream_.state != State::Idle)
        throw std::logic_error("ResponseParser::startResponse: the connection cannot carry another response");
    stream_.state = State::Head;
    headRequest_ = requestMethod == "HEAD";
    connectRequest_ = requestMethod == "CONNECT";
    interim_ = 0;
    stream_.scanner.reset();
    stream_.messageStart = stream_.input.offset();
}

ResponseEvent ResponseParser::next() {
    switch (stream_.state) {
        case State::Head: {
            HeadScanner::Limits limits{limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxHeadBytes};
            auto atEof = [](std::string_view data) -> std::optional<std::string> {
                return data.empty() ? "" : "response head incomplete";
            };
            // Stray blank lines before a response are not part of it; those after a 1xx are.
            return stream_.readHead<ResponseEvent>(limits, interim_ == 0, atEof,
                                                   [&](std::string_view head) { return parseHead(head); });
        }
        case State::Body:
            return stream_.readBody<ResponseEvent>(State::Idle, [&] {
                if (stream_.body.kind() == BodyKind::Length)
                    return "body incomplete, " + std::to_string(stream_.body.remaining()) + " bytes missing";
                return std::string("chunked body incomplete");
            });
        default: return stream_.noMessage();  // Idle, Closed, Failed
    }
}

ResponseEvent ResponseParser::parseHead(std::string_view head) {
    std::uint64_t base = stream_.input.offset();
    std::size_t fieldsAt = 0;
    std::string_view line = lineAt(head, fieldsAt);
    if (std::size_t i = findNonFieldValueByte(line); i != std::string_view::npos)
        fail({badByte(line[i], Malformed::BadStartLine).value_or(Malformed::BadStartLine), base + i, "in the status line"});
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

    if (auto error = parseFields(head.substr(fieldsAt), base + fieldsAt, stream_.scanner.fieldCount(), result.headers))
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
    stream_.keepAlive = persistsByDefault(head.versionMinor, head.headers) && head.body != BodyKind::UntilClose &&
                        !ambiguous && !tunnel;
    head.keepAlive = stream_.keepAlive;

    BodyReader::Limits limits{limits_.maxChunkSize, limits_.maxChunkLineBytes,
                              {limits_.maxHeadBytes, limits_.maxHeaders, limits_.maxHeadBytes}, std::numeric_limits<std::uint64_t>::max()};
    stream_.body.start(head.body, framing.contentLength.value_or(0), limits);
    stream_.state = State::Body;
    return head;
}

}  // namespace weft::http
