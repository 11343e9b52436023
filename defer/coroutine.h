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
// leaving the body becomes the returned Deferred's Failure. Cancelling the returned Deferred
// cancels the Deferred being awaited; the coroutine sees CancelledError thrown by that co_await
// and may catch it and go on. Awaiting a Deferred that has fired takes its result without
// suspending, so a loop over a million fired Deferreds uses no stack. While suspended, the frame
// belongs to the awaited Deferred: if that one is destroyed without firing, so is the frame.
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "defer/deferred.h"

namespace weft {
namespace detail {

template <class T>
struct PromiseBase {
    std::shared_ptr<State<T>> state;
    Result<T> result;
    std::weak_ptr<StateBase> awaiting;  // the Deferred the body is suspended on, for cancel()

    explicit PromiseBase(std::source_location created) : state(std::make_shared<State<T>>(created)) {
        state->errbackOnCancel_ = false;
        state->canceller_ = [this](Deferred<T>& self) {
            if (std::shared_ptr<StateBase> awaited = awaiting.lock()) {
                awaited->cancel(awaited);
            } else {  // cancelled from inside its own body: fail now, ignore the body's result later
                self.state()->suppressAlreadyCalled_ = true;
                self.state()->fire(Failure(CancelledError()), self.state());
            }
        };
    }
    ~PromiseBase() {
        if (state) {  // the frame is destroyed without having finished: cancel as usual from now on
            state->canceller_ = nullptr;
            state->errbackOnCancel_ = true;
        }
    }
    PromiseBase(const PromiseBase&) = delete;
    PromiseBase& operator=(const PromiseBase&) = delete;

    Deferred<T> get_return_object() { return Deferred<T>(state); }
    std::suspend_never initial_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { result = Failure(std::current_exception()); }

    // Destroys the frame first, then fires: the callbacks may do anything, even start this
    // coroutine again.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> frame) noexcept {
            std::shared_ptr<State<T>> done = std::move(frame.promise().state);
            Result<T> outcome = std::move(frame.promise().result);
            frame.destroy();
            try {
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
    explicit DeferredPromise(std::source_location created = std::source_location::current())
        : PromiseBase<T>(created) {}
    template <class V>
    void return_value(V&& value) {
        this->result = Result<T>::success(std::forward<V>(value));
    }
};

template <>
struct DeferredPromise<void> : PromiseBase<void> {
    explicit DeferredPromise(std::source_location created = std::source_location::current())
        : PromiseBase<void>(created) {}
    void return_void() { result = Result<void>::success(); }
};

// co_await on a Deferred<U>.
template <class U>
struct DeferredAwaiter {
    std::shared_ptr<State<U>> awaited;
    Result<U> outcome;
    std::weak_ptr<StateBase>* awaitingSlot = nullptr;  // the promise's, while suspended

    bool await_ready() {
        if (!awaited->idleWithResult()) return false;
        outcome = awaited->take();
        if (outcome.pending())
            outcome = Failure(std::logic_error("weft: co_await on a Deferred whose result was handed on"));
        return true;
    }

    // Owns the suspended frame until the awaited Deferred has a result.
    struct ResumeStep {
        DeferredAwaiter* awaiter;
        std::coroutine_handle<> frame;
        ResumeStep(DeferredAwaiter* a, std::coroutine_handle<> f) noexcept : awaiter(a), frame(f) {}
        ResumeStep(ResumeStep&& o) noexcept : awaiter(o.awaiter), frame(std::exchange(o.frame, nullptr)) {}
        ResumeStep& operator=(ResumeStep&&) = delete;
        ~ResumeStep() {
            if (frame) frame.destroy();
        }
        std::shared_ptr<StateBase> operator()(State<U>& s, const std::shared_ptr<StateBase>&) {
            awaiter->outcome = s.take();
            std::exchange(frame, nullptr).resume();
            return nullptr;
        }
    };

    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        awaitingSlot = &frame.promise().awaiting;
        *awaitingSlot = awaited;
        std::shared_ptr<State<U>> target = awaited;  // the step may drop our own reference
        target->addStep(ResumeStep(this, frame), target);
    }

    U await_resume() {
        if (awaitingSlot) awaitingSlot->reset();
        if (outcome.failed()) outcome.failureUnchecked().raise();
        if constexpr (!std::is_void_v<U>) return std::move(outcome.valueUnchecked());
    }
};

}  // namespace detail

template <class U>
detail::DeferredAwaiter<U> operator co_await(const Deferred<U>& d) {
    return detail::DeferredAwaiter<U>{d.state(), {}};
}

}  // namespace weft
