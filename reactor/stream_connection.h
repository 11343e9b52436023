// SPDX-License-Identifier: MIT
// reactor/stream_connection.h: StreamConnection, the transport of a connected stream socket
// (TCP or Unix): reads into the protocol, buffers writes, closes in order.
// Tests: tests/reactor/stream_connection_test.cpp, tests/reactor/unix_test.cpp
//
// Owned by the reactor from start() until connectionLost() has returned. Writes never block:
// what the socket does not take is buffered; past the high-water mark a registered producer is
// paused, below the low-water mark resumed. loseConnection() stops reading, sends what is
// buffered, then closes (ConnectionError::Done); abortConnection() closes at once (Aborted);
// loseWriteConnection() sends a FIN after the buffer and keeps reading. Socket errors arrive
// as the system error_code (std::errc::connection_reset...). connectionLost is never called
// from inside a call the protocol made: always from the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <system_error>

#include "reactor/fd.h"
#include "reactor/owned.h"
#include "reactor/reactor.h"
#include "reactor/stream.h"
#include "reactor/write_buffer.h"

namespace weft {

class StreamConnection final : public ITransport, public FdHandler, public Owned {
public:
    StreamConnection(Reactor& reactor, Fd fd, std::unique_ptr<IProtocol> protocol, IClientFactory* client);
    ~StreamConnection() override;

    // Hands the connection to the reactor and calls makeConnection. Returns the connection.
    static StreamConnection& start(Reactor& reactor, Fd fd, std::unique_ptr<IProtocol> protocol,
                                   IClientFactory* client = nullptr);

    // ITransport
    void write(std::span<const std::byte> data) override;
    using ITransport::write;
    void loseConnection() override;
    void abortConnection() override;
    void loseWriteConnection() override;
    [[nodiscard]] Address getPeer() const override;
    [[nodiscard]] Address getHost() const override;
    void setTcpNoDelay(bool enabled) override;
    void registerProducer(IProducer& producer) override;
    void unregisterProducer() override;
    void setWriteBufferLimits(std::size_t high, std::size_t low) override;
    [[nodiscard]] std::size_t bufferedBytes() const override { return buffer_.size(); }
    [[nodiscard]] bool disconnecting() const override { return disconnecting_ || closed_; }
    void pauseProducing() override;
    void resumeProducing() override;
    void stopProducing() override { loseConnection(); }

    // FdHandler
    void readReady() override;
    void writeReady() override;

    // Owned
    void abandon(std::error_code reason) override { closeWith(reason); }

    [[nodiscard]] IProtocol& protocol() noexcept { return *protocol_; }

private:
    void updateInterest();
    bool flush();  // false: the connection ended
    void closeWith(std::error_code reason);
    void failLater(std::error_code reason);

    Reactor& reactor_;
    Fd fd_;
    std::unique_ptr<IProtocol> protocol_;
    IClientFactory* client_;
    IProducer* producer_ = nullptr;
    WriteBuffer buffer_;
    std::uint32_t highWater_ = 256 * 1024;  // 32 bits: every idle connection carries these
    std::uint32_t lowWater_ = 64 * 1024;
    std::error_code pendingError_;  // a write failed inside write(): reported from the loop
    DelayedCall abortCall_;
    Interest interest_ = Interest::None;
    bool readPaused_ = false;
    bool readClosed_ = false;      // EOF seen, half-close kept open for writing
    bool disconnecting_ = false;   // loseConnection(): close once flushed
    bool writeClosing_ = false;    // loseWriteConnection(): FIN once flushed
    bool writeClosed_ = false;
    bool producerPaused_ = false;
    bool closed_ = false;
};

// The error_code for a failed connect or a broken connection: ECONNREFUSED becomes
// ConnectionError::Refused, unreachable becomes NoRoute, ETIMEDOUT TimedOut; others stay as
// they are.
[[nodiscard]] std::error_code connectionErrorFrom(int error) noexcept;

}  // namespace weft
