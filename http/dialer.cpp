// SPDX-License-Identifier: MIT
// http/dialer.cpp: TcpDialer: resolve, then race the addresses. Tests: tests/http/agent_test.cpp
#include "http/dialer.h"

#include "defer/coroutine.h"
#include "dns/happy_eyeballs.h"
#include "protocols/connect_protocol.h"

namespace weft::http {

Deferred<ClientConnection*> TcpDialer::dial(const std::string& host, std::uint16_t port,
                                            std::function<std::unique_ptr<ClientConnection>()> makeConnection,
                                            std::chrono::nanoseconds connectTimeout, std::shared_ptr<Progress> progress) {
    if (progress) progress->step = Step::Dns;
    std::vector<dns::IPAddress> addresses = co_await resolver_.lookupAddress(host);
    if (progress) progress->step = Step::Connect;
    Reactor& reactor = resolver_.reactor();
    auto attempt = [&reactor, port, makeConnection, connectTimeout](const dns::IPAddress& ip) {
        Address to = ip.withPort(port);
        return connectProtocol(
            [&reactor, to, connectTimeout](IClientFactory& f) { reactor.connectTCP(to, f, connectTimeout); },
            makeConnection());
    };
    auto discard = [](ClientConnection*& late) {
        if (late) late->abort();
    };
    co_return co_await dns::happyEyeballs<ClientConnection*>(reactor, addresses, attempt, discard);
}

}  // namespace weft::http
