// SPDX-License-Identifier: MIT
// A nameserver inside the test process, on 127.0.0.1 (UDP and TCP on one port), answering
// from a small zone and misbehaving on request: late, twice, from the wrong port, truncated,
// with a wrong id or question, malformed, with an rcode, or not at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/message.h"
#include "protocols/protocol.h"
#include "reactor/listening_port.h"
#include "reactor/reactor.h"
#include "reactor/udp.h"

namespace weft::testing {

class FakeNameserver {
public:
    struct Query {
        dns::Message message;
        Address from;
        bool tcp = false;
    };
    // What to do with the next queries (UDP unless said otherwise). Counters count down.
    struct Mischief {
        int ignore = 0;                      // drop this many queries silently
        bool ignoreAll = false;
        std::chrono::milliseconds delay{0};  // answer this late
        bool twice = false;                  // send every answer twice
        int fromWrongPort = 0;               // a forged answer (192.0.2.66) from another port first
        int fromWrongAddress = 0;            // the same from 127.0.0.2, the server's port
        int wrongIdFirst = 0;                // send a copy with another id first
        int wrongQuestionFirst = 0;          // send an answer for another name first
        bool truncateUdp = false;            // UDP answers: TC bit, no records
        bool formerrOnEdns = false;          // FORMERR to any query that carries OPT
        std::optional<dns::Rcode> rcode;     // answer with this rcode and no records
        std::optional<std::vector<std::byte>> rawUdp;  // send these bytes (id patched in) instead
        std::vector<dns::ResourceRecord> extraAnswers;  // appended to every answer section
    };

    explicit FakeNameserver(Reactor& reactor);
    ~FakeNameserver();

    [[nodiscard]] Address address() const;
    [[nodiscard]] std::string server() const { return address().toString(); }

    // The zone: any records; names without records are NXDOMAIN, names with records of
    // other types NODATA (with the zone's SOA in authority when soaMinimum is set).
    void add(std::string name, dns::RecordType type, dns::RData data, std::uint32_t ttl = 300);
    void addA(const std::string& name, const std::string& ip, std::uint32_t ttl = 300);
    void addCname(const std::string& name, const std::string& target, std::uint32_t ttl = 300);
    std::optional<std::uint32_t> soaMinimum = 60;
    bool followCnames = true;  // false: answer a CNAME without its target's records

    Mischief mischief;
    std::vector<Query> queries;  // everything received, in order
    [[nodiscard]] std::size_t count(bool tcp) const;

    // The answer the zone gives (before mischief); public so tests can build variants.
    [[nodiscard]] dns::Message answer(const dns::Message& query) const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
    std::vector<dns::ResourceRecord> zone_;
};

}  // namespace weft::testing
