// SPDX-License-Identifier: MIT
// tests/defer/helpers.h: what defer/'s tests share: a fake clock and a catcher of unhandled errors.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "defer/failure.h"
#include "defer/unhandled_error.h"

namespace weft::testing {

// Twisted's task.Clock, reduced to what addTimeout needs: callLater and advance.
class FakeClock {
public:
    class Call {
    public:
        Call() = default;
        explicit Call(std::shared_ptr<bool> pending) : pending_(std::move(pending)) {}
        [[nodiscard]] bool active() const { return pending_ && *pending_; }
        void cancel() {
            if (!active()) throw std::logic_error("FakeClock: cancel of a call that is not active");
            *pending_ = false;
        }

    private:
        std::shared_ptr<bool> pending_;
    };

    Call callLater(std::chrono::nanoseconds delay, std::function<void()> fn) {
        auto pending = std::make_shared<bool>(true);
        calls_.emplace(now_ + delay, Entry{pending, std::move(fn)});
        return Call(pending);
    }

    void advance(std::chrono::nanoseconds by) {
        now_ += by;
        while (!calls_.empty() && calls_.begin()->first <= now_) {
            Entry entry = std::move(calls_.begin()->second);
            calls_.erase(calls_.begin());
            if (*entry.pending) {
                *entry.pending = false;
                entry.fn();
            }
        }
    }

    [[nodiscard]] std::size_t pendingCalls() const {
        std::size_t n = 0;
        for (auto& [when, entry] : calls_) n += *entry.pending ? 1 : 0;
        return n;
    }

private:
    struct Entry {
        std::shared_ptr<bool> pending;
        std::function<void()> fn;
    };
    std::chrono::nanoseconds now_{0};
    std::multimap<std::chrono::nanoseconds, Entry> calls_;
};

// Collects what the unhandled-error hook reports while it lives, then restores the old hook.
class UnhandledErrors {
public:
    UnhandledErrors()
        : previous_(setUnhandledErrorHook([this](const Failure& f, weft::SourceLocation created) {
              reports.push_back({f, created});
          })) {}
    ~UnhandledErrors() { setUnhandledErrorHook(std::move(previous_)); }
    UnhandledErrors(const UnhandledErrors&) = delete;
    UnhandledErrors& operator=(const UnhandledErrors&) = delete;

    struct Report {
        Failure failure;
        weft::SourceLocation created;
    };
    std::vector<Report> reports;

private:
    UnhandledErrorHook previous_;
};

}  // namespace weft::testing
