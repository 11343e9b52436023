// SPDX-License-Identifier: MIT
// defer/clock.h: CallLaterClock, what addTimeout needs from a clock, so defer/ needs no reactor.
// Tests: tests/defer/clock_test.cpp
//
// Any object with callLater(delay, fn) returning a handle with active() and cancel() will do:
// the reactor, its deterministic test Clock, or a test's own fake.
#pragma once

#include <chrono>
#include <functional>

namespace weft {

template <class C>
concept CallLaterClock = requires(C& clock, std::chrono::nanoseconds delay, std::function<void()> fn) {
    clock.callLater(delay, std::move(fn));
    requires requires(decltype(clock.callLater(delay, std::move(fn))) call) {
        { call.active() } -> std::convertible_to<bool>;
        call.cancel();
    };
};

}  // namespace weft
