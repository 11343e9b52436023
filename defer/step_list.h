// SPDX-License-Identifier: MIT
// defer/step_list.h: Step and StepList, the callables a Deferred's chain holds, in order.
// Tests: tests/defer/step_list_test.cpp
//
// A Step is a type-erased callable in 32 bytes: small callables (most lambdas) live inline,
// larger ones on the heap. A StepList keeps its first two steps inside the Deferred's state
// (most chains are that short) and the rest in chunks of 64 that never move, so a step runs
// in place even while it adds more steps to its own list, and a million-link chain is built
// without relocating anything.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft::detail {

// Signature of every step: Result (*)(void* callable, Args...).
template <class Return, class... Args>
class Step {
public:
    Step() noexcept = default;
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;
    ~Step() { reset(); }

    template <class Action>
    void emplace(Action&& action) {
        using A = std::decay_t<Action>;
        if constexpr (sizeof(A) <= kInline && alignof(A) <= alignof(void*)) {
            ::new (static_cast<void*>(buffer_)) A(std::forward<Action>(action));
            ops_ = &opsFor<A>;
        } else {
            ::new (static_cast<void*>(buffer_)) Boxed<A>{std::make_unique<A>(std::forward<Action>(action))};
            ops_ = &opsFor<Boxed<A>>;
        }
    }

    [[nodiscard]] bool empty() const noexcept { return ops_ == nullptr; }

    // A callable with detachFrame(void*) (a coroutine waiting here) hands out what it owns.
    template <class Out>
    void detachFrame(Out& out) {
        if (ops_) ops_->detachFrame(buffer_, &out);
    }

    // Calls the callable in place, then destroys it (even if it throws).
    Return runOnce(Args... args) {
        const Ops* ops = std::exchange(ops_, nullptr);
        return ops->runOnce(buffer_, std::forward<Args>(args)...);
    }

    void reset() noexcept {
        if (const Ops* ops = std::exchange(ops_, nullptr)) ops->destroy(buffer_);
    }

    // The step will never run: a callable with abandoned(Args...) hears of it; others are just
    // destroyed. Either way the step is empty afterwards.
    void abandon(Args... args) {
        if (const Ops* ops = std::exchange(ops_, nullptr)) ops->abandon(buffer_, std::forward<Args>(args)...);
    }

private:
    static constexpr std::size_t kInline = 24;

    template <class A>
    struct Boxed {
        std::unique_ptr<A> action;
        Return operator()(Args... args) { return (*action)(std::forward<Args>(args)...); }
        void abandoned(Args... args)
            requires requires(A& a, Args... as) { a.abandoned(std::forward<Args>(as)...); }
        {
            action->abandoned(std::forward<Args>(args)...);
        }
    };

    struct Ops {
        Return (*runOnce)(void* buffer, Args... args);
        void (*destroy)(void* buffer) noexcept;
        void (*abandon)(void* buffer, Args... args);
        void (*detachFrame)(void* buffer, void* out);
    };

    template <class A>
    static constexpr Ops opsFor{
        [](void* buffer, Args... args) -> Return {
            A* action = std::launder(static_cast<A*>(buffer));
            struct Destroy {
                A* action;
                ~Destroy() { std::destroy_at(action); }
            } destroy{action};
            return (*action)(std::forward<Args>(args)...);
        },
        [](void* buffer) noexcept { std::destroy_at(std::launder(static_cast<A*>(buffer))); },
        [](void* buffer, Args... args) {
            A* action = std::launder(static_cast<A*>(buffer));
            struct Destroy {
                A* action;
                ~Destroy() { std::destroy_at(action); }
            } destroy{action};
            if constexpr (requires { action->abandoned(std::forward<Args>(args)...); })
                action->abandoned(std::forward<Args>(args)...);
        },
        [](void* buffer, void* out) {
            if constexpr (requires(A& a) { a.detachFrame(out); })
                std::launder(static_cast<A*>(buffer))->detachFrame(out);
        },
    };

    const Ops* ops_ = nullptr;
    alignas(void*) unsigned char buffer_[kInline];
};

template <class StepType>
class StepList {
public:
    StepList() = default;
    StepList(const StepList&) = delete;
    StepList& operator=(const StepList&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    StepType& operator[](std::size_t i) noexcept {
        if (i < kInline) return inline_[i];
        i -= kInline;
        return (*chunks_[i / kChunk])[i % kChunk];
    }

    template <class Action>
    void push(Action&& action) {
        std::size_t i = size_;
        if (i >= kInline && (i - kInline) / kChunk == chunks_.size()) chunks_.push_back(std::make_unique<Chunk>());
        (*this)[i].emplace(std::forward<Action>(action));
        ++size_;
    }

    // Destroys what was not run and frees the chunks.
    void clear() noexcept {
        for (std::size_t i = 0; i < size_; ++i) (*this)[i].reset();
        chunks_.clear();
        size_ = 0;
    }

    ~StepList() { clear(); }

private:
    static constexpr std::size_t kInline = 2;
    static constexpr std::size_t kChunk = 64;
    using Chunk = std::array<StepType, kChunk>;

    std::array<StepType, kInline> inline_;
    std::vector<std::unique_ptr<Chunk>> chunks_;
    std::size_t size_ = 0;
};

}  // namespace weft::detail
