// SPDX-License-Identifier: MIT
// dns/hosts_file.cpp: hosts(5) text to a map from lowercased name to addresses. Duplicates
// are dropped while parsing through a set, so a file repeating one name on thousands of lines
// costs n log n, not n squared.
// Tests: tests/dns/hosts_file_test.cpp
#include "dns/hosts_file.h"

#include <set>
#include <utility>

#include "dns/config_file.h"

namespace weft::dns {
namespace {

// Lowercase ASCII, trailing dots gone: "LocalHost." and "localhost" are one key.
std::string normalize(std::string_view name) {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::string key(name);
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return key;
}

}  // namespace

HostsFile HostsFile::parse(std::string_view text) {
    HostsFile hosts;
    std::set<std::pair<std::string, IPAddress>> seen;
    forEachConfigLine(text, "#", [&](const std::vector<std::string_view>& words) {
        if (words.size() < 2) return;  // no address, or an address that names nothing
        auto address = IPAddress::parse(words[0]);
        if (!address) return;
        for (std::size_t i = 1; i < words.size(); ++i) {
            std::string key = normalize(words[i]);
            if (key.empty() || !seen.emplace(key, *address).second) continue;
            hosts.byName_[std::move(key)].push_back(*address);
        }
    });
    return hosts;
}

std::vector<IPAddress> HostsFile::lookup(std::string_view name) const {
    auto it = byName_.find(normalize(name));
    return it == byName_.end() ? std::vector<IPAddress>{} : it->second;
}

bool HostsFile::contains(std::string_view name) const { return byName_.contains(normalize(name)); }

}  // namespace weft::dns
