// SPDX-License-Identifier: MIT
#include "dns/resolv_conf.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using weft::dns::ResolvConf;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> servers(const ResolvConf& conf) {
    std::vector<std::string> out;
    for (const auto& a : conf.nameservers) out.push_back(a.toString());
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("ResolvConf::parse reads every directive") {
    auto conf = ResolvConf::parse(
        "# written by hand\n"
        "nameserver 192.0.2.1\n"
        "nameserver 2001:db8::53\n"
        "search example.com corp.example.net\n"
        "options ndots:3 timeout:2 attempts:4 rotate edns0\n");
    CHECK(servers(conf) == Strings{"192.0.2.1:53", "[2001:db8::53]:53"});
    CHECK(conf.search == Strings{"example.com", "corp.example.net"});
    CHECK(conf.ndots == 3);
    CHECK(conf.timeout == 2s);
    CHECK(conf.attempts == 4);
    CHECK(conf.rotate);
    CHECK(conf.edns0);
}

TEST_CASE("ResolvConf::parse without directives gives glibc's defaults") {
    for (const char* text : {"", "\n\n", "# nothing\n; nothing either\n", "sortlist 10.0.0.0/8\nlookup file bind\n"}) {
        CAPTURE(text);
        auto conf = ResolvConf::parse(text);
        CHECK(servers(conf) == Strings{"127.0.0.1:53"});
        CHECK(conf.search.empty());
        CHECK(conf.ndots == 1);
        CHECK(conf.timeout == 5s);
        CHECK(conf.attempts == 2);
        CHECK_FALSE(conf.rotate);
        CHECK_FALSE(conf.edns0);
    }
    CHECK(servers(ResolvConf::defaults()) == Strings{"127.0.0.1:53"});
    CHECK(ResolvConf::defaults().search.empty());
}

TEST_CASE("ResolvConf keeps the first three usable nameservers") {
    auto conf = ResolvConf::parse(
        "nameserver 10.0.0.1\n"
        "nameserver not-an-address\n"
        "nameserver 10.0.0.300\n"
        "nameserver ::1\n"
        "nameserver 10.0.0.3\n"
        "nameserver 10.0.0.4\n");
    CHECK(servers(conf) == Strings{"10.0.0.1:53", "[::1]:53", "10.0.0.3:53"});
}

TEST_CASE("ResolvConf falls back to 127.0.0.1 when no nameserver line is usable") {
    auto conf = ResolvConf::parse("nameserver bogus\nnameserver\nnameserver 1.2.3\nsearch example.com\n");
    CHECK(servers(conf) == Strings{"127.0.0.1:53"});
    CHECK(conf.search == Strings{"example.com"});
}

TEST_CASE("ResolvConf skips scoped IPv6 nameservers, which Address cannot hold") {
    auto conf = ResolvConf::parse("nameserver fe80::1%eth0\nnameserver fe80::2\n");
    CHECK(servers(conf) == Strings{"[fe80::2]:53"});
    CHECK(servers(ResolvConf::parse("nameserver fe80::1%eth0\n")) == Strings{"127.0.0.1:53"});
}

TEST_CASE("ResolvConf: the later of search and domain wins") {
    CHECK(ResolvConf::parse("domain a.example\nsearch b.example c.example\n").search == Strings{"b.example", "c.example"});
    CHECK(ResolvConf::parse("search b.example c.example\ndomain a.example\n").search == Strings{"a.example"});
    CHECK(ResolvConf::parse("search b.example\nsearch c.example\n").search == Strings{"c.example"});
    // domain takes one name only; the rest of its line is ignored
    CHECK(ResolvConf::parse("domain a.example b.example\n").search == Strings{"a.example"});
    // A directive with no value is no directive at all: it does not clear the list.
    CHECK(ResolvConf::parse("search b.example\nsearch\ndomain\n").search == Strings{"b.example"});
}

