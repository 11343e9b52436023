// SPDX-License-Identifier: MIT
// tests/http/agent_world.h: an Agent and the servers it talks to, all in memory on one
// ManualClock, for the client tests (agent, fetch, keep-alive):
//
//   AgentWorld w(AgentOptions{.maxConnectionsPerHost = 1});
//   w.site.route("/", ...);                         // example.test:80 and other.test:80
//   w.raw.onRequest = ...;                          // raw.test:80, scripted byte by byte
//   auto r = settle(w.dialer, w.clock, w.agent->request(getRequest("http://example.test/")));
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>

#include "http/agent.h"
#include "http/server.h"
#include "reactor/manual_clock.h"
#include "tests/http/memory_dialer.h"
#include "tests/http/scripted_server.h"

namespace weft::testing {

// Members in the order they must be destroyed last: the Agent first, the clock last.
struct AgentWorld {
    explicit AgentWorld(http::AgentOptions agentOptions = {}, http::ServerOptions serverOptions = {})
        : server(clock, site, serverOptions) {
        dialer.listen("example.test", 80, server.factory());
        dialer.listen("other.test", 80, server.factory());
        dialer.listen("raw.test", 80, raw);
        agent.emplace(AnyClock(clock), dialer, agentOptions);
    }

    ManualClock clock;
    http::Site site;
    http::HttpServer server;
    ScriptedServer raw;
    MemoryDialer dialer{clock};
    std::optional<http::Agent> agent;
};

// The one idle pooled connection (dialled as pair `pair`) is still open `idle` - 1 ns from
// now and closed at `idle`, to the nanosecond.
inline void checkClosesAfterIdle(AgentWorld& w, std::chrono::nanoseconds idle, std::size_t pair = 0) {
    w.clock.advance(idle - std::chrono::nanoseconds(1));
    w.dialer.pumpAll();
    CHECK(w.agent->idleConnections() == 1);
    CHECK_FALSE(w.dialer.pair(pair).closed());
    w.clock.advance(std::chrono::nanoseconds(1));
    w.dialer.pumpAll();
    CHECK(w.agent->idleConnections() == 0);
    CHECK(w.dialer.pair(pair).closed());
}

inline http::Request getRequest(const std::string& url) {
    http::Request r;
    r.url = http::Url::parse(url);
    return r;
}

}  // namespace weft::testing
