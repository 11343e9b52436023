// SPDX-License-Identifier: MIT
// protocols/line_receiver.cpp: finding lines. The search resumes where the last one gave up
// (scanned_), so a line arriving a byte at a time costs O(length), not O(length^2).
// Tests: tests/protocols/line_receiver_test.cpp
#include "protocols/line_receiver.h"

#include <array>
#include <stdexcept>
#include <utility>

#include "protocols/errors.h"

namespace weft {
namespace {

std::span<const std::byte> asBytes(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

// Positions [0, result) of `data` cannot start a delimiter of `length` bytes that data has not
// fully shown yet; the search may resume from there.
std::size_t searchedUpTo(std::size_t size, std::size_t length) {
    return size + 1 >= length ? size + 1 - length : 0;
}

}  // namespace

LineReceiver::LineReceiver(std::string delimiter, std::size_t maxLength) : maxLength_(maxLength) {
    setDelimiter(std::move(delimiter));
}

void LineReceiver::setDelimiter(std::string delimiter) {
    if (delimiter.empty()) throw std::invalid_argument("LineReceiver: the delimiter is empty");
    delimiter_ = std::move(delimiter);
    scanned_ = 0;
}

void LineReceiver::sendLine(std::string_view line) {
    if (!transport_) return;
    std::array<std::string_view, 2> pieces{line, delimiter_};
    transport_->writeSequence(pieces);
}

void LineReceiver::setRawMode() {
    lineMode_ = false;
    skipping_ = false;
}

void LineReceiver::setLineMode(std::string_view extra) {
    lineMode_ = true;
    scanned_ = 0;
    pushFront(extra);
}

std::string LineReceiver::clearLineBuffer() {
    scanned_ = 0;
    return takeUnparsed();
}

void LineReceiver::rawDataReceived(std::span<const std::byte> data) {
    (void)data;
    throw std::logic_error("LineReceiver: setRawMode() without overriding rawDataReceived()");
}

void LineReceiver::lineLengthExceeded(std::string_view line) {
    (void)line;
    dropConnection(Failure(LineTooLongError(maxLength_, lineStart_)));
}

bool LineReceiver::deliverNext() {
    std::string_view data = unparsed();
    if (data.empty()) return false;
    if (!lineMode_) {
        consume(data.size());
        rawDataReceived(asBytes(data));
        return true;
    }
    if (skipping_) return skipLongLine(data);

    const std::size_t d = delimiter_.size();
    std::size_t at = data.find(delimiter_, scanned_);
    if (at == std::string_view::npos) {
        scanned_ = searchedUpTo(data.size(), d);
        // No delimiter starts within the first maxLength + 1 bytes: too long, whatever follows.
        if (data.size() < d || data.size() - d < maxLength_) return false;
        lineStart_ = offset();
        consume(data.size() - (d - 1));  // the last d-1 bytes may begin the delimiter
        scanned_ = 0;
        skipping_ = true;
        lineLengthExceeded(data.substr(0, maxLength_ + 1));
        return true;
    }
    scanned_ = 0;
    if (at > maxLength_) {
        lineStart_ = offset();
        consume(at + d);
        lineLengthExceeded(data.substr(0, maxLength_ + 1));
        return true;
    }
    consume(at + d);
    lineReceived(data.substr(0, at));
    return true;
}

bool LineReceiver::skipLongLine(std::string_view data) {
    const std::size_t d = delimiter_.size();
    std::size_t at = data.find(delimiter_);
    if (at != std::string_view::npos) {
        consume(at + d);
        skipping_ = false;
        return true;
    }
    if (data.size() < d) return false;
    consume(data.size() - (d - 1));
    return true;
}

}  // namespace weft
