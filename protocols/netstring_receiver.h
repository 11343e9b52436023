// SPDX-License-Identifier: MIT
// protocols/netstring_receiver.h: NetstringReceiver, strings framed as D. J. Bernstein's
// netstrings, "5:hello," (Twisted's twisted.protocols.basic.NetstringReceiver).
// Tests: tests/protocols/netstring_receiver_test.cpp
//
//   class Log : public weft::NetstringReceiver {
//       void stringReceived(std::string_view s) override { lines.emplace_back(s); }
//   };
//
// The length is decimal digits, "0" or without leading zeros. Anything else drops the
// connection with a NetstringParseError naming the rule and the byte (protocolFailure()):
// NetstringBadLength (a non-digit, or no digits before ':'), NetstringLeadingZero,
// NetstringMissingComma. A length over maxLength() (99999 unless set) drops it with a
// StringTooLongError as soon as the digits read so far exceed it, before any payload is
// buffered. A string is delivered only once its trailing ',' has arrived; the view is valid
// until stringReceived returns. See FramingProtocol for pausing and re-entrancy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocols/errors.h"
#include "protocols/framing_protocol.h"

namespace weft {

class NetstringReceiver : public FramingProtocol {
public:
    static constexpr std::size_t defaultMaxLength = 99999;  // Twisted's MAX_LENGTH

    explicit NetstringReceiver(std::size_t maxLength = defaultMaxLength) : maxLength_(maxLength) {}

    // Writes "<length>:<string>," (nothing if not connected).
    void sendString(std::string_view string);

    void setMaxLength(std::size_t maxLength) noexcept { maxLength_ = maxLength; }
    [[nodiscard]] std::size_t maxLength() const noexcept { return maxLength_; }

protected:
    virtual void stringReceived(std::string_view string) = 0;

private:
    enum class State { Length, Payload };

    bool deliverNext() override;
    bool parseLength(std::string_view data);
    bool fail(ProtocolError code, std::uint64_t at);

    std::size_t maxLength_;
    State state_ = State::Length;
    std::uint64_t length_ = 0;
    std::size_t digits_ = 0;
    std::uint64_t lengthAt_ = 0;  // stream offset of the current length's first digit
};

}  // namespace weft
