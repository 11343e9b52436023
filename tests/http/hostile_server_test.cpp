// SPDX-License-Identifier: MIT
// The HTTP client (a real Agent on a real Reactor, DNS without files) against servers on
// 127.0.0.1 that lie, stall, drip, flood, reset and close: every exchange ends, with the right
// error, within a bounded time. Each test runs the loop with a deadline (runUntil).
#include "http/fetch.h"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "dns/resolver.h"
#include "reactor/listening_port.h"
#include "reactor/reactor.h"
#include "tests/http/scripted_server.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using namespace weft::http;
using weft::Deferred;
using weft::Result;
using weft::testing::okResponse;
using weft::testing::runUntil;
using weft::testing::ScriptedServer;
using weft::testing::targetOf;

namespace {

// No resolv.conf, no hosts file: the URLs are IP literals. (Designated initializers would
// leave the other members without initializers: -Wextra.)
weft::dns::Resolver::Options noFiles() {
    weft::dns::Resolver::Options options;
    options.resolvConfPath = "/nonexistent";
    options.hostsPath = "";
    return options;
}

// Members in this order: the server's record outlives the reactor (which ends connections
// when it goes), and the Agent goes first.
struct Hostile {
    explicit Hostile(AgentOptions options = {}) {
        port = reactor.listenTCP(0, raw, 64, "127.0.0.1");
        agent.emplace(reactor, resolver, options);
    }

    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port->getHost().port()) + path;
    }

    // Turns the loop until d fires (the test fails after `limit`), and gives its outcome.
    Result<Response> run(Deferred<Response> d, std::chrono::nanoseconds limit = 5s) {
        auto out = std::make_shared<Result<Response>>();
        (void)d.addBoth([out](Result<Response>&& r) { *out = std::move(r); });
        REQUIRE(runUntil(reactor, [&] { return !out->pending(); }, limit));
        return std::move(*out);
    }

    template <class E>
    E errorOf(const Result<Response>& r) {
        REQUIRE_MESSAGE(r.failed(), "expected a failure");
        try {
            r.failure().raise();
        } catch (const E& e) {
            return e;
        } catch (...) {
            FAIL("another error: ", r.failure().describe());
        }
        throw std::logic_error("unreachable");
    }

    ScriptedServer raw;
    weft::Reactor reactor;
    weft::dns::Resolver resolver{reactor, noFiles()};
    std::unique_ptr<weft::ListeningPort> port;
    std::optional<Agent> agent;
};

using Connection = ScriptedServer::Connection;

}  // namespace

TEST_CASE("http/hostile: a body shorter than its Content-Length, then close: ConnectionClosed") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
        c.close();
    };
    auto closed = h.errorOf<ConnectionClosed>(h.run(getPage(*h.agent, h.url("/short"))));
    CHECK(closed.step() == Step::ReadBody);
    CHECK(closed.received() > 0);
    CHECK(closed.url() == h.url("/short"));
    CHECK(h.raw.connections.size() == 1);  // part of the answer came: not retried
}

TEST_CASE("http/hostile: a body longer than its Content-Length: the rest is dropped with the connection") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged");
    };
    for (int i = 0; i < 2; ++i) {
        auto result = h.run(getPage(*h.agent, h.url("/long")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "hello");
    }
    CHECK(h.raw.connections.size() == 2);  // the first connection was not reused
    CHECK(h.raw.at(0).heads.size() == 1);
}

TEST_CASE("http/hostile: a reset in the middle of the body: ConnectionClosed") {
    Hostile h;
    h.raw.onRequest = [&](Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nthe first few bytes");
        auto record = h.raw.connections.at(c.index);
        (void)h.reactor.callLater(20ms, [record] { record->abort(); });
    };
    auto closed = h.errorOf<ConnectionClosed>(h.run(getPage(*h.agent, h.url("/reset"))));
    CHECK(closed.step() == Step::ReadBody);
    CHECK(closed.url() == h.url("/reset"));
}

TEST_CASE("http/hostile: a server that reads the request and says nothing: Timeout after readTimeout") {
    Hostile h;
    FetchOptions options;
    options.readTimeout = 200ms;
    auto start = std::chrono::steady_clock::now();
    auto timeout = h.errorOf<Timeout>(h.run(getPage(*h.agent, h.url("/silent"), options)));
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(timeout.step() == Step::ReadHeaders);
    CHECK(timeout.after() == 200ms);
    CHECK(took >= 200ms);
    CHECK(took < 3s);
    REQUIRE(h.raw.connections.size() == 1);
    REQUIRE(runUntil(h.reactor, [&] { return h.raw.at(0).lost; }));  // and the socket is closed
}

TEST_CASE("http/hostile: a slow drip within the read timeout succeeds") {
    Hostile h;
    const std::string body(50, 'd');  // one byte every 10 ms: 500 ms in all
    h.raw.onRequest = [&](Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
        auto record = h.raw.connections.at(c.index);
        // The pending timer holds the function; the function holds itself only weakly.
        auto drip = std::make_shared<std::function<void(std::size_t)>>();
        std::weak_ptr<std::function<void(std::size_t)>> weak = drip;
        *drip = [&h, record, weak, body](std::size_t i) {
            if (i == body.size() || record->lost) return;
            record->write(body.substr(i, 1));
            (void)h.reactor.callLater(10ms, [self = weak.lock(), i] { (*self)(i + 1); });
        };
        (*drip)(0);
    };
    FetchOptions options;
    options.readTimeout = 300ms;  // far more than 10 ms between bytes, less than the whole
    auto result = h.run(getPage(*h.agent, h.url("/drip"), options));
    REQUIRE(result.succeeded());
    CHECK(result.value().body == body);
}

