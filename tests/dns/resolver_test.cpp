// SPDX-License-Identifier: MIT
// Resolver against an in-process nameserver on loopback: answers, CNAMEs, failures, tries,
// and every kind of reply that must be ignored.
#include "dns/resolver.h"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "tests/dns/fake_nameserver.h"
#include "tests/dns/resolver_helpers.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using namespace weft::dns;
using weft::testing::FakeNameserver;
using weft::testing::settle;
using weft::testing::testOptions;

TEST_CASE("dns/resolver: lookupAddress asks A and AAAA at once, over UDP with EDNS, and gives IPv4 first") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "2001:db8::1");
    ns.addA("www.test", "192.0.2.1");
    ns.addA("www.test", "192.0.2.2");
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookupAddress("www.test"));
    REQUIRE(r.succeeded());
    std::vector<std::string> got;
    for (auto& ip : r.value()) got.push_back(ip.toString());
    CHECK(got == std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1"});
    REQUIRE(ns.queries.size() == 2);
    std::set<RecordType> types;
    for (auto& q : ns.queries) {
        types.insert(q.message.questions.at(0).type);
        CHECK_FALSE(q.tcp);
        CHECK(q.message.ednsPayloadSize() == std::optional<std::uint16_t>(1232));
        CHECK(q.message.header.recursionDesired);
        CHECK(q.from.port() >= 1024);
    }
    CHECK(types == std::set<RecordType>{RecordType::A, RecordType::AAAA});
    // Queries in flight together have sockets of their own, hence ports and ids of their own.
    CHECK(ns.queries[0].from.port() != ns.queries[1].from.port());
    CHECK(ns.queries[0].message.header.id != ns.queries[1].message.header.id);
}

TEST_CASE("dns/resolver: the family can be limited, and lookup() gives records of any type") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "2001:db8::1");
    ns.addA("www.test", "192.0.2.1");
    ns.add("test", RecordType::MX, MxData{10, "mail.test"});
    ns.add("test", RecordType::TXT, TxtData{{"v=spf1 -all", "second"}});
    Resolver resolver(reactor, testOptions(ns));
    auto v6 = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv6));
    REQUIRE(v6.succeeded());
    REQUIRE(v6.value().size() == 1);
    CHECK(v6.value()[0].toString() == "2001:db8::1");
    CHECK(ns.queries.size() == 1);
    auto mx = settle(reactor, resolver.lookup("test", RecordType::MX));
    REQUIRE(mx.succeeded());
    REQUIRE(mx.value().size() == 1);
    CHECK(std::get<MxData>(mx.value()[0].data).exchange == "mail.test");
    auto txt = settle(reactor, resolver.lookup("test", RecordType::TXT));
    REQUIRE(txt.succeeded());
    CHECK(std::get<TxtData>(txt.value()[0].data).strings.size() == 2);
}

TEST_CASE("dns/resolver: CNAME chains are followed, and records off the chain are ignored") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addCname("a.test", "b.test");
    ns.addCname("b.test", "c.test");
    ns.addA("c.test", "192.0.2.3");
    // A forged record for the name asked, and one for a bystander: neither is on the chain.
    ns.mischief.extraAnswers.push_back(ResourceRecord{"a.test", RecordType::A, kClassIN, 300, *IPAddress::parse("203.0.113.66")});
    ns.mischief.extraAnswers.push_back(ResourceRecord{"bank.test", RecordType::A, kClassIN, 300, *IPAddress::parse("203.0.113.67")});
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookupAddress("a.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].toString() == "192.0.2.3");
    CHECK(resolver.cache().get("bank.test", RecordType::A, reactor.now()) == nullptr);
}

TEST_CASE("dns/resolver: a chain the server leaves unfinished is asked on; a loop is a CnameLoop") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.followCnames = false;
    ns.soaMinimum.reset();
    ns.addCname("a.test", "b.test");
    ns.addA("b.test", "192.0.2.4");
    ns.addCname("loop1.test", "loop2.test");
    ns.addCname("loop2.test", "loop1.test");
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookup("a.test", RecordType::A));
    REQUIRE(r.succeeded());
    CHECK(std::get<IPAddress>(r.value().at(0).data).toString() == "192.0.2.4");
    CHECK(ns.queries.size() == 2);
    CHECK(ns.queries[1].message.questions[0].name == "b.test");

    ns.followCnames = true;
    auto loop = settle(reactor, resolver.lookup("loop1.test", RecordType::A));
    REQUIRE(loop.failed());
    CHECK(loop.failure().check<CnameLoop>());
}

