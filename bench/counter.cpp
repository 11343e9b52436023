// SPDX-License-Identifier: MIT
// weft-counter --tasks T --increments I: the article's counter (section 3) with Deferreds.
// T Deferreds each get a callback that increments one shared counter I times; then all are
// fired. Callbacks never run concurrently, so the count is exact without a lock
// (CONTRACT.md "Counter"). The counter is volatile so that every increment is a real load and
// store, as in the threaded peers, rather than one addition the optimiser folds the loop into.
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench/bench_args.h"
#include "defer/deferred.h"

int main(int argc, char** argv) {
    long tasks = weft::bench::numberFlag(argc, argv, "--tasks", 100);
    long increments = weft::bench::numberFlag(argc, argv, "--increments", 1000);
    volatile long counter = 0;

    auto start = std::chrono::steady_clock::now();
    std::vector<weft::Deferred<void>> deferreds(static_cast<std::size_t>(tasks));
    for (auto& d : deferreds)
        d.addCallback([&counter, increments] {
            for (long i = 0; i < increments; ++i) counter = counter + 1;
        });
    for (auto& d : deferreds) d.callback();  // "NOW!"
    deferreds.clear();
    double seconds = weft::bench::secondsSince(start);

    std::printf("count=%ld expected=%ld seconds=%.6f\n", static_cast<long>(counter), tasks * increments, seconds);
    return 0;
}
