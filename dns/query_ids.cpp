// SPDX-License-Identifier: MIT
// dns/query_ids.cpp: ids from getrandom(2) (arc4random_buf where there is no getrandom).
// Tests: tests/dns/resolver_test.cpp
#include "dns/query_ids.h"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#if __has_include(<sys/random.h>)
#include <sys/random.h>
#endif

namespace weft::dns {
namespace {

void fill(std::uint8_t* data, std::size_t size) {
#if __has_include(<sys/random.h>) && defined(__linux__)
    while (size > 0) {
        ssize_t n = getrandom(data, size, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("weft.dns: getrandom failed");
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
#else
    arc4random_buf(data, size);
#endif
}

}  // namespace

std::uint16_t QueryIds::next() {
    if (used_ + 2 > pool_.size()) {
        fill(pool_.data(), pool_.size());
        used_ = 0;
    }
    auto id = static_cast<std::uint16_t>(pool_[used_] << 8 | pool_[used_ + 1]);
    used_ += 2;
    return id;
}

}  // namespace weft::dns
