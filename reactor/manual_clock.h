// SPDX-License-Identifier: MIT
// reactor/manual_clock.h: ManualClock, time that moves only when a test says so (Twisted's
// twisted.internet.task.Clock). Anything that takes a clock with callLater (addTimeout, the
// reconnecting factory, the resolver) can be tested with it, and no test sleeps.
// Tests: tests/reactor/manual_clock_test.cpp
//
//   weft::ManualClock clock;
//   auto call = clock.callLater(5s, [&] { fired = true; });
//   clock.advance(4s);   // nothing yet
//   clock.advance(1s);   // fired
#pragma once

#include <chrono>
#include <functional>

#include "reactor/delayed_call.h"
#include "reactor/timer_heap.h"

namespace weft {

class ManualClock {
public:
    ManualClock() : timers_([this] { return now_; }) {}

    DelayedCall callLater(std::chrono::nanoseconds delay, std::function<void()> fn) {
        return timers_.schedule(delay, std::move(fn));
    }
    // Moves time forward and runs what has come due, including calls those calls schedule
    // for no later than the new time.
    void advance(std::chrono::nanoseconds by) {
        now_ += by;
        timers_.runDue(now_);
    }
    [[nodiscard]] std::chrono::nanoseconds now() const noexcept { return now_; }
    [[nodiscard]] std::size_t pendingCalls() const noexcept { return timers_.size(); }

private:
    std::chrono::nanoseconds now_{0};
    TimerHeap timers_;
};

}  // namespace weft
