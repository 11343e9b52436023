// SPDX-License-Identifier: MIT
// reactor/stream.h: the interfaces between a stream transport (TCP, Unix, in-memory) and the
// protocol that uses it. The reactor calls only these; protocols/ implements them (Protocol,
// Factory) and is where Deferreds meet transports.
// Tests: tests/reactor/tcp_test.cpp, tests/protocols/*
//
// Lifetimes: a transport owns its protocol. The ITransport& given to makeConnection() is valid
// until connectionLost() returns; connectionLost() is called exactly once, last.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include "reactor/address.h"

namespace weft {

// Something that produces data into a consumer and can be asked to wait (Twisted's IProducer).
class IProducer {
public:
    virtual ~IProducer() = default;
    virtual void pauseProducing() = 0;
    virtual void resumeProducing() = 0;
    virtual void stopProducing() = 0;
};

// A connected byte stream. Writes are buffered and never block; when more than the high-water
// mark is buffered, a registered producer is paused until the buffer drains below the low-water
// mark. The transport is itself a producer of incoming data: pauseProducing() stops reading.
class ITransport : public IProducer {
public:
    virtual void write(std::span<const std::byte> data) = 0;
    void write(std::string_view text) { write(std::as_bytes(std::span(text.data(), text.size()))); }
    virtual void writeSequence(std::span<const std::string_view> pieces) {
        for (std::string_view piece : pieces) write(piece);
    }
    virtual void loseConnection() = 0;       // close once everything buffered is sent
    virtual void abortConnection() = 0;      // close now; buffered data is dropped
    virtual void loseWriteConnection() = 0;  // half-close: FIN after the buffer, keep reading
    [[nodiscard]] virtual Address getPeer() const = 0;
    [[nodiscard]] virtual Address getHost() const = 0;
    virtual void setTcpNoDelay(bool enabled) = 0;  // no effect on transports that are not TCP
    virtual void registerProducer(IProducer& producer) = 0;  // paused/resumed by the write buffer
    virtual void unregisterProducer() = 0;
    virtual void setWriteBufferLimits(std::size_t high, std::size_t low) = 0;
    [[nodiscard]] virtual std::size_t bufferedBytes() const = 0;
    // True once loseConnection() or abortConnection() was called: a framing protocol stops
    // delivering what it has buffered (Twisted's transport.disconnecting).
    [[nodiscard]] virtual bool disconnecting() const { return false; }
};

class IProtocol {
public:
    virtual ~IProtocol() = default;
    virtual void makeConnection(ITransport& transport) = 0;
    virtual void dataReceived(std::span<const std::byte> data) = 0;
    // dataReceived and readConnectionLost are never interrupted by connectionLost: the
    // transport reports the end from the loop, after they have returned.
    // The peer half-closed (sent FIN). Return true to keep the connection for writing
    // (Twisted's IHalfCloseableProtocol); false (the default) closes it: connectionLost(Done).
    virtual bool readConnectionLost() { return false; }
    virtual void connectionLost(std::error_code reason) = 0;
};

class IProtocolFactory {
public:
    virtual ~IProtocolFactory() = default;
    // A protocol for a new connection from/to `peer`; null refuses it (the connection closes).
    virtual std::unique_ptr<IProtocol> buildProtocol(const Address& peer) = 0;
    virtual void doStart() {}  // first port or connector using it starts
    virtual void doStop() {}   // last one stops
};

// What connectTCP / connectUNIX report to besides the protocol (Twisted's ClientFactory).
class IClientFactory : public IProtocolFactory {
public:
    virtual void startedConnecting() {}  // connectTCP/connectUNIX began an attempt
    virtual void clientConnectionFailed(std::error_code reason) = 0;  // never connected
    virtual void clientConnectionLost(std::error_code reason) { (void)reason; }  // connected, then lost
    // Every attempt is bracketed by doStart() and doStop(): after clientConnectionFailed, or
    // after clientConnectionLost for one that connected.
};

}  // namespace weft
