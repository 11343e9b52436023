// SPDX-License-Identifier: MIT
// protocols/protocol.h: Protocol, the base of everything that speaks over a transport, and the
// factories that make one per connection (Twisted's twisted.internet.protocol).
// Tests: tests/protocols/protocol_test.cpp
//
//   class Echo : public weft::Protocol {
//       void dataReceived(std::span<const std::byte> data) override { transport_->write(data); }
//   };
//   auto factory = weft::Factory::forProtocol<Echo>();
//   auto port = reactor.listenTCP(8000, *factory);       // the factory must outlive the port
//
// Lifetimes: the transport owns the protocol (buildProtocol hands it over). transport_ is set
// just before connectionMade() and is valid until connectionLost() returns; Protocol's own
// connectionLost() forgets it, so an override should call Protocol::connectionLost(reason).
// factory_ points at the factory that built the protocol (null if none did); whoever listens
// or connects with a factory keeps it alive for as long as its protocols.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

#include "reactor/address.h"
#include "reactor/stream.h"

namespace weft {

namespace detail {
template <class Interface>
class FactoryBase;
}  // namespace detail

class Protocol : public IProtocol {
public:
    void makeConnection(ITransport& transport) override {
        transport_ = &transport;
        connected_ = true;
        connectionMade();
    }
    virtual void connectionMade() {}
    void dataReceived(std::span<const std::byte> data) override { (void)data; }
    void connectionLost(std::error_code reason) override {
        (void)reason;
        connected_ = false;
        transport_ = nullptr;
    }

    [[nodiscard]] bool connected() const noexcept { return connected_; }
    [[nodiscard]] ITransport* transport() const noexcept { return transport_; }
    [[nodiscard]] IProtocolFactory* factory() const noexcept { return factory_; }

protected:
    ITransport* transport_ = nullptr;    // null before makeConnection and after connectionLost
    bool connected_ = false;
    IProtocolFactory* factory_ = nullptr;  // set by Factory::buildProtocol; does not own

private:
    template <class Interface>
    friend class detail::FactoryBase;
};

namespace detail {

// What Factory and ClientFactory share. Interface is IProtocolFactory or IClientFactory; the
// two are separate classes because IClientFactory already derives from IProtocolFactory.
template <class Interface>
class FactoryBase : public Interface {
public:
    // Makes the protocol for one connection; null refuses the connection.
    using Builder = std::function<std::unique_ptr<Protocol>(const Address& peer)>;

    FactoryBase() = default;
    explicit FactoryBase(Builder builder) : builder_(std::move(builder)) {}

    // Twisted's buildProtocol: makeProtocol(peer), then the protocol's factory_ points here.
    std::unique_ptr<IProtocol> buildProtocol(const Address& peer) override {
        std::unique_ptr<Protocol> protocol = makeProtocol(peer);
        if (protocol) protocol->factory_ = this;
        return protocol;
    }

    // startFactory() when the first port or connector starts using this, stopFactory() when
    // the last one stops (Twisted's doStart/doStop counting).
    void doStart() override {
        if (users_++ == 0) startFactory();
    }
    void doStop() override {
        if (users_ > 0 && --users_ == 0) stopFactory();
    }
    virtual void startFactory() {}
    virtual void stopFactory() {}
    [[nodiscard]] int users() const noexcept { return users_; }

protected:
    // Override to build protocols that need more than the builder gives; the default calls the
    // builder, or refuses the connection if there is none.
    virtual std::unique_ptr<Protocol> makeProtocol(const Address& peer) {
        return builder_ ? builder_(peer) : nullptr;
    }

    template <class P, class... Args>
    static Builder builderFor(Args&&... args) {
        // The arguments are copied once into the builder and copied again into each protocol.
        return [... args = std::forward<Args>(args)](const Address&) -> std::unique_ptr<Protocol> {
            return std::make_unique<P>(args...);
        };
    }

private:
    Builder builder_;
    int users_ = 0;
};

}  // namespace detail

// Makes one protocol per accepted connection (Twisted's Factory).
class Factory : public detail::FactoryBase<IProtocolFactory> {
public:
    using FactoryBase::FactoryBase;

    // A Factory whose protocols are P(args...) (Twisted's Factory.forProtocol).
    template <class P, class... Args>
        requires std::derived_from<P, Protocol> && std::constructible_from<P, const std::decay_t<Args>&...>
    [[nodiscard]] static std::unique_ptr<Factory> forProtocol(Args&&... args) {
        return std::make_unique<Factory>(builderFor<P>(std::forward<Args>(args)...));
    }
};

// A Factory for outgoing connections, told how the attempt went (Twisted's ClientFactory).
class ClientFactory : public detail::FactoryBase<IClientFactory> {
public:
    using FactoryBase::FactoryBase;

    template <class P, class... Args>
        requires std::derived_from<P, Protocol> && std::constructible_from<P, const std::decay_t<Args>&...>
    [[nodiscard]] static std::unique_ptr<ClientFactory> forProtocol(Args&&... args) {
        return std::make_unique<ClientFactory>(builderFor<P>(std::forward<Args>(args)...));
    }

    // A connection attempt began (called by connectTCP / connectUNIX).
    void startedConnecting() override {}
    void clientConnectionFailed(std::error_code reason) override { (void)reason; }
    void clientConnectionLost(std::error_code reason) override { (void)reason; }
};

}  // namespace weft
