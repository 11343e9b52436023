// SPDX-License-Identifier: MIT
// defer/coroutine.h: functions returning Deferred<T> may be coroutines (Twisted's @inlineCallbacks).
// Tests: tests/defer/coroutine_test.cpp
//
//   weft::Deferred<int> total(weft::Deferred<int> a, weft::Deferred<int> b) {
//       int x = co_await a;          // suspends until `a` fires; a Failure is thrown here
//       co_return x + co_await b;
//   }
//
// The body runs at once, up to the first co_await of a Deferred without a result. An exception
// leaving the body becomes the returned Deferred's Failure; so does `co_return Failure(...)`,
// which is cheaper than a throw when failing is common (a name that does not exist). Cancelling the returned Deferred
// cancels the Deferred being awaited; the coroutine sees CancelledError thrown by that co_await
// and may catch it and go on. Awaiting a Deferred that has fired takes its result without
// suspending, so a loop over a million fired Deferreds uses no stack. While suspended, the frame
// belongs to the awaited Deferred: if that one is destroyed without firing, so is the frame.
#pragma once

#include <coroutine>
#include <cstddef>
#include <new>
#include <exception>
#include <memory>
#include "defer/source_location.h"
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "defer/deferred.h"

namespace weft {
namespace detail {

template <class T>
struct PromiseBase {
    Ref<State<T>> state;
    Result<T> result;

    // One allocation holds the Deferred's state and, after it, the coroutine frame: the frame
    // keeps a reference to the state and gives it up in operator delete, and the block is
    // freed with the state's last reference (State's operator delete).
    static constexpr std::size_t kStateSpace =
        (sizeof(State<T>) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) * alignof(std::max_align_t);

    static void* operator new(std::size_t frameSize) {
        return static_cast<unsigned char*>(::operator new(kStateSpace + frameSize)) + kStateSpace;
    }
    static void operator delete(void* frame) noexcept { stateBefore(frame)->release(); }

    static State<T>* stateBefore(void* frame) noexcept {
        return std::launder(reinterpret_cast<State<T>*>(static_cast<unsigned char*>(frame) - kStateSpace));
    }

    PromiseBase() = default;
    PromiseBase(const PromiseBase&) = delete;
    PromiseBase& operator=(const PromiseBase&) = delete;
    ~PromiseBase() {
        if (state) {  // destroyed without having finished: cancel as usual from now on
            state->coroutine_ = false;
            state->awaiting_ = nullptr;
        }
    }

    // Called by the derived promise's constructor, once the frame's address is known.
    void makeState(void* frame, SourceLocation created) {
        State<T>* s = ::new (static_cast<unsigned char*>(frame) - kStateSpace) State<T>(created);
        s->retain();  // the frame's reference
        s->coroutine_ = true;
        state = Ref<State<T>>(s);
    }

    Deferred<T> get_return_object() { return Deferred<T>(state); }
    std::suspend_never initial_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { result = Failure(std::current_exception()); }

    // Destroys the frame first, then fires: the callbacks may do anything, even start this
    // coroutine again.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> frame) noexcept {
            Ref<State<T>> done = std::move(frame.promise().state);
            Result<T> outcome = std::move(frame.promise().result);
            frame.destroy();
            try {
                if (FinishSlot* slot = std::exchange(done->finishedInto_, nullptr)) {
                    // Resumed by a ResumeStep: it hands this state to drive(), so that a line of
                    // coroutines finishing one after another takes no stack per coroutine.
                    slot->finished = true;
                    if (done->accept(std::move(outcome))) slot->state = std::move(done);
                    return;
                }
                done->fire(std::move(outcome), done);
            } catch (const AlreadyCalledError&) {  // only if fired from outside: nothing to deliver to
            }
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
};

template <class T>
struct DeferredPromise : PromiseBase<T> {
    explicit DeferredPromise(SourceLocation created = SourceLocation::current()) {
        this->makeState(std::coroutine_handle<DeferredPromise>::from_promise(*this).address(), created);
    }
    template <class V>
    void return_value(V&& value) {
        this->result = Result<T>::success(std::forward<V>(value));
    }
    void return_value(Failure failure) { this->result = std::move(failure); }
};

template <>
struct DeferredPromise<void> : PromiseBase<void> {
    explicit DeferredPromise(SourceLocation created = SourceLocation::current()) {
        makeState(std::coroutine_handle<DeferredPromise>::from_promise(*this).address(), created);
    }
    void return_void() { result = Result<void>::success(); }
};

// co_await on a Deferred<U>.
template <class U>
struct DeferredAwaiter {
    Ref<State<U>> awaited;
    Result<U> outcome;
    StateBase** awaitingSlot = nullptr;  // the awaiting coroutine's state's, while suspended

