// SPDX-License-Identifier: MIT
// protocols/loopback.cpp: the in-memory connection's pump. Each round delivers, for both sides
// in turn, an abort, the peer's end-of-stream, buffered bytes, then this side's end-of-stream;
// a round that changes nothing ends pump(). Bytes go as one dataReceived per round and side,
// like one read() of everything the kernel had.
// Tests: tests/protocols/loopback_test.cpp
#include "protocols/loopback.h"

#include <cerrno>
#include <stdexcept>
#include <utility>

#include "reactor/errors.h"

namespace weft {

void LoopbackTransport::write(std::span<const std::byte> data) {
    if (lost_ || closeWrite_ || abort_ || data.empty()) return;
    out_.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (producer_ && !producerPaused_ && out_.size() > high_) {
        producerPaused_ = true;
        producer_->pauseProducing();
    }
}

void LoopbackTransport::loseConnection() {
    closeWrite_ = true;
    closeRead_ = true;
}

void LoopbackTransport::loseWriteConnection() { closeWrite_ = true; }

void LoopbackTransport::abortConnection() { abort_ = true; }

void LoopbackTransport::registerProducer(IProducer& producer) {
    if (producer_) throw std::logic_error("LoopbackTransport: a producer is registered already");
    producer_ = &producer;
    producerPaused_ = false;
}

void LoopbackTransport::unregisterProducer() {
    producer_ = nullptr;
    producerPaused_ = false;
}

void LoopbackTransport::setWriteBufferLimits(std::size_t high, std::size_t low) {
    high_ = high;
    low_ = low;
}

void LoopbackTransport::maybeResumeProducer() {
    if (producer_ && producerPaused_ && out_.size() <= low_) {
        producerPaused_ = false;
        producer_->resumeProducing();
    }
}

LoopbackPair::LoopbackPair(IProtocol& client, IProtocol& server, LoopbackOptions options)
    : LoopbackPair(client, server, nullptr, nullptr, options) {}

LoopbackPair::LoopbackPair(std::unique_ptr<IProtocol> client, std::unique_ptr<IProtocol> server,
                           LoopbackOptions options)
    : LoopbackPair(*client, *server, std::move(client), std::move(server), options) {}

LoopbackPair::LoopbackPair(IProtocol& client, IProtocol& server, std::unique_ptr<IProtocol>&& ownedClient,
                           std::unique_ptr<IProtocol>&& ownedServer, const LoopbackOptions& options)
    : ownedClient_(std::move(ownedClient)),
      ownedServer_(std::move(ownedServer)),
      client_(client, options.clientAddress, options.serverAddress),
      server_(server, options.serverAddress, options.clientAddress),
      maxRounds_(options.maxRounds) {
    server.makeConnection(server_);
    client.makeConnection(client_);
}

bool LoopbackPair::pump() {
    if (pumping_) return false;
    pumping_ = true;
    bool any = false;
    try {
        for (std::size_t round = 0;; ++round) {
            if (round == maxRounds_) throw std::logic_error("LoopbackPair::pump: still busy after maxRounds rounds");
            bool moved = advance(client_, server_);
            moved = advance(server_, client_) || moved;
            if (!moved) break;
            any = true;
        }
    } catch (...) {  // not swallowed: only pumping_ is reset before it goes on
        pumping_ = false;
        throw;
    }
    pumping_ = false;
    return any;
}

bool LoopbackPair::advance(LoopbackTransport& side, LoopbackTransport& peer) {
    if (side.lost_) return false;
    if (side.abort_) {
        lose(side, ConnectionError::Aborted);
        if (!peer.lost_) lose(peer, std::error_code(ECONNRESET, std::system_category()));
        return true;
    }
    bool moved = false;
    if (side.finPending_ && !side.readPaused_) {  // the peer's FIN: everything before it is read
        side.finPending_ = false;
        side.finReceived_ = true;
        moved = true;
        if (side.finSent_) {  // both directions are closed now
            lose(side, ConnectionError::Done);
            return true;
        }
        if (!side.protocol_->readConnectionLost()) side.loseConnection();
        if (side.lost_) return true;
    }
    if (!side.out_.empty()) {
        if (peer.lost_) {
            side.out_.clear();  // nobody reads them: they vanish
            moved = true;
        } else if (!peer.readPaused_) {
            std::string data = std::move(side.out_);
            side.out_.clear();
            peer.protocol_->dataReceived(std::as_bytes(std::span(data.data(), data.size())));
            side.maybeResumeProducer();
            moved = true;
        }
    }
    if (side.closeWrite_ && !side.finSent_ && side.out_.empty() && !side.abort_ && !side.lost_) {
        side.finSent_ = true;
        moved = true;
        if (!peer.lost_) peer.finPending_ = true;
        if (side.closeRead_ || side.finReceived_) lose(side, ConnectionError::Done);
    }
    return moved;
}

void LoopbackPair::lose(LoopbackTransport& side, std::error_code reason) {
    side.lost_ = true;
    side.reason_ = reason;
    side.out_.clear();
    side.finPending_ = false;
    if (IProducer* producer = std::exchange(side.producer_, nullptr)) producer->stopProducing();
    side.protocol_->connectionLost(reason);
    if (&side == &client_ && clientFactory_) {
        IClientFactory* factory = std::exchange(clientFactory_, nullptr);
        factory->clientConnectionLost(reason);
        factory->doStop();
    }
}

std::unique_ptr<LoopbackPair> connectLoopback(IClientFactory& clientFactory, IProtocolFactory& serverFactory,
                                              LoopbackOptions options) {
    clientFactory.doStart();
    std::unique_ptr<IProtocol> server = serverFactory.buildProtocol(options.clientAddress);
    std::unique_ptr<IProtocol> client = server ? clientFactory.buildProtocol(options.serverAddress) : nullptr;
    if (!server || !client) {
        clientFactory.clientConnectionFailed(ConnectionError::Refused);
        clientFactory.doStop();
        return nullptr;
    }
    auto pair = std::make_unique<LoopbackPair>(std::move(client), std::move(server), std::move(options));
    pair->setClientFactory(&clientFactory);
    return pair;
}

}  // namespace weft
