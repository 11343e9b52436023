// SPDX-License-Identifier: MIT
// happyEyeballs on a ManualClock with attempts the test fires by hand: the address order, when
// each attempt starts, who wins, what gets cancelled, and how the race fails.
#include "dns/happy_eyeballs.h"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "defer/deferred.h"
#include "defer/errors.h"
#include "defer/failure.h"
#include "defer/result.h"
#include "dns/ip_address.h"
#include "reactor/manual_clock.h"
#include "tests/defer/helpers.h"
#include "tests/dns/records.h"

using namespace std::chrono_literals;
using weft::Deferred;
using weft::Failure;
using weft::ManualClock;
using weft::Result;
using weft::dns::happyEyeballs;
using weft::dns::interleaveFamilies;
using weft::dns::IPAddress;
using weft::dns::testing::ipsOf;

namespace {

using Strings = std::vector<std::string>;

Strings texts(const std::vector<IPAddress>& addresses) {
    Strings out;
    for (const auto& ip : addresses) out.push_back(ip.toString());
    return out;
}

struct AttemptFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The attempts of one race: each one's address, start time and Deferred, kept for the test to
// fire; whether its canceller ran. Addresses in failNow fail as they start, those in throwOn
// make the attempt function throw, those in noCanceller get a Deferred without a canceller;
// the one in succeedOnCancel succeeds with that value when cancelled (it connected in the same
// turn as the winner).
struct Attempts {
    struct One {
        std::string ip;
        std::chrono::nanoseconds startedAt;
        Deferred<int> d;
        bool cancelled = false;
    };

    ManualClock& clock;
    std::vector<One> made;
    std::set<std::string> failNow;
    std::set<std::string> throwOn;
    std::set<std::string> noCanceller;
    std::optional<std::pair<std::string, int>> succeedOnCancel;

    explicit Attempts(ManualClock& c) : clock(c) {}

    std::function<Deferred<int>(const IPAddress&)> fn() {
        return [this](const IPAddress& address) {
            std::string ip = address.toString();
            if (throwOn.count(ip)) {
                made.push_back({ip, clock.now(), Deferred<int>(), false});
                throw AttemptFailed("threw for " + ip);
            }
            std::size_t i = made.size();
            Deferred<int> d = noCanceller.count(ip) ? Deferred<int>() : Deferred<int>([this, i](Deferred<int>& self) {
                made[i].cancelled = true;
                if (succeedOnCancel && succeedOnCancel->first == made[i].ip) self.callback(succeedOnCancel->second);
            });
            made.push_back({ip, clock.now(), d, false});
            if (failNow.count(ip)) d.errback(Failure(AttemptFailed("refused " + ip)));
            return d;
        };
    }

    [[nodiscard]] Strings started() const {
        Strings out;
        for (const auto& one : made) out.push_back(one.ip);
        return out;
    }
    One& at(std::size_t i) {
        REQUIRE(i < made.size());
        return made[i];
    }
};

// The race's outcome, once it has one.
template <class T>
std::shared_ptr<std::optional<Result<T>>> outcome(Deferred<T> d) {
    auto out = std::make_shared<std::optional<Result<T>>>();
    (void)d.addBoth([out](Result<T> r) { out->emplace(std::move(r)); });
    return out;
}

std::string failureMessage(const Result<int>& r) {
    REQUIRE(r.failed());
    return r.failure().message();
}

}  // namespace

TEST_CASE("dns/happy_eyeballs: interleaveFamilies puts IPv6 first, then alternates, each family in its order") {
    CHECK(texts(interleaveFamilies(ipsOf({"192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1", "2001:db8::2"}))) ==
          Strings{"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"});
    CHECK(texts(interleaveFamilies(ipsOf({"2001:db8::3", "192.0.2.9", "2001:db8::1", "2001:db8::2"}))) ==
          Strings{"2001:db8::3", "192.0.2.9", "2001:db8::1", "2001:db8::2"});
    CHECK(texts(interleaveFamilies(ipsOf({"192.0.2.3", "192.0.2.1", "192.0.2.2"}))) ==
          Strings{"192.0.2.3", "192.0.2.1", "192.0.2.2"});
    CHECK(texts(interleaveFamilies(ipsOf({"2001:db8::2", "::1"}))) == Strings{"2001:db8::2", "::1"});
    CHECK(interleaveFamilies({}).empty());
}

