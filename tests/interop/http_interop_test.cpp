// SPDX-License-Identifier: MIT
// weft's HTTP client against real servers (nginx's static files, twisted.web's chunked and
// dripping answers), and weft's server against real clients (curl, wrk), all on loopback.
// A missing peer fails these tests; nothing is skipped.
#include "http/fetch.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <thread>

#include "defer/shortcuts.h"
#include "http/server.h"
#include "reactor/listening_port.h"
#include "tests/interop/child_process.h"
#include "tests/interop/nginx.h"
#include "tests/interop/run_program.h"

using namespace std::chrono_literals;
using weft::testing::Nginx;
using weft::testing::runProgram;
namespace http = weft::http;
namespace dns = weft::dns;

namespace {

template <class T>
weft::Result<T> settle(weft::Reactor& reactor, weft::Deferred<T> d, std::chrono::seconds limit = 20s) {
    std::optional<weft::Result<T>> out;
    (void)d.addBoth([&](weft::Result<T> r) { out.emplace(std::move(r)); });
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!out && std::chrono::steady_clock::now() < deadline) reactor.iterate(5ms);
    REQUIRE_MESSAGE(out.has_value(), "the fetch did not end in time");
    return std::move(*out);
}

dns::Resolver::Options noSystemDns() {
    dns::Resolver::Options options;
    options.resolvConfPath = "/nonexistent";
    options.hostsPath = "";
    return options;
}

// twisted_web_server.py on a free port; stopped with the object.
struct TwistedWeb {
    weft::testing::ChildProcess child = weft::testing::ChildProcess::spawn(
        {"/usr/bin/python3", std::string(WEFT_SOURCE_DIR) + "/tests/interop/twisted_web_server.py", "--lifetime", "60"});
    std::uint16_t port = 0;
    TwistedWeb() {
        std::string line = child.readLine();
        REQUIRE_MESSAGE(!line.empty(), "twisted_web_server.py printed no port (python3-twisted)");
        port = static_cast<std::uint16_t>(std::stoi(line));
    }
    ~TwistedWeb() { child.stop(); }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace

TEST_CASE("interop/http: weft's client fetches nginx's static files, follows its redirects, reads its 404") {
    Nginx nginx;
    weft::Reactor reactor;
    dns::Resolver resolver(reactor, noSystemDns());
    http::Agent agent(reactor, resolver);
    auto index = settle(reactor, http::getPage(agent, nginx.url(Nginx::indexPath())));
    REQUIRE_MESSAGE(index.succeeded(), (index.failed() ? index.failure().message() : ""));
    CHECK(index.value().status == 200);
    CHECK(index.value().body == nginx.indexBody());

    auto big = settle(reactor, http::getPage(agent, nginx.url(Nginx::bigPath())));
    REQUIRE(big.succeeded());
    CHECK(big.value().body == nginx.bigBody());
    CHECK(agent.openConnections() == 1);  // kept alive and reused

    auto moved = settle(reactor, http::getPage(agent, nginx.url(Nginx::redirectPath())));
    REQUIRE(moved.succeeded());
    CHECK(moved.value().body == nginx.indexBody());
    CHECK(moved.value().redirects.size() == 1);

    auto loop = settle(reactor, http::getPage(agent, nginx.url(Nginx::loopPath())));
    REQUIRE(loop.failed());
    CHECK(loop.failure().check<http::RedirectLoop>());

    http::FetchOptions strict;
    strict.failOnHttpError = true;
    auto missing = settle(reactor, http::getPage(agent, nginx.url(Nginx::missingPath()), strict));
    REQUIRE(missing.failed());
    CHECK(missing.failure().check<http::HttpStatusError>());

    http::FetchOptions small;
    small.maxBodySize = 1000;
    auto tooBig = settle(reactor, http::getPage(agent, nginx.url(Nginx::bigPath()), small));
    REQUIRE(tooBig.failed());
    CHECK(tooBig.failure().check<http::ResponseTooLarge>());
}

TEST_CASE("interop/http: weft's client reads twisted.web's chunked and dripping answers") {
    TwistedWeb twisted;
    weft::Reactor reactor;
    dns::Resolver resolver(reactor, noSystemDns());
    http::Agent agent(reactor, resolver);
    auto chunked = settle(reactor, http::getPage(agent, twisted.url("/chunked?count=7&size=300")));
    REQUIRE_MESSAGE(chunked.succeeded(), (chunked.failed() ? chunked.failure().message() : ""));
    std::string expected;
    for (int i = 0; i < 7; ++i) expected += std::string(300, static_cast<char>('0' + i % 10));
    CHECK(chunked.value().body == expected);
    CHECK(chunked.value().headers.hasToken("Transfer-Encoding", "chunked"));

    auto drip = settle(reactor, http::getPage(agent, twisted.url("/drip?bytes=12&interval_ms=10&chunked=1")));
    REQUIRE(drip.succeeded());
    CHECK(drip.value().body == "abcdefghijkl");

    http::FetchOptions impatient;
    impatient.readTimeout = 100ms;
    auto stalled = settle(reactor, http::getPage(agent, twisted.url("/drip?bytes=3&interval_ms=1000"), impatient));
    REQUIRE(stalled.failed());
    CHECK(stalled.failure().check<http::Timeout>());
}

TEST_CASE("interop/http: curl and wrk against weft's server") {
    weft::Reactor reactor;
    http::Site site;
    site.page("/hello", "<title>hello</title>\n");
    site.route("/chunked", [](const http::ServerRequest&) {
        auto r = http::ServerResponse::text(200, std::string(10000, 'x'));
        r.chunkSize = 1000;
        return weft::succeed(std::move(r));
    });
    http::HttpServer server(reactor, site);
    auto port = reactor.listenTCP(0, server.factory(), 1024, "127.0.0.1");
    std::string base = "http://127.0.0.1:" + std::to_string(port->getHost().port());
    // The programs run in their own processes; this one turns the reactor meanwhile.
    auto run = [&](std::vector<std::string> args) {
        std::optional<weft::testing::ProgramResult> result;
        std::thread child([&] { result = runProgram(std::move(args), 30s); });
        while (!result) reactor.iterate(1ms);
        child.join();
        return *result;
    };
    auto curl = run({"/usr/bin/curl", "-s", "-S", "--fail", base + "/hello", base + "/chunked", "-o", "/dev/null", "-w",
                     "%{http_code} %{size_download} %{num_connects}\\n", "-o", "/dev/null"});
    REQUIRE_MESSAGE(curl.exitCode == 0, curl.err);
    CHECK(curl.out == "200 21 1\n200 10000 0\n");  // two answers, one connection
    auto missing = run({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/nope"});
    CHECK(missing.out == "404");

    auto wrk = run({"/usr/bin/wrk", "-t1", "-c20", "-d1s", base + "/hello"});
    REQUIRE_MESSAGE(wrk.exitCode == 0, wrk.err);
    CHECK(wrk.out.find("Socket errors") == std::string::npos);
    CHECK(wrk.out.find("Non-2xx") == std::string::npos);
    CHECK(server.requestsServed() > 100);
}
