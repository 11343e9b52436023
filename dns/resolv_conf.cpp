// SPDX-License-Identifier: MIT
// dns/resolv_conf.cpp: resolv.conf text to ResolvConf. Numbers must be all digits (glibc's
// atoi would take "3x" as 3 and "-1" as -1; we ignore both) and saturate at glibc's caps.
// Tests: tests/dns/resolv_conf_test.cpp
#include "dns/resolv_conf.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>

#include "dns/config_file.h"
#include "dns/ip_address.h"

namespace weft::dns {
namespace {

constexpr std::uint16_t kDnsPort = 53;
constexpr std::size_t kMaxNameLength = 253;  // longest name that fits on the wire (dotless)

// All digits, at least one, saturating at cap; anything else is unreadable.
std::optional<int> cappedNumber(std::string_view text, int cap) {
    if (text.empty()) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = std::min(cap, value * 10 + (c - '0'));  // value <= cap, so this cannot overflow
    }
    return value;
}

void addNameserver(ResolvConf& conf, std::string_view text) {
    // Only usable servers take one of the three slots, as in glibc.
    if (conf.nameservers.size() >= ResolvConf::kMaxNameservers) return;
    if (auto ip = IPAddress::parse(text)) conf.nameservers.push_back(ip->withPort(kDnsPort));
}

// `domain` and `search` both replace the list, so the last such line wins. "search ." (what
// systemd-resolved writes to mean "no search") leaves it empty.
void setSearch(ResolvConf& conf, std::span<const std::string_view> names) {
    conf.search.clear();
    for (std::string_view name : names) {
        while (!name.empty() && name.back() == '.') name.remove_suffix(1);
        if (name.empty() || name.size() > kMaxNameLength) continue;
        if (conf.search.size() == ResolvConf::kMaxSearch) break;
        conf.search.emplace_back(name);
    }
}

void applyOption(ResolvConf& conf, std::string_view option) {
    auto value = [&](std::string_view prefix, int cap) -> std::optional<int> {
        if (!option.starts_with(prefix)) return std::nullopt;
        return cappedNumber(option.substr(prefix.size()), cap);
    };
    if (auto n = value("ndots:", ResolvConf::kMaxNdots)) {
        conf.ndots = *n;
    } else if (auto seconds = value("timeout:", ResolvConf::kMaxTimeoutSeconds)) {
        // glibc stores 0 but never waits less than a second per try; say so here.
        conf.timeout = std::chrono::seconds(std::max(1, *seconds));
    } else if (auto n = value("attempts:", ResolvConf::kMaxAttempts)) {
        // glibc would send nothing at all with attempts:0; one attempt is the useful reading.
        conf.attempts = std::max(1, *n);
    } else if (option == "rotate") {
        conf.rotate = true;
    } else if (option == "edns0") {
        conf.edns0 = true;
    }
}

}  // namespace

ResolvConf ResolvConf::parse(std::string_view text) {
    ResolvConf conf;
    forEachConfigLine(text, "#;", [&](const std::vector<std::string_view>& words) {
        if (words.size() < 2) return;  // every directive needs a value
        std::string_view keyword = words[0];
        std::span<const std::string_view> values(words.begin() + 1, words.end());
        if (keyword == "nameserver") {
            addNameserver(conf, values[0]);
        } else if (keyword == "domain") {
            setSearch(conf, values.first(1));
        } else if (keyword == "search") {
            setSearch(conf, values);
        } else if (keyword == "options") {
            for (std::string_view option : values) applyOption(conf, option);
        }
    });
    if (conf.nameservers.empty()) {
        conf.nameservers.push_back(IPAddress::v4({127, 0, 0, 1}).withPort(kDnsPort));
    }
    return conf;
}

ResolvConf ResolvConf::defaults() { return parse({}); }

}  // namespace weft::dns