TEST_CASE("dns/happy_eyeballs: the first attempt starts at once, each next one after the delay") {
    ManualClock clock;
    Attempts attempts(clock);
    auto d = happyEyeballs<int>(clock, ipsOf({"192.0.2.1", "192.0.2.2", "2001:db8::1"}), attempts.fn());
    auto out = outcome(d);
    CHECK(attempts.started() == Strings{"2001:db8::1"});
    CHECK(attempts.at(0).startedAt == 0ns);

    clock.advance(weft::dns::kConnectionAttemptDelay - 1ns);
    CHECK(attempts.started() == Strings{"2001:db8::1"});
    clock.advance(1ns);
    CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1"});
    CHECK(attempts.at(1).startedAt == 250ms);

    clock.advance(250ms - 1ns);
    CHECK(attempts.made.size() == 2);
    clock.advance(1ns);
    CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1", "192.0.2.2"});
    CHECK(attempts.at(2).startedAt == 500ms);
    CHECK(clock.pendingCalls() == 0);  // nothing left to start
    CHECK_FALSE(out->has_value());
    for (const auto& one : attempts.made) CHECK_FALSE(one.cancelled);
    d.cancel();  // the attempts keep the race alive until they end
}

TEST_CASE("dns/happy_eyeballs: the delay between attempts can be chosen") {
    ManualClock clock;
    Attempts attempts(clock);
    auto d = happyEyeballs<int>(clock, ipsOf({"192.0.2.1", "192.0.2.2"}), attempts.fn(), {}, 40ms);
    auto out = outcome(d);
    clock.advance(40ms - 1ns);
    CHECK(attempts.made.size() == 1);
    clock.advance(1ns);
    CHECK(attempts.made.size() == 2);
    attempts.at(1).d.callback(2);
    REQUIRE(out->has_value());
    CHECK((*out)->value() == 2);
}

TEST_CASE("dns/happy_eyeballs: an attempt that fails starts the next at once, without waiting out the delay") {
    ManualClock clock;
    Attempts attempts(clock);
    attempts.failNow = {"2001:db8::1"};
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"}), attempts.fn());
    auto out = outcome(d);
    // Refused as it started: the IPv4 one is under way at time 0.
    CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1"});
    CHECK(attempts.at(1).startedAt == 0ns);

    // One that fails later, before the delay is up, starts the next there and then...
    clock.advance(10ms);
    attempts.at(1).d.errback(Failure(AttemptFailed("reset")));
    CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1", "2001:db8::2"});
    CHECK(attempts.at(2).startedAt == 10ms);
    // ... and the delay counts from that start.
    clock.advance(250ms - 1ns);
    CHECK(attempts.made.size() == 3);
    clock.advance(1ns);
    CHECK(attempts.made.size() == 4);
    CHECK(attempts.at(3).startedAt == 260ms);
    CHECK_FALSE(out->has_value());
    d.cancel();
}

TEST_CASE("dns/happy_eyeballs: the first success wins and the attempts still running are cancelled") {
    ManualClock clock;
    Attempts attempts(clock);
    int discarded = 0;
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"}), attempts.fn(),
                                [&](int&) { ++discarded; });
    auto out = outcome(d);
    clock.advance(250ms);
    clock.advance(250ms);  // a second step: the third attempt's timer starts with the second
    REQUIRE(attempts.made.size() == 3);
    attempts.at(1).d.callback(42);
    REQUIRE(out->has_value());
    CHECK((*out)->value() == 42);
    CHECK(attempts.at(0).cancelled);
    CHECK_FALSE(attempts.at(1).cancelled);
    CHECK(attempts.at(2).cancelled);
    CHECK(attempts.at(0).d.called());  // with CancelledError
    CHECK(discarded == 0);
    // The fourth address is never tried.
    CHECK(clock.pendingCalls() == 0);
    clock.advance(10s);
    CHECK(attempts.made.size() == 3);
}

TEST_CASE("dns/happy_eyeballs: when every attempt fails the race fails with the last failure") {
    ManualClock clock;
    Attempts attempts(clock);
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1", "192.0.2.2"}), attempts.fn());
    auto out = outcome(d);
    clock.advance(250ms);
    clock.advance(250ms);  // a second step: the third attempt's timer starts with the second
    REQUIRE(attempts.made.size() == 3);
    // In another order than they started: the last to fail decides.
    attempts.at(2).d.errback(Failure(AttemptFailed("third")));
    CHECK_FALSE(out->has_value());
    attempts.at(0).d.errback(Failure(AttemptFailed("first")));
    CHECK_FALSE(out->has_value());
    attempts.at(1).d.errback(Failure(AttemptFailed("second")));
    REQUIRE(out->has_value());
    CHECK((*out)->failure().check<AttemptFailed>());
    CHECK(failureMessage(**out) == "second");
    for (const auto& one : attempts.made) CHECK_FALSE(one.cancelled);
}

