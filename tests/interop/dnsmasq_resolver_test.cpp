// SPDX-License-Identifier: MIT
// weft's resolver and weft-resolve against dnsmasq (tests/interop/dnsmasq.h) on loopback: every
// kind of name of the generated zone, UDP and the TCP fallback, cross-checked with dig.
#include "dns/resolver.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "tests/interop/dnsmasq.h"
#include "tests/interop/run_program.h"

using namespace std::chrono_literals;
using weft::testing::Dnsmasq;
using weft::testing::runProgram;
namespace dns = weft::dns;

namespace {

dns::Resolver::Options optionsFor(const Dnsmasq& dnsmasq) {
    dns::Resolver::Options options;
    options.resolvConfPath = "/nonexistent";
    options.hostsPath = "";
    options.nameservers = std::vector<weft::Address>{*weft::Address::parse(dnsmasq.address(), dnsmasq.port())};
    options.attemptTimeout = 2s;
    return options;
}

template <class T>
weft::Result<T> settle(weft::Reactor& reactor, weft::Deferred<T> d) {
    std::optional<weft::Result<T>> out;
    (void)d.addBoth([&](weft::Result<T> r) { out.emplace(std::move(r)); });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!out && std::chrono::steady_clock::now() < deadline) reactor.iterate(5ms);
    REQUIRE_MESSAGE(out.has_value(), "the lookup did not end within 10 s");
    return std::move(*out);
}

std::vector<std::string> sorted(const std::vector<dns::IPAddress>& ips, dns::IPAddress::Family family) {
    std::vector<std::string> out;
    for (const auto& ip : ips)
        if (ip.family() == family) out.push_back(ip.toString());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (end > at) out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// dig's addresses of a name (the CNAMEs it also prints are dropped).
std::vector<std::string> digAddresses(const Dnsmasq& dnsmasq, const std::string& name, const char* type) {
    auto r = runProgram({"/usr/bin/dig", "@" + dnsmasq.address(), "-p", std::to_string(dnsmasq.port()), "+short",
                         "+tcp", name, type}, 10s);
    REQUIRE_MESSAGE(r.exitCode == 0, "dig failed: " << r.err);
    std::vector<std::string> out;
    for (auto& line : lines(r.out))
        if (dns::IPAddress::parse(line)) out.push_back(line);
    std::sort(out.begin(), out.end());
    return out;
}

std::string weftResolve() { return std::string(WEFT_BUILD_DIR) + "/demos/weft-resolve"; }

}  // namespace

TEST_CASE("interop/dnsmasq: the resolver agrees with the zone and with dig, name by name") {
    Dnsmasq dnsmasq;
    weft::Reactor reactor;
    dns::Resolver resolver(reactor, optionsFor(dnsmasq));
    for (const auto& entry : dnsmasq.entries()) {
        CAPTURE(entry.name);
        auto r = settle(reactor, resolver.lookupAddress(entry.name));
        if (!entry.exists) {
            REQUIRE(r.failed());
            CHECK(r.failure().check<dns::NameNotFound>());
            continue;
        }
        if (entry.ipv4.empty() && entry.ipv6.empty()) {
            REQUIRE(r.failed());
            // A CNAME to nowhere: dnsmasq answers NOERROR with the CNAME alone, the resolver
            // asks for the target and learns it does not exist (RFC 6604: the rcode is the
            // chain's last name's).
            if (entry.cnames.empty()) CHECK(r.failure().check<dns::NoAddresses>());
            else CHECK(r.failure().check<dns::NameNotFound>());
            continue;
        }
        REQUIRE_MESSAGE(r.succeeded(), (r.failed() ? r.failure().message() : ""));
        CHECK(sorted(r.value(), dns::IPAddress::Family::IPv4) == entry.ipv4);
        CHECK(sorted(r.value(), dns::IPAddress::Family::IPv6) == entry.ipv6);
        CHECK(sorted(r.value(), dns::IPAddress::Family::IPv4) == digAddresses(dnsmasq, entry.name, "A"));
        CHECK(sorted(r.value(), dns::IPAddress::Family::IPv6) == digAddresses(dnsmasq, entry.name, "AAAA"));
    }
}

