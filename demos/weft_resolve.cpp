// SPDX-License-Identifier: MIT
// demos/weft_resolve.cpp: weft-resolve, names to addresses (or records) with weft's resolver,
// as any program on the machine would: /etc/hosts first, then resolv.conf's nameservers.
//
//   weft-resolve NAME [--nameserver IP[:PORT]]... [--timeout S] [--type A|AAAA|MX|TXT|SRV|...]
//
// Without --type: the A and AAAA addresses at the end of the CNAME chain, one per line. With
// it: that type's records, one per line, in dig +short's form. --nameserver replaces only the
// servers of resolv.conf (the search list and options stay). On failure, one line on stderr,
// "class: detail", with class nxdomain (also a name without addresses), servfail, timeout,
// malformed or refused, and a non-zero exit (1 to 5 in that order; 64 for bad usage). It never
// runs past --timeout (default 5 s) plus a second.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dns/config_file.h"
#include "dns/resolver.h"

namespace {

using namespace weft;
using namespace weft::dns;

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "weft-resolve: %s\nusage: weft-resolve NAME [--nameserver IP[:PORT]]... "
                         "[--timeout S] [--type A|AAAA|MX|TXT|SRV|...]\n", why);
    std::exit(64);
}

std::optional<Address> parseServer(const std::string& text) {
    if (auto plain = Address::parse(text, 53)) return plain;  // an IP alone (IPv6 included)
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string host = text.substr(0, colon), port = text.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    long value = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value < 1 || value > 65535) return std::nullopt;
    return Address::parse(host, static_cast<std::uint16_t>(value));
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string present(const ResourceRecord& rr) {
    struct Visitor {
        std::string operator()(const IPAddress& ip) const { return ip.toString(); }
        std::string operator()(const NameData& n) const { return n.name + "."; }
        std::string operator()(const SoaData& s) const {
            return s.mname + ". " + s.rname + ". " + std::to_string(s.serial) + " " + std::to_string(s.refresh) + " " +
                   std::to_string(s.retry) + " " + std::to_string(s.expire) + " " + std::to_string(s.minimum);
        }
        std::string operator()(const MxData& m) const { return std::to_string(m.preference) + " " + m.exchange + "."; }
        std::string operator()(const TxtData& t) const {
            std::string out;
            for (const auto& s : t.strings) out += (out.empty() ? "" : " ") + quoted(s);
            return out;
        }
        std::string operator()(const SrvData& s) const {
            return std::to_string(s.priority) + " " + std::to_string(s.weight) + " " + std::to_string(s.port) + " " +
                   s.target + ".";
        }
        std::string operator()(const RawData& r) const {  // RFC 3597's generic form
            static const char* hex = "0123456789abcdef";
            std::string out = "\\# " + std::to_string(r.bytes.size()) + (r.bytes.empty() ? "" : " ");
            for (auto b : r.bytes) {
                out += hex[static_cast<unsigned>(b) >> 4];
                out += hex[static_cast<unsigned>(b) & 15];
            }
            return out;
        }
    };
    return std::visit(Visitor{}, rr.data);
}

// The error class of the one-line report, and the exit status that goes with it.
std::pair<const char*, int> classify(const Failure& f) {
    if (f.check<NameNotFound>() || f.check<NoAddresses>() || f.check<InvalidName>()) return {"nxdomain", 1};
    if (f.check<Refused>()) return {"refused", 5};
    if (f.check<MalformedMessage>()) return {"malformed", 4};
    if (f.check<Timeout>() || f.check<TimeoutError>()) return {"timeout", 3};
    return {"servfail", 2};
}

}  // namespace

int main(int argc, char** argv) {
    std::string name, type;
    std::vector<Address> servers;
    double timeout = 5;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage((arg + " needs a value").c_str());
            return argv[++i];
        };
        if (arg == "--nameserver") {
            auto server = parseServer(value());
            if (!server) usage("--nameserver wants IP or IP:PORT ([IPv6]:PORT)");
            servers.push_back(*server);
        } else if (arg == "--timeout") {
            char* end = nullptr;
            std::string text = value();
            timeout = std::strtod(text.c_str(), &end);
            if (*end != '\0' || !(timeout > 0) || timeout > 3600) usage("--timeout wants seconds, more than 0");
        } else if (arg == "--type") {
            type = value();
        } else if (arg.starts_with("--") || !name.empty()) {
            usage(("unexpected argument " + arg).c_str());
        } else {
            name = arg;
        }
    }
    if (name.empty()) usage("which name?");
    std::optional<RecordType> recordType;
    if (!type.empty() && !(recordType = parseType(type))) usage(("unknown --type " + type).c_str());

    Reactor reactor;
    auto budget = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout));
    Resolver::Options options;
    if (!servers.empty()) options.nameservers = servers;
    // Share the time between the tries resolv.conf asks for, so that every server gets its turn
    // within --timeout (but never wait longer per try than resolv.conf says).
    auto conf = ResolvConf::parse(readSnapshot(options.resolvConfPath).text);
    auto tries = static_cast<long>(conf.attempts) * static_cast<long>(servers.empty() ? conf.nameservers.size() : servers.size());
    options.attemptTimeout = std::clamp<std::chrono::nanoseconds>(budget / std::max(tries * 2, 1L),
                                                                   std::chrono::milliseconds(100), conf.timeout);
    options.deadline = budget;
    Resolver resolver(reactor, options);

    int status = 0;
    bool finished = false;
    auto report = [&](const Failure& f) {
        auto [kind, code] = classify(f);
        std::fprintf(stderr, "%s: %s\n", kind, f.message().c_str());
        status = code;
    };
    // The resolver's deadline ends the lookup; this one ends the program if anything did not.
    auto watchdog = reactor.callLater(budget + std::chrono::milliseconds(500), [&] {
        report(Failure(Timeout(name, "", "the lookup outlived --timeout")));
        reactor.stop();
    });
    if (recordType) {
        (void)resolver.lookup(name, *recordType).addBoth([&](Result<std::vector<ResourceRecord>> r) {
            if (r.failed()) report(r.failureUnchecked());
            else for (const auto& rr : r.valueUnchecked()) std::printf("%s\n", present(rr).c_str());
            finished = true;
            reactor.stop();
        });
    } else {
        (void)resolver.lookupAddress(name).addBoth([&](Result<std::vector<IPAddress>> r) {
            if (r.failed()) report(r.failureUnchecked());
            else for (const auto& ip : r.valueUnchecked()) std::printf("%s\n", ip.toString().c_str());
            finished = true;
            reactor.stop();
        });
    }
    if (!finished) reactor.run();  // a hosts-file answer or a literal is there at once
    return status;
}
