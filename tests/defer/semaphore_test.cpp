// SPDX-License-Identifier: MIT
// DeferredSemaphore and DeferredLock: the behaviours of Twisted's OtherPrimitivesTests.
#include "defer/semaphore.h"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "defer/deferred.h"
#include "defer/shortcuts.h"
#include "tests/defer/helpers.h"

using weft::CancelledError;
using weft::Deferred;
using weft::DeferredLock;
using weft::DeferredSemaphore;
using weft::Failure;

namespace {

struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};

}  // namespace

TEST_CASE("a semaphore hands out its tokens at once, then makes acquirers wait") {
    DeferredSemaphore sem(2);
    CHECK(sem.limit() == 2);
    CHECK(sem.tokens() == 2);
    Deferred<void> first = sem.acquire();
    Deferred<void> second = sem.acquire();
    CHECK(first.called());
    CHECK(second.called());
    CHECK(sem.tokens() == 0);
    Deferred<void> third = sem.acquire();
    CHECK_FALSE(third.called());
    CHECK(sem.waiting() == 1);
    sem.release();  // straight to the waiter
    CHECK(third.called());
    CHECK(sem.tokens() == 0);
    CHECK(sem.waiting() == 0);
    sem.release();
    sem.release();
    CHECK(sem.tokens() == 2);
    CHECK(sem.limit() == 2);
}

TEST_CASE("a semaphore needs at least one token") {
    CHECK_THROWS_AS(DeferredSemaphore(0), std::invalid_argument);
}

TEST_CASE("waiters get the token first come first served") {
    DeferredSemaphore sem(1);
    Deferred<void> held = sem.acquire();
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) sem.acquire().addCallback([&order, i] { order.push_back(i); });
    CHECK(sem.waiting() == 5);
    for (int i = 0; i < 5; ++i) {
        sem.release();
        CHECK(order.size() == static_cast<std::size_t>(i + 1));
    }
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(sem.tokens() == 0);  // the last waiter holds it
}

TEST_CASE("an acquirer queues behind the waiters even when a token is free at that moment") {
    DeferredSemaphore sem(1);
    Deferred<void> held = sem.acquire();
    std::vector<std::string> order;
    sem.acquire().addCallback([&] {
        order.push_back("a");
        sem.release();  // a token is free now, but b has been waiting
        sem.acquire().addCallback([&] { order.push_back("a again"); });
    });
    sem.acquire().addCallback([&] { order.push_back("b"); });
    sem.release();
    CHECK(order == std::vector<std::string>{"a", "b"});
    CHECK(sem.waiting() == 1);
    sem.release();
    CHECK(order == std::vector<std::string>{"a", "b", "a again"});
}

TEST_CASE("releasing more often than acquiring is a logic_error") {
    DeferredSemaphore sem(2);
    CHECK_THROWS_AS(sem.release(), std::logic_error);
    CHECK(sem.tokens() == 2);
    Deferred<void> one = sem.acquire();
    sem.release();
    CHECK_THROWS_AS(sem.release(), std::logic_error);
    CHECK(sem.tokens() == 2);

    DeferredLock lock;
    CHECK_THROWS_AS(lock.release(), std::logic_error);
    CHECK_FALSE(lock.locked());
}

TEST_CASE("cancelling a waiting acquire removes it from the line with CancelledError") {
    DeferredSemaphore sem(1);
    Deferred<void> held = sem.acquire();
    Deferred<void> cancelled = sem.acquire();
    bool nextFired = false;
    Deferred<void> next = sem.acquire();
    next.addCallback([&] { nextFired = true; });
    CHECK(sem.waiting() == 2);
    cancelled.cancel();
    CHECK(sem.waiting() == 1);
    REQUIRE(cancelled.result().failed());
    CHECK(cancelled.result().failure().check<CancelledError>());
    cancelled.addErrback([](Failure& f) { f.trap<CancelledError>(); });
    sem.release();  // goes to `next`, not to the cancelled one
    CHECK(nextFired);
    CHECK(sem.tokens() == 0);
    sem.release();
    CHECK(sem.tokens() == 1);
}

TEST_CASE("cancelling an acquire that has fired does nothing: the token stays taken") {
    DeferredLock lock;
    Deferred<void> acquired = lock.acquire();
    acquired.cancel();
    CHECK(acquired.result().succeeded());
    CHECK(lock.locked());

    Deferred<void> waited = lock.acquire();
    lock.release();
    REQUIRE(waited.called());
    waited.cancel();
    CHECK(waited.result().succeeded());
    CHECK(lock.locked());
}

TEST_CASE("a DeferredLock is locked while held and free after release") {
    DeferredLock lock;
    CHECK_FALSE(lock.locked());
    Deferred<void> first = lock.acquire();
    CHECK(first.called());
    CHECK(lock.locked());
    Deferred<void> second = lock.acquire();
    CHECK_FALSE(second.called());
    CHECK(lock.waiting() == 1);
    lock.release();
    CHECK(second.called());
    CHECK(lock.locked());
    lock.release();
    CHECK_FALSE(lock.locked());
}

