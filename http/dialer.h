// SPDX-License-Identifier: MIT
// http/dialer.h: Dialer, how an Agent gets a connection to host:port, and TcpDialer, the real
// one (dns/ for the name, Happy Eyeballs for the addresses). Tests swap in a dialer that wires
// connections in memory, so a whole fetch runs without sockets or sleeps.
// Tests: tests/http/agent_test.cpp
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "defer/deferred.h"
#include "dns/resolver.h"
#include "http/client_connection.h"
#include "http/exchange.h"

namespace weft::http {

class Dialer {
public:
    virtual ~Dialer() = default;
    // Connects with a protocol from makeConnection (one per attempt) and fires with the one
    // connected. Fails with dns's ResolveError or protocols' ConnectError; sets progress->step
    // to Dns, then Connect.
    [[nodiscard]] virtual Deferred<ClientConnection*> dial(
        const std::string& host, std::uint16_t port, std::function<std::unique_ptr<ClientConnection>()> makeConnection,
        std::chrono::nanoseconds connectTimeout, std::shared_ptr<Progress> progress) = 0;
};

class TcpDialer final : public Dialer {
public:
    explicit TcpDialer(dns::Resolver& resolver) : resolver_(resolver) {}
    [[nodiscard]] Deferred<ClientConnection*> dial(const std::string& host, std::uint16_t port,
                                                   std::function<std::unique_ptr<ClientConnection>()> makeConnection,
                                                   std::chrono::nanoseconds connectTimeout,
                                                   std::shared_ptr<Progress> progress) override;

private:
    dns::Resolver& resolver_;
};

}  // namespace weft::http
