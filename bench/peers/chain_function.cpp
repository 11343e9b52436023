// SPDX-License-Identifier: MIT
// Peer for the "chain" benchmark: the cheapest honest way to hold a Deferred-like chain in
// standard C++. N type-erased callables (std::function<long(long)>, each a lambda adding 1)
// are appended one at a time to a std::vector, as addCallback appends to a Deferred, and then
// run in order with each return value fed to the next, starting from 0. There is no error
// path, no pausing and no result slot, so this is the floor a weft Deferred link is compared
// with (target: a Deferred link costs at most 1.5x one entry here). `seconds` covers building
// the list and running it, on std::chrono::steady_clock.
// usage: chain-function --links N    last stdout line: links=N result=R seconds=S
#include "bench/peers/chain_peer.h"

#include <chrono>
#include <functional>
#include <vector>

int main(int argc, char** argv) {
    return chain_peer::run(argc, argv, "chain-function", [](long links) {
        std::vector<std::function<long(long)>> chain;  // grows as it is built, like a callback list
        for (long i = 0; i < links; ++i) chain.emplace_back([](long v) { return v + 1; });
        long value = 0;
        for (const auto& link : chain) value = link(value);
        return value;
    });
}
