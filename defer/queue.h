// SPDX-License-Identifier: MIT
// defer/queue.h: DeferredQueue<T>, values handed from producers to consumers that wait.
// Tests: tests/defer/queue_test.cpp
//
// get() gives a Deferred<T> that fires with the oldest value, at once or when one is put();
// getters are served first come first served, and cancelling a get leaves the line. `size`
// bounds the values kept (put() on a full queue throws QueueOverflow) and `backlog` the getters
// waiting (get() then throws QueueUnderflow); both default to unbounded. put() hands values on
// in a loop, so a getter whose callback puts again uses constant stack.
#pragma once

#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <utility>

#include "defer/deferred.h"
#include "defer/errors.h"
#include "defer/shortcuts.h"
#include "defer/waiters.h"

namespace weft {

template <class T>
class DeferredQueue {
public:
    static constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

    explicit DeferredQueue(std::size_t size = kUnbounded, std::size_t backlog = kUnbounded)
        : core_(std::make_shared<Core>(size, backlog)) {}

    void put(T value) {
        Core& core = *core_;
        if (core.values.size() >= core.getters.size() && core.values.size() - core.getters.size() >= core.size)
            throw QueueOverflow();
        core.values.push_back(std::move(value));
        if (core.dispatching) return;  // the loop below, further up the stack, hands it on
        auto keep = core_;             // a getter's callback may destroy the queue
        keep->dispatching = true;
        struct Done {
            Core& core;
            ~Done() { core.dispatching = false; }
        } done{*keep};
        while (!keep->values.empty() && !keep->getters.empty()) {
            Deferred<T> getter = keep->getters.pop();
            T next = std::move(keep->values.front());
            keep->values.pop_front();
            getter.callback(std::move(next));
        }
    }

    [[nodiscard]] Deferred<T> get() {
        Core& core = *core_;
        if (!core.values.empty() && core.getters.empty()) {
            T value = std::move(core.values.front());
            core.values.pop_front();
            return succeed(std::move(value));
        }
        if (core.getters.size() >= core.values.size() && core.getters.size() - core.values.size() >= core.backlog)
            throw QueueUnderflow();
        Deferred<T> getter([weak = std::weak_ptr<Core>(core_)](Deferred<T>& self) {
            if (auto c = weak.lock()) c->getters.remove(self);
        });
        core.getters.push(getter);
        return getter;
    }

    [[nodiscard]] std::size_t size() const noexcept { return core_->values.size(); }
    [[nodiscard]] std::size_t waiting() const noexcept { return core_->getters.size(); }

private:
    struct Core {
        Core(std::size_t size, std::size_t backlog) : size(size), backlog(backlog) {}
        std::size_t size;
        std::size_t backlog;
        std::deque<T> values;
        detail::Waiters<T> getters;
        bool dispatching = false;
    };

    std::shared_ptr<Core> core_;
};

}  // namespace weft