    bool await_ready() {
        const State<U>& s = *awaited;
        if (s.called_ && s.paused_ == 0 && s.result_.pending()) {  // fired, and its result taken
            outcome = Failure(std::logic_error("weft: co_await on a Deferred whose result was handed on"));
            return true;
        }
        if (!awaited->idleWithResult()) return false;
        outcome = awaited->take();
        return true;
    }

    // Owns the suspended frame until the awaited Deferred has a result.
    struct ResumeStep {
        DeferredAwaiter* awaiter;
        std::coroutine_handle<> frame;
        StateBase* awaiterState;  // the awaiting coroutine's; alive while its frame is
        ResumeStep(DeferredAwaiter* a, std::coroutine_handle<> f, StateBase* state) noexcept
            : awaiter(a), frame(f), awaiterState(state) {}
        ResumeStep(ResumeStep&& o) noexcept
            : awaiter(o.awaiter), frame(std::exchange(o.frame, nullptr)), awaiterState(o.awaiterState) {}
        ResumeStep& operator=(ResumeStep&&) = delete;
        // The awaited Deferred goes without firing: the frame goes too. Frames waiting on this
        // coroutine's own Deferred are taken out before it is destroyed and freed here in a
        // loop, so a line of a hundred thousand suspended coroutines takes no stack per frame.
        ~ResumeStep() {
            if (!frame) return;
            std::vector<WaitingFrame> line{{std::exchange(frame, nullptr), awaiterState}};
            while (!line.empty()) {
                WaitingFrame next = line.back();
                line.pop_back();
                next.state->detachWaitingFrames(line);
                next.frame.destroy();
            }
        }
        void detachFrame(void* out) {
            if (frame) static_cast<std::vector<WaitingFrame>*>(out)->push_back({std::exchange(frame, nullptr), awaiterState});
        }
        Ref<StateBase> operator()(State<U>& s, const Ref<StateBase>&) {
            awaiter->outcome = s.take();
            return resume();
        }
        // Another waiter took the result first: this coroutine must not wait forever.
        void abandoned(State<U>&, const Ref<StateBase>&) {
            awaiter->outcome = Failure(std::logic_error("weft: co_await on a Deferred whose result another waiter took"));
            if (Ref<StateBase> finished = resume()) drive(std::move(finished));
        }
        // Resumes the frame; if the coroutine finishes meanwhile, returns its state for drive().
        Ref<StateBase> resume() {
            FinishSlot slot;
            StateBase* state = awaiterState;
            state->finishedInto_ = &slot;
            std::exchange(frame, nullptr).resume();
            if (!slot.finished) state->finishedInto_ = nullptr;  // suspended again: alive in its frame
            return std::move(slot.state);
        }
    };

    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        awaitingSlot = &frame.promise().state->awaiting_;
        *awaitingSlot = awaited.get();
        // The awaited state owns the frame from now on; the frame must not own it back, or
        // dropping every other handle would leave the two keeping each other alive.
        Ref<State<U>> target = std::move(awaited);
        target->addStep(ResumeStep(this, frame, frame.promise().state.get()), target);
    }

    U await_resume() {
        if (awaitingSlot) *awaitingSlot = nullptr;
        if (outcome.failed()) outcome.failureUnchecked().raise();
        if constexpr (!std::is_void_v<U>) return std::move(outcome.valueUnchecked());
    }
};

}  // namespace detail

template <class U>
detail::DeferredAwaiter<U> operator co_await(const Deferred<U>& d) {
    return detail::DeferredAwaiter<U>{d.state(), {}};
}

// `co_await f()`: the temporary lives in the frame until the co_await ends, so take its
// reference rather than share it (see await_suspend).
template <class U>
detail::DeferredAwaiter<U> operator co_await(Deferred<U>&& d) {
    return detail::DeferredAwaiter<U>{std::move(d).releaseState(), {}};
}

}  // namespace weft
