// SPDX-License-Identifier: MIT
#include "dns/ip_address.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using weft::dns::IPAddress;

TEST_CASE("IPAddress parses dotted quads and IPv6 literals, and prints them back") {
    auto v4 = IPAddress::parse("192.0.2.1");
    REQUIRE(v4);
    CHECK(v4->isV4());
    CHECK(v4->family() == IPAddress::Family::IPv4);
    CHECK(v4->toString() == "192.0.2.1");
    CHECK(v4->bytes()[0] == 192);
    CHECK(v4->bytes()[3] == 1);
    CHECK(v4->bytes()[4] == 0);

    auto v6 = IPAddress::parse("2001:DB8:0:0:0:0:0:1");
    REQUIRE(v6);
    CHECK_FALSE(v6->isV4());
    CHECK(v6->family() == IPAddress::Family::IPv6);
    CHECK(v6->toString() == "2001:db8::1");  // RFC 5952 form
    CHECK(v6->bytes()[0] == 0x20);
    CHECK(v6->bytes()[15] == 1);
    CHECK(IPAddress::parse("::")->toString() == "::");
    CHECK(IPAddress::parse("::ffff:192.0.2.1")->toString() == "::ffff:192.0.2.1");
    CHECK_FALSE(IPAddress::parse("::ffff:192.0.2.1")->isV4());  // a v4-mapped address is still IPv6
}

TEST_CASE("IPAddress::parse refuses anything that is not exactly an address") {
    for (std::string_view text : {"", "1.2.3", "256.0.0.1", "1.2.3.4 ", " 1.2.3.4", "[::1]", "fe80::1%eth0",
                                  "example.com", "1.2.3.4:53", "::1::", "0x7f.0.0.1"})
        CHECK_FALSE(IPAddress::parse(text));
    CHECK_FALSE(IPAddress::parse(std::string_view("1.2.3.4\0junk", 12)));  // inet_pton would stop at the NUL
    CHECK_FALSE(IPAddress::parse(std::string(100, '1')));
}

TEST_CASE("IPAddress::v4 and v6 build from bytes; the default is 0.0.0.0") {
    CHECK(IPAddress().toString() == "0.0.0.0");
    CHECK(IPAddress().isV4());
    CHECK(IPAddress::v4({127, 0, 0, 1}) == *IPAddress::parse("127.0.0.1"));
    CHECK(IPAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}) == *IPAddress::parse("::1"));
    CHECK(IPAddress::v4({0, 0, 0, 0}) != IPAddress::v6({}));  // same bytes, different families
    CHECK(IPAddress::v4({10, 0, 0, 1}) < IPAddress::v4({10, 0, 0, 2}));
}

TEST_CASE("IPAddress to and from weft::Address") {
    CHECK(IPAddress::parse("2001:db8::1")->withPort(80).toString() == "[2001:db8::1]:80");
    weft::Address a = IPAddress::parse("192.0.2.53")->withPort(53);
    CHECK(a.toString() == "192.0.2.53:53");
    CHECK(a.family() == weft::Address::Family::IPv4);
    CHECK(a == *weft::Address::parse("192.0.2.53", 53));

    CHECK(IPAddress::fromAddress(*weft::Address::parse("::1", 8080)) == *IPAddress::parse("::1"));
    CHECK(IPAddress::fromAddress(*weft::Address::parse("10.1.2.3", 9)) == IPAddress::v4({10, 1, 2, 3}));
    CHECK(IPAddress::fromAddress(weft::Address::unixPath("/tmp/s")) == IPAddress());
}
