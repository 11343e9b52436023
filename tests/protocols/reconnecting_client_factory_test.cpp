// SPDX-License-Identifier: MIT
// ReconnectingClientFactory: Twisted's backoff schedule on a FakeClock (nothing sleeps), with
// the jitter replaced by a function so the delays are exact.
#include "protocols/reconnecting_client_factory.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reactor/errors.h"
#include "tests/defer/helpers.h"

using namespace std::chrono_literals;
using weft::ConnectionError;
using weft::ReconnectingClientFactory;
using weft::testing::FakeClock;
using Seconds = std::chrono::duration<double>;

namespace {

constexpr double e = 2.7182818284590451;

class Reconnecting : public ReconnectingClientFactory {
public:
    using ReconnectingClientFactory::ReconnectingClientFactory;
    std::vector<std::string> events;
    void startedConnecting() override { events.push_back("started"); }
    void retriesExhausted(std::error_code reason) override { events.push_back("exhausted:" + reason.message()); }
};

// The factory, a clock, and a count of dials; the jitter returns the mean.
struct Fixture {
    FakeClock clock;
    int dials = 0;
    std::unique_ptr<Reconnecting> factory;
    std::vector<std::pair<double, double>> draws;

    explicit Fixture(weft::ReconnectBackoff backoff = {}) {
        factory = std::make_unique<Reconnecting>(
            weft::AnyClock(clock),
            [this] {
                ++dials;
                factory->startedConnecting();  // what Reactor::connectTCP does
            },
            [](const weft::Address&) { return std::make_unique<weft::Protocol>(); }, backoff);
        factory->setJitter([this](double mean, double deviation) {
            draws.emplace_back(mean, deviation);
            return mean;
        });
    }
    // Advances to just before `delay` and checks nothing dialed, then to it and checks one did.
    void expectDialAfter(double seconds) {
        int before = dials;
        auto delay = std::chrono::duration_cast<std::chrono::nanoseconds>(Seconds(seconds));
        clock.advance(delay - 1ms);
        CHECK(dials == before);
        clock.advance(1ms);
        CHECK(dials == before + 1);
    }
};

}  // namespace

TEST_CASE("each failure in a row waits e times longer: e, e^2, e^3 seconds") {
    Fixture f;
    CHECK(f.factory->delay() == 1s);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    CHECK(f.factory->retryPending());
    f.expectDialAfter(e);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.expectDialAfter(e * e);
    f.factory->clientConnectionFailed(ConnectionError::TimedOut);
    f.expectDialAfter(e * e * e);
    CHECK(f.factory->retries() == 3);
    CHECK(f.factory->events == std::vector<std::string>{"started", "started", "started"});
    CHECK(f.factory->lastReason() == ConnectionError::TimedOut);
}

TEST_CASE("the jitter draws from a normal distribution around the delay, and its draw is the next base") {
    Fixture f;
    f.factory->setJitter([&](double mean, double deviation) {
        f.draws.emplace_back(mean, deviation);
        return mean * 1.1;
    });
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    REQUIRE(f.draws.size() == 1);
    CHECK(f.draws[0].first == doctest::Approx(e));
    CHECK(f.draws[0].second == doctest::Approx(e * 0.11962656472));
    f.expectDialAfter(e * 1.1);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    CHECK(f.draws[1].first == doctest::Approx(e * 1.1 * e));
}

TEST_CASE("the delay stops growing at maxDelay") {
    weft::ReconnectBackoff backoff;
    backoff.maxDelay = 10s;
    Fixture f(backoff);
    for (int i = 0; i < 2; ++i) {
        f.factory->clientConnectionFailed(ConnectionError::Refused);
        f.clock.advance(1h);
    }
    CHECK(f.dials == 2);
    f.factory->clientConnectionFailed(ConnectionError::Refused);  // e^3 > 10
    f.expectDialAfter(10);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.expectDialAfter(10);
    CHECK(f.factory->delay() == 10s);
}

