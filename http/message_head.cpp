// SPDX-License-Identifier: MIT
// http/message_head.cpp: head scanning and field parsing shared by both parsers. Line ends:
// CRLF, or a lone LF (RFC 9112 §2.2 lets a recipient accept it, and old servers send it); a CR
// anywhere else is an error, since some peers end lines on it and some do not (smuggling).
// Tests: tests/http/message_head_test.cpp
#include "http/message_head.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace weft::http {
namespace {

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

ParseError failure(Malformed reason, std::uint64_t offset, std::string_view detail = {}) {
    return ParseError{reason, offset, std::string(detail)};
}

// One Content-Length field value: a list of 1*DIGIT that must all agree (RFC 9110 §8.6).
std::optional<ParseError> addContentLength(std::string_view value, std::uint64_t offset,
                                           std::optional<std::uint64_t>& length) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
    for (bool more = true; more;) {
        std::size_t comma = value.find(',');
        std::string_view element = trimOws(value.substr(0, comma));
        more = comma != std::string_view::npos;
        if (more) value.remove_prefix(comma + 1);
        if (element.empty()) return failure(Malformed::BadContentLength, offset, "empty value");
        std::uint64_t n = 0;
        for (char c : element) {
            if (!isDigit(c)) return failure(Malformed::BadContentLength, offset, element);
            if (n > (kMax - static_cast<std::uint64_t>(c - '0')) / 10)
                return failure(Malformed::BadContentLength, offset, "over 2^63-1");
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (length && *length != n)
            return failure(Malformed::ConflictingContentLength, offset,
                           std::to_string(*length) + " and " + std::to_string(n));
        length = n;
    }
    return std::nullopt;
}

std::optional<ParseError> addTransferCodings(std::string_view value, std::uint64_t offset, Framing& out) {
    out.hasTransferEncoding = true;
    while (!value.empty()) {
        std::size_t comma = value.find(',');
        std::string_view element = value.substr(0, comma);
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        std::string_view coding = trimOws(element.substr(0, element.find(';')));
        if (coding.empty()) continue;  // "a, , b": empty list elements are allowed (RFC 9110 §5.6.1)
        if (!isToken(coding)) return failure(Malformed::BadTransferEncoding, offset, coding);
        bool chunked = equalsIgnoreCase(coding, "chunked");
        out.chunkedCount += chunked ? 1 : 0;
        out.otherCodings = out.otherCodings || !chunked;
        out.chunkedLast = chunked;
    }
    return std::nullopt;
}

}  // namespace

HeadScanner::Status HeadScanner::scan(std::string_view data, const Limits& limits, std::uint64_t base) {
    if (error_) return Status::Failed;
    for (;;) {
        bool inStartLine = hasStartLine_ && lines_ == 0;
        std::size_t limit = inStartLine ? std::min(limits.maxStartLine, limits.maxBytes) : limits.maxBytes;
        std::size_t end = std::min(data.size(), limit);
        const void* lf = scanned_ < end ? std::memchr(data.data() + scanned_, '\n', end - scanned_) : nullptr;
        if (lf == nullptr) {
            if (data.size() < limit) return Status::Incomplete;
            bool lineLimit = inStartLine && limits.maxStartLine < limits.maxBytes;
            error_ = failure(lineLimit ? Malformed::TargetTooLong : Malformed::HeaderTooLarge, base + limit,
                             "over " + std::to_string(limit) + " bytes");
            return Status::Failed;
        }
        std::size_t lineEnd = static_cast<std::size_t>(static_cast<const char*>(lf) - data.data());
        std::size_t lineStart = scanned_;
        scanned_ = lineEnd + 1;
        bool blank = lineEnd == lineStart || (lineEnd == lineStart + 1 && data[lineStart] == '\r');
        if (blank && !inStartLine) return Status::Complete;
        ++lines_;
        if (fieldCount() > limits.maxFields) {
            error_ = failure(Malformed::TooManyHeaders, base + lineStart,
                             "over " + std::to_string(limits.maxFields) + " fields");
            return Status::Failed;
        }
    }
}

