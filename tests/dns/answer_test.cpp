// SPDX-License-Identifier: MIT
// interpretAnswer: CNAME chains followed within one response, records off the chain ignored,
// loops and long chains refused, and the kind and TTL of positive and negative answers.
#include "dns/answer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dns/errors.h"
#include "dns/ip_address.h"
#include "dns/message.h"
#include "tests/dns/records.h"

using weft::dns::Answer;
using weft::dns::CnameLoop;
using weft::dns::interpretAnswer;
using weft::dns::IPAddress;
using weft::dns::Message;
using weft::dns::NameData;
using weft::dns::Rcode;
using weft::dns::RecordType;
using weft::dns::ResourceRecord;
using weft::dns::SoaData;
using weft::dns::testing::addressRecord;

namespace {

using Strings = std::vector<std::string>;

ResourceRecord cname(std::string name, std::string target, std::uint32_t ttl = 300) {
    return {std::move(name), RecordType::CNAME, weft::dns::kClassIN, ttl, NameData{std::move(target)}};
}

ResourceRecord soa(std::string zone, std::uint32_t ttl, std::uint32_t minimum) {
    SoaData data;
    data.mname = "ns." + zone;
    data.rname = "hostmaster." + zone;
    data.serial = 2024010101;
    data.minimum = minimum;
    return {std::move(zone), RecordType::SOA, weft::dns::kClassIN, ttl, data};
}

Message reply(std::string qname, RecordType type, std::vector<ResourceRecord> answers,
              std::vector<ResourceRecord> authority = {}, Rcode rcode = Rcode::NoError) {
    Message m;
    m.header.id = 0x4242;
    m.header.response = true;
    m.header.rcode = rcode;
    m.questions.push_back({std::move(qname), type, weft::dns::kClassIN});
    m.answers = std::move(answers);
    m.authority = std::move(authority);
    return m;
}

// The records' addresses, in order.
Strings ips(const Answer& answer) {
    Strings out;
    for (const auto& rr : answer.records) out.push_back(std::get<IPAddress>(rr.data).toString());
    return out;
}

// A chain of `links` CNAMEs from n0.test to n<links>.test, which has one A record.
std::vector<ResourceRecord> chainOf(std::size_t links) {
    std::vector<ResourceRecord> out;
    for (std::size_t i = 0; i < links; ++i)
        out.push_back(cname("n" + std::to_string(i) + ".test", "n" + std::to_string(i + 1) + ".test"));
    out.push_back(addressRecord("n" + std::to_string(links) + ".test", "192.0.2.1"));
    return out;
}

}  // namespace

TEST_CASE("dns/answer: a chain of three CNAMEs is followed to the records at its end, in any order") {
    // The CNAMEs are out of order: the chain is followed by owner name, not by position.
    auto m = reply("www.example.test", RecordType::A,
                   {addressRecord("c.cdn.test", "192.0.2.10"), cname("b.cdn.test", "c.cdn.test"),
                    cname("www.example.test", "a.cdn.test"), addressRecord("c.cdn.test", "192.0.2.11"),
                    cname("a.cdn.test", "b.cdn.test")});
    Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
    CHECK(a.kind == Answer::Kind::Records);
    CHECK(a.canonicalName == "c.cdn.test");
    CHECK(a.chainLength == 3);
    CHECK(ips(a) == Strings{"192.0.2.10", "192.0.2.11"});
    for (const auto& rr : a.records) {
        CHECK(rr.name == "c.cdn.test");
        CHECK(rr.type == RecordType::A);
    }
    CHECK(a.server.empty());  // the resolver's to set
}

TEST_CASE("dns/answer: without a CNAME the records of the name asked are the answer") {
    auto m = reply("www.example.test", RecordType::AAAA,
                   {addressRecord("www.example.test", "2001:db8::1", 120), addressRecord("www.example.test", "192.0.2.1", 5),
                    addressRecord("www.example.test", "2001:db8::2", 90)});
    Answer a = interpretAnswer(m, "www.example.test", RecordType::AAAA);
    CHECK(a.kind == Answer::Kind::Records);
    CHECK(a.canonicalName == "www.example.test");
    CHECK(a.chainLength == 0);
    CHECK(ips(a) == Strings{"2001:db8::1", "2001:db8::2"});  // the A record is not of the type asked
    CHECK(a.ttl == std::optional<std::uint32_t>(90));       // nor does its TTL count
}

