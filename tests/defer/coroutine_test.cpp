// SPDX-License-Identifier: MIT
// Coroutines returning Deferred<T>: the behaviours of Twisted's @inlineCallbacks tests.
#include "defer/coroutine.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "defer/deferred.h"
#include "defer/shortcuts.h"
#include "tests/defer/helpers.h"

using weft::CancelledError;
using weft::Deferred;
using weft::Failure;

namespace {

struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};

// Sets its flag when destroyed: shows whether a suspended frame's locals were destroyed.
struct SetOnDestroy {
    bool& destroyed;
    ~SetOnDestroy() { destroyed = true; }
};

Deferred<int> logAround(std::vector<std::string>& log, Deferred<int>& gate) {
    log.push_back("start");
    int x = co_await gate;
    log.push_back("resumed with " + std::to_string(x));
    co_return x + 1;
}

Deferred<int> twiceOf(Deferred<int> d) { co_return 2 * co_await d; }

Deferred<int> throwsAt(int when, Deferred<int>& gate) {
    if (when == 0) throw Boom();
    int x = co_await gate;
    if (when == 1) throw Boom();
    co_return x;
}

Deferred<std::string> catchesBoom(Deferred<int>& gate) {
    std::string outcome;
    try {
        int x = co_await gate;
        outcome = "value " + std::to_string(x);
    } catch (const Boom& e) {
        outcome = std::string("caught ") + e.what();
    }
    co_return outcome;
}

Deferred<int> awaitOnly(Deferred<int>& gate) { co_return co_await gate; }

Deferred<int> catchesCancel(Deferred<int>& first, Deferred<int>& second, std::vector<std::string>& log) {
    try {
        co_return co_await first;
    } catch (const CancelledError&) {
        log.push_back("cancelled");
    }
    int y = co_await second;
    log.push_back("second gave " + std::to_string(y));
    co_return y;
}

Deferred<int> cancelledToMinusOne(Deferred<int>& gate) {
    try {
        co_return co_await gate;
    } catch (const CancelledError&) {
    }
    co_return -1;
}

Deferred<void> countTwice(Deferred<void>& a, Deferred<void>& b, int& count) {
    co_await a;
    ++count;
    co_await b;
    ++count;
}

Deferred<int> countAfterVoid(Deferred<void>& a) {
    co_await a;
    co_return 7;
}

Deferred<int> innerDoubles(Deferred<int>& gate) { co_return 2 * co_await gate; }

Deferred<int> outerAddsOne(Deferred<int>& gate) {
    int x = co_await innerDoubles(gate);
    co_return x + 1;
}

Deferred<int> holdsLocal(Deferred<int>& source, bool& destroyed) {
    SetOnDestroy local{destroyed};
    co_return co_await source;
}

// A Deferred that only `registry` keeps: co_await pendingIn(registry) awaits a temporary.
Deferred<int> pendingIn(std::vector<Deferred<int>>& registry) {
    registry.emplace_back();
    return registry.back();
}

Deferred<int> holdsLocalAwaitingTemporary(std::vector<Deferred<int>>& registry, bool& destroyed) {
    SetOnDestroy local{destroyed};
    co_return co_await pendingIn(registry);
}

Deferred<int> awaitTwice(Deferred<int>& d) {
    int a = co_await d;
    int b = co_await d;
    co_return a + b;
}

// Awaits `inner` as an rvalue, so that the frame does not keep it (see the destruction test).
Deferred<int> plusOne(Deferred<int> inner) { co_return 1 + co_await std::move(inner); }

int framesAlive = 0;
struct CountFrame {
    CountFrame() { ++framesAlive; }
    ~CountFrame() { --framesAlive; }
    CountFrame(const CountFrame&) = delete;
    CountFrame& operator=(const CountFrame&) = delete;
};

Deferred<int> countedPlusOne(Deferred<int> inner) {
    CountFrame counted;
    co_return 1 + co_await std::move(inner);
}

Deferred<long long> sumOfFired(int n) {
    long long sum = 0;
    for (int i = 0; i < n; ++i) sum += co_await weft::succeed(i);
    co_return sum;
}

Deferred<int> cancelsItself(Deferred<int>& gate, Deferred<int>*& self, std::vector<std::string>& log) {
    int x = co_await gate;
    self->cancel();  // no Deferred awaited right now: the coroutine's own Deferred fails at once
    log.push_back("body went on");
    co_return x;
}

}  // namespace

TEST_CASE("a coroutine runs at once, up to its first co_await of an unfired Deferred") {
    std::vector<std::string> log;
    Deferred<int> gate;
    Deferred<int> d = logAround(log, gate);
    CHECK(log == std::vector<std::string>{"start"});
    CHECK_FALSE(d.called());
    gate.callback(41);
    CHECK(log == std::vector<std::string>{"start", "resumed with 41"});
    CHECK(d.result().value() == 42);
}

TEST_CASE("co_await on a fired Deferred takes its value without suspending and leaves it without one") {
    Deferred<int> fired;
    fired.callback(21);
    Deferred<int> d = twiceOf(fired);
    CHECK(d.called());
    CHECK(d.result().value() == 42);
    CHECK(fired.result().pending());  // handed on to the coroutine, as chaining does
}

