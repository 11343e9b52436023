// SPDX-License-Identifier: MIT
#include "reactor/reactor.h"

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/reactor/helpers.h"

using namespace std::chrono_literals;
using weft::Reactor;
using weft::testing::makeTestBackend;
using weft::testing::runWithDeadline;

TEST_CASE_TEMPLATE("callLater runs calls in deadline order, equal deadlines in the order scheduled", B, WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    std::vector<int> order;
    reactor.callLater(30ms, [&] {
        order.push_back(30);
        reactor.stop();
    });
    reactor.callLater(10ms, [&] { order.push_back(10); });
    for (int i = 0; i < 5; ++i) reactor.callLater(20ms, [&order, i] { order.push_back(20 + i); });
    reactor.callLater(0ms, [&] { order.push_back(0); });
    runWithDeadline(reactor);
    CHECK(order == std::vector<int>{0, 10, 20, 21, 22, 23, 24, 30});
}

TEST_CASE_TEMPLATE("a call never runs before its deadline on the monotonic clock", B, WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    auto before = std::chrono::steady_clock::now().time_since_epoch();
    std::chrono::nanoseconds start = reactor.now();
    auto after = std::chrono::steady_clock::now().time_since_epoch();
    CHECK(before <= start);
    CHECK(start <= after);

    std::vector<std::pair<std::chrono::nanoseconds, std::chrono::nanoseconds>> firedVsDue;
    for (std::chrono::nanoseconds delay : {std::chrono::nanoseconds(1500us), std::chrono::nanoseconds(3ms), std::chrono::nanoseconds(20ms)}) {
        weft::DelayedCall call;
        call = reactor.callLater(delay, [&, delay] {
            firedVsDue.emplace_back(reactor.now(), start + delay);
            if (firedVsDue.size() == 3) reactor.stop();
        });
        CHECK(call.getTime() >= start + delay);
    }
    runWithDeadline(reactor);
    REQUIRE(firedVsDue.size() == 3);
    for (auto [fired, due] : firedVsDue) CHECK(fired >= due);
    std::chrono::nanoseconds last{0};
    for (int i = 0; i < 1000; ++i) {
        std::chrono::nanoseconds now = reactor.now();
        CHECK(now >= last);
        last = now;
    }
}

TEST_CASE_TEMPLATE("DelayedCalls from the reactor can be cancelled, reset and delayed", B, WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    std::vector<std::string> order;
    std::chrono::nanoseconds start = reactor.now();
    std::chrono::nanoseconds resetFiredAt{0};
    weft::DelayedCall cancelled = reactor.callLater(5ms, [&] { order.push_back("cancelled"); });
    weft::DelayedCall reset = reactor.callLater(1ms, [&] {
        order.push_back("reset");
        resetFiredAt = reactor.now();
    });
    weft::DelayedCall delayed = reactor.callLater(2ms, [&] {
        order.push_back("delayed");
        reactor.stop();
    });
    reactor.callLater(0ms, [&] {
        cancelled.cancel();
        reset.reset(10ms);
        delayed.delay(20ms);
        CHECK(reset.active());
        CHECK_THROWS_AS(cancelled.cancel(), weft::AlreadyCancelled);
    });
    runWithDeadline(reactor);
    CHECK(order == std::vector<std::string>{"reset", "delayed"});
    CHECK(resetFiredAt - start >= 10ms);
    CHECK_FALSE(delayed.active());
    CHECK_THROWS_AS(delayed.reset(1ms), weft::AlreadyCalled);
    CHECK_THROWS_AS(cancelled.delay(1ms), weft::AlreadyCancelled);
}

TEST_CASE_TEMPLATE("a timer re-armed with 0 delay from its own callback runs once a turn and cannot starve I/O", B,
                   WEFT_TEST_BACKENDS) {
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::Fd& b = aB.second;
    weft::testing::TestHandler handler;
    Reactor reactor(makeTestBackend<B>());
    int runs = 0;
    std::function<void()> again = [&] {
        ++runs;
        reactor.callLater(0ns, again);
    };
    reactor.callLater(0ns, again);

    // One turn of the loop, one run: the re-armed call waits for the next turn.
    reactor.iterate();
    CHECK(runs == 1);
    reactor.iterate();
    CHECK(runs == 2);

    // While it keeps re-arming, a readable socket is still served, on the very next turn.
    int runsWhenRead = -1;
    handler.onRead = [&] {
        runsWhenRead = runs;
        reactor.stop();
    };
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::Read, handler));
    REQUIRE(::write(b.get(), "x", 1) == 1);
    runWithDeadline(reactor);
    CHECK(runsWhenRead == 2);
    CHECK(runs <= 4);
    reactor.unwatch(a.get());
}

