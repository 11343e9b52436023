// SPDX-License-Identifier: MIT
// dns/hosts_file.h: HostsFile, the names of hosts(5) text and their addresses (no I/O:
// dns/config_file.h reads the file and re-reads it when it changes).
// Tests: tests/dns/hosts_file_test.cpp
//
//   auto hosts = weft::dns::HostsFile::parse("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
//   hosts.lookup("LOCALHOST.");   // {127.0.0.1, ::1}
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/ip_address.h"

namespace weft::dns {

class HostsFile {
public:
    // Lines are `address name [alias...]`, `#` starts a comment. A line whose address does not
    // parse (including scoped IPv6, which IPAddress cannot hold) or that names no host is skipped.
    [[nodiscard]] static HostsFile parse(std::string_view text);

    // Addresses for name, ASCII case-insensitive and ignoring trailing dots, in file order
    // without duplicates (both families mixed as the file has them); empty when unknown.
    [[nodiscard]] std::vector<IPAddress> lookup(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const;
    [[nodiscard]] std::size_t size() const noexcept { return byName_.size(); }  // distinct names

private:
    std::unordered_map<std::string, std::vector<IPAddress>> byName_;  // keyed by normalized name
};

}  // namespace weft::dns
