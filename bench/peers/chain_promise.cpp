// SPDX-License-Identifier: MIT
// Peer for the "chain" benchmark: the standard library's own one-shot result channel. The
// chain is N std::promise<long>/std::future<long> pairs made up front (the analogue of adding
// N callbacks); running it, link k sets its promise to the previous value + 1 and the value is
// read back from the matching future before moving on, all on one thread, starting from 0.
// Each pair costs a heap-allocated shared state with its own mutex and condition variable,
// which is the price weft's Deferred avoids. `seconds` covers building and running the chain,
// on std::chrono::steady_clock.
// usage: chain-promise --links N    last stdout line: links=N result=R seconds=S
#include "bench/peers/chain_peer.h"

#include <chrono>
#include <future>
#include <vector>

namespace {

struct Link {
    std::promise<long> promise;
    std::future<long> future = promise.get_future();
};

}  // namespace

int main(int argc, char** argv) {
    return chain_peer::run(argc, argv, "chain-promise", [](long links) {
        std::vector<Link> chain(static_cast<std::size_t>(links));
        long value = 0;
        for (auto& link : chain) {
            link.promise.set_value(value + 1);
            value = link.future.get();
        }
        return value;
    });
}
