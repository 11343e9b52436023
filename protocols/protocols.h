// SPDX-License-Identifier: MIT
// protocols/: Protocols, the factories that make them, the classic framings and transports
// that live in memory. Needs defer/ and reactor/ (only its interfaces: reactor/stream.h,
// address.h, errors.h), never a running reactor.
// Tests: tests/protocols/ (one file per header); the example below is compiled and run as a test.
//
// This is Twisted's twisted.internet.protocol and twisted.protocols.basic. Subclass Protocol (or
// a framing) and override the events: connectionMade(), dataReceived() / lineReceived() /
// stringReceived(), connectionLost(reason). Write with transport_. A Factory makes one
// protocol per connection for reactor.listenTCP; a ClientFactory, a ReconnectingClientFactory
// or connectProtocol() dials out with reactor.connectTCP. Framings parse whatever the transport
// delivers, however it is split, and drop the connection with a typed error (errors.h) when
// the peer breaks the framing or its limits. Tests use StringTransport (records what is
// written) or LoopbackPair (two protocols wired together, pumped by hand): nothing sleeps.
//
//   protocol.h                     Protocol, Factory, ClientFactory
//   connect_protocol.h             connectProtocol: Deferred<P*> for a client connection
//   reconnecting_client_factory.h  ReconnectingClientFactory: redial with jittered backoff
//   any_clock.h                    AnyClock: any clock with callLater, type-erased
//   framing_protocol.h             FramingProtocol: buffering, pausing and re-entrancy
//   line_receiver.h                LineReceiver: lines, with a raw mode
//   length_prefixed.h              Int32StringReceiver (and Int16, Int8)
//   netstring_receiver.h           NetstringReceiver: "5:hello,"
//   string_transport.h             StringTransport: a transport that records
//   loopback.h                     LoopbackPair, connectLoopback: a connection in memory
//   errors.h                       ProtocolError, ConnectError, LineTooLongError, ...
//
// Example:
//   #include "protocols/protocols.h"
//   #include <cstdio>
//   #include <memory>
//   #include <string>
//   #include <vector>
//
//   class Echo : public weft::LineReceiver {
//       void lineReceived(std::string_view line) override { sendLine(line); }
//   };
//
//   class Greeter : public weft::LineReceiver {
//   public:
//       std::vector<std::string> replies;
//       void connectionMade() override {
//           sendLine("hello");
//           sendLine("world");
//       }
//       void lineReceived(std::string_view line) override {
//           replies.emplace_back(line);
//           if (replies.size() == 2) transport_->loseConnection();
//       }
//   };
//
//   int main() {
//       auto echoFactory = weft::Factory::forProtocol<Echo>();   // what listenTCP would take
//       std::unique_ptr<weft::LoopbackPair> wire;                // a connection in memory
//       weft::Deferred<Greeter*> connected = weft::connectProtocol(
//           [&](weft::IClientFactory& factory) { wire = weft::connectLoopback(factory, *echoFactory); },
//           std::make_unique<Greeter>());
//       Greeter* greeter = connected.result().value();  // fired: connectionMade() has run
//       wire->pump();                                   // lines out, echoes back, both sides close
//       for (const std::string& reply : greeter->replies) std::printf("%s\n", reply.c_str());
//       bool ok = greeter->replies == std::vector<std::string>{"hello", "world"} && wire->closed() &&
//                 wire->clientTransport().lostReason() == weft::ConnectionError::Done;
//       return ok ? 0 : 1;
//   }
// End example
#pragma once

#include "protocols/any_clock.h"
#include "protocols/connect_protocol.h"
#include "protocols/errors.h"
#include "protocols/framing_protocol.h"
#include "protocols/length_prefixed.h"
#include "protocols/line_receiver.h"
#include "protocols/loopback.h"
#include "protocols/netstring_receiver.h"
#include "protocols/protocol.h"
#include "protocols/reconnecting_client_factory.h"
#include "protocols/string_transport.h"
#include "reactor/errors.h"
