// SPDX-License-Identifier: MIT
// defer/deferred.h: Deferred<T>, a result that is not there yet, and the callbacks waiting for it.
// Tests: tests/defer/deferred_test.cpp
//
// The semantics are Twisted's twisted.internet.defer.Deferred, typed:
// - callback(value) / errback(failure) fire it once (twice is AlreadyCalledError). Callbacks
//   added before or after firing run in order, as soon as there is a result.
// - addCallback(f): f(T) may return a T (same Deferred, returned by reference), another type U
//   (returns a Deferred<U> continuing the chain; add further callbacks to that one), void
//   (Deferred<void>), a Deferred<U> (the chain pauses until that one fires and continues with
//   its result), or a Failure; if f throws, the chain switches to the errback path.
// - addErrback(f): f(Failure&) recovers with a T (or a Deferred<T>), or throws / returns a
//   Failure to pass an error on. failure.trap<E>() rethrows anything that is not an E.
// - addBoth(f): f(Result<T>) sees either outcome. addCallbacks(cb, eb): one step, two paths.
// - cancel(): calls the canceller given at construction, else errbacks with CancelledError (a
//   later callback() from the producer is then ignored once, as in Twisted). A Deferred paused
//   on an inner one cancels the inner one.
// - addTimeout(duration, clock): CancelledError becomes TimeoutError if the clock's call fired.
// - A Deferred still holding a Failure when its last handle goes away reports it through
//   setUnhandledErrorHook (default: stderr) with where it was created.
// - A Deferred whose result was handed on (returned from a callback, co_awaited, collected by a
//   DeferredList) is left without one; callbacks added to it afterwards never run.
// Deferred is a cheap shared handle: copies refer to the same chain. Single-threaded by design:
// fire and add callbacks from one thread (the reactor's); use callFromThread to get there.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include "defer/source_location.h"
#include <type_traits>
#include <utility>

#include "defer/clock.h"
#include "defer/errors.h"
#include "defer/failure.h"
#include "defer/result.h"
#include "defer/state.h"

namespace weft {

namespace detail {
template <class T>
struct DeferredPromise;  // defer/coroutine.h

template <class R>
struct IsDeferred : std::false_type {};
template <class U>
struct IsDeferred<Deferred<U>> : std::true_type {};
template <class R>
struct IsResult : std::false_type {};
template <class U>
struct IsResult<Result<U>> : std::true_type {};

// The type of the value a step hands on when its function returns an R on a Deferred<T>.
template <class T, class R>
struct Downstream {
    using type = R;
};
template <class T>
struct Downstream<T, Failure> {
    using type = T;
};
template <class T, class U>
struct Downstream<T, Deferred<U>> {
    using type = U;
};
template <class T, class U>
struct Downstream<T, Result<U>> {
    using type = U;
};
template <class T, class R>
using DownstreamOf = typename Downstream<T, std::remove_cvref_t<R>>::type;

template <class T, class F>
struct CallbackReturn : std::invoke_result<F, T&&> {};
template <class F>
struct CallbackReturn<void, F> : std::invoke_result<F> {};

template <class T, class F>
decltype(auto) callWithValue(F& f, Result<T>& result) {
    if constexpr (std::is_void_v<T>) return f();
    else return f(std::move(result.valueUnchecked()));
}
}  // namespace detail

template <class T = void>
class Deferred {
public:
    using value_type = T;
    using Value = ValueOf<T>;
    using Canceller = std::function<void(Deferred&)>;
    using promise_type = detail::DeferredPromise<T>;

    explicit Deferred(SourceLocation created = SourceLocation::current())
        : state_(detail::makeRef<detail::State<T>>(created)) {}
    explicit Deferred(Canceller canceller, SourceLocation created = SourceLocation::current())
        : Deferred(created) {
        state_->canceller_ = std::move(canceller);
    }

    void callback(Value value)
        requires(!std::is_void_v<T>)
    {
        fire(Result<T>::success(std::move(value)));
    }
    void callback()
        requires std::is_void_v<T>
    {
        fire(Result<T>::success());
    }
    void errback(Failure failure) { fire(Result<T>(std::move(failure))); }

    template <class F>
    decltype(auto) addCallback(F&& f) {
        using D = std::decay_t<F>;
        using U = detail::DownstreamOf<T, typename detail::CallbackReturn<T, D&>::type>;
        if constexpr (std::is_same_v<U, T>) {
            state_->addStep(ValueStep<D>{std::forward<F>(f)}, state_);
            return *this;
        } else {
            return continueAs<U>(ForwardStep<U, D, PassFailure>{{}, std::forward<F>(f), {}});
        }
    }

    template <class F>
    Deferred& addErrback(F&& f) {
        using R = std::invoke_result_t<std::decay_t<F>&, Failure&>;
        static_assert(std::is_same_v<detail::DownstreamOf<T, R>, T>,
                      "an errback recovers with the Deferred's own type (or a Deferred of it, or a Failure)");
        state_->addStep(FailureStep<std::decay_t<F>>{std::forward<F>(f)}, state_);
        return *this;
    }