TEST_CASE_TEMPLATE("run() returns after stop(); shutdown triggers run then, in order; it can run again", B,
                   WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    std::vector<std::string> events;
    CHECK_FALSE(reactor.running());
    reactor.addShutdownTrigger([&] {
        events.push_back("trigger 1");
        CHECK(reactor.running());
    });
    reactor.addShutdownTrigger([&] { events.push_back("trigger 2"); });
    reactor.callLater(1ms, [&] {
        CHECK(reactor.running());
        events.push_back("stop");
        reactor.stop();
        reactor.stop();  // idempotent
        reactor.callLater(0ns, [&] { events.push_back("after stop"); });
    });
    runWithDeadline(reactor);
    CHECK_FALSE(reactor.running());
    CHECK(events == std::vector<std::string>{"stop", "trigger 1", "trigger 2"});

    // A second run: the call left over runs, triggers fire only once, new ones do.
    events.clear();
    reactor.addShutdownTrigger([&] { events.push_back("trigger 3"); });
    reactor.callLater(1ms, [&] { reactor.stop(); });
    runWithDeadline(reactor);
    CHECK(events == std::vector<std::string>{"after stop", "trigger 3"});
}

TEST_CASE_TEMPLATE("stop() works from a callWhenRunning, an fd handler and a signal handler", B, WEFT_TEST_BACKENDS) {
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::testing::TestHandler handler;
    Reactor reactor(makeTestBackend<B>());

    reactor.callWhenRunning([&] { reactor.stop(); });
    CHECK(runWithDeadline(reactor));

    handler.onWrite = [&] { reactor.stop(); };
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::Write, handler));
    CHECK(runWithDeadline(reactor));
    CHECK(handler.writes == 1);
    reactor.unwatch(a.get());

    reactor.addSignalHandler(SIGUSR2, [&] { reactor.stop(); });
    reactor.callWhenRunning([] { ::raise(SIGUSR2); });
    CHECK(runWithDeadline(reactor));
}

TEST_CASE_TEMPLATE("callWhenRunning runs at the start of run(), in order, or at once when running", B, WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    std::vector<int> order;
    reactor.callWhenRunning([&] {
        CHECK(reactor.running());
        order.push_back(1);
        reactor.callWhenRunning([&] { order.push_back(2); });  // running: now
        order.push_back(3);
    });
    reactor.callWhenRunning([&] { order.push_back(4); });
    reactor.callLater(0ns, [&] {
        order.push_back(5);
        reactor.stop();
    });
    CHECK(order.empty());
    runWithDeadline(reactor);
    CHECK(order == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE_TEMPLATE("run() while running throws ReactorError(AlreadyRunning) and leaves the loop running", B,
                   WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    bool threw = false;
    bool laterRan = false;
    reactor.callWhenRunning([&] {
        try {
            reactor.run();
        } catch (const weft::ReactorError& e) {
            threw = true;
            CHECK(e.code() == weft::ConnectionError::AlreadyRunning);
        }
        CHECK(reactor.running());
    });
    reactor.callLater(1ms, [&] {
        laterRan = true;
        reactor.stop();
    });
    runWithDeadline(reactor);
    CHECK(threw);
    CHECK(laterRan);
    CHECK_FALSE(reactor.running());
}

TEST_CASE_TEMPLATE("callFromThread from several threads: every call runs, on the loop thread, in per-thread order", B,
                   WEFT_TEST_BACKENDS) {
    constexpr int threads = 4;
    constexpr int perThread = 2000;
    Reactor reactor(makeTestBackend<B>());
    const std::thread::id loopThread = std::this_thread::get_id();
    std::vector<std::vector<int>> got(threads);  // touched on the loop thread only
    int total = 0;
    bool allOnLoop = true;
    std::vector<std::thread> workers;
    reactor.callWhenRunning([&] {
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                for (int i = 0; i < perThread; ++i) {
                    reactor.callFromThread([&, t, i] {
                        allOnLoop = allOnLoop && std::this_thread::get_id() == loopThread;
                        got[static_cast<std::size_t>(t)].push_back(i);
                        if (++total == threads * perThread) reactor.stop();
                    });
                }
            });
        }
    });
    runWithDeadline(reactor);
    for (auto& worker : workers) worker.join();
    CHECK(total == threads * perThread);
    CHECK(allOnLoop);
    for (int t = 0; t < threads; ++t) {
        CAPTURE(t);
        const auto& calls = got[static_cast<std::size_t>(t)];
        REQUIRE(calls.size() == perThread);
        bool inOrder = true;
        for (int i = 0; i < perThread; ++i) inOrder = inOrder && calls[static_cast<std::size_t>(i)] == i;
        CHECK(inOrder);
    }
}