TEST_CASE("dns/resolver: NXDOMAIN is NameNotFound and NODATA is NoAddresses, naming the name and the server") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.add("mail.test", RecordType::MX, MxData{1, "x.test"});
    Resolver resolver(reactor, testOptions(ns));
    auto nx = settle(reactor, resolver.lookupAddress("nowhere.test"));
    REQUIRE(nx.failed());
    REQUIRE(nx.failure().check<NameNotFound>());
    try {
        std::rethrow_exception(nx.failure().exception());
    } catch (const NameNotFound& e) {
        CHECK(e.name() == "nowhere.test");
        CHECK(e.server() == ns.server());
        CHECK(std::string(e.what()).find("nowhere.test") != std::string::npos);
    }
    auto nodata = settle(reactor, resolver.lookupAddress("mail.test"));
    REQUIRE(nodata.failed());
    CHECK(nodata.failure().check<NoAddresses>());
}

TEST_CASE("dns/resolver: SERVFAIL and REFUSED move on to the next server, and are reported when none is left") {
    weft::Reactor reactor;
    FakeNameserver bad(reactor);
    FakeNameserver good(reactor);
    good.addA("www.test", "192.0.2.5");
    bad.mischief.rcode = Rcode::ServFail;
    auto options = testOptions(bad);
    options.nameservers->push_back(good.address());
    options.attempts = 1;
    {
        Resolver resolver(reactor, options);
        auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
        REQUIRE(r.succeeded());
        CHECK(r.value().at(0).toString() == "192.0.2.5");
        CHECK(bad.queries.size() == 1);
    }
    options.nameservers = std::vector<weft::Address>{bad.address()};
    options.attempts = 2;
    Resolver resolver(reactor, options);
    auto servfail = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(servfail.failed());
    CHECK(servfail.failure().check<ServerFailure>());
    CHECK(bad.queries.size() == 3);  // one before, two tries now
    bad.mischief.rcode = Rcode::Refused;
    auto refused = settle(reactor, resolver.lookupAddress("other.test", IPAddress::Family::IPv4));
    REQUIRE(refused.failed());
    CHECK(refused.failure().check<Refused>());
}

TEST_CASE("dns/resolver: a silent server is a Timeout after every try, each on a new port and id") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.mischief.ignoreAll = true;
    auto options = testOptions(ns);
    options.attemptTimeout = 50ms;
    options.attempts = 3;
    Resolver resolver(reactor, options);
    auto start = std::chrono::steady_clock::now();
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r.failed());
    CHECK(r.failure().check<Timeout>());
    REQUIRE(ns.queries.size() == 3);
    std::set<std::uint16_t> ports, ids;
    for (auto& q : ns.queries) {
        ports.insert(q.from.port());
        ids.insert(q.message.header.id);
    }
    CHECK(ports.size() == 3);
    CHECK(ids.size() == 3);
    // Tries wait 50, 100 and 200 ms (each round twice the one before).
    CHECK(took >= 340ms);
    CHECK(took < 3s);
}

TEST_CASE("dns/resolver: a lost query is retried, and a silent first server gives way to the second") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "192.0.2.6");
    ns.mischief.ignore = 1;
    auto options = testOptions(ns);
    options.attemptTimeout = 50ms;
    Resolver resolver(reactor, options);
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    CHECK(ns.queries.size() == 2);

    FakeNameserver silent(reactor);
    silent.mischief.ignoreAll = true;
    options.nameservers = std::vector<weft::Address>{silent.address(), ns.address()};
    options.attempts = 1;
    Resolver failover(reactor, options);
    auto f = settle(reactor, failover.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(f.succeeded());
    CHECK(silent.queries.size() == 1);
}

TEST_CASE("dns/resolver: replies from the wrong port or address, with the wrong id or question, or twice, are ignored") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "192.0.2.7");
    ns.mischief.fromWrongPort = 1;
    ns.mischief.fromWrongAddress = 1;
    ns.mischief.wrongIdFirst = 1;
    ns.mischief.wrongQuestionFirst = 1;
    ns.mischief.twice = true;
    ns.mischief.extraAnswers.clear();
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].toString() == "192.0.2.7");
    CHECK(ns.queries.size() == 1);  // the right answer was taken from the first try
}

TEST_CASE("dns/resolver: a truncated answer is asked again over TCP") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    for (int i = 1; i <= 40; ++i) ns.addA("big.test", "192.0.2." + std::to_string(i));
    ns.mischief.truncateUdp = true;
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookupAddress("big.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    CHECK(r.value().size() == 40);
    CHECK(ns.count(false) == 1);
    CHECK(ns.count(true) == 1);
}

