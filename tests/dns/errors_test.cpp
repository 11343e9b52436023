// SPDX-License-Identifier: MIT
#include "dns/errors.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <system_error>

using namespace weft::dns;

TEST_CASE("every DnsError has its own message in the weft.dns category") {
    std::set<std::string> seen;
    for (int e = static_cast<int>(DnsError::InvalidName); e <= static_cast<int>(DnsError::NoNameservers); ++e) {
        std::error_code code = static_cast<DnsError>(e);  // is_error_code_enum makes this implicit
        CHECK(std::string(code.category().name()) == "weft.dns");
        CHECK(&code.category() == &dnsCategory());
        CHECK(code.message().find("unknown") == std::string::npos);
        CHECK(seen.insert(code.message()).second);
    }
    CHECK(make_error_code(static_cast<DnsError>(99)).message() == "unknown dns error 99");
}

TEST_CASE("describe gives every Malformed reason its own words") {
    std::set<std::string_view> seen;
    for (int r = static_cast<int>(Malformed::Truncated); r <= static_cast<int>(Malformed::TrailingBytes); ++r) {
        auto text = describe(static_cast<Malformed>(r));
        CHECK(text != "unknown reason");
        CHECK(seen.insert(text).second);
    }
    CHECK(describe(static_cast<Malformed>(0)) == "unknown reason");
}

TEST_CASE("InvalidName is the caller's: it quotes the name and says why") {
    InvalidName e("a..b", "empty label");
    CHECK(e.code() == DnsError::InvalidName);
    CHECK(std::string(e.what()) == "invalid DNS name \"a..b\": empty label");
    const weft::Error& base = e;  // flows down errbacks as a weft::Error
    CHECK(base.code().category() == dnsCategory());
}

TEST_CASE("ResolveError names the name and the server, and the detail when there is one") {
    NameNotFound nx("example.com", "127.0.0.1:53");
    CHECK(nx.code() == DnsError::NameNotFound);
    CHECK(nx.name() == "example.com");
    CHECK(nx.server() == "127.0.0.1:53");
    CHECK(std::string(nx.what()) == "NXDOMAIN: name does not exist: example.com (server 127.0.0.1:53)");

    ServerFailure servfail("example.com", "[::1]:53", "rcode 9");
    CHECK(servfail.code() == DnsError::ServerFailure);
    CHECK(std::string(servfail.what()) == "SERVFAIL: server could not answer: example.com (server [::1]:53): rcode 9");

    NoAddresses nodata("host.test", "", "from the hosts file");
    CHECK(std::string(nodata.what()) ==
          "NODATA: name has no records of the type asked: host.test: from the hosts file");
    CHECK(nodata.server().empty());

    CHECK(std::string(Refused("a.test", "192.0.2.1:53").what()) ==
          "REFUSED: server refused the query: a.test (server 192.0.2.1:53)");
    CHECK(std::string(Timeout("a.test", "192.0.2.1:53", "4 attempts").what()) ==
          "DNS lookup timed out: a.test (server 192.0.2.1:53): 4 attempts");
    CHECK(std::string(CnameLoop("a.test", "192.0.2.1:53").what()) ==
          "CNAME chain loops or is too long: a.test (server 192.0.2.1:53)");
    NoNameservers none("a.test");
    CHECK(none.code() == DnsError::NoNameservers);
    CHECK(std::string(none.what()) == "no nameservers configured: a.test");
}

TEST_CASE("MalformedMessage is the server's: reason, byte offset, and who sent it when known") {
    MalformedMessage bare(Malformed::PointerLoop, 12);
    CHECK(bare.code() == DnsError::MalformedMessage);
    CHECK(bare.reason() == Malformed::PointerLoop);
    CHECK(bare.offset() == 12);
    CHECK(bare.name().empty());
    CHECK(bare.server().empty());
    CHECK(std::string(bare.what()) == "malformed DNS message: compression pointer loop at byte 12");

    MalformedMessage named(Malformed::BadRdata, 40, "example.com", "127.0.0.1:53");
    CHECK(named.name() == "example.com");
    CHECK(named.server() == "127.0.0.1:53");
    CHECK(std::string(named.what()) ==
          "malformed DNS message: example.com (server 127.0.0.1:53): record data does not fit its type at byte 40");
    const ResolveError& asResolve = named;  // the resolver fails a lookup with it as it is
    CHECK(asResolve.code() == DnsError::MalformedMessage);
}
