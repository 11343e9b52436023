// SPDX-License-Identifier: MIT
#include "defer/source_location.h"

#include <doctest/doctest.h>

#include <string>

namespace {
weft::SourceLocation whereCalled(weft::SourceLocation at = weft::SourceLocation::current()) { return at; }
}  // namespace

TEST_CASE("SourceLocation::current() as a default argument records the caller") {
    weft::SourceLocation at = whereCalled();
    int line = __LINE__ - 1;
    CHECK(at.line() == static_cast<unsigned>(line));
    CHECK(std::string(at.file_name()).find("source_location_test.cpp") != std::string::npos);
    CHECK(std::string(at.function_name()).find("DOCTEST") != std::string::npos);  // the test's function
}
