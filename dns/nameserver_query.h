// SPDX-License-Identifier: MIT
// dns/nameserver_query.h: askNameservers, one question put to the configured servers until one
// of them decides it, over UDP (TCP when the answer is truncated).
// Tests: tests/dns/resolver_test.cpp
//
//   askNameservers(reactor, ids, sockets, "example.com", RecordType::A, policy, 10s)
//       .addCallback([](Reply reply) { ... reply.message.header.rcode ... });
//
// Each try sends from a fresh random ephemeral port the kernel picks (on a socket new or reused
// from `sockets`, udp_sockets.h); a datagram from anyone but the server asked is dropped, and a
// reply must also carry our id and question, or it is ignored and the try keeps waiting. The
// tries go through the servers in turn, `attempts` rounds (resolv.conf's attempts and rotate).
// A truncated reply is asked again over TCP; FORMERR to a query with EDNS is asked again
// without it. NOERROR and NXDOMAIN decide the question (the Deferred fires with the reply);
// SERVFAIL, REFUSED, a malformed reply, a refused port or silence move on to the next try, and
// when none is left the Deferred fails with the last of those (ServerFailure, Refused,
// MalformedMessage, Timeout). The deadline bounds the whole thing; cancelling closes the socket
// at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "defer/deferred.h"
#include "dns/message.h"
#include "dns/query_ids.h"
#include "dns/udp_sockets.h"
#include "reactor/address.h"
#include "reactor/reactor.h"

namespace weft::dns {

struct ServerPolicy {
    std::vector<Address> servers;
    std::vector<std::string> serverNames;  // servers[i].toString(), made once; may be left empty
    std::chrono::nanoseconds attemptTimeout = std::chrono::seconds(5);
    int attempts = 2;
    std::optional<std::uint16_t> ednsPayload = 1232;
    bool tcpOnly = false;         // skip UDP (tests; servers that only speak TCP)
};

struct Reply {
    Message message;
    Address server;
    std::string serverName;  // server.toString()
};

// `firstServer` is where the first round starts (resolv.conf's rotate); the policy is shared
// by every query made under it.
[[nodiscard]] Deferred<Reply> askNameservers(Reactor& reactor, QueryIds& ids, UdpSockets& sockets, std::string name,
                                             RecordType type, std::shared_ptr<const ServerPolicy> policy,
                                             std::size_t firstServer, std::chrono::nanoseconds deadline);

}  // namespace weft::dns
