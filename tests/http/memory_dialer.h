// SPDX-License-Identifier: MIT
// tests/http/memory_dialer.h: MemoryDialer, an http::Dialer that connects in memory (loopback
// pairs, pumped by hand) to server factories registered per host and port, and settle(), which
// pumps until a Deferred fires, so a whole fetch runs exactly and at once: no sockets, no sleeps.
//
//   weft::ManualClock clock;
//   weft::http::Site site;  site.page("/", "hi");
//   weft::http::HttpServer server(clock, site);
//   weft::testing::MemoryDialer dialer(clock);
//   dialer.listen("example.com", 80, server.factory());
//   weft::http::Agent agent(weft::AnyClock(clock), dialer);     // declared after the dialer
//   auto result = weft::testing::settle(dialer, clock, weft::http::getPage(agent, "http://example.com/"));
//   CHECK(result.value().body == "hi");
//
// The DNS of this little world: a host with at least one registered port (or added with
// addHost) resolves; any other fails with dns::NameNotFound(host, "memory"); a host added with
// failDns fails with dns::Timeout. A known host on a port nobody listens on refuses
// (ConnectError(ConnectionError::Refused)); one registered with blackhole() never answers and
// fails with ConnectError(ConnectionError::TimedOut) after the connect timeout, on the clock.
// With holdConnects(true), connections are made at the next pumpAll() rather than inside dial(),
// as a real connect would be.
//
// Lifetimes: the dialer owns every pair it made (and so both protocols of each) until it is
// destroyed, so pair(i) stays readable after the connection closed. The server factories and
// the clock must outlive the dialer, and the dialer the Agent that uses it.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "defer/deferred.h"
#include "defer/result.h"
#include "http/dialer.h"
#include "protocols/loopback.h"
#include "protocols/protocol.h"
#include "reactor/manual_clock.h"

namespace weft::testing {

class MemoryDialer final : public http::Dialer {
public:
    explicit MemoryDialer(ManualClock& clock) : clock_(clock) {}
    MemoryDialer(const MemoryDialer&) = delete;
    MemoryDialer& operator=(const MemoryDialer&) = delete;
    ~MemoryDialer() override;

    // Connections to host:port get a protocol from `factory` on the server side.
    void listen(const std::string& host, std::uint16_t port, IProtocolFactory& factory);
    void stopListening(const std::string& host, std::uint16_t port);  // later dials are refused
    void addHost(const std::string& host);                            // resolves, listens on nothing
    void failDns(const std::string& host);                            // dns::Timeout
    void blackhole(const std::string& host, std::uint16_t port);      // connects time out
    void holdConnects(bool hold) noexcept { hold_ = hold; }

    [[nodiscard]] Deferred<http::ClientConnection*> dial(
        const std::string& host, std::uint16_t port,
        std::function<std::unique_ptr<http::ClientConnection>()> makeConnection,
        std::chrono::nanoseconds connectTimeout, std::shared_ptr<http::Progress> progress) override;

    // Completes held connects, then pumps every pair until none moves; true if anything did.
    bool pumpAll();

    [[nodiscard]] std::size_t dials() const noexcept { return dials_; }  // every call of dial()
    [[nodiscard]] std::size_t dials(const std::string& host, std::uint16_t port) const;
    [[nodiscard]] std::size_t connections() const noexcept { return pairs_.size(); }  // pairs made
    [[nodiscard]] LoopbackPair& pair(std::size_t i) const;  // in the order they were made
    [[nodiscard]] std::size_t openPairs() const;            // pairs not yet closed on both sides
    [[nodiscard]] ManualClock& clock() const noexcept { return clock_; }

private:
    struct Held {
        IClientFactory* factory;
        IProtocolFactory* server;
        LoopbackOptions options;
    };
    static std::string key(const std::string& host, std::uint16_t port) { return host + ":" + std::to_string(port); }

    void connect(IClientFactory& client, IProtocolFactory& server, const LoopbackOptions& options);

    ManualClock& clock_;
    std::map<std::string, IProtocolFactory*> servers_;
    std::set<std::string> hosts_;
    std::set<std::string> dnsTimeouts_;
    std::set<std::string> blackholes_;
    std::map<std::string, std::size_t> dialsTo_;
    std::vector<std::unique_ptr<LoopbackPair>> pairs_;
    std::vector<Held> held_;
    std::size_t dials_ = 0;
    std::uint16_t nextClientPort_ = 50000;
    bool hold_ = false;
};

// Pumps the dialer's pairs and turns the clock by 0 (what is due now runs) until `deferred`
// fires, and gives its outcome (a failure in it counts as handled). Fails the test if it has
// not fired after `rounds` rounds: something waits for time or bytes that will never come.
template <class T>
Result<T> settle(MemoryDialer& dialer, ManualClock& clock, Deferred<T> deferred, std::size_t rounds = 200) {
    auto outcome = std::make_shared<Result<T>>();
    (void)deferred.addBoth([outcome](Result<T>&& r) { *outcome = std::move(r); });
    for (std::size_t i = 0; i < rounds && outcome->pending(); ++i) {
        dialer.pumpAll();
        clock.advance(std::chrono::nanoseconds(0));
    }
    REQUIRE_MESSAGE(!outcome->pending(), "the Deferred did not fire in ", rounds, " rounds of pumping");
    return std::move(*outcome);
}

// settle() for what needs time to pass: pumps, then moves the clock on by `step`, until
// `deferred` fires; fails the test if it has not once the clock moved `limit` further.
template <class T>
Result<T> advanceUntil(MemoryDialer& dialer, ManualClock& clock, Deferred<T> deferred, std::chrono::nanoseconds step,
                       std::chrono::nanoseconds limit) {
    auto outcome = std::make_shared<Result<T>>();
    (void)deferred.addBoth([outcome](Result<T>&& r) { *outcome = std::move(r); });
    const auto end = clock.now() + limit;
    dialer.pumpAll();
    while (outcome->pending() && clock.now() < end) {
        clock.advance(step);
        dialer.pumpAll();
    }
    REQUIRE_MESSAGE(!outcome->pending(), "the Deferred did not fire within the time allowed");
    return std::move(*outcome);
}

// The outcome's exception as an E (the test fails unless it is one).
template <class E, class T>
E errorOf(const Result<T>& result) {
    REQUIRE_MESSAGE(result.failed(), "expected a failure, got a result");
    try {
        result.failure().raise();
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("expected another error than ", result.failure().typeName(), ": ", e.what());
    } catch (...) {
        FAIL("expected another error than ", result.failure().typeName());
    }
    throw std::logic_error("unreachable");
}

}  // namespace weft::testing
