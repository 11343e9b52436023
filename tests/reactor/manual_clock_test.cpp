// SPDX-License-Identifier: MIT
#include "reactor/manual_clock.h"

#include <doctest/doctest.h>

#include <vector>

using namespace std::chrono_literals;

TEST_CASE("ManualClock runs a call only once time has been advanced to its deadline") {
    weft::ManualClock clock;
    bool fired = false;
    auto call = clock.callLater(5s, [&] { fired = true; });
    CHECK(clock.pendingCalls() == 1);
    clock.advance(4s);
    CHECK_FALSE(fired);
    CHECK(call.active());
    clock.advance(1s);
    CHECK(fired);
    CHECK_FALSE(call.active());
    CHECK(clock.now() == 5s);
    CHECK(clock.pendingCalls() == 0);
}

TEST_CASE("ManualClock starts at zero and moves only when advanced") {
    weft::ManualClock clock;
    CHECK(clock.now() == 0s);
    clock.advance(0s);
    CHECK(clock.now() == 0s);
    clock.advance(1500ms);
    CHECK(clock.now() == 1500ms);
}

TEST_CASE("one advance runs every due call in deadline order, then calls they schedule that are due") {
    weft::ManualClock clock;
    std::vector<int> order;
    clock.callLater(3s, [&] { order.push_back(3); });
    clock.callLater(1s, [&] {
        order.push_back(1);
        clock.callLater(0s, [&] { order.push_back(10); });   // due at the new time: runs now
        clock.callLater(10s, [&] { order.push_back(11); });  // not due
    });
    clock.callLater(2s, [&] { order.push_back(2); });
    clock.advance(10s);
    CHECK(order == std::vector<int>{1, 2, 3, 10});
    CHECK(clock.pendingCalls() == 1);
    clock.advance(10s);
    CHECK(order == std::vector<int>{1, 2, 3, 10, 11});
}

TEST_CASE("ManualClock's calls can be cancelled, reset and delayed") {
    weft::ManualClock clock;
    int ran = 0;
    auto cancelled = clock.callLater(1s, [&] { ran += 100; });
    auto reset = clock.callLater(1s, [&] { ++ran; });
    auto delayed = clock.callLater(1s, [&] { ran += 10; });
    cancelled.cancel();
    clock.advance(500ms);
    reset.reset(1s);    // now due at 1.5s
    delayed.delay(2s);  // now due at 3s
    clock.advance(500ms);
    CHECK(ran == 0);
    clock.advance(500ms);
    CHECK(ran == 1);
    clock.advance(1500ms);
    CHECK(ran == 11);
    CHECK_THROWS_AS(cancelled.reset(1s), weft::AlreadyCancelled);
    CHECK_THROWS_AS(reset.cancel(), weft::AlreadyCalled);
}
