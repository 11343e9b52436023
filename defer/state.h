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
// Single-threaded by design: no locks, no atomics, a plain reference count (defer/ref.h).
#pragma once

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include "defer/source_location.h"
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "defer/errors.h"
#include "defer/failure.h"
#include "defer/ref.h"
#include "defer/result.h"
#include "defer/step_list.h"
#include "defer/unhandled_error.h"

namespace weft {

template <class T>
class Deferred;

namespace detail {

class StateBase;

// See StateBase::finishedInto_.
struct FinishSlot {
    Ref<StateBase> state;   // set if the coroutine finished and its state has steps to run
    bool finished = false;  // the coroutine finished (its state may be gone)
};

// A suspended coroutine frame waiting on some state, and the state of that coroutine.
struct WaitingFrame {
    std::coroutine_handle<> frame;
    StateBase* state;
};

class StateBase : public RefCounted {
public:
    explicit StateBase(SourceLocation created) noexcept : created_(created) {}

    using Later = std::vector<Ref<StateBase>>;

    // Runs pending steps; returns the state that should run next (null: nothing to do). A state
    // that hands its result to another before its own steps are done pushes itself on `later`.
    virtual Ref<StateBase> runSteps(const Ref<StateBase>& self, Later& later) = 0;
    virtual void cancel(const Ref<StateBase>& self) = 0;
    // Moves out the suspended frames waiting on this state (to free a line of them in a loop).
    virtual void detachWaitingFrames(std::vector<WaitingFrame>& out) = 0;

    // While a step resumes this coroutine: where to leave the state if the coroutine finishes
    // inside that resume, so that the step hands it to drive() instead of nesting (coroutine.h).
    FinishSlot* finishedInto_ = nullptr;

    [[nodiscard]] SourceLocation created() const noexcept { return created_; }

private:
    SourceLocation created_;
};

// The trampoline: each state returns the next one instead of calling it.
inline void drive(Ref<StateBase> state) {
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
class State final : public StateBase {
public:
    using Ptr = Ref<State>;
    using Canceller = std::function<void(Deferred<T>&)>;
    // A step: runs once on this state; returns a state to run next when it handed the result on.
    using StepType = Step<Ref<StateBase>, State&, const Ref<StateBase>&>;

    explicit State(SourceLocation created) noexcept : StateBase(created) {}

    ~State() override {
        if (result_.failed()) reportUnhandledError(result_.failureUnchecked(), created());
        if (!waiter_) return;
        waiter_->waitingOn_ = nullptr;
        // A long line of states each waiting on the next would otherwise be freed recursively.
        Ptr waiter = std::move(waiter_);
        while (waiter && waiter->refCount() == 1) {
            Ptr next = std::move(waiter->waiter_);
            if (next) next->waitingOn_ = nullptr;
            waiter.reset();
            waiter = std::move(next);
        }
    }

    // Fires the state: callback() / errback() from the producer.
    void fire(Result<T>&& result, const Ref<StateBase>& self) {
        if (accept(std::move(result)) && (next_ < steps_.size() || waiter_)) drive(self);
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
    void addStep(Action&& action, const Ref<StateBase>& self) {
        if (continued_) {
            throw std::logic_error(
                "weft: this Deferred was continued as another type; add callbacks to the Deferred "
                "that addCallback returned");
        }
        steps_.push(std::forward<Action>(action));
        if (called_ && !running_ && paused_ == 0) drive(self);
    }

    Ref<StateBase> runSteps(const Ref<StateBase>& self, Later& later) override {
        if (running_ || paused_ > 0) return nullptr;
        running_ = true;
        while (next_ < steps_.size()) {
            if (result_.pending()) {  // handed on (awaited, chained): later steps get nothing
                abandonRest(self);
                break;
            }
            Ref<StateBase> handoff = steps_[next_++].runOnce(*this, self);
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

    void cancel(const Ref<StateBase>& self) override {
        if (!called_) {
            if (upstream_) {  // our result comes from there; a CancelledError flows down
                Ref<StateBase> upstream(upstream_);
                upstream->cancel(upstream);
                return;
            }
            if (coroutine_) {  // the coroutine decides: it sees CancelledError where it waits
                if (awaiting_) {
                    Ref<StateBase> awaited(awaiting_);
                    awaited->cancel(awaited);
                } else {  // cancelled from inside its own body: fail now, ignore its result later
                    suppressAlreadyCalled_ = true;
                    fire(Failure(CancelledError()), self);
                }
                return;
            }
            if (canceller_) {
                Canceller canceller = canceller_;
                Deferred<T> handle(self.template downcast<State>());
                canceller(handle);
            } else {
                suppressAlreadyCalled_ = true;
            }
            if (!called_) fire(Failure(CancelledError()), self);
        } else if (waitingOn_) {
            Ref<StateBase> inner(waitingOn_);
            inner->cancel(inner);
        }
    }

    // The step's callback returned `inner`: take its result now if it has one, else wait for it.
    void waitFor(const Ptr& inner, const Ref<StateBase>& self) {
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
            waitingOn_ = inner.get();
            inner->waiter_ = self.template downcast<State>();
        }
    }

    void detachWaitingFrames(std::vector<WaitingFrame>& out) override {
        for (std::size_t i = next_; i < steps_.size(); ++i) steps_[i].detachFrame(out);
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
    StepList<StepType> steps_;
    std::size_t next_ = 0;                 // first step not yet run
    Ptr waiter_;                           // the chain paused until this one is done
    State* waitingOn_ = nullptr;           // while paused on an inner Deferred: it (it owns us)
    StateBase* upstream_ = nullptr;        // derived state: where its result will come from; its
                                           // forwarding step clears this when it runs or dies
    Canceller canceller_;
    int paused_ = 0;
    bool called_ = false;
    bool running_ = false;
    bool continued_ = false;               // a type-changing step was added: no more steps here
    bool derived_ = false;                 // made by addCallback; fired only by its upstream
    bool suppressAlreadyCalled_ = false;
    bool coroutine_ = false;               // fired by a coroutine's return; cancel goes to awaiting_
    StateBase* awaiting_ = nullptr;        // what the suspended coroutine waits on (it owns the frame)
    // Frees with the unsized delete: a coroutine's state shares one allocation with its frame
    // (defer/coroutine.h), so sizeof(State) is not the allocation's size.
    static void operator delete(void* p) noexcept { ::operator delete(p); }

private:
    // Steps left when the result was handed on: those that must not wait forever (a suspended
    // coroutine) are told; the rest are dropped.
    void abandonRest(const Ref<StateBase>& self) {
        while (next_ < steps_.size()) steps_[next_++].abandon(*this, self);
    }

    void finishRun() {
        steps_.clear();
        next_ = 0;
        running_ = false;
    }

    Ref<StateBase> handOnToWaiter() {
        Ptr waiter = std::move(waiter_);
        waiter->result_ = take();
        waiter->waitingOn_ = nullptr;
        --waiter->paused_;
        return waiter;
    }
};

// Held by the step that feeds a derived state; a derived state whose feeder is gone (never
// ran, destroyed) forgets it, so cancel() does not reach a dead state.
template <class U>
struct DerivedLink {
    Ref<State<U>> target;
    DerivedLink() = default;
    DerivedLink(DerivedLink&&) noexcept = default;
    DerivedLink& operator=(DerivedLink&&) noexcept = default;
    ~DerivedLink() {
        if (target) target->upstream_ = nullptr;
    }
};

}  // namespace detail
}  // namespace weft
