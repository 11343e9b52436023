// SPDX-License-Identifier: MIT
// http/agent.h: Agent, requests over pooled keep-alive connections (Twisted's Agent with an
// HTTPConnectionPool). Tests: tests/http/agent_test.cpp
//
//   weft::dns::Resolver resolver(reactor);
//   weft::http::Agent agent(reactor, resolver);
//   agent.request(request, options).addCallback([](weft::http::Response r) { ... });
//
// Connections are kept per host and port: at most maxConnectionsPerHost open (connecting
// included); a request that finds none idle and none to open waits in line. A connection that
// answered with keep-alive goes back to the pool, or straight to the next request in line,
// and closes itself after idleTimeout unused. New connections are opened at most
// kDialsPerTurn per loop turn, the rest at the turns that follow: on loopback and nearby hosts
// connect() completes the handshake inside the call, so a burst of a hundred would hold every
// first request back until the last connect, where pacing them lets the first requests (and
// the server) start at once. An idempotent request whose reused connection
// turns out to be closed (nothing of the response came) is retried once on a new one. One
// exchange, no redirects: fetch.h follows those. Destroying the Agent aborts its connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "defer/deferred.h"
#include "http/client_connection.h"
#include "http/dialer.h"
#include "http/exchange.h"
#include "protocols/any_clock.h"

namespace weft::http {

struct AgentOptions {
    std::size_t maxConnectionsPerHost = 8;
    std::chrono::nanoseconds idleTimeout = std::chrono::seconds(60);
    std::chrono::nanoseconds connectTimeout = std::chrono::seconds(30);
    bool persistent = true;  // false: one connection per request ("Connection: close")
};

class Agent {
public:
    Agent(Reactor& reactor, dns::Resolver& resolver, AgentOptions options = {});
    Agent(AnyClock clock, Dialer& dialer, AgentOptions options = {});
    ~Agent();
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    [[nodiscard]] Deferred<Response> request(Request request, RequestOptions options);
    [[nodiscard]] Deferred<Response> request(Request request) { return this->request(std::move(request), RequestOptions{}); }

    [[nodiscard]] const AgentOptions& options() const noexcept { return options_; }
    [[nodiscard]] AnyClock& clock() noexcept { return clock_; }
    [[nodiscard]] std::size_t openConnections() const noexcept;
    [[nodiscard]] std::size_t idleConnections() const noexcept;

    static constexpr std::size_t kDialsPerTurn = 8;

private:
    struct Lease {
        ClientConnection* connection = nullptr;
        bool reused = false;
    };
    class HostPool;

    HostPool& poolFor(const Url& url);
    static ClientConnection* takeIdle(HostPool& pool);  // an idle usable connection, or null
    Deferred<Lease> acquire(HostPool& pool, std::shared_ptr<Progress> progress);  // a new one, or a turn
    // The request on a pooled or new connection; `retry`: the one retry, on a new connection.
    Deferred<Response> exchange(Request request, RequestOptions options, bool retry);
    [[nodiscard]] bool mayDial() const noexcept { return dialsThisTurn_ < kDialsPerTurn; }
    void countDial();  // and at the next turn, a new allowance for the pools' waiting requests

    std::unique_ptr<Dialer> ownDialer_;
    AnyClock clock_;
    Dialer& dialer_;
    AgentOptions options_;
    std::unordered_map<std::string, std::unique_ptr<HostPool>> pools_;
    std::size_t dialsThisTurn_ = 0;
    AnyClock::Call nextTurn_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace weft::http
