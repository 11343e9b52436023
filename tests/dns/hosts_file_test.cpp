// SPDX-License-Identifier: MIT
#include "dns/hosts_file.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using weft::dns::HostsFile;

namespace {

using Strings = std::vector<std::string>;

Strings lookup(const HostsFile& hosts, std::string_view name) {
    Strings out;
    for (const auto& ip : hosts.lookup(name)) out.push_back(ip.toString());
    return out;
}

}  // namespace

TEST_CASE("HostsFile maps names and aliases to addresses") {
    auto hosts = HostsFile::parse(
        "127.0.0.1\tlocalhost\n"
        "192.0.2.10  www.example.test www alias.example.test\n");
    CHECK(lookup(hosts, "localhost") == Strings{"127.0.0.1"});
    CHECK(lookup(hosts, "www.example.test") == Strings{"192.0.2.10"});
    CHECK(lookup(hosts, "www") == Strings{"192.0.2.10"});
    CHECK(lookup(hosts, "alias.example.test") == Strings{"192.0.2.10"});
    CHECK(hosts.contains("www"));
    CHECK_FALSE(hosts.contains("absent.example.test"));
    CHECK(hosts.lookup("absent.example.test").empty());
    CHECK(hosts.size() == 4);
}

TEST_CASE("HostsFile lookups ignore ASCII case and trailing dots, on both sides") {
    auto hosts = HostsFile::parse("192.0.2.1 MixedCase.Example.TEST\n192.0.2.2 dotted.example.test.\n");
    CHECK(lookup(hosts, "mixedcase.example.test") == Strings{"192.0.2.1"});
    CHECK(lookup(hosts, "MIXEDCASE.EXAMPLE.TEST.") == Strings{"192.0.2.1"});
    CHECK(lookup(hosts, "dotted.example.test") == Strings{"192.0.2.2"});
    CHECK(lookup(hosts, "Dotted.Example.Test.") == Strings{"192.0.2.2"});
    CHECK(hosts.lookup("").empty());
    CHECK(hosts.lookup(".").empty());
}

TEST_CASE("HostsFile keeps file order across families and drops duplicates") {
    auto hosts = HostsFile::parse(
        "::1 localhost ip6-localhost\n"
        "127.0.0.1 localhost\n"
        "127.0.0.1 LOCALHOST localhost.\n"
        "0:0:0:0:0:0:0:1 localhost\n"      // ::1 again, spelled out
        "2001:db8::5 localhost\n");
    CHECK(lookup(hosts, "localhost") == Strings{"::1", "127.0.0.1", "2001:db8::5"});
    CHECK(lookup(hosts, "ip6-localhost") == Strings{"::1"});
    auto all = hosts.lookup("localhost");
    REQUIRE(all.size() == 3);
    CHECK_FALSE(all[0].isV4());
    CHECK(all[1].isV4());
}

TEST_CASE("HostsFile comments: whole lines and trailing") {
    auto hosts = HostsFile::parse(
        "# 192.0.2.99 commented.example.test\n"
        "   #192.0.2.98 indented.example.test\n"
        "192.0.2.1 host.example.test # old-name.example.test\n"
        "192.0.2.2 other.example.test#glued\n"
        "192.0.2.3#nothing.example.test\n");
    CHECK_FALSE(hosts.contains("commented.example.test"));
    CHECK_FALSE(hosts.contains("indented.example.test"));
    CHECK_FALSE(hosts.contains("old-name.example.test"));
    CHECK_FALSE(hosts.contains("glued"));
    CHECK_FALSE(hosts.contains("nothing.example.test"));
    CHECK(lookup(hosts, "host.example.test") == Strings{"192.0.2.1"});
    CHECK(lookup(hosts, "other.example.test") == Strings{"192.0.2.2"});
    CHECK(hosts.size() == 2);
}

TEST_CASE("HostsFile skips lines with a bad address or no name") {
    auto hosts = HostsFile::parse(
        "192.0.2.300 bad-octet.example.test\n"
        "not-an-ip bad-text.example.test\n"
        "fe80::1%eth0 scoped.example.test\n"
        "[::1] bracketed.example.test\n"
        "192.0.2.7\n"
        "192.0.2.8   \t \n"
        "good.example.test 192.0.2.9\n"
        "\n"
        "   \n"
        "192.0.2.10\tfine.example.test\r\n"
        "192.0.2.11 last.example.test");  // no final newline
    CHECK(hosts.size() == 2);
    CHECK(lookup(hosts, "fine.example.test") == Strings{"192.0.2.10"});
    CHECK(lookup(hosts, "last.example.test") == Strings{"192.0.2.11"});
    CHECK_FALSE(hosts.contains("192.0.2.9"));
    CHECK_FALSE(hosts.contains("scoped.example.test"));
}

TEST_CASE("HostsFile tolerates leading blanks and mixed separators") {
    auto hosts = HostsFile::parse("  \t192.0.2.1 \t a.example.test\t\tb.example.test  \n");
    CHECK(lookup(hosts, "a.example.test") == Strings{"192.0.2.1"});
    CHECK(lookup(hosts, "b.example.test") == Strings{"192.0.2.1"});
}

TEST_CASE("HostsFile keeps every distinct address of a name repeated on many lines") {
    std::string text;
    for (int i = 0; i < 20000; ++i) {
        text += "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256) + " many.example.test\n";
        text += "10.0.0.0 many.example.test\n";
    }
    auto hosts = HostsFile::parse(text);
    auto all = hosts.lookup("many.example.test");
    REQUIRE(all.size() == 20000);
    CHECK(all.front().toString() == "10.0.0.0");
    CHECK(all.back().toString() == "10.0.78.31");
}
