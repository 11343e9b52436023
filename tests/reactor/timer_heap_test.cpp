// SPDX-License-Identifier: MIT
#include "reactor/timer_heap.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "reactor/delayed_call.h"

using namespace std::chrono_literals;
using weft::DelayedCall;
using weft::TimerHeap;

namespace {

// A heap on a timeline the test moves by hand.
struct Timeline {
    std::chrono::nanoseconds now{0};
    TimerHeap heap{[this] { return now; }};
    std::size_t advance(std::chrono::nanoseconds by) {
        now += by;
        return heap.runDue(now);
    }
};

}  // namespace

TEST_CASE("TimerHeap runs calls in deadline order, only once due") {
    Timeline t;
    std::vector<int> order;
    t.heap.schedule(30ms, [&] { order.push_back(30); });
    t.heap.schedule(10ms, [&] { order.push_back(10); });
    t.heap.schedule(20ms, [&] { order.push_back(20); });
    CHECK(t.heap.size() == 3);
    CHECK(t.heap.nextDeadline() == 10ms);
    CHECK(t.advance(9ms) == 0);
    CHECK(order.empty());
    CHECK(t.advance(1ms) == 1);
    CHECK(order == std::vector<int>{10});
    CHECK(t.advance(100ms) == 2);
    CHECK(order == std::vector<int>{10, 20, 30});
    CHECK(t.heap.size() == 0);
    CHECK_FALSE(t.heap.nextDeadline());
}

TEST_CASE("calls with equal deadlines run in the order they were scheduled") {
    Timeline t;
    std::vector<int> order;
    for (int i = 0; i < 200; ++i) t.heap.schedule(5ms, [&order, i] { order.push_back(i); });
    t.heap.schedule(4ms, [&] { order.push_back(-1); });
    t.advance(5ms);
    REQUIRE(order.size() == 201);
    CHECK(order.front() == -1);
    for (int i = 0; i < 200; ++i) CHECK(order[static_cast<std::size_t>(i) + 1] == i);
}

TEST_CASE("a reset call goes behind calls already waiting for the same deadline") {
    Timeline t;
    std::vector<char> order;
    DelayedCall a = t.heap.schedule(5ms, [&] { order.push_back('a'); });
    t.heap.schedule(5ms, [&] { order.push_back('b'); });
    a.reset(5ms);
    t.advance(5ms);
    CHECK(order == std::vector<char>{'b', 'a'});
}

TEST_CASE("cancel removes a call; active() says whether it is still pending") {
    Timeline t;
    int ran = 0;
    DelayedCall a = t.heap.schedule(1ms, [&] { ++ran; });
    DelayedCall b = t.heap.schedule(2ms, [&] { ++ran; });
    CHECK(a.active());
    a.cancel();
    CHECK_FALSE(a.active());
    CHECK(t.heap.size() == 1);
    t.advance(10ms);
    CHECK(ran == 1);
    CHECK_FALSE(b.active());
}

TEST_CASE("cancel, reset and delay throw AlreadyCalled after the call ran, AlreadyCancelled after cancel") {
    Timeline t;
    DelayedCall ran = t.heap.schedule(1ms, [] {});
    t.advance(1ms);
    CHECK_THROWS_AS(ran.cancel(), weft::AlreadyCalled);
    CHECK_THROWS_AS(ran.reset(1ms), weft::AlreadyCalled);
    CHECK_THROWS_AS(ran.delay(1ms), weft::AlreadyCalled);

    DelayedCall cancelled = t.heap.schedule(1ms, [] {});
    cancelled.cancel();
    CHECK_THROWS_AS(cancelled.cancel(), weft::AlreadyCancelled);
    CHECK_THROWS_AS(cancelled.reset(1ms), weft::AlreadyCancelled);
    CHECK_THROWS_AS(cancelled.delay(1ms), weft::AlreadyCancelled);

    DelayedCall empty;
    CHECK_FALSE(empty.active());
    CHECK_THROWS_AS(empty.cancel(), std::logic_error);
    CHECK(empty.getTime() == 0ns);
}

TEST_CASE("reset moves the deadline to `d` from now; delay pushes it back by `d`") {
    Timeline t;
    int ran = 0;
    t.now = 100ms;
    DelayedCall call = t.heap.schedule(10ms, [&] { ++ran; });
    CHECK(call.getTime() == 110ms);
    t.advance(5ms);
    call.reset(10ms);  // from 105ms
    CHECK(call.getTime() == 115ms);
    call.delay(5ms);
    CHECK(call.getTime() == 120ms);
    call.delay(-15ms);  // earlier is allowed too
    CHECK(call.getTime() == 105ms);
    call.delay(15ms);
    CHECK(t.advance(14ms) == 0);
    CHECK(t.advance(1ms) == 1);
    CHECK(ran == 1);
}

TEST_CASE("a negative delay counts as zero and a huge one saturates instead of wrapping") {
    Timeline t;
    t.now = 1s;
    DelayedCall past = t.heap.schedule(-5s, [] {});
    CHECK(past.getTime() == 1s);
    DelayedCall never = t.heap.schedule(std::chrono::nanoseconds::max(), [] {});
    CHECK(never.getTime() == std::chrono::nanoseconds::max());
    never.delay(1h);
    CHECK(never.getTime() == std::chrono::nanoseconds::max());
    CHECK(t.advance(0ns) == 1);
    CHECK(t.heap.nextDeadline() == std::chrono::nanoseconds::max());
}

