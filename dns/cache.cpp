// SPDX-License-Identifier: MIT
// dns/cache.cpp: the TTL cache. Tests: tests/dns/cache_test.cpp
#include "dns/cache.h"

#include <algorithm>

namespace weft::dns {

std::string Cache::keyOf(std::string_view name, RecordType type) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::string key(name.size() + 3, '/');  // sized once: this runs for every lookup
    std::transform(name.begin(), name.end(), key.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    auto t = static_cast<std::uint16_t>(type);
    key[name.size() + 1] = static_cast<char>(t >> 8);
    key[name.size() + 2] = static_cast<char>(t & 0xff);
    return key;
}

void Cache::put(std::string_view name, RecordType type, const Answer& answer, Time now) {
    if (options_.capacity == 0 || !answer.ttl || *answer.ttl == 0) return;
    if (answer.kind == Answer::Kind::Unfinished) return;
    const bool positive = answer.kind == Answer::Kind::Records;
    const auto cap = positive ? options_.maxTtl : options_.maxNegativeTtl;
    const auto ttl = std::min<std::chrono::seconds>(std::chrono::seconds(*answer.ttl), cap);
    auto key = keyOf(name, type);
    if (auto it = index_.find(key); it != index_.end()) {
        entries_.erase(it->second);
        index_.erase(it);
    }
    while (entries_.size() >= options_.capacity) {
        index_.erase(entries_.back().key);
        entries_.pop_back();
    }
    entries_.push_front(Entry{key, answer, now, now + ttl});
    // A capped answer hands out TTLs within the cap, so that re-caching it cannot outlive it.
    auto& stored = entries_.front().answer;
    *stored.ttl = static_cast<std::uint32_t>(ttl.count());
    for (auto& rr : stored.records)
        if (std::chrono::seconds(rr.ttl) > cap) rr.ttl = static_cast<std::uint32_t>(cap.count());
    index_.emplace(std::move(key), entries_.begin());
}

const Answer* Cache::get(std::string_view name, RecordType type, Time now) {
    if (index_.empty()) return nullptr;
    auto it = index_.find(keyOf(name, type));
    if (it == index_.end()) return nullptr;
    auto entry = it->second;
    if (now >= entry->expires) {
        entries_.erase(entry);
        index_.erase(it);
        return nullptr;
    }
    entries_.splice(entries_.begin(), entries_, entry);
    // Hand out TTLs that count down, so a caller re-caching them never extends their life.
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - entry->stored);
    if (elapsed.count() > 0) {
        auto spent = static_cast<std::uint32_t>(elapsed.count());
        for (auto& rr : entry->answer.records) rr.ttl = rr.ttl > spent ? rr.ttl - spent : 0;
        if (entry->answer.ttl) *entry->answer.ttl = *entry->answer.ttl > spent ? *entry->answer.ttl - spent : 0;
        entry->stored += elapsed;
    }
    return &entry->answer;
}

void Cache::clear() noexcept {
    entries_.clear();
    index_.clear();
}

}  // namespace weft::dns
