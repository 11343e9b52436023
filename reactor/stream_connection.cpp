// SPDX-License-Identifier: MIT
#include "reactor/stream_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace weft {

std::error_code connectionErrorFrom(int error) noexcept {
    switch (error) {
        case ECONNREFUSED: return ConnectionError::Refused;
        case ENETUNREACH:
        case EHOSTUNREACH: return ConnectionError::NoRoute;
        case ETIMEDOUT: return ConnectionError::TimedOut;
        default: return {error, std::system_category()};
    }
}

StreamConnection::StreamConnection(Reactor& reactor, Fd fd, std::unique_ptr<IProtocol> protocol, IClientFactory* client)
    : reactor_(reactor), fd_(std::move(fd)), protocol_(std::move(protocol)), client_(client) {}

StreamConnection::~StreamConnection() {
    if (fd_) reactor_.unwatch(fd_.get());
}

StreamConnection& StreamConnection::start(Reactor& reactor, Fd fd, std::unique_ptr<IProtocol> protocol,
                                          IClientFactory* client) {
    auto owned = std::make_unique<StreamConnection>(reactor, std::move(fd), std::move(protocol), client);
    StreamConnection& connection = *owned;
    reactor.adopt(std::move(owned));
    connection.updateInterest();
    connection.protocol_->makeConnection(connection);
    return connection;
}

void StreamConnection::updateInterest() {
    if (closed_) return;
    bool aborting = abortCall_.active();  // the socket only waits to be closed
    bool read = !aborting && !readPaused_ && !readClosed_ && !disconnecting_;
    bool write = !aborting &&
                 (!buffer_.empty() || pendingError_ || disconnecting_ || (writeClosing_ && !writeClosed_));
    Interest wanted = (read ? Interest::Read : Interest::None) | (write ? Interest::Write : Interest::None);
    if (wanted == interest_) return;
    if (std::error_code ec = reactor_.watch(fd_.get(), wanted, *this)) {
        failLater(ec);  // e.g. select cannot watch this fd: the connection cannot work
        return;
    }
    interest_ = wanted;
}

void StreamConnection::write(std::span<const std::byte> data) {
    if (closed_ || disconnecting_ || writeClosing_ || pendingError_ || data.empty()) return;
    if (buffer_.empty()) {  // the common case: straight to the socket, no copy
        ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            failLater(connectionErrorFrom(errno));
            return;
        }
        if (n > 0) data = data.subspan(static_cast<std::size_t>(n));
        if (data.empty()) return;
    }
    buffer_.append(data);
    if (producer_ && !producerPaused_ && buffer_.size() > highWater_) {
        producerPaused_ = true;
        producer_->pauseProducing();
    }
    updateInterest();
}

bool StreamConnection::flush() {
    while (!buffer_.empty()) {
        auto pending = buffer_.pending();
        ssize_t n = ::send(fd_.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            closeWith(connectionErrorFrom(errno));
            return false;
        }
        buffer_.consume(static_cast<std::size_t>(n));
    }
    if (producer_ && producerPaused_ && buffer_.size() <= lowWater_) {
        producerPaused_ = false;
        producer_->resumeProducing();
        if (closed_) return false;
    }
    return true;
}

void StreamConnection::writeReady() {
    if (closed_) return;
    if (pendingError_) {
        closeWith(pendingError_);
        return;
    }
    if (!flush()) return;
    if (buffer_.empty()) {
        if (disconnecting_) {
            closeWith(ConnectionError::Done);
            return;
        }
        if (writeClosing_ && !writeClosed_) {
            ::shutdown(fd_.get(), SHUT_WR);
            writeClosed_ = true;
            if (readClosed_) {  // both directions are done
                closeWith(ConnectionError::Done);
                return;
            }
        }
    }
    updateInterest();
}