TEST_CASE("dns/answer: a positive answer's TTL is the smallest on the chain and the records") {
    SUBCASE("a CNAME's TTL is the smallest") {
        auto m = reply("a.test", RecordType::A,
                       {cname("a.test", "b.test", 300), cname("b.test", "c.test", 50), cname("c.test", "d.test", 400),
                        addressRecord("d.test", "192.0.2.1", 100), addressRecord("d.test", "192.0.2.2", 200)});
        Answer a = interpretAnswer(m, "a.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::Records);
        CHECK(a.ttl == std::optional<std::uint32_t>(50));
    }
    SUBCASE("a record's TTL is the smallest") {
        auto m = reply("a.test", RecordType::A,
                       {cname("a.test", "b.test", 300), cname("b.test", "c.test", 600),
                        addressRecord("c.test", "192.0.2.1", 400), addressRecord("c.test", "192.0.2.2", 30)});
        Answer a = interpretAnswer(m, "a.test", RecordType::A);
        CHECK(a.ttl == std::optional<std::uint32_t>(30));
    }
    SUBCASE("TTLs of records off the chain do not count") {
        auto m = reply("a.test", RecordType::A,
                       {cname("a.test", "b.test", 300), cname("elsewhere.test", "b.test", 1),
                        addressRecord("a.test", "192.0.2.9", 2), addressRecord("b.test", "192.0.2.1", 400)});
        Answer a = interpretAnswer(m, "a.test", RecordType::A);
        CHECK(ips(a) == Strings{"192.0.2.1"});
        CHECK(a.ttl == std::optional<std::uint32_t>(300));
    }
    SUBCASE("a TTL of 0 is kept: use once") {
        auto m = reply("a.test", RecordType::A, {cname("a.test", "b.test", 0), addressRecord("b.test", "192.0.2.1", 400)});
        CHECK(interpretAnswer(m, "a.test", RecordType::A).ttl == std::optional<std::uint32_t>(0));
    }
}

TEST_CASE("dns/answer: records for other owners in the answer section are ignored (poisoning)") {
    SUBCASE("an A record for an unrelated name") {
        auto m = reply("www.example.test", RecordType::A,
                       {addressRecord("www.bank.test", "203.0.113.66"), addressRecord("www.example.test", "192.0.2.1"),
                        cname("www.bank.test", "evil.test"), addressRecord("evil.test", "203.0.113.67")});
        Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::Records);
        CHECK(a.canonicalName == "www.example.test");
        CHECK(a.chainLength == 0);
        CHECK(ips(a) == Strings{"192.0.2.1"});
    }
    SUBCASE("an A record for the name asked, once the chain has moved on from it") {
        auto m = reply("www.example.test", RecordType::A,
                       {addressRecord("www.example.test", "203.0.113.66"), cname("www.example.test", "cdn.test"),
                        addressRecord("cdn.test", "192.0.2.1")});
        Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::Records);
        CHECK(a.canonicalName == "cdn.test");
        CHECK(ips(a) == Strings{"192.0.2.1"});
    }
    SUBCASE("only records off the chain: no records, whatever they say") {
        auto m = reply("www.example.test", RecordType::A,
                       {cname("www.example.test", "cdn.test"), addressRecord("www.example.test", "203.0.113.66"),
                        addressRecord("www.bank.test", "203.0.113.67")});
        Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::Unfinished);
        CHECK(a.canonicalName == "cdn.test");
        CHECK(a.records.empty());
    }
}

TEST_CASE("dns/answer: a CNAME loop throws CnameLoop naming the name asked") {
    SUBCASE("a -> b -> a") {
        auto m = reply("a.test", RecordType::A,
                       {cname("a.test", "b.test"), cname("b.test", "a.test"), addressRecord("a.test", "192.0.2.1")});
        CHECK_THROWS_AS((void)interpretAnswer(m, "a.test", RecordType::A), CnameLoop);
        try {
            (void)interpretAnswer(m, "a.test", RecordType::A);
        } catch (const CnameLoop& e) {
            CHECK(e.name() == "a.test");
            CHECK(e.code() == weft::dns::DnsError::CnameLoop);
        }
    }
    SUBCASE("a name that is its own CNAME") {
        auto m = reply("a.test", RecordType::A, {cname("a.test", "a.test")});
        CHECK_THROWS_AS((void)interpretAnswer(m, "a.test", RecordType::A), CnameLoop);
    }
    SUBCASE("a loop that does not pass through the name asked: a -> b -> c -> b") {
        auto m = reply("a.test", RecordType::A,
                       {cname("a.test", "b.test"), cname("b.test", "c.test"), cname("c.test", "b.test")});
        CHECK_THROWS_AS((void)interpretAnswer(m, "a.test", RecordType::A), CnameLoop);
    }
    SUBCASE("a loop spelled in another case") {
        auto m = reply("a.test", RecordType::A, {cname("a.test", "B.test"), cname("b.TEST", "A.Test.")});
        CHECK_THROWS_AS((void)interpretAnswer(m, "a.test", RecordType::A), CnameLoop);
    }
}

