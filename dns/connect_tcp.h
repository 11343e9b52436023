// SPDX-License-Identifier: MIT
// dns/connect_tcp.h: connectTCP by host name: resolve through a Resolver, then race the
// addresses with Happy Eyeballs. Tests: tests/dns/connect_tcp_test.cpp
//
//   weft::Deferred<Client*> d = weft::dns::connectTCP<Client>(resolver, "example.com", 80,
//       [] { return std::make_unique<Client>(); });
//
// The Deferred fires with the protocol of the connection that won (after its
// connectionMade), or fails with the lookup's ResolveError or the last attempt's ConnectError.
// Each attempt gets a protocol of its own from makeProtocol; the losers' connections are
// aborted. An IP literal skips the resolver's queries (it is its own answer).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dns/happy_eyeballs.h"
#include "dns/resolver.h"
#include "protocols/connect_protocol.h"

namespace weft::dns {

struct ConnectOptions {
    std::chrono::nanoseconds attemptTimeout = std::chrono::seconds(30);  // each address
    std::chrono::nanoseconds attemptDelay = kConnectionAttemptDelay;
    std::optional<IPAddress::Family> family;  // only this family
};

// (A callback chain, not a coroutine: clang 14 cannot emit a coroutine that is an inline
// template under -fsanitize=address, "Cannot represent a difference across sections".)
template <class P>
[[nodiscard]] Deferred<P*> connectTCP(Resolver& resolver, std::string host, std::uint16_t port,
                                      std::function<std::unique_ptr<P>()> makeProtocol,
                                      ConnectOptions options = {}) {
    Reactor& reactor = resolver.reactor();
    return resolver.lookupAddress(std::move(host), options.family)
        .addCallback([&reactor, port, makeProtocol = std::move(makeProtocol), options](std::vector<IPAddress> addresses) {
            auto attempt = [&reactor, port, makeProtocol, timeout = options.attemptTimeout](const IPAddress& ip) {
                Address to = ip.withPort(port);
                return connectProtocol([&reactor, to, timeout](IClientFactory& f) { reactor.connectTCP(to, f, timeout); },
                                       makeProtocol());
            };
            auto discard = [](P*& late) {
                if (late && late->transport()) late->transport()->abortConnection();
            };
            return happyEyeballs<P*>(reactor, addresses, attempt, discard, options.attemptDelay);
        });
}

}  // namespace weft::dns
