// SPDX-License-Identifier: MIT
// dns/resolver.cpp: hosts, the search list, the cache and coalescing around askNameservers.
// Tests: tests/dns/resolver_test.cpp
#include "dns/resolver.h"

#include <algorithm>
#include <cassert>

#include "defer/coroutine.h"
#include "defer/shortcuts.h"

namespace weft::dns {

using std::chrono::nanoseconds;

// One question in flight, and everyone waiting for its answer (coalescing). It lives until
// every waiter has been called, so their cancellers can hold a plain pointer to it.
struct Resolver::Pending {
    Pending(std::string key, std::string fqdn, RecordType type, std::size_t chainBudget, nanoseconds deadline)
        : key(std::move(key)), fqdn(std::move(fqdn)), type(type), chainBudget(chainBudget), deadline(deadline) {}
    std::string key;   // its key in inFlight_ (which holds a view of it)
    std::string fqdn;  // the name asked, as the first caller spelled it
    RecordType type;
    std::size_t chainBudget;
    nanoseconds deadline;
    Deferred<Reply> query;
    std::vector<Deferred<Answer>> waiters;
    bool settling = false;  // settle() is calling the waiters: a cancel only fails its own
};

namespace {

std::string_view withoutTrailingDots(std::string_view name) {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return name;
}

// `name` is `domain` or a name under it, ignoring ASCII case and a trailing dot (no copy:
// every lookup asks this twice).
bool isUnder(std::string_view name, std::string_view domain) {
    name = withoutTrailingDots(name);
    if (name.size() < domain.size()) return false;
    const auto rest = name.size() - domain.size();
    return (rest == 0 || name[rest - 1] == '.') && namesEqual(name.substr(rest), domain);
}

bool isLocalhost(std::string_view name) { return isUnder(name, "localhost"); }

// RFC 6761 §6.4: names under .invalid never exist, and no server needs to be asked.
bool isInvalid(std::string_view name) { return isUnder(name, "invalid"); }

std::vector<IPAddress> addressesOf(const std::vector<ResourceRecord>& records) {
    std::vector<IPAddress> out;
    for (const auto& rr : records)
        if (auto* ip = std::get_if<IPAddress>(&rr.data)) out.push_back(*ip);
    return out;
}

// "nameserver 0.0.0.0" (or ::) means this host, as glibc reads it. The tries send to loopback
// instead: that is where the answer comes from, and a try takes answers only from where it sent.
Address thisHostAsLoopback(const Address& server) {
    if (server.family() == Address::Family::IPv4 && server.host() == "0.0.0.0") return *Address::parse("127.0.0.1", server.port());
    if (server.family() == Address::Family::IPv6 && server.host() == "::") return *Address::parse("::1", server.port());
    return server;
}

// A settled Deferred<Answer> seen as a value: the outcome of one half of an A+AAAA pair.
struct Outcome {
    std::optional<Answer> answer;
    std::optional<Failure> failure;
};

Deferred<Outcome> settled(Deferred<Answer> d) {
    return d.addCallbacks([](Answer a) { return Outcome{std::move(a), std::nullopt}; },
                          [](Failure& f) { return Outcome{std::nullopt, f}; });
}

}  // namespace

Resolver::Resolver(Reactor& reactor, Options options)
    : reactor_(reactor), options_(std::move(options)),
      resolvConf_(options_.resolvConfPath, options_.configCheckInterval), cache_(options_.cache) {
    if (options_.useHosts && !options_.hostsPath.empty()) hosts_.emplace(options_.hostsPath, options_.configCheckInterval);
}

Resolver::~Resolver() {
    destroying_ = true;
    // Cancel what is in flight; settle() no longer runs, so fail the waiters here.
    auto pending = std::move(inFlight_);
    for (auto& [key, p] : pending) {
        p->settling = true;  // a waiter cancelled from another's errback leaves the list alone
        p->query.cancel();
        for (auto& w : p->waiters)
            if (!w.called()) w.errback(Failure(CancelledError()));
    }
}

const ResolvConf& Resolver::conf() {
    const auto now = reactor_.now();
    if (resolvConf_.reloadIfChanged(now)) policy_.reset();
    return resolvConf_.get(now);
}

std::shared_ptr<const ServerPolicy> Resolver::policy() {
    const ResolvConf& rc = conf();
    if (!policy_) {
        auto p = std::make_shared<ServerPolicy>();
        p->servers = options_.nameservers ? *options_.nameservers : rc.nameservers;
        for (auto& server : p->servers) {
            server = thisHostAsLoopback(server);
            p->serverNames.push_back(server.toString());
        }
        p->attemptTimeout = options_.attemptTimeout ? *options_.attemptTimeout : nanoseconds(rc.timeout);
        p->attempts = options_.attempts ? *options_.attempts : rc.attempts;
        p->ednsPayload = options_.ednsPayload;
        rotate_ = rc.rotate;
        policy_ = std::move(p);
    }
    return policy_;
}

std::vector<std::string> Resolver::candidates(std::string_view name) {
    std::vector<std::string> out;
    if (!name.empty() && name.back() == '.') {  // fully qualified: only as it is
        out.emplace_back(name.substr(0, name.size() - 1));
        return out;
    }
    if (!options_.useSearch) {
        out.emplace_back(name);
        return out;
    }
    std::string asked(name);
    const ResolvConf& rc = conf();
    auto dots = static_cast<int>(std::count(asked.begin(), asked.end(), '.'));
    if (dots >= rc.ndots) out.push_back(asked);
    for (const auto& domain : rc.search) out.push_back(asked + "." + domain);
    if (dots < rc.ndots) out.push_back(asked);
    return out;
}

std::optional<std::vector<IPAddress>> Resolver::fromHosts(std::string_view name) {
    if (hosts_) {
        auto found = hosts_->get(reactor_.now()).lookup(name);
        if (!found.empty()) return found;
    }
    if (isLocalhost(name)) {
        return std::vector<IPAddress>{*IPAddress::parse("127.0.0.1"), *IPAddress::parse("::1")};
    }
    return std::nullopt;
}

Deferred<Answer> Resolver::resolveName(const std::string& fqdn, RecordType type, nanoseconds deadline,
                                       std::size_t chainBudget) {
    // A lookup started by a callback while the destructor fails the others: nothing is asked.
    if (destroying_) return fail<Answer>(Failure(CancelledError()));
    if (const Answer* hit = cache_.get(fqdn, type, now())) return succeed(Answer(*hit));
    std::string key = Cache::keyOf(fqdn, type);
    auto it = inFlight_.find(key);
    Pending* pending = it == inFlight_.end() ? nullptr : it->second.get();
    const bool asking = pending == nullptr;
    if (asking) {
        auto fresh = std::make_unique<Pending>(std::move(key), fqdn, type, chainBudget, deadline);
        pending = fresh.get();
        inFlight_.emplace(pending->key, std::move(fresh));
    }
    // The canceller holds only `this` and the Pending, which both outlive every uncalled waiter
    // (the destructor fails them all), so std::function keeps it without allocating.
    Deferred<Answer> waiter([this, pending](Deferred<Answer>& self) { dropWaiter(*pending, self); });
    pending->waiters.push_back(waiter);
    if (!asking) return waiter;
    auto remaining = std::max(deadline - reactor_.now(), nanoseconds(0));
    auto shared = policy();
    std::size_t first = rotate_ && !shared->servers.empty() ? rotation_++ % shared->servers.size() : 0;
    // The Pending stays in inFlight_ until settle() takes it out, which the query's callback
    // below is the only one to call (the destructor first stops it with destroying_).
    auto query = askNameservers(reactor_, ids_, sockets_, fqdn, type, std::move(shared), first, remaining);
    if (!query.called()) pending->query = query;
    // `this` holds: a query's outcome comes before the destructor's end, which cancels every
    // query still in flight (destroying_ is set then, and the destructor fails the waiters).
    query.addBoth([this, pending](Result<Reply> reply) {
        if (!destroying_) settle(*pending, std::move(reply));
    });
    return waiter;
}

// A waiter was cancelled: it leaves, and the question is cancelled when nobody is left.
void Resolver::dropWaiter(Pending& pending, const Deferred<Answer>& waiter) {
    if (pending.settling) return;
    std::erase_if(pending.waiters, [&](const Deferred<Answer>& w) { return w.sameAs(waiter); });
    if (pending.waiters.empty()) {
        auto query = pending.query;
        query.cancel();  // may settle (and free) `pending`: nothing of it is used after this
    }
}

void Resolver::settle(Pending& pending, Result<Reply> reply) {
    // `pending` is alive: only this function and the destructor (which first sets destroying_,
    // so that no query callback gets here) take a Pending out of inFlight_.
    auto it = inFlight_.find(pending.key);
    assert(it != inFlight_.end() && it->second.get() == &pending);
    std::unique_ptr<Pending> done = std::move(it->second);  // keeps it alive past the erase
    inFlight_.erase(it);
    done->settling = true;
    auto& waiters = done->waiters;
    const std::string& fqdn = done->fqdn;
    auto failAll = [&](const Failure& failure) {
        for (auto& w : waiters)
            if (!w.called()) w.errback(failure);
    };
    if (reply.failed()) return failAll(reply.failureUnchecked());

    Answer answer;
    try {
        answer = interpretAnswer(std::move(reply.valueUnchecked().message), fqdn, done->type);
    } catch (const CnameLoop&) {
        return failAll(Failure(CnameLoop(fqdn, reply.valueUnchecked().serverName)));
    }
    answer.server = std::move(reply.valueUnchecked().serverName);
    if (answer.kind == Answer::Kind::Unfinished) {
        if (answer.chainLength >= done->chainBudget) return failAll(Failure(CnameLoop(fqdn, answer.server)));
        // The server stopped half-way down the chain: the waiters get the target's answer. The
        // Pending goes along, alive for its waiters' cancellers, which now change nothing.
        const auto type = done->type;
        const auto deadline = done->deadline;
        const auto budget = done->chainBudget - answer.chainLength;
        resolveName(answer.canonicalName, type, deadline, budget)
            .addBoth([done = std::shared_ptr<Pending>(std::move(done))](Result<Answer> r) {
                for (auto& w : done->waiters) {
                    if (w.called()) continue;
                    if (r.failed()) w.errback(r.failureUnchecked());
                    else w.callback(Answer(r.valueUnchecked()));
                }
            });
        return;
    }
    cache_.put(fqdn, done->type, answer, now());
    // Each waiter gets a copy but the last, which gets the answer itself (usually the only one).
    for (std::size_t i = 0; i < waiters.size(); ++i) {
        if (waiters[i].called()) continue;
        if (i + 1 == waiters.size()) waiters[i].callback(std::move(answer));
        else waiters[i].callback(Answer(answer));
    }
}

Deferred<std::vector<IPAddress>> Resolver::lookupAddress(std::string name, std::optional<IPAddress::Family> family) {
    auto keep = [&](std::vector<IPAddress> ips) {
        if (family) std::erase_if(ips, [&](const IPAddress& ip) { return ip.family() != *family; });
        return ips;
    };
    if (auto literal = IPAddress::parse(name)) {
        auto ips = keep({*literal});
        if (ips.empty()) return fail<std::vector<IPAddress>>(Failure(NoAddresses(name, "", "an IP literal of the other family")));
        return succeed(std::move(ips));
    }
    if (isInvalid(name)) return fail<std::vector<IPAddress>>(Failure(NameNotFound(name, "")));
    if (auto hosts = fromHosts(name)) {
        auto ips = keep(std::move(*hosts));
        std::stable_partition(ips.begin(), ips.end(), [](const IPAddress& ip) { return ip.isV4(); });
        if (!ips.empty()) return succeed(std::move(ips));
    }
    std::vector<std::string> names;
    try {
        names = candidates(name);
    } catch (...) {
        return fail<std::vector<IPAddress>>(Failure::current());
    }
    return lookupAddressCandidates(std::move(names), std::move(name), family);
}

Deferred<std::vector<IPAddress>> Resolver::lookupAddressCandidates(std::vector<std::string> names, std::string asked,
                                                                   std::optional<IPAddress::Family> family) {
    const auto deadline = reactor_.now() + options_.deadline;
    const bool wantV4 = !family || *family == IPAddress::Family::IPv4;
    const bool wantV6 = !family || *family == IPAddress::Family::IPv6;
    bool sawNoData = false;
    std::string lastServer;
    for (const auto& fqdn : names) {
        // Both questions go out before either answer is awaited.
        std::optional<Deferred<Outcome>> v4, v6;
        if (wantV4) v4 = settled(resolveName(fqdn, RecordType::A, deadline, kMaxCnameChain));
        if (wantV6) v6 = settled(resolveName(fqdn, RecordType::AAAA, deadline, kMaxCnameChain));
        // (Plain ifs: g++ 12 mishandles a co_await inside a conditional expression.)
        Outcome a, aaaa;
        if (v4) a = co_await *v4;
        if (v6) aaaa = co_await *v6;
        std::vector<IPAddress> ips;
        for (auto* o : {&a, &aaaa})
            if (o->answer && o->answer->kind == Answer::Kind::Records)
                for (auto& ip : addressesOf(o->answer->records)) ips.push_back(ip);
        if (!ips.empty()) co_return ips;
        // No address: a hard failure of either question ends the lookup; NXDOMAIN and NODATA
        // move on to the next candidate.
        for (auto* o : {&a, &aaaa}) {
            if (o->failure) {
                if (o->failure->check<CancelledError>()) throw CancelledError();
                std::rethrow_exception(o->failure->exception());
            }
            if (o->answer) {
                lastServer = o->answer->server;
                if (o->answer->kind == Answer::Kind::NoData) sawNoData = true;
            }
        }
    }
    if (sawNoData) co_return Failure(NoAddresses(asked, lastServer));
    co_return Failure(NameNotFound(asked, lastServer));
}

Deferred<std::vector<ResourceRecord>> Resolver::lookup(std::string name, RecordType type) {
    if (type == RecordType::A || type == RecordType::AAAA) {
        auto family = type == RecordType::A ? IPAddress::Family::IPv4 : IPAddress::Family::IPv6;
        std::optional<std::vector<IPAddress>> known;
        if (auto literal = IPAddress::parse(name)) known = std::vector<IPAddress>{*literal};
        else known = fromHosts(name);
        if (known) {
            std::vector<ResourceRecord> records;
            for (auto& ip : *known)
                if (ip.family() == family) records.push_back(ResourceRecord{name, type, kClassIN, 0, ip});
            if (!records.empty()) return succeed(std::move(records));
        }
    }
    if (isInvalid(name)) return fail<std::vector<ResourceRecord>>(Failure(NameNotFound(name, "")));
    std::vector<std::string> names;
    try {
        names = candidates(name);
    } catch (...) {
        return fail<std::vector<ResourceRecord>>(Failure::current());
    }
    return lookupCandidates(std::move(names), std::move(name), type);
}

Deferred<std::vector<ResourceRecord>> Resolver::lookupCandidates(std::vector<std::string> names, std::string asked,
                                                                 RecordType type) {
    const auto deadline = reactor_.now() + options_.deadline;
    bool sawNoData = false;
    std::string lastServer;
    for (const auto& fqdn : names) {
        Answer answer = co_await resolveName(fqdn, type, deadline, kMaxCnameChain);
        if (answer.kind == Answer::Kind::Records) co_return std::move(answer.records);
        lastServer = answer.server;
        if (answer.kind == Answer::Kind::NoData) sawNoData = true;
    }
    // Returned, not thrown: a name that does not exist is common, and a throw costs microseconds.
    if (sawNoData) co_return Failure(NoAddresses(asked, lastServer, "no " + typeName(type) + " record"));
    co_return Failure(NameNotFound(asked, lastServer));
}

}  // namespace weft::dns
