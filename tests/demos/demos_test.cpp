// SPDX-License-Identifier: MIT
// The article's demos, run as programs with small sizes against their embedded server, and
// their output checked: titles found, counts right, each failure reported with its type.
#include <doctest/doctest.h>

#include <string>

#include "tests/interop/run_program.h"

using namespace std::chrono_literals;
using weft::testing::runProgram;

namespace {

std::string demo(const char* name) { return std::string(WEFT_BUILD_DIR) + "/demos/" + name; }

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The line that follows the line starting with `what` (failures prints the case, then the result).
std::string resultOf(const std::string& out, const std::string& what) {
    auto at = out.find(what);
    if (at == std::string::npos) return "";
    auto start = out.find('\n', at) + 1;
    return out.substr(start, out.find('\n', start) - start);
}

}  // namespace

TEST_CASE("demos/planet: every blog's first article title, sequential and concurrent, and the ratio") {
    auto r = runProgram({demo("planet"), "--blogs", "6", "--latency-ms", "20"}, 30s);
    REQUIRE_MESSAGE(r.exitCode == 0, r.err);
    for (int k = 1; k <= 6; ++k) CHECK(count(r.out, "blog " + std::to_string(k) + ": Article 1 of blog " + std::to_string(k) + "\n") == 1);
    CHECK(count(r.out, "sequential: 6 titles in ") == 1);
    CHECK(count(r.out, "concurrent: 6 titles in ") == 1);
    // 6 blogs x 2 fetches x 20 ms one after another is at least 240 ms; all at once about 40.
    auto ratio = std::stod(r.out.substr(r.out.find("concurrent is ") + 14));
    CHECK(ratio > 2.0);
}

TEST_CASE("demos/planet: a concurrency limit and bad options") {
    auto r = runProgram({demo("planet"), "--blogs", "5", "--latency-ms", "0", "--concurrency", "2"}, 30s);
    REQUIRE_MESSAGE(r.exitCode == 0, r.err);
    CHECK(count(r.out, ": Article 1 of blog ") == 5);
    auto bad = runProgram({demo("planet"), "--blogs", "0"}, 10s);
    CHECK(bad.exitCode == 64);
}

TEST_CASE("demos/trivial: 30 pages gathered by a DeferredList that stops the reactor") {
    auto r = runProgram({demo("trivial"), "--latency-ms", "10"}, 30s);
    REQUIRE_MESSAGE(r.exitCode == 0, r.err);
    CHECK(count(r.out, "fetched 30 of 30 pages") == 1);
    CHECK(count(r.out, "30 with a title") == 1);
}

TEST_CASE("demos/failures: each failure is reported with its type and step, and the others go on") {
    auto r = runProgram({demo("failures"), "--timeout-ms", "500"}, 30s);
    REQUIRE_MESSAGE(r.exitCode == 0, r.err);
    CHECK(resultOf(r.out, "no network (no route)").find("weft::http::ConnectFailed: ") != std::string::npos);
    CHECK(resultOf(r.out, "no network (no route)").find("while connecting") != std::string::npos);
    CHECK(resultOf(r.out, "no DNS answer").find("weft::http::DnsError: ") != std::string::npos);
    CHECK(resultOf(r.out, "no DNS answer").find("http://planet.example/") != std::string::npos);
    CHECK(resultOf(r.out, "no such host").find("weft::http::DnsError: ") != std::string::npos);
    CHECK(resultOf(r.out, "no TCP server").find("weft::http::ConnectionRefused: ") != std::string::npos);
    CHECK(resultOf(r.out, "a stalled server").find("weft::http::Timeout: ") != std::string::npos);
    CHECK(resultOf(r.out, "a stalled server").find("/stall") != std::string::npos);
    CHECK(resultOf(r.out, "page not found").find("weft::http::HttpStatusError: ") != std::string::npos);
    CHECK(resultOf(r.out, "page not found").find("404") != std::string::npos);
    CHECK(resultOf(r.out, "no title").find("NoTitle: ") != std::string::npos);
    CHECK(resultOf(r.out, "all is well").find("ok: title \"Article 1 of blog 1\"") != std::string::npos);
    CHECK(r.took < 5s);
}
