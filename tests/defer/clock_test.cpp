// SPDX-License-Identifier: MIT
// CallLaterClock and Deferred::addTimeout: the behaviours of Twisted's addTimeout tests, on a
// FakeClock (never the real clock: nothing here sleeps).
#include "defer/clock.h"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "defer/coroutine.h"
#include "defer/deferred.h"
#include "tests/defer/helpers.h"

using namespace std::chrono_literals;
using weft::CancelledError;
using weft::Deferred;
using weft::Failure;
using weft::TimeoutError;
using weft::testing::FakeClock;

namespace {

struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};

// The least a clock needs: callLater returning something with active() and cancel().
struct RecordingClock {
    struct Call {
        bool* pending;
        [[nodiscard]] bool active() const { return *pending; }
        void cancel() { *pending = false; }
    };
    Call callLater(std::chrono::nanoseconds delay, std::function<void()> fn) {
        delays.push_back(delay);
        calls.push_back(std::move(fn));
        return Call{&pending};
    }
    std::vector<std::chrono::nanoseconds> delays;
    std::vector<std::function<void()>> calls;
    bool pending = true;
};

struct NoCallLater {
    void schedule(std::chrono::nanoseconds, std::function<void()>) {}
};

struct HandleWithoutCancel {
    struct Call {
        [[nodiscard]] bool active() const { return true; }
    };
    Call callLater(std::chrono::nanoseconds, std::function<void()>) { return {}; }
};

struct HandleWithoutActive {
    struct Call {
        void cancel() {}
    };
    Call callLater(std::chrono::nanoseconds, std::function<void()>) { return {}; }
};

// Catches CancelledError from the awaited Deferred when `recover` is set.
Deferred<int> awaitWithTimeout(Deferred<int>& inner, bool recover) {
    try {
        co_return co_await inner;
    } catch (const CancelledError&) {
        if (!recover) throw;
    }
    co_return -1;
}

// The what() of the failure's exception if it is an E.
template <class E>
std::string messageOf(const Failure& f) {
    try {
        f.raise();
    } catch (const E& e) {
        return e.what();
    } catch (...) {
    }
    return "not the expected type";
}

}  // namespace

