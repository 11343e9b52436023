/* SPDX-License-Identifier: MIT
 * bench/peers/peer_util.h: what the C peers share. Command lines follow the plug-in contract
 * (../shared/peers/CONTRACT.md): `--flag value` pairs as separate words, in any order; an
 * unknown flag, a flag without a value or a malformed number is a usage error (exit 2), so a
 * typo in bench/run.sh fails loudly instead of measuring a default. Times come from
 * CLOCK_MONOTONIC. Header-only; functions are static inline so each peer takes what it uses. */
#ifndef WEFT_BENCH_PEER_UTIL_H
#define WEFT_BENCH_PEER_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The program's name for messages; set by peer_parse. */
static const char *peer_name = "peer";
static const char *peer_usage_text = "";

__attribute__((format(printf, 1, 2))) static inline _Noreturn void peer_usage(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", peer_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s %s\n", peer_name, peer_usage_text);
    exit(2);
}

/* Checks that argv holds only `--flag value` pairs whose flags are in `known` (a NULL-ended
 * list), then remembers argc/argv for peer_text / peer_count / peer_real. */
static int peer_argc;
static char **peer_argv;
static inline void peer_parse(int argc, char **argv, const char *name, const char *usage, const char *const *known) {
    peer_name = name;
    peer_usage_text = usage;
    for (int i = 1; i < argc; i += 2) {
        int ok = 0;
        for (const char *const *k = known; *k != NULL; ++k)
            if (strcmp(argv[i], *k) == 0) ok = 1;
        if (!ok) peer_usage("unknown argument '%s'", argv[i]);
        if (i + 1 >= argc) peer_usage("%s needs a value", argv[i]);
    }
    peer_argc = argc;
    peer_argv = argv;
}

/* The value given for `flag` (the last one if repeated), or NULL. */
static inline const char *peer_text(const char *flag) {
    const char *value = NULL;
    for (int i = 1; i + 1 < peer_argc; i += 2)
        if (strcmp(peer_argv[i], flag) == 0) value = peer_argv[i + 1];
    return value;
}

/* A whole number in [min, max], or `fallback` when the flag is absent (fallback < min means
 * the flag is required). */
static inline long long peer_count(const char *flag, long long fallback, long long min, long long max) {
    const char *text = peer_text(flag);
    if (text == NULL) {
        if (fallback < min) peer_usage("%s is required", flag);
        return fallback;
    }
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < min || value > max)
        peer_usage("%s wants a whole number from %lld to %lld, not '%s'", flag, min, max, text);
    return value;
}

/* A positive real number, or `fallback` when absent (fallback <= 0 means required). */
static inline double peer_real(const char *flag, double fallback) {
    const char *text = peer_text(flag);
    if (text == NULL) {
        if (fallback <= 0) peer_usage("%s is required", flag);
        return fallback;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || !(value > 0) || value > 1e9)
        peer_usage("%s wants a positive number, not '%s'", flag, text);
    return value;
}

static inline double peer_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
