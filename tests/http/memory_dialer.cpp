// SPDX-License-Identifier: MIT
// tests/http/memory_dialer.cpp: MemoryDialer's little world of hosts, ports and loopback pairs.
#include "tests/http/memory_dialer.h"

#include <stdexcept>

#include "defer/shortcuts.h"
#include "dns/errors.h"
#include "protocols/connect_protocol.h"
#include "protocols/errors.h"
#include "reactor/errors.h"

namespace weft::testing {

MemoryDialer::~MemoryDialer() {
    // Connects still held: their factories wait for an answer, and own themselves until then.
    auto held = std::move(held_);
    for (auto& h : held) {
        h.factory->clientConnectionFailed(ConnectionError::Refused);
    }
}

void MemoryDialer::listen(const std::string& host, std::uint16_t port, IProtocolFactory& factory) {
    hosts_.insert(host);
    servers_[key(host, port)] = &factory;
}

void MemoryDialer::stopListening(const std::string& host, std::uint16_t port) { servers_.erase(key(host, port)); }

void MemoryDialer::addHost(const std::string& host) { hosts_.insert(host); }

void MemoryDialer::failDns(const std::string& host) { dnsTimeouts_.insert(host); }

void MemoryDialer::blackhole(const std::string& host, std::uint16_t port) {
    hosts_.insert(host);
    blackholes_.insert(key(host, port));
}

std::size_t MemoryDialer::dials(const std::string& host, std::uint16_t port) const {
    auto it = dialsTo_.find(key(host, port));
    return it == dialsTo_.end() ? 0 : it->second;
}

LoopbackPair& MemoryDialer::pair(std::size_t i) const {
    REQUIRE_MESSAGE(i < pairs_.size(), "no connection number ", i, " (", pairs_.size(), " made)");
    return *pairs_[i];
}

std::size_t MemoryDialer::openPairs() const {
    std::size_t n = 0;
    for (const auto& p : pairs_) n += p->closed() ? 0 : 1;
    return n;
}

Deferred<http::ClientConnection*> MemoryDialer::dial(const std::string& host, std::uint16_t port,
                                                      std::function<std::unique_ptr<http::ClientConnection>()> makeConnection,
                                                      std::chrono::nanoseconds connectTimeout,
                                                      std::shared_ptr<http::Progress> progress) {
    ++dials_;
    ++dialsTo_[key(host, port)];
    if (progress) progress->step = http::Step::Dns;
    if (dnsTimeouts_.count(host)) return fail<http::ClientConnection*>(Failure(dns::Timeout(host, "memory")));
    if (!hosts_.count(host)) return fail<http::ClientConnection*>(Failure(dns::NameNotFound(host, "memory")));
    if (progress) progress->step = http::Step::Connect;

    if (blackholes_.count(key(host, port))) {
        Deferred<http::ClientConnection*> never;
        (void)clock_.callLater(connectTimeout, [never]() mutable {
            if (!never.called()) never.errback(Failure(ConnectError(ConnectionError::TimedOut)));
        });
        return never;
    }
    auto server = servers_.find(key(host, port));
    if (server == servers_.end()) {
        return fail<http::ClientConnection*>(Failure(ConnectError(ConnectionError::Refused)));
    }

    LoopbackOptions options;
    options.clientAddress = *Address::parse("127.0.0.1", nextClientPort_++);
    auto literal = Address::parse(host, port);
    options.serverAddress = literal ? *literal : *Address::parse("127.0.0.1", port);
    IProtocolFactory* serverFactory = server->second;
    return connectProtocol(
        [this, serverFactory, options](IClientFactory& factory) {
            if (hold_) held_.push_back(Held{&factory, serverFactory, options});
            else connect(factory, *serverFactory, options);
        },
        makeConnection());
}

void MemoryDialer::connect(IClientFactory& client, IProtocolFactory& server, const LoopbackOptions& options) {
    auto made = connectLoopback(client, server, options);
    if (made) pairs_.push_back(std::move(made));
}

bool MemoryDialer::pumpAll() {
    bool any = false;
    for (std::size_t round = 0;; ++round) {
        if (round == 10000) throw std::logic_error("MemoryDialer::pumpAll: still busy after 10000 rounds");
        bool moved = false;
        if (!held_.empty()) {
            auto held = std::move(held_);
            held_.clear();
            for (auto& h : held) connect(*h.factory, *h.server, h.options);
            moved = true;
        }
        // By index: pumping one pair may dial and add another.
        for (std::size_t i = 0; i < pairs_.size(); ++i) moved = pairs_[i]->pump() || moved;
        if (!moved) break;
        any = true;
    }
    return any;
}

}  // namespace weft::testing