    template <class F>
    decltype(auto) addBoth(F&& f) {
        using D = std::decay_t<F>;
        using U = detail::DownstreamOf<T, std::invoke_result_t<D&, Result<T>&&>>;
        if constexpr (std::is_same_v<U, T>) {
            state_->addStep(BothStep<D>{std::forward<F>(f)}, state_);
            return *this;
        } else {
            return continueAs<U>(ForwardBothStep<U, D>{{}, std::forward<F>(f)});
        }
    }

    template <class Cb, class Eb>
    decltype(auto) addCallbacks(Cb&& cb, Eb&& eb) {
        using C = std::decay_t<Cb>;
        using E = std::decay_t<Eb>;
        using U = detail::DownstreamOf<T, typename detail::CallbackReturn<T, C&>::type>;
        static_assert(std::is_same_v<detail::DownstreamOf<T, std::invoke_result_t<E&, Failure&>>, U>,
                      "addCallbacks: the callback and the errback must hand on the same type");
        if constexpr (std::is_same_v<U, T>) {
            state_->addStep(PairStep<C, E>{{std::forward<Cb>(cb)}, {std::forward<Eb>(eb)}}, state_);
            return *this;
        } else {
            return continueAs<U>(ForwardStep<U, C, E>{{}, std::forward<Cb>(cb), std::forward<Eb>(eb)});
        }
    }

    // Twisted's chainDeferred: `other` fires with this chain's result as it is at this point;
    // this chain is left without one (in Twisted it continues with None).
    void chainDeferred(Deferred other) {
        state_->addStep(ChainStep{std::move(other.state_)}, state_);
    }

    // Cancels this Deferred unless it fires within `timeout` on `clock` (anything with callLater);
    // the cancellation then reads as TimeoutError from this point of the chain on.
    template <class Rep, class Period, CallLaterClock C>
    Deferred& addTimeout(std::chrono::duration<Rep, Period> timeout, C& clock) {
        auto after = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout);
        auto timedOut = std::make_shared<bool>(false);
        auto call = clock.callLater(after, std::function<void()>([state = state_, timedOut] {
            *timedOut = true;
            state->cancel(state);
        }));
        return addBoth([call, timedOut, after](Result<T>&& r) mutable -> Result<T> {
            if (*timedOut && r.failed() && r.failureUnchecked().template check<CancelledError>())
                return Failure(TimeoutError(after));
            if (call.active()) call.cancel();
            return std::move(r);
        });
    }

    void cancel() {
        auto state = state_;  // the canceller may drop the last other handle
        state->cancel(state);
    }
    void pause() { ++state_->paused_; }
    void unpause() {
        if (state_->paused_ > 0 && --state_->paused_ == 0 && state_->called_) detail::drive(state_);
    }

    [[nodiscard]] bool called() const noexcept { return state_->called_; }
    [[nodiscard]] bool paused() const noexcept { return state_->paused_ > 0; }
    // What the chain holds now: pending until fired (and while paused on an inner Deferred).
    [[nodiscard]] const Result<T>& result() const noexcept { return state_->result_; }
    [[nodiscard]] SourceLocation created() const noexcept { return state_->created(); }
    [[nodiscard]] bool sameAs(const Deferred& other) const noexcept { return state_ == other.state_; }

    // For defer/'s own building blocks (coroutines, DeferredList): the shared state.
    explicit Deferred(detail::Ref<detail::State<T>> state) noexcept : state_(std::move(state)) {}
    [[nodiscard]] const detail::Ref<detail::State<T>>& state() const noexcept { return state_; }
    // Leaves this handle empty: only for a temporary about to go (co_await f()).
    [[nodiscard]] detail::Ref<detail::State<T>> releaseState() && noexcept { return std::move(state_); }

private:
    using StatePtr = detail::Ref<detail::StateBase>;
    struct PassFailure {};

    void fire(Result<T>&& result) {
        if (state_->derived_) throw std::logic_error("weft: fire the Deferred you created, not one addCallback returned");
        auto state = state_;
        state->fire(std::move(result), state);
    }

    // A step that changes the type hands the result to a new, derived state.
    template <class U, class Forward>
    Deferred<U> continueAs(Forward&& forward) {
        auto target = detail::makeRef<detail::State<U>>(state_->created());
        target->derived_ = true;
        target->upstream_ = state_.get();
        forward.link.target = target;
        state_->addStep(std::forward<Forward>(forward), state_);
        state_->continued_ = true;
        return Deferred<U>(std::move(target));
    }

    // Hands the result on to another Deferred through the trampoline (no recursion).
    struct ChainStep {
        detail::Ref<detail::State<T>> other;
        StatePtr operator()(detail::State<T>& s, const StatePtr&) {
            try {
                if (other->accept(s.take())) return std::move(other);
            } catch (...) {  // `other` had fired already: that error is this chain's result now
                s.result_ = Failure::current();
            }
            return nullptr;
        }
    };

