// SPDX-License-Identifier: MIT
// Tests for the timers of a connection kept busy from callbacks (http/client_connection.h,
// http/agent.h, http/fetch.h): the next request sent from inside the previous response's
// callback reuses the connection, still has its read timeout, and the idle timeout counts
// from the last response; a fetch leaves no timer behind once it is over. In memory
// (MemoryDialer, ManualClock), so every time is exact.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>

#include "defer/shortcuts.h"
#include "http/fetch.h"
#include "http/server.h"
#include "tests/http/agent_world.h"
#include "tests/http/memory_dialer.h"
#include "tests/http/scripted_server.h"

using namespace std::chrono_literals;
using namespace weft::http;
using weft::Deferred;
using weft::testing::advanceUntil;
using weft::testing::errorOf;
using weft::testing::okResponse;
using weft::testing::ScriptedServer;
using weft::testing::settle;

namespace {

Request get(const std::string& url) { return weft::testing::getRequest(url); }

using World = weft::testing::AgentWorld;

}  // namespace

TEST_CASE("http/keep-alive: a request sent from the previous response's callback still has its read timeout") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        if (c.heads.size() == 1) c.write(okResponse("one"));  // the second request is never answered
    };
    FetchOptions options;
    options.readTimeout = 5s;
    std::optional<Deferred<Response>> second;
    auto first = getPage(*w.agent, "http://raw.test/a", options).addCallback([&](Response r) {
        second = getPage(*w.agent, "http://raw.test/b", options);  // sent from inside dataReceived
        return r;
    });
    REQUIRE(settle(w.dialer, w.clock, first).succeeded());
    REQUIRE(second);
    REQUIRE(w.raw.connections.size() == 1);  // the same connection took it
    CHECK(w.raw.at(0).heads.size() == 2);
    const auto sent = w.clock.now();
    auto timeout = errorOf<Timeout>(advanceUntil(w.dialer, w.clock, *second, 1s, 60s));
    CHECK(w.clock.now() - sent == 5s);
    CHECK(timeout.step() == Step::ReadHeaders);
    CHECK(timeout.url() == "http://raw.test/b");
}

TEST_CASE("http/keep-alive: a connection reused from a callback closes idleTimeout after its last response") {
    World w(AgentOptions{.idleTimeout = 10s});
    w.site.page("/", "home");
    w.site.route("/slow", [&](const ServerRequest&) {
        Deferred<ServerResponse> later;
        (void)w.clock.callLater(4s, [later]() mutable { later.callback(ServerResponse::text(200, "late")); });
        return later;
    });
    std::optional<Deferred<Response>> second;
    auto first = w.agent->request(get("http://example.test/")).addCallback([&](Response r) {
        second = w.agent->request(get("http://example.test/slow"));
        return r;
    });
    REQUIRE(settle(w.dialer, w.clock, first).succeeded());
    REQUIRE(second);
    CHECK(w.agent->idleConnections() == 0);  // busy with the second request
    auto result = advanceUntil(w.dialer, w.clock, *second, 1s, 10s);
    REQUIRE(result.succeeded());
    CHECK(result.value().body == "late");
    CHECK(w.clock.now() == 4s);
    CHECK(w.dialer.dials() == 1);
    CHECK(w.agent->idleConnections() == 1);
    // Not 10 s after the first response (t = 0): 10 s after the last one (t = 4 s).
    weft::testing::checkClosesAfterIdle(w, 10s);
}

TEST_CASE("http/keep-alive: a fetch leaves no timer behind, whether it fails at once or succeeds") {
    World w;
    w.site.page("/", "home");
    const std::size_t idle = w.clock.pendingCalls();
    auto bad = getPage(*w.agent, "not a url");
    CHECK(bad.called());
    CHECK(w.clock.pendingCalls() == idle);
    (void)bad.addErrback([](weft::Failure&) -> Response { return {}; });
    // The same exchange through the Agent and through fetch leaves the same timers: the
    // connection's idle timeout (and the server's), not fetch's deadline.
    REQUIRE(settle(w.dialer, w.clock, w.agent->request(get("http://example.test/"))).succeeded());
    const std::size_t afterRequest = w.clock.pendingCalls();
    REQUIRE(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/")).succeeded());
    CHECK(w.clock.pendingCalls() == afterRequest);
    CHECK(w.dialer.dials() == 1);
}
