# SPDX-License-Identifier: MIT
"""A Twisted web server for weft's HTTP client interop tests: answers on 127.0.0.1 at --port
(default 0: a free port the kernel picks), prints the port it listens on as one line on stdout
once it listens, and serves until SIGTERM (or --lifetime seconds, default 60, so that it never
outlives a test run). Needs Debian's python3-twisted. HTTP/1.1 keep-alive as Twisted does it.

    python3 twisted_web_server.py [--port P] [--lifetime S]

Resources (query parameters are optional; every body is ASCII and fully determined by them):
  /fixed                 200, Content-Length, FIXED_PAGE below (has <title>Twisted fixed page</title>)
  /chunked?count=N&size=B
                         200, no Content-Length: Transfer-Encoding: chunked, N chunks (default 5)
                         written apart (10 ms between them, so each leaves in its own write),
                         chunk i being B bytes (default 100) of the digit str(i % 10), then the
                         last-chunk. Body: "".join(str(i % 10) * B for i in range(N)).
  /drip?bytes=N&interval_ms=M&chunked=0|1
                         200, N bytes (default 10) written one at a time every M ms (default
                         100): byte k is "abcdefghijklmnopqrstuvwxyz"[k % 26]. With
                         Content-Length N unless chunked=1 (then chunked, one byte per chunk).
  anything else          404 (Twisted's own "No Such Resource" page)
"""
import argparse
import sys

from twisted.internet import reactor
from twisted.web import resource, server

FIXED_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Twisted fixed page</title></head>\n"
              b"<body><p>Served by twisted.web for weft's interop tests.</p></body></html>\n")
LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def number(request, name, default, limit):
    """The query parameter `name` as a whole number in [0, limit], or `default`."""
    values = request.args.get(name.encode())
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        return default
    return max(0, min(value, limit))


class Fixed(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/html")
        return FIXED_PAGE  # twisted.web sets Content-Length for a body returned whole


class Timed(resource.Resource):
    """Writes pieces of a body on a timer; stops when the client goes away."""

    isLeaf = True

    def pieces(self, request):
        raise NotImplementedError

    def render_GET(self, request):
        pieces, interval, length = self.pieces(request)
        request.setHeader(b"content-type", b"application/octet-stream")
        if length is not None:
            request.setHeader(b"content-length", b"%d" % length)
        state = {"call": None}

        def next_piece(i):
            if i == len(pieces):
                request.finish()
                return
            request.write(pieces[i])
            state["call"] = reactor.callLater(interval, next_piece, i + 1)

        def gone(_):
            if state["call"] is not None and state["call"].active():
                state["call"].cancel()

        request.notifyFinish().addErrback(gone)
        next_piece(0)
        return server.NOT_DONE_YET


class Chunked(Timed):
    def pieces(self, request):
        count = number(request, "count", 5, 10000)
        size = number(request, "size", 100, 1 << 20)
        # No Content-Length: Twisted then sends HTTP/1.1 bodies chunked, one chunk per write.
        return [str(i % 10).encode() * size for i in range(count) if size > 0], 0.010, None


class Drip(Timed):
    def pieces(self, request):
        n = number(request, "bytes", 10, 100000)
        interval = number(request, "interval_ms", 100, 60000) / 1000.0
        chunked = number(request, "chunked", 0, 1) == 1
        return [LETTERS[k % 26:k % 26 + 1] for k in range(n)], interval, (None if chunked else n)


def main():
    parser = argparse.ArgumentParser(description="Twisted web server for weft's interop tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    root = resource.Resource()
    root.putChild(b"fixed", Fixed())
    root.putChild(b"chunked", Chunked())
    root.putChild(b"drip", Drip())
    site = server.Site(root)
    site.log = lambda request: None  # no access log on stdout: stdout carries the port only
    port = reactor.listenTCP(args.port, site, interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.callLater(args.lifetime, reactor.stop)
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
