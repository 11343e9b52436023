// SPDX-License-Identifier: MIT
// Deferred<T>: the behaviours of Twisted's test_defer that apply to a typed Deferred.
#include "defer/deferred.h"

#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "defer/shortcuts.h"
#include "tests/defer/helpers.h"

using weft::AlreadyCalledError;
using weft::CancelledError;
using weft::Deferred;
using weft::Failure;
using weft::Result;

namespace {
struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};
}  // namespace

TEST_CASE("callbacks run in the order added, each getting the previous one's value") {
    Deferred<int> d;
    std::vector<int> seen;
    d.addCallback([&](int x) { seen.push_back(x); return x * 2; })
        .addCallback([&](int x) { seen.push_back(x); return x + 1; });
    CHECK(seen.empty());
    CHECK_FALSE(d.called());
    d.callback(5);
    CHECK(seen == std::vector<int>{5, 10});
    CHECK(d.result().value() == 11);
    CHECK(d.called());
}

TEST_CASE("a callback added after firing runs at once") {
    Deferred<std::string> d;
    d.callback("ready");
    std::string got;
    d.addCallback([&](std::string s) { got = s; return s; });
    CHECK(got == "ready");
}

TEST_CASE("firing twice is AlreadyCalledError, whatever the two calls") {
    Deferred<int> a;
    a.callback(1);
    CHECK_THROWS_AS(a.callback(2), AlreadyCalledError);
    CHECK_THROWS_AS(a.errback(Failure(Boom())), AlreadyCalledError);
    CHECK(a.result().value() == 1);

    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<void> b;
        b.errback(Failure(Boom()));
        CHECK_THROWS_AS(b.callback(), AlreadyCalledError);
    }
    CHECK(unhandled.reports.size() == 1);
}

TEST_CASE("a callback that throws switches the chain to the errback path") {
    Deferred<int> d;
    bool skipped = true;
    std::string caught;
    d.addCallback([](int) -> int { throw Boom(); })
        .addCallback([&](int x) { skipped = false; return x; })
        .addErrback([&](Failure& f) {
            caught = f.message();
            return -1;
        })
        .addCallback([](int x) { return x * 10; });
    d.callback(1);
    CHECK(skipped);
    CHECK(caught == "boom");
    CHECK(d.result().value() == -10);  // the errback recovered; callbacks after it run again
}

TEST_CASE("errbacks are skipped while there is no error") {
    Deferred<int> d;
    int errbacks = 0;
    d.addErrback([&](Failure&) { ++errbacks; return 0; }).addCallback([](int x) { return x + 1; });
    d.callback(1);
    CHECK(errbacks == 0);
    CHECK(d.result().value() == 2);
}

TEST_CASE("an errback that traps another type passes the same Failure on, context included") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> d;
    bool trappedLogic = false;
    d.addErrback([&](Failure& f) -> int {
         f.trap<std::logic_error>();  // rethrows: Boom is not a logic_error
         trappedLogic = true;
         return 0;
     }).addErrback([](Failure& f) -> Failure {
        f.addContext("fetching the page");
        return f;
    });
    d.errback(Failure(Boom()));
    CHECK_FALSE(trappedLogic);
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<Boom>());
    CHECK(d.result().failure().context() == std::vector<std::string>{"fetching the page"});
    Failure kept = d.result().failure();
    d.addErrback([](Failure& f) -> int { f.trap<Boom>(); return 7; });  // handled: nothing reported
    CHECK(d.result().value() == 7);
    CHECK(unhandled.reports.empty());
    CHECK(kept.describe().find("while: fetching the page") != std::string::npos);
}

TEST_CASE("an errback that rethrows keeps the Failure's context; a new exception replaces it") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> d;
    d.addErrback([](Failure& f) -> Failure { return f.addContext("step one"); })
        .addErrback([](Failure& f) -> int { f.raise(); });
    d.errback(Failure(Boom()));
    CHECK(d.result().failure().context().size() == 1);

    d.addErrback([](Failure&) -> int { throw std::logic_error("other"); });
    CHECK(d.result().failure().check<std::logic_error>());
    CHECK(d.result().failure().context().empty());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("a callback may change the value's type, and the returned Deferred continues the chain") {
    Deferred<int> d;
    Deferred<std::string> text = d.addCallback([](int x) { return std::to_string(x); });
    Deferred<std::size_t> length = text.addCallback([](std::string s) { return s.size(); });
    Deferred<void> done = length.addCallback([](std::size_t) {});
    bool ran = false;
    done.addCallback([&] { ran = true; });
    d.callback(12345);
    CHECK(length.result().pending());  // its value moved on to `done`
    CHECK(ran);
    CHECK(done.result().succeeded());
}

TEST_CASE("a failure skips type-changing callbacks and reaches the errback of the new type") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> d;
    auto text = d.addCallback([](int x) { return std::to_string(x); });
    text.addErrback([](Failure& f) { return "error: " + f.message(); });
    d.errback(Failure(Boom()));
    CHECK(text.result().value() == "error: boom");
    CHECK(unhandled.reports.empty());
}