TEST_CASE("a successful connection (buildProtocol) starts the schedule over") {
    Fixture f;
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.clock.advance(1h);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.clock.advance(1h);
    CHECK(f.factory->retries() == 2);
    auto protocol = f.factory->buildProtocol(weft::Address());
    REQUIRE(protocol);
    CHECK(dynamic_cast<weft::Protocol&>(*protocol).factory() == f.factory.get());
    CHECK(f.factory->retries() == 0);
    CHECK(f.factory->delay() == 1s);
    f.factory->clientConnectionLost(ConnectionError::Done);  // lost later: retried like a failure
    f.expectDialAfter(e);
}

TEST_CASE("after maxRetries failures in a row it gives up and says so") {
    weft::ReconnectBackoff backoff;
    backoff.maxRetries = 2;
    Fixture f(backoff);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.clock.advance(1h);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.clock.advance(1h);
    CHECK(f.dials == 2);
    f.factory->clientConnectionFailed(ConnectionError::NoRoute);
    CHECK_FALSE(f.factory->retryPending());
    f.clock.advance(24h);
    CHECK(f.dials == 2);
    CHECK(f.factory->events.back() == "exhausted:no route to host");
}

TEST_CASE("stopTrying cancels the pending attempt and ignores failures until resetDelay") {
    Fixture f;
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    CHECK(f.clock.pendingCalls() == 1);
    f.factory->stopTrying();
    CHECK(f.clock.pendingCalls() == 0);
    CHECK_FALSE(f.factory->continueTrying());
    f.factory->clientConnectionLost(ConnectionError::Done);
    f.factory->retry();
    f.clock.advance(24h);
    CHECK(f.dials == 0);
    f.factory->resetDelay();
    CHECK(f.factory->continueTrying());
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.expectDialAfter(e);
}

TEST_CASE("a dial that fails at once schedules the next attempt from inside the first") {
    FakeClock clock;
    int dials = 0;
    std::optional<Reconnecting> factory;
    factory.emplace(weft::AnyClock(clock), [&] {
        ++dials;
        factory->clientConnectionFailed(ConnectionError::Refused);
    });
    factory->setJitter([](double mean, double) { return mean; });
    factory->retry();
    clock.advance(3s);  // e
    CHECK(dials == 1);
    CHECK(factory->retryPending());
    clock.advance(8s);  // e^2 = 7.39
    CHECK(dials == 2);
    factory.reset();  // destroying it cancels what it scheduled
    CHECK(clock.pendingCalls() == 0);
    clock.advance(1h);
    CHECK(dials == 2);
}

TEST_CASE("retry() while an attempt is scheduled does not schedule a second") {
    Fixture f;
    f.factory->retry();
    f.factory->retry();
    CHECK(f.clock.pendingCalls() == 1);
    CHECK(f.factory->retries() == 1);
}

TEST_CASE("the default jitter stays near the delay; Twisted's defaults are the defaults") {
    FakeClock clock;
    ReconnectingClientFactory factory(clock, [] {});  // any clock, not only an AnyClock
    const auto& backoff = factory.backoff();
    CHECK(backoff.initialDelay == 1s);
    CHECK(backoff.factor == doctest::Approx(e));
    CHECK(backoff.jitter == doctest::Approx(0.11962656472));
    CHECK(backoff.maxDelay == 3600s);
    CHECK_FALSE(backoff.maxRetries.has_value());
    for (int i = 0; i < 20; ++i) {
        factory.resetDelay();
        factory.clientConnectionFailed(ConnectionError::Refused);
        double drawn = Seconds(factory.delay()).count();
        CHECK(drawn > e * (1 - 8 * 0.1197));  // eight standard deviations: never in practice
        CHECK(drawn < e * (1 + 8 * 0.1197));
        clock.advance(1h);
    }
}

TEST_CASE("setBackoff changes the schedule; with no jitter the delays are exact") {
    Fixture f;
    weft::ReconnectBackoff backoff;
    backoff.initialDelay = 2s;
    backoff.factor = 2;
    backoff.jitter = 0;
    f.factory->setBackoff(backoff);
    CHECK(f.factory->delay() == 2s);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    CHECK(f.draws.empty());  // no jitter: the function is not called
    f.expectDialAfter(4);
    f.factory->clientConnectionFailed(ConnectionError::Refused);
    f.expectDialAfter(8);
}
