// SPDX-License-Identifier: MIT
// dns/nameserver_query.cpp: the tries of one question: UDP sockets, the TCP fallback, timers.
// Tests: tests/dns/resolver_test.cpp
#include "dns/nameserver_query.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "dns/tcp_exchange.h"
#include "reactor/fd.h"

namespace weft::dns {
namespace {

using std::chrono::nanoseconds;

enum class Verdict { Ignore, Accept, Malformed };

class Query;

// The UDP socket of the current try: the reactor calls it, it hands datagrams to the query.
class UdpTry final : public FdHandler {
public:
    UdpTry(Query& query, Reactor& reactor) : query_(query), reactor_(reactor) {}
    void readReady() override;
    void writeReady() override {}
    std::unique_ptr<UdpSocket> socket;  // none between tries

private:
    Query& query_;
    Reactor& reactor_;
};

class Query final : public std::enable_shared_from_this<Query> {
public:
    Query(Reactor& reactor, QueryIds& ids, UdpSockets& sockets, std::string name, RecordType type,
          std::shared_ptr<const ServerPolicy> policy, std::size_t firstServer)
        : reactor_(reactor), ids_(ids), sockets_(sockets), name_(std::move(name)), type_(type), policyRef_(std::move(policy)),
          policy_(*policyRef_), udp_(*this, reactor), firstServer_(firstServer),
          serverIndex_(policy_.servers.empty() ? 0 : firstServer % policy_.servers.size()) {}
    ~Query() { closeUdp(); }

    Deferred<Reply> start(nanoseconds deadline) {
        // The canceller runs only while the result is uncalled, when self_ keeps the query alive.
        result_ = Deferred<Reply>([this](Deferred<Reply>&) { finish(Failure(CancelledError())); });
        self_ = shared_from_this();
        deadlineAt_ = reactor_.now() + deadline;  // one timer serves tries and the deadline
        auto result = result_;  // finish() may run inside tryNext() and drop self_
        if (policy_.servers.empty()) finish(Failure(NoNameservers(name_)));
        else send();
        return result;
    }

    void datagram(std::span<const std::byte> bytes) {
        Message message;
        switch (check(bytes, message)) {
            case Verdict::Ignore: return;  // not ours: keep waiting for the real answer
            case Verdict::Malformed: return tryNext();
            case Verdict::Accept:
                releaseUdp();  // a clean exchange: the socket can serve another try
                return accept(std::move(message), /*overTcp=*/false);
        }
    }
    void udpError(int error) {
        last_ = Failure(Timeout(name_, serverName(), error == ECONNREFUSED ? "port unreachable" : std::strerror(error)));
        tryNext();
    }
    void tcpReply(std::string_view bytes) {
        Message message;
        auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
        switch (check(span, message)) {
            case Verdict::Ignore:
                last_ = Failure(ServerFailure(name_, serverName(), "TCP answer for another question"));
                return tryNext();
            case Verdict::Malformed: return tryNext();
            case Verdict::Accept: return accept(std::move(message), /*overTcp=*/true);
        }
    }
    void tcpFailed(const std::string& why) {
        last_ = Failure(Timeout(name_, serverName(), "TCP: " + why));
        tryNext();
    }

    [[nodiscard]] const Address& server() const { return policy_.servers[serverIndex_]; }

private:
    [[nodiscard]] std::string serverName() const {
        if (policy_.servers.empty()) return "";
        if (serverIndex_ < policy_.serverNames.size()) return policy_.serverNames[serverIndex_];
        return server().toString();
    }
    [[nodiscard]] bool ednsFor() const {
        return policy_.ednsPayload && !(noEdns_ >> std::min<std::size_t>(serverIndex_, 63) & 1);
    }

