# SPDX-License-Identifier: MIT
"""A Twisted echo server for weft's interop tests: listens on 127.0.0.1, any free port,
prints that port on one line, echoes until SIGTERM. Needs Debian's python3-twisted."""
import sys

from twisted.internet import protocol, reactor


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


factory = protocol.Factory.forProtocol(Echo)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)  # never outlive a test run, whatever happens
reactor.run()
sys.exit(0)