TEST_CASE("dns/happy_eyeballs: attempts that all fail at once fail the race at once, with the last one's failure") {
    ManualClock clock;
    Attempts attempts(clock);
    attempts.failNow = {"2001:db8::1", "192.0.2.1"};
    auto d = happyEyeballs<int>(clock, ipsOf({"192.0.2.1", "2001:db8::1"}), attempts.fn());
    auto out = outcome(d);
    REQUIRE(out->has_value());
    CHECK(failureMessage(**out) == "refused 192.0.2.1");
    CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1"});
    CHECK(clock.pendingCalls() == 0);
}

TEST_CASE("dns/happy_eyeballs: a loser that succeeds anyway as it is cancelled goes to discard") {
    ManualClock clock;
    Attempts attempts(clock);
    attempts.succeedOnCancel = std::make_pair(std::string("2001:db8::1"), 7);
    std::vector<int> discarded;
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1"}), attempts.fn(),
                                [&](int& late) { discarded.push_back(late); });
    auto out = outcome(d);
    clock.advance(250ms);
    REQUIRE(attempts.made.size() == 2);
    attempts.at(1).d.callback(8);
    REQUIRE(out->has_value());
    CHECK((*out)->value() == 8);
    CHECK(attempts.at(0).cancelled);
    CHECK(discarded == std::vector<int>{7});
}

TEST_CASE("dns/happy_eyeballs: a loser is cancelled, so its producer's late success is dropped, not discarded") {
    ManualClock clock;
    Attempts attempts(clock);
    attempts.noCanceller = {"2001:db8::1"};  // a producer that cannot stop: it fires anyway
    std::vector<int> discarded;
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1"}), attempts.fn(),
                                [&](int& late) { discarded.push_back(late); });
    auto out = outcome(d);
    clock.advance(250ms);
    REQUIRE(attempts.made.size() == 2);
    attempts.at(1).d.callback(8);
    REQUIRE(out->has_value());
    CHECK((*out)->value() == 8);
    CHECK(attempts.at(0).d.called());  // cancelled: CancelledError
    // A Deferred cancelled without a canceller swallows its producer's later callback (Twisted's
    // rule), so the race never sees it; a producer with a canceller must not fire after it, as
    // connectProtocol aborts a connection made after a cancel instead.
    CHECK_NOTHROW(attempts.at(0).d.callback(7));
    CHECK(discarded.empty());
}

TEST_CASE("dns/happy_eyeballs: cancelling the race cancels every running attempt and starts no more") {
    ManualClock clock;
    Attempts attempts(clock);
    weft::testing::UnhandledErrors unhandled;
    int discarded = 0;
    auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"}), attempts.fn(),
                                [&](int&) { ++discarded; });
    auto out = outcome(d);
    clock.advance(250ms);
    REQUIRE(attempts.made.size() == 2);
    d.cancel();
    REQUIRE(out->has_value());
    CHECK((*out)->failure().check<weft::CancelledError>());
    CHECK(attempts.at(0).cancelled);
    CHECK(attempts.at(1).cancelled);
    CHECK(clock.pendingCalls() == 0);
    clock.advance(10s);
    CHECK(attempts.made.size() == 2);
    CHECK(discarded == 0);
    CHECK(unhandled.reports.empty());
}

TEST_CASE("dns/happy_eyeballs: an attempt function that throws counts as a failed attempt") {
    ManualClock clock;
    Attempts attempts(clock);
    attempts.throwOn = {"2001:db8::1"};
    SUBCASE("the next address is tried at once, and can win") {
        auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1"}), attempts.fn());
        auto out = outcome(d);
        CHECK(attempts.started() == Strings{"2001:db8::1", "192.0.2.1"});
        CHECK(attempts.at(1).startedAt == 0ns);
        attempts.at(1).d.callback(3);
        REQUIRE(out->has_value());
        CHECK((*out)->value() == 3);
    }
    SUBCASE("when it is the last, the race fails with what it threw") {
        attempts.throwOn.insert("192.0.2.1");
        auto d = happyEyeballs<int>(clock, ipsOf({"2001:db8::1", "192.0.2.1"}), attempts.fn());
        auto out = outcome(d);
        REQUIRE(out->has_value());
        CHECK((*out)->failure().check<AttemptFailed>());
        CHECK(failureMessage(**out) == "threw for 192.0.2.1");
    }
}

TEST_CASE("dns/happy_eyeballs: an empty address list fails at once without an attempt") {
    ManualClock clock;
    Attempts attempts(clock);
    auto d = happyEyeballs<int>(clock, {}, attempts.fn());
    auto out = outcome(d);
    REQUIRE(out->has_value());
    CHECK((*out)->failure().check<std::invalid_argument>());
    CHECK(attempts.made.empty());
    CHECK(clock.pendingCalls() == 0);
}