TEST_CASE("ResolvConf search domains lose trailing dots; a lone dot means none") {
    CHECK(ResolvConf::parse("search example.com. b.example.. . c.example\n").search ==
          Strings{"example.com", "b.example", "c.example"});
    // systemd-resolved writes "search ." to say "no search list", overriding an earlier one
    CHECK(ResolvConf::parse("domain a.example\nsearch .\n").search.empty());
    CHECK(ResolvConf::parse("domain .\n").search.empty());
}

TEST_CASE("ResolvConf keeps at most six search domains and skips over-long ones") {
    auto conf = ResolvConf::parse("search a b c d e f g h\n");
    CHECK(conf.search == Strings{"a", "b", "c", "d", "e", "f"});
    std::string tooLong(254, 'x');
    CHECK(ResolvConf::parse("search " + tooLong + " ok.example\n").search == Strings{"ok.example"});
    CHECK(ResolvConf::parse("search " + std::string(253, 'x') + "\n").search.size() == 1);
}

TEST_CASE("ResolvConf comments: whole lines with # or ;, and after values") {
    auto conf = ResolvConf::parse(
        "#nameserver 10.9.9.9\n"
        ";nameserver 10.9.9.8\n"
        "   # indented comment\n"
        "nameserver 10.0.0.1 # primary\n"
        "nameserver 10.0.0.2;secondary\n"
        "search a.example#b.example\n"
        "options ndots:4 # rotate\n");
    CHECK(servers(conf) == Strings{"10.0.0.1:53", "10.0.0.2:53"});
    CHECK(conf.search == Strings{"a.example"});
    CHECK(conf.ndots == 4);
    CHECK_FALSE(conf.rotate);
}

TEST_CASE("ResolvConf tolerates tabs, CRLF, leading blanks and a missing final newline") {
    auto conf = ResolvConf::parse("nameserver\t10.0.0.1\r\n  search\ta.example \t b.example\r\noptions\tndots:2");
    CHECK(servers(conf) == Strings{"10.0.0.1:53"});
    CHECK(conf.search == Strings{"a.example", "b.example"});
    CHECK(conf.ndots == 2);
}

TEST_CASE("ResolvConf keywords are whole words and case-sensitive, as in glibc") {
    auto conf = ResolvConf::parse("nameserver10.0.0.1\nNAMESERVER 10.0.0.2\nsearches x.example\nOptions rotate\n");
    CHECK(servers(conf) == Strings{"127.0.0.1:53"});
    CHECK(conf.search.empty());
    CHECK_FALSE(conf.rotate);
}

TEST_CASE("ResolvConf options are capped like glibc's") {
    auto conf = ResolvConf::parse("options ndots:16 timeout:31 attempts:6\n");
    CHECK(conf.ndots == 15);
    CHECK(conf.timeout == 30s);
    CHECK(conf.attempts == 5);
    auto huge = ResolvConf::parse("options ndots:99999999999999999999 timeout:99999999999999999999 attempts:99999999999999999999\n");
    CHECK(huge.ndots == 15);
    CHECK(huge.timeout == 30s);
    CHECK(huge.attempts == 5);
    auto low = ResolvConf::parse("options ndots:0 timeout:0 attempts:0\n");
    CHECK(low.ndots == 0);
    CHECK(low.timeout == 1s);   // glibc never waits less than a second
    CHECK(low.attempts == 1);   // attempts:0 would mean never asking
}

TEST_CASE("ResolvConf ignores unreadable option values and unknown options") {
    auto conf = ResolvConf::parse(
        "options ndots:-1 ndots:3x ndots: timeout:+2 timeout:2.5 attempts:two NDOTS:4\n"
        "options inet6 single-request trust-ad use-vc no-aaaa rotate:1 edns0x\n");
    CHECK(conf.ndots == 1);
    CHECK(conf.timeout == 5s);
    CHECK(conf.attempts == 2);
    CHECK_FALSE(conf.rotate);
    CHECK_FALSE(conf.edns0);
}

TEST_CASE("ResolvConf: later options override earlier ones, across lines") {
    auto conf = ResolvConf::parse("options ndots:2 ndots:5\noptions timeout:3\noptions timeout:bad\n");
    CHECK(conf.ndots == 5);
    CHECK(conf.timeout == 3s);
}
