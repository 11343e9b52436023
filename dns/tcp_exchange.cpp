// SPDX-License-Identifier: MIT
// dns/tcp_exchange.cpp: the TCP fallback as a length-prefixed protocol.
// Tests: tests/dns/resolver_test.cpp
#include "dns/tcp_exchange.h"

#include "protocols/connect_protocol.h"
#include "protocols/length_prefixed.h"

namespace weft::dns {

// What the exchange and its protocol share: the exchange may go first (cancelled), the
// protocol may outlive it until its connection is aborted.
struct TcpExchange::Shared {
    OnReply onReply;
    OnFailure onFailure;
    ITransport* transport = nullptr;  // while connected
    bool done = false;

    void fail(const std::string& why) {
        if (done) return;
        done = true;
        onFailure(why);
    }
};

namespace {

class DnsOverTcp final : public Int16StringReceiver {
public:
    DnsOverTcp(std::shared_ptr<TcpExchange::Shared> shared, std::vector<std::byte> query)
        : Int16StringReceiver(65535), shared_(std::move(shared)), query_(std::move(query)) {}

    void connectionMade() override {
        if (shared_->done) return transport()->abortConnection();  // the exchange gave up meanwhile
        shared_->transport = transport();
        sendString(std::string_view(reinterpret_cast<const char*>(query_.data()), query_.size()));
    }
    void stringReceived(std::string_view reply) override {
        if (shared_->done) return;
        shared_->done = true;
        auto shared = shared_;
        std::string copy(reply);  // the view goes with the connection's buffer
        transport()->loseConnection();
        shared->onReply(copy);
    }
    void connectionLost(std::error_code reason) override {
        Int16StringReceiver::connectionLost(reason);
        shared_->transport = nullptr;
        shared_->fail("connection closed before the answer: " + reason.message());
    }

private:
    std::shared_ptr<TcpExchange::Shared> shared_;
    std::vector<std::byte> query_;
};

}  // namespace

TcpExchange::TcpExchange(Reactor& reactor, const Address& server, std::vector<std::byte> query,
                         std::chrono::nanoseconds connectTimeout, OnReply onReply, OnFailure onFailure)
    : shared_(std::make_shared<Shared>(Shared{std::move(onReply), std::move(onFailure)})) {
    auto shared = shared_;
    connectProtocol([&](IClientFactory& factory) { reactor.connectTCP(server, factory, connectTimeout); },
                    std::make_unique<DnsOverTcp>(shared_, std::move(query)))
        .addErrback([shared](Failure& failure) -> DnsOverTcp* {
            if (!failure.check<CancelledError>()) shared->fail(failure.message());
            return nullptr;
        });
}

TcpExchange::~TcpExchange() {
    shared_->done = true;
    if (shared_->transport) shared_->transport->abortConnection();
}

}  // namespace weft::dns
