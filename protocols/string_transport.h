// SPDX-License-Identifier: MIT
// protocols/string_transport.h: StringTransport, an ITransport that only records what is done to
// it, for testing a protocol without a peer (Twisted's StringTransport, proto_helpers).
// Tests: tests/protocols/string_transport_test.cpp
//
//   weft::StringTransport transport;
//   Echo echo;
//   echo.makeConnection(transport);
//   echo.dataReceived(weft::StringTransport::bytes("hi\r\n"));
//   assert(transport.value() == "hi\r\n");
//
// Nothing is sent and nothing closes: loseConnection() and friends set flags the test reads,
// and connectionLost() is the test's to call. Writes are recorded even after loseConnection(),
// so a test can see a protocol that kept writing.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "reactor/address.h"
#include "reactor/stream.h"

namespace weft {

class StringTransport : public ITransport {
public:
    enum class ProducerState { Producing, Paused, Stopped };

    StringTransport();  // host 10.0.0.1:12345, peer 10.0.0.2:80
    StringTransport(Address host, Address peer);

    // What a test feeds to dataReceived: the bytes of `text`, valid as long as `text` is.
    [[nodiscard]] static std::span<const std::byte> bytes(std::string_view text) noexcept {
        return std::as_bytes(std::span(text.data(), text.size()));
    }

    using ITransport::write;
    void write(std::span<const std::byte> data) override;
    void loseConnection() override { disconnecting_ = true; }
    void abortConnection() override;
    void loseWriteConnection() override { writeClosed_ = true; }
    [[nodiscard]] Address getPeer() const override { return peer_; }
    [[nodiscard]] Address getHost() const override { return host_; }
    void setTcpNoDelay(bool enabled) override { tcpNoDelay_ = enabled; }
    // Throws std::logic_error if a producer is registered already (as Twisted raises).
    void registerProducer(IProducer& producer) override;
    void unregisterProducer() override;  // std::logic_error if none is registered
    void setWriteBufferLimits(std::size_t high, std::size_t low) override;
    // Nothing is ever sent, but nothing counts as waiting either: 0, so producers run freely.
    [[nodiscard]] std::size_t bufferedBytes() const override { return 0; }

    // The transport as a producer of incoming bytes: what the protocol asked of it.
    void pauseProducing() override { producerState_ = ProducerState::Paused; }
    void resumeProducing() override { producerState_ = ProducerState::Producing; }
    void stopProducing() override { producerState_ = ProducerState::Stopped; }

    [[nodiscard]] const std::string& value() const noexcept { return written_; }
    void clear() noexcept { written_.clear(); }
    [[nodiscard]] std::size_t writeCount() const noexcept { return writes_; }
    [[nodiscard]] bool disconnecting() const noexcept override { return disconnecting_; }
    [[nodiscard]] bool aborted() const noexcept { return aborted_; }
    [[nodiscard]] bool writeClosed() const noexcept { return writeClosed_; }
    [[nodiscard]] bool tcpNoDelay() const noexcept { return tcpNoDelay_; }
    [[nodiscard]] IProducer* producer() const noexcept { return producer_; }
    [[nodiscard]] ProducerState producerState() const noexcept { return producerState_; }
    [[nodiscard]] std::size_t highWater() const noexcept { return high_; }
    [[nodiscard]] std::size_t lowWater() const noexcept { return low_; }
    void setHost(Address host) { host_ = std::move(host); }
    void setPeer(Address peer) { peer_ = std::move(peer); }

private:
    Address host_;
    Address peer_;
    std::string written_;
    std::size_t writes_ = 0;
    IProducer* producer_ = nullptr;
    std::size_t high_ = 64 * 1024;
    std::size_t low_ = 16 * 1024;
    ProducerState producerState_ = ProducerState::Producing;
    bool disconnecting_ = false;
    bool aborted_ = false;
    bool writeClosed_ = false;
    bool tcpNoDelay_ = false;
};

}  // namespace weft
