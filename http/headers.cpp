// SPDX-License-Identifier: MIT
// http/headers.cpp: Headers and the RFC 9110 character rules. Lookups are linear scans: heads
// hold tens of fields, where a scan beats hashing every name the parser stores.
// Tests: tests/http/headers_test.cpp
#include "http/headers.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace weft::http {

bool isToken(std::string_view text) noexcept {
    return !text.empty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

bool hasListToken(std::string_view list, std::string_view token) noexcept {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view element = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        element = trimOws(element.substr(0, element.find(';')));
        if (equalsIgnoreCase(element, token)) return true;
    }
    return false;
}

Headers::Headers(std::initializer_list<Field> fields) {
    for (const auto& [name, value] : fields) add(name, value);
}

std::optional<std::string_view> Headers::get(std::string_view name) const noexcept {
    for (const Slot& slot : fields_) {
        Field f = field(slot);
        if (equalsIgnoreCase(f.first, name)) return f.second;
    }
    return std::nullopt;
}

std::vector<std::string_view> Headers::getAll(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const Slot& slot : fields_) {
        Field f = field(slot);
        if (equalsIgnoreCase(f.first, name)) values.push_back(f.second);
    }
    return values;
}

bool Headers::contains(std::string_view name) const noexcept { return get(name).has_value(); }

bool Headers::hasToken(std::string_view name, std::string_view token) const noexcept {
    for (const Slot& slot : fields_) {
        Field f = field(slot);
        if (equalsIgnoreCase(f.first, name) && hasListToken(f.second, token)) return true;
    }
    return false;
}

void Headers::add(std::string_view name, std::string_view value) {
    // Offsets are 32-bit to keep a Slot at 16 bytes; no sane head comes near 4 GiB.
    if (arena_.size() + name.size() + value.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("weft::http::Headers: more than 4 GiB of fields");
    Slot slot{static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(name.size()), 0,
              static_cast<std::uint32_t>(value.size())};
    arena_.append(name);
    slot.value = static_cast<std::uint32_t>(arena_.size());
    arena_.append(value);
    fields_.push_back(slot);
    liveBytes_ += name.size() + value.size();
}

void Headers::set(std::string_view name, std::string_view value) {
    // name and value may point into arena_ (h.set("A", *h.get("B"))): copy them first.
    std::string copy;
    copy.reserve(name.size() + value.size());
    copy.append(name).append(value);
    remove(name);
    add(std::string_view(copy).substr(0, name.size()), std::string_view(copy).substr(name.size()));
}

std::size_t Headers::remove(std::string_view name) {
    std::size_t before = fields_.size();
    std::erase_if(fields_, [&](const Slot& slot) {
        if (!equalsIgnoreCase(field(slot).first, name)) return false;
        liveBytes_ -= slot.nameSize + slot.valueSize;
        return true;
    });
    compactIfWasteful();
    return before - fields_.size();
}

void Headers::compactIfWasteful() {
    // set() in a loop would otherwise grow the arena without bound.
    if (arena_.size() <= 2 * liveBytes_ + 1024) return;
    std::string fresh;
    fresh.reserve(liveBytes_);
    for (Slot& slot : fields_) {
        Field f = field(slot);
        slot.name = static_cast<std::uint32_t>(fresh.size());
        fresh.append(f.first);
        slot.value = static_cast<std::uint32_t>(fresh.size());
        fresh.append(f.second);
    }
    arena_ = std::move(fresh);
}

void Headers::clear() noexcept {
    arena_.clear();
    fields_.clear();
    liveBytes_ = 0;
}

void Headers::reserve(std::size_t fields, std::size_t bytes) {
    fields_.reserve(fields);
    arena_.reserve(bytes);
}

bool operator==(const Headers& a, const Headers& b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!equalsIgnoreCase(a[i].first, b[i].first) || a[i].second != b[i].second) return false;
    }
    return true;
}

}  // namespace weft::http