    Verdict check(std::span<const std::byte> bytes, Message& message) {
        if (bytes.size() < 12) return Verdict::Ignore;
        auto byte = [&](std::size_t i) { return static_cast<unsigned>(bytes[i]); };
        if ((byte(0) << 8 | byte(1)) != id_ || !(byte(2) & 0x80)) return Verdict::Ignore;
        try {
            message = decodeMessage(bytes);
        } catch (const MalformedMessage& e) {
            last_ = Failure(MalformedMessage(e.reason(), e.offset(), name_, serverName()));
            return Verdict::Malformed;
        }
        if (message.questions.size() == 1) {
            const auto& q = message.questions[0];
            if (q.type == type_ && q.klass == kClassIN && namesEqual(q.name, name_)) return Verdict::Accept;
            return Verdict::Ignore;
        }
        // Servers that do not understand a query may answer without repeating it.
        auto rcode = message.header.rcode;
        if (message.questions.empty() && rcode != Rcode::NoError && rcode != Rcode::NXDomain) return Verdict::Accept;
        return Verdict::Ignore;
    }

    void accept(Message message, bool overTcp) {
        const auto rcode = message.header.rcode;
        if (message.header.truncated && !overTcp && rcode == Rcode::NoError) return sendTcp();
        switch (rcode) {
            case Rcode::NoError:
            case Rcode::NXDomain:
                return finish(Reply{std::move(message), server(), serverName()});
            case Rcode::FormErr:
                if (ednsFor()) {  // an old server that does not know EDNS (RFC 6891 §7)
                    noEdns_ |= std::uint64_t{1} << std::min<std::size_t>(serverIndex_, 63);
                    return send();
                }
                last_ = Failure(ServerFailure(name_, serverName(), "format error"));
                return tryNext();
            case Rcode::Refused:
                last_ = Failure(Refused(name_, serverName()));
                return tryNext();
            case Rcode::ServFail:
                last_ = Failure(ServerFailure(name_, serverName()));
                return tryNext();
            default:
                last_ = Failure(ServerFailure(name_, serverName(), "rcode " + std::to_string(static_cast<int>(rcode))));
                return tryNext();
        }
    }

    // The next try goes to the next server; each round through them waits twice as long.
    void tryNext() {
        closeUdp();
        tcp_.reset();
        const auto count = policy_.servers.size();
        if (++tryNumber_ >= static_cast<std::size_t>(std::max(policy_.attempts, 1)) * count) {
            return finish(last_ ? std::move(*last_) : Failure(Timeout(name_, serverName())));
        }
        serverIndex_ = (firstServer_ + tryNumber_) % count;
        send();
    }

    nanoseconds tryTimeout() const {
        auto round = tryNumber_ / policy_.servers.size();
        return policy_.attemptTimeout * (1 << std::min<std::size_t>(round, 4));
    }

    // The try's timeout, or the deadline if that comes first.
    void armTryTimer() {
        if (tryTimer_.active()) tryTimer_.cancel();
        auto timeout = tryTimeout();
        auto wait = std::min(timeout, std::max(deadlineAt_ - reactor_.now(), nanoseconds(0)));
        // `this` (small enough for std::function to hold without allocating) is alive while the
        // call is pending: only finish() lets go of the query, and it cancels the call first.
        tryTimer_ = reactor_.callLater(wait, [this, timeout] {
            auto keep = shared_from_this();
            if (reactor_.now() >= deadlineAt_) return finish(Failure(Timeout(name_, serverName(), "deadline passed")));
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
            last_ = Failure(Timeout(name_, serverName(), "no answer in " + std::to_string(ms) + " ms"));
            tryNext();
        });
    }

    void send() {
        if (policy_.tcpOnly) return sendTcp();
        closeUdp();
        id_ = ids_.next();
        std::vector<std::byte> query;
        try {
            query = encodeQuery(id_, name_, type_, ednsFor() ? policy_.ednsPayload : std::nullopt);
        } catch (...) {
            return finish(Failure::current());
        }
        const Address& to = server();
        try {
            udp_.socket = sockets_.take(to.sockaddrPtr()->sa_family);
        } catch (...) {
            return finish(Failure::current());
        }
        const int fd = udp_.socket->fd.get();
#if defined(IP_RECVERR) && defined(IPV6_RECVERR)
        // No connect(): sendto() binds the socket to an ephemeral port the kernel picks at
        // random just the same, a syscall cheaper; readReady() drops datagrams from anyone but
        // the server. The socket reports ICMP errors unconnected (udp_sockets.cpp).
        if (::sendto(fd, query.data(), query.size(), 0, to.sockaddrPtr(), to.length()) < 0) return udpError(errno);
#else
        // Elsewhere only a connected socket hears of ICMP errors: connect() binds the port.
        if (::connect(fd, to.sockaddrPtr(), to.length()) != 0 || ::send(fd, query.data(), query.size(), 0) < 0) {
            return udpError(errno);
        }
#endif
        // A socket registers with the reactor once and stays registered in the pool, so most
        // tries only point it at themselves (no syscall) and the loop says when the answer is
        // there.
        if (auto error = reactor_.watch(fd, Interest::Read, udp_)) return finish(Failure(std::system_error(error, "watch")));
        udp_.socket->watched = true;
        armTryTimer();
    }

