// SPDX-License-Identifier: MIT
// DeferredQueue: the behaviours of Twisted's DeferredQueue tests (test_queue and cancellation).
#include "defer/queue.h"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "defer/deferred.h"
#include "defer/errors.h"

using weft::CancelledError;
using weft::Deferred;
using weft::DeferredQueue;
using weft::Failure;
using weft::QueueOverflow;
using weft::QueueUnderflow;

TEST_CASE("values put before any get come out in the order put") {
    DeferredQueue<std::string> queue;
    queue.put("a");
    queue.put("b");
    CHECK(queue.size() == 2);
    Deferred<std::string> first = queue.get();
    Deferred<std::string> second = queue.get();
    CHECK(first.result().value() == "a");
    CHECK(second.result().value() == "b");
    CHECK(queue.size() == 0);
}

TEST_CASE("getters waiting before a put are served first come first served") {
    DeferredQueue<int> queue;
    std::vector<std::string> got;
    queue.get().addCallback([&](int v) { got.push_back("first " + std::to_string(v)); });
    queue.get().addCallback([&](int v) { got.push_back("second " + std::to_string(v)); });
    CHECK(queue.waiting() == 2);
    CHECK(got.empty());
    queue.put(1);
    CHECK(got == std::vector<std::string>{"first 1"});
    queue.put(2);
    CHECK(got == std::vector<std::string>{"first 1", "second 2"});
    CHECK(queue.waiting() == 0);
    CHECK(queue.size() == 0);
}

TEST_CASE("size bounds the values kept and backlog the getters waiting (Twisted's test_queue)") {
    constexpr int N = 2;
    constexpr int M = 2;
    DeferredQueue<int> queue(N, M);
    std::vector<int> gotten;
    for (int i = 0; i < M; ++i) queue.get().addCallback([&](int v) { gotten.push_back(v); });
    CHECK_THROWS_AS((void)queue.get(), QueueUnderflow);
    for (int i = 0; i < M; ++i) {
        queue.put(i);
        CHECK(gotten.size() == static_cast<std::size_t>(i + 1));
    }
    CHECK(gotten == std::vector<int>{0, 1});
    for (int i = 0; i < N; ++i) queue.put(N + i);
    CHECK(gotten == std::vector<int>{0, 1});  // kept: nobody waits
    CHECK_THROWS_AS(queue.put(99), QueueOverflow);
    CHECK(queue.size() == static_cast<std::size_t>(N));
    gotten.clear();
    for (int i = 0; i < N; ++i) queue.get().addCallback([&](int v) { gotten.push_back(v); });
    CHECK(gotten == std::vector<int>{2, 3});
}

TEST_CASE("a queue of size 0 hands values only to getters already waiting") {
    DeferredQueue<int> queue(0);
    CHECK_THROWS_AS(queue.put(1), QueueOverflow);
    Deferred<int> getter = queue.get();
    queue.put(2);
    CHECK(getter.result().value() == 2);
    CHECK_THROWS_AS(queue.put(3), QueueOverflow);
}

TEST_CASE("a queue with a backlog of 0 refuses every get that would wait") {
    DeferredQueue<int> queue(DeferredQueue<int>::kUnbounded, 0);
    CHECK_THROWS_AS((void)queue.get(), QueueUnderflow);
    queue.put(5);
    CHECK(queue.get().result().value() == 5);  // a value is there: no waiting, no underflow
}

TEST_CASE("cancelling a pending get removes it from the line with CancelledError") {
    DeferredQueue<int> queue;
    Deferred<int> cancelled = queue.get();
    Deferred<int> next = queue.get();
    cancelled.cancel();
    CHECK(queue.waiting() == 1);
    REQUIRE(cancelled.result().failed());
    CHECK(cancelled.result().failure().check<CancelledError>());
    cancelled.addErrback([](Failure& f) -> int {
        f.trap<CancelledError>();
        return -1;
    });
    queue.put(7);  // to `next`; the cancelled getter is not fired again (no AlreadyCalledError)
    CHECK(next.result().value() == 7);
    CHECK(cancelled.result().value() == -1);
    queue.put(8);  // nobody waits now: kept
    CHECK(queue.size() == 1);
    CHECK(queue.get().result().value() == 8);
}

