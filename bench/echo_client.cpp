// SPDX-License-Identifier: MIT
// weft-echo-client: CONTRACT.md "Echo client", on weft's reactor.
//   --host H --port P --connections N --seconds T --size B   -> roundtrips=R seconds=S
//     N connections are opened first (untimed, TCP_NODELAY); then each sends B bytes, waits
//     for B bytes back and sends again, until T seconds have passed.
//   --host H --port P --bulk BYTES                             -> bytes=N seconds=S
//     one connection sends BYTES in chunks under flow control while reading the echo.
// Exits non-zero if any connection failed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "reactor/reactor.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
    weft::Reactor reactor;
    long connected = 0;
    long failed = 0;
    long roundtrips = 0;
    bool measuring = false;
    bool stopping = false;
};

class PingPong final : public weft::IProtocol {
public:
    PingPong(Run& run, std::size_t size) : run_(run), message_(size, 'x') {}
    void makeConnection(weft::ITransport& transport) override {
        transport_ = &transport;
        transport.setTcpNoDelay(true);
        ++run_.connected;
    }
    void send() {
        received_ = 0;
        transport_->write(std::string_view(message_));
    }
    void dataReceived(std::span<const std::byte> data) override {
        received_ += data.size();
        if (received_ < message_.size()) return;
        if (run_.measuring) ++run_.roundtrips;
        if (!run_.stopping) send();
    }
    void connectionLost(std::error_code reason) override {
        if (!run_.stopping) {
            std::fprintf(stderr, "weft-echo-client: connection lost: %s\n", reason.message().c_str());
            ++run_.failed;
        }
    }

private:
    Run& run_;
    std::string message_;
    weft::ITransport* transport_ = nullptr;
    std::size_t received_ = 0;
};

class Bulk final : public weft::IProtocol, public weft::IProducer {
public:
    Bulk(Run& run, long total) : run_(run), total_(total), chunk_(256 * 1024, 'b') {}
    void makeConnection(weft::ITransport& transport) override {
        transport_ = &transport;
        transport.setWriteBufferLimits(4 << 20, 1 << 20);
        transport.registerProducer(*this);
        ++run_.connected;
    }
    void start() {
        started_ = Clock::now();
        resumeProducing();
    }
    void pauseProducing() override { paused_ = true; }
    void resumeProducing() override {
        paused_ = false;
        while (!paused_ && sent_ < total_) {
            long n = std::min<long>(static_cast<long>(chunk_.size()), total_ - sent_);
            sent_ += n;
            transport_->write(std::string_view(chunk_.data(), static_cast<std::size_t>(n)));
        }
    }
    void stopProducing() override {}
    void dataReceived(std::span<const std::byte> data) override {
        received_ += static_cast<long>(data.size());
        if (received_ >= total_) {
            seconds_ = std::chrono::duration<double>(Clock::now() - started_).count();
            run_.stopping = true;
            transport_->loseConnection();
            run_.reactor.stop();
        }
    }
    void connectionLost(std::error_code reason) override {
        if (!run_.stopping) {
            std::fprintf(stderr, "weft-echo-client: bulk connection lost: %s\n", reason.message().c_str());
            ++run_.failed;
            run_.reactor.stop();
        }
    }
    long received_ = 0;
    double seconds_ = 0;

private:
    Run& run_;
    long total_;
    std::string chunk_;
    weft::ITransport* transport_ = nullptr;
    long sent_ = 0;
    bool paused_ = true;
    Clock::time_point started_;
};

template <class P>
class Dialer final : public weft::IClientFactory {
public:
    Dialer(Run& run, std::function<std::unique_ptr<P>()> make) : run_(run), make_(std::move(make)) {}
    std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override {
        auto p = make_();
        made.push_back(p.get());
        return p;
    }
    void clientConnectionFailed(std::error_code reason) override {
        std::fprintf(stderr, "weft-echo-client: connect failed: %s\n", reason.message().c_str());
        ++run_.failed;
    }
    std::vector<P*> made;

private:
    Run& run_;
    std::function<std::unique_ptr<P>()> make_;
};

// Runs the loop until `done` or until a connection failed; false if the deadline passed first.
bool runUntil(Run& run, const std::function<bool()>& done, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    while (!done() && run.failed == 0 && Clock::now() < deadline) run.reactor.iterate(std::chrono::milliseconds(50));
    return done();
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = weft::bench::flag(argc, argv, "--host", "127.0.0.1");
    long port = weft::bench::numberFlag(argc, argv, "--port", -1);
    long bulk = weft::bench::numberFlag(argc, argv, "--bulk", -1);
    auto address = weft::Address::parse(host, static_cast<std::uint16_t>(port < 0 ? 0 : port));
    if (!address || port <= 0 || port > 65535) {
        std::fprintf(stderr, "usage: weft-echo-client --host IP --port P (--connections N --seconds T --size B | --bulk BYTES)\n");
        return 2;
    }
    Run run;
    if (bulk >= 0) {
        Dialer<Bulk> dialer(run, [&] { return std::make_unique<Bulk>(run, bulk); });
        run.reactor.connectTCP(*address, dialer);
        if (!runUntil(run, [&] { return run.connected == 1; }, std::chrono::seconds(10))) return 1;
        dialer.made[0]->start();
        run.reactor.run();
        if (run.failed) return 1;
        std::printf("bytes=%ld seconds=%.6f\n", dialer.made[0]->received_, dialer.made[0]->seconds_);
        return 0;
    }
    long connections = weft::bench::numberFlag(argc, argv, "--connections", 1);
    double seconds = std::strtod(weft::bench::flag(argc, argv, "--seconds", "2").c_str(), nullptr);
    if (!(seconds > 0)) {
        std::fprintf(stderr, "weft-echo-client: --seconds wants a positive number\n");
        return 2;
    }
    long size = weft::bench::numberFlag(argc, argv, "--size", 64);
    Dialer<PingPong> dialer(run, [&] { return std::make_unique<PingPong>(run, static_cast<std::size_t>(size)); });
    for (long i = 0; i < connections; ++i) run.reactor.connectTCP(*address, dialer);
    if (!runUntil(run, [&] { return run.connected == connections; }, std::chrono::seconds(30))) {
        std::fprintf(stderr, "weft-echo-client: %ld of %ld connections made\n", run.connected, connections);
        return 1;
    }
    run.measuring = true;
    auto start = Clock::now();
    for (PingPong* p : dialer.made) p->send();
    run.reactor.callLater(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds)), [&] {
        run.stopping = true;
        run.reactor.stop();
    });
    run.reactor.run();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (run.failed) return 1;
    std::printf("roundtrips=%ld seconds=%.6f\n", run.roundtrips, elapsed);
    return 0;
}