TEST_CASE_TEMPLATE("callFromThread wakes a loop that has nothing else to do; calls made before run() wait for it", B,
                   WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    std::vector<std::string> order;
    reactor.callFromThread([&] { order.push_back("queued before run"); });
    std::thread worker;
    reactor.callWhenRunning([&] {
        worker = std::thread([&] {
            reactor.callFromThread([&] {
                order.push_back("from the thread");
                reactor.stop();
            });
        });
    });
    auto start = std::chrono::steady_clock::now();
    runWithDeadline(reactor);  // the guard is 5 s away: only the wake-up can end this sooner
    worker.join();
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(order == std::vector<std::string>{"queued before run", "from the thread"});
}

TEST_CASE_TEMPLATE("SIGUSR1, SIGCHLD and SIGTERM raised in-process reach their handlers on the loop", B,
                   WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    const std::thread::id loopThread = std::this_thread::get_id();
    std::vector<int> got;
    bool onLoop = true;
    bool raisedReturned = false;
    auto record = [&](int signo) {
        return [&, signo] {
            CHECK(raisedReturned);  // not inside the async signal handler: later, from the loop
            onLoop = onLoop && std::this_thread::get_id() == loopThread;
            got.push_back(signo);
            if (got.size() == 4) reactor.stop();
        };
    };
    reactor.addSignalHandler(SIGUSR1, record(SIGUSR1));
    reactor.addSignalHandler(SIGCHLD, record(SIGCHLD));
    reactor.addSignalHandler(SIGTERM, record(SIGTERM));  // without it, SIGTERM would end the test run
    reactor.addSignalHandler(SIGTERM, record(-SIGTERM)); // a second handler for the same signal
    reactor.callWhenRunning([&] {
        ::raise(SIGUSR1);
        ::raise(SIGCHLD);
        ::raise(SIGTERM);
        raisedReturned = true;
    });
    runWithDeadline(reactor);
    CHECK(got == std::vector<int>{SIGUSR1, SIGCHLD, SIGTERM, -SIGTERM});
    CHECK(onLoop);
}

TEST_CASE_TEMPLATE("a signal that arrives between turns is not lost", B, WEFT_TEST_BACKENDS) {
    Reactor reactor(makeTestBackend<B>());
    int got = 0;
    reactor.addSignalHandler(SIGUSR1, [&] {
        if (++got == 3) reactor.stop();
    });
    ::raise(SIGUSR1);  // before run(): kept in the pipe
    reactor.callLater(1ms, [] { ::raise(SIGUSR1); });
    reactor.callLater(2ms, [] { ::raise(SIGUSR1); });
    runWithDeadline(reactor);
    CHECK(got == 3);
}

TEST_CASE("the reactor puts back the previous signal disposition when it goes away") {
    struct sigaction before {}, after{};
    REQUIRE(::sigaction(SIGUSR1, nullptr, &before) == 0);
    {
        Reactor reactor(makeTestBackend<weft::testing::Poll>());
        reactor.addSignalHandler(SIGUSR1, [] {});
        struct sigaction during {};
        REQUIRE(::sigaction(SIGUSR1, nullptr, &during) == 0);
        CHECK((during.sa_handler != before.sa_handler));
    }
    REQUIRE(::sigaction(SIGUSR1, nullptr, &after) == 0);
    CHECK((after.sa_handler == before.sa_handler));
}

TEST_CASE("from the first Reactor on, SIGPIPE is ignored: writing to a closed peer is an error, not death") {
    Reactor reactor(makeTestBackend<weft::testing::Poll>());
    struct sigaction current {};
    REQUIRE(::sigaction(SIGPIPE, nullptr, &current) == 0);
    CHECK((current.sa_handler == SIG_IGN));
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::Fd& b = aB.second;
    b.reset();
    errno = 0;
    CHECK(::write(a.get(), "x", 1) == -1);  // plain write(), no MSG_NOSIGNAL
    CHECK(errno == EPIPE);
}

TEST_CASE_TEMPLATE("a callback that throws is logged and the loop goes on", B, WEFT_TEST_BACKENDS) {
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::Fd& b = aB.second;
    weft::testing::TestHandler handler;
    Reactor reactor(makeTestBackend<B>());
    std::vector<std::string> logged;
    reactor.setErrorLogger([&](std::string_view message) { logged.emplace_back(message); });
    int ran = 0;
    reactor.callWhenRunning([] { throw std::runtime_error("at start"); });
    reactor.callLater(0ns, [] { throw std::runtime_error("timed"); });
    reactor.callLater(0ns, [&] { ++ran; });  // due in the same turn: still runs
    reactor.callFromThread([] { throw 42; });
    handler.onRead = [&] {
        char c;
        (void)::read(a.get(), &c, 1);
        throw std::runtime_error("in readReady");
    };
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::Read, handler));
    REQUIRE(::write(b.get(), "x", 1) == 1);
    reactor.callLater(5ms, [&] {
        ++ran;
        reactor.stop();
    });
    reactor.addShutdownTrigger([] { throw std::runtime_error("at shutdown"); });
    runWithDeadline(reactor);
    reactor.unwatch(a.get());
    CHECK(ran == 2);
    CHECK(handler.reads == 1);
    auto has = [&](std::string_view what) {
        for (const auto& m : logged)
            if (m.find(what) != std::string::npos) return true;
        return false;
    };
    CHECK(logged.size() == 5);
    CHECK(has("at start"));
    CHECK(has("timed"));
    CHECK(has("non-std"));
    CHECK(has("in readReady"));
    CHECK(has("at shutdown"));
}

