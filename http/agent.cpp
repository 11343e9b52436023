// SPDX-License-Identifier: MIT
// http/agent.cpp: the connection pool and the one retry. Tests: tests/http/agent_test.cpp
#include "http/agent.h"

#include <algorithm>
#include <utility>

#include "defer/coroutine.h"

namespace weft::http {

// The connections to one host:port, and the requests waiting for one.
class Agent::HostPool final : public ClientConnection::Owner {
public:
    HostPool(Agent& agent, std::string host, std::uint16_t port) : agent_(agent), host_(std::move(host)), port_(port) {}

    std::vector<ClientConnection*> idle;
    std::vector<ClientConnection*> all;  // connected, idle or busy
    std::size_t opening = 0;
    std::deque<std::pair<Deferred<Lease>, std::shared_ptr<Progress>>> waiting;

    [[nodiscard]] std::size_t open() const noexcept { return all.size() + opening; }
    [[nodiscard]] bool full() const noexcept { return open() >= agent_.options_.maxConnectionsPerHost; }
    [[nodiscard]] bool canDial() const noexcept { return !full() && agent_.mayDial(); }

    void connectionIdle(ClientConnection& connection) override {
        while (!waiting.empty()) {
            auto next = std::move(waiting.front().first);
            waiting.pop_front();
            if (next.called()) continue;  // cancelled while in line
            return next.callback(Lease{&connection, true});
        }
        idle.push_back(&connection);
    }

    void connectionClosed(ClientConnection& connection) override {
        connection.setOwner(nullptr);
        std::erase(idle, &connection);
        std::erase(all, &connection);
        serveWaiting();
    }

    void serveWaiting() {
        while (!waiting.empty() && canDial()) {
            auto [next, progress] = std::move(waiting.front());
            waiting.pop_front();
            if (!next.called()) dialFor(next, std::move(progress));
        }
    }

    void dialFor(Deferred<Lease> lease, std::shared_ptr<Progress> progress) {
        ++opening;
        agent_.countDial();
        auto alive = agent_.alive_;
        AnyClock clock = agent_.clock_;
        auto idleTimeout = agent_.options_.idleTimeout;
        agent_.dialer_
            .dial(host_, port_, [clock, idleTimeout] { return std::make_unique<ClientConnection>(clock, idleTimeout); },
                  agent_.options_.connectTimeout, std::move(progress))
            .addCallbacks(
                [this, alive, lease](ClientConnection* connection) mutable {
                    if (!*alive) {  // the Agent is gone: so is its pool
                        connection->abort();
                        if (!lease.called()) lease.errback(Failure(CancelledError()));
                        return;
                    }
                    --opening;
                    connection->setOwner(this);
                    all.push_back(connection);
                    if (lease.called()) connectionIdle(*connection);  // its request was cancelled
                    else lease.callback(Lease{connection, false});
                },
                [this, alive, lease](Failure& failure) mutable {
                    if (!*alive) {
                        if (!lease.called()) lease.errback(failure);
                        return;
                    }
                    --opening;
                    if (!lease.called()) lease.errback(failure);
                    serveWaiting();  // those in line try for themselves
                });
    }

