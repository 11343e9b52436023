// SPDX-License-Identifier: MIT
// Peer for the "chain" benchmark: the cheapest honest way to hold a Deferred-like chain in
// standard C++. N type-erased callables (std::function<long(long)>, each a lambda adding 1)
// are appended one at a time to a std::vector, as addCallback appends to a Deferred, and then
// run in order with each return value fed to the next, starting from 0. There is no error
// path, no pausing and no result slot, so this is the floor a weft Deferred link is compared
// with (target: a Deferred link costs at most 1.5x one entry here). `seconds` covers building
// the list and running it, on std::chrono::steady_clock.
// usage: chain-function --links N    last stdout line: links=N result=R seconds=S
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "chain-function: %s\nusage: chain-function --links N\n", why);
    std::exit(2);
}

long parse_count(const char* text) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0) usage("--links wants a non-negative integer");
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    long links = -1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--links") == 0 && i + 1 < argc) links = parse_count(argv[++i]);
        else usage("unknown or incomplete argument");
    }
    if (links < 0) usage("--links is required");

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::function<long(long)>> chain;   // grows as it is built, like a callback list
    for (long i = 0; i < links; ++i) chain.emplace_back([](long v) { return v + 1; });
    long value = 0;
    for (const auto& link : chain) value = link(value);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;

    std::printf("links=%ld result=%ld seconds=%.6f\n", links, value, took.count());
    return value == links ? 0 : 1;
}
