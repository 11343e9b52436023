#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh: `make bench`. Runs weft's benchmark programs beside their peers (bench/peers/:
# the same measurement written with std::function, std::promise, Asio, std::thread, Twisted),
# repeats every program REPS times with the repetitions interleaved (program A, B, C, A, B, C,
# ...) so that drift in the machine hits all of them alike, checks every result, and prints
# median seconds, per-item costs and the ratios the issues set as targets.
#
# usage: bench/run.sh [all|callbacks]     (default: all)
# Assumes ${BUILD:-build} is configured and built (the Makefile builds first). Every program
# follows the plug-in contract: flags as words, last stdout line `key=value ...` with a
# `seconds` measured by the program itself on a monotonic clock.
#
# Environment:
#   BUILD                build directory, relative to the repository root (default build)
#   REPS                 runs per program; the median is reported (default 5)
#   CHAIN_LINKS          links in the chain benchmark (default 1000000)
#   CHAIN_TWISTED_LINKS  links for Twisted's single Deferred, which is O(N^2) in its length
#                        (default 100000)
#   COUNTER_TASKS        tasks in the counter benchmark (default 100)
#   COUNTER_INCREMENTS   increments per task (default 1000)
#   PYTHON               interpreter with Twisted (default /usr/bin/python3: Debian's, which
#                        python3-twisted installs into; a pyenv python3 on PATH has no Twisted)
#   BENCH_TIMEOUT        seconds before one run is killed and counted as failed (default 120)
#   WEFT_CHAIN, WEFT_COUNTER  override the weft programs (default $BUILD/bench/weft-*)
#
# Exit status: 0 when every program ran and gave a correct result, whether or not the targets
# were met (a benchmark is not a test; PASS/MISS is printed). 1 when a program failed, timed
# out or gave a wrong result. 2 on bad usage or a missing build.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
REPS=${REPS:-5}
PY=${PYTHON:-/usr/bin/python3}
TIMEOUT=${BENCH_TIMEOUT:-120}
PEERS=$ROOT/bench/peers
WORK=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
say() { printf '%s\n' "$*"; }
note() { printf '%s\n' "$*" >&2; }
is_count() { [[ $1 =~ ^[0-9]+$ ]]; }

for v in REPS CHAIN_LINKS CHAIN_TWISTED_LINKS COUNTER_TASKS COUNTER_INCREMENTS BENCH_TIMEOUT; do
    if [ -n "${!v:-}" ] && ! is_count "${!v}"; then note "bench/run.sh: $v must be a whole number, not '${!v}'"; exit 2; fi
done
[ "$REPS" -ge 1 ] || { note "bench/run.sh: REPS must be at least 1"; exit 2; }

# ------------------------------------------------------------------ machine and build
# Printed first so that figures quoted in README.md can cite where they were measured.
print_machine() {
    local cpu compiler buildtype twisted asio
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    compiler=$("$PY" -c 'import json, sys
try:
    print(json.load(open(sys.argv[1]))[0]["command"].split()[0])
except Exception:
    print("c++")' "$BUILD/compile_commands.json" 2>/dev/null)
    buildtype=$("$PY" -c 'import json, sys
opts = {o["name"]: o["value"] for o in json.load(open(sys.argv[1]))}
print("%s, -O%s, ndebug=%s" % (opts.get("buildtype"), opts.get("optimization"), opts.get("b_ndebug")))' \
        "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null)
    twisted=$("$PY" -c 'import twisted; print(twisted.__version__)' 2>/dev/null) || twisted="not importable"
    asio=$(sed -n 's|^#define ASIO_VERSION \([0-9]*\).*|\1|p' /usr/include/asio/version.hpp 2>/dev/null)
    [ -n "$asio" ] && asio="$((asio / 100000)).$((asio / 100 % 1000)).$((asio % 100))"
    say "weft benchmarks ($(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'not a git checkout'))"
    say "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    say "machine:  $(nproc) cores online (nproc); CPU: ${cpu:-unknown}; $(uname -sr)"
    say "compiler: $("${compiler:-c++}" --version 2>/dev/null | head -n 1) [build dir $BUILD: ${buildtype:-unknown}]"
    say "python:   $PY ($("$PY" --version 2>&1)), Twisted $twisted; Asio ${asio:-not installed}"
    say "runs:     REPS=$REPS per program, interleaved; medians shown; timeout ${TIMEOUT}s per run"
}

# ------------------------------------------------------------------ programs and runs
# A suite registers programs with `program`, runs them with `run_interleaved`, and reads the
# collected figures back with `median_of` / `count_of`.
declare -a IDS=()
declare -A LABEL=() CHECK=() ARG=() CMD=() SHOWN=()

# program ID LABEL CHECK ARG COMMAND...  CHECK: chain (ARG = links; result must equal it),
# counter (ARG = tasks*increments; count must equal it) or racy (count only reported).
program() {
    local id=$1 label=$2 check=$3 arg=$4; shift 4
    IDS+=("$id"); LABEL[$id]=$label; CHECK[$id]=$check; ARG[$id]=$arg
    CMD[$id]=$(printf '%q ' "$@"); SHOWN[$id]="$*"
}

# The value of KEY in a `key=value ...` line.
field() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) { n = index($i, "="); if (n > 1 && substr($i, 1, n - 1) == k) { print substr($i, n + 1); exit } } }' <<< "$1"; }