    // Puts what a user function returned (R) into `dst` as its result.
    template <class U, class Call>
    static void produce(detail::State<U>& dst, const StatePtr& dstSelf, Call&& call) {
        using R = decltype(call());
        if constexpr (std::is_void_v<R>) {
            call();
            dst.result_.setValue();
        } else if constexpr (detail::IsDeferred<std::remove_cvref_t<R>>::value) {
            dst.waitFor(call().state(), dstSelf);
        } else if constexpr (std::is_same_v<std::remove_cvref_t<R>, Failure> ||
                             detail::IsResult<std::remove_cvref_t<R>>::value) {
            dst.result_ = call();
        } else {
            dst.result_.setValue(call());
        }
    }

    // An errback that rethrew the failure it was given keeps that Failure, context and all.
    template <class U>
    static void catchInto(detail::State<U>& dst, const std::exception_ptr* incoming, Failure* original) {
        std::exception_ptr error = std::current_exception();
        if (incoming && original && error == *incoming) dst.result_ = std::move(*original);
        else dst.result_ = Failure(error);
    }

    template <class F>
    struct ValueStep {
        F f;
        StatePtr operator()(detail::State<T>& s, const StatePtr& self) {
            if (!s.result_.succeeded()) return nullptr;
            try {
                produce(s, self, [&]() -> decltype(auto) { return detail::callWithValue<T>(f, s.result_); });
            } catch (...) {
                s.result_ = Failure::current();
            }
            return nullptr;
        }
    };

    template <class F>
    struct FailureStep {
        F f;
        StatePtr operator()(detail::State<T>& s, const StatePtr& self) {
            if (!s.result_.failed()) return nullptr;
            Failure original = s.result_.failureUnchecked();
            std::exception_ptr incoming = original.exception();
            try {
                produce(s, self, [&]() -> decltype(auto) { return f(s.result_.failureUnchecked()); });
            } catch (...) {
                catchInto(s, &incoming, &original);
            }
            return nullptr;
        }
    };

    template <class F>
    struct BothStep {
        F f;
        StatePtr operator()(detail::State<T>& s, const StatePtr& self) {
            Result<T> in = s.take();
            std::exception_ptr incoming = in.failed() ? in.failureUnchecked().exception() : nullptr;
            Failure* original = nullptr;
            std::optional<Failure> kept;
            if (in.failed()) original = &kept.emplace(in.failureUnchecked());
            try {
                produce(s, self, [&]() -> decltype(auto) { return f(std::move(in)); });
            } catch (...) {
                catchInto(s, incoming ? &incoming : nullptr, original);
            }
            return nullptr;
        }
    };

    template <class Cb, class Eb>
    struct PairStep {
        ValueStep<Cb> onValue;
        FailureStep<Eb> onFailure;
        StatePtr operator()(detail::State<T>& s, const StatePtr& self) {
            if (s.result_.succeeded()) return onValue(s, self);
            return onFailure(s, self);
        }
    };

    // A forwarding step's first move: `dst` is fired from here, and `s` gives up its result.
    template <class U>
    static Result<T> handOver(detail::State<T>& s, detail::State<U>& dst) noexcept {
        dst.called_ = true;
        dst.upstream_ = nullptr;
        return s.take();
    }

    // Moves the result into a derived State<U>, applying the user's function on the way.
    template <class U, class Cb, class Eb>
    struct ForwardStep {
        detail::DerivedLink<U> link;
        Cb onValue;
        Eb onFailure;
        StatePtr operator()(detail::State<T>& s, const StatePtr&) {
            StatePtr next = link.target;
            detail::State<U>& dst = *link.target;
            Result<T> in = handOver(s, dst);
            if (in.succeeded()) {
                try {
                    produce(dst, next, [&]() -> decltype(auto) { return detail::callWithValue<T>(onValue, in); });
                } catch (...) {
                    dst.result_ = Failure::current();
                }
            } else if constexpr (std::is_same_v<Eb, PassFailure>) {
                dst.result_ = std::move(in.failureUnchecked());
            } else {
                std::exception_ptr incoming = in.failureUnchecked().exception();
                Failure original = in.failureUnchecked();
                try {
                    produce(dst, next, [&]() -> decltype(auto) { return onFailure(in.failureUnchecked()); });
                } catch (...) {
                    catchInto(dst, &incoming, &original);
                }
            }
            return next;
        }
    };

    template <class U, class F>
    struct ForwardBothStep {
        detail::DerivedLink<U> link;
        F f;
        StatePtr operator()(detail::State<T>& s, const StatePtr&) {
            StatePtr next = link.target;
            detail::State<U>& dst = *link.target;
            Result<T> in = handOver(s, dst);
            try {
                produce(dst, next, [&]() -> decltype(auto) { return f(std::move(in)); });
            } catch (...) {
                dst.result_ = Failure::current();
            }
            return next;
        }
    };

    detail::Ref<detail::State<T>> state_;
};

}  // namespace weft
