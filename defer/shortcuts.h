// SPDX-License-Identifier: MIT
// defer/shortcuts.h: succeed, fail and maybeDeferred, Deferreds made from what is at hand.
// Tests: tests/defer/shortcuts_test.cpp
#pragma once

#include <exception>
#include <functional>
#include "defer/source_location.h"
#include <type_traits>
#include <utility>

#include "defer/deferred.h"

namespace weft {

// A Deferred that has fired with `value`.
template <class T>
[[nodiscard]] Deferred<std::decay_t<T>> succeed(T&& value, SourceLocation at = SourceLocation::current()) {
    Deferred<std::decay_t<T>> d(at);
    d.callback(std::forward<T>(value));
    return d;
}

[[nodiscard]] inline Deferred<void> succeed(SourceLocation at = SourceLocation::current()) {
    Deferred<void> d(at);
    d.callback();
    return d;
}

// A Deferred<T> that has failed with `failure`.
template <class T = void>
[[nodiscard]] Deferred<T> fail(Failure failure, SourceLocation at = SourceLocation::current()) {
    Deferred<T> d(at);
    d.errback(std::move(failure));
    return d;
}

// Calls f(args...) and gives its outcome as a Deferred: a returned Deferred as it is, a plain
// value as a fired one, an exception as a failed one (Twisted's maybeDeferred).
template <class F, class... Args>
[[nodiscard]] auto maybeDeferred(F&& f, Args&&... args) {
    using R = std::invoke_result_t<F, Args...>;
    if constexpr (detail::IsDeferred<std::remove_cvref_t<R>>::value) {
        using D = std::remove_cvref_t<R>;
        try {
            return D(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
        } catch (...) {
            return fail<typename D::value_type>(Failure::current());
        }
    } else if constexpr (std::is_same_v<std::remove_cvref_t<R>, Failure>) {
        // A returned Failure is an error, as a callback's is (Twisted: fail(result)).
        try {
            return fail<void>(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
        } catch (...) {
            return fail<void>(Failure::current());
        }
    } else if constexpr (std::is_void_v<R>) {
        try {
            std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
            return succeed();
        } catch (...) {
            return fail<void>(Failure::current());
        }
    } else {
        using V = std::decay_t<R>;
        try {
            return succeed(std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
        } catch (...) {
            return fail<V>(Failure::current());
        }
    }
}

}  // namespace weft
