// SPDX-License-Identifier: MIT
// reactor/tcp.cpp: listenTCP/connectTCP and listenUNIX/connectUNIX: sockets, listening ports
// and connectors. Both families end in the same StreamConnection.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "reactor/listening_port.h"
#include "reactor/stream_connection.h"

namespace weft {
namespace {

Fd openSocket(int family, int type) {
    Fd fd(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw ReactorError(lastError(), "socket");
    return fd;
}

Fd listenOn(const Address& address, int backlog) {
    Fd fd = openSocket(address.sockaddrPtr()->sa_family, SOCK_STREAM);
    if (address.family() != Address::Family::Unix) {
        int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    }
    if (::bind(fd.get(), address.sockaddrPtr(), address.length()) < 0)
        throw ReactorError(lastError(), "cannot listen on " + address.toString() + ": bind");
    if (::listen(fd.get(), backlog) < 0)
        throw ReactorError(lastError(), "cannot listen on " + address.toString() + ": listen");
    return fd;
}

Address listenAddress(std::uint16_t port, std::string_view interface) {
    std::optional<Address> address = Address::parse(interface.empty() ? "0.0.0.0" : interface, port);
    if (!address)
        throw ReactorError(std::make_error_code(std::errc::invalid_argument),
                           "listenTCP: '" + std::string(interface) + "' is not an IP address");
    return *address;
}

}  // namespace

// ---------------------------------------------------------------- ListeningPort

ListeningPort::ListeningPort(Reactor& reactor, Fd fd, IProtocolFactory& factory, std::string unixPath)
    : reactor_(reactor), fd_(std::move(fd)), factory_(factory), unixPath_(std::move(unixPath)) {
    // If the fd cannot be watched (select: FdOutOfRange) the constructor throws and the
    // destructor never runs: undo the bind here, and start the factory only once it worked.
    try {
        startAccepting();
    } catch (...) {
        if (!unixPath_.empty()) ::unlink(unixPath_.c_str());
        throw;
    }
    factory_.doStart();
}

ListeningPort::~ListeningPort() { stopListening(); }

void ListeningPort::startAccepting() {
    if (std::error_code ec = reactor_.watch(fd_.get(), Interest::Read, *this)) throw ReactorError(ec, "listen: watch");
}

void ListeningPort::stopListening() {
    if (!listening_) return;
    listening_ = false;
    if (resume_.active()) resume_.cancel();
    reactor_.unwatch(fd_.get());
    fd_.reset();
    if (!unixPath_.empty()) ::unlink(unixPath_.c_str());
    factory_.doStop();
}

Address ListeningPort::getHost() const {
    if (!unixPath_.empty()) return Address::unixPath(unixPath_);
    sockaddr_storage sa{};
    socklen_t length = sizeof sa;
    if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &length) < 0) return Address();
    return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
}

void ListeningPort::readReady() {
    // A batch per turn, so that a flood of connects does not starve established connections.
    for (int i = 0; i < 64 && listening_; ++i) {
        sockaddr_storage sa{};
        socklen_t length = sizeof sa;
        Fd fd(::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &length, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            int error = errno;
            if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                // Out of fds: the pending connection stays in the backlog; try again shortly.
                ++acceptPauses_;
                reactor_.unwatch(fd_.get());
                resume_ = reactor_.callLater(kAcceptPause, [this] {
                    if (listening_) startAccepting();
                });
                return;
            }
            if (error == EINTR || error == ECONNABORTED || error == EPROTO) continue;
            return;  // EAGAIN: nothing more to accept
        }
        Address peer = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), length);
        if (peer.family() != Address::Family::Unix) {
            int on = 1;  // latency first, as libuv's servers in the benchmarks
            ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        std::unique_ptr<IProtocol> protocol;
        reactor_.guardedCall([&] { protocol = factory_.buildProtocol(peer); });
        if (!protocol) continue;  // refused by the factory: fd closes here
        StreamConnection::start(reactor_, std::move(fd), std::move(protocol));
    }
}

// ---------------------------------------------------------------- Connector

Connector::Connector(Reactor& reactor, Fd fd, IClientFactory& factory)
    : reactor_(reactor), fd_(std::move(fd)), factory_(factory) {}

Connector::~Connector() {
    if (fd_) reactor_.unwatch(fd_.get());
}

