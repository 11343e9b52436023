// SPDX-License-Identifier: MIT
#include "protocols/errors.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "reactor/errors.h"

using weft::ProtocolError;

TEST_CASE("protocols' errors are weft::Errors with codes in the weft.protocols category") {
    weft::LineTooLongError line(16384, 42);
    CHECK(line.code() == ProtocolError::LineTooLong);
    CHECK(std::string(line.code().category().name()) == "weft.protocols");
    CHECK(line.maxLength() == 16384);
    CHECK(line.offset() == 42);
    CHECK(std::string(line.what()) == "line longer than 16384 bytes (starting at byte 42)");

    weft::NetstringParseError parse(ProtocolError::NetstringMissingComma, 7);
    CHECK(parse.code() == ProtocolError::NetstringMissingComma);
    CHECK(parse.offset() == 7);
    CHECK(std::string(parse.what()) == "netstring does not end with ',' (at byte 7)");

    weft::StringTooLongError remote(ProtocolError::StringTooLong, 100000, 99999, 4);
    CHECK(remote.code() == ProtocolError::StringTooLong);
    CHECK(remote.length() == 100000);
    CHECK(remote.maxLength() == 99999);
    CHECK(remote.offset() == 4);
    CHECK(std::string(remote.what()) == "peer sent a string longer than allowed: 100000 > 99999 (at byte 4)");
    weft::StringTooLongError local(ProtocolError::StringTooLongToSend, 256, 255);
    CHECK(std::string(local.what()) == "string too long for its length prefix: 256 > 255");
}

TEST_CASE("every ProtocolError has its own message") {
    for (int e = static_cast<int>(ProtocolError::ConnectionDone);
         e <= static_cast<int>(ProtocolError::NetstringMissingComma); ++e) {
        std::string message = weft::make_error_code(static_cast<ProtocolError>(e)).message();
        CHECK(message.find("unknown") == std::string::npos);
    }
    CHECK(weft::make_error_code(static_cast<ProtocolError>(99)).message() == "unknown protocols error 99");
}

TEST_CASE("ConnectError carries the reactor's reason, and says it") {
    weft::ConnectError refused(weft::ConnectionError::Refused);
    CHECK(refused.code() == ProtocolError::ConnectFailed);
    CHECK(refused.reason() == weft::ConnectionError::Refused);
    CHECK(std::string(refused.what()) == "could not connect: connection refused");

    weft::ConnectError unreachable(std::error_code(ENETUNREACH, std::system_category()));
    CHECK(unreachable.reason() == std::errc::network_unreachable);
}

TEST_CASE("failureFromReason: a clean close is ConnectionDoneError, anything else ConnectionLostError") {
    weft::Failure done = weft::failureFromReason(weft::ConnectionError::Done);
    CHECK(done.check<weft::ConnectionDoneError>());
    CHECK(done.check<weft::ConnectionClosedError>());
    CHECK_FALSE(done.check<weft::ConnectionLostError>());

    weft::Failure reset = weft::failureFromReason(std::error_code(ECONNRESET, std::system_category()));
    CHECK(reset.check<weft::ConnectionLostError>());
    CHECK(reset.check<weft::ConnectionClosedError>());
    try {
        reset.raise();
    } catch (const weft::ConnectionLostError& e) {
        CHECK(e.code() == ProtocolError::ConnectionLost);
        CHECK(e.reason() == std::errc::connection_reset);
    }

    weft::Failure aborted = weft::failureFromReason(weft::ConnectionError::Aborted);
    CHECK(aborted.check<weft::ConnectionLostError>());
    CHECK(aborted.where().line() > 0);
}

TEST_CASE("ConnectionDoneError defaults to ConnectionError::Done") {
    weft::ConnectionDoneError done;
    CHECK(done.reason() == weft::ConnectionError::Done);
    CHECK(done.code() == ProtocolError::ConnectionDone);
}
