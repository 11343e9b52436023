// SPDX-License-Identifier: MIT
#include "reactor/errors.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <ostream>  // doctest prints error_codes with std's operator<<
#include <set>
#include <string>

using weft::ConnectionError;

TEST_CASE("ConnectionError values are error_codes in the weft.reactor category, each with its own message") {
    std::error_code done = ConnectionError::Done;
    CHECK(std::string(done.category().name()) == "weft.reactor");
    CHECK(&done.category() == &weft::reactorCategory());
    CHECK(done.value() == 1);
    CHECK(done);  // a closed connection is still a reason, not "no error"

    std::set<std::string> messages;
    for (ConnectionError e : {ConnectionError::Done, ConnectionError::Aborted, ConnectionError::Refused,
                              ConnectionError::TimedOut, ConnectionError::NoRoute, ConnectionError::FdOutOfRange,
                              ConnectionError::AlreadyRunning, ConnectionError::Stopped}) {
        std::error_code code = weft::make_error_code(e);
        CHECK(code == e);
        CHECK_FALSE(code.message().empty());
        messages.insert(code.message());
    }
    CHECK(messages.size() == 8);
    CHECK(std::error_code(ConnectionError::Refused).message() == "connection refused");
    CHECK(std::error_code(ConnectionError::FdOutOfRange).message() == "file descriptor too large for select()");
    CHECK(std::error_code(99, weft::reactorCategory()).message() == "unknown reactor error 99");
}

TEST_CASE("ConnectionError codes are not the system's errno values") {
    std::error_code refused = ConnectionError::Refused;
    CHECK(refused != std::error_code(ECONNREFUSED, std::system_category()));
    CHECK(refused != std::errc::connection_refused);
}

TEST_CASE("isCleanClose is true only for ConnectionError::Done") {
    CHECK(weft::isCleanClose(ConnectionError::Done));
    CHECK_FALSE(weft::isCleanClose(ConnectionError::Aborted));
    CHECK_FALSE(weft::isCleanClose(ConnectionError::Stopped));
    CHECK_FALSE(weft::isCleanClose(std::make_error_code(std::errc::connection_reset)));
    CHECK_FALSE(weft::isCleanClose(std::error_code()));
}

TEST_CASE("ReactorError is a std::system_error carrying the code and what was being done") {
    try {
        throw weft::ReactorError(ConnectionError::AlreadyRunning, "Reactor::run");
    } catch (const std::system_error& e) {
        CHECK(e.code() == ConnectionError::AlreadyRunning);
        std::string what = e.what();
        CHECK(what.find("Reactor::run") != std::string::npos);
        CHECK(what.find("already running") != std::string::npos);
    }
}
