// SPDX-License-Identifier: MIT
// dns/resolv_conf.h: ResolvConf, the parts of resolv.conf(5) a stub resolver needs, parsed
// from text (no I/O: dns/config_file.h reads the file and re-reads it when it changes).
// Tests: tests/dns/resolv_conf_test.cpp
//
//   auto conf = weft::dns::ResolvConf::parse("nameserver 192.0.2.1\nsearch example.com\n");
//   conf.nameservers[0].toString();   // "192.0.2.1:53"
//
// The rules are glibc's: keywords must start the line (leading blanks are tolerated), `#` or
// `;` starts a comment, later `domain`/`search` lines replace earlier ones, values glibc would
// cap are capped and values it could not read leave the setting alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/address.h"

namespace weft::dns {

struct ResolvConf {
    static constexpr std::size_t kMaxNameservers = 3;   // glibc MAXNS
    static constexpr std::size_t kMaxSearch = 6;        // glibc's old MAXDNSRCH
    static constexpr int kMaxNdots = 15;                 // RES_MAXNDOTS
    static constexpr int kMaxTimeoutSeconds = 30;        // RES_MAXRETRANS
    static constexpr int kMaxAttempts = 5;               // RES_MAXRETRY

    // Port 53, in file order. Never empty after parse(): 127.0.0.1 when the text names no
    // usable server. Scoped IPv6 ("fe80::1%eth0") is skipped: Address keeps no scope id.
    std::vector<Address> nameservers;
    std::vector<std::string> search;            // without trailing dots
    int ndots = 1;
    std::chrono::milliseconds timeout{5000};    // per attempt, whole seconds from 1 to 30
    int attempts = 2;                           // 1 to 5
    bool rotate = false;
    bool edns0 = false;                         // recorded only: the resolver uses EDNS anyway

    // Never throws (beyond allocation): unknown lines and options and unreadable values are ignored.
    [[nodiscard]] static ResolvConf parse(std::string_view text);
    // What glibc assumes with no file at all: parse("").
    [[nodiscard]] static ResolvConf defaults();
};

}  // namespace weft::dns
