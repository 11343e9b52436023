// SPDX-License-Identifier: MIT
// Peer for the "chain" benchmark on the coroutine side: standalone Asio's C++20 coroutines
// (Debian libasio-dev), the established C++ awaitable that weft's coroutine support is held
// against (target: a weft coroutine link costs at most one co_await here). One coroutine is
// co_spawned on a single-threaded io_context; it co_awaits an asio::awaitable<long> that
// returns its argument + 1, N times in a row starting from 0, so each link creates, resumes
// and destroys one child coroutine frame (Asio recycles frames through its per-thread cache).
// The result comes back through co_spawn's completion handler. `seconds` covers spawning and
// running the whole chain, on std::chrono::steady_clock.
// usage: chain-asio --links N    last stdout line: links=N result=R seconds=S
#include "bench/peers/asio_config.h"

#include "bench/peers/chain_peer.h"

#include <chrono>
#include <cstdio>
#include <exception>

namespace {

asio::awaitable<long> plus_one(long value) { co_return value + 1; }

asio::awaitable<long> run_chain(long links) {
    long value = 0;
    for (long i = 0; i < links; ++i) value = co_await plus_one(value);
    co_return value;
}

}  // namespace

int main(int argc, char** argv) {
    return chain_peer::run(argc, argv, "chain-asio", [](long links) {
        asio::io_context context(1);  // concurrency hint 1: one thread, no cross-thread locking
        long result = -1;
        asio::co_spawn(context, run_chain(links), [&](std::exception_ptr error, long value) {
            if (error) std::fprintf(stderr, "chain-asio: the coroutine ended with an exception\n");
            else result = value;
        });
        context.run();
        return result;
    });
}
