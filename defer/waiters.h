// SPDX-License-Identifier: MIT
// defer/waiters.h: Waiters<T>, a first-come-first-served line of Deferreds waiting for something.
// Tests: tests/defer/semaphore_test.cpp, tests/defer/queue_test.cpp (through their users)
//
// What DeferredSemaphore and DeferredQueue share: waiters join at the back, are served from the
// front, and one that is cancelled leaves the line (its canceller calls remove()).
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <utility>

#include "defer/deferred.h"

namespace weft::detail {

template <class T>
class Waiters {
public:
    void push(Deferred<T> waiter) { line_.push_back(std::move(waiter)); }
    Deferred<T> pop() {
        Deferred<T> first = std::move(line_.front());
        line_.pop_front();
        return first;
    }
    void remove(const Deferred<T>& waiter) {
        auto it = std::find_if(line_.begin(), line_.end(), [&](const Deferred<T>& d) { return d.sameAs(waiter); });
        if (it != line_.end()) line_.erase(it);
    }
    [[nodiscard]] bool empty() const noexcept { return line_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return line_.size(); }

private:
    std::deque<Deferred<T>> line_;
};

}  // namespace weft::detail
