// SPDX-License-Identifier: MIT
// Cache: answers kept for their (capped) TTL, negative ones too, keyed by name and type
// regardless of case and trailing dot, least recently used out first, TTLs counting down.
#include "dns/cache.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dns/answer.h"
#include "dns/ip_address.h"
#include "dns/message.h"
#include "tests/dns/records.h"

using namespace std::chrono_literals;
using weft::dns::Answer;
using weft::dns::Cache;
using weft::dns::IPAddress;
using weft::dns::RecordType;
using weft::dns::ResourceRecord;
using weft::dns::testing::addressRecord;

namespace {

using Ttl = std::optional<std::uint32_t>;

// A positive answer whose records carry `ttls`, its own TTL their minimum (as interpretAnswer
// would give it).
Answer records(const std::string& name, const char* ip, std::vector<std::uint32_t> ttls) {
    Answer a;
    a.kind = Answer::Kind::Records;
    a.canonicalName = name;
    for (auto ttl : ttls) {
        a.records.push_back(addressRecord(name, ip, ttl));
        a.ttl = a.ttl ? std::min(*a.ttl, ttl) : ttl;
    }
    a.server = "192.0.2.53:53";
    return a;
}

Answer records(const std::string& name, const char* ip, std::uint32_t ttl) { return records(name, ip, std::vector{ttl}); }

Answer negative(Answer::Kind kind, const std::string& name, Ttl ttl) {
    Answer a;
    a.kind = kind;
    a.canonicalName = name;
    a.ttl = ttl;
    return a;
}

std::string firstIp(const Answer* a) {
    REQUIRE(a);
    REQUIRE_FALSE(a->records.empty());
    return std::get<IPAddress>(a->records.front().data).toString();
}

}  // namespace

TEST_CASE("dns/cache: an answer is there within its TTL and gone after") {
    Cache cache;
    cache.put("www.test", RecordType::A, records("www.test", "192.0.2.1", 300), 10s);
    CHECK(cache.size() == 1);
    const Answer* hit = cache.get("www.test", RecordType::A, 10s);
    REQUIRE(hit);
    CHECK(hit->kind == Answer::Kind::Records);
    CHECK(hit->canonicalName == "www.test");
    CHECK(hit->server == "192.0.2.53:53");
    CHECK(firstIp(hit) == "192.0.2.1");
    CHECK(cache.get("www.test", RecordType::A, 10s + 300s - 1ns));
    CHECK(cache.get("www.test", RecordType::A, 10s + 300s) == nullptr);
    CHECK(cache.size() == 0);  // an expired entry found is dropped
    CHECK(cache.get("absent.test", RecordType::A, 10s) == nullptr);
}

