// SPDX-License-Identifier: MIT
// protocols/netstring_receiver.cpp: the netstring state machine: length digits, then payload
// and comma. Digits are consumed as they come, so a length split over many reads costs nothing.
// Tests: tests/protocols/netstring_receiver_test.cpp
#include "protocols/netstring_receiver.h"

#include <array>
#include <limits>
#include <string>

#include "defer/failure.h"

namespace weft {

void NetstringReceiver::sendString(std::string_view string) {
    if (!transport_) return;
    std::string length = std::to_string(string.size()) + ":";
    std::array<std::string_view, 3> pieces{length, string, ","};
    transport_->writeSequence(pieces);
}

bool NetstringReceiver::fail(ProtocolError code, std::uint64_t at) {
    dropConnection(Failure(NetstringParseError(code, at)));
    return false;
}

bool NetstringReceiver::deliverNext() {
    std::string_view data = unparsed();
    if (data.empty()) return false;
    if (state_ == State::Length) return parseLength(data);

    if (data.size() <= length_) return false;  // the payload and its comma are not all here
    auto length = static_cast<std::size_t>(length_);
    if (data[length] != ',') return fail(ProtocolError::NetstringMissingComma, offset() + length);
    consume(length + 1);
    state_ = State::Length;
    length_ = 0;
    digits_ = 0;
    stringReceived(data.substr(0, length));
    return true;
}

bool NetstringReceiver::parseLength(std::string_view data) {
    constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t i = 0; i < data.size(); ++i) {
        char c = data[i];
        if (c == ':') {
            if (digits_ == 0) return fail(ProtocolError::NetstringBadLength, offset() + i);
            consume(i + 1);
            state_ = State::Payload;
            return true;
        }
        if (c < '0' || c > '9') return fail(ProtocolError::NetstringBadLength, offset() + i);
        if (digits_ == 1 && length_ == 0) return fail(ProtocolError::NetstringLeadingZero, offset() + i);
        if (digits_ == 0) lengthAt_ = offset() + i;
        ++digits_;
        auto digit = static_cast<std::uint64_t>(c - '0');
        bool overflow = length_ > (most - digit) / 10;  // more than any maxLength can allow
        length_ = overflow ? most : length_ * 10 + digit;
        if (overflow || length_ > maxLength_) {
            dropConnection(Failure(StringTooLongError(ProtocolError::StringTooLong, length_, maxLength_, lengthAt_)));
            return false;
        }
    }
    consume(data.size());
    return true;
}

}  // namespace weft
