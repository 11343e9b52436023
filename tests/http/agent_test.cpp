// SPDX-License-Identifier: MIT
// Tests for http/agent.h: one exchange over pooled connections, in memory (MemoryDialer, a
// ManualClock, HttpServer or a ScriptedServer that misbehaves): reuse, the per-host limit and
// its queue, the one retry on a stale connection, idle timeouts, streaming, shutdown.
#include "http/agent.h"

#include <doctest/doctest.h>

#include <algorithm>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "defer/shortcuts.h"
#include "http/server.h"
#include "reactor/errors.h"
#include "reactor/manual_clock.h"
#include "tests/http/agent_world.h"
#include "tests/http/memory_dialer.h"
#include "tests/http/scripted_server.h"

using namespace std::chrono_literals;
using namespace weft::http;
using weft::CancelledError;
using weft::Deferred;
using weft::testing::errorOf;
using weft::testing::okResponse;
using weft::testing::ScriptedServer;
using weft::testing::settle;

namespace {

Request get(const std::string& url) { return weft::testing::getRequest(url); }

Request post(const std::string& url, std::string body) {
    Request r;
    r.method = "POST";
    r.url = Url::parse(url);
    r.body = std::move(body);
    return r;
}

// (ServerOptions{.idleTimeout = t} would leave `limits` without an initializer: -Wextra.)
ServerOptions serverIdleTimeout(std::chrono::nanoseconds t) {
    ServerOptions options;
    options.idleTimeout = t;
    return options;
}

using World = weft::testing::AgentWorld;

}  // namespace

TEST_CASE("http/agent: a GET gets the status, reason, headers and body the server sent") {
    World w;
    std::string seenHost;
    w.site.route("/hello", [&](const ServerRequest& r) {
        seenHost = std::string(r.headers.get("Host").value_or(""));
        auto answer = ServerResponse::text(201, "hello, world");
        answer.headers.set("X-Test", "yes");
        return weft::succeed(answer);
    });
    auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/hello")));
    REQUIRE(result.succeeded());
    const Response& r = result.value();
    CHECK(r.status == 201);
    CHECK(r.reason == "Created");
    CHECK(r.versionMinor == 1);
    CHECK(r.body == "hello, world");
    CHECK(r.headers.get("X-Test") == "yes");
    CHECK(r.headers.get("Content-Length") == "12");
    CHECK(seenHost == "example.test");
    CHECK(w.dialer.dials() == 1);
}

TEST_CASE("http/agent: sequential requests to one host reuse one pooled connection") {
    World w;
    w.site.page("/", "home");
    for (int i = 0; i < 3; ++i) {
        auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "home");
        CHECK(w.agent->idleConnections() == 1);
        CHECK(w.agent->openConnections() == 1);
    }
    CHECK(w.dialer.dials() == 1);
    CHECK(w.server.requestsServed() == 3);
    // Another port is another pool.
    weft::testing::ScriptedServer other;
    other.onRequest = [](auto& c, const std::string&, const std::string&) { c.write(okResponse("other")); };
    w.dialer.listen("example.test", 8080, other);
    auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test:8080/")));
    REQUIRE(result.succeeded());
    CHECK(result.value().body == "other");
    CHECK(w.dialer.dials() == 2);
    CHECK(w.agent->idleConnections() == 2);
}

TEST_CASE("http/agent: maxConnectionsPerHost caps the connections, and the rest wait in line") {
    for (bool slowConnect : {false, true}) {
        CAPTURE(slowConnect);
        World w(AgentOptions{.maxConnectionsPerHost = 2});
        w.dialer.holdConnects(slowConnect);
        std::vector<Deferred<ServerResponse>> answers;
        std::vector<std::string> paths;
        w.site.routePrefix("/n/", [&](const ServerRequest& r) {
            paths.push_back(r.path);
            return answers.emplace_back();
        });
        std::vector<std::shared_ptr<weft::Result<Response>>> results;
        for (int i = 0; i < 5; ++i) {
            auto out = std::make_shared<weft::Result<Response>>();
            (void)w.agent->request(get("http://example.test/n/" + std::to_string(i)))
                .addBoth([out](weft::Result<Response>&& r) { *out = std::move(r); });
            results.push_back(out);
        }
        CHECK(w.dialer.dials() == 2);  // connecting counts against the limit too
        w.dialer.pumpAll();
        CHECK(w.dialer.dials() == 2);
        CHECK(w.agent->openConnections() == 2);
        REQUIRE(answers.size() == 2);  // only two requests reached the server
        // Each answer frees a connection for the next request in line, in order.
        for (std::size_t i = 0; i < 5; ++i) {
            REQUIRE(answers.size() > i);
            answers[i].callback(ServerResponse::text(200, "answer " + std::to_string(i)));
            w.dialer.pumpAll();
            REQUIRE(results[i]->succeeded());
            CHECK(results[i]->value().body == "answer " + std::to_string(i));
        }
        CHECK(paths == std::vector<std::string>{"/n/0", "/n/1", "/n/2", "/n/3", "/n/4"});
        CHECK(w.dialer.dials() == 2);
        CHECK(w.agent->idleConnections() == 2);
    }
}

