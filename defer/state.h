// SPDX-License-Identifier: MIT
// defer/state.h: the machinery behind Deferred<T>; nothing here is public API.
// Tests: tests/defer/deferred_test.cpp (through Deferred)
//
// Theory of operation. A Deferred<T> is a handle on a State<T>: the result (pending, a value or
// a Failure) and a list of steps, each a type-erased callable that transforms the result in
// place. A callback that changes the type (T -> U) is a step that hands the result to a new
// State<U> (a "derived" state) and ends this state's run; the handle addCallback returned points
// there. A callback that returns a Deferred pauses the state until that inner Deferred has run
// its own steps; the inner then hands its result to its "waiter".
//
// Nothing recurses in proportion to the work: drive() runs one state's steps in a loop, and a
// state that finishes tells drive() which state to run next (its waiter, or the derived state
// it forwarded to), so a million links, or a hundred thousand Deferreds each waiting on the
// next, take constant stack (Twisted's _runCallbacks does the same with its `chain` list).
//
// Single-threaded by design: no locks, no atomics beyond std::shared_ptr's own.
#pragma once

#include <cassert>
#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <source_location>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "defer/errors.h"
#include "defer/failure.h"
#include "defer/result.h"
#include "defer/unhandled_error.h"

namespace weft {

template <class T>
class Deferred;

namespace detail {

class StateBase {
public:
    explicit StateBase(std::source_location created) noexcept : created_(created) {}
    virtual ~StateBase() = default;
    StateBase(const StateBase&) = delete;
    StateBase& operator=(const StateBase&) = delete;

    using Later = std::vector<std::shared_ptr<StateBase>>;

    // Runs pending steps; returns the state that should run next (null: nothing to do). A state
    // that hands its result to another before its own steps are done pushes itself on `later`.
    virtual std::shared_ptr<StateBase> runSteps(const std::shared_ptr<StateBase>& self, Later& later) = 0;
    virtual void cancel(const std::shared_ptr<StateBase>& self) = 0;

    [[nodiscard]] std::source_location created() const noexcept { return created_; }

private:
    std::source_location created_;
};

// The trampoline: each state returns the next one instead of calling it.
inline void drive(std::shared_ptr<StateBase> state) {
    StateBase::Later later;  // allocates only if used
    while (state) {
        state = state->runSteps(state, later);
        if (!state && !later.empty()) {
            state = std::move(later.back());
            later.pop_back();
        }
    }
}

template <class T>
class State;

// One entry of a callback chain: a callable stored inline when it is small (most lambdas are),
// on the heap otherwise. run() moves the callable out before calling it, because the callable
// may add steps to its own state and so move the vector that holds it.
template <class T>
class Step {
public:
    using Next = std::shared_ptr<StateBase>;

    template <class Action>
    explicit Step(Action&& action) {
        using A = std::decay_t<Action>;
        if constexpr (fitsInline<A>) {
            ::new (static_cast<void*>(buffer_)) A(std::forward<Action>(action));
            ops_ = &opsFor<A>;
        } else {
            ::new (static_cast<void*>(buffer_)) Boxed<A>{std::make_unique<A>(std::forward<Action>(action))};
            ops_ = &opsFor<Boxed<A>>;
        }
    }
    Step(Step&& other) noexcept : ops_(std::exchange(other.ops_, nullptr)) {
        if (ops_) ops_->relocate(other.buffer_, buffer_);
    }
    Step& operator=(Step&&) = delete;
    ~Step() {
        if (ops_) ops_->destroy(buffer_);
    }

    Next run(State<T>& state, const std::shared_ptr<StateBase>& self) {
        return std::exchange(ops_, nullptr)->run(buffer_, state, self);
    }

private:
    static constexpr std::size_t kInline = 40;

    template <class A>
    static constexpr bool fitsInline = sizeof(A) <= kInline && alignof(A) <= alignof(std::max_align_t) &&
                                       std::is_nothrow_move_constructible_v<A>;

    template <class A>
    struct Boxed {
        std::unique_ptr<A> action;
        Next operator()(State<T>& state, const std::shared_ptr<StateBase>& self) { return (*action)(state, self); }
    };

    struct Ops {
        Next (*run)(void* buffer, State<T>& state, const std::shared_ptr<StateBase>& self);
        void (*relocate)(void* from, void* to) noexcept;
        void (*destroy)(void* buffer) noexcept;
    };

    template <class A>
    static constexpr Ops opsFor{
        [](void* buffer, State<T>& state, const std::shared_ptr<StateBase>& self) -> Next {
            A* stored = std::launder(static_cast<A*>(buffer));
            A action(std::move(*stored));
            stored->~A();
            return action(state, self);
        },
        [](void* from, void* to) noexcept {
            A* source = std::launder(static_cast<A*>(from));
            ::new (to) A(std::move(*source));
            source->~A();
        },
        [](void* buffer) noexcept { std::launder(static_cast<A*>(buffer))->~A(); },
    };

    const Ops* ops_ = nullptr;
    alignas(std::max_align_t) unsigned char buffer_[kInline];
};

template <class T>
class State final : public StateBase {
public:
    using Ptr = std::shared_ptr<State>;
    using Canceller = std::function<void(Deferred<T>&)>;

    explicit State(std::source_location created) noexcept : StateBase(created) {}