TEST_CASE("cancelling a get that has fired does nothing") {
    DeferredQueue<int> queue;
    queue.put(1);
    Deferred<int> got = queue.get();
    got.cancel();
    CHECK(got.result().value() == 1);
    CHECK(queue.size() == 0);
    CHECK(queue.waiting() == 0);
}

TEST_CASE("a queue carries move-only values") {
    DeferredQueue<std::unique_ptr<int>> queue;
    Deferred<std::unique_ptr<int>> waiting = queue.get();
    queue.put(std::make_unique<int>(1));
    queue.put(std::make_unique<int>(2));
    CHECK(*waiting.result().value() == 1);
    CHECK(*queue.get().result().value() == 2);
}

TEST_CASE("a getter's callback may destroy the queue") {
    auto queue = std::make_unique<DeferredQueue<int>>();
    int got = 0;
    queue->get().addCallback([&](int v) {
        got = v;
        queue.reset();
    });
    queue->put(4);
    CHECK(got == 4);
    CHECK(queue == nullptr);
}

TEST_CASE("100,000 waiting getters, each putting a value for the next in its callback, run in order") {
    constexpr int kGetters = 100'000;
    DeferredQueue<int> queue;
    std::vector<int> seen;
    seen.reserve(kGetters);
    for (int i = 0; i < kGetters; ++i) {
        queue.get().addCallback([&queue, &seen](int v) {
            seen.push_back(v);
            queue.put(v + 1);
        });
    }
    queue.put(0);
    REQUIRE(seen.size() == static_cast<std::size_t>(kGetters));
    bool inOrder = true;
    for (int i = 0; i < kGetters; ++i) inOrder = inOrder && seen[i] == i;
    CHECK(inOrder);
    CHECK(queue.waiting() == 0);
    CHECK(queue.size() == 1);  // the last getter's put, kept
    CHECK(queue.get().result().value() == kGetters);
}

TEST_CASE("a getter whose callback gets again and then puts, 100,000 deep, runs in constant stack") {
    constexpr int kDepth = 100'000;
    DeferredQueue<int> queue;
    int last = -1;
    std::function<void(int)> consume = [&](int v) {
        last = v;
        if (v + 1 < kDepth) {
            queue.get().addCallback(consume);
            queue.put(v + 1);
        }
    };
    queue.get().addCallback(consume);
    queue.put(0);
    CHECK(last == kDepth - 1);
    CHECK(queue.size() == 0);
    CHECK(queue.waiting() == 0);
}

TEST_CASE("a put from a getter's callback counts against size only the values no getter waits for") {
    DeferredQueue<int> queue(1);
    std::vector<int> got;
    bool overflowed = false;
    queue.get().addCallback([&](int v) {
        got.push_back(v);
        queue.put(10);  // for the second getter
        try {
            queue.put(20);  // kept: the one value the queue may hold
        } catch (const QueueOverflow&) {
            overflowed = true;
        }
    });
    queue.get().addCallback([&](int v) { got.push_back(v); });
    queue.put(1);
    CHECK_FALSE(overflowed);
    CHECK(got == std::vector<int>{1, 10});
    CHECK(queue.size() == 1);
}

TEST_CASE("a get from a getter's callback counts against backlog only the getters no value waits for") {
    DeferredQueue<int> queue(DeferredQueue<int>::kUnbounded, 2);
    std::vector<Deferred<int>> later;
    bool underflowed = false;
    queue.get().addCallback([&](int) {
        queue.put(10);  // for the second getter: it no longer waits
        try {
            later.push_back(queue.get());
            later.push_back(queue.get());  // two waiting, as backlog allows
        } catch (const QueueUnderflow&) {
            underflowed = true;
        }
    });
    Deferred<int> second = queue.get();
    queue.put(1);
    CHECK_FALSE(underflowed);
    CHECK(second.result().value() == 10);
    CHECK(queue.waiting() == 2);
}