    void shutDown() {
        for (auto* connection : all) {
            connection->setOwner(nullptr);
            connection->abort();
        }
        all.clear();
        idle.clear();
        for (auto& [w, progress] : waiting)
            if (!w.called()) w.errback(Failure(CancelledError()));
        waiting.clear();
    }

private:
    Agent& agent_;
    std::string host_;
    std::uint16_t port_;
};

Agent::Agent(Reactor& reactor, dns::Resolver& resolver, AgentOptions options)
    : ownDialer_(std::make_unique<TcpDialer>(resolver)), clock_(reactor), dialer_(*ownDialer_), options_(options) {}

Agent::Agent(AnyClock clock, Dialer& dialer, AgentOptions options)
    : clock_(std::move(clock)), dialer_(dialer), options_(options) {}

Agent::~Agent() {
    *alive_ = false;
    if (nextTurn_.active()) nextTurn_.cancel();
    for (auto& [key, pool] : pools_) pool->shutDown();
}

std::size_t Agent::openConnections() const noexcept {
    std::size_t n = 0;
    for (const auto& [key, pool] : pools_) n += pool->all.size();
    return n;
}

std::size_t Agent::idleConnections() const noexcept {
    std::size_t n = 0;
    for (const auto& [key, pool] : pools_) n += pool->idle.size();
    return n;
}

Agent::HostPool& Agent::poolFor(const Url& url) {
    std::string key = url.host + ":" + std::to_string(url.port);
    auto& slot = pools_[key];
    if (!slot) slot = std::make_unique<HostPool>(*this, url.host, url.port);
    return *slot;
}

ClientConnection* Agent::takeIdle(HostPool& pool) {
    while (!pool.idle.empty()) {
        ClientConnection* connection = pool.idle.back();
        pool.idle.pop_back();
        if (connection->usable()) return connection;
    }
    return nullptr;
}

void Agent::countDial() {
    ++dialsThisTurn_;
    if (nextTurn_.active()) return;
    nextTurn_ = clock_.callLater(std::chrono::nanoseconds(0), [this, alive = alive_] {
        dialsThisTurn_ = 0;
        // A copy: a dial that fails at once runs callbacks that may add pools (or drop the
        // Agent). Pools themselves live as long as the Agent.
        std::vector<HostPool*> pools;
        for (auto& [key, pool] : pools_) pools.push_back(pool.get());
        for (HostPool* pool : pools) {
            if (!*alive) return;
            pool->serveWaiting();
        }
    });
}

Deferred<Agent::Lease> Agent::acquire(HostPool& pool, std::shared_ptr<Progress> progress) {
    Deferred<Lease> lease;
    if (!pool.canDial()) pool.waiting.emplace_back(lease, std::move(progress));
    else pool.dialFor(lease, std::move(progress));
    return lease;
}

namespace {

// A pooled connection the server had closed while it sat idle (nothing of the response came)
// is worth one more try, on a new connection, for a request that may safely be sent twice.
bool worthRetry(const ConnectionClosed& closed, const Request& request) {
    return closed.received() == 0 && request.idempotent();
}

}  // namespace

Deferred<Response> Agent::request(Request request, RequestOptions options) {
    if (!options_.persistent) request.headers.set("Connection", "close");
    // The common case, an idle pooled connection, needs no coroutine between the connection
    // and the caller (nor its moves of the Response): only the retry goes through exchange().
    if (ClientConnection* idle = takeIdle(poolFor(request.url))) {
        Deferred<Response> sent = idle->send(request, options);
        sent.addErrback([this, alive = alive_, request = std::move(request),
                         options = std::move(options)](Failure& failure) mutable -> Deferred<Response> {
            try {
                failure.raise();
            } catch (const ConnectionClosed& closed) {
                if (*alive && worthRetry(closed, request)) return exchange(std::move(request), std::move(options), true);
            } catch (...) {
            }
            failure.raise();  // the same Failure goes on
        });
        return sent;
    }
    return exchange(std::move(request), std::move(options), false);
}

Deferred<Response> Agent::exchange(Request request, RequestOptions options, bool retry) {
    auto alive = alive_;  // a request in flight outlives the Agent: its connection fails as it goes
    for (int attempt = retry ? 1 : 0;; ++attempt) {
        HostPool& pool = poolFor(request.url);
        // A pooled connection is taken at once; otherwise (or for the retry, which wants a
        // fresh one) wait for a new connection or a turn.
        Lease lease{attempt == 0 ? takeIdle(pool) : nullptr, true};
        if (!lease.connection) lease = co_await acquire(pool, options.progress);
        try {
            co_return co_await lease.connection->send(request, options);
        } catch (const ConnectionClosed& closed) {
            if (!(*alive && lease.reused && attempt == 0 && worthRetry(closed, request))) throw;
        }
    }
}

}  // namespace weft::http