TEST_CASE("http/agent: a burst of new connections is opened a few per loop turn, in order") {
    constexpr std::size_t kBurst = 2 * Agent::kDialsPerTurn + 3;
    for (bool answerBetweenTurns : {false, true}) {
        CAPTURE(answerBetweenTurns);
        World w(AgentOptions{.maxConnectionsPerHost = 100});
        std::vector<std::string> paths;
        w.site.routePrefix("/n/", [&](const ServerRequest& r) {
            paths.push_back(r.path);
            return weft::succeed(ServerResponse::text(200, "ok"));
        });
        std::vector<std::shared_ptr<weft::Result<Response>>> results;
        for (std::size_t i = 0; i < kBurst; ++i) {
            auto out = std::make_shared<weft::Result<Response>>();
            (void)w.agent->request(get("http://example.test/n/" + std::to_string(i)))
                .addBoth([out](weft::Result<Response>&& r) { *out = std::move(r); });
            results.push_back(out);
        }
        // The first ones are dialled at once, so their requests can go out while the rest wait.
        CHECK(w.dialer.dials() == Agent::kDialsPerTurn);
        if (answerBetweenTurns) {
            // Connections that are free before the next turn take the requests in line: no
            // more are opened than needed.
            w.dialer.pumpAll();
            CHECK(paths.size() == kBurst);
            w.clock.advance(std::chrono::nanoseconds(0));
            CHECK(w.dialer.dials() == Agent::kDialsPerTurn);
        } else {
            // (ManualClock runs the zero-delay calls a run schedules in the same advance; the
            // reactor leaves them to its next turn.)
            w.clock.advance(std::chrono::nanoseconds(0));
            CHECK(w.dialer.dials() == kBurst);
            w.dialer.pumpAll();
            CHECK(w.agent->openConnections() == kBurst);
        }
        for (auto& r : results) CHECK(r->succeeded());
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < kBurst; ++i) expected.push_back("/n/" + std::to_string(i));
        if (answerBetweenTurns) std::sort(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
            return std::stoi(a.substr(3)) < std::stoi(b.substr(3));  // several connections: any order
        });
        CHECK(paths == expected);
    }
}

TEST_CASE("http/agent: a request cancelled while it waits in line leaves the connection to the pool") {
    World w(AgentOptions{.maxConnectionsPerHost = 1});
    std::vector<Deferred<ServerResponse>> answers;
    w.site.route("/slow", [&](const ServerRequest&) { return answers.emplace_back(); });
    auto first = w.agent->request(get("http://example.test/slow"));
    auto second = w.agent->request(get("http://example.test/slow"));
    w.dialer.pumpAll();
    REQUIRE(answers.size() == 1);
    second.cancel();
    auto cancelled = settle(w.dialer, w.clock, second);
    CHECK(cancelled.failed());
    CHECK(cancelled.failure().check<CancelledError>());
    answers[0].callback(ServerResponse::text(200, "first"));
    auto done = settle(w.dialer, w.clock, first);
    REQUIRE(done.succeeded());
    CHECK(done.value().body == "first");
    CHECK(answers.size() == 1);  // the cancelled request was never sent
    CHECK(w.agent->idleConnections() == 1);
}

TEST_CASE("http/agent: an idle pooled connection closes itself after idleTimeout") {
    World w(AgentOptions{.idleTimeout = 10s});
    w.site.page("/", "x");
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    CHECK(w.agent->idleConnections() == 1);
    weft::testing::checkClosesAfterIdle(w, 10s);
    CHECK(w.agent->openConnections() == 0);
    CHECK(w.dialer.pair(0).serverTransport().lostReason() == weft::ConnectionError::Done);
    // The next request dials again.
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    CHECK(w.dialer.dials() == 2);
}

