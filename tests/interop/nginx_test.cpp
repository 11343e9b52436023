// SPDX-License-Identifier: MIT
// The nginx harness (tests/interop/nginx.h) checked with curl (Debian curl, which `make test`
// installs): every path answers as the harness says, and each harness cleans up after itself.
// A missing curl or nginx fails these tests; nothing is skipped.
#include "tests/interop/nginx.h"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "tests/interop/run_program.h"

namespace {

using weft::testing::Nginx;

constexpr const char* kCurl = "/usr/bin/curl";

// curl's standard output for `curl -s ARGS...`; fails the test if curl is missing or exits
// non-zero (it exits 0 for any HTTP status: -f is not given).
std::string curl(std::vector<std::string> args) {
    REQUIRE_MESSAGE(::access(kCurl, X_OK) == 0, kCurl << " is missing: apt-get install -y curl");
    args.insert(args.begin(), {kCurl, "-s", "--max-time", "10", "--noproxy", "*"});
    auto result = weft::testing::runProgram(std::move(args));
    REQUIRE_MESSAGE(result.exitCode == 0, "curl failed (exit " << result.exitCode << "): " << result.err << result.out);
    return result.out;
}

// The status code and the headers' block (status line included) of a GET, body discarded.
struct Head {
    std::string status, headers;
};
Head head(const Nginx& nginx, std::string_view path) {
    std::string out = curl({"-o", "/dev/null", "-D", "-", "-w", "%{http_code}", nginx.url(path)});
    REQUIRE(out.size() >= 3);
    return {out.substr(out.size() - 3), out.substr(0, out.size() - 3)};
}

}  // namespace

TEST_CASE("interop/nginx: the index, the big file and the untitled page come whole") {
    Nginx nginx;
    CHECK(nginx.port() != 0);
    CHECK(std::filesystem::is_regular_file(nginx.root() + "/index.html"));
    std::string index = curl({"-o", "-", nginx.url(Nginx::indexPath())});
    CHECK(index == nginx.indexBody());
    CHECK(index.find("<title>" + std::string(Nginx::indexTitle()) + "</title>") != std::string::npos);

    std::string big = curl({"-o", "-", nginx.url(Nginx::bigPath())});
    CHECK(big.size() == Nginx::bigSize());
    CHECK(big == nginx.bigBody());

    std::string untitled = curl({"-o", "-", nginx.url(Nginx::untitledPath())});
    CHECK(untitled == nginx.untitledBody());
    CHECK(untitled.find("<title>") == std::string::npos);

    Head h = head(nginx, Nginx::indexPath());
    CHECK(h.status == "200");
    CHECK(h.headers.find("Content-Length: " + std::to_string(nginx.indexBody().size()) + "\r\n") != std::string::npos);
    CHECK(h.headers.find("Transfer-Encoding") == std::string::npos);
}

TEST_CASE("interop/nginx: redirects and a missing page") {
    Nginx nginx;
    Head old = head(nginx, Nginx::redirectPath());
    CHECK(old.status == "301");
    CHECK(old.headers.find("\r\nLocation: /index.html\r\n") != std::string::npos);

    Head absolute = head(nginx, Nginx::absoluteRedirectPath());
    CHECK(absolute.status == "301");
    CHECK(absolute.headers.find("\r\nLocation: " + nginx.url(Nginx::indexPath()) + "\r\n") != std::string::npos);

    Head loop = head(nginx, Nginx::loopPath());
    CHECK(loop.status == "301");
    CHECK(loop.headers.find("\r\nLocation: /loop\r\n") != std::string::npos);

    // curl -L follows the redirect to the index.
    CHECK(curl({"-L", "-o", "-", nginx.url(Nginx::redirectPath())}) == nginx.indexBody());

    CHECK(head(nginx, Nginx::missingPath()).status == "404");
}

TEST_CASE("interop/nginx: one connection serves many requests (keep-alive)") {
    Nginx nginx;
    // Five URLs in one curl run, each with its own -o; %{num_connects} is the connections each
    // transfer opened: the first opens one, the others reuse it.
    std::vector<std::string> args = {"-w", "%{num_connects}\\n"};
    for (int i = 0; i < 5; ++i) args.insert(args.end(), {"-o", "/dev/null", nginx.url(Nginx::indexPath())});
    CHECK(curl(args) == "1\n0\n0\n0\n0\n");
}

TEST_CASE("interop/nginx: each instance has its own port and directory and stops with its destructor") {
    pid_t firstPid = -1;
    std::string firstDirectory;
    {
        Nginx first;
        Nginx second;
        CHECK(first.port() != second.port());
        CHECK(first.directory() != second.directory());
        CHECK(curl({"-o", "-", second.url(Nginx::indexPath())}) == second.indexBody());
        firstPid = first.pid();
        firstDirectory = first.directory();
        CHECK(::kill(firstPid, 0) == 0);
    }
    // The child was reaped by the destructor, so the pid names no process of ours any more.
    CHECK(::kill(firstPid, 0) == -1);
    CHECK_FALSE(std::filesystem::exists(firstDirectory));
}
