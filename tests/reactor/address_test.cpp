// SPDX-License-Identifier: MIT
#include "reactor/address.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <string>

using weft::Address;

TEST_CASE("Address::parse takes IPv4 and IPv6 literals, IPv6 with or without brackets") {
    auto v4 = Address::parse("127.0.0.1", 8080);
    REQUIRE(v4);
    CHECK(v4->family() == Address::Family::IPv4);
    CHECK(v4->host() == "127.0.0.1");
    CHECK(v4->port() == 8080);
    CHECK(v4->toString() == "127.0.0.1:8080");
    CHECK(v4->length() == sizeof(sockaddr_in));
    CHECK(v4->sockaddrPtr()->sa_family == AF_INET);

    auto v6 = Address::parse("::1", 443);
    REQUIRE(v6);
    CHECK(v6->family() == Address::Family::IPv6);
    CHECK(v6->host() == "::1");
    CHECK(v6->port() == 443);
    CHECK(v6->toString() == "[::1]:443");
    CHECK(v6->length() == sizeof(sockaddr_in6));

    auto bracketed = Address::parse("[2001:db8::7]", 53);
    REQUIRE(bracketed);
    CHECK(bracketed->host() == "2001:db8::7");
    CHECK(bracketed->toString() == "[2001:db8::7]:53");
}

TEST_CASE("Address::parse refuses what is not an IP literal (hostnames are dns/'s job)") {
    for (const char* bad : {"", "localhost", "example.com", "256.0.0.1", "1.2.3", "[::1", "::1]", "[]",
                            "1.2.3.4:80", "::g", "0123456789012345678901234567890123456789012345678"}) {
        CAPTURE(bad);
        CHECK_FALSE(Address::parse(bad, 1));
    }
}

TEST_CASE("Address::unixPath keeps the path and says unix:") {
    Address a = Address::unixPath("/tmp/weft.sock");
    CHECK(a.family() == Address::Family::Unix);
    CHECK(a.host() == "/tmp/weft.sock");
    CHECK(a.port() == 0);
    CHECK(a.toString() == "unix:/tmp/weft.sock");
    CHECK(a.sockaddrPtr()->sa_family == AF_UNIX);
    CHECK(a.length() == offsetof(sockaddr_un, sun_path) + std::strlen("/tmp/weft.sock") + 1);
}

TEST_CASE("Address::unixPath cuts a path that no socket could be bound to") {
    std::string tooLong(500, 'x');
    Address a = Address::unixPath(tooLong);
    CHECK(a.host() == std::string(sizeof(sockaddr_un::sun_path) - 1, 'x'));
    CHECK(a.length() <= sizeof(sockaddr_un));
}

TEST_CASE("Address::fromSockaddr reads what the kernel hands back") {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(9);
    REQUIRE(inet_pton(AF_INET, "10.1.2.3", &in.sin_addr) == 1);
    Address a = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&in), sizeof in);
    CHECK(a.toString() == "10.1.2.3:9");

    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(65535);
    REQUIRE(inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr) == 1);
    CHECK(Address::fromSockaddr(reinterpret_cast<sockaddr*>(&in6), sizeof in6).toString() == "[fe80::1]:65535");

    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strcpy(un.sun_path, "/run/x");
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 7);
    CHECK(Address::fromSockaddr(reinterpret_cast<sockaddr*>(&un), length).host() == "/run/x");

    // An unnamed Unix socket (a client's end) has a bare family and no path.
    Address unnamed = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&un), sizeof(sa_family_t));
    CHECK(unnamed.family() == Address::Family::Unix);
    CHECK(unnamed.host().empty());
}

TEST_CASE("a default Address is 0.0.0.0:0") {
    Address a;
    CHECK(a.family() == Address::Family::IPv4);
    CHECK(a.toString() == "0.0.0.0:0");
}

TEST_CASE("Addresses are equal when family, host and port are") {
    CHECK(*Address::parse("127.0.0.1", 1) == *Address::parse("127.0.0.1", 1));
    CHECK_FALSE(*Address::parse("127.0.0.1", 1) == *Address::parse("127.0.0.1", 2));
    CHECK_FALSE(*Address::parse("127.0.0.1", 1) == *Address::parse("127.0.0.2", 1));
    CHECK_FALSE(*Address::parse("::1", 1) == *Address::parse("127.0.0.1", 1));
    CHECK(*Address::parse("::1", 1) == *Address::parse("[::1]", 1));
    CHECK(*Address::parse("0:0::1", 1) == *Address::parse("::1", 1));
    CHECK(Address::unixPath("/a") == Address::unixPath("/a"));
    CHECK_FALSE(Address::unixPath("/a") == Address::unixPath("/b"));
}

TEST_CASE("IPv6 Addresses differ by scope, and a v4-mapped address is not the IPv4 one") {
    auto link = *Address::parse("fe80::1", 53);
    sockaddr_in6 scoped{};
    std::memcpy(&scoped, link.sockaddrPtr(), sizeof scoped);
    scoped.sin6_scope_id = 1;
    CHECK_FALSE(link == Address::fromSockaddr(reinterpret_cast<const sockaddr*>(&scoped), sizeof scoped));
    CHECK_FALSE(*Address::parse("127.0.0.1", 53) == *Address::parse("::ffff:127.0.0.1", 53));
}
