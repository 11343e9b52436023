// SPDX-License-Identifier: MIT
// protocols/errors.h: why a connection could not be made or ended, and how a peer broke a
// framing, as weft::Error subclasses with codes in the "weft.protocols" category.
// Tests: tests/protocols/errors_test.cpp
//
// Whose fault: ConnectError and the Connection*Error types carry the reactor's reason (nobody's
// fault, or the network's); LineTooLongError, NetstringParseError and StringTooLongError with
// ProtocolError::StringTooLong are the peer's, and say at which byte of the stream (counted
// from 0) it happened; StringTooLongError with ProtocolError::StringTooLongToSend is ours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

#include "defer/errors.h"
#include "defer/failure.h"

namespace weft {

enum class ProtocolError {
    ConnectionDone = 1,     // the connection closed cleanly (Twisted's ConnectionDone)
    ConnectionLost,         // it ended any other way: reset, abort, timeout (ConnectionLost)
    ConnectFailed,          // it was never made: refused, timed out, no route (ConnectError)
    LineTooLong,            // peer: a line longer than the receiver's maxLength
    StringTooLong,          // peer: a declared string length over the receiver's maxLength
    StringTooLongToSend,    // local: sendString of more than the length prefix can say
    NetstringBadLength,     // peer: a netstring length that is empty or not decimal digits
    NetstringLeadingZero,   // peer: a netstring length with a leading zero ("05:")
    NetstringMissingComma,  // peer: the byte after a netstring's payload is not ','
};

[[nodiscard]] const std::error_category& protocolsCategory() noexcept;
[[nodiscard]] std::error_code make_error_code(ProtocolError e) noexcept;

}  // namespace weft

template <>
struct std::is_error_code_enum<weft::ProtocolError> : std::true_type {};

namespace weft {

// The connection ended; reason() is what the transport gave connectionLost.
class ConnectionClosedError : public Error {
public:
    [[nodiscard]] std::error_code reason() const noexcept { return reason_; }

protected:
    ConnectionClosedError(ProtocolError code, std::error_code reason);

private:
    std::error_code reason_;
};

class ConnectionDoneError : public ConnectionClosedError {
public:
    explicit ConnectionDoneError(std::error_code reason = ConnectionDoneError::clean());

private:
    static std::error_code clean() noexcept;
};

class ConnectionLostError : public ConnectionClosedError {
public:
    explicit ConnectionLostError(std::error_code reason);
};

// The connection was never made; reason() is what clientConnectionFailed was told
// (ConnectionError::Refused, ::TimedOut, ::NoRoute or a system error).
class ConnectError : public Error {
public:
    explicit ConnectError(std::error_code reason);
    [[nodiscard]] std::error_code reason() const noexcept { return reason_; }

private:
    std::error_code reason_;
};

// A line reached maxLength + 1 bytes with no delimiter; offset() is where that line began.
class LineTooLongError : public Error {
public:
    LineTooLongError(std::size_t maxLength, std::uint64_t offset);
    [[nodiscard]] std::size_t maxLength() const noexcept { return maxLength_; }
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    std::size_t maxLength_;
    std::uint64_t offset_;
};

// A string longer than allowed. code() says whose: ProtocolError::StringTooLong (the peer
// declared `length`, offset() is where its length prefix began) or StringTooLongToSend (we
// tried to send it; offset() is 0). For a netstring, length() is the declared length as far as
// it was read when it passed maxLength, so a lower bound.
class StringTooLongError : public Error {
public:
    StringTooLongError(ProtocolError code, std::uint64_t length, std::uint64_t maxLength,
                       std::uint64_t offset = 0);
    [[nodiscard]] std::uint64_t length() const noexcept { return length_; }
    [[nodiscard]] std::uint64_t maxLength() const noexcept { return maxLength_; }
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    std::uint64_t length_;
    std::uint64_t maxLength_;
    std::uint64_t offset_;
};

// Bytes that are not a netstring; code() says which rule broke, offset() at which byte.
class NetstringParseError : public Error {
public:
    NetstringParseError(ProtocolError code, std::uint64_t offset);
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
    std::uint64_t offset_;
};

// A connectionLost reason as a Failure: ConnectionDoneError for a clean close
// (isCleanClose), ConnectionLostError for anything else.
[[nodiscard]] Failure failureFromReason(std::error_code reason,
                                        SourceLocation where = SourceLocation::current());

}  // namespace weft
