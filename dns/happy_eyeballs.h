// SPDX-License-Identifier: MIT
// dns/happy_eyeballs.h: happyEyeballs, connection attempts raced across a name's addresses
// (RFC 8305), for any kind of attempt on any clock. Tests: tests/dns/happy_eyeballs_test.cpp
//
//   Deferred<Conn*> d = happyEyeballs<Conn*>(reactor, addresses,
//       [&](const IPAddress& ip) { return dial(ip); },       // one attempt, as a Deferred
//       [](Conn* late) { late->close(); });                  // a winner that came too late
//
// The addresses are interleaved by family, IPv6 first (RFC 8305 §4). The first attempt starts
// at once; each next one starts when the one before fails or `attemptDelay` passes, whichever is
// first, so an address that refuses at once costs no wait. The first attempt to succeed wins
// and the others are cancelled; one that succeeds in the same turn anyway is handed to
// `discard`. If all fail, the Deferred fails with the last failure. Cancelling it cancels
// every attempt still running.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "defer/clock.h"
#include "defer/deferred.h"
#include "dns/ip_address.h"

namespace weft::dns {

inline constexpr std::chrono::milliseconds kConnectionAttemptDelay{250};  // RFC 8305 §8

// IPv6 first, then the families alternating, each family's own order kept.
[[nodiscard]] std::vector<IPAddress> interleaveFamilies(const std::vector<IPAddress>& addresses);

namespace detail {

template <class T, class C>
struct Race : std::enable_shared_from_this<Race<T, C>> {
    C& clock;
    std::vector<IPAddress> order;
    std::function<Deferred<T>(const IPAddress&)> attempt;
    std::function<void(T&)> discard;
    std::chrono::nanoseconds delay;
    std::vector<Deferred<T>> running;
    std::size_t next = 0;
    std::size_t outstanding = 0;
    std::optional<decltype(clock.callLater(delay, std::function<void()>()))> timer;
    std::optional<Failure> lastFailure;
    Deferred<T> result;
    bool done = false;

    Race(C& c, std::vector<IPAddress> o, std::function<Deferred<T>(const IPAddress&)> a,
         std::function<void(T&)> d, std::chrono::nanoseconds delayBetween)
        : clock(c), order(std::move(o)), attempt(std::move(a)), discard(std::move(d)), delay(delayBetween) {}

    void stopTimer() {
        if (timer && timer->active()) timer->cancel();
        timer.reset();
    }

    void startNext() {
        stopTimer();
        if (done || next >= order.size()) return;
        const IPAddress& ip = order[next++];
        ++outstanding;
        std::weak_ptr<Race> weak = this->weak_from_this();
        if (next < order.size()) {
            timer = clock.callLater(delay, std::function<void()>([weak] {
                if (auto self = weak.lock()) self->startNext();
            }));
        }
        Deferred<T> d = [&] {
            try {
                return attempt(ip);
            } catch (...) {
                Deferred<T> failed;
                failed.errback(Failure::current());
                return failed;
            }
        }();
        running.push_back(d);
        auto self = this->shared_from_this();  // the attempts keep the race alive
        d.addCallbacks([self](T value) { self->won(std::move(value)); },
                       [self](Failure& failure) { self->lost(failure); });
    }

    void won(T value) {
        --outstanding;
        if (done) {
            if (discard) discard(value);
            return;
        }
        done = true;
        stopTimer();
        for (auto& d : running)
            if (!d.called()) d.cancel();
        running.clear();
        result.callback(std::move(value));
    }

    void lost(Failure& failure) {
        --outstanding;
        if (done) return;
        lastFailure = failure;
        if (next < order.size()) return startNext();  // no need to wait out the delay
        if (outstanding == 0) {
            done = true;
            stopTimer();
            running.clear();
            result.errback(std::move(*lastFailure));
        }
    }

    void cancelAll() {
        if (done) return;
        done = true;
        stopTimer();
        auto attempts = std::move(running);
        for (auto& d : attempts)
            if (!d.called()) d.cancel();
    }
};

}  // namespace detail

template <class T, CallLaterClock C>
[[nodiscard]] Deferred<T> happyEyeballs(C& clock, const std::vector<IPAddress>& addresses,
                                        std::function<Deferred<T>(const IPAddress&)> attempt,
                                        std::function<void(T&)> discard = {},
                                        std::chrono::nanoseconds attemptDelay = kConnectionAttemptDelay) {
    auto race = std::make_shared<detail::Race<T, C>>(clock, interleaveFamilies(addresses), std::move(attempt),
                                                     std::move(discard), attemptDelay);
    std::weak_ptr<detail::Race<T, C>> weak = race;
    race->result = Deferred<T>([weak](Deferred<T>&) {
        if (auto self = weak.lock()) self->cancelAll();
    });
    auto result = race->result;
    if (race->order.empty()) {
        race->done = true;
        result.errback(Failure(std::invalid_argument("happyEyeballs: no addresses")));
        return result;
    }
    race->startNext();
    return result;
}

}  // namespace weft::dns
