// SPDX-License-Identifier: MIT
// bench/peers/chain_peer.h: what the C++ chain peers share: the `--links N` command line
// (CONTRACT.md "Chain"; anything else is a usage error, exit 2), the timing on
// std::chrono::steady_clock, and the result line `links=N result=R seconds=S` (exit 0 only if
// R == N). Each peer supplies just its chain: a function from N to the value it computed.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace chain_peer {

[[noreturn]] inline void usage(const char* name, const char* why) {
    std::fprintf(stderr, "%s: %s\nusage: %s --links N\n", name, why, name);
    std::exit(2);
}

template <class Chain>
int run(int argc, char** argv, const char* name, Chain&& chain) {
    long links = -1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--links") != 0 || i + 1 >= argc) usage(name, "unknown or incomplete argument");
        char* end = nullptr;
        const char* text = argv[++i];
        links = std::strtol(text, &end, 10);
        if (end == text || *end != '\0' || links < 0) usage(name, "--links wants a non-negative integer");
    }
    if (links < 0) usage(name, "--links is required");

    const auto start = std::chrono::steady_clock::now();
    const long result = chain(links);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("links=%ld result=%ld seconds=%.6f\n", links, result, took.count());
    return result == links ? 0 : 1;
}

}  // namespace chain_peer
