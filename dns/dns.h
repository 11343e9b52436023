// SPDX-License-Identifier: MIT
// dns/: a stub resolver that never blocks: names to addresses (and MX, TXT, SRV, any type)
// over the reactor, like c-ares, and connectTCP by name with Happy Eyeballs. Needs defer/,
// reactor/ and protocols/. Tests: tests/dns/ (one file per header), tests/interop/ against
// dnsmasq; the example below is compiled and run as a test.
//
// This is Twisted's twisted.names.client, and what getaddrinfo does, without the thread. A
// Resolver reads /etc/resolv.conf and /etc/hosts (and re-reads them when they change), asks
// A and AAAA at once, follows CNAMEs, caches by TTL (and NXDOMAIN by the SOA minimum), shares
// one query between identical lookups, and bounds every lookup by a deadline. Failures are
// typed (errors.h): NameNotFound, NoAddresses, ServerFailure, Refused, Timeout,
// MalformedMessage, each naming the name and the server. The wire codec (message.h) and the
// answer logic (answer.h) are sans-I/O: bytes in, values or MalformedMessage out.
//
//   resolver.h         Resolver: lookupAddress, lookup; the search list, hosts, cache
//   connect_tcp.h      connectTCP(resolver, host, port, makeProtocol): Happy Eyeballs
//   happy_eyeballs.h   happyEyeballs: RFC 8305's race for any kind of attempt
//   nameserver_query.h askNameservers: one question, tries over UDP, TCP when truncated
//   tcp_exchange.h     TcpExchange: one query over TCP
//   answer.h           interpretAnswer: the CNAME chain through one response
//   cache.h            Cache: positive and negative answers for their TTL
//   message.h          Message and its wire codec; ip_address.h: IPAddress
//   resolv_conf.h      ResolvConf; hosts_file.h: HostsFile; config_file.h: reload on change
//   query_ids.h        QueryIds: unpredictable query ids
//   udp_sockets.h      UdpSockets: sockets kept for the next try, each try on a fresh port
//   errors.h           DnsError, Malformed, ResolveError and its kinds
//
// Example:
//   #include "defer/coroutine.h"
//   #include "dns/dns.h"
//   #include "protocols/protocol.h"
//   #include <cstdio>
//
//   class Hello : public weft::Protocol {
//       void connectionMade() override { transport_->loseConnection(); }
//   };
//
//   weft::Deferred<int> run(weft::dns::Resolver& resolver, std::uint16_t port) {
//       // "localhost" is loopback (RFC 6761) even without a hosts file.
//       std::vector<weft::dns::IPAddress> ips = co_await resolver.lookupAddress("localhost");
//       for (const auto& ip : ips) std::printf("localhost is %s\n", ip.toString().c_str());
//       // ::1 and 127.0.0.1 race; the server listens on IPv4 only, so ::1 is refused at once.
//       Hello* hello = co_await weft::dns::connectTCP<Hello>(resolver, "localhost", port,
//                                                          [] { return std::make_unique<Hello>(); });
//       std::printf("connected to %s\n", hello->transport()->getPeer().toString().c_str());
//       try {
//           co_await resolver.lookupAddress(std::string(64, 'x') + ".example");
//       } catch (const weft::dns::InvalidName& e) {
//           std::printf("%s\n", e.what());  // a label of 64 bytes cannot be asked
//       }
//       co_return 0;
//   }
//
//   int main() {
//       auto server = weft::Factory::forProtocol<weft::Protocol>();
//       weft::Reactor reactor;
//       auto port = reactor.listenTCP(0, *server, 16, "127.0.0.1");
//       weft::dns::Resolver::Options options;
//       options.hostsPath = "";                       // no /etc/hosts: the example is the same everywhere
//       options.resolvConfPath = "/nonexistent";
//       weft::dns::Resolver resolver(reactor, options);
//       int status = 1;
//       run(resolver, port->getHost().port()).addBoth([&](weft::Result<int> r) {
//           status = r.succeeded() ? r.valueUnchecked() : 2;
//           if (r.failed()) std::printf("failed: %s\n", r.failureUnchecked().describe().c_str());
//           reactor.stop();
//       });
//       reactor.run();
//       return status;
//   }
// End example
#pragma once

#include "dns/answer.h"
#include "dns/cache.h"
#include "dns/config_file.h"
#include "dns/connect_tcp.h"
#include "dns/errors.h"
#include "dns/happy_eyeballs.h"
#include "dns/hosts_file.h"
#include "dns/ip_address.h"
#include "dns/message.h"
#include "dns/nameserver_query.h"
#include "dns/query_ids.h"
#include "dns/resolv_conf.h"
#include "dns/resolver.h"
#include "dns/udp_sockets.h"