TEST_CASE("once continued as another type, the original Deferred refuses more callbacks") {
    Deferred<int> d;
    auto text = d.addCallback([](int x) { return std::to_string(x); });
    CHECK_THROWS_AS(d.addCallback([](int x) { return x; }), std::logic_error);
    CHECK_THROWS_AS(text.callback("x"), std::logic_error);  // fired only through `d`
    d.callback(1);
    CHECK(text.result().value() == "1");
}

TEST_CASE("a callback returning an unfired Deferred pauses the chain until that one fires") {
    Deferred<int> outer;
    Deferred<int> inner;
    std::vector<std::string> log;
    outer.addCallback([&](int x) {
        log.push_back("first " + std::to_string(x));
        return inner;
    });
    outer.addCallback([&](int x) {
        log.push_back("second " + std::to_string(x));
        return x + 1;
    });
    outer.callback(1);
    CHECK(log == std::vector<std::string>{"first 1"});
    CHECK(outer.called());
    CHECK(outer.result().pending());  // waiting on inner
    inner.callback(10);
    CHECK(log == std::vector<std::string>{"first 1", "second 10"});
    CHECK(outer.result().value() == 11);
    CHECK(inner.result().pending());  // its result went to the outer chain
}

TEST_CASE("the inner Deferred's own callbacks run before its result goes back to the outer chain") {
    Deferred<int> outer;
    Deferred<int> inner;
    inner.addCallback([](int x) { return x * 100; });
    outer.addCallback([&](int) { return inner; });
    outer.callback(0);
    inner.callback(2);
    CHECK(outer.result().value() == 200);
}

TEST_CASE("a callback returning a fired Deferred continues at once with its result") {
    Deferred<int> outer;
    Deferred<int> inner = weft::succeed(41);
    outer.addCallback([&](int) { return inner; }).addCallback([](int x) { return x + 1; });
    outer.callback(0);
    CHECK(outer.result().value() == 42);
    CHECK(inner.result().pending());
}

TEST_CASE("a callback returning a failing Deferred sends the outer chain down the errback path") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> outer;
    Deferred<int> inner;
    std::string caught;
    outer.addCallback([&](int) { return inner; }).addErrback([&](Failure& f) {
        caught = f.typeName();
        return 0;
    });
    outer.callback(0);
    inner.errback(Failure(Boom()));
    CHECK(caught.find("Boom") != std::string::npos);
    CHECK(outer.result().value() == 0);
    CHECK(unhandled.reports.empty());  // the inner's failure was handed on, not left behind
}

TEST_CASE("a type-changing callback may return a Deferred of the new type") {
    Deferred<int> d;
    Deferred<std::string> page;
    auto title = d.addCallback([&](int) { return page; }).addCallback([](std::string body) { return body.substr(0, 5); });
    d.callback(1);
    CHECK(title.result().pending());
    page.callback("hello world");
    CHECK(title.result().value() == "hello");
}

TEST_CASE("returning its own Deferred, or one another chain waits on, is a typed error") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> d;
    d.addCallback([d](int) mutable { return d; });
    d.callback(1);
    CHECK(d.result().failure().check<std::logic_error>());
    d.addErrback([](Failure&) { return 0; });

    Deferred<int> inner;
    Deferred<int> a;
    Deferred<int> b;
    a.addCallback([&](int) { return inner; });
    b.addCallback([&](int) { return inner; });
    a.callback(1);
    b.callback(1);
    CHECK(b.result().failure().check<std::logic_error>());
    b.addErrback([](Failure&) { return 0; });
    inner.callback(5);
    CHECK(a.result().value() == 5);
}

TEST_CASE("cancel without a canceller errbacks with CancelledError and ignores the producer's later callback once") {
    Deferred<int> d;
    bool cancelled = false;
    d.addErrback([&](Failure& f) {
        cancelled = f.check<CancelledError>();
        return -1;
    });
    d.cancel();
    CHECK(cancelled);
    d.callback(3);  // the producer did not know: ignored
    CHECK(d.result().value() == -1);
    CHECK_THROWS_AS(d.callback(4), AlreadyCalledError);  // but only once
}

TEST_CASE("cancel calls the canceller, which may fire the Deferred itself") {
    int calls = 0;
    Deferred<int> d([&](Deferred<int>& self) {
        ++calls;
        self.callback(99);
    });
    d.cancel();
    CHECK(calls == 1);
    CHECK(d.result().value() == 99);
    d.cancel();  // fired: nothing happens
    CHECK(calls == 1);

    weft::testing::UnhandledErrors unhandled;
    Deferred<int> quiet([&](Deferred<int>&) { ++calls; });
    quiet.cancel();  // the canceller did not fire it: CancelledError
    CHECK(calls == 2);
    CHECK(quiet.result().failure().check<CancelledError>());
    quiet.addErrback([](Failure&) { return 0; });
}

TEST_CASE("cancelling a Deferred waiting on an inner one cancels the inner one") {
    bool innerCancelled = false;
    Deferred<int> inner([&](Deferred<int>&) { innerCancelled = true; });
    Deferred<int> outer;
    bool outerSawCancel = false;
    outer.addCallback([&](int) { return inner; }).addErrback([&](Failure& f) {
        outerSawCancel = f.check<CancelledError>();
        return 0;
    });
    outer.callback(1);
    outer.cancel();
    CHECK(innerCancelled);
    CHECK(outerSawCancel);
    CHECK(inner.result().pending());
}