TEST_CASE("cancel drops the callable's captures at once") {
    Timeline t;
    auto payload = std::make_shared<int>(7);
    DelayedCall call = t.heap.schedule(1s, [payload] { (void)payload; });
    CHECK(payload.use_count() == 2);
    call.cancel();
    CHECK(payload.use_count() == 1);
}

TEST_CASE("dropping a handle does not cancel the call; copies share one call") {
    Timeline t;
    int ran = 0;
    { DelayedCall dropped = t.heap.schedule(1ms, [&] { ++ran; }); }
    DelayedCall a = t.heap.schedule(1ms, [&] { ran += 10; });
    DelayedCall b = a;
    DelayedCall c;
    c = b;
    b.cancel();
    CHECK_FALSE(a.active());
    CHECK_FALSE(c.active());
    t.advance(1ms);
    CHECK(ran == 1);
}

TEST_CASE("a running call may cancel a due call, schedule more, and cannot cancel itself") {
    Timeline t;
    std::vector<int> order;
    DelayedCall second;
    DelayedCall self;
    self = t.heap.schedule(1ms, [&] {
        order.push_back(1);
        CHECK_FALSE(self.active());
        CHECK_THROWS_AS(self.cancel(), weft::AlreadyCalled);
        second.cancel();
        t.heap.schedule(0ms, [&] { order.push_back(3); });  // due now: runs in this runDue
        t.heap.schedule(1ms, [&] { order.push_back(4); });  // not due yet
    });
    second = t.heap.schedule(1ms, [&] { order.push_back(2); });
    t.advance(1ms);
    CHECK(order == std::vector<int>{1, 3});
    t.advance(1ms);
    CHECK(order == std::vector<int>{1, 3, 4});
}

TEST_CASE("with a sequence mark, runDue leaves calls scheduled meanwhile for the next turn") {
    Timeline t;
    int ran = 0;
    std::function<void()> again = [&] {
        ++ran;
        t.heap.schedule(0ms, again);
    };
    t.heap.schedule(0ms, again);
    CHECK(t.heap.runDue(t.now, t.heap.sequenceMark()) == 1);
    CHECK(t.heap.runDue(t.now, t.heap.sequenceMark()) == 1);
    CHECK(ran == 2);
    CHECK(t.heap.size() == 1);
}

TEST_CASE("an exception from a call propagates; the heap stays usable and runs the rest") {
    Timeline t;
    std::vector<int> order;
    t.heap.schedule(1ms, [&] { order.push_back(1); });
    t.heap.schedule(1ms, [] { throw std::runtime_error("boom"); });
    t.heap.schedule(1ms, [&] { order.push_back(3); });
    t.now = 1ms;
    CHECK_THROWS_AS(t.heap.runDue(t.now), std::runtime_error);
    CHECK(order == std::vector<int>{1});
    CHECK(t.heap.size() == 1);
    CHECK(t.heap.runDue(t.now) == 1);
    CHECK(order == std::vector<int>{1, 3});
}

TEST_CASE("handles outlive their heap: they become inactive, and the captures go with the heap") {
    auto payload = std::make_shared<int>(1);
    DelayedCall call;
    {
        Timeline t;
        call = t.heap.schedule(1s, [payload] { (void)payload; });
        CHECK(call.active());
    }
    CHECK_FALSE(call.active());
    CHECK_THROWS_AS(call.cancel(), weft::AlreadyCancelled);
    CHECK_THROWS_AS(call.reset(1s), weft::AlreadyCancelled);
}

TEST_CASE("a million pending calls can be scheduled, a third cancelled, and the rest run in order") {
    // Correctness at scale, not speed: deadlines collide a lot (1000 distinct values), so the
    // sequence tie-break is exercised too; cancellation hits every part of the heap.
    constexpr std::size_t n = 1'000'000;
    Timeline t;
    std::vector<std::int64_t> deadline(n);
    std::vector<DelayedCall> calls;
    calls.reserve(n);
    std::vector<std::uint32_t> fired;
    fired.reserve(n);
    std::uint64_t lcg = 12345;
    for (std::size_t i = 0; i < n; ++i) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        deadline[i] = static_cast<std::int64_t>((lcg >> 33) % 1000);
        auto index = static_cast<std::uint32_t>(i);
        calls.push_back(t.heap.schedule(std::chrono::nanoseconds(deadline[i]), [&fired, index] { fired.push_back(index); }));
    }
    CHECK(t.heap.size() == n);
    std::size_t cancelled = 0;
    std::vector<bool> wasCancelled(n);
    for (std::size_t i = 0; i < n; ++i) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((lcg >> 40) % 3 == 0) {
            calls[i].cancel();
            wasCancelled[i] = true;
            ++cancelled;
        }
    }
    CHECK(t.heap.size() == n - cancelled);
    CHECK(t.advance(999ns) == n - cancelled);
    REQUIRE(fired.size() == n - cancelled);
    bool ordered = true;
    bool onlyLive = true;
    for (std::size_t k = 0; k < fired.size(); ++k) {
        onlyLive = onlyLive && !calls[fired[k]].active() && calls[fired[k]].getTime().count() == deadline[fired[k]];
        if (k == 0) continue;
        std::uint32_t a = fired[k - 1], b = fired[k];
        ordered = ordered && (deadline[a] < deadline[b] || (deadline[a] == deadline[b] && a < b));
    }
    CHECK(ordered);
    CHECK(onlyLive);
    std::vector<bool> seen(n);
    for (std::uint32_t i : fired) seen[i] = true;
    std::size_t wrong = 0;  // cancelled and run, or neither
    for (std::size_t i = 0; i < n; ++i) wrong += wasCancelled[i] == seen[i] ? 1 : 0;
    CHECK(wrong == 0);
}
