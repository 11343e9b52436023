// SPDX-License-Identifier: MIT
// defer/result.h: Result<T>, what a Deferred holds: nothing yet, a value, or a Failure.
// Tests: tests/defer/result_test.cpp
//
// DeferredList gives one Result per entry (Twisted's (success, result) pairs); addBoth callbacks
// receive one. Result<void> holds a Unit for its value.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "defer/failure.h"

namespace weft {

struct Unit {
    friend bool operator==(Unit, Unit) = default;
};

template <class T>
using ValueOf = std::conditional_t<std::is_void_v<T>, Unit, T>;

template <class T>
class Result {
public:
    using Value = ValueOf<T>;

    Result() = default;  // pending: no outcome yet
    Result(Failure failure) : outcome_(std::in_place_index<2>, std::move(failure)) {}  // NOLINT: implicit on purpose

    template <class... Args>
    [[nodiscard]] static Result success(Args&&... args) {
        Result r;
        r.outcome_.template emplace<1>(std::forward<Args>(args)...);
        return r;
    }

    [[nodiscard]] bool pending() const noexcept { return outcome_.index() == 0; }
    [[nodiscard]] bool succeeded() const noexcept { return outcome_.index() == 1; }
    [[nodiscard]] bool failed() const noexcept { return outcome_.index() == 2; }

    // The value; throws the failure's exception if failed, std::logic_error if pending.
    Value& value() & { check(); return *std::get_if<1>(&outcome_); }
    const Value& value() const& { check(); return *std::get_if<1>(&outcome_); }
    Value&& value() && { check(); return std::move(*std::get_if<1>(&outcome_)); }

    // The failure; std::logic_error unless failed.
    Failure& failure() & {
        if (!failed()) throw std::logic_error("Result holds no Failure");
        return *std::get_if<2>(&outcome_);
    }
    const Failure& failure() const& { return const_cast<Result*>(this)->failure(); }

    // For defer/'s own steps, which have checked the state already.
    Value& valueUnchecked() noexcept { return *std::get_if<1>(&outcome_); }
    Failure& failureUnchecked() noexcept { return *std::get_if<2>(&outcome_); }
    template <class V>
    void setValue(V&& value) {
        if constexpr (std::is_assignable_v<Value&, V&&>) {
            if (Value* v = std::get_if<1>(&outcome_)) {  // same alternative: plain assignment
                *v = std::forward<V>(value);
                return;
            }
        }
        outcome_.template emplace<1>(std::forward<V>(value));
    }
    void setValue() { outcome_.template emplace<1>(); }
    void reset() noexcept { outcome_.template emplace<0>(); }

private:
    void check() const {
        if (failed()) std::get_if<2>(&outcome_)->raise();
        if (pending()) throw std::logic_error("Result is still pending");
    }

    std::variant<std::monostate, Value, Failure> outcome_;
};

}  // namespace weft