    ~State() override {
        if (result_.failed()) reportUnhandledError(result_.failureUnchecked(), created());
        // A long line of states each waiting on the next would otherwise be freed recursively.
        Ptr waiter = std::move(waiter_);
        while (waiter && waiter.use_count() == 1) {
            Ptr next = std::move(waiter->waiter_);
            waiter.reset();
            waiter = std::move(next);
        }
    }

    // Fires the state: callback() / errback() from the producer.
    void fire(Result<T>&& result, const std::shared_ptr<StateBase>& self) {
        if (accept(std::move(result))) drive(self);
    }

    // Takes the result; the caller runs the steps. False: ignored (a producer firing after cancel).
    bool accept(Result<T>&& result) {
        if (called_) {
            if (suppressAlreadyCalled_) {  // the producer firing after a cancel(): expected, ignored once
                suppressAlreadyCalled_ = false;
                return false;
            }
            throw AlreadyCalledError();
        }
        called_ = true;
        result_ = std::move(result);
        return true;
    }

    template <class Action>
    void addStep(Action&& action, const std::shared_ptr<StateBase>& self) {
        if (continued_) {
            throw std::logic_error(
                "weft: this Deferred was continued as another type; add callbacks to the Deferred "
                "that addCallback returned");
        }
        steps_.emplace_back(std::forward<Action>(action));
        if (called_ && !running_ && paused_ == 0) drive(self);
    }

    std::shared_ptr<StateBase> runSteps(const std::shared_ptr<StateBase>& self, Later& later) override {
        if (running_ || paused_ > 0) return nullptr;
        running_ = true;
        while (next_ < steps_.size()) {
            if (result_.pending()) break;  // handed on (awaited, chained): later steps get nothing
            std::shared_ptr<StateBase> handoff = steps_[next_++].run(*this, self);
            if (handoff) {  // gave a result to another state: that one runs first, then the rest here
                running_ = false;
                if (next_ < steps_.size() || waiter_) later.push_back(self);
                else finishRun();
                return handoff;
            }
            if (paused_ > 0) {  // waiting on an inner Deferred
                running_ = false;
                return nullptr;
            }
        }
        finishRun();
        if (waiter_ && !result_.pending()) return handOnToWaiter();
        return nullptr;
    }

    void cancel(const std::shared_ptr<StateBase>& self) override {
        if (!called_) {
            if (std::shared_ptr<StateBase> upstream = upstream_.lock()) {
                upstream->cancel(upstream);  // our result comes from there; a CancelledError flows down
                return;
            }
            if (canceller_) {
                Canceller canceller = canceller_;
                Deferred<T> handle(std::static_pointer_cast<State>(self));
                canceller(handle);
            } else {
                suppressAlreadyCalled_ = true;
            }
            if (!called_ && errbackOnCancel_) fire(Failure(CancelledError()), self);
        } else if (Ptr inner = waitingOn_.lock()) {
            inner->cancel(inner);
        }
    }

    // The step's callback returned `inner`: take its result now if it has one, else wait for it.
    void waitFor(const Ptr& inner, const std::shared_ptr<StateBase>& self) {
        if (inner.get() == this) {
            result_ = Failure(std::logic_error("weft: a callback returned the Deferred it belongs to"));
        } else if (inner->waiter_) {
            result_ = Failure(std::logic_error("weft: a callback returned a Deferred another chain waits on"));
        } else if (inner->continued_) {
            result_ = Failure(std::logic_error("weft: a callback returned a Deferred continued as another type"));
        } else if (inner->called_ && !inner->running_ && inner->paused_ == 0) {
            if (inner->result_.pending()) {
                result_ = Failure(std::logic_error("weft: a callback returned a Deferred already handed on"));
            } else {
                result_ = std::move(inner->result_);
                inner->result_.reset();
            }
        } else {
            result_.reset();
            ++paused_;
            waitingOn_ = inner;
            inner->waiter_ = std::static_pointer_cast<State>(self);
        }
    }

    // Takes the result out (for an awaiting coroutine, a DeferredList...).
    Result<T> take() noexcept {
        Result<T> out = std::move(result_);
        result_.reset();
        return out;
    }

    [[nodiscard]] bool idleWithResult() const noexcept {
        return called_ && !running_ && paused_ == 0 && next_ >= steps_.size();
    }

    Result<T> result_;
    std::vector<Step<T>> steps_;
    std::size_t next_ = 0;                 // first step not yet run
    Ptr waiter_;                           // the chain paused until this one is done
    std::weak_ptr<State> waitingOn_;       // while paused on an inner Deferred: it (to cancel it)
    std::weak_ptr<StateBase> upstream_;    // derived state: where its result will come from
    Canceller canceller_;
    int paused_ = 0;
    bool called_ = false;
    bool running_ = false;
    bool continued_ = false;               // a type-changing step was added: no more steps here
    bool derived_ = false;                 // made by addCallback; fired only by its upstream
    bool suppressAlreadyCalled_ = false;
    bool errbackOnCancel_ = true;          // false for coroutines: the coroutine decides

private:
    void finishRun() {
        steps_.clear();
        next_ = 0;
        running_ = false;
    }

    std::shared_ptr<StateBase> handOnToWaiter() {
        Ptr waiter = std::move(waiter_);
        waiter->result_ = take();
        waiter->waitingOn_.reset();
        --waiter->paused_;
        return waiter;
    }
};

}  // namespace detail
}  // namespace weft
