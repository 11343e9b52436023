// SPDX-License-Identifier: MIT
// bench/bench_args.h: the flag parsing and timing every bench program shares (CONTRACT.md:
// flags as separate words in any order; the last stdout line is the key=value result).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace weft::bench {

// The value after `--name`, or `fallback`; exits with a usage line on a malformed number.
inline std::string flag(int argc, char** argv, const char* name, const char* fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

inline long numberFlag(int argc, char** argv, const char* name, long fallback) {
    std::string text = flag(argc, argv, name, "");
    if (text.empty()) return fallback;
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || value < 0) {
        std::fprintf(stderr, "%s: %s wants a non-negative number, got '%s'\n", argv[0], name, text.c_str());
        std::exit(2);
    }
    return value;
}

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs start(i, done) for i in [0, count) with at most `limit` in flight; each start calls
// done() once when its item ends, and stop() runs after the last. A done() that comes at once
// (a failure known before any I/O) re-enters here, and the guard turns that into the loop's
// next turn instead of a recursion as deep as the list. Done is one pointer, so a callback
// that keeps it (and a pointer to its counters) fits in a Deferred's step without allocating:
// what is measured is the library, not the benchmark's own bookkeeping.
class InFlight {
public:
    class Done {
    public:
        explicit Done(InFlight& work) noexcept : work_(&work) {}
        void operator()() const { work_->finish(); }

    private:
        InFlight* work_;
    };
    using Start = std::function<void(std::size_t index, Done done)>;
    InFlight(std::size_t count, std::size_t limit, Start start, std::function<void()> stop)
        : count_(count), limit_(limit), start_(std::move(start)), stop_(std::move(stop)) {}

    void pump() {
        if (pumping_) return;
        pumping_ = true;
        while (running_ < limit_ && next_ < count_) {
            ++running_;
            start_(next_++, Done(*this));
        }
        pumping_ = false;
    }

private:
    void finish() {
        --running_;
        if (++finished_ == count_) stop_();
        else pump();
    }

    std::size_t count_, limit_, next_ = 0, running_ = 0, finished_ = 0;
    Start start_;
    std::function<void()> stop_;
    bool pumping_ = false;
};

// User + system CPU time of this process so far, for the `cpu_seconds=` key.
inline double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace weft::bench
