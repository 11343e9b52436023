// SPDX-License-Identifier: MIT
// weft-timers --timers N: the timers contract written out in bench/peers/timers_uv.c (the
// libuv peer): schedule N one-shot timers with delays t(i) = (x(i+1) >> 33) mod 51 ms from a
// 64-bit LCG seeded 2024, cancel every odd-numbered one before any has run, and run the loop
// until the rest have fired. Last line: timers=N fired=F cancelled=C seconds=S
// schedule_seconds=.. cancel_seconds=..; exit 0 only if F == N - C and no cancelled one ran.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench/bench_args.h"
#include "reactor/reactor.h"

int main(int argc, char** argv) {
    long n = weft::bench::numberFlag(argc, argv, "--timers", 1'000'000);
    if (n < 1) {
        std::fprintf(stderr, "usage: weft-timers --timers N (N >= 1)\n");
        return 2;
    }
    // The delays are computed before the clock starts, as the peer does.
    std::vector<std::chrono::milliseconds> delays(static_cast<std::size_t>(n));
    std::uint64_t x = 2024;
    for (auto& delay : delays) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        delay = std::chrono::milliseconds((x >> 33) % 51);
    }
    weft::Reactor reactor;
    long fired = 0;
    long wrong = 0;
    std::vector<weft::DelayedCall> calls;
    calls.reserve(static_cast<std::size_t>(n));

    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
        bool cancelled = i % 2 == 1;
        calls.push_back(reactor.callLater(delays[static_cast<std::size_t>(i)], [&fired, &wrong, cancelled] {
            ++fired;
            if (cancelled) ++wrong;
        }));
    }
    double scheduleSeconds = weft::bench::secondsSince(start);
    auto cancelStart = std::chrono::steady_clock::now();
    long cancelled = 0;
    for (long i = 1; i < n; i += 2) {
        calls[static_cast<std::size_t>(i)].cancel();
        ++cancelled;
    }
    double cancelSeconds = weft::bench::secondsSince(cancelStart);
    while (fired < n - cancelled && wrong == 0) reactor.iterate(std::chrono::milliseconds(60));
    double seconds = weft::bench::secondsSince(start);
    calls.clear();

    std::printf("timers=%ld fired=%ld cancelled=%ld seconds=%.6f schedule_seconds=%.6f cancel_seconds=%.6f\n", n, fired,
                cancelled, seconds, scheduleSeconds, cancelSeconds);
    return fired == n - cancelled && wrong == 0 ? 0 : 1;
}
