// SPDX-License-Identifier: MIT
// DeferredList and gatherResults: the behaviours of Twisted's DeferredListTests.
#include "defer/deferred_list.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "defer/deferred.h"
#include "defer/shortcuts.h"
#include "tests/defer/helpers.h"

using weft::CancelledError;
using weft::Deferred;
using weft::DeferredList;
using weft::Failure;
using weft::FirstError;
using weft::Result;

namespace {

struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
};

using Results = std::vector<Result<int>>;

}  // namespace

TEST_CASE("a DeferredList fires once every entry has fired, with one Result per entry in the order given") {
    Deferred<int> a;
    Deferred<int> b;
    Deferred<int> c;
    DeferredList<int> list({a, b, c}, {.consumeErrors = true});
    c.callback(3);
    b.errback(Failure(Boom()));
    CHECK_FALSE(list.called());
    a.callback(1);
    REQUIRE(list.called());
    const Results& results = list.result().value();
    REQUIRE(results.size() == 3);
    CHECK(results[0].value() == 1);
    REQUIRE(results[1].failed());
    CHECK(results[1].failure().check<Boom>());
    CHECK(results[2].value() == 3);
}

TEST_CASE("an empty DeferredList fires at once with no results") {
    DeferredList<int> list({});
    REQUIRE(list.called());
    CHECK(list.result().value().empty());

    auto gathered = weft::gatherResults(std::vector<Deferred<std::string>>{});
    REQUIRE(gathered.called());
    CHECK(gathered.result().value().empty());
}

TEST_CASE("entries that fired before the list was made are collected at once") {
    Deferred<int> pending;
    DeferredList<int> list({weft::succeed(1), pending, weft::succeed(3)});
    CHECK_FALSE(list.called());
    pending.callback(2);
    REQUIRE(list.called());
    const Results& results = list.result().value();
    CHECK(results[0].value() == 1);
    CHECK(results[1].value() == 2);
    CHECK(results[2].value() == 3);

    DeferredList<int> allFired({weft::succeed(4), weft::succeed(5)});
    REQUIRE(allFired.called());
    CHECK(allFired.result().value()[1].value() == 5);
}

TEST_CASE("the list takes each entry's value, leaving the entry without one") {
    Deferred<std::string> a;
    DeferredList<std::string> list({a});
    a.callback("taken");
    CHECK(list.result().value()[0].value() == "taken");
    CHECK(a.result().pending());
}

TEST_CASE("without consumeErrors a failed entry keeps its Failure, reported if nobody handles it") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<int> bad;
        DeferredList<int> list({bad});
        bad.errback(Failure(Boom()));
        REQUIRE(list.called());
        CHECK(list.result().value()[0].failed());
        REQUIRE(bad.result().failed());  // still there: an errback added now sees it
        std::string seen;
        Deferred<int> handled;
        DeferredList<int> other({handled});
        handled.errback(Failure(std::out_of_range("late")));
        handled.addErrback([&](Failure& f) {
            seen = f.message();
            return 0;
        });
        CHECK(seen == "late");
        CHECK(unhandled.reports.empty());
    }
    REQUIRE(unhandled.reports.size() == 1);  // `bad`, that nobody handled
    CHECK(unhandled.reports[0].failure.check<Boom>());
}

TEST_CASE("with consumeErrors a failed entry is left without its Failure and nothing is reported") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<int> bad;
        DeferredList<int> list({bad}, {.consumeErrors = true});
        bad.errback(Failure(Boom()));
        REQUIRE(list.called());
        REQUIRE(list.result().value()[0].failed());
        CHECK(list.result().value()[0].failure().check<Boom>());
        CHECK(bad.result().pending());
    }
    CHECK(unhandled.reports.empty());
}

TEST_CASE("fireOnOneCallback fires at the first success; entries not fired yet are pending") {
    Deferred<int> a;
    Deferred<int> b;
    Deferred<int> c;
    DeferredList<int> list({a, b, c}, {.fireOnOneCallback = true, .consumeErrors = true});
    a.errback(Failure(Boom()));
    CHECK_FALSE(list.called());
    b.callback(2);
    REQUIRE(list.called());
    const Results& results = list.result().value();
    CHECK(results[0].failed());
    CHECK(results[1].value() == 2);
    CHECK(results[2].pending());
    c.callback(3);  // too late: changes nothing, and c keeps its value
    CHECK(list.result().value()[2].pending());
    CHECK(c.result().value() == 3);
}