TEST_CASE("http/agent: a GET on a pooled connection the server has closed is retried once, on a new one") {
    SUBCASE("the server's idle timeout closed it") {
        World w({}, serverIdleTimeout(5s));
        w.site.page("/", "fresh");
        REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
        w.clock.advance(5s);  // the server closes; the client has not read the FIN yet
        auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "fresh");
        CHECK(w.dialer.dials() == 2);
        CHECK(w.server.requestsServed() == 2);
        CHECK(w.dialer.pair(0).closed());
    }
    SUBCASE("the server reset it") {
        World w;
        w.site.page("/", "fresh");
        REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
        w.dialer.pair(0).serverTransport().abortConnection();
        auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "fresh");
        CHECK(w.dialer.dials() == 2);
    }
    SUBCASE("the server closed it on seeing the next request (a raw server)") {
        World w;
        ScriptedServer raw;
        raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
            if (c.heads.size() == 1) c.write(okResponse("one", "Connection: keep-alive\r\n"));
            else c.close();
        };
        w.dialer.listen("raw.test", 80, raw);
        REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/a"))).succeeded());
        CHECK(w.agent->idleConnections() == 1);
        auto result = settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/b")));
        REQUIRE(result.succeeded());
        CHECK(result.value().body == "one");  // the new connection's first answer
        REQUIRE(raw.connections.size() == 2);
        CHECK(raw.at(0).heads.size() == 2);
        CHECK(raw.at(1).heads.size() == 1);
        CHECK(weft::testing::targetOf(raw.at(1).heads[0]) == "/b");
    }
}

TEST_CASE("http/agent: a POST on a stale pooled connection is not retried") {
    World w({}, serverIdleTimeout(5s));
    int posts = 0;
    w.site.page("/", "x");
    w.site.route("/submit", [&](const ServerRequest&) {
        ++posts;
        return weft::succeed(ServerResponse::text(200, "ok"));
    });
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    w.clock.advance(5s);
    auto result = settle(w.dialer, w.clock, w.agent->request(post("http://example.test/submit", "data")));
    auto error = errorOf<ConnectionClosed>(result);
    CHECK(error.received() == 0);
    CHECK(w.dialer.dials() == 1);
    CHECK(posts == 0);
}

TEST_CASE("http/agent: the retry is made once: a fresh connection that fails too gives ConnectionClosed") {
    World w;
    ScriptedServer raw;
    raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        if (c.index == 0 && c.heads.size() == 1) c.write(okResponse("one"));
        else c.close();  // every other request: closed unanswered
    };
    w.dialer.listen("raw.test", 80, raw);
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/"))).succeeded());
    auto result = settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/")));
    CHECK(errorOf<ConnectionClosed>(result).received() == 0);
    CHECK(w.dialer.dials() == 2);
    CHECK(raw.requests() == 3);
}

TEST_CASE("http/agent: a fresh connection closed before the response is not retried") {
    World w;
    ScriptedServer raw;
    raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) { c.abort(); };
    w.dialer.listen("raw.test", 80, raw);
    auto result = settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/")));
    CHECK(errorOf<ConnectionClosed>(result).received() == 0);
    CHECK(w.dialer.dials() == 1);
}

TEST_CASE("http/agent: bytes after the end of a response keep its connection out of the pool") {
    World w;
    ScriptedServer raw;
    raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        // Content-Length says 3; the rest would be read as the next request's response.
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforged");
    };
    w.dialer.listen("raw.test", 80, raw);
    auto first = settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/")));
    REQUIRE(first.succeeded());
    CHECK(first.value().body == "abc");
    CHECK(w.agent->idleConnections() == 0);
    auto second = settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/")));
    REQUIRE(second.succeeded());
    CHECK(second.value().body == "abc");
    CHECK(w.dialer.dials() == 2);
    CHECK(raw.at(0).lost);
}

