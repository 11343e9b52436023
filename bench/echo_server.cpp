// SPDX-License-Identifier: MIT
// weft-echo-server --port P: CONTRACT.md "Echo server". Listens on 127.0.0.1:P (backlog 4096)
// and echoes every byte. Each connection is its own producer: past 1 MiB waiting to be
// written it stops reading until the peer catches up, so nothing grows without bound. At the
// fd limit the port pauses accepting (ListeningPort) and keeps serving. Exits on SIGTERM.
#include <csignal>
#include <cstdio>

#include "bench/bench_args.h"
#include "reactor/listening_port.h"
#include "reactor/reactor.h"

namespace {

class Echo final : public weft::IProtocol {
public:
    void makeConnection(weft::ITransport& transport) override {
        transport_ = &transport;
        transport.setWriteBufferLimits(1 << 20, 256 << 10);
        transport.registerProducer(transport);  // a full write buffer pauses our own reading
    }
    void dataReceived(std::span<const std::byte> data) override { transport_->write(data); }
    void connectionLost(std::error_code) override {}

private:
    weft::ITransport* transport_ = nullptr;
};

class EchoFactory final : public weft::IProtocolFactory {
public:
    std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override { return std::make_unique<Echo>(); }
};

}  // namespace

int main(int argc, char** argv) {
    long port = weft::bench::numberFlag(argc, argv, "--port", -1);
    if (port < 0 || port > 65535) {
        std::fprintf(stderr, "usage: weft-echo-server --port P\n");
        return 2;
    }
    weft::Reactor reactor;
    EchoFactory factory;
    auto listening = reactor.listenTCP(static_cast<std::uint16_t>(port), factory, 4096, "127.0.0.1");
    reactor.addSignalHandler(SIGTERM, [&] { reactor.stop(); });
    reactor.addSignalHandler(SIGINT, [&] { reactor.stop(); });
    reactor.run();
    return 0;
}