TEST_CASE("dns/cache: an answer with a TTL of 0, or none, is not stored") {
    Cache cache;
    cache.put("zero.test", RecordType::A, records("zero.test", "192.0.2.1", 0), 0s);
    cache.put("none.test", RecordType::A, negative(Answer::Kind::NoData, "none.test", std::nullopt), 0s);
    cache.put("nx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "nx.test", 0), 0s);
    CHECK(cache.size() == 0);
    CHECK(cache.get("zero.test", RecordType::A, 0s) == nullptr);
    CHECK(cache.get("none.test", RecordType::A, 0s) == nullptr);
    CHECK(cache.get("nx.test", RecordType::A, 0s) == nullptr);
}

TEST_CASE("dns/cache: a positive TTL is capped at maxTtl, a negative one at maxNegativeTtl") {
    Cache cache({.capacity = 100, .maxTtl = 60s, .maxNegativeTtl = 10s});
    cache.put("long.test", RecordType::A, records("long.test", "192.0.2.1", 3600), 0s);
    cache.put("short.test", RecordType::A, records("short.test", "192.0.2.2", 30), 0s);
    cache.put("nodata.test", RecordType::A, negative(Answer::Kind::NoData, "nodata.test", 7200), 0s);
    cache.put("nx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "nx.test", 7200), 0s);
    cache.put("briefnx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "briefnx.test", 5), 0s);
    cache.put("mid.test", RecordType::A, records("mid.test", "192.0.2.3", 50), 0s);

    // A capped entry hands out the TTL it has left here, not the server's.
    const Answer* capped = cache.get("long.test", RecordType::A, 0s);
    REQUIRE(capped);
    CHECK(capped->ttl == Ttl(60));
    CHECK(capped->records.at(0).ttl == 60);
    const Answer* cappedNx = cache.get("nx.test", RecordType::A, 0s);
    REQUIRE(cappedNx);
    CHECK(cappedNx->ttl == Ttl(10));

    CHECK(cache.get("briefnx.test", RecordType::A, 5s) == nullptr);  // under the cap: its own TTL
    CHECK(cache.get("nodata.test", RecordType::A, 10s - 1ns));
    CHECK(cache.get("nodata.test", RecordType::A, 10s) == nullptr);
    CHECK(cache.get("nx.test", RecordType::A, 10s) == nullptr);
    CHECK(cache.get("short.test", RecordType::A, 30s - 1ns));
    CHECK(cache.get("short.test", RecordType::A, 30s) == nullptr);
    // maxNegativeTtl does not apply to positive answers.
    CHECK(cache.get("mid.test", RecordType::A, 49s));
    CHECK(cache.get("long.test", RecordType::A, 60s - 1ns));
    CHECK(cache.get("long.test", RecordType::A, 60s) == nullptr);
}

TEST_CASE("dns/cache: NoData and NameNotFound answers are stored and returned as they are") {
    Cache cache;
    cache.put("nodata.test", RecordType::AAAA, negative(Answer::Kind::NoData, "end.nodata.test", 60), 0s);
    cache.put("nx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "nx.test", 120), 0s);
    const Answer* nodata = cache.get("nodata.test", RecordType::AAAA, 1s);
    REQUIRE(nodata);
    CHECK(nodata->kind == Answer::Kind::NoData);
    CHECK(nodata->canonicalName == "end.nodata.test");
    CHECK(nodata->records.empty());
    const Answer* nx = cache.get("nx.test", RecordType::A, 1s);
    REQUIRE(nx);
    CHECK(nx->kind == Answer::Kind::NameNotFound);
    CHECK(cache.get("nodata.test", RecordType::AAAA, 60s) == nullptr);
    CHECK(cache.get("nx.test", RecordType::A, 119s));
    CHECK(cache.get("nx.test", RecordType::A, 120s) == nullptr);
}

TEST_CASE("dns/cache: an Unfinished answer is not stored, whatever its TTL") {
    Cache cache;
    Answer unfinished = negative(Answer::Kind::Unfinished, "elsewhere.test", 300);
    unfinished.chainLength = 1;
    cache.put("www.test", RecordType::A, unfinished, 0s);
    CHECK(cache.size() == 0);
    CHECK(cache.get("www.test", RecordType::A, 0s) == nullptr);
}

TEST_CASE("dns/cache: keys ignore ASCII case and a trailing dot") {
    Cache cache;
    cache.put("WWW.Example.Test.", RecordType::A, records("www.example.test", "192.0.2.1", 300), 0s);
    CHECK(firstIp(cache.get("www.example.test", RecordType::A, 0s)) == "192.0.2.1");
    CHECK(firstIp(cache.get("www.EXAMPLE.test.", RecordType::A, 0s)) == "192.0.2.1");
    // A second put under another spelling replaces the entry: one key.
    cache.put("www.example.TEST", RecordType::A, records("www.example.test", "192.0.2.2", 300), 0s);
    CHECK(cache.size() == 1);
    CHECK(firstIp(cache.get("Www.Example.Test.", RecordType::A, 0s)) == "192.0.2.2");
    CHECK(cache.get("www.example.tes", RecordType::A, 0s) == nullptr);
    CHECK(cache.get("ww.example.test", RecordType::A, 0s) == nullptr);
}

TEST_CASE("dns/cache: each type has an entry of its own") {
    Cache cache;
    cache.put("www.test", RecordType::A, records("www.test", "192.0.2.1", 300), 0s);
    CHECK(cache.get("www.test", RecordType::AAAA, 0s) == nullptr);
    CHECK(cache.get("www.test", RecordType::MX, 0s) == nullptr);
    cache.put("www.test", RecordType::AAAA, records("www.test", "2001:db8::1", 300), 0s);
    // Types whose numbers share a byte are still distinct: 1 (A) and 257 (CAA).
    cache.put("www.test", static_cast<RecordType>(257), negative(Answer::Kind::NoData, "www.test", 300), 0s);
    CHECK(cache.size() == 3);
    CHECK(firstIp(cache.get("www.test", RecordType::A, 0s)) == "192.0.2.1");
    CHECK(firstIp(cache.get("www.test", RecordType::AAAA, 0s)) == "2001:db8::1");
    const Answer* caa = cache.get("www.test", static_cast<RecordType>(257), 0s);
    REQUIRE(caa);
    CHECK(caa->kind == Answer::Kind::NoData);
}

TEST_CASE("dns/cache: at capacity the least recently used entry goes") {
    Cache cache({.capacity = 3});
    cache.put("a.test", RecordType::A, records("a.test", "192.0.2.1", 300), 0s);
    cache.put("b.test", RecordType::A, records("b.test", "192.0.2.2", 300), 1s);
    cache.put("c.test", RecordType::A, records("c.test", "192.0.2.3", 300), 2s);
    REQUIRE(cache.get("a.test", RecordType::A, 3s));  // a is now the most recently used
    cache.put("d.test", RecordType::A, records("d.test", "192.0.2.4", 300), 4s);
    CHECK(cache.size() == 3);
    CHECK(cache.get("b.test", RecordType::A, 5s) == nullptr);  // the oldest untouched
    CHECK(cache.get("a.test", RecordType::A, 5s));
    CHECK(cache.get("c.test", RecordType::A, 5s));
    CHECK(cache.get("d.test", RecordType::A, 5s));

    // Storing a key again refreshes it without evicting anything. The order is now a, c, d
    // from least to most recently used; a put of a moves it last.
    cache.put("a.test", RecordType::A, records("a.test", "192.0.2.9", 300), 6s);
    CHECK(cache.size() == 3);
    cache.put("e.test", RecordType::A, records("e.test", "192.0.2.5", 300), 7s);
    CHECK(cache.size() == 3);
    CHECK(cache.get("c.test", RecordType::A, 8s) == nullptr);
    CHECK(firstIp(cache.get("a.test", RecordType::A, 8s)) == "192.0.2.9");
    CHECK(cache.get("d.test", RecordType::A, 8s));
    CHECK(cache.get("e.test", RecordType::A, 8s));

    cache.clear();
    CHECK(cache.size() == 0);
    CHECK(cache.get("a.test", RecordType::A, 8s) == nullptr);
}

TEST_CASE("dns/cache: capacity 0 disables the cache") {
    Cache cache({.capacity = 0});
    cache.put("www.test", RecordType::A, records("www.test", "192.0.2.1", 300), 0s);
    cache.put("nx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "nx.test", 300), 0s);
    CHECK(cache.size() == 0);
    CHECK(cache.get("www.test", RecordType::A, 0s) == nullptr);
    CHECK(cache.get("nx.test", RecordType::A, 0s) == nullptr);
}

TEST_CASE("dns/cache: TTLs handed out count down with the time spent in the cache") {
    Cache cache;
    cache.put("www.test", RecordType::A, records("www.test", "192.0.2.1", {300, 200}), 1000s);

    const Answer* at0 = cache.get("www.test", RecordType::A, 1000s + 999ms);  // under a second: as stored
    REQUIRE(at0);
    CHECK(at0->ttl == Ttl(200));
    CHECK(at0->records.at(0).ttl == 300);
    CHECK(at0->records.at(1).ttl == 200);

    const Answer* later = cache.get("www.test", RecordType::A, 1000s + 100s + 500ms);
    REQUIRE(later);
    CHECK(later->ttl == Ttl(100));
    CHECK(later->records.at(0).ttl == 200);
    CHECK(later->records.at(1).ttl == 100);

    // Asking again does not count the same time twice, and fractions of a second add up.
    later = cache.get("www.test", RecordType::A, 1000s + 100s + 900ms);
    REQUIRE(later);
    CHECK(later->ttl == Ttl(100));
    CHECK(later->records.at(0).ttl == 200);
    later = cache.get("www.test", RecordType::A, 1000s + 101s);
    REQUIRE(later);
    CHECK(later->ttl == Ttl(99));
    CHECK(later->records.at(0).ttl == 199);
    CHECK(later->records.at(1).ttl == 99);

    // Near the end: one second left on the answer.
    const Answer* last = cache.get("www.test", RecordType::A, 1000s + 199s + 500ms);
    REQUIRE(last);
    CHECK(last->ttl == Ttl(1));
    CHECK(last->records.at(0).ttl == 101);
    CHECK(last->records.at(1).ttl == 1);
    CHECK(cache.get("www.test", RecordType::A, 1000s + 200s) == nullptr);

    // A negative answer's TTL counts down the same way.
    cache.put("nx.test", RecordType::A, negative(Answer::Kind::NameNotFound, "nx.test", 60), 0s);
    const Answer* nx = cache.get("nx.test", RecordType::A, 45s);
    REQUIRE(nx);
    CHECK(nx->ttl == Ttl(15));

    // Re-caching what was handed out cannot extend its life.
    Cache second;
    second.put("nx.test", RecordType::A, *nx, 45s);
    CHECK(second.get("nx.test", RecordType::A, 60s - 1ns));
    CHECK(second.get("nx.test", RecordType::A, 60s) == nullptr);
}
