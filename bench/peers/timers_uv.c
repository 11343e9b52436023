/* SPDX-License-Identifier: MIT
 * timers-uv: the timers peer on libuv 1.44 (Debian libuv1-dev). weft's build/bench/weft-timers
 * follows the same contract, and bench/run.sh (suite timers) compares the two.
 *
 * Contract of the timers benchmark:
 *
 *   PROG --timers N                       (N >= 1)
 *   -> last stdout line: timers=N fired=F cancelled=C seconds=S
 *
 * 1. On one event loop, schedule N one-shot timers, i = 0 .. N-1 in that order. Timer i fires
 *    t(i) milliseconds after the moment it is scheduled (each schedule call reads the clock,
 *    as Twisted's callLater does), where t(i) comes from this 64-bit LCG, seed 2024:
 *        x(0) = 2024;  x(i+1) = x(i) * 6364136223846793005 + 1442695040888963407  (mod 2^64)
 *        t(i) = (x(i+1) >> 33) mod 51                       -- 0 .. 50 ms
 *    The first eight are 48 45 26 27 35 33 8 22.
 * 2. Then cancel every odd-numbered timer (i = 1, 3, 5, ...), in increasing i, before any timer
 *    has run. C = floor(N / 2).
 * 3. Run the loop until every other timer has fired. F counts the callbacks that ran; a
 *    correct run has F = N - C, and no cancelled timer's callback ran.
 * `seconds` runs from just before scheduling timer 0 until the last callback has run: it
 * covers scheduling, cancelling and firing, and also the wait for the latest deadline (at
 * most 50 ms after the last schedule call), which every implementation pays alike. Extra keys
 * (recorded, not compared): schedule_seconds, cancel_seconds (the two phases alone).
 * Exit status 0 only for a correct run; 1 otherwise; 2 on bad usage.
 *
 * Here: the N uv_timer_t live in one array, allocated (not touched) and the N timeouts computed
 * before the clock starts; scheduling timer i is uv_timer_init + uv_update_time +
 * uv_timer_start (the uv_update_time makes the timeout count from that call; libuv otherwise
 * counts from the time it cached at the start of the loop iteration); uv_timer_stop cancels.
 * The handles are closed after the clock stops.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <stdint.h>
#include <uv.h>

static long long fired, expected, wrong;
static double stopped;

static void on_timer(uv_timer_t *timer) {
    if ((uintptr_t)timer->data % 2 != 0) ++wrong;   /* data holds the timer's number */
    if (++fired == expected) stopped = peer_now();
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--timers", NULL};
    peer_parse(argc, argv, "timers-uv", "--timers N", flags);
    long long n = peer_count("--timers", -1, 1, 100000000);

    uv_timer_t *timers = malloc((size_t)n * sizeof *timers);
    uint64_t *timeouts = malloc((size_t)n * sizeof *timeouts);
    if (timers == NULL || timeouts == NULL) {
        fprintf(stderr, "timers-uv: out of memory for %lld timers\n", n);
        return 1;
    }
    uint64_t x = 2024;
    for (long long i = 0; i < n; ++i) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        timeouts[i] = (x >> 33) % 51;
    }
    uv_loop_t *loop = uv_default_loop();
    long long cancelled = n / 2;
    expected = n - cancelled;

    const double t0 = peer_now();
    for (long long i = 0; i < n; ++i) {
        uv_timer_init(loop, &timers[i]);
        timers[i].data = (void *)(uintptr_t)i;
        uv_update_time(loop);
        uv_timer_start(&timers[i], on_timer, timeouts[i], 0);
    }
    const double t1 = peer_now();
    for (long long i = 1; i < n; i += 2) uv_timer_stop(&timers[i]);
    const double t2 = peer_now();
    uv_run(loop, UV_RUN_DEFAULT);

    for (long long i = 0; i < n; ++i) uv_close((uv_handle_t *)&timers[i], NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    free(timers);
    free(timeouts);

    if (fired != expected || wrong != 0) {
        fprintf(stderr, "timers-uv: %lld callbacks ran (%lld of cancelled timers), want %lld\n", fired, wrong, expected);
        printf("timers=%lld fired=%lld cancelled=%lld seconds=%.6f\n", n, fired, cancelled, 0.0);
        return 1;
    }
    printf("timers=%lld fired=%lld cancelled=%lld seconds=%.6f schedule_seconds=%.6f cancel_seconds=%.6f\n", n, fired,
           cancelled, stopped - t0, t1 - t0, t2 - t1);
    return 0;
}
