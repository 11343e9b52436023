// SPDX-License-Identifier: MIT
// demos/counter: section 3 of the Twisted article in C++. A shared counter incremented
// 100 x 1000 times three ways:
//   1. 100 threads, no lock: each increment is a separate atomic load and store, so updates get
//      lost exactly as in the article's Python, yet there is no undefined behaviour to blame;
//   2. 100 threads with a mutex: correct, and it pays for the lock on every increment;
//   3. 100 Deferreds fired one after the other: callbacks never run at the same time, so the
//      count is exact with no lock at all (the article's point).
// Prints each count and how long it took.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "defer/deferred.h"

namespace {

constexpr int kTasks = 100;
constexpr int kIncrements = 1000;

template <class Body>
double timed(Body body) {
    auto start = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// All threads start incrementing together (a latch), as the article's threads overlap.
template <class Increment>
void inThreads(Increment increment) {
    std::latch start(kTasks);
    std::vector<std::thread> threads;
    for (int t = 0; t < kTasks; ++t)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < kIncrements; ++i) increment();
        });
    for (auto& thread : threads) thread.join();
}

void report(const char* how, long count, double ms) {
    std::printf("%-34s count=%6ld expected=%d %s  %8.3f ms\n", how, count, kTasks * kIncrements,
                count == kTasks * kIncrements ? "exact" : "LOST ", ms);
}

}  // namespace

int main() {
    std::printf("The article's counter: %d tasks x %d increments\n\n", kTasks, kIncrements);

    std::atomic<long> racy{0};
    double ms = timed([&] {
        inThreads([&] {
            long seen = racy.load(std::memory_order_relaxed);  // read ...
            racy.store(seen + 1, std::memory_order_relaxed);   // ... then write: another thread may have run in between
        });
    });
    report("threads, no lock (load then store)", racy.load(), ms);

    long locked = 0;
    std::mutex mutex;
    ms = timed([&] {
        inThreads([&] {
            std::lock_guard<std::mutex> guard(mutex);
            ++locked;
        });
    });
    report("threads with a mutex", locked, ms);

    volatile long counter = 0;  // volatile: every increment is a real load and store, as above
    ms = timed([&] {
        std::vector<weft::Deferred<void>> deferreds(kTasks);
        for (auto& d : deferreds)
            d.addCallback([&counter] {
                for (int i = 0; i < kIncrements; ++i) counter = counter + 1;
            });
        // There are a hundred pending actions at this point ... NOW!
        for (auto& d : deferreds) d.callback();
    });
    report("Deferreds, one thread, no lock", counter, ms);
    return counter == kTasks * kIncrements && locked == kTasks * kIncrements ? 0 : 1;
}