TEST_CASE("co_await on a Deferred paused on an inner Deferred resumes once the inner one fires") {
    Deferred<int> outer;
    Deferred<int> inner;
    outer.addCallback([inner](int) { return inner; });
    outer.callback(0);
    Deferred<int> d = twiceOf(outer);
    CHECK_FALSE(d.called());
    inner.callback(5);
    CHECK(d.result().value() == 10);
}

TEST_CASE("an exception thrown before any co_await fails the coroutine's Deferred at once") {
    Deferred<int> gate;
    Deferred<int> d = throwsAt(0, gate);
    REQUIRE(d.called());
    std::string seen;
    d.addErrback([&](Failure& f) {
        seen = f.message();
        return 0;
    });
    CHECK(seen == "boom");
    CHECK(d.result().value() == 0);
}

TEST_CASE("an exception thrown after a co_await becomes the coroutine's Failure") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<int> gate;
        Deferred<int> d = throwsAt(1, gate);
        CHECK_FALSE(d.called());
        gate.callback(3);
        REQUIRE(d.result().failed());
        CHECK(d.result().failure().check<Boom>());
        CHECK(unhandled.reports.empty());
    }
    REQUIRE(unhandled.reports.size() == 1);  // nobody handled it: reported when dropped
    CHECK(unhandled.reports[0].failure.check<Boom>());
}

// Fails by returning a Failure, not by throwing one.
Deferred<int> returnsFailureAfter(Deferred<int>& gate) {
    int n = co_await gate;
    if (n < 0) co_return Failure(Boom());
    co_return n;
}

TEST_CASE("co_return of a Failure fails the coroutine's Deferred with it; other values still succeed") {
    Deferred<int> gate;
    Deferred<int> d = returnsFailureAfter(gate);
    gate.callback(-1);
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<Boom>());
    CHECK(d.result().failure().message() == "boom");
    d.addErrback([](Failure&) { return 0; });

    Deferred<int> gate2;
    Deferred<int> ok = returnsFailureAfter(gate2);
    gate2.callback(4);
    CHECK(ok.result().value() == 4);
}

TEST_CASE("an awaited Failure is thrown at the co_await and the coroutine may catch it") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<int> gate;
        Deferred<std::string> d = catchesBoom(gate);
        gate.errback(Failure(Boom()));
        CHECK(d.result().value() == "caught boom");
        CHECK(gate.result().pending());  // the coroutine took the Failure: nothing left to report
    }
    CHECK(unhandled.reports.empty());
}

TEST_CASE("an awaited Failure the coroutine does not catch fails its Deferred with that exception") {
    Deferred<int> gate;
    Deferred<int> d = awaitOnly(gate);
    gate.errback(Failure(std::out_of_range("no such key")));
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<std::out_of_range>());
    CHECK(d.result().failure().message() == "no such key");
    d.addErrback([](Failure& f) -> int {
        f.trap<std::out_of_range>();
        return 0;
    });
    CHECK(d.result().value() == 0);
}

TEST_CASE("cancelling a coroutine's Deferred cancels the Deferred it awaits") {
    int cancellerCalls = 0;
    Deferred<int> gate([&](Deferred<int>&) { ++cancellerCalls; });
    Deferred<int> d = awaitOnly(gate);
    d.cancel();
    CHECK(cancellerCalls == 1);
    REQUIRE(d.result().failed());  // CancelledError went through the coroutine, uncaught
    CHECK(d.result().failure().check<CancelledError>());
    d.addErrback([](Failure& f) -> int {
        f.trap<CancelledError>();
        return 0;
    });
}

TEST_CASE("a coroutine may catch the CancelledError of a cancel and return a value") {
    Deferred<int> gate;
    Deferred<int> d = cancelledToMinusOne(gate);
    d.cancel();
    CHECK(d.result().value() == -1);
}

TEST_CASE("after catching CancelledError a coroutine may await again; a second cancel reaches the new Deferred") {
    std::vector<std::string> log;
    Deferred<int> first;
    Deferred<int> second;
    Deferred<int> d = catchesCancel(first, second, log);
    d.cancel();
    CHECK(log == std::vector<std::string>{"cancelled"});
    CHECK_FALSE(d.called());  // the coroutine decided to go on
    CHECK(first.result().pending());
    second.callback(7);
    CHECK(log == std::vector<std::string>{"cancelled", "second gave 7"});
    CHECK(d.result().value() == 7);

    std::vector<std::string> log2;
    Deferred<int> first2;
    Deferred<int> second2;
    Deferred<int> d2 = catchesCancel(first2, second2, log2);
    d2.cancel();
    d2.cancel();  // now awaiting second2: that one is cancelled, and not caught
    REQUIRE(d2.result().failed());
    CHECK(d2.result().failure().check<CancelledError>());
    d2.addErrback([](Failure&) { return 0; });
}

