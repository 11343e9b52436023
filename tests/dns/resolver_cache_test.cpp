// SPDX-License-Identifier: MIT
// Resolver: the cache (positive and negative, TTL 0, expiry), coalescing, the search list,
// the hosts file and resolv.conf, and both files re-read when they change.
#include "dns/resolver.h"

#include <doctest/doctest.h>

#include <fstream>
#include <stdlib.h>
#include <unistd.h>

#include "tests/dns/fake_nameserver.h"
#include "tests/dns/resolver_helpers.h"

using namespace std::chrono_literals;
using namespace weft::dns;
using weft::testing::FakeNameserver;
using weft::testing::settle;
using weft::testing::testOptions;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char pattern[] = "/tmp/weft-dns-XXXXXX";
        REQUIRE(mkdtemp(pattern) != nullptr);
        path = pattern;
    }
    ~TempDir() { (void)!system(("rm -rf " + path).c_str()); }
    std::string write(const std::string& name, const std::string& text) const {
        std::string file = path + "/" + name;
        std::ofstream(file) << text;
        return file;
    }
};

}  // namespace

TEST_CASE("dns/resolver: answers are cached for their TTL, TTL 0 not at all, NXDOMAIN for the SOA minimum") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "192.0.2.1", 60);
    ns.addA("zero.test", "192.0.2.2", 0);
    ns.soaMinimum = 30;
    std::chrono::nanoseconds now{0};
    auto options = testOptions(ns);
    options.clock = [&] { return now; };
    Resolver resolver(reactor, options);
    auto ask = [&](const char* name) { return settle(reactor, resolver.lookupAddress(name, IPAddress::Family::IPv4)); };

    REQUIRE(ask("www.test").succeeded());
    REQUIRE(ask("www.test").succeeded());
    CHECK(ns.queries.size() == 1);
    now += 61s;
    REQUIRE(ask("www.test").succeeded());
    CHECK(ns.queries.size() == 2);

    REQUIRE(ask("zero.test").succeeded());
    REQUIRE(ask("zero.test").succeeded());
    CHECK(ns.queries.size() == 4);

    CHECK(ask("nx.test").failure().check<NameNotFound>());
    CHECK(ask("nx.test").failure().check<NameNotFound>());
    CHECK(ns.queries.size() == 5);
    now += 31s;
    CHECK(ask("nx.test").failure().check<NameNotFound>());
    CHECK(ns.queries.size() == 6);
}

TEST_CASE("dns/resolver: identical lookups in flight share one query") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "192.0.2.1", 0);
    ns.mischief.delay = 20ms;
    Resolver resolver(reactor, testOptions(ns));
    auto a = resolver.lookupAddress("www.test", IPAddress::Family::IPv4);
    auto b = resolver.lookupAddress("WWW.test", IPAddress::Family::IPv4);
    auto c = resolver.lookup("www.test", RecordType::A);
    CHECK(resolver.inFlight() == 1);
    REQUIRE(settle(reactor, a).succeeded());
    REQUIRE(settle(reactor, b).succeeded());
    REQUIRE(settle(reactor, c).succeeded());
    CHECK(ns.queries.size() == 1);

    // One waiter cancelled: the others still get the answer.
    auto d = resolver.lookupAddress("www.test", IPAddress::Family::IPv4);
    auto e = resolver.lookupAddress("www.test", IPAddress::Family::IPv4);
    d.cancel();
    CHECK(settle(reactor, d).failure().check<weft::CancelledError>());
    CHECK(settle(reactor, e).succeeded());

    // Every waiter cancelled: the question goes too.
    auto f = resolver.lookup("gone.test", RecordType::A);
    auto g = resolver.lookup("gone.test", RecordType::A);
    REQUIRE(resolver.inFlight() == 1);
    f.cancel();
    CHECK(resolver.inFlight() == 1);
    g.cancel();
    CHECK(resolver.inFlight() == 0);
    CHECK(settle(reactor, f).failure().check<weft::CancelledError>());
    CHECK(settle(reactor, g).failure().check<weft::CancelledError>());

    // A waiter cancelled by another's callback while the answer is handed out fails alone.
    auto h = resolver.lookup("www.test", RecordType::A);
    auto i = resolver.lookup("www.test", RecordType::A);
    bool cancelledOther = false;
    (void)h.addCallback([&](std::vector<ResourceRecord> records) {
        i.cancel();
        cancelledOther = true;
        return records;
    });
    CHECK(settle(reactor, h).succeeded());
    CHECK(cancelledOther);
    CHECK(settle(reactor, i).failure().check<weft::CancelledError>());
}

TEST_CASE("dns/resolver: a lookup cancelled while an unfinished chain is asked on fails at once") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.followCnames = false;  // the first answer stops at the CNAME: the resolver asks again
    ns.addCname("alias.test", "www.test");
    ns.addA("www.test", "192.0.2.1", 0);
    ns.soaMinimum.reset();
    ns.mischief.delay = 20ms;
    Resolver resolver(reactor, testOptions(ns));
    auto d = resolver.lookup("alias.test", RecordType::A);
    auto until = std::chrono::steady_clock::now() + 5s;
    while (ns.queries.size() < 2 && std::chrono::steady_clock::now() < until) reactor.iterate(5ms);
    REQUIRE(ns.queries.size() == 2);
    d.cancel();
    CHECK(settle(reactor, d).failure().check<weft::CancelledError>());
    // The question for the chain's end still finishes, with nobody left to tell.
    until = std::chrono::steady_clock::now() + 1s;
    while (resolver.inFlight() > 0 && std::chrono::steady_clock::now() < until) reactor.iterate(5ms);
    CHECK(resolver.inFlight() == 0);

    auto again = settle(reactor, resolver.lookup("alias.test", RecordType::A));
    REQUIRE(again.succeeded());
    CHECK(again.value().size() == 1);
}

