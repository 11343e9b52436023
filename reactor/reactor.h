// SPDX-License-Identifier: MIT
// reactor/: one thread, one loop (Twisted's reactor, libuv's uv_loop_t). Depends on nothing
// but the C++ standard library and POSIX; knows nothing of Deferreds (protocols/ is where the
// two meet). This header is the module's map and defines Reactor; including it gives the
// whole module.
// Tests: tests/reactor/ (one conformance suite run on every backend)
//
// The loop waits on a Backend (epoll, kqueue, poll or select: one small file each) for ready
// fds and calls their handlers, runs DelayedCalls that have come due on the monotonic clock,
// functions handed over by other threads (callFromThread) and signal handlers, until stop().
// Every callback runs on the loop's thread, one at a time; one that throws is logged and the
// loop goes on. SIGPIPE is ignored from the first Reactor on, so a write to a closed socket is
// an error code, never a dead process. Destroying the reactor ends every connection still open
// (connectionLost(ConnectionError::Stopped)): make factories, and whatever protocols use,
// before the reactor so that they outlive it.
//
//   reactor.h          Reactor: run, stop, callLater, callFromThread, signals, listen/connect
//   backend.h          Backend and the four backends; WEFT_REACTOR=epoll|kqueue|poll|select
//   timer_heap.h       TimerHeap; delayed_call.h DelayedCall; manual_clock.h ManualClock
//   stream.h           ITransport, IProtocol, IProtocolFactory, IClientFactory, IProducer
//   stream_connection.h  the TCP/Unix transport; listening_port.h ListeningPort, Connector
//   udp.h              UdpPort, IDatagramProtocol
//   address.h, errors.h, fd.h, write_buffer.h, owned.h
//
// Example:
//   #include "reactor/reactor.h"
//   #include <string>
//
//   // Echoes what it receives.
//   struct Echo : weft::IProtocol {
//       weft::ITransport* transport = nullptr;
//       void makeConnection(weft::ITransport& t) override { transport = &t; }
//       void dataReceived(std::span<const std::byte> data) override { transport->write(data); }
//       void connectionLost(std::error_code) override {}
//   };
//   struct EchoFactory : weft::IProtocolFactory {
//       std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override {
//           return std::make_unique<Echo>();
//       }
//   };
//
//   // Says hello, keeps what comes back in `echoed` (the protocol itself goes with its
//   // connection), and stops the reactor when the connection has closed.
//   struct Hello : weft::IProtocol {
//       weft::Reactor& reactor;
//       std::string& echoed;
//       Hello(weft::Reactor& r, std::string& e) : reactor(r), echoed(e) {}
//       void makeConnection(weft::ITransport& t) override {
//           t.write(std::string_view("hello"));
//           t.loseWriteConnection();                 // half-close: "that is all"
//       }
//       void dataReceived(std::span<const std::byte> data) override {
//           echoed.append(reinterpret_cast<const char*>(data.data()), data.size());
//       }
//       void connectionLost(std::error_code) override { reactor.stop(); }
//   };
//   struct HelloFactory : weft::IClientFactory {
//       weft::Reactor& reactor;
//       std::string echoed;
//       explicit HelloFactory(weft::Reactor& r) : reactor(r) {}
//       std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override {
//           return std::make_unique<Hello>(reactor, echoed);
//       }
//       void clientConnectionFailed(std::error_code) override { reactor.stop(); }
//   };
//
//   int main() {
//       weft::Reactor reactor;
//       EchoFactory echo;                                // factories outlive their connections
//       HelloFactory hello(reactor);
//       auto port = reactor.listenTCP(0, echo, 50, "127.0.0.1");   // 0: any free port
//       reactor.connectTCP(port->getHost(), hello);
//       reactor.callLater(std::chrono::seconds(5), [&] { reactor.stop(); });  // a safety net
//       reactor.run();
//       return hello.echoed == "hello" ? 0 : 1;
//   }
// End example
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/backend.h"
#include "reactor/delayed_call.h"
#include "reactor/errors.h"
#include "reactor/fd.h"
#include "reactor/owned.h"
#include "reactor/stream.h"
#include "reactor/timer_heap.h"

namespace weft {

class IDatagramProtocol;
class ListeningPort;
class Connector;
class UdpPort;

// What the loop calls when a watched fd is ready (transports, the waker, signals).
class FdHandler {
public:
    virtual void readReady() = 0;
    virtual void writeReady() = 0;

protected:
    ~FdHandler() = default;
};

class Reactor {
public:
    struct Options {
        std::string backend;  // "epoll", "kqueue", "poll", "select"; empty: $WEFT_REACTOR, else the best
    };

    explicit Reactor(Options options = {});
    explicit Reactor(std::unique_ptr<Backend> backend);
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // Runs until stop(); then the shutdown triggers, in the order added. Throws ReactorError
    // (ConnectionError::AlreadyRunning) if called while running. May be run again afterwards.
    void run();
    void stop();  // from a callback, a signal handler or callFromThread; idempotent
    [[nodiscard]] bool running() const noexcept { return running_; }
    // One turn of the loop: wait up to `timeout` (forever if empty), but never past the next
    // due DelayedCall, then run what is ready and what is due.
    void iterate(std::optional<std::chrono::nanoseconds> timeout = std::chrono::nanoseconds(0));

