// SPDX-License-Identifier: MIT
// protocols/errors.cpp: the "weft.protocols" category and the messages of protocols/' errors.
// Tests: tests/protocols/errors_test.cpp
#include "protocols/errors.h"

#include <string>

#include "reactor/errors.h"

namespace weft {
namespace {

class ProtocolsCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "weft.protocols"; }
    std::string message(int value) const override {
        switch (static_cast<ProtocolError>(value)) {
            case ProtocolError::ConnectionDone: return "connection closed cleanly";
            case ProtocolError::ConnectionLost: return "connection lost";
            case ProtocolError::ConnectFailed: return "could not connect";
            case ProtocolError::LineTooLong: return "line too long";
            case ProtocolError::StringTooLong: return "peer sent a string longer than allowed";
            case ProtocolError::StringTooLongToSend: return "string too long for its length prefix";
            case ProtocolError::NetstringBadLength: return "netstring length is not a decimal number";
            case ProtocolError::NetstringLeadingZero: return "netstring length has a leading zero";
            case ProtocolError::NetstringMissingComma: return "netstring does not end with ','";
        }
        return "unknown protocols error " + std::to_string(value);
    }
};

std::string withReason(ProtocolError code, std::error_code reason) {
    return make_error_code(code).message() + ": " + reason.message();
}

std::string atOffset(ProtocolError code, std::uint64_t offset) {
    return make_error_code(code).message() + " (at byte " + std::to_string(offset) + ")";
}

}  // namespace

const std::error_category& protocolsCategory() noexcept {
    static const ProtocolsCategory category;
    return category;
}

std::error_code make_error_code(ProtocolError e) noexcept { return {static_cast<int>(e), protocolsCategory()}; }

ConnectionClosedError::ConnectionClosedError(ProtocolError code, std::error_code reason)
    : Error(code, withReason(code, reason)), reason_(reason) {}

std::error_code ConnectionDoneError::clean() noexcept { return ConnectionError::Done; }

ConnectionDoneError::ConnectionDoneError(std::error_code reason)
    : ConnectionClosedError(ProtocolError::ConnectionDone, reason) {}

ConnectionLostError::ConnectionLostError(std::error_code reason)
    : ConnectionClosedError(ProtocolError::ConnectionLost, reason) {}

ConnectError::ConnectError(std::error_code reason)
    : Error(ProtocolError::ConnectFailed, withReason(ProtocolError::ConnectFailed, reason)), reason_(reason) {}

LineTooLongError::LineTooLongError(std::size_t maxLength, std::uint64_t offset)
    : Error(ProtocolError::LineTooLong, "line longer than " + std::to_string(maxLength) +
                                            " bytes (starting at byte " + std::to_string(offset) + ")"),
      maxLength_(maxLength),
      offset_(offset) {}

StringTooLongError::StringTooLongError(ProtocolError code, std::uint64_t length, std::uint64_t maxLength,
                                       std::uint64_t offset)
    : Error(code, make_error_code(code).message() + ": " + std::to_string(length) + " > " +
                      std::to_string(maxLength) +
                      (code == ProtocolError::StringTooLongToSend ? "" : " (at byte " + std::to_string(offset) + ")")),
      length_(length),
      maxLength_(maxLength),
      offset_(offset) {}

NetstringParseError::NetstringParseError(ProtocolError code, std::uint64_t offset)
    : Error(code, atOffset(code, offset)), offset_(offset) {}

Failure failureFromReason(std::error_code reason, SourceLocation where) {
    if (isCleanClose(reason)) return Failure(ConnectionDoneError(reason), where);
    return Failure(ConnectionLostError(reason), where);
}

}  // namespace weft
