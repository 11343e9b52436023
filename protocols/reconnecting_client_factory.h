// SPDX-License-Identifier: MIT
// protocols/reconnecting_client_factory.h: a ClientFactory that dials again after a failed or
// lost connection, waiting longer each time (Twisted's ReconnectingClientFactory).
// Tests: tests/protocols/reconnecting_client_factory_test.cpp
//
//   weft::ReconnectingClientFactory factory(reactor,
//       [&] { reactor.connectTCP(address, factory, 30s); },
//       [](const weft::Address&) { return std::make_unique<Client>(); });
//   reactor.connectTCP(address, factory, 30s);  // the first dial is yours; then it redials
//
// The schedule is Twisted's: after the n-th failure in a row the delay is the previous one times
// `factor` (e), capped at maxDelay, then drawn from a normal distribution with that mean and a
// standard deviation of `jitter` times it, so many clients cut off together do not all come
// back in the same second. The drawn delay is the base for the next one, as in Twisted. A
// connection that succeeds (buildProtocol) resets the schedule (resetDelay()). After maxRetries
// failures in a row it stops and calls retriesExhausted(). stopTrying() cancels a pending retry
// and ignores later failures until resetDelay().
//
// It needs no reactor: `clock` schedules the retries and `connect` dials. Both must outlive the
// factory; the factory cancels its pending retry when destroyed.
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "defer/clock.h"
#include "protocols/any_clock.h"
#include "protocols/protocol.h"

namespace weft {

// The retry schedule's parameters; the defaults are Twisted's. (At namespace scope so that it
// can be a defaulted constructor argument.)
struct ReconnectBackoff {
    std::chrono::nanoseconds initialDelay = std::chrono::seconds(1);
    double factor = 2.7182818284590451;  // e: grows fast, but not as fast as doubling thrice
    double jitter = 0.11962656472;       // relative standard deviation of each delay
    std::chrono::nanoseconds maxDelay = std::chrono::hours(1);
    std::optional<unsigned> maxRetries;  // empty: retry forever
};

class ReconnectingClientFactory : public ClientFactory {
public:
    using Backoff = ReconnectBackoff;
    // Draws a delay in seconds from a normal distribution: (mean, standardDeviation) -> value.
    using Jitter = std::function<double(double mean, double standardDeviation)>;

    ReconnectingClientFactory(AnyClock clock, std::function<void()> connect, Builder builder = {},
                              Backoff backoff = {});
    // The same with any clock: the reactor, a test's clock.
    template <CallLaterClock C>
        requires(!std::same_as<C, AnyClock>)
    ReconnectingClientFactory(C& clock, std::function<void()> connect, Builder builder = {}, Backoff backoff = {})
        : ReconnectingClientFactory(AnyClock(clock), std::move(connect), std::move(builder), backoff) {}
    ~ReconnectingClientFactory() override;
    ReconnectingClientFactory(const ReconnectingClientFactory&) = delete;
    ReconnectingClientFactory& operator=(const ReconnectingClientFactory&) = delete;

    // The connection was made: the schedule starts over, then the protocol is built.
    std::unique_ptr<IProtocol> buildProtocol(const Address& peer) override;
    void clientConnectionFailed(std::error_code reason) override;
    void clientConnectionLost(std::error_code reason) override;

    // Schedules the next attempt (after the next delay), unless stopped or out of retries.
    void retry();
    // Cancels a scheduled attempt; failures are then ignored until resetDelay().
    void stopTrying();
    // Back to initialDelay and zero retries; trying again is allowed.
    void resetDelay();

    // Replaces the normal distribution (a std::mt19937 seeded from std::random_device); tests
    // pass a function returning the mean to get the schedule without noise.
    void setJitter(Jitter jitter) { draw_ = std::move(jitter); }
    void setBackoff(const Backoff& backoff);

    [[nodiscard]] const Backoff& backoff() const noexcept { return backoff_; }
    [[nodiscard]] std::chrono::nanoseconds delay() const noexcept;  // the last delay used
    [[nodiscard]] unsigned retries() const noexcept { return retries_; }
    [[nodiscard]] bool continueTrying() const noexcept { return continueTrying_; }
    [[nodiscard]] bool retryPending() const { return pending_.active(); }
    [[nodiscard]] std::error_code lastReason() const noexcept { return lastReason_; }

protected:
    // maxRetries failures in a row: no more attempts. `reason` is the last failure's.
    virtual void retriesExhausted(std::error_code reason) { (void)reason; }

private:
    void attempt();

    AnyClock clock_;
    std::function<void()> connect_;
    Backoff backoff_;
    Jitter draw_;
    double delay_;  // seconds, as the arithmetic is done; delay() gives it as a duration
    unsigned retries_ = 0;
    bool continueTrying_ = true;
    std::error_code lastReason_;
    AnyClock::Call pending_;
};

}  // namespace weft
