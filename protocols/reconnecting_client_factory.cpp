// SPDX-License-Identifier: MIT
// protocols/reconnecting_client_factory.cpp: Twisted's retry schedule. The delay is kept in
// double seconds because the jitter is a normal draw; it becomes nanoseconds only for callLater.
// Tests: tests/protocols/reconnecting_client_factory_test.cpp
#include "protocols/reconnecting_client_factory.h"

#include <algorithm>
#include <random>
#include <utility>

namespace weft {
namespace {

using Seconds = std::chrono::duration<double>;

ReconnectingClientFactory::Jitter normalJitter() {
    // shared_ptr: the generator lives as long as the std::function that copies of it share.
    auto engine = std::make_shared<std::mt19937>(std::random_device{}());
    return [engine](double mean, double deviation) {
        if (deviation <= 0) return mean;
        return std::normal_distribution<double>(mean, deviation)(*engine);
    };
}

}  // namespace

ReconnectingClientFactory::ReconnectingClientFactory(AnyClock clock, std::function<void()> connect,
                                                     Builder builder, Backoff backoff)
    : ClientFactory(std::move(builder)),
      clock_(std::move(clock)),
      connect_(std::move(connect)),
      backoff_(backoff),
      draw_(normalJitter()),
      delay_(Seconds(backoff.initialDelay).count()) {}

ReconnectingClientFactory::~ReconnectingClientFactory() {
    if (pending_.active()) pending_.cancel();  // it captures `this`
}

void ReconnectingClientFactory::setBackoff(const Backoff& backoff) {
    backoff_ = backoff;
    if (retries_ == 0) delay_ = Seconds(backoff.initialDelay).count();
}

std::chrono::nanoseconds ReconnectingClientFactory::delay() const noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Seconds(delay_));
}

std::unique_ptr<IProtocol> ReconnectingClientFactory::buildProtocol(const Address& peer) {
    resetDelay();
    return ClientFactory::buildProtocol(peer);
}

void ReconnectingClientFactory::clientConnectionFailed(std::error_code reason) {
    lastReason_ = reason;
    if (continueTrying_) retry();
}

void ReconnectingClientFactory::clientConnectionLost(std::error_code reason) {
    lastReason_ = reason;
    if (continueTrying_) retry();
}

void ReconnectingClientFactory::retry() {
    if (!continueTrying_ || pending_.active()) return;
    ++retries_;
    if (backoff_.maxRetries && retries_ > *backoff_.maxRetries) {
        retriesExhausted(lastReason_);
        return;
    }
    double maxDelay = Seconds(backoff_.maxDelay).count();
    delay_ = std::min(delay_ * backoff_.factor, maxDelay);
    if (backoff_.jitter > 0) delay_ = draw_(delay_, delay_ * backoff_.jitter);
    // A normal draw can in principle go below zero (8 standard deviations at Twisted's jitter).
    delay_ = std::max(delay_, 0.0);
    pending_ = clock_.callLater(delay(), [this] { attempt(); });
}

void ReconnectingClientFactory::attempt() {
    pending_ = {};
    connect_();  // connectTCP calls startedConnecting(), as Twisted's connector.connect() does  // may report failure at once, which schedules the next retry from in here
}

void ReconnectingClientFactory::stopTrying() {
    if (pending_.active()) pending_.cancel();
    pending_ = {};
    continueTrying_ = false;
}

void ReconnectingClientFactory::resetDelay() {
    delay_ = Seconds(backoff_.initialDelay).count();
    retries_ = 0;
    continueTrying_ = true;
}

}  // namespace weft
