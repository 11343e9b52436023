// SPDX-License-Identifier: MIT
#include "defer/ref.h"

#include <doctest/doctest.h>

namespace {
struct Counted : weft::detail::RefCounted {
    explicit Counted(int* destroyed) : destroyed(destroyed) {}
    ~Counted() override { ++*destroyed; }
    int* destroyed;
};
struct Derived final : Counted {
    using Counted::Counted;
};
}  // namespace

TEST_CASE("Ref counts references and destroys the object with the last one") {
    int destroyed = 0;
    {
        auto a = weft::detail::makeRef<Counted>(&destroyed);
        CHECK(a->refCount() == 1);
        {
            weft::detail::Ref<Counted> b = a;
            CHECK(a->refCount() == 2);
            weft::detail::Ref<Counted> c = std::move(b);
            CHECK_FALSE(b);
            CHECK(a->refCount() == 2);
        }
        CHECK(a->refCount() == 1);
        CHECK(destroyed == 0);
    }
    CHECK(destroyed == 1);
}

TEST_CASE("Ref converts up and casts down, sharing one count") {
    int destroyed = 0;
    weft::detail::Ref<Derived> d = weft::detail::makeRef<Derived>(&destroyed);
    weft::detail::Ref<Counted> base = d;
    CHECK(base->refCount() == 2);
    weft::detail::Ref<Derived> back = base.downcast<Derived>();
    CHECK(back == d);
    CHECK(back->refCount() == 3);
    base.reset();
    back.reset();
    d = nullptr;
    CHECK(destroyed == 1);
}