TEST_CASE("a clock is anything with callLater returning a handle with active() and cancel()") {
    static_assert(weft::CallLaterClock<FakeClock>);
    static_assert(weft::CallLaterClock<RecordingClock>);
    static_assert(!weft::CallLaterClock<NoCallLater>);
    static_assert(!weft::CallLaterClock<HandleWithoutCancel>);
    static_assert(!weft::CallLaterClock<HandleWithoutActive>);
    static_assert(!weft::CallLaterClock<int>);
    RecordingClock clock;
    Deferred<int> d;
    d.addTimeout(2s, clock);  // any such clock will do
    REQUIRE(clock.delays.size() == 1);
    CHECK(clock.delays[0] == 2'000'000'000ns);
}

TEST_CASE("addTimeout returns the same Deferred, for chaining") {
    FakeClock clock;
    Deferred<int> d;
    Deferred<int>& same = d.addTimeout(10ms, clock);
    CHECK(same.sameAs(d));
    d.callback(1);
}

TEST_CASE("a Deferred that does not fire in time fails with TimeoutError once the clock gets there") {
    weft::testing::UnhandledErrors unhandled;
    FakeClock clock;
    {
        Deferred<int> d;
        d.addTimeout(10ms, clock);
        CHECK(clock.pendingCalls() == 1);
        clock.advance(9ms);
        CHECK_FALSE(d.called());
        clock.advance(1ms);
        REQUIRE(d.result().failed());
        CHECK(d.result().failure().check<TimeoutError>());
        CHECK_FALSE(d.result().failure().check<CancelledError>());
        CHECK(messageOf<TimeoutError>(d.result().failure()).find("timed out") != std::string::npos);
        std::chrono::nanoseconds after{};
        try {
            d.result().failure().raise();
        } catch (const TimeoutError& e) {
            after = e.after();
            CHECK(e.code() == weft::DeferError::TimedOut);
        }
        CHECK(after == 10ms);
        CHECK(clock.pendingCalls() == 0);
    }
    REQUIRE(unhandled.reports.size() == 1);
    CHECK(unhandled.reports[0].failure.check<TimeoutError>());
}

TEST_CASE("a Deferred that fires in time keeps its value and its clock call is cancelled") {
    FakeClock clock;
    Deferred<std::string> d;
    d.addTimeout(10ms, clock);
    clock.advance(5ms);
    d.callback("in time");
    CHECK(d.result().value() == "in time");
    CHECK(clock.pendingCalls() == 0);
    clock.advance(15ms);
    CHECK(d.result().value() == "in time");
}

TEST_CASE("a Deferred that fails in time keeps its own failure, not TimeoutError") {
    FakeClock clock;
    Deferred<int> d;
    d.addTimeout(10ms, clock);
    d.errback(Failure(Boom()));
    clock.advance(15ms);
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<Boom>());
    CHECK_FALSE(d.result().failure().check<TimeoutError>());
    CHECK(clock.pendingCalls() == 0);
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("addTimeout on a Deferred that has fired cancels its clock call at once") {
    FakeClock clock;
    Deferred<int> d;
    d.callback(3);
    d.addTimeout(10ms, clock);
    CHECK(clock.pendingCalls() == 0);
    clock.advance(15ms);
    CHECK(d.result().value() == 3);
}

TEST_CASE("a timeout calls the Deferred's canceller") {
    weft::testing::UnhandledErrors unhandled;
    FakeClock clock;
    int cancellerCalls = 0;
    {
        Deferred<int> d([&](Deferred<int>&) { ++cancellerCalls; });
        d.addTimeout(10ms, clock);
        clock.advance(10ms);
        CHECK(cancellerCalls == 1);
        CHECK(d.result().failure().check<TimeoutError>());
    }
    CHECK(unhandled.reports.size() == 1);
}

TEST_CASE("a canceller that gives a value on timeout means no TimeoutError") {
    FakeClock clock;
    Deferred<std::string> d([](Deferred<std::string>& self) { self.callback("I was cancelled!"); });
    d.addTimeout(10ms, clock);
    clock.advance(15ms);
    CHECK(d.result().value() == "I was cancelled!");
}

TEST_CASE("a canceller that errbacks another error on timeout passes that error on") {
    FakeClock clock;
    Deferred<int> d([](Deferred<int>& self) { self.errback(Failure(Boom())); });
    d.addTimeout(10ms, clock);
    clock.advance(15ms);
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<Boom>());
    CHECK_FALSE(d.result().failure().check<TimeoutError>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("cancelling before the timeout gives CancelledError and cancels the clock call") {
    FakeClock clock;
    Deferred<int> d;
    d.addTimeout(10ms, clock);
    d.cancel();
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<CancelledError>());
    CHECK(clock.pendingCalls() == 0);
    clock.advance(15ms);
    CHECK(d.result().failure().check<CancelledError>());
    CHECK_FALSE(d.result().failure().check<TimeoutError>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("errbacks added before addTimeout see CancelledError, those added after see TimeoutError") {
    FakeClock clock;
    Deferred<int> d;
    std::vector<std::string> seen;
    d.addErrback([&](Failure& f) -> Failure {
        seen.push_back(f.check<CancelledError>() ? "before: CancelledError" : "before: other");
        return f;
    });
    d.addTimeout(10ms, clock);
    d.addErrback([&](Failure& f) -> Failure {
        seen.push_back(f.check<TimeoutError>() ? "after: TimeoutError" : "after: other");
        return f;
    });
    clock.advance(15ms);
    CHECK(seen == std::vector<std::string>{"before: CancelledError", "after: TimeoutError"});
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<TimeoutError>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("an errback before addTimeout that handles the CancelledError lets the Deferred succeed") {
    FakeClock clock;
    Deferred<int> d;
    int handled = 0;
    d.addErrback([&](Failure& f) {
        f.trap<CancelledError>();
        ++handled;
        return 5;
    });
    d.addTimeout(10ms, clock);
    clock.advance(15ms);
    CHECK(handled == 1);
    CHECK(d.result().value() == 5);
}

TEST_CASE("a timeout on a Deferred waiting on an inner Deferred cancels the inner one") {
    FakeClock clock;
    bool innerCancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { innerCancelled = true; });
    Deferred<int> outer;
    outer.addCallback([inner](int) { return inner; });
    outer.addTimeout(10ms, clock);
    outer.callback(0);
    CHECK(outer.result().pending());  // paused on `inner`
    clock.advance(10ms);
    CHECK(innerCancelled);
    REQUIRE(outer.result().failed());
    CHECK(outer.result().failure().check<TimeoutError>());
    outer.addErrback([](Failure&) { return 0; });
}

TEST_CASE("a timeout on the Deferred addCallback returned cancels the Deferred that feeds it") {
    FakeClock clock;
    Deferred<int> source;
    Deferred<std::string> text = source.addCallback([](int x) { return std::to_string(x); });
    text.addTimeout(10ms, clock);
    clock.advance(10ms);
    REQUIRE(source.called());  // cancelled: its CancelledError went down to `text`
    REQUIRE(text.result().failed());
    CHECK(text.result().failure().check<TimeoutError>());
    text.addErrback([](Failure&) { return std::string(); });
}

TEST_CASE("a timeout on Deferred<void> works the same") {
    FakeClock clock;
    Deferred<void> late;
    late.addTimeout(1s, clock);
    clock.advance(1s);
    REQUIRE(late.result().failed());
    CHECK(late.result().failure().check<TimeoutError>());
    late.addErrback([](Failure& f) { f.trap<TimeoutError>(); });
    CHECK(late.result().succeeded());

    Deferred<void> early;
    early.addTimeout(1s, clock);
    early.callback();
    clock.advance(2s);
    CHECK(early.result().succeeded());
}

TEST_CASE("a timeout on a coroutine's Deferred cancels what the coroutine awaits") {
    FakeClock clock;
    Deferred<int> inner;
    Deferred<int> d = awaitWithTimeout(inner, /*recover=*/false);
    d.addTimeout(10ms, clock);
    clock.advance(10ms);
    CHECK(inner.called());
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<TimeoutError>());
    d.addErrback([](Failure&) { return 0; });

    Deferred<int> inner2;
    Deferred<int> recovered = awaitWithTimeout(inner2, /*recover=*/true);
    recovered.addTimeout(10ms, clock);
    clock.advance(10ms);
    CHECK(recovered.result().value() == -1);  // the coroutine caught it: no TimeoutError
}

TEST_CASE("timeouts fire in deadline order as the clock advances") {
    weft::testing::UnhandledErrors unhandled;
    FakeClock clock;
    std::vector<int> order;
    Deferred<int> slow;
    Deferred<int> fast;
    slow.addTimeout(20ms, clock).addErrback([&](Failure& f) {
        f.trap<TimeoutError>();
        order.push_back(20);
        return 0;
    });
    fast.addTimeout(10ms, clock).addErrback([&](Failure& f) {
        f.trap<TimeoutError>();
        order.push_back(10);
        return 0;
    });
    clock.advance(15ms);
    CHECK(order == std::vector<int>{10});
    clock.advance(15ms);
    CHECK(order == std::vector<int>{10, 20});
    CHECK(unhandled.reports.empty());
}
