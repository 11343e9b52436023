#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Peer for the DNS resolver benchmark: twisted.names (Debian python3-twisted, 22.4), the
# resolver of the framework weft follows. Contract (../shared/peers/CONTRACT.md, "DNS
# resolver"; the same as bench/peers/dns_cares.c):
#   dns_twisted.py --nameserver 127.0.0.1:PORT --names FILE --concurrency C
#   -> last stdout line: resolved=N failed=F seconds=S cpu_seconds=U
# Each line of FILE is resolved once to IPv4 addresses with at most C lookups in flight.
#
# Here: one twisted.names.client.Resolver told to ask only the given server (servers=[...],
# no resolv.conf, so no search list; twisted.names never reads /etc/hosts by itself), and
# lookupAddress (an A query) per name. getHostByName is not used: in Twisted it asks for ANY
# (lookupAllRecords), which is not what an IPv4 lookup sends. lookupAddress hands back the
# answer section as it came, so CNAMEs are followed here: the A records of the name at the end
# of the chain in the answer count, and a chain whose end has no A record in this answer is
# asked about again from its last target (at most 10 hops, like Twisted's own getHostByName).
# A DeferredSemaphore of C bounds the lookups in flight. Timeouts and retries stay
# client.Resolver's defaults. `seconds` covers the lookups only (time.perf_counter, monotonic),
# not the interpreter start, the import of Twisted or reading FILE; `cpu_seconds` is this
# process's user + system CPU time over the same span (time.process_time).
import argparse
import sys
import time

from twisted.internet import defer, reactor
from twisted.names import client, dns

MAX_HOPS = 10


def ipv4_addresses(answers, name):
    """The A addresses for `name` in an answer section, after its CNAMEs; or the name the chain
    ends at when that name has no A record here (None when there is no chain to follow)."""
    aliases = {}
    addresses = {}
    for rr in answers:
        owner = rr.name.name.lower()
        if rr.type == dns.CNAME:
            aliases[owner] = rr.payload.name.name.lower()
        elif rr.type == dns.A:
            addresses.setdefault(owner, []).append(rr.payload.dottedQuad())
    current = dns.Name(name).name.lower()
    for _ in range(MAX_HOPS):
        if current in addresses:
            return addresses[current], None
        if current not in aliases:
            break
        current = aliases[current]
    return [], (current if current != dns.Name(name).name.lower() else None)


@defer.inlineCallbacks
def resolve(resolver, name):
    """True when `name` has at least one IPv4 address; any failure counts as False."""
    try:
        for _ in range(MAX_HOPS):
            answers, _authority, _additional = yield resolver.lookupAddress(name)
            found, follow = ipv4_addresses(answers, name)
            if found:
                return True
            if follow is None:
                return False
            name = follow.decode("ascii")
        return False
    except Exception:
        return False


def main():
    parser = argparse.ArgumentParser(description="resolve a list of names with twisted.names")
    parser.add_argument("--nameserver", required=True, help="127.0.0.1:PORT")
    parser.add_argument("--names", required=True, help="file with one name per line")
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args()
    host, sep, port = args.nameserver.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        parser.error("--nameserver wants HOST:PORT, not %r" % args.nameserver)
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    with open(args.names) as f:
        names = [line.strip() for line in f if line.strip()]

    resolver = client.Resolver(servers=[(host, int(port))])
    semaphore = defer.DeferredSemaphore(args.concurrency)
    outcome = {}

    def run():
        outcome["start"] = time.perf_counter()
        outcome["cpu"] = time.process_time()
        lookups = [semaphore.run(resolve, resolver, name) for name in names]
        done = defer.gatherResults(lookups)

        def finish(results):
            outcome["seconds"] = time.perf_counter() - outcome["start"]
            outcome["cpu"] = time.process_time() - outcome["cpu"]
            outcome["resolved"] = sum(1 for ok in results if ok)
            reactor.stop()

        def broken(failure):
            # resolve() catches every lookup error, so this is a bug in the peer itself.
            sys.stderr.write("dns_twisted.py: %s\n" % failure.getTraceback())
            reactor.stop()

        done.addCallbacks(finish, broken)

    reactor.callWhenRunning(run)
    reactor.run()
    if "resolved" not in outcome:
        return 1
    resolved = outcome["resolved"]
    print("resolved=%d failed=%d seconds=%.6f cpu_seconds=%.6f"
          % (resolved, len(names) - resolved, outcome["seconds"], outcome["cpu"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
