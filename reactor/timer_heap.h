// SPDX-License-Identifier: MIT
// reactor/timer_heap.h: TimerHeap, the pending DelayedCalls in deadline order.
// Tests: tests/reactor/timer_heap_test.cpp
//
// A binary min-heap on (deadline, sequence): equal deadlines run in the order scheduled, as in
// libuv's timer heap. Each entry knows its slot, so cancel and reset are O(log n). Time is a
// std::chrono::nanoseconds on whatever timeline `now` gives (the monotonic clock for the
// reactor, a counter for ManualClock), so wall-clock jumps change nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "reactor/delayed_call.h"

namespace weft {

class TimerHeap {
public:
    using Now = std::function<std::chrono::nanoseconds()>;

    explicit TimerHeap(Now now) : now_(std::move(now)) {}
    TimerHeap(const TimerHeap&) = delete;
    TimerHeap& operator=(const TimerHeap&) = delete;
    ~TimerHeap();

    // Schedules fn at now() + delay (a negative delay counts as zero; overflow saturates).
    DelayedCall schedule(std::chrono::nanoseconds delay, std::function<void()> fn);

    [[nodiscard]] std::optional<std::chrono::nanoseconds> nextDeadline() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
    [[nodiscard]] std::chrono::nanoseconds now() const { return now_(); }

    // Runs the calls due at `now`, earliest first. With a `before` mark (from sequenceMark()),
    // only calls scheduled before the mark run, so a timer re-armed with delay 0 waits for the
    // next iteration, after I/O; without one, calls scheduled meanwhile run too if due
    // (Twisted's Clock.advance). An exception from a call propagates; the heap stays valid and
    // runDue can simply be called again. Returns how many ran.
    std::size_t runDue(std::chrono::nanoseconds now, std::optional<std::uint64_t> before = std::nullopt);
    [[nodiscard]] std::uint64_t sequenceMark() const noexcept { return nextSequence_; }

private:
    friend class DelayedCall;

    // The ordering key lives in the heap array itself, so sifting compares without touching
    // the entries (a cache miss each); only the moved entry's slot number is written.
    struct Slot {
        std::int64_t deadline;
        std::uint64_t sequence;
        detail::TimerEntry* entry;
    };
    static bool before(const Slot& a, const Slot& b) noexcept {
        return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
    }
    static Slot slotOf(detail::TimerEntry* e) noexcept { return {e->deadline.count(), e->sequence, e}; }
    void remove(detail::TimerEntry* entry) noexcept;   // takes it out of the heap
    void reschedule(detail::TimerEntry* entry, std::chrono::nanoseconds deadline) noexcept;
    void siftUp(std::size_t i) noexcept;
    void siftDown(std::size_t i) noexcept;
    void place(std::size_t i, const Slot& slot) noexcept {
        heap_[i] = slot;
        slot.entry->heapIndex = i;
    }

    Now now_;
    std::vector<Slot> heap_;  // each entry holds one reference
    std::uint64_t nextSequence_ = 0;
};

}  // namespace weft
