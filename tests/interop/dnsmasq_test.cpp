// SPDX-License-Identifier: MIT
// The dnsmasq harness (tests/interop/dnsmasq.h) checked with dig (Debian bind9-dnsutils, which
// `make test` installs): every name answers as the harness says, the big answers truncate over
// UDP and come whole over TCP, and each harness cleans up after itself. A missing dig or
// dnsmasq fails these tests; nothing is skipped.
#include "tests/interop/dnsmasq.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "tests/interop/run_program.h"

namespace {

using weft::testing::Dnsmasq;

constexpr const char* kDig = "/usr/bin/dig";

// dig's standard output for `dig @127.0.0.1 -p PORT ARGS...`; fails the test if dig is
// missing or exits non-zero.
std::string dig(const Dnsmasq& dnsmasq, std::vector<std::string> args) {
    REQUIRE_MESSAGE(::access(kDig, X_OK) == 0, kDig << " is missing: apt-get install -y bind9-dnsutils");
    args.insert(args.begin(), {kDig, "@" + dnsmasq.address(), "-p", std::to_string(dnsmasq.port()), "+tries=1",
                               "+time=5"});
    auto result = weft::testing::runProgram(std::move(args));
    REQUIRE_MESSAGE(result.exitCode == 0, "dig failed (exit " << result.exitCode << "): " << result.err << result.out);
    return result.out;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// `dig +short NAME TYPE`: the CNAME targets in order (without the trailing dot) and the
// records, sorted.
struct Short {
    std::vector<std::string> cnames, records;
};
Short shortAnswer(const Dnsmasq& dnsmasq, const std::string& name, const std::string& type,
                  std::vector<std::string> options = {}) {
    options.insert(options.end(), {"+short", name, type});
    Short out;
    for (auto& line : linesOf(dig(dnsmasq, options))) {
        // For an A or AAAA query, +short shows each CNAME as its target, a name ending in '.'.
        if ((type == "A" || type == "AAAA") && line.back() == '.') out.cnames.push_back(line.substr(0, line.size() - 1));
        else out.records.push_back(line);
    }
    std::sort(out.records.begin(), out.records.end());
    return out;
}

// The header of a full dig answer: status, flags and the answer count.
struct Header {
    std::string status, flags;
    int answers = -1;
};
Header headerOf(const std::string& text) {
    Header h;
    auto after = [&](const std::string& key, const std::string& stop) {
        auto at = text.find(key);
        if (at == std::string::npos) return std::string();
        at += key.size();
        return text.substr(at, text.find_first_of(stop, at) - at);
    };
    h.status = after("status: ", ",");
    h.flags = " " + after(";; flags: ", ";") + " ";
    std::string count = after("ANSWER: ", ",");
    if (!count.empty()) h.answers = std::stoi(count);
    return h;
}
Header query(const Dnsmasq& dnsmasq, const std::string& name, const std::string& type, std::vector<std::string> options = {}) {
    options.insert(options.end(), {name, type});
    return headerOf(dig(dnsmasq, options));
}

bool truncated(const Header& h) { return h.flags.find(" tc ") != std::string::npos; }

}  // namespace

TEST_CASE("dnsmasq harness: every listed name answers A and AAAA queries as entries() says") {
    Dnsmasq dnsmasq;
    CHECK(dnsmasq.port() != 0);
    CHECK(dnsmasq.nameserver() == "127.0.0.1:" + std::to_string(dnsmasq.port()));
    for (const auto& e : dnsmasq.entries()) {
        CAPTURE(e.name);
        if (!e.exists) {
            CHECK(query(dnsmasq, e.name, "A").status == "NXDOMAIN");
            CHECK(query(dnsmasq, e.name, "AAAA").status == "NXDOMAIN");
            continue;
        }
        Short a = shortAnswer(dnsmasq, e.name, "A");
        CHECK(a.cnames == e.cnames);
        CHECK(a.records == e.ipv4);
        Short aaaa = shortAnswer(dnsmasq, e.name, "AAAA");
        CHECK(aaaa.cnames == e.cnames);
        CHECK(aaaa.records == e.ipv6);
    }
    CHECK(dnsmasq.entry(dnsmasq.cnameChainHead()).cnames.size() == 3);
    CHECK(dnsmasq.entry(dnsmasq.manyName()).ipv4.size() == 3);
    CHECK(dnsmasq.entry(dnsmasq.mediumName()).ipv4.size() == 60);
    CHECK(dnsmasq.entry(dnsmasq.bigName()).ipv4.size() == 100);
    CHECK_THROWS_AS(dnsmasq.entry("absent." + dnsmasq.zoneName()), std::out_of_range);
}

TEST_CASE("dnsmasq harness: the special names answer with the right status") {
    Dnsmasq dnsmasq;
    // Names with records of other types only: NOERROR and an empty answer (NODATA).
    // (No structured binding: clang 14 cannot capture one in CAPTURE's lambda.)
    for (const auto& nameAndType : {std::pair{dnsmasq.aOnlyName(), "AAAA"}, {dnsmasq.ipv6OnlyName(), "A"},
                                    {dnsmasq.mxName(), "A"}, {dnsmasq.txtName(), "A"}}) {
        const std::string& name = nameAndType.first;
        CAPTURE(name);
        Header h = query(dnsmasq, name, nameAndType.second);
        CHECK(h.status == "NOERROR");
        CHECK(h.answers == 0);
    }
    Header dangling = query(dnsmasq, dnsmasq.danglingCnameName(), "A");
    CHECK(dangling.status == "NOERROR");
    CHECK(dangling.answers == 1);  // the CNAME alone
    CHECK(query(dnsmasq, dnsmasq.nxName(), "A").status == "NXDOMAIN");
    // Outside the zone nothing is forwarded anywhere.
    CHECK(query(dnsmasq, "example.com", "A").status == "REFUSED");
    CHECK(query(dnsmasq, "localhost", "A").status != "NOERROR");
    // TTL: the second field of an answer line.
    auto line = linesOf(dig(dnsmasq, {"+noall", "+answer", dnsmasq.aOnlyName(), "A"}));
    REQUIRE(line.size() == 1);
    std::istringstream fields(line[0]);
    std::string owner;
    long ttl = -1;
    fields >> owner >> ttl;
    CHECK(ttl == dnsmasq.ttl().count());
}

TEST_CASE("dnsmasq harness: big answers are truncated over UDP and whole over TCP") {
    Dnsmasq dnsmasq;
    const auto& big = dnsmasq.entry(dnsmasq.bigName());
    const auto& medium = dnsmasq.entry(dnsmasq.mediumName());
    // +ignore keeps dig from retrying over TCP, so the UDP answer itself is seen.
    Header bigPlain = query(dnsmasq, big.name, "A", {"+noedns", "+ignore"});
    CHECK(truncated(bigPlain));
    CHECK(bigPlain.answers < 100);
    Header bigEdns = query(dnsmasq, big.name, "A", {"+edns=0", "+bufsize=4096", "+ignore"});
    CHECK(truncated(bigEdns));  // dnsmasq caps EDNS answers at 1232 bytes
    CHECK(bigEdns.answers < 100);
    Header mediumPlain = query(dnsmasq, medium.name, "A", {"+noedns", "+ignore"});
    CHECK(truncated(mediumPlain));
    Header mediumEdns = query(dnsmasq, medium.name, "A", {"+edns=0", "+bufsize=1232", "+ignore"});
    CHECK_FALSE(truncated(mediumEdns));
    CHECK(mediumEdns.answers == 60);
    Header small = query(dnsmasq, dnsmasq.manyName(), "A", {"+noedns", "+ignore"});
    CHECK_FALSE(truncated(small));

    CHECK(shortAnswer(dnsmasq, big.name, "A", {"+tcp"}).records == big.ipv4);
    CHECK(shortAnswer(dnsmasq, big.name, "A", {"+noedns"}).records == big.ipv4);  // dig's own TCP retry
    CHECK(shortAnswer(dnsmasq, medium.name, "A", {"+tcp", "+noedns"}).records == medium.ipv4);
    Short chain = shortAnswer(dnsmasq, dnsmasq.cnameChainHead(), "A", {"+tcp"});
    CHECK(chain.cnames == dnsmasq.entry(dnsmasq.cnameChainHead()).cnames);
    CHECK(chain.records == dnsmasq.entry(dnsmasq.cnameChainHead()).ipv4);
    CHECK(query(dnsmasq, dnsmasq.nxName(), "A", {"+tcp"}).status == "NXDOMAIN");
}

TEST_CASE("dnsmasq harness: MX, TXT and SRV records") {
    Dnsmasq dnsmasq;
    std::vector<std::string> mx, srv;
    for (const auto& r : dnsmasq.mxRecords()) mx.push_back(std::to_string(r.preference) + " " + r.exchange + ".");
    for (const auto& r : dnsmasq.srvRecords())
        srv.push_back(std::to_string(r.priority) + " " + std::to_string(r.weight) + " " + std::to_string(r.port) + " " +
                      r.target + ".");
    std::sort(mx.begin(), mx.end());
    std::sort(srv.begin(), srv.end());
    CHECK(shortAnswer(dnsmasq, dnsmasq.mxName(), "MX").records == mx);
    CHECK(shortAnswer(dnsmasq, dnsmasq.srvName(), "SRV").records == srv);
    std::string txt;
    for (const auto& s : dnsmasq.txtStrings()) txt += (txt.empty() ? "\"" : " \"") + s + "\"";
    CHECK(shortAnswer(dnsmasq, dnsmasq.txtName(), "TXT").records == std::vector<std::string>{txt});
}

TEST_CASE("dnsmasq harness: each instance has its own port and directory and stops with its destructor") {
    pid_t firstPid = -1, secondPid = -1;
    std::string firstDirectory;
    {
        Dnsmasq first;
        Dnsmasq second({"log-queries"});
        firstPid = first.pid();
        secondPid = second.pid();
        firstDirectory = first.directory();
        CHECK(first.port() != second.port());
        CHECK(first.directory() != second.directory());
        CHECK(::kill(firstPid, 0) == 0);
        CHECK(::kill(secondPid, 0) == 0);
        CHECK(std::filesystem::is_directory(firstDirectory));
        // The extra configuration line is in force: the query shows in the second one's log.
        CHECK(query(second, second.dualStackName(), "A").status == "NOERROR");
        CHECK(second.log().find("query[A] " + second.dualStackName()) != std::string::npos);
        CHECK(first.log().find("query[A]") == std::string::npos);
    }
    // Reaped by the destructors: the pids are gone (not zombies) and so are the directories.
    CHECK(::kill(firstPid, 0) == -1);
    CHECK(::kill(secondPid, 0) == -1);
    CHECK_FALSE(std::filesystem::exists(firstDirectory));
}