void StreamConnection::readReady() {
    std::span<std::byte> space = reactor_.readBuffer();
    ssize_t n = 0;
    // Up to a few full buffers per turn: fewer wake-ups on a busy stream, still fair to others.
    for (int round = 0; round < 8; ++round) {
        if (closed_ || readPaused_ || readClosed_ || disconnecting_) return;
        n = ::recv(fd_.get(), space.data(), space.size(), 0);
        if (n <= 0) break;
        protocol_->dataReceived(space.first(static_cast<std::size_t>(n)));
        if (static_cast<std::size_t>(n) < space.size()) return;  // drained
    }
    if (n > 0) return;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        closeWith(connectionErrorFrom(errno));
        return;
    }
    // End of input: the peer sent FIN.
    readClosed_ = true;
    if (writeClosed_ || !protocol_->readConnectionLost()) {
        if (!closed_) closeWith(ConnectionError::Done);
        return;
    }
    updateInterest();
}

void StreamConnection::loseConnection() {
    if (closed_ || disconnecting_) return;
    disconnecting_ = true;  // the loop closes once the buffer is sent (writeReady)
    updateInterest();
}

void StreamConnection::abortConnection() {
    if (closed_ || abortCall_.active()) return;
    buffer_.clear();
    disconnecting_ = true;
    // Closed from the loop, never inside the protocol's call. Until then the fd is watched for
    // nothing: a writable socket would otherwise reach writeReady() first, which closes a
    // disconnecting connection cleanly (Done, a FIN) instead of aborting it.
    abortCall_ = reactor_.callLater(std::chrono::nanoseconds(0), [this] { closeWith(ConnectionError::Aborted); });
    updateInterest();
}

void StreamConnection::loseWriteConnection() {
    if (closed_ || writeClosing_) return;
    writeClosing_ = true;
    updateInterest();
}

void StreamConnection::failLater(std::error_code reason) {
    if (!pendingError_) pendingError_ = reason;
    buffer_.clear();
    // Reported from the loop: writeReady fires at once on a socket with room (or an error).
    if (reactor_.watch(fd_.get(), Interest::Write, *this)) {
        if (!abortCall_.active())  // one close is enough
            abortCall_ = reactor_.callLater(std::chrono::nanoseconds(0), [this] { closeWith(pendingError_); });
    } else {
        interest_ = Interest::Write;
    }
}

void StreamConnection::closeWith(std::error_code reason) {
    if (closed_) return;
    closed_ = true;
    if (abortCall_.active()) abortCall_.cancel();
    reactor_.unwatch(fd_.get());
    interest_ = Interest::None;
    if (reason == ConnectionError::Aborted || reason == ConnectionError::Stopped) {
        linger hard{1, 0};  // an abort resets the connection instead of a polite FIN
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    fd_.reset();
    buffer_.clear();
    if (producer_) {
        IProducer* producer = std::exchange(producer_, nullptr);
        if (producer != this) producer->stopProducing();
    }
    reactor_.guardedCall([&] { protocol_->connectionLost(reason); });
    if (client_) {
        reactor_.guardedCall([&] { client_->clientConnectionLost(reason); });
        client_->doStop();  // the doStart() of connectTCP
    }
    reactor_.dispose(*this);
}

Address StreamConnection::getPeer() const {
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (!fd_ || ::getpeername(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &length) < 0) return Address();
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

Address StreamConnection::getHost() const {
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (!fd_ || ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &length) < 0) return Address();
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

void StreamConnection::setTcpNoDelay(bool enabled) {
    int on = enabled ? 1 : 0;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // EOPNOTSUPP on Unix sockets: no effect
}

void StreamConnection::registerProducer(IProducer& producer) {
    producer_ = &producer;
    producerPaused_ = false;
    if (buffer_.size() > highWater_) {
        producerPaused_ = true;
        producer.pauseProducing();
    }
}

void StreamConnection::unregisterProducer() {
    producer_ = nullptr;
    producerPaused_ = false;
}

void StreamConnection::setWriteBufferLimits(std::size_t high, std::size_t low) {
    constexpr std::size_t kMax = UINT32_MAX;
    highWater_ = static_cast<std::uint32_t>(std::min(high, kMax));
    lowWater_ = static_cast<std::uint32_t>(std::min({low, high, kMax}));
}

void StreamConnection::pauseProducing() {
    readPaused_ = true;
    updateInterest();
}

void StreamConnection::resumeProducing() {
    readPaused_ = false;
    updateInterest();
}

}  // namespace weft
