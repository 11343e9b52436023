// SPDX-License-Identifier: MIT
#include "reactor/timer_heap.h"

#include <limits>

namespace weft {
namespace {

std::chrono::nanoseconds saturatingAdd(std::chrono::nanoseconds a, std::chrono::nanoseconds b) noexcept {
    using Rep = std::chrono::nanoseconds::rep;
    if (b.count() > 0 && a.count() > std::numeric_limits<Rep>::max() - b.count())
        return std::chrono::nanoseconds(std::numeric_limits<Rep>::max());
    return a + b;
}

}  // namespace

TimerHeap::~TimerHeap() {
    for (Slot& slot : heap_) {
        slot.entry->heap = nullptr;
        slot.entry->release();
    }
}

DelayedCall TimerHeap::schedule(std::chrono::nanoseconds delay, std::function<void()> fn) {
    auto* entry = new detail::TimerEntry;  // released by the heap and the handles (TimerEntry::release)
    entry->deadline = saturatingAdd(now_(), std::max(delay, std::chrono::nanoseconds(0)));
    entry->sequence = nextSequence_++;
    entry->heap = this;
    entry->fn = std::move(fn);
    entry->retain();  // the heap's reference
    heap_.push_back(slotOf(entry));
    entry->heapIndex = heap_.size() - 1;
    siftUp(entry->heapIndex);
    return DelayedCall(entry);
}

std::optional<std::chrono::nanoseconds> TimerHeap::nextDeadline() const noexcept {
    if (heap_.empty()) return std::nullopt;
    return std::chrono::nanoseconds(heap_.front().deadline);
}

std::size_t TimerHeap::runDue(std::chrono::nanoseconds now, std::optional<std::uint64_t> before) {
    std::size_t ran = 0;
    while (!heap_.empty()) {
        if (heap_.front().deadline > now.count() || (before && heap_.front().sequence >= *before)) break;
        detail::TimerEntry* top = heap_.front().entry;
        remove(top);  // its reference is ours now
        top->state = detail::TimerEntry::State::Called;
        std::function<void()> fn = std::move(top->fn);
        top->release();
        ++ran;
        fn();  // may schedule and cancel anything (not destroy the heap's owner while it runs)
    }
    return ran;
}

void TimerHeap::remove(detail::TimerEntry* entry) noexcept {
    std::size_t i = entry->heapIndex;
    Slot last = heap_.back();
    heap_.pop_back();
    if (i < heap_.size()) {
        place(i, last);
        siftUp(i);
        siftDown(last.entry->heapIndex);
    }
}

void TimerHeap::reschedule(detail::TimerEntry* entry, std::chrono::nanoseconds deadline) noexcept {
    entry->deadline = deadline;
    entry->sequence = nextSequence_++;
    heap_[entry->heapIndex] = slotOf(entry);
    siftUp(entry->heapIndex);
    siftDown(entry->heapIndex);
}

void TimerHeap::siftUp(std::size_t i) noexcept {
    Slot entry = heap_[i];
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (!before(entry, heap_[parent])) break;
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, entry);
}

void TimerHeap::siftDown(std::size_t i) noexcept {
    Slot entry = heap_[i];
    std::size_t n = heap_.size();
    while (true) {
        std::size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
        if (!before(heap_[child], entry)) break;
        place(i, heap_[child]);
        i = child;
    }
    place(i, entry);
}

void DelayedCall::requireActive() const {
    if (!entry_) throw std::logic_error("DelayedCall: an empty handle");
    if (entry_->state == detail::TimerEntry::State::Called) throw AlreadyCalled();
    if (entry_->state == detail::TimerEntry::State::Cancelled || !entry_->heap) throw AlreadyCancelled();
}

void DelayedCall::cancel() {
    requireActive();
    TimerHeap* heap = entry_->heap;
    entry_->state = detail::TimerEntry::State::Cancelled;
    entry_->heap = nullptr;
    std::function<void()> fn = std::move(entry_->fn);  // its captures go now, not when the handle does
    heap->remove(entry_);
    entry_->release();  // the heap's reference
}

void DelayedCall::reset(std::chrono::nanoseconds fromNow) {
    requireActive();
    TimerHeap* heap = entry_->heap;
    heap->reschedule(entry_, saturatingAdd(heap->now(), std::max(fromNow, std::chrono::nanoseconds(0))));
}

void DelayedCall::delay(std::chrono::nanoseconds by) {
    requireActive();
    entry_->heap->reschedule(entry_, saturatingAdd(entry_->deadline, by));
}

}  // namespace weft