TEST_CASE("dns/answer: a chain longer than maxChain throws CnameLoop; one as long is followed") {
    auto three = reply("n0.test", RecordType::A, chainOf(3));
    CHECK_THROWS_AS((void)interpretAnswer(three, "n0.test", RecordType::A, 2), CnameLoop);
    Answer a = interpretAnswer(three, "n0.test", RecordType::A, 3);
    CHECK(a.kind == Answer::Kind::Records);
    CHECK(a.chainLength == 3);
    CHECK(a.canonicalName == "n3.test");

    // The default limit: kMaxCnameChain links pass, one more does not.
    auto longest = reply("n0.test", RecordType::A, chainOf(weft::dns::kMaxCnameChain));
    CHECK(interpretAnswer(longest, "n0.test", RecordType::A).chainLength == weft::dns::kMaxCnameChain);
    auto tooLong = reply("n0.test", RecordType::A, chainOf(weft::dns::kMaxCnameChain + 1));
    CHECK_THROWS_AS((void)interpretAnswer(tooLong, "n0.test", RecordType::A), CnameLoop);
}

TEST_CASE("dns/answer: NXDOMAIN at the end of a chain is NameNotFound for the chain's end") {
    SUBCASE("with an SOA: cached for min(SOA TTL, SOA minimum, chain TTLs)") {
        auto m = reply("www.example.test", RecordType::A, {cname("www.example.test", "gone.cdn.test", 600)},
                       {soa("cdn.test", 900, 120)}, Rcode::NXDomain);
        Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::NameNotFound);
        CHECK(a.canonicalName == "gone.cdn.test");
        CHECK(a.chainLength == 1);
        CHECK(a.records.empty());
        CHECK(a.ttl == std::optional<std::uint32_t>(120));
    }
    SUBCASE("a chain TTL below the SOA's") {
        auto m = reply("www.example.test", RecordType::A, {cname("www.example.test", "gone.cdn.test", 30)},
                       {soa("cdn.test", 900, 120)}, Rcode::NXDomain);
        CHECK(interpretAnswer(m, "www.example.test", RecordType::A).ttl == std::optional<std::uint32_t>(30));
    }
    SUBCASE("without a chain") {
        auto m = reply("nope.test", RecordType::A, {}, {soa("test", 40, 3600)}, Rcode::NXDomain);
        Answer a = interpretAnswer(m, "nope.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::NameNotFound);
        CHECK(a.canonicalName == "nope.test");
        CHECK(a.chainLength == 0);
        CHECK(a.ttl == std::optional<std::uint32_t>(40));
    }
    SUBCASE("without an SOA: not to be cached, and not Unfinished either") {
        auto m = reply("www.example.test", RecordType::A, {cname("www.example.test", "gone.cdn.test", 600)}, {},
                       Rcode::NXDomain);
        Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
        CHECK(a.kind == Answer::Kind::NameNotFound);
        CHECK(a.canonicalName == "gone.cdn.test");
        CHECK_FALSE(a.ttl.has_value());
    }
}

