# SPDX-License-Identifier: MIT
"""A Twisted LineReceiver client for weft's interop tests: connects to 127.0.0.1:PORT, sends
COUNT numbered lines, expects each echoed back in order, then closes. Exit status 0 and
"OK COUNT" on stdout when every line came back; 1 and a reason otherwise. Needs
python3-twisted."""
import sys

from twisted.internet import defer, protocol, reactor
from twisted.protocols.basic import LineReceiver

port, count = int(sys.argv[1]), int(sys.argv[2])
outcome = {"ok": False, "why": "no connection"}


class Lines(LineReceiver):
    delimiter = b"\n"

    def connectionMade(self):
        self.expected = 0
        for i in range(count):
            self.sendLine(b"line %d from twisted" % i)

    def lineReceived(self, line):
        if line != b"line %d from twisted" % self.expected:
            outcome["why"] = "line %d came back as %r" % (self.expected, line)
            self.transport.loseConnection()
            return
        self.expected += 1
        if self.expected == count:
            outcome["ok"] = True
            self.transport.loseConnection()

    def connectionLost(self, reason):
        if not outcome["ok"] and outcome["why"] == "no connection":
            outcome["why"] = "lost after %d lines: %s" % (self.expected, reason.getErrorMessage())
        reactor.stop()


class Factory(protocol.ClientFactory):
    protocol = Lines

    def clientConnectionFailed(self, connector, reason):
        outcome["why"] = reason.getErrorMessage()
        reactor.stop()


reactor.connectTCP("127.0.0.1", port, Factory(), timeout=5)
reactor.callLater(20, reactor.stop)
reactor.run()
if outcome["ok"]:
    print("OK", count)
    sys.exit(0)
print("FAILED:", outcome["why"])
sys.exit(1)