TEST_CASE("fireOnOneCallback with no success fires with every result once all have fired") {
    Deferred<int> a;
    Deferred<int> b;
    DeferredList<int> list({a, b}, {.fireOnOneCallback = true, .consumeErrors = true});
    a.errback(Failure(Boom()));
    CHECK_FALSE(list.called());
    b.errback(Failure(Boom()));
    REQUIRE(list.called());
    CHECK(list.result().value()[0].failed());
    CHECK(list.result().value()[1].failed());
}

TEST_CASE("fireOnOneErrback errbacks at the first failure with FirstError carrying its index and Failure") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> a;
    Deferred<int> b;
    Deferred<int> c;
    DeferredList<int> list({a, b, c}, {.fireOnOneErrback = true, .consumeErrors = true});
    a.callback(1);
    CHECK_FALSE(list.called());
    c.errback(Failure(Boom()));
    REQUIRE(list.result().failed());
    REQUIRE(list.result().failure().check<FirstError>());
    std::size_t index = 99;
    std::string inner;
    list.addErrback([&](Failure& f) -> Results {
        try {
            f.raise();
        } catch (const FirstError& e) {
            index = e.index();
            inner = e.failure().message();
            CHECK(e.failure().check<Boom>());
            CHECK(e.code() == weft::DeferError::FirstError);
            CHECK(std::string(e.what()).find("entry 2 failed") != std::string::npos);
        }
        return {};
    });
    CHECK(index == 2);
    CHECK(inner == "boom");
    b.errback(Failure(Boom()));  // after the list fired: consumed, nothing else happens
    CHECK(b.result().pending());
    CHECK(unhandled.reports.empty());
}

TEST_CASE("fireOnOneErrback with every entry succeeding fires with all the results") {
    Deferred<int> a;
    Deferred<int> b;
    DeferredList<int> list({a, b}, {.fireOnOneErrback = true});
    b.callback(2);
    a.callback(1);
    REQUIRE(list.called());
    CHECK(list.result().value()[0].value() == 1);
    CHECK(list.result().value()[1].value() == 2);
}

TEST_CASE("a fireOnOneErrback list over an entry that already failed errbacks at once") {
    DeferredList<int> list({weft::succeed(1), weft::fail<int>(Failure(Boom()))},
                           {.fireOnOneErrback = true, .consumeErrors = true});
    REQUIRE(list.result().failed());
    std::size_t index = 99;
    list.addErrback([&](Failure& f) -> Results {
        f.trap<FirstError>();
        try {
            f.raise();
        } catch (const FirstError& e) {
            index = e.index();
        }
        return {};
    });
    CHECK(index == 1);
}

TEST_CASE("cancelling a DeferredList cancels every entry that has not fired") {
    int cancelled = 0;
    Deferred<int> a([&](Deferred<int>&) { ++cancelled; });
    Deferred<int> b([&](Deferred<int>&) { ++cancelled; });
    Deferred<int> c([&](Deferred<int>&) { ++cancelled; });
    DeferredList<int> list({a, b, c}, {.consumeErrors = true});
    a.callback(1);
    list.cancel();
    CHECK(cancelled == 2);  // b and c, not a
    REQUIRE(list.called());
    const Results& results = list.result().value();
    CHECK(results[0].value() == 1);
    REQUIRE(results[1].failed());
    CHECK(results[1].failure().check<CancelledError>());
    REQUIRE(results[2].failed());
    CHECK(results[2].failure().check<CancelledError>());
}

TEST_CASE("cancelling a DeferredList whose entry's canceller gives a value collects that value") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<std::string> a([](Deferred<std::string>& self) { self.callback("callback result"); });
        Deferred<std::string> b;
        DeferredList<std::string> list({a, b});
        list.cancel();
        REQUIRE(list.called());
        CHECK(list.result().value()[0].value() == "callback result");
        CHECK(list.result().value()[1].failure().check<CancelledError>());
        CHECK(b.result().failure().check<CancelledError>());  // not consumed: b keeps it
    }
    REQUIRE(unhandled.reports.size() == 1);
    CHECK(unhandled.reports[0].failure.check<CancelledError>());
}