    void sendTcp() {
        closeUdp();
        id_ = ids_.next();
        std::vector<std::byte> query;
        try {
            query = encodeQuery(id_, name_, type_, ednsFor() ? policy_.ednsPayload : std::nullopt);
        } catch (...) {
            return finish(Failure::current());
        }
        std::weak_ptr<Query> weak = weak_from_this();
        tcp_ = std::make_unique<TcpExchange>(reactor_, server(), std::move(query), tryTimeout(),
            [weak](std::string_view reply) { if (auto self = weak.lock()) self->tcpReply(reply); },
            [weak](const std::string& why) { if (auto self = weak.lock()) self->tcpFailed(why); });
        armTryTimer();
    }

    void closeUdp() noexcept { sockets_.close(std::move(udp_.socket)); }
    void releaseUdp() noexcept { sockets_.giveBack(std::move(udp_.socket)); }

    template <class R>
    void finish(R&& outcome) {
        if (done_) return;
        done_ = true;
        auto keep = std::move(self_);
        closeUdp();
        tcp_.reset();
        if (tryTimer_.active()) tryTimer_.cancel();
        if constexpr (std::is_same_v<std::decay_t<R>, Failure>) result_.errback(std::forward<R>(outcome));
        else result_.callback(std::forward<R>(outcome));
    }

    Reactor& reactor_;
    QueryIds& ids_;
    UdpSockets& sockets_;
    std::string name_;
    RecordType type_;
    std::shared_ptr<const ServerPolicy> policyRef_;
    const ServerPolicy& policy_;
    std::uint64_t noEdns_ = 0;  // by server index: those that answered FORMERR to EDNS
    UdpTry udp_;
    std::unique_ptr<TcpExchange> tcp_;
    Deferred<Reply> result_;
    std::shared_ptr<Query> self_;  // alive while asking; the reactor holds only raw pointers
    DelayedCall tryTimer_;
    nanoseconds deadlineAt_{0};
    std::optional<Failure> last_;
    std::size_t firstServer_ = 0;
    std::size_t serverIndex_ = 0;
    std::size_t tryNumber_ = 0;
    std::uint16_t id_ = 0;
    bool done_ = false;
};

void UdpTry::readReady() {
    auto keep = query_.shared_from_this();
    // A few datagrams per wake-up: enough to drain strays without starving other sockets.
    for (int i = 0; i < 8 && socket; ++i) {
        std::span<std::byte> buffer = reactor_.readBuffer();  // 64 KiB: any datagram fits
        sockaddr_storage from{};
        socklen_t fromLength = sizeof from;
        ssize_t n = ::recvfrom(socket->fd.get(), buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                               &fromLength);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            return query_.udpError(errno);
        }
        if (!(Address::fromSockaddr(reinterpret_cast<const sockaddr*>(&from), fromLength) == query_.server())) continue;
        query_.datagram(buffer.first(static_cast<std::size_t>(n)));
    }
}

}  // namespace

Deferred<Reply> askNameservers(Reactor& reactor, QueryIds& ids, UdpSockets& sockets, std::string name,
                               RecordType type, std::shared_ptr<const ServerPolicy> policy, std::size_t firstServer,
                               std::chrono::nanoseconds deadline) {
    auto query = std::make_shared<Query>(reactor, ids, sockets, std::move(name), type, std::move(policy), firstServer);
    return query->start(deadline);
}

}  // namespace weft::dns