std::string_view lineAt(std::string_view text, std::size_t& next) noexcept {
    std::size_t lf = text.find('\n');
    next = lf + 1;
    if (lf > 0 && text[lf - 1] == '\r') --lf;
    return text.substr(0, lf);
}

std::optional<Malformed> badByte(char ch, Malformed otherwise) noexcept {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) return std::nullopt;
    if (c == 0) return Malformed::NulByte;
    if (c == '\r') return Malformed::BareCR;
    if (c == '\t') return std::nullopt;
    return otherwise;
}

namespace {

// Why a field line that is not `token ":" field-value` was refused: the first NUL or CR
// anywhere when it has no colon, else what is wrong with its name. Off the hot path.
ParseError fieldLineError(std::string_view line, std::uint64_t at) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (auto bad = badByte(line[i], Malformed::BadHeader); bad && *bad != Malformed::BadHeader)
                return failure(*bad, at + i);
        }
        return failure(Malformed::BadHeader, at, "no colon");
    }
    std::string_view name = line.substr(0, colon);
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (isTokenChar(name[i])) continue;
        if (auto bad = badByte(name[i], Malformed::BadHeader); bad && *bad != Malformed::BadHeader)
            return failure(*bad, at + i);
        if (name[i] == ' ' || name[i] == '\t')
            return failure(Malformed::BadHeader, at + i, "whitespace in or after a field name");
        return failure(Malformed::BadHeader, at + i, "field name is not a token");
    }
    return failure(Malformed::BadHeader, at, "empty field name");
}

}  // namespace

std::optional<ParseError> parseFields(std::string_view text, std::uint64_t base, std::size_t fieldCount,
                                      Headers& out) {
    out.reserve(fieldCount, text.size());
    std::size_t pos = 0;
    for (;;) {
        std::size_t next = 0;
        std::string_view line = lineAt(text.substr(pos), next);
        std::uint64_t at = base + pos;
        if (line.empty()) return std::nullopt;
        if (line[0] == ' ' || line[0] == '\t')
            return failure(Malformed::ObsFold, at, "a field line starting with whitespace");
        // The name runs to the first byte that is not a tchar, which must be the colon.
        std::size_t colon = 0;
        while (colon < line.size() && isTokenChar(line[colon])) ++colon;
        if (colon == 0 || colon == line.size() || line[colon] != ':') return fieldLineError(line, at);
        std::string_view value = line.substr(colon + 1);
        if (std::size_t i = findNonFieldValueByte(value); i != std::string_view::npos) {
            Malformed bad = badByte(value[i], Malformed::BadHeader).value_or(Malformed::BadHeader);
            return failure(bad, at + colon + 1 + i, bad == Malformed::BadHeader ? "control byte in a value" : "");
        }
        out.add(line.substr(0, colon), trimOws(value));
        pos += next;
    }
}

std::optional<ParseError> readFraming(const Headers& headers, std::uint64_t offset, Framing& out) {
    for (auto [name, value] : headers) {
        if (equalsIgnoreCase(name, "content-length")) {
            if (auto error = addContentLength(value, offset, out.contentLength)) return error;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            if (auto error = addTransferCodings(value, offset, out)) return error;
        }
    }
    if (out.hasTransferEncoding && out.chunkedCount == 0 && !out.otherCodings)
        return failure(Malformed::BadTransferEncoding, offset, "empty Transfer-Encoding");
    return std::nullopt;
}

bool persistsByDefault(int versionMinor, const Headers& headers) noexcept {
    bool close = false, keepAlive = false;
    for (auto [name, value] : headers) {
        if (!equalsIgnoreCase(name, "connection")) continue;
        close = close || hasListToken(value, "close");
        keepAlive = keepAlive || hasListToken(value, "keep-alive");
    }
    if (close) return false;
    return versionMinor >= 1 || keepAlive;
}

std::optional<Malformed> parseVersion(std::string_view text, int& minor) noexcept {
    if (text.size() < 8 || !text.starts_with("HTTP/")) return Malformed::BadStartLine;
    if (!isDigit(text[5]) || text[6] != '.' || !isDigit(text[7])) return Malformed::BadVersion;
    if (text[5] != '1') return Malformed::BadVersion;
    minor = text[7] == '0' ? 0 : 1;
    return std::nullopt;
}

}  // namespace weft::http
