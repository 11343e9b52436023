// SPDX-License-Identifier: MIT
#include "defer/waiters.h"

#include <doctest/doctest.h>

TEST_CASE("Waiters serve first come first served, and a removed waiter leaves the line") {
    weft::detail::Waiters<int> line;
    weft::Deferred<int> a, b, c;
    line.push(a);
    line.push(b);
    line.push(c);
    line.remove(b);
    line.remove(weft::Deferred<int>());  // not in the line: nothing happens
    CHECK(line.size() == 2);
    CHECK(line.pop().sameAs(a));
    CHECK(line.pop().sameAs(c));
    CHECK(line.empty());
}
