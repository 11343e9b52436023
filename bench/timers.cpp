// SPDX-License-Identifier: MIT
// weft-timers --timers N: schedule N timers with deterministic pseudo-random delays in
// [0, 50 ms), cancel every other one, and run the loop until the rest have fired (the same
// contract as bench/peers/timers_uv.c). Last line: timers=N fired=F cancelled=C seconds=S,
// seconds covering scheduling, cancelling and firing. Exit 0 only if F == N - C.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench/bench_args.h"
#include "reactor/reactor.h"

int main(int argc, char** argv) {
    long n = weft::bench::numberFlag(argc, argv, "--timers", 1'000'000);
    weft::Reactor reactor;
    long fired = 0;
    long cancelled = 0;
    std::uint32_t seed = 12345;  // an LCG: the same delays in every run and in the peer
    auto next = [&] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    auto start = std::chrono::steady_clock::now();
    std::vector<weft::DelayedCall> calls;
    calls.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i)
        calls.push_back(reactor.callLater(std::chrono::microseconds(next() % 50'000), [&] { ++fired; }));
    for (long i = 0; i < n; i += 2) {
        calls[static_cast<std::size_t>(i)].cancel();
        ++cancelled;
    }
    calls.clear();
    while (fired < n - cancelled) reactor.iterate(std::chrono::milliseconds(50));
    double seconds = weft::bench::secondsSince(start);
    std::printf("timers=%ld fired=%ld cancelled=%ld seconds=%.6f\n", n, fired, cancelled, seconds);
    return fired == n - cancelled ? 0 : 1;
}