TEST_CASE("dns/resolver: FORMERR to a query with EDNS is asked again without it") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("old.test", "192.0.2.8");
    ns.mischief.formerrOnEdns = true;
    Resolver resolver(reactor, testOptions(ns));
    auto r = settle(reactor, resolver.lookupAddress("old.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    REQUIRE(ns.queries.size() == 2);
    CHECK(ns.queries[0].message.ednsPayloadSize().has_value());
    CHECK_FALSE(ns.queries[1].message.ednsPayloadSize().has_value());
}

TEST_CASE("dns/resolver: a malformed reply is MalformedMessage once no try is left") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    // A header that says "one answer" and nothing after it.
    ns.mischief.rawUdp = std::vector<std::byte>{std::byte{0}, std::byte{0}, std::byte{0x81}, std::byte{0x80},
                                                std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1},
                                                std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}};
    auto options = testOptions(ns);
    options.attempts = 1;
    Resolver resolver(reactor, options);
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(r.failed());
    REQUIRE(r.failure().check<MalformedMessage>());
    try {
        std::rethrow_exception(r.failure().exception());
    } catch (const MalformedMessage& e) {
        CHECK(e.server() == ns.server());
        CHECK(e.name() == "www.test");
    }
}

TEST_CASE("dns/resolver: nameserver 0.0.0.0 means this host, and its answers (from loopback) are taken") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.addA("www.test", "192.0.2.7");
    auto options = testOptions(ns);
    options.nameservers = std::vector<weft::Address>{*weft::Address::parse("0.0.0.0", ns.address().port())};
    Resolver resolver(reactor, options);
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(r.succeeded());
    CHECK(r.value()[0].toString() == "192.0.2.7");
}

TEST_CASE("dns/resolver: a port with no server is given up at once, not after the timeout") {
    weft::Reactor reactor;
    // The try's socket is not connected: the kernel's "port unreachable" reaches it through
    // IP_RECVERR / IPV6_RECVERR, one per family.
    const char* ip = "127.0.0.1";
    SUBCASE("IPv4") { ip = "127.0.0.1"; }
    SUBCASE("IPv6") { ip = "::1"; }
    weft::Address closed = weft::testing::closedUdpAddress(ip);
    auto options = Resolver::Options{};
    options.resolvConfPath = "/nonexistent";
    options.hostsPath = "";
    options.nameservers = std::vector<weft::Address>{closed};
    options.attemptTimeout = 2s;
    options.attempts = 2;
    Resolver resolver(reactor, options);
    auto start = std::chrono::steady_clock::now();
    auto r = settle(reactor, resolver.lookupAddress("www.test", IPAddress::Family::IPv4));
    REQUIRE(r.failed());
    CHECK(r.failure().check<Timeout>());
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("dns/resolver: the deadline ends a lookup, and cancelling one closes its socket") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    ns.mischief.ignoreAll = true;
    auto options = testOptions(ns);
    options.attemptTimeout = 10s;
    options.deadline = 100ms;
    Resolver resolver(reactor, options);
    auto start = std::chrono::steady_clock::now();
    auto r = settle(reactor, resolver.lookupAddress("www.test"));
    REQUIRE(r.failed());
    CHECK(r.failure().check<Timeout>());
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(resolver.inFlight() == 0);

    auto d = resolver.lookupAddress("other.test");
    CHECK(resolver.inFlight() == 2);
    d.cancel();
    auto cancelled = settle(reactor, d);
    REQUIRE(cancelled.failed());
    CHECK(cancelled.failure().check<weft::CancelledError>());
    // The AAAA question still has its waiter until it ends; the A one is gone with its socket.
    CHECK(resolver.inFlight() <= 1);
}

TEST_CASE("dns/resolver: IP literals, localhost and bad names need no server") {
    weft::Reactor reactor;
    FakeNameserver ns(reactor);
    Resolver resolver(reactor, testOptions(ns));
    auto literal = settle(reactor, resolver.lookupAddress("2001:db8::9"));
    REQUIRE(literal.succeeded());
    CHECK(literal.value().at(0).toString() == "2001:db8::9");
    auto local = settle(reactor, resolver.lookupAddress("localhost"));
    REQUIRE(local.succeeded());
    CHECK(local.value().size() == 2);
    CHECK(local.value()[0].toString() == "127.0.0.1");
    auto invalid = settle(reactor, resolver.lookupAddress("no-such-host.INVALID"));
    REQUIRE(invalid.failed());
    CHECK(invalid.failure().check<NameNotFound>());
    auto bad = settle(reactor, resolver.lookupAddress(std::string(64, 'a') + ".test"));
    REQUIRE(bad.failed());
    CHECK(bad.failure().check<InvalidName>());
    auto sub = settle(reactor, resolver.lookupAddress("app.LocalHost."));  // RFC 6761 §6.3: names under it too
    REQUIRE(sub.succeeded());
    CHECK(sub.value()[0].toString() == "127.0.0.1");
    CHECK(ns.queries.empty());
    // Only whole labels count: these are ordinary names, asked of the server.
    (void)settle(reactor, resolver.lookupAddress("notlocalhost", IPAddress::Family::IPv4));
    (void)settle(reactor, resolver.lookupAddress("notinvalid", IPAddress::Family::IPv4));
    CHECK(ns.queries.size() == 2);
}