TEST_CASE("http/hostile: headers that never end: MalformedResponse at the head limits, quickly") {
    Hostile h;
    std::size_t written = 0;
    // Many short field lines pass the count limit (100) first; one endless line the size limit.
    bool oneLine = false;
    Malformed expected = Malformed::TooManyHeaders;
    SUBCASE("many lines") {}
    SUBCASE("one endless line") {
        oneLine = true;
        expected = Malformed::HeaderTooLarge;
    }
    h.raw.onRequest = [&](Connection& c, const std::string&, const std::string&) {
        c.write(oneLine ? "HTTP/1.1 200 OK\r\nX-Endless: " : "HTTP/1.1 200 OK\r\n");
        auto record = h.raw.connections.at(c.index);
        auto more = std::make_shared<std::function<void()>>();
        std::weak_ptr<std::function<void()>> weak = more;
        *more = [&h, &written, &oneLine, record, weak] {
            if (record->lost) return;
            std::string lines;
            for (int i = 0; i < 128; ++i) {
                lines += oneLine ? std::string(64, 'p')
                                 : "X-Padding-" + std::to_string(written + i) + ": " + std::string(48, 'p') + "\r\n";
            }
            written += lines.size();
            record->write(lines);
            (void)h.reactor.callLater(1ms, [self = weak.lock()] { (*self)(); });
        };
        (*more)();
    };
    auto start = std::chrono::steady_clock::now();
    auto malformed = h.errorOf<MalformedResponse>(h.run(getPage(*h.agent, h.url("/endless"))));
    CHECK(malformed.reason() == expected);
    CHECK(malformed.step() == Step::ReadHeaders);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    REQUIRE(runUntil(h.reactor, [&] { return h.raw.at(0).lost; }));
    CHECK(written < (std::size_t(4) << 20));  // the client hung up long before this
}

TEST_CASE("http/hostile: a flood of 1xx responses: MalformedResponse TooMany1xx") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        std::string flood;
        for (int i = 0; i < 1000; ++i) flood += "HTTP/1.1 100 Continue\r\n\r\n";
        c.write(flood);
    };
    auto malformed = h.errorOf<MalformedResponse>(h.run(getPage(*h.agent, h.url("/flood"))));
    CHECK(malformed.reason() == Malformed::TooMany1xx);
    CHECK(malformed.url() == h.url("/flood"));
}

TEST_CASE("http/hostile: a few 1xx before the answer are skipped") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + okResponse("final"));
    };
    auto result = h.run(getPage(*h.agent, h.url("/hints")));
    REQUIRE(result.succeeded());
    CHECK(result.value().status == 200);
    CHECK(result.value().body == "final");
}

TEST_CASE("http/hostile: redirects over real sockets: a chain on one connection, and a loop") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string& head, const std::string&) {
        std::string target = targetOf(head);
        if (target == "/hop/0") return c.write(okResponse("arrived"));
        if (target.starts_with("/hop/")) {
            int n = std::stoi(target.substr(5));
            return c.write("HTTP/1.1 302 Found\r\nLocation: /hop/" + std::to_string(n - 1) + "\r\nContent-Length: 0\r\n\r\n");
        }
        std::string to = target == "/a" ? "/b" : "/a";
        c.write("HTTP/1.1 301 Moved Permanently\r\nLocation: " + to + "\r\nContent-Length: 0\r\n\r\n");
    };
    auto chain = h.run(getPage(*h.agent, h.url("/hop/5")));
    REQUIRE(chain.succeeded());
    CHECK(chain.value().body == "arrived");
    CHECK(chain.value().redirects.size() == 5);
    CHECK(chain.value().url == h.url("/hop/0"));
    CHECK(h.raw.connections.size() == 1);  // one keep-alive connection for all six

    auto loop = h.errorOf<RedirectLoop>(h.run(getPage(*h.agent, h.url("/a"))));
    CHECK(loop.url() == h.url("/a"));
}

TEST_CASE("http/hostile: a keep-alive connection the server dropped is retried for the next GET") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        // The first request on each connection is answered; a second finds it closed, as if
        // the server's idle timeout had passed just as it arrived.
        if (c.heads.size() == 1) c.write(okResponse("answer " + std::to_string(c.index)));
        else c.close();
    };
    auto first = h.run(getPage(*h.agent, h.url("/one")));
    REQUIRE(first.succeeded());
    CHECK(first.value().body == "answer 0");
    CHECK(h.agent->idleConnections() == 1);
    auto second = h.run(getPage(*h.agent, h.url("/two")));
    REQUIRE(second.succeeded());
    CHECK(second.value().body == "answer 1");
    REQUIRE(h.raw.connections.size() == 2);
    CHECK(h.raw.at(0).heads.size() == 2);
    CHECK(targetOf(h.raw.at(1).heads.at(0)) == "/two");
}

TEST_CASE("http/hostile: a server that closes right after a keep-alive answer costs nothing") {
    Hostile h;
    h.raw.onRequest = [](Connection& c, const std::string&, const std::string&) {
        c.write(okResponse("bye", "Connection: keep-alive\r\n"));
        c.close();
    };
    for (int i = 0; i < 3; ++i) {
        auto result = h.run(getPage(*h.agent, h.url("/")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "bye");
    }
    CHECK(h.raw.connections.size() >= 3);
}
