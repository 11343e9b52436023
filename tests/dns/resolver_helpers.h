// SPDX-License-Identifier: MIT
// What the resolver tests share: options pointing at a fake nameserver, and running a
// Deferred to its end on the reactor.
#pragma once

#include <doctest/doctest.h>

#include <optional>

#include "defer/deferred.h"
#include "dns/resolver.h"
#include "tests/dns/fake_nameserver.h"

namespace weft::testing {

// No resolv.conf, no hosts file: only the fake server, with short tries.
inline dns::Resolver::Options testOptions(const FakeNameserver& ns) {
    dns::Resolver::Options options;
    options.resolvConfPath = "/nonexistent/resolv.conf";
    options.hostsPath = "";
    options.nameservers = std::vector<Address>{ns.address()};
    options.attemptTimeout = std::chrono::milliseconds(200);
    options.attempts = 2;
    return options;
}

// Turns the reactor until the Deferred fires (at most 10 s), and gives its result.
template <class T>
Result<T> settle(Reactor& reactor, Deferred<T> d) {
    std::optional<Result<T>> out;
    (void)d.addBoth([&](Result<T> r) { out.emplace(std::move(r)); });  // handled: nothing unhandled is left
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!out && std::chrono::steady_clock::now() < deadline) reactor.iterate(std::chrono::milliseconds(5));
    REQUIRE_MESSAGE(out.has_value(), "the Deferred did not fire within 10 s");
    return std::move(*out);
}

}  // namespace weft::testing
