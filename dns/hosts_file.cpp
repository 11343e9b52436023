// SPDX-License-Identifier: MIT
// dns/hosts_file.cpp: hosts(5) text to a map from lowercased name to addresses. Duplicates
// are dropped while parsing through a set, so a file repeating one name on thousands of lines
// costs n log n, not n squared.
// Tests: tests/dns/hosts_file_test.cpp
#include "dns/hosts_file.h"

#include <set>
#include <utility>

namespace weft::dns {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> wordsOf(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isBlank(line[i])) ++i;
        std::size_t start = i;
        while (i < line.size() && !isBlank(line[i])) ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

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
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        line = line.substr(0, line.find('#'));

        std::vector<std::string_view> words = wordsOf(line);
        if (words.size() < 2) continue;  // no address, or an address that names nothing
        auto address = IPAddress::parse(words[0]);
        if (!address) continue;
        for (std::size_t i = 1; i < words.size(); ++i) {
            std::string key = normalize(words[i]);
            if (key.empty() || !seen.emplace(key, *address).second) continue;
            hosts.byName_[std::move(key)].push_back(*address);
        }
    }
    return hosts;
}

std::vector<IPAddress> HostsFile::lookup(std::string_view name) const {
    auto it = byName_.find(normalize(name));
    return it == byName_.end() ? std::vector<IPAddress>{} : it->second;
}

bool HostsFile::contains(std::string_view name) const { return byName_.contains(normalize(name)); }

}  // namespace weft::dns
