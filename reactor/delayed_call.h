// SPDX-License-Identifier: MIT
// reactor/delayed_call.h: DelayedCall, the handle callLater returns (Twisted's IDelayedCall).
// Tests: tests/reactor/timer_heap_test.cpp
//
// cancel() removes the call (O(log n)); reset(d) moves its deadline to d from now, delay(d)
// by d; active() is true until it runs or is cancelled. Cancelling or resetting a call that has
// run or been cancelled throws AlreadyCalled / AlreadyCancelled, as in Twisted. Dropping the
// handle does not cancel the call. Handles are copies of one another and stay safe to use
// after the reactor or clock that made them is gone (active() is then false).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <utility>

namespace weft {

class AlreadyCalled : public std::logic_error {
public:
    AlreadyCalled() : std::logic_error("DelayedCall has already run") {}
};
class AlreadyCancelled : public std::logic_error {
public:
    AlreadyCancelled() : std::logic_error("DelayedCall was cancelled") {}
};

class TimerHeap;

namespace detail {

// One scheduled call, shared by the heap (while pending) and the handles.
struct TimerEntry {
    enum class State : std::uint8_t { Pending, Called, Cancelled };

    std::chrono::nanoseconds deadline{0};
    std::uint64_t sequence = 0;      // ties on equal deadlines: first scheduled, first run
    std::size_t heapIndex = 0;
    TimerHeap* heap = nullptr;       // null once the heap is gone
    std::function<void()> fn;
    std::uint32_t refs = 0;
    State state = State::Pending;

    void retain() noexcept { ++refs; }
    void release() noexcept {
        if (--refs == 0) delete this;  // intrusive count: single-threaded, one allocation per timer
    }
};

}  // namespace detail

class DelayedCall {
public:
    DelayedCall() noexcept = default;
    explicit DelayedCall(detail::TimerEntry* entry) noexcept : entry_(entry) {
        if (entry_) entry_->retain();
    }
    DelayedCall(const DelayedCall& other) noexcept : DelayedCall(other.entry_) {}
    DelayedCall(DelayedCall&& other) noexcept : entry_(std::exchange(other.entry_, nullptr)) {}
    DelayedCall& operator=(DelayedCall other) noexcept {
        std::swap(entry_, other.entry_);
        return *this;
    }
    ~DelayedCall() {
        if (entry_) entry_->release();
    }

    [[nodiscard]] bool active() const noexcept {
        return entry_ && entry_->state == detail::TimerEntry::State::Pending && entry_->heap;
    }
    void cancel();
    void reset(std::chrono::nanoseconds fromNow);
    void delay(std::chrono::nanoseconds by);
    // The deadline, on the timeline of the clock that made it.
    [[nodiscard]] std::chrono::nanoseconds getTime() const noexcept { return entry_ ? entry_->deadline : std::chrono::nanoseconds(0); }

private:
    void requireActive() const;
    detail::TimerEntry* entry_ = nullptr;
};

}  // namespace weft
