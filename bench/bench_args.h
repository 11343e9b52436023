// SPDX-License-Identifier: MIT
// bench/bench_args.h: the flag parsing and timing every bench program shares (CONTRACT.md:
// flags as separate words in any order; the last stdout line is the key=value result).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// User + system CPU time of this process so far, for the `cpu_seconds=` key.
inline double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace weft::bench