TEST_CASE("cancelling a coroutine's Deferred whose awaited Deferred's canceller gives a value resumes with it") {
    Deferred<int> gate([](Deferred<int>& self) { self.callback(99); });
    Deferred<int> d = twiceOf(gate);
    d.cancel();
    CHECK(d.result().value() == 198);
}

TEST_CASE("a coroutine cancelled from inside its own body fails at once and its later result is ignored") {
    std::vector<std::string> log;
    Deferred<int> gate;
    Deferred<int>* self = nullptr;
    Deferred<int> d = cancelsItself(gate, self, log);
    self = &d;
    gate.callback(5);
    CHECK(log == std::vector<std::string>{"body went on"});
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<CancelledError>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("Deferred<void> coroutines co_await Deferred<void> and finish by falling off the end") {
    Deferred<void> a;
    Deferred<void> b;
    int count = 0;
    Deferred<void> d = countTwice(a, b, count);
    CHECK(count == 0);
    a.callback();
    CHECK(count == 1);
    CHECK_FALSE(d.called());
    b.callback();
    CHECK(count == 2);
    CHECK(d.result().succeeded());

    Deferred<void> v;
    Deferred<int> withValue = countAfterVoid(v);
    v.callback();
    CHECK(withValue.result().value() == 7);
}

TEST_CASE("a coroutine may co_await another coroutine") {
    Deferred<int> gate;
    Deferred<int> d = outerAddsOne(gate);
    CHECK_FALSE(d.called());
    gate.callback(20);
    CHECK(d.result().value() == 41);
}

TEST_CASE("cancelling the outer of two nested coroutines cancels what the inner one awaits") {
    Deferred<int> gate;
    Deferred<int> d = outerAddsOne(gate);
    d.cancel();
    CHECK(gate.called());
    CHECK(gate.result().pending());  // its CancelledError was handed on to the inner coroutine
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<CancelledError>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("a suspended frame is destroyed, locals and all, when the Deferred it awaits is dropped unfired") {
    weft::testing::UnhandledErrors unhandled;
    bool destroyed = false;
    {
        Deferred<int> d = [&] {
            Deferred<int> source;
            Deferred<int> result = holdsLocal(source, destroyed);
            CHECK_FALSE(destroyed);
            return result;
        }();  // `source` is gone and nothing else refers to it
        CHECK(destroyed);
        CHECK_FALSE(d.called());
        d.cancel();  // no frame left to decide: an ordinary CancelledError
        REQUIRE(d.result().failed());
        CHECK(d.result().failure().check<CancelledError>());
    }
    CHECK(unhandled.reports.size() == 1);
}

TEST_CASE("a frame awaiting a temporary Deferred is destroyed when the last other handle is dropped") {
    bool destroyed = false;
    std::vector<Deferred<int>> registry;
    Deferred<int> d = holdsLocalAwaitingTemporary(registry, destroyed);
    REQUIRE(registry.size() == 1);
    CHECK_FALSE(destroyed);
    registry.clear();  // e.g. the queue or the connection that would have fired it goes away
    CHECK(destroyed);
    CHECK_FALSE(d.called());
}

TEST_CASE("co_await on a Deferred whose result was already taken fails the coroutine with logic_error") {
    Deferred<int> d;
    d.callback(1);
    Deferred<int> twice = awaitTwice(d);
    REQUIRE(twice.result().failed());
    CHECK(twice.result().failure().check<std::logic_error>());
    twice.addErrback([](Failure& f) -> int {
        f.trap<std::logic_error>();
        return 0;
    });
    CHECK(twice.result().value() == 0);
}

TEST_CASE("a coroutine awaiting 1,000,000 fired Deferreds in a loop runs in constant stack") {
    constexpr int kCount = 1'000'000;
    Deferred<long long> d = sumOfFired(kCount);
    CHECK(d.result().value() == static_cast<long long>(kCount) * (kCount - 1) / 2);
}

TEST_CASE("a second coroutine awaiting the same Deferred gets logic_error when the first takes the result") {
    Deferred<int> gate;
    Deferred<int> first = awaitOnly(gate);
    Deferred<int> second = awaitOnly(gate);
    gate.callback(5);
    CHECK(first.result().value() == 5);
    REQUIRE(second.called());
    REQUIRE(second.result().failed());
    CHECK(second.result().failure().check<std::logic_error>());
    second.addErrback([](Failure&) { return 0; });
}

TEST_CASE("100,000 coroutines, each awaiting the one before, all finish in constant stack") {
    constexpr int kDepth = 100'000;
    Deferred<int> gate;
    Deferred<int> current = gate;
    for (int i = 0; i < kDepth; ++i) current = plusOne(current);  // built without recursion
    gate.callback(0);
    CHECK(current.result().value() == kDepth);
}

TEST_CASE("a line of 100,000 suspended coroutines whose first Deferred is dropped is freed without recursion") {
    constexpr int kDepth = 100'000;
    framesAlive = 0;
    Deferred<int> current;
    {
        Deferred<int> gate;
        current = gate;
        for (int i = 0; i < kDepth; ++i) current = countedPlusOne(current);
        CHECK(framesAlive == kDepth);
    }
    CHECK(framesAlive == 0);
    CHECK_FALSE(current.called());
}
