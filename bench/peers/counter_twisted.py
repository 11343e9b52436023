#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Peer for the "counter" benchmark: the Twisted article's section 3 counter, in Twisted itself
# (Debian python3-twisted, 22.4). T Deferreds are made, each given I callbacks that add 1 to
# one global counter; then every Deferred is fired. All increments run on one thread, in
# callback order, so none is lost and no lock is needed: that is the point weft reproduces in
# C++ (target: weft's counter at least 100x faster than this). `seconds` covers creating,
# running and finishing all Deferreds (time.perf_counter, monotonic), not the interpreter start
# or the import of Twisted.
# usage: counter_twisted.py --tasks T --increments I [--mode deferred]
# last stdout line: count=C expected=E seconds=S
import argparse
import sys
import time

from twisted.internet import defer

counter = 0


def increment(passed_along):
    global counter
    counter += 1
    return passed_along


def run_deferreds(tasks, increments):
    pending = []
    for _ in range(tasks):
        d = defer.Deferred()
        for _ in range(increments):
            d.addCallback(increment)
        pending.append(d)
    for d in pending:
        d.callback(None)


def main():
    parser = argparse.ArgumentParser(description="T Deferreds each incrementing a counter I times")
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--increments", type=int, required=True)
    parser.add_argument("--mode", choices=["deferred"], default="deferred")
    args = parser.parse_args()
    if args.tasks < 0 or args.increments < 0:
        parser.error("--tasks and --increments must be non-negative")

    start = time.perf_counter()
    run_deferreds(args.tasks, args.increments)
    seconds = time.perf_counter() - start

    print("count=%d expected=%d seconds=%.6f" % (counter, args.tasks * args.increments, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
