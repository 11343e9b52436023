// SPDX-License-Identifier: MIT
// Peer for the "chain" benchmark: the standard library's own one-shot result channel. The
// chain is N std::promise<long>/std::future<long> pairs made up front (the analogue of adding
// N callbacks); running it, link k sets its promise to the previous value + 1 and the value is
// read back from the matching future before moving on, all on one thread, starting from 0.
// Each pair costs a heap-allocated shared state with its own mutex and condition variable,
// which is the price weft's Deferred avoids. `seconds` covers building and running the chain,
// on std::chrono::steady_clock.
// usage: chain-promise --links N    last stdout line: links=N result=R seconds=S
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "chain-promise: %s\nusage: chain-promise --links N\n", why);
    std::exit(2);
}

long parse_count(const char* text) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0) usage("--links wants a non-negative integer");
    return value;
}

struct Link {
    std::promise<long> promise;
    std::future<long> future = promise.get_future();
};

}  // namespace

int main(int argc, char** argv) {
    long links = -1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--links") == 0 && i + 1 < argc) links = parse_count(argv[++i]);
        else usage("unknown or incomplete argument");
    }
    if (links < 0) usage("--links is required");

    const auto start = std::chrono::steady_clock::now();
    std::vector<Link> chain(static_cast<std::size_t>(links));
    long value = 0;
    for (auto& link : chain) {
        link.promise.set_value(value + 1);
        value = link.future.get();
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;

    std::printf("links=%ld result=%ld seconds=%.6f\n", links, value, took.count());
    return value == links ? 0 : 1;
}
