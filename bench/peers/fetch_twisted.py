#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Peer for the HTTP fetch client benchmark: twisted.web.client (Debian python3-twisted, 22.4),
# the client of the framework weft follows. Contract (../shared/peers/CONTRACT.md, "HTTP fetch
# client"; the same as bench/peers/fetch_curl.c):
#   fetch_twisted.py --concurrency C --urls FILE
#   -> last stdout line: fetched=N titles=M errors=E seconds=S connections=K cpu_seconds=U
# Every line of FILE is fetched once with GET (HTTP/1.1, Host header), at most C at a time.
#
# Here: one Agent over an HTTPConnectionPool(persistent=True) keeping up to C idle connections
# per host, readBody for the whole body, and a DeferredSemaphore of C around each fetch. Twisted
# hands a connection back to the pool before the body's Deferred fires (_newclient's
# _finishResponse_WAITING), so the next fetch the semaphore lets in finds it there: C fetches
# in flight never need more than C connections. Redirects are not followed (plain Agent), so a
# 3xx counts as an error like any other non-2xx. `connections` (an extra key) counts the
# connections the pool opened; `seconds` covers the fetches only (time.perf_counter,
# monotonic), not the interpreter start, the import of Twisted or reading FILE; `cpu_seconds`
# is this process's user + system CPU time over the same span.
import argparse
import sys
import time
import warnings

from twisted.internet import defer, reactor
from twisted.python.failure import Failure
from twisted.web.client import Agent, HTTPConnectionPool, readBody


# Twisted 22.4's own HTTP/1.1 client hands readBody a transport proxy without abortConnection,
# and readBody then warns once per process that this is deprecated: noise about Twisted itself.
warnings.filterwarnings("ignore", message="Using readBody with a transport that does not have an abortConnection",
                        category=DeprecationWarning)


class CountingPool(HTTPConnectionPool):
    """A pool that counts the connections it opens (to show that they are reused)."""

    opened = 0

    def _newConnection(self, key, endpoint):
        self.opened += 1
        return super()._newConnection(key, endpoint)


def has_title(body):
    start = body.find(b"<title>")
    return start >= 0 and body.find(b"</title>", start + 7) >= 0


@defer.inlineCallbacks
def fetch(agent, url, totals):
    """Fetches one URL and adds it to totals (fetched, titles, errors); never fails."""
    try:
        response = yield agent.request(b"GET", url)
        body = yield readBody(response)  # PartialDownloadError when the body came short
        if 200 <= response.code < 300:
            totals["fetched"] += 1
            totals["titles"] += has_title(body)
            return
    except Exception:
        pass
    totals["errors"] += 1


def main():
    parser = argparse.ArgumentParser(description="fetch a list of URLs with twisted.web.client")
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--urls", required=True, help="file with one http:// URL per line")
    args = parser.parse_args()
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    with open(args.urls, "rb") as f:
        urls = [line.strip() for line in f if line.strip()]

    pool = CountingPool(reactor, persistent=True)
    pool.maxPersistentPerHost = args.concurrency
    pool.retryAutomatically = False  # a failed request is an error, not a silent second try
    agent = Agent(reactor, pool=pool)
    semaphore = defer.DeferredSemaphore(args.concurrency)
    totals = {"fetched": 0, "titles": 0, "errors": 0}
    span = {}

    @defer.inlineCallbacks
    def run():
        span["t0"], span["cpu0"] = time.perf_counter(), time.process_time()
        yield defer.gatherResults([semaphore.run(fetch, agent, url, totals) for url in urls])
        span["seconds"] = time.perf_counter() - span["t0"]
        span["cpu"] = time.process_time() - span["cpu0"]
        yield pool.closeCachedConnections()

    def done(result):
        if isinstance(result, Failure):  # a bug here, not a failed fetch (those are counted)
            sys.stderr.write("fetch_twisted.py: %s\n" % result.getTraceback())
            span["failed"] = True
        reactor.stop()

    reactor.callWhenRunning(lambda: run().addBoth(done))
    reactor.run()
    if span.get("failed") or "seconds" not in span:
        return 1
    print("fetched=%d titles=%d errors=%d seconds=%.6f connections=%d cpu_seconds=%.6f"
          % (totals["fetched"], totals["titles"], totals["errors"], span["seconds"], pool.opened, span["cpu"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