TEST_CASE("dns/answer: NODATA with an SOA is NoData, cached for min(SOA TTL, SOA minimum, chain TTLs)") {
    SUBCASE("the SOA minimum is the smallest") {
        auto m = reply("a.test", RecordType::AAAA,
                       {cname("a.test", "b.test", 300), cname("b.test", "c.test", 200), addressRecord("c.test", "192.0.2.1")},
                       {soa("test", 3600, 60)});
        Answer a = interpretAnswer(m, "a.test", RecordType::AAAA);
        CHECK(a.kind == Answer::Kind::NoData);
        CHECK(a.canonicalName == "c.test");
        CHECK(a.chainLength == 2);
        CHECK(a.records.empty());
        CHECK(a.ttl == std::optional<std::uint32_t>(60));
    }
    SUBCASE("the SOA's own TTL is the smallest") {
        auto m = reply("a.test", RecordType::AAAA, {cname("a.test", "b.test", 300)}, {soa("test", 45, 600)});
        CHECK(interpretAnswer(m, "a.test", RecordType::AAAA).ttl == std::optional<std::uint32_t>(45));
    }
    SUBCASE("a chain TTL is the smallest") {
        auto m = reply("a.test", RecordType::AAAA, {cname("a.test", "b.test", 300), cname("b.test", "c.test", 15)},
                       {soa("test", 3600, 600)});
        Answer a = interpretAnswer(m, "a.test", RecordType::AAAA);
        CHECK(a.kind == Answer::Kind::NoData);
        CHECK(a.ttl == std::optional<std::uint32_t>(15));
    }
    SUBCASE("without a chain") {
        auto m = reply("a.test", RecordType::AAAA, {addressRecord("a.test", "192.0.2.1")}, {soa("test", 3600, 600)});
        Answer a = interpretAnswer(m, "a.test", RecordType::AAAA);
        CHECK(a.kind == Answer::Kind::NoData);
        CHECK(a.canonicalName == "a.test");
        CHECK(a.ttl == std::optional<std::uint32_t>(600));
    }
    SUBCASE("without an SOA and without a chain: NoData, not to be cached") {
        auto m = reply("a.test", RecordType::AAAA, {});
        Answer a = interpretAnswer(m, "a.test", RecordType::AAAA);
        CHECK(a.kind == Answer::Kind::NoData);
        CHECK_FALSE(a.ttl.has_value());
    }
}

TEST_CASE("dns/answer: a chain that ends without data and without an SOA is Unfinished at its last target") {
    auto m = reply("www.example.test", RecordType::A,
                   {cname("www.example.test", "edge.cdn.test", 300), cname("edge.cdn.test", "node7.cdn.test", 60)});
    Answer a = interpretAnswer(m, "www.example.test", RecordType::A);
    CHECK(a.kind == Answer::Kind::Unfinished);
    CHECK(a.canonicalName == "node7.cdn.test");
    CHECK(a.chainLength == 2);
    CHECK(a.records.empty());
    CHECK_FALSE(a.ttl.has_value());
}

TEST_CASE("dns/answer: a CNAME question is answered by the CNAME itself, not followed") {
    auto m = reply("www.example.test", RecordType::CNAME,
                   {cname("www.example.test", "cdn.test", 77), cname("cdn.test", "edge.test"),
                    addressRecord("edge.test", "192.0.2.1")});
    Answer a = interpretAnswer(m, "www.example.test", RecordType::CNAME);
    CHECK(a.kind == Answer::Kind::Records);
    CHECK(a.canonicalName == "www.example.test");
    CHECK(a.chainLength == 0);
    REQUIRE(a.records.size() == 1);
    CHECK(a.records[0].name == "www.example.test");
    CHECK(std::get<NameData>(a.records[0].data).name == "cdn.test");
    CHECK(a.ttl == std::optional<std::uint32_t>(77));

    // Not even a looping one is followed.
    auto loop = reply("a.test", RecordType::CNAME, {cname("a.test", "b.test"), cname("b.test", "a.test")});
    Answer l = interpretAnswer(loop, "a.test", RecordType::CNAME);
    CHECK(l.kind == Answer::Kind::Records);
    CHECK(l.records.size() == 1);
}

TEST_CASE("dns/answer: owner names match without regard to ASCII case or a trailing dot") {
    auto m = reply("WWW.Example.TEST", RecordType::A,
                   {cname("www.example.test", "CDN.example.test."), cname("cdn.EXAMPLE.test", "Edge.Test"),
                    addressRecord("edge.test.", "192.0.2.1"), addressRecord("EDGE.TEST", "192.0.2.2")});
    Answer a = interpretAnswer(m, "WWW.Example.TEST", RecordType::A);
    CHECK(a.kind == Answer::Kind::Records);
    CHECK(a.chainLength == 2);
    CHECK(a.canonicalName == "Edge.Test");  // as the last CNAME spells it
    CHECK(ips(a) == Strings{"192.0.2.1", "192.0.2.2"});
}
