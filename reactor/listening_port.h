// SPDX-License-Identifier: MIT
// reactor/listening_port.h: ListeningPort (a listening TCP or Unix socket) and Connector (a
// connect in progress), what listenTCP/listenUNIX and connectTCP/connectUNIX give back.
// Tests: tests/reactor/listening_port_test.cpp, tests/reactor/unix_test.cpp
//
// A port accepts in batches and hands each connection to a protocol from its factory. When
// the process runs out of fds (EMFILE/ENFILE) it stops accepting for a moment (kAcceptPause)
// and keeps serving the connections it has, without spinning. Destroying the port stops
// listening; open connections go on.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "reactor/address.h"
#include "reactor/fd.h"
#include "reactor/owned.h"
#include "reactor/reactor.h"
#include "reactor/stream.h"

namespace weft {

class ListeningPort final : public FdHandler {
public:
    static constexpr std::chrono::milliseconds kAcceptPause{100};

    ListeningPort(Reactor& reactor, Fd fd, IProtocolFactory& factory, std::string unixPath);
    ~ListeningPort();
    ListeningPort(const ListeningPort&) = delete;
    ListeningPort& operator=(const ListeningPort&) = delete;

    [[nodiscard]] Address getHost() const;
    void stopListening();
    [[nodiscard]] std::size_t acceptPauses() const noexcept { return acceptPauses_; }

    void readReady() override;
    void writeReady() override {}

private:
    void startAccepting();

    Reactor& reactor_;
    Fd fd_;
    IProtocolFactory& factory_;
    std::string unixPath_;  // unlinked when the port stops
    DelayedCall resume_;
    std::size_t acceptPauses_ = 0;
    bool listening_ = true;
};

// A connect in progress; owned by the reactor until it succeeds, fails or is stopped.
class Connector final : public FdHandler, public Owned {
public:
    Connector(Reactor& reactor, Fd fd, IClientFactory& factory);
    ~Connector() override;
    void stopConnecting();  // the factory hears clientConnectionFailed(ConnectionError::Aborted)
    void readReady() override {}
    void writeReady() override;
    void abandon(std::error_code reason) override { fail(reason); }

private:
    friend class Reactor;
    void begin(const Address& address, std::chrono::nanoseconds timeout);
    void firstLook(std::chrono::nanoseconds timeout);
    bool settleIfDone();
    void fail(std::error_code reason);

    Reactor& reactor_;
    Fd fd_;
    IClientFactory& factory_;
    DelayedCall timeout_;  // the first look at the end of the turn, then the connect timeout
    std::chrono::nanoseconds begun_{0};
    bool done_ = false;
};

}  // namespace weft
