// SPDX-License-Identifier: MIT
// defer/deferred_list.h: DeferredList and gatherResults, waiting on many Deferreds at once.
// Tests: tests/defer/deferred_list_test.cpp
//
// DeferredList<T>(deferreds, options) is a Deferred<std::vector<Result<T>>> with one Result per
// entry, in the order given, that fires when every entry has fired; with fireOnOneCallback it
// fires at the first success (entries not fired yet are pending Results), with
// fireOnOneErrback it errbacks at the first failure with FirstError (the Failure and its index).
// The list takes each entry's value (leaving the entry empty, as chaining does); a Failure is
// copied and stays in its entry, to be reported as unhandled, unless consumeErrors is set.
// Cancelling the list cancels every entry that has not fired. An empty list fires at once.
//
// gatherResults(deferreds) is the common case: a Deferred<std::vector<T>> of the values, or the
// first failure as FirstError.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "defer/deferred.h"
#include "defer/errors.h"

namespace weft {

// One entry of a DeferredList failed first; `failure` is its Failure, `index` its position.
class FirstError : public Error {
public:
    FirstError(Failure failure, std::size_t index)
        : Error(DeferError::FirstError, "entry " + std::to_string(index) + " failed: " + failure.describe()),
          failure_(std::move(failure)), index_(index) {}
    [[nodiscard]] const Failure& failure() const noexcept { return failure_; }
    [[nodiscard]] std::size_t index() const noexcept { return index_; }

private:
    Failure failure_;
    std::size_t index_;
};

struct DeferredListOptions {
    bool fireOnOneCallback = false;
    bool fireOnOneErrback = false;
    bool consumeErrors = false;
};

template <class T>
class DeferredList : public Deferred<std::vector<Result<T>>> {
public:
    using Results = std::vector<Result<T>>;

    explicit DeferredList(std::vector<Deferred<T>> entries, DeferredListOptions options = {},
                          SourceLocation created = SourceLocation::current())
        : Deferred<Results>(created) {
        auto shared = std::make_shared<Collector>(*this, entries.size(), options);
        this->state()->canceller_ = [weak = std::weak_ptr<Collector>(shared)](Deferred<Results>&) {
            if (auto collector = weak.lock()) collector->cancelPending();
        };
        if (entries.empty()) {
            this->callback(Results{});
            return;
        }
        // The same Deferred twice: one step fills every place it has (as in Twisted, where
        // each gets the result); a second step would find the result already taken.
        std::unordered_map<detail::State<T>*, std::size_t> firstPlace;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            auto state = entries[i].state();
            auto [it, fresh] = firstPlace.try_emplace(state.get(), i);
            if (!fresh) {
                shared->alsoAt.emplace(it->second, i);
                continue;
            }
            shared->entries[i] = state.get();
            state->addStep(EntryStep(shared, i), state);
        }
    }

private:
    // Shared by the entries' steps; holds the list's Deferred, never the entries themselves.
    struct Collector {
        Collector(Deferred<Results> out, std::size_t size, DeferredListOptions options)
            : out(std::move(out)), results(size), entries(size), remaining(size), options(options) {}

        void cancelPending() {
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (entries[i] && !entries[i]->called_) {
                    detail::Ref<detail::StateBase> entry(entries[i]);
                    entry->cancel(entry);
                }
            }
        }

        Deferred<Results> out;
        Results results;
        std::vector<detail::State<T>*> entries;  // to cancel them; each step clears its own when it goes
        std::unordered_multimap<std::size_t, std::size_t> alsoAt;  // first place -> its other places
        std::size_t remaining;
        DeferredListOptions options;
        bool fired = false;

        // Copies the result at `index` to the other places of the same Deferred.
        void copyToDuplicates(std::size_t index) {
            auto [begin, end] = alsoAt.equal_range(index);
            for (auto it = begin; it != end; ++it) {
                --remaining;
                Result<T>& from = results[index];
                if constexpr (std::is_copy_constructible_v<ValueOf<T>>) {
                    results[it->second] = from;
                } else if (from.failed()) {
                    results[it->second] = from.failureUnchecked();
                } else {
                    results[it->second] = Failure(std::logic_error("weft: a move-only value cannot fill two places of a DeferredList"));
                }
            }
        }
    };

    struct EntryStep {
        std::shared_ptr<Collector> collector;
        std::size_t index;

        EntryStep(std::shared_ptr<Collector> c, std::size_t i) noexcept : collector(std::move(c)), index(i) {}
        EntryStep(EntryStep&&) noexcept = default;
        EntryStep& operator=(EntryStep&&) = delete;
        ~EntryStep() {
            if (collector) collector->entries[index] = nullptr;
        }

        detail::Ref<detail::StateBase> operator()(detail::State<T>& entry, const detail::Ref<detail::StateBase>&) {
            Collector& c = *collector;
            --c.remaining;
            if (entry.result_.succeeded()) {
                if (!c.fired) {
                    c.results[index] = entry.take();
                    if (!c.alsoAt.empty()) c.copyToDuplicates(index);
                }
                if (!c.fired && c.options.fireOnOneCallback) return fire(c, Result<Results>::success(std::move(c.results)));
            } else {
                Failure failure = c.options.consumeErrors ? std::move(entry.take().failureUnchecked())
                                                          : entry.result_.failureUnchecked();
                if (!c.fired && c.options.fireOnOneErrback)
                    return fire(c, Failure(FirstError(std::move(failure), index)));
                if (!c.fired) {
                    c.results[index] = std::move(failure);
                    if (!c.alsoAt.empty()) c.copyToDuplicates(index);
                }
            }
            if (!c.fired && c.remaining == 0) return fire(c, Result<Results>::success(std::move(c.results)));
            return nullptr;
        }

        // Hands the list's result to the driver's trampoline: nested lists use no extra stack.
        static detail::Ref<detail::StateBase> fire(Collector& c, Result<Results>&& result) {
            c.fired = true;
            auto out = c.out.state();
            if (out->accept(std::move(result))) return out;
            return nullptr;  // the list was cancelled and has fired already
        }
    };
};

template <class T>
DeferredList(std::vector<Deferred<T>>, DeferredListOptions = {}) -> DeferredList<T>;

// The values of every entry, in order; the first failure (as FirstError) otherwise.
template <class T>
[[nodiscard]] auto gatherResults(std::vector<Deferred<T>> entries, bool consumeErrors = false) {
    DeferredList<T> list(std::move(entries), {.fireOnOneErrback = true, .consumeErrors = consumeErrors});
    if constexpr (std::is_void_v<T>) {
        return list.addCallback([](std::vector<Result<void>>&&) {});
    } else {
        return list.addCallback([](std::vector<Result<T>>&& results) {
            std::vector<T> values;
            values.reserve(results.size());
            for (auto& r : results) values.push_back(std::move(r.valueUnchecked()));
            return values;
        });
    }
}

}  // namespace weft
