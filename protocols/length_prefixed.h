// SPDX-License-Identifier: MIT
// protocols/length_prefixed.h: strings framed by a big-endian binary length prefix: Int32-,
// Int16- and Int8StringReceiver (Twisted's IntNStringReceiver family).
// Tests: tests/protocols/length_prefixed_test.cpp
//
//   class Rpc : public weft::Int32StringReceiver {
//       void stringReceived(std::string_view s) override { sendString(handle(s)); }
//   };
//
// A declared length over maxLength() (99999 unless set) calls lengthLimitExceeded(length)
// before any of the string is buffered; the default drops the connection with a
// StringTooLongError (ProtocolError::StringTooLong, protocolFailure()). Either way nothing more
// is parsed: a length-prefixed stream cannot be resynchronised. sendString() of a string the
// prefix cannot describe throws StringTooLongError (ProtocolError::StringTooLongToSend). The
// view given to stringReceived is valid until it returns. See FramingProtocol for pausing.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "defer/failure.h"
#include "protocols/errors.h"
#include "protocols/framing_protocol.h"

namespace weft {

template <std::unsigned_integral Prefix>
class IntNStringReceiver : public FramingProtocol {
public:
    static constexpr std::size_t prefixLength = sizeof(Prefix);
    static constexpr std::size_t defaultMaxLength = 99999;  // Twisted's MAX_LENGTH

    explicit IntNStringReceiver(std::size_t maxLength = defaultMaxLength) : maxLength_(maxLength) {}

    // Writes the prefix and the string (nothing if not connected).
    void sendString(std::string_view string) {
        if (string.size() > std::numeric_limits<Prefix>::max())
            throw StringTooLongError(ProtocolError::StringTooLongToSend, string.size(),
                                     std::numeric_limits<Prefix>::max());
        if (!transport_) return;
        std::array<char, prefixLength> prefix{};
        auto length = static_cast<std::uint64_t>(string.size());
        for (std::size_t i = 0; i < prefixLength; ++i)
            prefix[prefixLength - 1 - i] = static_cast<char>((length >> (8 * i)) & 0xff);
        std::array<std::string_view, 2> pieces{std::string_view(prefix.data(), prefix.size()), string};
        transport_->writeSequence(pieces);
    }

    void setMaxLength(std::size_t maxLength) noexcept { maxLength_ = maxLength; }
    [[nodiscard]] std::size_t maxLength() const noexcept { return maxLength_; }

protected:
    virtual void stringReceived(std::string_view string) = 0;
    // The default drops the connection with StringTooLongError(StringTooLong, length, maxLength,
    // offset of the prefix).
    virtual void lengthLimitExceeded(std::uint64_t length) {
        dropConnection(Failure(StringTooLongError(ProtocolError::StringTooLong, length, maxLength_, prefixAt_)));
    }

private:
    bool deliverNext() override {
        std::string_view data = unparsed();
        if (data.size() < prefixLength) return false;
        std::uint64_t length = 0;
        for (std::size_t i = 0; i < prefixLength; ++i)
            length = (length << 8) | static_cast<unsigned char>(data[i]);
        if (length > maxLength_) {
            prefixAt_ = offset();
            stopParsing();  // first: the hook may close the connection and with it this protocol
            lengthLimitExceeded(length);
            return false;
        }
        if (data.size() - prefixLength < length) return false;
        consume(prefixLength + length);
        stringReceived(data.substr(prefixLength, length));
        return true;
    }

    std::size_t maxLength_;
    std::uint64_t prefixAt_ = 0;  // where the length prefix over the limit began
};

using Int32StringReceiver = IntNStringReceiver<std::uint32_t>;
using Int16StringReceiver = IntNStringReceiver<std::uint16_t>;
using Int8StringReceiver = IntNStringReceiver<std::uint8_t>;

}  // namespace weft
