// SPDX-License-Identifier: MIT
// connectTCP by name on a real reactor, on loopback: a name in a hosts file of the test's own
// with both ::1 and 127.0.0.1, raced by Happy Eyeballs; lookup failures and refused connects.
#include "dns/connect_tcp.h"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "defer/deferred.h"
#include "defer/result.h"
#include "dns/errors.h"
#include "dns/resolver.h"
#include "protocols/errors.h"
#include "protocols/protocol.h"
#include "reactor/address.h"
#include "reactor/errors.h"
#include "reactor/fd.h"
#include "reactor/reactor.h"
#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Deferred;
using weft::Result;
using weft::dns::Resolver;
using weft::testing::runUntil;
using weft::testing::TestFactory;

namespace {

// A hosts file in a directory of its own under /tmp, removed with it.
class TempHosts {
public:
    explicit TempHosts(const std::string& content) {
        char dirTemplate[] = "/tmp/weft-connect-tcp-XXXXXX";
        REQUIRE(::mkdtemp(dirTemplate) != nullptr);
        dir_ = dirTemplate;
        path_ = dir_ + "/hosts";
        std::ofstream(path_) << content;
    }
    ~TempHosts() {
        std::remove(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    TempHosts(const TempHosts&) = delete;
    TempHosts& operator=(const TempHosts&) = delete;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string dir_;
    std::string path_;
};

// What the clients saw; shared, since each protocol goes with its connection.
struct ClientLog {
    int built = 0;  // protocols made by makeProtocol: one per attempt
    int made = 0;   // connectionMade calls
};

class Client final : public weft::Protocol {
public:
    explicit Client(std::shared_ptr<ClientLog> log) : log_(std::move(log)) { ++log_->built; }
    void connectionMade() override { ++log_->made; }

private:
    std::shared_ptr<ClientLog> log_;
};

// Turns the reactor until the Deferred fires (at most 10 s), and gives its result.
template <class T>
Result<T> settle(weft::Reactor& reactor, Deferred<T> d) {
    std::optional<Result<T>> out;
    (void)d.addBoth([&](Result<T> r) { out.emplace(std::move(r)); });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!out && std::chrono::steady_clock::now() < deadline) reactor.iterate(5ms);
    REQUIRE_MESSAGE(out.has_value(), "the Deferred did not fire within 10 s");
    return std::move(*out);
}

// A UDP port on 127.0.0.1 with nothing bound to it (bound once, then closed).
std::uint16_t closedUdpPort() {
    weft::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    weft::Address any = *weft::Address::parse("127.0.0.1", 0);
    REQUIRE(::bind(fd.get(), any.sockaddrPtr(), any.length()) == 0);
    return weft::testing::sockName(fd.get()).port();
}

Resolver::Options hostsOnly(const TempHosts& hosts) {
    Resolver::Options options;
    options.resolvConfPath = "/nonexistent";
    options.hostsPath = hosts.path();
    return options;
}

}  // namespace

TEST_CASE("dns/connect_tcp: a name with ::1 and 127.0.0.1, served on IPv4 only, connects at once over IPv4") {
    TempHosts hosts("::1 both.test\n127.0.0.1 both.test\n");
    TestFactory server;
    weft::Reactor reactor;
    auto port = reactor.listenTCP(0, server, 511, "127.0.0.1");
    Resolver resolver(reactor, hostsOnly(hosts));
    auto log = std::make_shared<ClientLog>();

    auto start = std::chrono::steady_clock::now();
    auto r = settle(reactor, weft::dns::connectTCP<Client>(resolver, "both.test", port->getHost().port(),
                                                           [log] { return std::make_unique<Client>(log); }));
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r.succeeded());
    // ::1 went first (IPv6 first) and was refused; its refusal started the IPv4 attempt without
    // waiting out the 250 ms attempt delay.
    CHECK(took < 200ms);
    CHECK(log->built == 2);
    CHECK(log->made == 1);
    Client* client = r.value();
    REQUIRE(client);
    REQUIRE(client->transport());
    CHECK(client->transport()->getPeer() == weft::testing::loopback(port->getHost().port()));

    REQUIRE(runUntil(reactor, [&] { return server.connections.size() == 1; }));
    client->transport()->loseConnection();
    REQUIRE(runUntil(reactor, [&] { return server.lostCount() == 1; }));
}

TEST_CASE("dns/connect_tcp: a name no one knows fails with the lookup's ResolveError, and nothing is dialled") {
    TempHosts hosts("127.0.0.1 known.test\n");
    weft::Reactor reactor;
    auto options = hostsOnly(hosts);
    options.nameservers = std::vector<weft::Address>{*weft::Address::parse("127.0.0.1", closedUdpPort())};
    options.attempts = 1;
    options.attemptTimeout = 200ms;
    Resolver resolver(reactor, options);
    auto log = std::make_shared<ClientLog>();

    auto r = settle(reactor, weft::dns::connectTCP<Client>(resolver, "unknown.test", 80,
                                                           [log] { return std::make_unique<Client>(log); }));
    REQUIRE(r.failed());
    CHECK(r.failure().check<weft::dns::ResolveError>());
    CHECK_FALSE(r.failure().check<weft::ConnectError>());
    try {
        r.failure().raise();
    } catch (const weft::dns::ResolveError& e) {
        CHECK(e.name() == "unknown.test");
    }
    CHECK(log->built == 0);
}

TEST_CASE("dns/connect_tcp: a name whose every address refuses fails with ConnectError") {
    TempHosts hosts("::1 closed.test\n127.0.0.1 closed.test\n");
    weft::Reactor reactor;
    Resolver resolver(reactor, hostsOnly(hosts));
    auto log = std::make_shared<ClientLog>();

    auto start = std::chrono::steady_clock::now();
    auto r = settle(reactor, weft::dns::connectTCP<Client>(resolver, "closed.test", weft::testing::closedTcpPort(),
                                                           [log] { return std::make_unique<Client>(log); }));
    REQUIRE(r.failed());
    CHECK(std::chrono::steady_clock::now() - start < 200ms);  // refusals, no delay waited out
    REQUIRE(r.failure().check<weft::ConnectError>());
    try {
        r.failure().raise();
    } catch (const weft::ConnectError& e) {
        CHECK(e.reason() == weft::ConnectionError::Refused);  // the last failure: 127.0.0.1's
    }
    CHECK(log->built == 2);  // both addresses were tried
    CHECK(log->made == 0);
}
