// SPDX-License-Identifier: MIT
#include "reactor/fd.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>  // doctest prints error_codes with std's operator<<
#include <utility>

namespace {

bool isOpen(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

int openFd() {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    return fd;
}

}  // namespace

TEST_CASE("Fd closes what it owns when destroyed") {
    int raw = openFd();
    {
        weft::Fd fd(raw);
        CHECK(fd.valid());
        CHECK(static_cast<bool>(fd));
        CHECK(fd.get() == raw);
        CHECK(isOpen(raw));
    }
    CHECK_FALSE(isOpen(raw));
}

TEST_CASE("a default Fd owns nothing") {
    weft::Fd fd;
    CHECK_FALSE(fd.valid());
    CHECK_FALSE(static_cast<bool>(fd));
    CHECK(fd.get() == -1);
    weft::Fd failed(-1);  // what a failed syscall gives
    CHECK_FALSE(failed);
}

TEST_CASE("moving an Fd moves ownership; assigning closes the old one") {
    int a = openFd();
    int b = openFd();
    weft::Fd first(a);
    weft::Fd second(std::move(first));
    CHECK_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): a moved-from Fd is empty
    CHECK(second.get() == a);

    weft::Fd third(b);
    third = std::move(second);
    CHECK(third.get() == a);
    CHECK_FALSE(isOpen(b));
    CHECK(isOpen(a));

    auto& alias = third;
    third = std::move(alias);  // self-move leaves it alone
    CHECK(third.get() == a);
    CHECK(isOpen(a));
}

TEST_CASE("release gives the fd up without closing it; reset closes and takes another") {
    int a = openFd();
    int b = openFd();
    weft::Fd fd(a);
    CHECK(fd.release() == a);
    CHECK_FALSE(fd.valid());
    CHECK(isOpen(a));
    fd.reset(a);
    CHECK(fd.get() == a);
    fd.reset(b);
    CHECK_FALSE(isOpen(a));
    CHECK(fd.get() == b);
    fd.reset();
    CHECK_FALSE(isOpen(b));
    CHECK_FALSE(fd.valid());
}

TEST_CASE("lastError is errno in the system category") {
    CHECK(::close(-1) == -1);
    std::error_code error = weft::lastError();
    CHECK(error == std::errc::bad_file_descriptor);
    CHECK(&error.category() == &std::system_category());
}