TEST_CASE("interop/dnsmasq: answers too big for UDP come over TCP, with and without EDNS") {
    Dnsmasq dnsmasq;
    weft::Reactor reactor;
    dns::Resolver resolver(reactor, optionsFor(dnsmasq));
    auto big = settle(reactor, resolver.lookupAddress(dnsmasq.bigName(), dns::IPAddress::Family::IPv4));
    REQUIRE(big.succeeded());
    CHECK(sorted(big.value(), dns::IPAddress::Family::IPv4) == dnsmasq.entry(dnsmasq.bigName()).ipv4);
    CHECK(big.value().size() == 100);

    auto plain = optionsFor(dnsmasq);
    plain.ednsPayload.reset();
    dns::Resolver noEdns(reactor, plain);
    auto medium = settle(reactor, noEdns.lookupAddress(dnsmasq.mediumName(), dns::IPAddress::Family::IPv4));
    REQUIRE(medium.succeeded());
    CHECK(medium.value().size() == 60);
}

TEST_CASE("interop/dnsmasq: MX, TXT and SRV records, NXDOMAIN and REFUSED") {
    Dnsmasq dnsmasq;
    weft::Reactor reactor;
    dns::Resolver resolver(reactor, optionsFor(dnsmasq));
    auto mx = settle(reactor, resolver.lookup(dnsmasq.mxName(), dns::RecordType::MX));
    REQUIRE(mx.succeeded());
    REQUIRE(mx.value().size() == dnsmasq.mxRecords().size());
    std::set<std::string> exchanges, expected;
    for (auto& rr : mx.value()) exchanges.insert(std::get<dns::MxData>(rr.data).exchange);
    for (auto& m : dnsmasq.mxRecords()) expected.insert(m.exchange);
    CHECK(exchanges == expected);
    auto txt = settle(reactor, resolver.lookup(dnsmasq.txtName(), dns::RecordType::TXT));
    REQUIRE(txt.succeeded());
    CHECK(std::get<dns::TxtData>(txt.value().at(0).data).strings == dnsmasq.txtStrings());
    auto srv = settle(reactor, resolver.lookup(dnsmasq.srvName(), dns::RecordType::SRV));
    REQUIRE(srv.succeeded());
    CHECK(srv.value().size() == dnsmasq.srvRecords().size());
    auto outside = settle(reactor, resolver.lookupAddress("example.org"));
    REQUIRE(outside.failed());
    CHECK(outside.failure().check<dns::Refused>());
}

TEST_CASE("interop/dnsmasq: weft-resolve prints addresses, records and one-line typed errors") {
    Dnsmasq dnsmasq;
    const std::string server = dnsmasq.nameserver();
    auto dual = dnsmasq.entry(dnsmasq.dualStackName());
    auto r = runProgram({weftResolve(), dnsmasq.dualStackName(), "--nameserver", server}, 10s);
    REQUIRE_MESSAGE(r.exitCode == 0, r.err);
    auto got = lines(r.out);
    std::sort(got.begin(), got.end());
    auto want = dual.ipv4;
    want.insert(want.end(), dual.ipv6.begin(), dual.ipv6.end());
    std::sort(want.begin(), want.end());
    CHECK(got == want);

    auto chain = runProgram({weftResolve(), dnsmasq.cnameChainHead(), "--nameserver", server, "--type", "A"}, 10s);
    REQUIRE(chain.exitCode == 0);
    CHECK(lines(chain.out) == dnsmasq.entry(dnsmasq.cnameChainHead()).ipv4);

    auto mx = runProgram({weftResolve(), dnsmasq.mxName(), "--nameserver", server, "--type", "MX"}, 10s);
    REQUIRE(mx.exitCode == 0);
    CHECK(lines(mx.out).size() == dnsmasq.mxRecords().size());

    auto nx = runProgram({weftResolve(), dnsmasq.nxName(), "--nameserver", server}, 10s);
    CHECK(nx.exitCode != 0);
    CHECK(nx.out.empty());
    CHECK(nx.err.starts_with("nxdomain: "));
    CHECK(lines(nx.err).size() == 1);

    auto nodata = runProgram({weftResolve(), dnsmasq.aOnlyName(), "--nameserver", server, "--type", "AAAA"}, 10s);
    CHECK(nodata.exitCode != 0);
    CHECK(nodata.err.starts_with("nxdomain: "));

    auto refused = runProgram({weftResolve(), "example.org", "--nameserver", server}, 10s);
    CHECK(refused.exitCode != 0);
    CHECK(refused.err.starts_with("refused: "));
}

TEST_CASE("interop/dnsmasq: weft-resolve gives up on a silent server within --timeout plus a second") {
    // A UDP socket that is bound and never answers: the worst kind of server.
    int silent = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(silent >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);
    std::string server = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    auto r = runProgram({weftResolve(), "www.example", "--nameserver", server, "--timeout", "1"}, 10s);
    close(silent);
    CHECK(r.exitCode != 0);
    CHECK(r.err.starts_with("timeout: "));
    CHECK(r.took < 2s);
}
