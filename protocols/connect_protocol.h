// SPDX-License-Identifier: MIT
// protocols/connect_protocol.h: connectProtocol, a client connection as a Deferred that fires
// with the protocol once it is connected (Twisted's endpoints.connectProtocol).
// Tests: tests/protocols/connect_protocol_test.cpp
//
//   weft::Deferred<Client*> d = weft::connectProtocol(
//       [&](weft::IClientFactory& factory) { reactor.connectTCP(address, factory, 30s); },
//       std::make_unique<Client>());
//   Client* client = co_await d;   // or d.addCallback(...)
//
// `connect` dials with the factory it is given (any function taking IClientFactory&). The
// Deferred fires with the protocol right after its connectionMade(), or fails with
// ConnectError(reason) on clientConnectionFailed (or if the connection ends before it was ever
// made), or with whatever `connect` threw. The protocol belongs to the transport: the pointer is
// good until its connectionLost() returns. Cancelling the Deferred before the connection is
// made gives CancelledError at once (the attempt itself goes on: `connect` has no handle to
// stop), and a connection made afterwards is aborted.
//
// The factory stays alive for as long as a connector may use it: until the connection is made
// (from then on the transport owns it, through the protocol), or until clientConnectionFailed
// and a doStop() for every doStart(). So `connect` may hold it by reference, as connectTCP does.
#pragma once

#include <concepts>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

#include "defer/deferred.h"
#include "defer/failure.h"
#include "protocols/errors.h"
#include "reactor/address.h"
#include "reactor/stream.h"

namespace weft {

namespace detail {

// Passes everything to the protocol it owns, and reports the connection once made.
class ConnectingProtocol final : public IProtocol {
public:
    // What it tells its factory; the factory outlives it (see SingleProtocolFactory).
    class Listener {
    public:
        virtual ~Listener() = default;
        virtual void connected(ITransport& transport) = 0;
    };

    ConnectingProtocol(std::unique_ptr<IProtocol> inner, std::shared_ptr<Listener> listener)
        : inner_(std::move(inner)), listener_(std::move(listener)) {}

    void makeConnection(ITransport& transport) override {
        inner_->makeConnection(transport);
        listener_->connected(transport);
    }
    void dataReceived(std::span<const std::byte> data) override { inner_->dataReceived(data); }
    bool readConnectionLost() override { return inner_->readConnectionLost(); }
    void connectionLost(std::error_code reason) override { inner_->connectionLost(reason); }

private:
    std::unique_ptr<IProtocol> inner_;
    std::shared_ptr<Listener> listener_;
};

template <class P>
class SingleProtocolFactory final : public IClientFactory,
                                    public ConnectingProtocol::Listener,
                                    public std::enable_shared_from_this<SingleProtocolFactory<P>> {
public:
    SingleProtocolFactory(std::unique_ptr<P> protocol, SourceLocation where)
        : protocol_(std::move(protocol)), deferred_(where), where_(where) {}

    // Until the connection is made the factory owns itself (self_); once made, the protocol it
    // built owns it, and the transport owns that until after clientConnectionLost(). Two owners
    // in turn, with the hand-over inside buildProtocol: hence a shared_ptr.
    static std::shared_ptr<SingleProtocolFactory> make(std::unique_ptr<P> protocol, SourceLocation where) {
        auto factory = std::make_shared<SingleProtocolFactory>(std::move(protocol), where);
        factory->self_ = factory;
        std::weak_ptr<SingleProtocolFactory> weak = factory;  // the Deferred must not own it
        factory->deferred_ = Deferred<P*>(
            [weak](Deferred<P*>&) {
                if (auto f = weak.lock()) f->cancelled_ = true;
            },
            where);
        return factory;
    }

    [[nodiscard]] Deferred<P*> deferred() const { return deferred_; }

    // Builds even after a cancel (and aborts in connected()): a connector that is refused a
    // protocol may tell the factory nothing more, and then nothing would release it.
    std::unique_ptr<IProtocol> buildProtocol(const Address&) override {
        if (!protocol_) return nullptr;  // a second connection from one connector: refused
        built_ = protocol_.get();
        auto protocol = std::make_unique<ConnectingProtocol>(std::move(protocol_), this->shared_from_this());
        self_.reset();  // `protocol` holds it now
        return protocol;
    }

    void connected(ITransport& transport) override {
        if (cancelled_) {
            transport.abortConnection();
            return;
        }
        fire(nullptr);
    }

    void clientConnectionFailed(std::error_code reason) override { finish(reason); }
    void clientConnectionLost(std::error_code reason) override { finish(reason); }
    void doStart() override { ++users_; }
    void doStop() override {
        if (users_ > 0) --users_;
        if (finished_) releaseWhenUnused();
    }

    // `connect` threw: fail with that, and let go unless a connector started using it.
    void connectThrew(Failure failure) {
        fire(&failure);
        finished_ = true;
        releaseWhenUnused();
    }

private:
    void fire(Failure* failure) {
        if (fired_ || cancelled_) return;
        fired_ = true;
        if (failure) deferred_.errback(std::move(*failure));
        else deferred_.callback(built_);
    }

    void finish(std::error_code reason) {
        finished_ = true;
        if (!fired_ && !cancelled_) {
            Failure failure(ConnectError(reason), where_);  // where connectProtocol was called
            fire(&failure);
        }
        releaseWhenUnused();
    }

    // A connector calls doStop() after clientConnectionFailed (Twisted's order, and the
    // reactor's); one that never called doStart() calls neither. Let go after both.
    void releaseWhenUnused() {
        if (users_ > 0 || !self_) return;
        auto last = std::move(self_);  // may destroy *this on the way out
    }

    std::unique_ptr<P> protocol_;
    P* built_ = nullptr;
    Deferred<P*> deferred_;
    SourceLocation where_;
    std::shared_ptr<SingleProtocolFactory> self_;
    int users_ = 0;          // doStart() calls not yet matched by doStop()
    bool cancelled_ = false;
    bool fired_ = false;
    bool finished_ = false;  // clientConnectionFailed or clientConnectionLost came
};

}  // namespace detail

template <class P, std::invocable<IClientFactory&> Connect>
    requires std::derived_from<P, IProtocol>
[[nodiscard]] Deferred<P*> connectProtocol(Connect&& connect, std::unique_ptr<P> protocol,
                                           SourceLocation where = SourceLocation::current()) {
    auto factory = detail::SingleProtocolFactory<P>::make(std::move(protocol), where);
    Deferred<P*> result = factory->deferred();
    try {
        std::forward<Connect>(connect)(static_cast<IClientFactory&>(*factory));
    } catch (...) {  // not swallowed: it becomes the Deferred's Failure, as in maybeDeferred
        factory->connectThrew(Failure::current());
    }
    return result;
}

}  // namespace weft