# run_once ID: one run; appends seconds (and count) to the ID's files, or marks it failed.
# Prints the seconds (or FAIL); it runs in a command substitution, so it keeps its state in
# files under $WORK, never in variables.
run_once() {
    local id=$1 out rc line seconds
    out=$(eval "timeout -k 5 $TIMEOUT ${CMD[$id]}" 2> "$WORK/$id.stderr"); rc=$?
    line=$(tail -n 1 <<< "$out")
    seconds=$(field "$line" seconds)
    local bad=""
    if [ "$rc" -ne 0 ]; then bad="exit status $rc$([ "$rc" -eq 124 ] && echo " (timed out after ${TIMEOUT}s)")"
    elif ! [[ $seconds =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then bad="no seconds= in last line '$line'"
    else
        case ${CHECK[$id]} in
            chain)
                [ "$(field "$line" links)" = "${ARG[$id]}" ] && [ "$(field "$line" result)" = "${ARG[$id]}" ] \
                    || bad="wrong result: '$line' (want links=result=${ARG[$id]})" ;;
            counter|racy)
                local count expected
                count=$(field "$line" count); expected=$(field "$line" expected)
                if [ "$expected" != "${ARG[$id]}" ] || ! is_count "$count"; then bad="bad line '$line' (want expected=${ARG[$id]})"
                elif [ "${CHECK[$id]}" = counter ] && [ "$count" != "$expected" ]; then bad="wrong count: '$line'"
                else echo "$count" >> "$WORK/$id.counts"; fi ;;
        esac
    fi
    if [ -n "$bad" ]; then
        echo x >> "$WORK/$id.failed"
        note "FAILED ${LABEL[$id]}: $bad"
        note "  command: ${SHOWN[$id]}"
        sed -n '1,20s/^/  stderr: /p' "$WORK/$id.stderr" >&2
        printf 'FAIL'
        return
    fi
    echo "$seconds" >> "$WORK/$id.secs"
    printf '%s' "$seconds"
}

# run_interleaved NAME ID...: REPS rounds, each running every ID once in turn.
run_interleaved() {
    local name=$1 rep id s; shift
    for rep in $(seq 1 "$REPS"); do
        local progress="  $name run $rep/$REPS:"
        for id in "$@"; do s=$(run_once "$id"); progress+=" $id=$s"; done
        note "$progress"
    done
}

# Median / min / max of the ID's successful runs (empty when there were none).
stat_of() { [ -s "$WORK/$1.$2" ] && sort -g "$WORK/$1.$2" | awk -v what="$3" '{ v[NR] = $1 } END {
    if (what == "min") print v[1]; else if (what == "max") print v[NR];
    else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.9g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
median_of() { stat_of "$1" secs median; }
ok_runs() { [ -s "$WORK/$1.secs" ] && wc -l < "$WORK/$1.secs" || echo 0; }
failed_runs() { [ -s "$WORK/$1.failed" ] && wc -l < "$WORK/$1.failed" || echo 0; }
# Spread of the runs as (max - min) / median, in percent.
spread_of() { local lo hi md; lo=$(stat_of "$1" secs min); hi=$(stat_of "$1" secs max); md=$(median_of "$1")
    [ -n "$md" ] && awk -v a="$lo" -v b="$hi" -v m="$md" 'BEGIN { printf "%.0f%%", (m > 0 ? 100 * (b - a) / m : 0) }'; }

# Per-item cost in ns of ID's median (ITEMS = links or increments).
ns_per() { local md; md=$(median_of "$1"); [ -n "$md" ] && awk -v s="$md" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", s * 1e9 / n }'; }

# ------------------------------------------------------------------ ratios and targets
# ratio_line TEXT A B LIMIT: prints "TEXT: A/B x (lower is better for weft; target <= LIMIT)"
# with A and B per-item costs (ns); LIMIT empty = no target, just information.
ratio_line() {
    local text=$1 a=$2 b=$3 limit=$4
    if [ -z "$a" ] || [ -z "$b" ]; then say "  $text: n/a (no successful run)"; return; fi
    awk -v t="$text" -v a="$a" -v b="$b" -v lim="$limit" 'BEGIN {
        r = b > 0 ? a / b : 0
        line = sprintf("  %s: %.2fx (lower is better for weft", t, r)
        if (lim == "") print line ")"
        else printf "%s; target <= %sx) %s\n", line, lim, (r <= lim ? "PASS" : "MISS") }'
}

# faster_line WEFT OTHER A B LIMIT: "weft X is 53.1x faster than Y" from per-item costs A (weft)
# and B (the other); LIMIT empty = information only.
faster_line() {
    local weft=$1 other=$2 a=$3 b=$4 limit=$5
    if [ -z "$a" ] || [ -z "$b" ]; then say "  $weft vs $other: n/a (no successful run)"; return; fi
    awk -v w="$weft" -v o="$other" -v a="$a" -v b="$b" -v lim="$limit" 'BEGIN {
        if (a <= 0) { printf "  %s vs %s: n/a (zero time measured)\n", w, o; exit }
        r = b / a
        if (r >= 1) line = sprintf("  %s is %.1fx faster than %s", w, r, o)
        else line = sprintf("  %s is %.1fx slower than %s", w, 1 / r, o)
        if (lim == "") print line
        else printf "%s (target: at least %sx faster) %s\n", line, lim, (r >= lim ? "PASS" : "MISS") }'
}

