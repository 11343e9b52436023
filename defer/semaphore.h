// SPDX-License-Identifier: MIT
// defer/semaphore.h: DeferredSemaphore and DeferredLock, limits on work in flight.
// Tests: tests/defer/semaphore_test.cpp
//
//   weft::DeferredSemaphore slots(10);               // at most 10 fetches at once
//   for (auto& url : urls) slots.run([&] { return getPage(url); });
//
// acquire() gives a Deferred<void> that fires when a token is free, first come first served;
// cancelling it leaves the queue. run(f) acquires, calls f, and releases when f's Deferred (or
// plain value, or exception) is done. Releasing hands the token to the next waiter in a loop, so
// a release that ends in another release (100,000 queued waiters) uses constant stack.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <utility>

#include "defer/deferred.h"
#include "defer/shortcuts.h"
#include "defer/waiters.h"

namespace weft {

class DeferredSemaphore {
public:
    explicit DeferredSemaphore(std::size_t tokens) : core_(std::make_shared<Core>(tokens)) {
        if (tokens == 0) throw std::invalid_argument("DeferredSemaphore needs at least one token");
    }

    [[nodiscard]] Deferred<void> acquire() {
        Core& core = *core_;
        if (core.free > 0 && core.waiting.empty()) {
            --core.free;
            return succeed();
        }
        Deferred<void> waiter([weak = std::weak_ptr<Core>(core_)](Deferred<void>& self) {
            if (auto c = weak.lock()) c->waiting.remove(self);
        });
        core.waiting.push(waiter);
        return waiter;
    }

    void release() { release(core_); }

    // acquire(), then f(); the token is released when f's outcome is known.
    template <class F>
    auto run(F&& f) {
        using D = decltype(maybeDeferred(f));
        return acquire().addCallback([fn = std::forward<F>(f), weak = std::weak_ptr<Core>(core_)]() mutable -> D {
            D outcome = maybeDeferred(fn);
            outcome.addBoth([weak](auto&& result) {
                if (auto core = weak.lock()) release(core);
                return std::move(result);
            });
            return outcome;
        });
    }

    [[nodiscard]] std::size_t tokens() const noexcept { return core_->free; }
    [[nodiscard]] std::size_t limit() const noexcept { return core_->limit; }
    [[nodiscard]] std::size_t waiting() const noexcept { return core_->waiting.size(); }

private:
    // Shared with the waiters' cancellers and run()'s release, which may outlive the semaphore.
    struct Core {
        explicit Core(std::size_t tokens) : free(tokens), limit(tokens) {}
        std::size_t free;
        std::size_t limit;
        detail::Waiters<void> waiting;
        bool dispatching = false;
    };

    static void release(std::shared_ptr<Core> core) {  // by value: a callback may destroy the semaphore
        if (core->free >= core->limit) throw std::logic_error("DeferredSemaphore released more often than acquired");
        ++core->free;
        if (core->dispatching) return;  // the loop below, further up the stack, hands it on
        core->dispatching = true;
        struct Done {
            Core& core;
            ~Done() { core.dispatching = false; }
        } done{*core};
        while (core->free > 0 && !core->waiting.empty()) {
            Deferred<void> next = core->waiting.pop();
            --core->free;
            next.callback();
        }
    }

    std::shared_ptr<Core> core_;
};

// A semaphore of one: acquire() fires when the lock is free.
class DeferredLock {
public:
    [[nodiscard]] Deferred<void> acquire() { return semaphore_.acquire(); }
    void release() { semaphore_.release(); }
    template <class F>
    auto run(F&& f) {
        return semaphore_.run(std::forward<F>(f));
    }
    [[nodiscard]] bool locked() const noexcept { return semaphore_.tokens() == 0; }
    [[nodiscard]] std::size_t waiting() const noexcept { return semaphore_.waiting(); }

private:
    DeferredSemaphore semaphore_{1};
};

}  // namespace weft
