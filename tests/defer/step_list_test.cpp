// SPDX-License-Identifier: MIT
#include "defer/step_list.h"

#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <vector>

using TestStep = weft::detail::Step<int, int>;

TEST_CASE("a Step runs its callable once and destroys it, inline or boxed") {
    auto alive = std::make_shared<int>(0);
    TestStep small;
    small.emplace([alive](int x) { return x + *alive; });
    CHECK(alive.use_count() == 2);
    CHECK(small.runOnce(5) == 5);
    CHECK(small.empty());
    CHECK(alive.use_count() == 1);  // destroyed right after running

    std::array<int, 32> big{};
    big[31] = 9;
    TestStep boxed;
    boxed.emplace([big, alive](int x) { return x + big[31]; });
    CHECK(boxed.runOnce(1) == 10);
    CHECK(alive.use_count() == 1);
}

TEST_CASE("a StepList keeps steps in order, never moves them, and destroys the ones not run") {
    auto alive = std::make_shared<int>(0);
    weft::detail::StepList<TestStep> list;
    std::vector<TestStep*> addresses;
    for (int i = 0; i < 300; ++i) {
        list.push([i, alive](int) { return i; });
        addresses.push_back(&list[static_cast<std::size_t>(i)]);
    }
    CHECK(list.size() == 300);
    for (std::size_t i = 0; i < 300; ++i) CHECK(&list[i] == addresses[i]);  // stable
    for (std::size_t i = 0; i < 150; ++i) CHECK(list[i].runOnce(0) == static_cast<int>(i));
    CHECK(alive.use_count() == 151);
    list.clear();
    CHECK(alive.use_count() == 1);
    CHECK(list.empty());
}