void Connector::begin(const Address& address, std::chrono::nanoseconds timeout) {
    factory_.doStart();
    reactor_.guardedCall([&] { factory_.startedConnecting(); });
    int rc = ::connect(fd_.get(), address.sockaddrPtr(), address.length());
    // EAGAIN is not "in progress": a Unix listener's backlog is full (or, for TCP, no local
    // port is left) and nothing will complete; the socket would look writable and connected.
    if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
        // Reported from the loop, not from inside connectTCP.
        std::error_code reason = connectionErrorFrom(errno);
        timeout_ = reactor_.callLater(std::chrono::nanoseconds(0), [this, reason] { fail(reason); });
        return;
    }
    // A connect to a near host (loopback, the LAN) has often completed by the end of this loop
    // turn: look then, and only one still in progress is watched (two epoll_ctl fewer).
    begun_ = reactor_.now();
    timeout_ = reactor_.callLater(std::chrono::nanoseconds(0), [this, timeout] { firstLook(timeout); });
}

void Connector::firstLook(std::chrono::nanoseconds timeout) {
    if (done_ || settleIfDone()) return;
    if (std::error_code ec = reactor_.watch(fd_.get(), Interest::Write, *this)) return fail(ec);
    // The timeout counts from begin(); no sum of times, which nanoseconds::max() would overflow.
    auto spent = reactor_.now() - begun_;
    timeout_ = reactor_.callLater(timeout > spent ? timeout - spent : std::chrono::nanoseconds(0),
                                  [this] { fail(ConnectionError::TimedOut); });
}

void Connector::writeReady() {
    if (!done_) settleIfDone();
}

// Ends the attempt if the connect has succeeded or failed; false while it is in progress.
bool Connector::settleIfDone() {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) error = errno;
    if (error != 0) {
        fail(connectionErrorFrom(error));
        return true;
    }
    sockaddr_storage sa{};
    socklen_t salen = sizeof sa;
    // Still in progress (or a spurious wake-up: a ready event meant for an earlier fd with the
    // same number): keep waiting.
    if (::getpeername(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &salen) < 0 && errno == ENOTCONN) return false;
    done_ = true;
    if (timeout_.active()) timeout_.cancel();
    reactor_.unwatch(fd_.get());
    Fd fd = std::move(fd_);
    Address peer = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&sa), salen);
    std::unique_ptr<IProtocol> protocol;
    reactor_.guardedCall([&] { protocol = factory_.buildProtocol(peer); });
    if (protocol) {
        StreamConnection::start(reactor_, std::move(fd), std::move(protocol), &factory_);
    } else {  // the factory refused: it still hears how the attempt ended
        reactor_.guardedCall([&] { factory_.clientConnectionFailed(ConnectionError::Aborted); });
        factory_.doStop();
    }
    reactor_.dispose(*this);
    return true;
}

void Connector::fail(std::error_code reason) {
    if (done_) return;
    done_ = true;
    if (timeout_.active()) timeout_.cancel();
    reactor_.unwatch(fd_.get());
    fd_.reset();
    reactor_.guardedCall([&] { factory_.clientConnectionFailed(reason); });
    factory_.doStop();
    reactor_.dispose(*this);
}

void Connector::stopConnecting() { fail(ConnectionError::Aborted); }

// ---------------------------------------------------------------- Reactor entry points

std::unique_ptr<ListeningPort> Reactor::listenTCP(std::uint16_t port, IProtocolFactory& factory, int backlog,
                                                  std::string_view interface) {
    return std::make_unique<ListeningPort>(*this, listenOn(listenAddress(port, interface), backlog), factory, "");
}

std::unique_ptr<ListeningPort> Reactor::listenUNIX(std::string_view path, IProtocolFactory& factory, int backlog) {
    if (path.size() >= sizeof(sockaddr_un::sun_path))
        throw ReactorError(std::make_error_code(std::errc::filename_too_long), "listenUNIX: path too long");
    return std::make_unique<ListeningPort>(*this, listenOn(Address::unixPath(path), backlog), factory, std::string(path));
}

Connector& Reactor::connectTCP(const Address& address, IClientFactory& factory, std::chrono::nanoseconds timeout) {
    auto owned = std::make_unique<Connector>(*this, openSocket(address.sockaddrPtr()->sa_family, SOCK_STREAM), factory);
    Connector& connector = *owned;
    adopt(std::move(owned));
    connector.begin(address, timeout);
    return connector;
}

Connector& Reactor::connectUNIX(std::string_view path, IClientFactory& factory, std::chrono::nanoseconds timeout) {
    if (path.size() >= sizeof(sockaddr_un::sun_path))
        throw ReactorError(std::make_error_code(std::errc::filename_too_long), "connectUNIX: path too long");
    return connectTCP(Address::unixPath(path), factory, timeout);
}

}  // namespace weft
