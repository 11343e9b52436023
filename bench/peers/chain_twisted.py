#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Peer for the "chain" benchmark: Twisted itself (Debian python3-twisted, 22.4), the design weft
# ports to C++. Two ways to chain N links that each add 1 to a value starting at 0:
#   deferred         one Deferred gets N addCallback(v -> v + 1) and is then fired with 0.
#                    Twisted 22.4 takes callbacks off the front of a Python list (pop(0)), so
#                    one Deferred costs O(N^2) in its length: bench/run.sh runs this mode at a
#                    smaller N and compares per link.
#   inlinecallbacks  an @inlineCallbacks generator that, N times, yields an already-fired
#                    Deferred carrying value + 1 and takes the value back (what weft's
#                    coroutines replace).
# `seconds` covers building and running the chain (time.perf_counter, monotonic), not the
# interpreter start or the import of Twisted.
# usage: chain_twisted.py --links N --mode deferred|inlinecallbacks
# last stdout line: links=N result=R seconds=S
import argparse
import sys
import time

from twisted.internet import defer


def add_one(value):
    return value + 1


def chain_on_one_deferred(links):
    d = defer.Deferred()
    for _ in range(links):
        d.addCallback(add_one)
    box = []
    d.addCallback(box.append)
    d.callback(0)
    return box[0]


def chain_with_inline_callbacks(links):
    @defer.inlineCallbacks
    def walk():
        value = 0
        for _ in range(links):
            value = yield defer.succeed(value + 1)
        return value

    box = []
    walk().addCallback(box.append)
    return box[0]


MODES = {"deferred": chain_on_one_deferred, "inlinecallbacks": chain_with_inline_callbacks}


def main():
    parser = argparse.ArgumentParser(description="N-link chain through Twisted")
    parser.add_argument("--links", type=int, required=True)
    parser.add_argument("--mode", choices=sorted(MODES), required=True)
    args = parser.parse_args()
    if args.links < 0:
        parser.error("--links must be non-negative")

    start = time.perf_counter()
    result = MODES[args.mode](args.links)
    seconds = time.perf_counter() - start

    print("links=%d result=%d seconds=%.6f" % (args.links, result, seconds))
    return 0 if result == args.links else 1


if __name__ == "__main__":
    sys.exit(main())
