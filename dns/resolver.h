// SPDX-License-Identifier: MIT
// dns/resolver.h: Resolver, a stub resolver on the reactor: names to addresses (and to any
// other record type) without blocking, from /etc/hosts and the nameservers of
// /etc/resolv.conf. Tests: tests/dns/resolver_test.cpp, tests/interop/dnsmasq_resolver_test.cpp
//
//   weft::dns::Resolver resolver(reactor);
//   resolver.lookupAddress("example.com").addCallback([](std::vector<weft::dns::IPAddress> ips) {...});
//   auto mx = co_await resolver.lookup("example.com", weft::dns::RecordType::MX);
//
// What a lookup does, in order:
// - An IP literal is its own answer; "localhost" (and *.localhost) is loopback when the hosts
//   file does not say otherwise, and *.invalid is NameNotFound at once (RFC 6761).
// - The hosts file, for A and AAAA.
// - The search list, in glibc's order: a name with at least `ndots` dots is tried as it is
//   first, then with each search domain; a shorter one with the domains first; a name with a
//   trailing dot only as it is. NXDOMAIN and NODATA move on to the next candidate; any other
//   failure ends the lookup.
// - For each candidate, the cache (positive answers for their TTL, negative ones for the SOA
//   minimum), else a query (nameserver_query.h), coalesced with an identical one in flight.
//   lookupAddress asks A and AAAA at once. CNAME chains are followed (answer.h).
// - resolv.conf and the hosts file are re-read when they change (checked at most once per
//   configCheckInterval), so a network change needs no restart.
// Failures are ResolveError subclasses (errors.h) naming the name and the server; the whole
// lookup is bounded by Options::deadline. Destroying the resolver cancels what is in flight
// (those Deferreds fail with CancelledError); it must outlive the reactor's run otherwise,
// and go before the reactor itself (it keeps sockets registered there, udp_sockets.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "defer/deferred.h"
#include "dns/answer.h"
#include "dns/cache.h"
#include "dns/config_file.h"
#include "dns/hosts_file.h"
#include "dns/ip_address.h"
#include "dns/message.h"
#include "dns/nameserver_query.h"
#include "dns/query_ids.h"
#include "dns/resolv_conf.h"
#include "dns/udp_sockets.h"
#include "reactor/reactor.h"

namespace weft::dns {

class Resolver {
public:
    struct Options {
        std::string resolvConfPath = "/etc/resolv.conf";
        std::string hostsPath = "/etc/hosts";   // "": no hosts file
        std::optional<std::vector<Address>> nameservers = {};  // replaces resolv.conf's servers only
        std::optional<std::chrono::nanoseconds> attemptTimeout = {};  // replaces `options timeout`
        std::optional<int> attempts = {};                        // replaces `options attempts`
        std::chrono::nanoseconds deadline = std::chrono::seconds(30);  // one whole lookup
        bool useSearch = true;    // false: every name is taken as fully qualified
        bool useHosts = true;
        std::optional<std::uint16_t> ednsPayload = 1232;  // nullopt: plain 512-byte DNS
        Cache::Options cache = {};
        std::chrono::nanoseconds configCheckInterval = std::chrono::seconds(1);
        std::function<std::chrono::nanoseconds()> clock = {};  // the cache's time; default reactor.now()
    };

    explicit Resolver(Reactor& reactor) : Resolver(reactor, Options{}) {}
    Resolver(Reactor& reactor, Options options);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // The addresses of a name, IPv4 first, then IPv6; `family` limits it to one of them.
    [[nodiscard]] Deferred<std::vector<IPAddress>> lookupAddress(
        std::string name, std::optional<IPAddress::Family> family = std::nullopt);
    // The records of one type at the end of the CNAME chain (the CNAME itself for CNAME).
    [[nodiscard]] Deferred<std::vector<ResourceRecord>> lookup(std::string name, RecordType type);

    [[nodiscard]] Reactor& reactor() noexcept { return reactor_; }
    [[nodiscard]] Cache& cache() noexcept { return cache_; }
    [[nodiscard]] std::size_t inFlight() const noexcept { return inFlight_.size(); }
    // The names a lookup of `name` asks for, in order (the search list applied).
    [[nodiscard]] std::vector<std::string> candidates(std::string_view name);

private:
    struct Pending;
    struct AddressOutcome;

    Deferred<Answer> resolveName(const std::string& fqdn, RecordType type, std::chrono::nanoseconds deadline,
                                 std::size_t chainBudget);
    void settle(Pending& pending, Result<Reply> reply);
    void dropWaiter(Pending& pending, const Deferred<Answer>& waiter);
    Deferred<std::vector<IPAddress>> lookupAddressCandidates(std::vector<std::string> names, std::string asked,
                                                             std::optional<IPAddress::Family> family);
    Deferred<std::vector<ResourceRecord>> lookupCandidates(std::vector<std::string> names, std::string asked,
                                                           RecordType type);
    std::shared_ptr<const ServerPolicy> policy();  // rebuilt when resolv.conf changes
    const ResolvConf& conf();
    std::optional<std::vector<IPAddress>> fromHosts(std::string_view name);
    std::chrono::nanoseconds now() const { return options_.clock ? options_.clock() : reactor_.now(); }

    Reactor& reactor_;
    Options options_;
    ConfigFile<ResolvConf> resolvConf_;
    std::optional<ConfigFile<HostsFile>> hosts_;
    Cache cache_;
    QueryIds ids_;
    UdpSockets sockets_{reactor_};
    std::size_t rotation_ = 0;
    std::shared_ptr<const ServerPolicy> policy_;
    bool rotate_ = false;
    std::unordered_map<std::string_view, std::unique_ptr<Pending>> inFlight_;  // views of Pending::key
    bool destroying_ = false;  // the destructor is failing what is in flight
};

}  // namespace weft::dns
