// SPDX-License-Identifier: MIT
// protocols/any_clock.h: AnyClock, any CallLaterClock behind one type, so that a class needing
// "a clock" (ReconnectingClientFactory) is not a template over the clock's type.
// Tests: tests/protocols/any_clock_test.cpp
//
//   weft::AnyClock clock(reactor);                        // or a test's FakeClock
//   weft::AnyClock::Call call = clock.callLater(1s, [] { ... });
//   if (call.active()) call.cancel();
//
// AnyClock refers to the clock, which must outlive it and every Call it made. It is itself a
// CallLaterClock, so it works with Deferred::addTimeout. The cost is one allocation per
// callLater (the type-erased handle); nothing here is on a per-byte path.
// (It belongs in defer/ next to CallLaterClock; it lives here until defer/ takes it.)
#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "defer/clock.h"

namespace weft {

class AnyClock {
public:
    // A scheduled call. Copies refer to the same call, as the clocks' own handles do, hence the
    // shared_ptr: every copy shares the one underlying handle. An empty Call is never active.
    class Call {
    public:
        Call() = default;
        [[nodiscard]] bool active() const { return handle_ && handle_->active(); }
        void cancel() {
            if (handle_) handle_->cancel();
        }

    private:
        friend class AnyClock;
        struct Handle {
            virtual ~Handle() = default;
            [[nodiscard]] virtual bool active() const = 0;
            virtual void cancel() = 0;
        };
        template <class H>
        struct HandleOf final : Handle {
            explicit HandleOf(H h) : handle(std::move(h)) {}
            bool active() const override { return static_cast<bool>(handle.active()); }
            void cancel() override { handle.cancel(); }
            mutable H handle;  // some clocks' active() is not const
        };
        explicit Call(std::shared_ptr<Handle> handle) : handle_(std::move(handle)) {}
        std::shared_ptr<Handle> handle_;
    };

    template <CallLaterClock C>
        requires(!std::same_as<std::remove_cvref_t<C>, AnyClock>)
    explicit AnyClock(C& clock)
        : callLater_([&clock](std::chrono::nanoseconds delay, std::function<void()> fn) {
              using H = std::decay_t<decltype(clock.callLater(delay, std::move(fn)))>;
              return Call(std::make_shared<Call::HandleOf<H>>(clock.callLater(delay, std::move(fn))));
          }) {}

    Call callLater(std::chrono::nanoseconds delay, std::function<void()> fn) const {
        return callLater_(delay, std::move(fn));
    }

private:
    std::function<Call(std::chrono::nanoseconds, std::function<void()>)> callLater_;
};

static_assert(CallLaterClock<AnyClock>);

}  // namespace weft
