// SPDX-License-Identifier: MIT
// weft::testing::Dnsmasq: writes the interop zone, runs dnsmasq on it and stops it again.
// Plain POSIX on purpose: the harness checks weft's resolver, so it must not lean on weft.
#include "tests/interop/dnsmasq.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <stdexcept>

#include "tests/interop/child_process.h"

namespace weft::testing {
namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";
constexpr auto kStartLimit = std::chrono::seconds(10);

// True when dnsmasq answers an A query for `name` on 127.0.0.1:port with NOERROR and at least
// one record, within `wait`. The query is built by hand (RFC 1035 4.1) so that the harness
// does not depend on the codec it is there to check.
bool answers(std::uint16_t port, const std::string& name, std::chrono::milliseconds wait) {
    Socket udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (udp.fd < 0) return false;
    const unsigned char id[2] = {0x57, 0x46};
    std::string query = {static_cast<char>(id[0]), static_cast<char>(id[1]), 0x01, 0x00,  // RD
                         0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};                // QDCOUNT 1
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = std::min(name.find('.', start), name.size());
        query += static_cast<char>(dot - start);
        query.append(name, start, dot - start);
        start = dot + 1;
    }
    query += std::string("\0\0\x01\0\x01", 5);  // root label, QTYPE A, QCLASS IN
    sockaddr_in server = loopback(port);
    if (::sendto(udp.fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0)
        return false;
    pollfd p{udp.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return false;
    unsigned char reply[512];
    ssize_t n = ::recv(udp.fd, reply, sizeof reply, 0);  // an ICMP "port unreachable" gives -1
    return n >= 12 && reply[0] == id[0] && reply[1] == id[1] && (reply[2] & 0x80) != 0  // QR
           && (reply[3] & 0x0f) == 0 && (reply[6] != 0 || reply[7] != 0);            // NOERROR, ANCOUNT
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

Dnsmasq::Dnsmasq(std::vector<std::string> extraConfig) {
    if (::access(kDnsmasq, X_OK) != 0)
        throw std::runtime_error(std::string(kDnsmasq) +
                                 " is missing: apt-get install -y dnsmasq-base (make test installs it)");
    directory_ = makeScratchDirectory("weft-dnsmasq");
    try {
        writeZone(extraConfig);
        // Another process can take the port between freeLoopbackPort() and dnsmasq's bind;
        // dnsmasq then exits at once ("Address already in use") and the next port is tried.
        for (int attempt = 0; attempt < 5; ++attempt)
            if (start(freeLoopbackPort(/*udpToo=*/true))) return;
        throw std::runtime_error("dnsmasq did not start on 5 ports; its stderr:\n" +
                                 readFile(directory_ + "/stderr") + "log:\n" + log());
    } catch (...) {
        stop();
        removeScratchDirectory(directory_);
        throw;
    }
}

Dnsmasq::~Dnsmasq() {
    stop();
    removeScratchDirectory(directory_);
}

std::string Dnsmasq::name(std::string_view label) const { return std::string(label) + "." + zone_; }

std::string Dnsmasq::log() const { return readFile(directory_ + "/dnsmasq.log"); }

const ZoneEntry& Dnsmasq::entry(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name) return e;
    throw std::out_of_range("no zone entry " + std::string(name));
}

void Dnsmasq::writeZone(const std::vector<std::string>& extraConfig) {
    auto add = [&](std::string label, std::vector<std::string> ipv4, std::vector<std::string> ipv6,
                   std::vector<std::string> cnames = {}, bool exists = true) {
        entries_.push_back({name(label), sorted(std::move(ipv4)), sorted(std::move(ipv6)), std::move(cnames), exists});
    };
    auto range = [](const std::string& prefix, int count) {
        std::vector<std::string> out;
        for (int i = 1; i <= count; ++i) out.push_back(prefix + std::to_string(i));
        return out;
    };
    add("www", {"10.53.0.1"}, {});
    add("dual", {"10.53.0.2"}, {"fd00:53::2"});
    add("v6only", {}, {"fd00:53::3"});
    add("alias", {"10.53.0.1"}, {}, {name("www")});
    add("chain1", {"10.53.0.4"}, {"fd00:53::4"}, {name("chain2"), name("chain3"), name("chain-end")});
    add("chain2", {"10.53.0.4"}, {"fd00:53::4"}, {name("chain3"), name("chain-end")});
    add("chain3", {"10.53.0.4"}, {"fd00:53::4"}, {name("chain-end")});
    add("chain-end", {"10.53.0.4"}, {"fd00:53::4"});
    add("dangling", {}, {}, {name("nowhere")});
    add("nowhere", {}, {}, {}, false);
    add("many", range("10.53.1.", 3), {});
    add("medium", range("10.53.2.", 60), {});
    add("big", range("10.53.3.", 100), {});
    add("nx", {}, {}, {}, false);
    add("mx1", {"10.53.0.10"}, {});
    add("mx2", {"10.53.0.11"}, {});
    add("mail", {}, {});  // MX records only: an A query gets NOERROR and no answer
    add("txt", {}, {});   // TXT only, likewise
    mx_ = {{10, name("mx1")}, {20, name("mx2")}};
    txt_ = {"v=spf1 -all", "hello world"};
    srv_ = {{1, 5, 8080, name("www")}, {2, 6, 8081, name("dual")}};

    // Addresses go in a hosts file (addn-hosts), one line per record: dnsmasq gives a name
    // every address listed for it. CNAMEs, MX, TXT and SRV are configuration lines.
    std::ofstream hosts(directory_ + "/hosts");
    std::ofstream conf(directory_ + "/dnsmasq.conf");
    for (const auto& e : entries_) {
        if (!e.cnames.empty()) continue;  // their addresses belong to the chain's end
        for (const auto& a : e.ipv4) hosts << a << ' ' << e.name << '\n';
        for (const auto& a : e.ipv6) hosts << a << ' ' << e.name << '\n';
    }
    conf << "# Written by weft::testing::Dnsmasq (tests/interop/dnsmasq.cpp).\n"
         << "listen-address=127.0.0.1\nbind-interfaces\n"  // loopback only
         << "no-resolv\nno-poll\nno-hosts\n"              // no upstream, no /etc/hosts
         << "domain-needed\nbogus-priv\n"
         << "local=/" << zone_ << "/\n"                    // undefined names here: NXDOMAIN
         << "local-ttl=" << ttl().count() << "\n"
         << "pid-file=\n"                                  // none: parallel runs would share one
         << "log-facility=" << directory_ << "/dnsmasq.log\n"
         << "addn-hosts=" << directory_ << "/hosts\n";
    // As root dnsmasq drops to `nobody` before reading addn-hosts, which cannot enter the
    // mode-0700 mkdtemp directory ("failed to load names ... Permission denied").
    if (::geteuid() == 0) conf << "user=root\n";
    for (const auto& e : entries_)
        if (!e.cnames.empty()) conf << "cname=" << e.name << ',' << e.cnames.front() << '\n';
    for (const auto& mx : mx_) conf << "mx-host=" << mxName() << ',' << mx.exchange << ',' << mx.preference << '\n';
    conf << "txt-record=" << txtName();
    for (const auto& s : txt_) conf << ",\"" << s << '"';
    conf << '\n';
    for (const auto& srv : srv_)
        conf << "srv-host=" << srvName() << ',' << srv.target << ',' << srv.port << ',' << srv.priority << ','
             << srv.weight << '\n';
    for (const auto& line : extraConfig) conf << line << '\n';
    if (!hosts.flush() || !conf.flush()) throw std::runtime_error("cannot write the zone into " + directory_);
}

bool Dnsmasq::start(std::uint16_t port) {
    std::string confArg = "--conf-file=" + directory_ + "/dnsmasq.conf";
    std::string portArg = "--port=" + std::to_string(port);
    std::string stderrPath = directory_ + "/stderr";
    pid_ = spawnServer({kDnsmasq, "--keep-in-foreground", confArg, portArg}, stderrPath);
    Startup startup =
        awaitServing(pid_, kStartLimit, [&] { return answers(port, aOnlyName(), std::chrono::milliseconds(100)); });
    if (startup == Startup::Exited) return false;  // it gave up: most likely the port
    if (startup == Startup::Serving) {
        port_ = port;
        return true;
    }
    stop();
    throw std::runtime_error("dnsmasq did not answer on 127.0.0.1:" + std::to_string(port) + " within 10 s; stderr:\n" +
                             readFile(stderrPath) + "log:\n" + log());
}

void Dnsmasq::stop() { stopProcess(pid_); }

}  // namespace weft::testing
