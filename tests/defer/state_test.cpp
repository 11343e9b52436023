// SPDX-License-Identifier: MIT
// The chain machinery: nothing recurses in proportion to the work (Twisted hit RecursionError
// on each of these). These run in the sanitizer build too, where frames are larger.
#include "defer/state.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "defer/deferred.h"
#include "defer/deferred_list.h"
#include "defer/shortcuts.h"
#include "tests/defer/helpers.h"

using weft::Deferred;

TEST_CASE("a chain of 1,000,000 callbacks on one Deferred runs in constant stack") {
    constexpr int kLinks = 1'000'000;
    Deferred<long> d;
    for (int i = 0; i < kLinks; ++i) d.addCallback([](long x) { return x + 1; });
    d.callback(0);
    CHECK(d.result().value() == kLinks);
}

TEST_CASE("100,000 nested Deferreds, each returned from the previous one's callback, fire without recursion") {
    constexpr int kDepth = 100'000;
    // Each Deferred's callback returns the next one, which has not fired: a line of 100,000
    // chains each paused on the next. Firing the last unwinds them all.
    std::vector<Deferred<int>> line(kDepth);
    for (int i = 0; i + 1 < kDepth; ++i) {
        line[i].addCallback([next = line[i + 1]](int) { return next; });
        line[i].addCallback([](int x) { return x + 1; });
    }
    for (int i = 0; i + 1 < kDepth; ++i) line[i].callback(0);
    CHECK(line[0].result().pending());
    line[kDepth - 1].callback(0);
    CHECK(line[0].result().value() == kDepth - 1);
}

TEST_CASE("100,000 nested Deferreds fired last-first take each inner result at once") {
    constexpr int kDepth = 100'000;
    std::vector<Deferred<int>> line(kDepth);
    for (int i = 0; i + 1 < kDepth; ++i) {
        line[i].addCallback([next = line[i + 1]](int) { return next; });
        line[i].addCallback([](int x) { return x + 1; });
    }
    for (int i = kDepth - 1; i >= 0; --i) line[i].callback(0);
    CHECK(line[0].result().value() == kDepth - 1);
    CHECK(line[1].result().pending());  // handed on to line[0]
}

TEST_CASE("a line of 100,000 paused Deferreds that never fire is freed without recursion") {
    weft::testing::UnhandledErrors unhandled;
    constexpr int kDepth = 100'000;
    {
        Deferred<int> last;
        Deferred<int> current = last;
        for (int i = 0; i < kDepth; ++i) {
            Deferred<int> outer;
            outer.addCallback([inner = current](int) { return inner; });
            outer.callback(0);
            current = outer;
        }
    }  // every handle gone: `last` owns the line through its waiter, and frees it in a loop
    CHECK(unhandled.reports.empty());
}

TEST_CASE("chainDeferred across 100,000 Deferreds hands the result on without recursion") {
    constexpr int kDepth = 100'000;
    std::vector<Deferred<int>> line(kDepth);
    for (int i = 0; i + 1 < kDepth; ++i) {
        line[i + 1].addCallback([](int x) { return x + 1; });
        line[i].chainDeferred(line[i + 1]);
    }
    line[0].callback(0);
    CHECK(line[kDepth - 1].result().value() == kDepth - 1);
}

TEST_CASE("a DeferredList of DeferredLists 10,000 deep fires without recursion") {
    constexpr int kDepth = 10'000;
    Deferred<int> leaf;
    Deferred<std::size_t> level = leaf.addCallback([](int) { return std::size_t{0}; });
    for (int i = 0; i < kDepth; ++i) {
        weft::DeferredList<std::size_t> list({level});
        level = list.addCallback([](std::vector<weft::Result<std::size_t>>&& r) { return r[0].value() + 1; });
    }
    leaf.callback(0);
    CHECK(level.result().value() == kDepth);
}

TEST_CASE("a callback that adds many callbacks while running is safe when the list grows") {
    Deferred<int> d;
    long total = 0;
    d.addCallback([&](int x) {
        for (int i = 0; i < 10'000; ++i) d.addCallback([&](int y) { total += y; return y; });
        return x;
    });
    d.callback(2);
    CHECK(total == 20'000);
}