# ------------------------------------------------------------------ suite: callbacks
# The Twisted article's two examples, measured in-process: a chain of N callbacks that each add
# 1 (one Deferred; one coroutine awaiting N times) and a counter incremented by T tasks I times
# each. Targets (the issue): a Deferred link costs at most 1.5x a std::function list entry; a
# weft coroutine link at most an Asio co_await; weft's counter at least 10x faster than
# threads with a mutex and 100x faster than Twisted's Deferred counter.
suite_callbacks() {
    local N=${CHAIN_LINKS:-1000000} NT=${CHAIN_TWISTED_LINKS:-100000}
    local T=${COUNTER_TASKS:-100} I=${COUNTER_INCREMENTS:-1000}
    local E=$((T * I)) chain_bin=${WEFT_CHAIN:-$BUILD/bench/weft-chain} counter_bin=${WEFT_COUNTER:-$BUILD/bench/weft-counter}
    local exe have_twisted=1 id
    for exe in "$chain_bin" "$counter_bin" "$BUILD/bench/peers/chain-function" "$BUILD/bench/peers/chain-promise" \
               "$BUILD/bench/peers/counter-threads"; do
        [ -x "$exe" ] || { note "bench/run.sh: $exe is missing; build first (make build, or ninja -C $BUILD)"; exit 2; }
    done
    "$PY" -c 'import twisted.internet.defer' 2>/dev/null || {
        have_twisted=0; note "bench/run.sh: $PY cannot import Twisted (apt install python3-twisted): Twisted peers skipped"; }

    say ""
    say "== callbacks: chain of N links adding 1 (N=$N; Twisted's one Deferred at N=$NT) =="
    IDS=()
    program weft-deferred "weft Deferred" chain "$N" "$chain_bin" --links "$N" --mode deferred
    program weft-coroutine "weft coroutine" chain "$N" "$chain_bin" --links "$N" --mode coroutine
    program function "std::function list" chain "$N" "$BUILD/bench/peers/chain-function" --links "$N"
    program promise "std::promise/future" chain "$N" "$BUILD/bench/peers/chain-promise" --links "$N"
    if [ -x "$BUILD/bench/peers/chain-asio" ]; then
        program asio "Asio co_await" chain "$N" "$BUILD/bench/peers/chain-asio" --links "$N"
    else note "bench/run.sh: $BUILD/bench/peers/chain-asio not built (no asio.hpp: apt install libasio-dev): skipped"; fi
    if [ "$have_twisted" = 1 ]; then
        program tw-inline "Twisted inlineCallbacks" chain "$N" "$PY" "$PEERS/chain_twisted.py" --links "$N" --mode inlinecallbacks
        program tw-deferred "Twisted Deferred (N=$NT)" chain "$NT" "$PY" "$PEERS/chain_twisted.py" --links "$NT" --mode deferred
    fi
    local chain_ids=("${IDS[@]}")
    run_interleaved chain "${chain_ids[@]}"

    say "$(printf '  %-28s %12s %10s %8s %6s' program 'median s' 'ns/link' spread runs)"
    for id in "${chain_ids[@]}"; do
        say "$(printf '  %-28s %12s %10s %8s %6s' "${LABEL[$id]}" "$(median_of "$id" || true)" \
            "$(ns_per "$id" "${ARG[$id]}")" "$(spread_of "$id")" "$(ok_runs "$id")/$REPS")"
    done
    declare -A NS=()
    for id in "${chain_ids[@]}"; do NS[$id]=$(ns_per "$id" "${ARG[$id]}"); done
    say "  ratios per link:"
    ratio_line "weft Deferred / std::function list" "${NS[weft-deferred]:-}" "${NS[function]:-}" 1.5
    ratio_line "weft coroutine / Asio co_await" "${NS[weft-coroutine]:-}" "${NS[asio]:-}" 1
    faster_line "weft Deferred" "std::promise/future" "${NS[weft-deferred]:-}" "${NS[promise]:-}" ""
    faster_line "weft coroutine" "Twisted inlineCallbacks" "${NS[weft-coroutine]:-}" "${NS[tw-inline]:-}" ""
    faster_line "weft Deferred" "Twisted Deferred" "${NS[weft-deferred]:-}" "${NS[tw-deferred]:-}" ""
    if [ "$have_twisted" = 1 ]; then
        say "  (Twisted 22.4 takes each callback off the front of a Python list, so one Deferred costs"
        say "   O(N^2): it runs at N=$NT, where its per-link cost is lower than it would be at N=$N;"
        say "   the last ratio therefore flatters Twisted. CHAIN_TWISTED_LINKS changes that N.)"
    fi

    say ""
    say "== callbacks: counter, T=$T tasks x I=$I increments (expected $E) =="
    IDS=()
    program weft-counter "weft Deferreds" counter "$E" "$counter_bin" --tasks "$T" --increments "$I"
    program threads-mutex "cpp threads+mutex" counter "$E" "$BUILD/bench/peers/counter-threads" --tasks "$T" --increments "$I" --mode mutex
    program threads-atomic "cpp threads+atomic" counter "$E" "$BUILD/bench/peers/counter-threads" --tasks "$T" --increments "$I" --mode atomic
    program threads-unlocked "cpp threads unlocked (racy)" racy "$E" "$BUILD/bench/peers/counter-threads" --tasks "$T" --increments "$I" --mode unlocked
    if [ "$have_twisted" = 1 ]; then
        program tw-counter "Twisted Deferreds" counter "$E" "$PY" "$PEERS/counter_twisted.py" --tasks "$T" --increments "$I"
    fi
    local counter_ids=("${IDS[@]}")
    run_interleaved counter "${counter_ids[@]}"

    say "$(printf '  %-28s %12s %10s %8s %6s  %s' program 'median s' 'ns/incr' spread runs count)"
    for id in "${counter_ids[@]}"; do
        local counts=""
        if [ "${CHECK[$id]}" = racy ] && [ -s "$WORK/$id.counts" ]; then
            counts=$(awk -v e="$E" '{ if ($1 < e) { lost++; if (e - $1 > most) most = e - $1 } }
                END { printf "updates lost in %d of %d runs (at most %d)", lost, NR, most }' "$WORK/$id.counts")
        elif [ -s "$WORK/$id.counts" ]; then counts="$(stat_of "$id" counts median) (all runs exact)"; fi
        say "$(printf '  %-28s %12s %10s %8s %6s  %s' "${LABEL[$id]}" "$(median_of "$id" || true)" \
            "$(ns_per "$id" "$E")" "$(spread_of "$id")" "$(ok_runs "$id")/$REPS" "$counts")"
    done
    local W M A U TW
    W=$(median_of weft-counter); M=$(median_of threads-mutex); A=$(median_of threads-atomic)
    U=$(median_of threads-unlocked); TW=$(median_of tw-counter 2>/dev/null)
    say "  ratios (whole run):"
    faster_line "weft counter" "cpp threads+mutex" "$W" "$M" 10
    faster_line "weft counter" "Twisted's Deferred counter" "$W" "$TW" 100
    faster_line "weft counter" "cpp threads+atomic" "$W" "$A" ""
    faster_line "weft counter" "cpp threads unlocked" "$W" "$U" ""

    say ""
    say "commands (from $ROOT):"
    for id in "${chain_ids[@]}" "${counter_ids[@]}"; do say "  ${SHOWN[$id]//$ROOT\//}"; done
    for id in "${chain_ids[@]}" "${counter_ids[@]}"; do
        [ "$(failed_runs "$id")" -gt 0 ] && say "FAILED: ${LABEL[$id]}: $(failed_runs "$id") of $REPS runs failed or gave a wrong result"
    done
    return 0
}

usage() { say "usage: bench/run.sh [all|callbacks]   (environment: see the comment at the top)"; }

case "${1:-all}" in
    -h|--help) usage; exit 0 ;;
    callbacks) print_machine; suite_callbacks ;;
    all) print_machine; suite_callbacks ;;
    *) usage >&2; exit 2 ;;
esac
if compgen -G "$WORK/*.failed" > /dev/null; then note "bench/run.sh: some runs failed or gave wrong results (see above)"; exit 1; fi
exit 0