    void callWhenRunning(std::function<void()> fn);      // at the start of run(), or now if running
    void addShutdownTrigger(std::function<void()> fn);   // when run() is about to return
    DelayedCall callLater(std::chrono::nanoseconds delay, std::function<void()> fn);
    void callFromThread(std::function<void()> fn);       // any thread; wakes the loop
    // Calls `handler` on the loop's thread when `signo` arrives (SIGINT, SIGTERM, SIGCHLD, ...).
    // A process has one set of signal dispositions: the reactor that added handlers last
    // receives the signals (one reactor per process should own them).
    void addSignalHandler(int signo, std::function<void()> handler);

    [[nodiscard]] std::chrono::nanoseconds now() const;  // monotonic, since an arbitrary epoch
    [[nodiscard]] const char* backendName() const noexcept { return backend_->name(); }

    // Watching fds (for transports). Interest::None stops; do that before closing the fd.
    [[nodiscard]] std::error_code watch(int fd, Interest interest, FdHandler& handler);
    void unwatch(int fd) noexcept;
    // unwatch() for an fd about to be closed that was never duplicated: cheaper (no syscall
    // with epoll or kqueue), for sockets that live for one exchange (dns/'s UDP queries).
    void unwatchClosing(int fd) noexcept;

    // TCP over IPv4 and IPv6 (reactor/tcp.cpp). `interface` is an IP literal; empty means all
    // IPv4 addresses. The factory must outlive the port; destroying the port stops listening.
    std::unique_ptr<ListeningPort> listenTCP(std::uint16_t port, IProtocolFactory& factory, int backlog = 511,
                                             std::string_view interface = {});
    // Connects to an IP literal; the factory hears of success (buildProtocol) or failure
    // (clientConnectionFailed: Refused, TimedOut, NoRoute...). Returns the pending attempt.
    Connector& connectTCP(const Address& address, IClientFactory& factory,
                          std::chrono::nanoseconds timeout = std::chrono::seconds(30));
    // Unix domain stream sockets (reactor/tcp.cpp too: the same transport).
    std::unique_ptr<ListeningPort> listenUNIX(std::string_view path, IProtocolFactory& factory, int backlog = 511);
    Connector& connectUNIX(std::string_view path, IClientFactory& factory,
                           std::chrono::nanoseconds timeout = std::chrono::seconds(30));
    // UDP (reactor/udp.cpp).
    std::unique_ptr<UdpPort> listenUDP(std::uint16_t port, IDatagramProtocol& protocol, std::string_view interface = {});

    // Ownership of open connections and pending connects: the reactor keeps them until they
    // end, then frees them after the current turn (never under their own feet).
    void adopt(std::unique_ptr<Owned> owned) noexcept;
    void dispose(Owned& owned) noexcept;
    [[nodiscard]] std::size_t ownedCount() const noexcept { return ownedCount_; }
    // One read buffer for every connection of this loop (idle connections cost no buffer).
    [[nodiscard]] std::span<std::byte> readBuffer() noexcept { return readBuffer_; }

    // Where exceptions from callbacks are reported (default: stderr).
    void setErrorLogger(std::function<void(std::string_view)> logger) { logger_ = std::move(logger); }
    void logError(std::string_view message) const;
    // Calls fn, logging what it throws: how transports call protocols.
    template <class Fn>
    void guardedCall(Fn&& fn) noexcept {
        try {
            fn();
        } catch (const std::exception& e) {
            logError(std::string("a callback threw: ") + e.what());
        } catch (...) {  // a callback's exception must not end the loop: log it and go on
            logError("a callback threw a non-std exception");
        }
    }

private:
    struct Watch {
        FdHandler* handler = nullptr;
        Interest interest = Interest::None;
    };
    class Waker;
    class SignalPipe;

    void runThreadCalls();
    void dispatch(const Readiness& ready);

    std::unique_ptr<Backend> backend_;
    TimerHeap timers_;
    std::vector<Watch> watches_;  // by fd
    std::vector<Readiness> ready_;
    std::vector<std::function<void()>> startup_;
    std::vector<std::function<void()>> shutdown_;
    std::mutex threadCallsMutex_;
    std::vector<std::function<void()>> threadCalls_;  // guarded by threadCallsMutex_
    std::unique_ptr<Waker> waker_;
    std::unique_ptr<SignalPipe> signals_;
    std::function<void(std::string_view)> logger_;
    Owned* owned_ = nullptr;  // list head
    std::size_t ownedCount_ = 0;
    std::vector<std::unique_ptr<Owned>> disposed_;  // freed at the end of the turn
    std::vector<std::byte> readBuffer_ = std::vector<std::byte>(64 * 1024);
    bool running_ = false;
    bool stopping_ = false;
};

}  // namespace weft

// The rest of the module: Reactor's return types, complete here for every user of reactor.h.
#include "reactor/listening_port.h"
#include "reactor/manual_clock.h"
#include "reactor/stream_connection.h"
#include "reactor/udp.h"
