// SPDX-License-Identifier: MIT
// weft::testing::Dnsmasq: a real DNS server for interop tests, one dnsmasq per object on
// 127.0.0.1 and a free port, serving a small zone whose every answer the tests know.
//
//     weft::testing::Dnsmasq dnsmasq;              // throws if dnsmasq cannot be started
//     auto server = dnsmasq.nameserver();          // "127.0.0.1:PORT"
//     const auto& big = dnsmasq.entry(dnsmasq.bigName());
//     // ask weft's resolver for big.name; expect big.ipv4 (any order)
//
// The zone (zoneName(), interop.weft.test) is answered by dnsmasq itself and never forwarded:
// names in it that are not defined get NXDOMAIN, names outside it get REFUSED. Every name in
// it has the TTL ttl(). What is there, and why:
//   aOnlyName()        one A, no AAAA (an AAAA query gets NOERROR with no answer)
//   dualStackName()    one A and one AAAA
//   ipv6OnlyName()     one AAAA, no A
//   cnameName()        a CNAME to aOnlyName()
//   cnameChainHead()   three CNAMEs in a row (chain1 -> chain2 -> chain3 -> chain-end), then
//                      one A and one AAAA; dnsmasq puts the whole chain in one answer
//   danglingCnameName() a CNAME to a name that does not exist: NOERROR, the CNAME alone
//   manyName()         3 A records
//   mediumName()       60 A records: the UDP answer fits with EDNS (dnsmasq's 1232 bytes)
//                      and is truncated (TC, 30 records) without it
//   bigName()          100 A records: the UDP answer is truncated (TC) with or without EDNS,
//                      so a resolver must retry over TCP to get them all
//   nxName()           not defined: NXDOMAIN
//   mxName(), txtName(), srvName() with mxRecords(), txtStrings(), srvRecords()
// A CNAME loop cannot be served: dnsmasq 2.90 refuses to start with one ("CNAME loop
// involving ..."), so the zone has none; a resolver's loop guard needs a scripted server.
// dnsmasq answers TCP too (it forks a child per TCP connection).
//
// Requires /usr/sbin/dnsmasq (Debian dnsmasq-base, which `make test` installs): when it is
// missing, or does not answer within 10 s, the constructor throws std::runtime_error, so a
// test using it fails rather than skips. The destructor stops dnsmasq (SIGTERM, then SIGKILL)
// and removes its scratch directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace weft::testing {

// One name of the zone and what an A or AAAA query for it yields.
struct ZoneEntry {
    std::string name;                 // fully qualified, without the trailing dot
    std::vector<std::string> ipv4;    // A addresses at the end of its CNAME chain, sorted
    std::vector<std::string> ipv6;    // AAAA addresses (as inet_ntop writes them), sorted
    std::vector<std::string> cnames;  // each CNAME target in turn from `name` (empty: none)
    bool exists = true;               // false: dnsmasq answers NXDOMAIN
};

struct MxRecord {
    int preference;
    std::string exchange;
};

struct SrvRecord {
    int priority, weight, port;
    std::string target;
};

class Dnsmasq {
public:
    // Starts dnsmasq; `extraConfig` lines are appended to its configuration file as they are
    // (e.g. "log-queries"), for a test that needs more than the standard zone.
    explicit Dnsmasq(std::vector<std::string> extraConfig = {});
    ~Dnsmasq();
    Dnsmasq(const Dnsmasq&) = delete;
    Dnsmasq& operator=(const Dnsmasq&) = delete;

    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1"; }
    std::string nameserver() const { return address() + ":" + std::to_string(port_); }
    pid_t pid() const { return pid_; }
    const std::string& directory() const { return directory_; }  // config, hosts file, log
    std::string log() const;                                      // dnsmasq's log so far

    const std::string& zoneName() const { return zone_; }
    std::string name(std::string_view label) const;  // label + "." + zoneName()
    std::chrono::seconds ttl() const { return std::chrono::seconds(300); }

    // Every name an A or AAAA query can be asked about, the NXDOMAIN ones included.
    const std::vector<ZoneEntry>& entries() const { return entries_; }
    // The entry for a name (as given by the accessors below); throws std::out_of_range.
    const ZoneEntry& entry(std::string_view name) const;

    std::string aOnlyName() const { return name("www"); }
    std::string dualStackName() const { return name("dual"); }
    std::string ipv6OnlyName() const { return name("v6only"); }
    std::string cnameName() const { return name("alias"); }
    std::string cnameChainHead() const { return name("chain1"); }
    std::string danglingCnameName() const { return name("dangling"); }
    std::string manyName() const { return name("many"); }
    std::string mediumName() const { return name("medium"); }
    std::string bigName() const { return name("big"); }
    std::string nxName() const { return name("nx"); }

    std::string mxName() const { return name("mail"); }
    const std::vector<MxRecord>& mxRecords() const { return mx_; }
    std::string txtName() const { return name("txt"); }
    const std::vector<std::string>& txtStrings() const { return txt_; }  // one TXT record's strings
    std::string srvName() const { return name("_http._tcp"); }
    const std::vector<SrvRecord>& srvRecords() const { return srv_; }

private:
    void writeZone(const std::vector<std::string>& extraConfig);
    bool start(std::uint16_t port);  // false when dnsmasq exited (the port was taken)
    void stop();

    std::string zone_ = "interop.weft.test";
    std::string directory_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::vector<ZoneEntry> entries_;
    std::vector<MxRecord> mx_;
    std::vector<std::string> txt_;
    std::vector<SrvRecord> srv_;
};

}  // namespace weft::testing