TEST_CASE_TEMPLATE("watch() calls an FdHandler when its fd is ready, until unwatch()", B, WEFT_TEST_BACKENDS) {
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::Fd& b = aB.second;
    weft::testing::TestHandler handler;
    Reactor reactor(makeTestBackend<B>());
    CHECK(std::string_view(reactor.backendName()) == makeTestBackend<B>()->name());
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::ReadWrite, handler));
    reactor.iterate();
    CHECK(handler.writes == 1);
    CHECK(handler.reads == 0);
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::Read, handler));
    REQUIRE(::write(b.get(), "x", 1) == 1);
    reactor.iterate(1s);
    CHECK(handler.reads == 1);
    CHECK(handler.writes == 1);
    reactor.unwatch(a.get());
    reactor.iterate();
    CHECK(handler.reads == 1);
    CHECK(reactor.watch(-1, weft::Interest::Read, handler) == std::errc::bad_file_descriptor);
}

TEST_CASE_TEMPLATE("a handler that unwatches another ready fd in the same turn stops its call", B, WEFT_TEST_BACKENDS) {
    auto aB = weft::testing::socketPair();
    weft::Fd& a = aB.first;
    weft::Fd& b = aB.second;
    auto cD = weft::testing::socketPair();
    weft::Fd& c = cD.first;
    weft::Fd& d = cD.second;
    weft::testing::TestHandler first;
    weft::testing::TestHandler second;
    Reactor reactor(makeTestBackend<B>());
    first.onRead = [&] { reactor.unwatch(c.get()); };
    second.onRead = [&] { reactor.unwatch(a.get()); };
    REQUIRE_FALSE(reactor.watch(a.get(), weft::Interest::Read, first));
    REQUIRE_FALSE(reactor.watch(c.get(), weft::Interest::Read, second));
    REQUIRE(::write(b.get(), "x", 1) == 1);
    REQUIRE(::write(d.get(), "x", 1) == 1);
    reactor.iterate(1s);
    CHECK(first.reads + second.reads == 1);  // whichever ran first stopped the other
    reactor.unwatch(a.get());
    reactor.unwatch(c.get());
}

TEST_CASE_TEMPLATE("DelayedCall handles outlive their reactor; pending calls never run after it is gone", B,
                   WEFT_TEST_BACKENDS) {
    bool ran = false;
    weft::DelayedCall call;
    {
        Reactor reactor(makeTestBackend<B>());
        call = reactor.callLater(1ms, [&] { ran = true; });
        CHECK(call.active());
    }
    CHECK_FALSE(call.active());
    CHECK_FALSE(ran);
    CHECK_THROWS_AS(call.cancel(), weft::AlreadyCancelled);
}

TEST_CASE("the reactor uses the backend named in its Options, else $WEFT_REACTOR, else the best") {
    const char* saved = std::getenv("WEFT_REACTOR");
    std::string savedValue = saved ? saved : "";
    ::unsetenv("WEFT_REACTOR");
    CHECK(std::string_view(Reactor().backendName()) == weft::availableBackends().front());
    for (std::string_view name : weft::availableBackends()) {
        CHECK(std::string_view(Reactor(Reactor::Options{std::string(name)}).backendName()) == name);
    }
    ::setenv("WEFT_REACTOR", "select", 1);
    CHECK(std::string_view(Reactor().backendName()) == "select");
    CHECK(std::string_view(Reactor(Reactor::Options{"poll"}).backendName()) == "poll");
    ::setenv("WEFT_REACTOR", "nonesuch", 1);
    CHECK_THROWS_AS(Reactor(), weft::ReactorError);
    if (saved) ::setenv("WEFT_REACTOR", savedValue.c_str(), 1);
    else ::unsetenv("WEFT_REACTOR");

    try {
        Reactor reactor(Reactor::Options{"nonesuch"});
        FAIL("an unknown backend was accepted");
    } catch (const weft::ReactorError& e) {
        CHECK(e.code() == std::errc::invalid_argument);
        CHECK(std::string(e.what()).find("nonesuch") != std::string::npos);
    }
    CHECK_THROWS_AS(Reactor(std::unique_ptr<weft::Backend>()), weft::ReactorError);
}