TEST_CASE("dns/resolver: search and ndots follow glibc's order") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("host.b.test", "192.0.2.10");
    ns.addA("a.b.c", "192.0.2.11");
    TempDir dir;
    auto options = testOptions(ns);
    options.resolvConfPath = dir.write("resolv.conf", "search a.test b.test\noptions ndots:2\n");
    Resolver resolver(reactor, options);
    CHECK(resolver.candidates("host") == std::vector<std::string>{"host.a.test", "host.b.test", "host"});
    CHECK(resolver.candidates("x.y") == std::vector<std::string>{"x.y.a.test", "x.y.b.test", "x.y"});
    CHECK(resolver.candidates("a.b.c") == std::vector<std::string>{"a.b.c", "a.b.c.a.test", "a.b.c.b.test"});
    CHECK(resolver.candidates("a.b.c.") == std::vector<std::string>{"a.b.c"});

    auto host = settle(reactor, resolver.lookupAddress("host", IPAddress::Family::IPv4));
    REQUIRE(host.succeeded());
    CHECK(host.value().at(0).toString() == "192.0.2.10");
    REQUIRE(ns.queries.size() == 2);
    CHECK(ns.queries[0].message.questions[0].name == "host.a.test");
    CHECK(ns.queries[1].message.questions[0].name == "host.b.test");

    auto dotted = settle(reactor, resolver.lookupAddress("a.b.c", IPAddress::Family::IPv4));
    REQUIRE(dotted.succeeded());
    CHECK(ns.queries.size() == 3);  // found as it is: no search domain tried

    auto nx = settle(reactor, resolver.lookupAddress("missing", IPAddress::Family::IPv4));
    REQUIRE(nx.failed());
    CHECK(nx.failure().check<NameNotFound>());
    CHECK(ns.queries.size() == 6);
}

TEST_CASE("dns/resolver: the hosts file comes first and is re-read when it changes") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("box.test", "192.0.2.20");
    TempDir dir;
    auto options = testOptions(ns);
    options.hostsPath = dir.write("hosts", "10.0.0.1 box.test box\n");
    options.configCheckInterval = 0s;
    Resolver resolver(reactor, options);
    auto first = settle(reactor, resolver.lookupAddress("BOX.test"));
    REQUIRE(first.succeeded());
    CHECK(first.value().at(0).toString() == "10.0.0.1");
    CHECK(ns.queries.empty());

    dir.write("hosts", "10.0.0.2 box.test\n# changed, and longer than before\n");
    auto second = settle(reactor, resolver.lookupAddress("box.test"));
    REQUIRE(second.succeeded());
    CHECK(second.value().at(0).toString() == "10.0.0.2");

    dir.write("hosts", "# box is gone from the hosts file; DNS answers now\n");
    auto third = settle(reactor, resolver.lookupAddress("box.test", IPAddress::Family::IPv4));
    REQUIRE(third.succeeded());
    CHECK(third.value().at(0).toString() == "192.0.2.20");
}

TEST_CASE("dns/resolver: resolv.conf is re-read when it changes, so a new nameserver needs no restart") {
    weft::Reactor reactor;
    FakeNameserver first(reactor), second(reactor);
    first.addA("www.test", "192.0.2.31", 0);
    second.addA("www.test", "192.0.2.32", 0);
    TempDir dir;
    auto conf = [](const FakeNameserver& ns) {
        return "nameserver " + ns.address().host() + "\noptions timeout:1 attempts:1\n";
    };
    auto options = testOptions(first);
    options.resolvConfPath = dir.write("resolv.conf", conf(first) + "search one.test\n");
    options.nameservers.reset();
    options.configCheckInterval = 0s;
    Resolver resolver(reactor, options);
    CHECK(resolver.candidates("x") == std::vector<std::string>{"x.one.test", "x"});
    dir.write("resolv.conf", conf(second) + "search two.test three.test\n");
    CHECK(resolver.candidates("x") == std::vector<std::string>{"x.two.test", "x.three.test", "x"});
}

TEST_CASE("dns/resolver: rotate spreads first tries over the servers") {
    weft::Reactor reactor;
    FakeNameserver a(reactor), b(reactor);
    a.addA("www.test", "192.0.2.41", 0);
    b.addA("www.test", "192.0.2.41", 0);
    TempDir dir;
    auto options = testOptions(a);
    options.nameservers = std::vector<weft::Address>{a.address(), b.address()};
    options.resolvConfPath = dir.write("resolv.conf", "options rotate\n");
    Resolver resolver(reactor, options);
    for (int i = 0; i < 4; ++i) REQUIRE(settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4)).succeeded());
    CHECK(a.queries.size() == 2);
    CHECK(b.queries.size() == 2);
}

TEST_CASE("dns/resolver: destroying the resolver cancels its lookups") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.mischief.ignoreAll = true;
    std::optional<Resolver> resolver(std::in_place, reactor, testOptions(ns));
    auto d = resolver->lookupAddress("www.test");
    resolver.reset();
    auto r = settle(reactor, d);
    REQUIRE(r.failed());
    CHECK(r.failure().check<weft::CancelledError>());
}