TEST_CASE("run calls the function once a token is free and releases when its Deferred fires") {
    DeferredLock lock;
    Deferred<void> held = lock.acquire();
    Deferred<int> work;
    int calls = 0;
    Deferred<int> ran = lock.run([&] {
        ++calls;
        return work;
    });
    CHECK(calls == 0);
    lock.release();
    CHECK(calls == 1);
    CHECK(lock.locked());  // held while `work` is in flight
    CHECK(ran.result().pending());
    work.callback(42);
    CHECK(ran.result().value() == 42);
    CHECK_FALSE(lock.locked());
}

TEST_CASE("run releases when the function's Deferred fails, and the failure comes through") {
    DeferredLock lock;
    Deferred<int> work;
    Deferred<int> ran = lock.run([&] { return work; });
    CHECK(lock.locked());
    work.errback(Failure(Boom()));
    CHECK_FALSE(lock.locked());
    REQUIRE(ran.result().failed());
    CHECK(ran.result().failure().check<Boom>());
    ran.addErrback([](Failure&) { return 0; });
}

TEST_CASE("run releases when the function throws, and the exception becomes the Failure") {
    weft::testing::UnhandledErrors unhandled;
    DeferredSemaphore sem(1);
    {
        Deferred<int> ran = sem.run([]() -> int { throw Boom(); });
        CHECK(sem.tokens() == 1);
        REQUIRE(ran.result().failed());
        CHECK(ran.result().failure().check<Boom>());
    }
    CHECK(unhandled.reports.size() == 1);
}

TEST_CASE("run takes functions returning a plain value or nothing") {
    DeferredSemaphore sem(1);
    Deferred<int> value = sem.run([] { return 3; });
    CHECK(value.result().value() == 3);
    bool called = false;
    Deferred<void> nothing = sem.run([&] { called = true; });
    CHECK(called);
    CHECK(nothing.result().succeeded());
    CHECK(sem.tokens() == 1);
}

TEST_CASE("run keeps at most `limit` functions in flight, starting the next one in order as each finishes") {
    DeferredSemaphore sem(2);
    std::vector<Deferred<int>> work(5);
    std::vector<int> started;
    std::vector<Deferred<int>> ran;
    for (int i = 0; i < 5; ++i) {
        ran.push_back(sem.run([&, i] {
            started.push_back(i);
            return work[i];
        }));
    }
    CHECK(started == std::vector<int>{0, 1});
    work[1].callback(1);
    CHECK(started == std::vector<int>{0, 1, 2});
    work[0].callback(0);
    CHECK(started == std::vector<int>{0, 1, 2, 3});
    work[3].callback(3);
    CHECK(started == std::vector<int>{0, 1, 2, 3, 4});
    work[2].callback(2);
    work[4].callback(4);
    for (int i = 0; i < 5; ++i) CHECK(ran[i].result().value() == i);
    CHECK(sem.tokens() == 2);
}

TEST_CASE("cancelling a run that waits for a token never calls the function") {
    weft::testing::UnhandledErrors unhandled;
    DeferredLock lock;
    Deferred<void> held = lock.acquire();
    bool called = false;
    Deferred<int> ran = lock.run([&] {
        called = true;
        return 1;
    });
    ran.cancel();
    CHECK(lock.waiting() == 0);
    REQUIRE(ran.result().failed());
    CHECK(ran.result().failure().check<CancelledError>());
    lock.release();
    CHECK_FALSE(called);
    CHECK_FALSE(lock.locked());
    ran.addErrback([](Failure& f) -> int {
        f.trap<CancelledError>();
        return 0;
    });
    CHECK(unhandled.reports.empty());
}

TEST_CASE("cancelling a run whose function is in flight cancels its Deferred and releases") {
    DeferredLock lock;
    bool workCancelled = false;
    Deferred<int> work([&](Deferred<int>&) { workCancelled = true; });
    Deferred<int> ran = lock.run([&] { return work; });
    REQUIRE(lock.locked());
    ran.cancel();
    CHECK(workCancelled);
    CHECK_FALSE(lock.locked());
    REQUIRE(ran.result().failed());
    CHECK(ran.result().failure().check<CancelledError>());
    ran.addErrback([](Failure&) { return 0; });
}

TEST_CASE("a callback may destroy the semaphore that fired it") {
    auto sem = std::make_unique<DeferredSemaphore>(1);
    Deferred<void> held = sem->acquire();
    bool ran = false;
    sem->acquire().addCallback([&] {
        sem.reset();
        ran = true;
    });
    sem->release();
    CHECK(ran);
    CHECK(sem == nullptr);
}

TEST_CASE("releasing a lock with 100,000 waiters, each releasing in its callback, runs them all in order") {
    constexpr int kWaiters = 100'000;
    DeferredLock lock;
    Deferred<void> held = lock.acquire();
    std::vector<int> order;
    order.reserve(kWaiters);
    for (int i = 0; i < kWaiters; ++i) {
        lock.acquire().addCallback([&lock, &order, i] {
            order.push_back(i);
            lock.release();
        });
    }
    CHECK(lock.waiting() == static_cast<std::size_t>(kWaiters));
    lock.release();
    REQUIRE(order.size() == static_cast<std::size_t>(kWaiters));
    bool inOrder = true;
    for (int i = 0; i < kWaiters; ++i) inOrder = inOrder && order[i] == i;
    CHECK(inOrder);
    CHECK_FALSE(lock.locked());
    CHECK(lock.waiting() == 0);
}