TEST_CASE("cancelling a fireOnOneErrback DeferredList fails it with FirstError of CancelledError") {
    Deferred<int> a;
    Deferred<int> b;
    DeferredList<int> list({a, b}, {.fireOnOneErrback = true, .consumeErrors = true});
    list.cancel();
    CHECK(a.called());
    CHECK(b.called());
    REQUIRE(list.result().failed());
    bool cancelledFirst = false;
    list.addErrback([&](Failure& f) -> Results {
        try {
            f.raise();
        } catch (const FirstError& e) {
            cancelledFirst = e.index() == 0 && e.failure().check<CancelledError>();
        }
        return {};
    });
    CHECK(cancelledFirst);
}

TEST_CASE("cancelling a fireOnOneCallback DeferredList that has fired does nothing to the other entries") {
    Deferred<int> a;
    bool bCancelled = false;
    Deferred<int> b([&](Deferred<int>&) { bCancelled = true; });
    DeferredList<int> list({a, b}, {.fireOnOneCallback = true});
    a.callback(1);
    REQUIRE(list.called());
    list.cancel();
    CHECK_FALSE(bCancelled);
    CHECK_FALSE(b.called());
    CHECK(list.result().value()[0].value() == 1);
}

TEST_CASE("a DeferredList's callbacks may change its type like any Deferred") {
    Deferred<int> a;
    Deferred<int> b;
    DeferredList<int> list({a, b});
    Deferred<int> sum = list.addCallback([](Results&& results) {
        int total = 0;
        for (auto& r : results) total += r.value();
        return total;
    });
    a.callback(20);
    b.callback(22);
    CHECK(sum.result().value() == 42);
}

TEST_CASE("gatherResults gives the entries' values in the order given") {
    Deferred<int> a;
    Deferred<int> b;
    auto gathered = weft::gatherResults<int>({a, b, weft::succeed(3)});
    b.callback(2);
    CHECK_FALSE(gathered.called());
    a.callback(1);
    CHECK(gathered.result().value() == std::vector<int>{1, 2, 3});
}

TEST_CASE("gatherResults of Deferred<void> fires once all have fired") {
    Deferred<void> a;
    Deferred<void> b;
    Deferred<void> gathered = weft::gatherResults<void>({a, b});
    a.callback();
    CHECK_FALSE(gathered.called());
    b.callback();
    CHECK(gathered.result().succeeded());
}

TEST_CASE("gatherResults fails at the first failure with FirstError") {
    weft::testing::UnhandledErrors unhandled;
    Deferred<int> a;
    Deferred<int> b;
    auto gathered = weft::gatherResults<int>({a, b}, /*consumeErrors=*/true);
    b.errback(Failure(Boom()));
    REQUIRE(gathered.result().failed());
    std::size_t index = 99;
    bool innerIsBoom = false;
    gathered.addErrback([&](Failure& f) -> std::vector<int> {
        try {
            f.raise();
        } catch (const FirstError& e) {
            index = e.index();
            innerIsBoom = e.failure().check<Boom>();
        }
        return {};
    });
    CHECK(index == 1);
    CHECK(innerIsBoom);
    a.callback(1);  // after the failure: ignored
    CHECK(gathered.result().value().empty());
    CHECK(unhandled.reports.empty());
}

TEST_CASE("gatherResults without consumeErrors leaves the failed entry's Failure to be reported") {
    weft::testing::UnhandledErrors unhandled;
    {
        Deferred<int> bad;
        auto gathered = weft::gatherResults<int>({weft::succeed(1), bad});
        bad.errback(Failure(Boom()));
        gathered.addErrback([](Failure& f) -> std::vector<int> {
            f.trap<FirstError>();
            return {};
        });
        CHECK(gathered.result().value().empty());
        CHECK(bad.result().failed());
    }
    REQUIRE(unhandled.reports.size() == 1);
    CHECK(unhandled.reports[0].failure.check<Boom>());
}

TEST_CASE("cancelling gatherResults' Deferred cancels the entries") {
    Deferred<int> a;
    Deferred<int> b;
    auto gathered = weft::gatherResults<int>({a, b}, /*consumeErrors=*/true);
    gathered.cancel();
    CHECK(a.called());
    CHECK(b.called());
    REQUIRE(gathered.result().failed());
    CHECK(gathered.result().failure().check<FirstError>());
    gathered.addErrback([](Failure&) { return std::vector<int>{}; });
}

TEST_CASE("a DeferredList given the same Deferred twice still fires") {
    Deferred<int> a;
    DeferredList<int> list({a, a});
    a.callback(1);
    REQUIRE(list.called());
    const Results& results = list.result().value();
    CHECK(results[0].value() == 1);
    CHECK_FALSE(results[1].pending());
}
