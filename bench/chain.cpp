// SPDX-License-Identifier: MIT
// weft-chain --links N [--mode deferred|coroutine]: N links each adding 1 to a value that
// starts at 0 (CONTRACT.md "Chain"). deferred: N callbacks on one Deferred<long>, then one
// callback(0). coroutine: one coroutine co_awaiting N coroutines that each return x + 1.
// The time covers building and running the chain; result must equal N.
#include <chrono>
#include <cstdio>
#include <string>

#include "bench/bench_args.h"
#include "defer/coroutine.h"
#include "defer/deferred.h"

namespace {

long chainOfCallbacks(long links) {
    weft::Deferred<long> d;
    for (long i = 0; i < links; ++i) d.addCallback([](long x) { return x + 1; });
    d.callback(0);
    return d.result().value();
}

weft::Deferred<long> addOne(long x) { co_return x + 1; }

weft::Deferred<long> awaitEach(long links) {
    long value = 0;
    for (long i = 0; i < links; ++i) value = co_await addOne(value);
    co_return value;
}

}  // namespace

int main(int argc, char** argv) {
    long links = weft::bench::numberFlag(argc, argv, "--links", 1'000'000);
    std::string mode = weft::bench::flag(argc, argv, "--mode", "deferred");
    if (mode != "deferred" && mode != "coroutine") {
        std::fprintf(stderr, "weft-chain: --mode is deferred or coroutine, not '%s'\n", mode.c_str());
        return 2;
    }
    auto start = std::chrono::steady_clock::now();
    long result = mode == "deferred" ? chainOfCallbacks(links) : awaitEach(links).result().value();
    double seconds = weft::bench::secondsSince(start);
    std::printf("links=%ld result=%ld seconds=%.6f\n", links, result, seconds);
    return result == links ? 0 : 1;
}
