// SPDX-License-Identifier: MIT
// protocols/loopback.h: two protocols connected in memory, for tests and examples that need a
// peer but no sockets (Twisted's twisted.test.iosim: FakeTransport, IOPump, connect).
// Tests: tests/protocols/loopback_test.cpp
//
//   EchoServer server;  Client client;
//   weft::LoopbackPair pair(client, server);  // server's connectionMade, then client's
//   client.sendLine("hi");                    // buffered in the client's transport
//   pair.pump();                              // until nothing moves: the echo comes back too
//
// Nothing happens between pump()s: writes are buffered, and closing, half-closing and aborting
// take effect at the next pump(), never inside the call that asked, as on a real reactor. Each
// side's connectionLost() is called exactly once, with the reason TCP would give:
// - loseConnection(): once its buffer has been delivered, ConnectionError::Done; the peer then
//   reads end-of-stream (readConnectionLost(); unless that returns true, the peer closes too,
//   with Done, after delivering what it had buffered).
// - loseWriteConnection(): the same end-of-stream for the peer, but this side keeps reading;
//   it gets Done when the peer's end-of-stream arrives.
// - abortConnection(): ConnectionError::Aborted at once, buffered bytes dropped; the peer gets a
//   reset (std::errc::connection_reset, in the system category as the kernel reports it).
// A side whose protocol paused reading (pauseProducing) receives nothing, end-of-stream
// included, until it resumes; the sender's buffer then grows past its high-water mark and its
// registered producer is paused, to be resumed when the buffer drains to the low-water mark.
// Bytes written to a side that has gone vanish.
//
// The protocols must outlive the pair (or be owned by it); the pair must not be destroyed from
// inside one of its protocols' callbacks.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include "reactor/address.h"
#include "reactor/stream.h"

namespace weft {

struct LoopbackOptions {
    Address clientAddress = *Address::parse("127.0.0.1", 50000);
    Address serverAddress = *Address::parse("127.0.0.1", 8080);
    std::size_t maxRounds = 100000;  // pump() gives up (std::logic_error) on endless chatter
};

class LoopbackPair;

// One end of a LoopbackPair.
class LoopbackTransport final : public ITransport {
public:
    using ITransport::write;
    void write(std::span<const std::byte> data) override;  // ignored once closing or closed
    void loseConnection() override;
    void abortConnection() override;
    void loseWriteConnection() override;
    [[nodiscard]] Address getPeer() const override { return peer_; }
    [[nodiscard]] Address getHost() const override { return host_; }
    void setTcpNoDelay(bool enabled) override { noDelay_ = enabled; }
    void registerProducer(IProducer& producer) override;  // std::logic_error if one is already
    void unregisterProducer() override;
    void setWriteBufferLimits(std::size_t high, std::size_t low) override;
    [[nodiscard]] std::size_t bufferedBytes() const override { return out_.size(); }

    void pauseProducing() override { readPaused_ = true; }
    void resumeProducing() override { readPaused_ = false; }  // delivery resumes at the next pump()
    void stopProducing() override { loseConnection(); }
    [[nodiscard]] bool disconnecting() const override { return closeRead_ || abort_ || lost_; }

    [[nodiscard]] bool readPaused() const noexcept { return readPaused_; }
    [[nodiscard]] bool producerPaused() const noexcept { return producerPaused_; }
    [[nodiscard]] bool tcpNoDelay() const noexcept { return noDelay_; }
    [[nodiscard]] bool lost() const noexcept { return lost_; }
    [[nodiscard]] std::error_code lostReason() const noexcept { return reason_; }

private:
    friend class LoopbackPair;
    LoopbackTransport(IProtocol& protocol, Address host, Address peer)
        : protocol_(&protocol), host_(std::move(host)), peer_(std::move(peer)) {}
    void maybeResumeProducer();

    IProtocol* protocol_;
    Address host_;
    Address peer_;
    std::string out_;                 // written, not yet delivered to the peer
    IProducer* producer_ = nullptr;
    std::size_t high_ = 64 * 1024;
    std::size_t low_ = 16 * 1024;
    std::error_code reason_;          // what connectionLost was given
    bool producerPaused_ = false;
    bool readPaused_ = false;
    bool noDelay_ = false;
    bool closeWrite_ = false;  // loseConnection or loseWriteConnection: FIN after the buffer
    bool closeRead_ = false;   // loseConnection: connectionLost right after that FIN
    bool abort_ = false;
    bool finSent_ = false;
    bool finPending_ = false;  // the peer's FIN waits for this side to read it
    bool finReceived_ = false;
    bool lost_ = false;
};

class LoopbackPair {
public:
    // Connects them: server.makeConnection(), then client.makeConnection().
    LoopbackPair(IProtocol& client, IProtocol& server, LoopbackOptions options = {});
    // The same, owning both protocols, as a transport owns what a factory built.
    LoopbackPair(std::unique_ptr<IProtocol> client, std::unique_ptr<IProtocol> server,
                 LoopbackOptions options = {});
    LoopbackPair(const LoopbackPair&) = delete;
    LoopbackPair& operator=(const LoopbackPair&) = delete;

    // Moves bytes and closes both ways until nothing changes; true if anything happened.
    // Calls from inside a protocol's callback return false at once.
    bool pump();

    [[nodiscard]] LoopbackTransport& clientTransport() noexcept { return client_; }
    [[nodiscard]] LoopbackTransport& serverTransport() noexcept { return server_; }
    [[nodiscard]] IProtocol& clientProtocol() noexcept { return *client_.protocol_; }
    [[nodiscard]] IProtocol& serverProtocol() noexcept { return *server_.protocol_; }
    [[nodiscard]] bool closed() const noexcept { return client_.lost_ && server_.lost_; }

    // Told clientConnectionLost(reason) and doStop() when the client's side goes
    // (connectLoopback sets it, playing the connector).
    void setClientFactory(IClientFactory* factory) noexcept { clientFactory_ = factory; }

private:
    // By rvalue reference: nothing is moved until the members are initialised, so the
    // references taken from the same pointers stay good.
    LoopbackPair(IProtocol& client, IProtocol& server, std::unique_ptr<IProtocol>&& ownedClient,
                 std::unique_ptr<IProtocol>&& ownedServer, const LoopbackOptions& options);
    bool advance(LoopbackTransport& side, LoopbackTransport& peer);
    void lose(LoopbackTransport& side, std::error_code reason);

    std::unique_ptr<IProtocol> ownedClient_;  // destroyed after the transports that point at them
    std::unique_ptr<IProtocol> ownedServer_;
    LoopbackTransport client_;
    LoopbackTransport server_;
    IClientFactory* clientFactory_ = nullptr;
    std::size_t maxRounds_;
    bool pumping_ = false;
};

// What connectTCP does, in memory: the server factory builds the server's protocol, the client
// factory (doStart()ed first) the client's, and they are connected. If either factory returns
// null, the client factory gets clientConnectionFailed(ConnectionError::Refused) and doStop(),
// and the result is null. Otherwise it gets clientConnectionLost(reason) and doStop() when the
// client's side is lost. Both factories must outlive the pair.
[[nodiscard]] std::unique_ptr<LoopbackPair> connectLoopback(IClientFactory& clientFactory,
                                                            IProtocolFactory& serverFactory,
                                                            LoopbackOptions options = {});

}  // namespace weft
