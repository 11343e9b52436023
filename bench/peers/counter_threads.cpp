// SPDX-License-Identifier: MIT
// Peer for the "counter" benchmark: the threaded answer to "T tasks each add 1 to a shared
// counter I times", the baseline the Twisted article argues against and weft's Deferred
// counter is measured with (target: weft at least 10x faster than the mutex mode). T
// std::threads are started one after another and joined; `seconds` covers creating, running
// and joining them all, on std::chrono::steady_clock. Modes:
//   unlocked  the racy read-modify-write, without undefined behaviour: a relaxed load of a
//             std::atomic<long> followed by a separate relaxed store, so two threads that
//             interleave lose updates exactly as an unsynchronised `counter += 1` would, but
//             every access is still well defined (and clean under ThreadSanitizer);
//   mutex     a std::mutex held around `++counter` on a plain long;
//   atomic    one fetch_add per increment (relaxed: only the count matters).
// usage: counter-threads --tasks T --increments I --mode unlocked|mutex|atomic
// last stdout line: count=C expected=E seconds=S (exit 0 even if C != E in unlocked mode)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "counter-threads: %s\n"
                 "usage: counter-threads --tasks T --increments I --mode unlocked|mutex|atomic\n",
                 why);
    std::exit(2);
}

long parse_count(const char* flag, const char* text) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0) {
        std::fprintf(stderr, "counter-threads: %s wants a non-negative integer\n", flag);
        std::exit(2);
    }
    return value;
}

enum class Mode { unlocked, mutex, atomic };

// The three counters, one per mode; each worker touches only the one its mode names.
struct Shared {
    std::atomic<long> racy{0};
    std::mutex lock;
    long guarded = 0;
    std::atomic<long> counted{0};
};

void work(Mode mode, Shared& shared, long increments) {
    switch (mode) {
    case Mode::unlocked:
        for (long i = 0; i < increments; ++i) {
            const long seen = shared.racy.load(std::memory_order_relaxed);
            shared.racy.store(seen + 1, std::memory_order_relaxed);   // may overwrite others
        }
        break;
    case Mode::mutex:
        for (long i = 0; i < increments; ++i) {
            const std::lock_guard<std::mutex> hold(shared.lock);
            ++shared.guarded;
        }
        break;
    case Mode::atomic:
        for (long i = 0; i < increments; ++i) shared.counted.fetch_add(1, std::memory_order_relaxed);
        break;
    }
}

}  // namespace

int main(int argc, char** argv) {
    long tasks = -1;
    long increments = -1;
    const char* mode_name = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) usage("every flag needs a value");
        if (flag == "--tasks") tasks = parse_count("--tasks", argv[++i]);
        else if (flag == "--increments") increments = parse_count("--increments", argv[++i]);
        else if (flag == "--mode") mode_name = argv[++i];
        else usage("unknown argument");
    }
    if (tasks < 0 || increments < 0 || mode_name == nullptr)
        usage("--tasks, --increments and --mode are required");
    Mode mode{};
    if (std::strcmp(mode_name, "unlocked") == 0) mode = Mode::unlocked;
    else if (std::strcmp(mode_name, "mutex") == 0) mode = Mode::mutex;
    else if (std::strcmp(mode_name, "atomic") == 0) mode = Mode::atomic;
    else usage("--mode must be unlocked, mutex or atomic");

    Shared shared;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(tasks));
    for (long t = 0; t < tasks; ++t) threads.emplace_back(work, mode, std::ref(shared), increments);
    for (auto& thread : threads) thread.join();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;

    long count = 0;
    switch (mode) {
    case Mode::unlocked: count = shared.racy.load(); break;
    case Mode::mutex: count = shared.guarded; break;   // joined threads: no lock needed
    case Mode::atomic: count = shared.counted.load(); break;
    }
    std::printf("count=%ld expected=%ld seconds=%.6f\n", count, tasks * increments, took.count());
    return 0;
}