TEST_CASE("http/agent: bytes arriving on an idle connection close it") {
    World w;
    ScriptedServer raw;
    raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        c.write(okResponse("abc"));
    };
    w.dialer.listen("raw.test", 80, raw);
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://raw.test/"))).succeeded());
    CHECK(w.agent->idleConnections() == 1);
    raw.at(0).write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");  // nobody asked
    w.dialer.pumpAll();
    CHECK(w.agent->idleConnections() == 0);
    CHECK(w.agent->openConnections() == 0);
    CHECK(raw.at(0).lost);
}

TEST_CASE("http/agent: a request that cannot be written fails with InvalidRequest and costs no connection") {
    World w(AgentOptions{.maxConnectionsPerHost = 1});
    w.site.page("/", "x");
    Request bad = get("http://example.test/");
    bad.headers.add("X-Evil", "a\r\nInjected: yes");
    SUBCASE("on a fresh connection") {}
    SUBCASE("on a pooled connection") {
        REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    }
    auto failed = settle(w.dialer, w.clock, w.agent->request(bad));
    (void)errorOf<InvalidRequest>(failed);
    auto after = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/")));
    REQUIRE(after.succeeded());
    CHECK(after.value().body == "x");
    CHECK(w.dialer.dials() == 1);
    CHECK(w.agent->idleConnections() == 1);
}

TEST_CASE("http/agent: persistent = false asks the server to close, and pools nothing") {
    World w(AgentOptions{.persistent = false});
    std::vector<std::string> connectionHeaders;
    w.site.route("/", [&](const ServerRequest& r) {
        connectionHeaders.emplace_back(r.headers.get("Connection").value_or(""));
        return weft::succeed(ServerResponse::text(200, "x"));
    });
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    w.dialer.pumpAll();
    CHECK(w.agent->idleConnections() == 0);
    CHECK(w.agent->openConnections() == 0);
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    CHECK(w.dialer.dials() == 2);
    CHECK(connectionHeaders == std::vector<std::string>{"close", "close"});
}

TEST_CASE("http/agent: bodySink takes the body piece by piece, in order, and Response::body stays empty") {
    World w;
    std::string body;
    for (int i = 0; i < 40; ++i) body += static_cast<char>('a' + i % 26);
    w.site.route("/big", [&](const ServerRequest&) {
        auto answer = ServerResponse::text(200, body);
        answer.chunkSize = 7;
        return weft::succeed(answer);
    });
    std::vector<std::string> pieces;
    RequestOptions options;
    options.bodySink = [&](std::string_view piece) { pieces.emplace_back(piece); };
    auto result = settle(w.dialer, w.clock, w.agent->request(get("http://example.test/big"), options));
    REQUIRE(result.succeeded());
    CHECK(result.value().body.empty());
    CHECK(pieces.size() > 1);
    std::string joined;
    for (auto& p : pieces) joined += p;
    CHECK(joined == body);
}

TEST_CASE("http/agent: the progress it is given moves through the steps") {
    World w;
    std::vector<Deferred<ServerResponse>> answers;
    w.site.route("/slow", [&](const ServerRequest&) { return answers.emplace_back(); });
    RequestOptions options;
    options.progress = std::make_shared<Progress>();
    w.dialer.holdConnects(true);
    auto d = w.agent->request(get("http://example.test/slow"), options);
    CHECK(options.progress->step == Step::Connect);
    w.dialer.pumpAll();
    CHECK(options.progress->step == Step::ReadHeaders);
    REQUIRE(answers.size() == 1);
    answers[0].callback(ServerResponse::text(200, "x"));
    REQUIRE(settle(w.dialer, w.clock, d).succeeded());
    CHECK(options.progress->step == Step::ReadBody);
}

TEST_CASE("http/agent: destroying the Agent aborts its connections and fails nothing twice") {
    World w;
    std::vector<Deferred<ServerResponse>> answers;
    w.site.page("/", "x");
    w.site.route("/slow", [&](const ServerRequest&) { return answers.emplace_back(); });
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    auto busy = w.agent->request(get("http://example.test/slow"));
    w.dialer.pumpAll();
    REQUIRE(answers.size() == 1);
    w.agent.reset();
    w.dialer.pumpAll();
    CHECK(w.dialer.pair(0).closed());
    CHECK(w.dialer.pair(0).serverTransport().lostReason() == std::errc::connection_reset);
    CHECK(answers[0].called());  // the server cancelled the answer nobody can read
    (void)busy.addErrback([](weft::Failure&) -> Response { return {}; });
}
