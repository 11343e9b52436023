// SPDX-License-Identifier: MIT
// dns/cache.h: Cache, answers kept for their TTL: positive ones (the records at the end of the
// CNAME chain) and negative ones (NXDOMAIN, NODATA) for the SOA minimum (RFC 2308).
// Tests: tests/dns/cache_test.cpp
//
//   Cache cache({.capacity = 10000, .maxTtl = 24h});
//   cache.put("example.com", RecordType::A, answer, now);
//   if (const Answer* hit = cache.get("EXAMPLE.com", RecordType::A, now)) ...
//
// A TTL of 0 means "use once": such answers are not stored. TTLs are capped at maxTtl so that a
// server cannot pin an answer for 68 years. When full, the least recently used entry goes.
// Time is the caller's (any monotonic clock), so tests move it by hand.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dns/answer.h"
#include "dns/message.h"

namespace weft::dns {

class Cache {
public:
    struct Options {
        std::size_t capacity = 10000;           // entries; 0 disables the cache
        std::chrono::seconds maxTtl{86400};     // positive answers
        std::chrono::seconds maxNegativeTtl{3600};  // negative answers (RFC 2308 suggests 1-3 hours)
    };
    using Time = std::chrono::nanoseconds;

    explicit Cache(Options options) : options_(options) {}
    Cache() : Cache(Options{}) {}

    // Stores a Records, NoData or NameNotFound answer that has a TTL; ignores the rest.
    void put(std::string_view name, RecordType type, const Answer& answer, Time now);
    // The answer, with each record's TTL lowered by the time it has spent here; null if absent
    // or expired.
    [[nodiscard]] const Answer* get(std::string_view name, RecordType type, Time now);
    void clear() noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    // What identifies a question here (and among the resolver's questions in flight): the name
    // in lower case without its trailing dot, then the type's two bytes.
    [[nodiscard]] static std::string keyOf(std::string_view name, RecordType type);

private:
    struct Entry {
        std::string key;
        Answer answer;
        Time stored{};
        Time expires{};
    };
    Options options_;
    std::list<Entry> entries_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace weft::dns