TEST_CASE("cancelling the Deferred addCallback returned cancels the one that feeds it") {
    bool cancelled = false;
    Deferred<int> origin([&](Deferred<int>&) { cancelled = true; });
    auto text = origin.addCallback([](int x) { return std::to_string(x); });
    text.addErrback([](Failure& f) { return f.check<CancelledError>() ? std::string("cancelled") : std::string("?"); });
    text.cancel();
    CHECK(cancelled);
    CHECK(text.result().value() == "cancelled");
}

TEST_CASE("pause holds the callbacks back until unpause") {
    Deferred<int> d;
    int ran = 0;
    d.pause();
    d.addCallback([&](int x) { ++ran; return x; });
    d.callback(1);
    CHECK(ran == 0);
    CHECK(d.paused());
    d.unpause();
    CHECK(ran == 1);
}

TEST_CASE("addCallbacks runs exactly one of its two functions") {
    weft::testing::UnhandledErrors unhandled;
    for (bool fail : {false, true}) {
        Deferred<int> d;
        int cb = 0;
        int eb = 0;
        d.addCallbacks([&](int x) { ++cb; return x; }, [&](Failure&) { ++eb; return 0; });
        if (fail) d.errback(Failure(Boom()));
        else d.callback(1);
        CHECK(cb == (fail ? 0 : 1));
        CHECK(eb == (fail ? 1 : 0));
    }
    // And may change the type, provided both agree.
    Deferred<int> d;
    auto text = d.addCallbacks([](int x) { return std::to_string(x); }, [](Failure& f) { return f.message(); });
    d.errback(Failure(Boom()));
    CHECK(text.result().value() == "boom");
    CHECK(unhandled.reports.empty());
}

TEST_CASE("addBoth sees either outcome and may change the type") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> ok;
    Deferred<int> bad;
    auto describe = [](Result<int>&& r) { return r.succeeded() ? "ok " + std::to_string(r.value()) : "failed"; };
    auto a = ok.addBoth(describe);
    auto b = bad.addBoth(describe);
    ok.callback(3);
    bad.errback(Failure(Boom()));
    CHECK(a.result().value() == "ok 3");
    CHECK(b.result().value() == "failed");
    CHECK(unhandled.reports.empty());
}

TEST_CASE("a callback may return a Failure instead of throwing") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> d;
    d.addCallback([](int) -> Failure { return Failure(Boom()); });
    d.callback(1);
    CHECK(d.result().failure().check<Boom>());
    d.addErrback([](Failure&) { return 0; });
}

TEST_CASE("chainDeferred hands the result to another Deferred") {
    Deferred<int> a;
    Deferred<int> b;
    int got = 0;
    b.addCallback([&](int x) { got = x; return x; });
    a.chainDeferred(b);
    a.callback(8);
    CHECK(got == 8);
    CHECK(a.result().pending());
}

TEST_CASE("a callback may add callbacks to its own Deferred; they run in order") {
    Deferred<int> d;
    std::vector<int> order;
    d.addCallback([&](int x) {
        order.push_back(1);
        for (int i = 0; i < 100; ++i) d.addCallback([&order, i](int y) { order.push_back(10 + i); return y; });
        return x;
    });
    d.addCallback([&](int x) { order.push_back(2); return x; });
    d.callback(0);
    REQUIRE(order.size() == 102);
    CHECK(order[0] == 1);
    CHECK(order[1] == 2);
    CHECK(order[2] == 10);
    CHECK(order[101] == 109);
}

TEST_CASE("move-only values and large captures travel down the chain") {
    Deferred<std::unique_ptr<int>> d;
    std::array<char, 256> big{};
    big[255] = 'z';
    auto out = d.addCallback([big](std::unique_ptr<int> p) { return *p + (big[255] == 'z' ? 1 : 0); });
    d.callback(std::make_unique<int>(41));
    CHECK(out.result().value() == 42);
}

TEST_CASE("Deferred<void> fires with no value") {
    Deferred<void> d;
    int ran = 0;
    d.addCallback([&] { ++ran; }).addCallback([&] { ++ran; });
    d.callback();
    CHECK(ran == 2);
    CHECK(d.result().succeeded());
}

TEST_CASE("a callback may destroy the last handle on its own Deferred") {
    auto holder = std::make_unique<Deferred<int>>();
    int after = 0;
    holder->addCallback([&](int x) {
        holder.reset();
        return x;
    });
    holder->addCallback([&](int x) { after = x; return x; });
    Deferred<int> firing = *holder;
    firing.callback(7);
    CHECK(after == 7);
    CHECK_FALSE(holder);
}

TEST_CASE("a Deferred records where it was created") {
    Deferred<int> d;
    int line = __LINE__ - 1;
    CHECK(d.created().line() == static_cast<unsigned>(line));
    CHECK(std::string(d.created().file_name()).find("deferred_test.cpp") != std::string::npos);
}
