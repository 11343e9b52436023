#!/bin/sh
# SPDX-License-Identifier: MIT
# run-fuzz.sh BUILD_DIR [SECONDS]: run every libFuzzer target fuzz-MODULE-NAME in BUILD_DIR for
# SECONDS (default 15) on a scratch copy of MODULE/fuzz/corpus/NAME, so the seed corpus in the
# tree stays as it is. Exits non-zero on the first crash, leak, timeout or sanitizer report.
set -e
build=$1; seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
found=0
for exe in $(find "$build" -type f -name 'fuzz-*' -perm -u+x | sort); do
    target=$(basename "$exe"); rest=${target#fuzz-}; module=${rest%%-*}; name=${rest#*-}
    seeds="$root/$module/fuzz/corpus/$name"
    mkdir -p "$scratch/$target"; [ -d "$seeds" ] && cp -r "$seeds/." "$scratch/$target/"
    echo "fuzz: $target for ${seconds}s on $(ls "$scratch/$target" | wc -l) seeds" >&2
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="$scratch/" "$scratch/$target" >"$scratch/$target.log" 2>&1 || {
            tail -n 40 "$scratch/$target.log" >&2
            for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
                [ -f "$a" ] && { echo "reproducer ($a), base64:" >&2; base64 "$a" >&2; }
            done
            echo "fuzz: $target FAILED" >&2; exit 1
        }
    grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "$scratch/$target.log" | tail -n 1 >&2 || true
    found=$((found + 1))
done
[ "$found" -gt 0 ] || { echo "fuzz: no targets in $build" >&2; exit 1; }
echo "fuzz: $found targets ran ${seconds}s each and found nothing" >&2
