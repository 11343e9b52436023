// SPDX-License-Identifier: MIT
// LoopbackPair and connectLoopback: delivery only in pump(), closes, half-closes and aborts
// with the reasons TCP gives, each connectionLost exactly once, and flow control.
#include "protocols/loopback.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/protocol.h"
#include "reactor/errors.h"
#include "tests/protocols/helpers.h"

using weft::ConnectionError;
using weft::LoopbackPair;
using Events = std::vector<std::string>;

namespace {

class Peer : public weft::Protocol {
public:
    Events events;
    std::string received;
    bool echo = false;
    bool halfClose = false;  // readConnectionLost() keeps the connection for writing
    std::function<void(Peer&)> onData;
    int lostCount = 0;

    void connectionMade() override { events.push_back("made"); }
    void dataReceived(std::span<const std::byte> data) override {
        std::string text(reinterpret_cast<const char*>(data.data()), data.size());
        received += text;
        events.push_back("data:" + text);
        if (echo) transport_->write(text);
        if (onData) onData(*this);
    }
    bool readConnectionLost() override {
        events.push_back("readLost");
        return halfClose;
    }
    void connectionLost(std::error_code reason) override {
        ++lostCount;
        events.push_back("lost:" + reason.message());
        weft::Protocol::connectionLost(reason);
    }
    void send(std::string_view text) { transport_->write(text); }
    weft::ITransport& transport() { return *transport_; }
    weft::ITransport* currentTransport() const { return transport_; }
};

const std::string done = "lost:" + std::error_code(ConnectionError::Done).message();
const std::string aborted = "lost:" + std::error_code(ConnectionError::Aborted).message();
const std::string reset = "lost:" + std::error_code(ECONNRESET, std::system_category()).message();

struct CountingProducer : weft::IProducer {
    int pauses = 0, resumes = 0, stops = 0;
    void pauseProducing() override { ++pauses; }
    void resumeProducing() override { ++resumes; }
    void stopProducing() override { ++stops; }
};

}  // namespace

TEST_CASE("connecting calls the server's connectionMade, then the client's; bytes move only in pump()") {
    Peer client, server;
    server.echo = true;
    LoopbackPair pair(client, server);
    CHECK(client.events == Events{"made"});
    CHECK(server.events == Events{"made"});
    client.send("ping");
    client.send("!");
    CHECK(server.received.empty());
    CHECK(pair.clientTransport().bufferedBytes() == 5);
    CHECK(pair.pump());
    CHECK(server.events == Events{"made", "data:ping!"});  // one read of everything buffered
    CHECK(client.received == "ping!");                      // the echo came back in the same pump
    CHECK_FALSE(pair.pump());                               // quiescent
    CHECK_FALSE(pair.closed());
}

TEST_CASE("addresses: each side's host is the other's peer") {
    Peer client, server;
    weft::LoopbackOptions options;
    options.clientAddress = *weft::Address::parse("10.0.0.7", 4242);
    options.serverAddress = *weft::Address::parse("::1", 443);
    LoopbackPair pair(client, server, options);
    CHECK(client.transport().getHost().toString() == "10.0.0.7:4242");
    CHECK(client.transport().getPeer().toString() == "[::1]:443");
    CHECK(server.transport().getHost().toString() == "[::1]:443");
    CHECK(server.transport().getPeer().toString() == "10.0.0.7:4242");
    LoopbackPair other(client, server);
    CHECK(other.clientTransport().getPeer().toString() == "127.0.0.1:8080");
}

TEST_CASE("loseConnection: buffered bytes first, then Done on both sides, exactly once") {
    Peer client, server;
    LoopbackPair pair(client, server);
    client.send("last words");
    client.transport().loseConnection();
    client.transport().loseConnection();  // twice is once
    client.send("ignored: written after loseConnection");
    CHECK(client.lostCount == 0);  // not from inside the call
    pair.pump();
    CHECK(server.events == Events{"made", "data:last words", "readLost", done});
    CHECK(client.events == Events{"made", done});
    CHECK(client.lostCount == 1);
    CHECK(server.lostCount == 1);
    CHECK(pair.closed());
    CHECK(pair.clientTransport().lostReason() == ConnectionError::Done);
    CHECK(client.currentTransport() == nullptr);  // Protocol forgot it in connectionLost
    pair.clientTransport().write(std::string_view("after"));  // a closed transport ignores writes
    CHECK_FALSE(pair.pump());
}

TEST_CASE("the peer's readConnectionLost() returning false closes it after its own buffer is sent") {
    Peer client, server;
    server.onData = [](Peer& p) { p.send("reply"); };
    LoopbackPair pair(client, server);
    client.send("request");
    client.transport().loseWriteConnection();  // half-close: the client keeps reading
    pair.pump();
    CHECK(server.events == Events{"made", "data:request", "readLost", done});
    CHECK(client.events == Events{"made", "data:reply", done});
    CHECK(pair.closed());
}

TEST_CASE("half-close: a half-closeable peer keeps writing until it closes too") {
    Peer client, server;
    server.halfClose = true;
    LoopbackPair pair(client, server);
    client.transport().loseWriteConnection();
    pair.pump();
    CHECK(server.events == Events{"made", "readLost"});
    CHECK(client.events == Events{"made"});
    server.send("still talking");
    pair.pump();
    CHECK(client.received == "still talking");
    server.transport().loseConnection();
    pair.pump();
    CHECK(client.events == Events{"made", "data:still talking", done});  // FIN on a write-closed side
    CHECK(server.events == Events{"made", "readLost", done});
    CHECK(client.lostCount == 1);
    CHECK(server.lostCount == 1);
}

TEST_CASE("a half-closeable side whose peer closed fully writes into the void until it closes") {
    Peer client, server;
    client.halfClose = true;
    LoopbackPair pair(client, server);
    server.transport().loseConnection();
    pair.pump();
    CHECK(server.events == Events{"made", done});
    CHECK(client.events == Events{"made", "readLost"});
    client.send("nobody reads this");
    pair.pump();
    CHECK(server.received.empty());
    client.transport().loseConnection();
    pair.pump();
    CHECK(client.events == Events{"made", "readLost", done});
}

TEST_CASE("abortConnection: Aborted here, a reset there, buffered bytes dropped both ways") {
    Peer client, server;
    LoopbackPair pair(client, server);
    client.send("dropped");
    server.send("also dropped");
    client.transport().abortConnection();
    client.transport().abortConnection();
    client.transport().loseConnection();
    pair.pump();
    CHECK(client.events == Events{"made", aborted});
    CHECK(server.events == Events{"made", reset});
    CHECK(pair.serverTransport().lostReason() == std::errc::connection_reset);
    CHECK(pair.clientTransport().lostReason() == ConnectionError::Aborted);
    CHECK_FALSE(weft::isCleanClose(pair.clientTransport().lostReason()));
    CHECK(client.lostCount == 1);
    CHECK(server.lostCount == 1);
}

TEST_CASE("both sides closing at once: each connectionLost exactly once") {
    Peer client, server;
    LoopbackPair pair(client, server);
    client.transport().loseConnection();
    server.transport().loseConnection();
    pair.pump();
    CHECK(client.lostCount == 1);
    CHECK(server.lostCount == 1);

    Peer a, b;
    LoopbackPair aborts(a, b);
    a.transport().abortConnection();
    b.transport().abortConnection();
    aborts.pump();
    CHECK(a.events.back() == aborted);
    CHECK(b.events.back() == reset);  // the client's abort is seen first: b is reset, once
    CHECK(a.lostCount + b.lostCount == 2);
}

TEST_CASE("a side that paused reading gets nothing, end-of-stream included, until it resumes") {
    Peer client, server;
    LoopbackPair pair(client, server);
    server.transport().pauseProducing();
    CHECK(pair.serverTransport().readPaused());
    client.send("held");
    client.transport().loseConnection();
    pair.pump();
    CHECK(server.events == Events{"made"});
    CHECK(pair.clientTransport().bufferedBytes() == 4);
    CHECK(client.events == Events{"made"});  // its buffer could not be sent: still closing
    server.transport().resumeProducing();
    pair.pump();
    CHECK(server.events == Events{"made", "data:held", "readLost", done});
    CHECK(client.events == Events{"made", done});
}

TEST_CASE("a registered producer is paused above the high-water mark and resumed at the low one") {
    Peer client, server;
    LoopbackPair pair(client, server);
    CountingProducer producer;
    auto& out = pair.clientTransport();
    out.setWriteBufferLimits(10, 4);
    out.registerProducer(producer);
    CHECK_THROWS_AS(out.registerProducer(producer), std::logic_error);
    server.transport().pauseProducing();
    client.send("0123456789");  // 10: not above the mark
    CHECK(producer.pauses == 0);
    client.send("x");
    CHECK(producer.pauses == 1);
    CHECK(out.producerPaused());
    client.send("more");  // paused already: not paused again
    CHECK(producer.pauses == 1);
    pair.pump();
    CHECK(producer.resumes == 0);  // nothing drained
    server.transport().resumeProducing();
    pair.pump();
    CHECK(producer.resumes == 1);
    CHECK(server.received == "0123456789xmore");
    out.unregisterProducer();
    client.transport().loseConnection();
    pair.pump();
    CHECK(producer.stops == 0);  // unregistered before the end
}

TEST_CASE("a producer still registered when the connection goes is stopped, before connectionLost") {
    Peer client, server;
    LoopbackPair pair(client, server);
    CountingProducer producer;
    pair.serverTransport().registerProducer(producer);
    pair.clientTransport().abortConnection();
    pair.pump();
    CHECK(producer.stops == 1);
}

TEST_CASE("stopProducing on a transport closes it; setTcpNoDelay is recorded") {
    Peer client, server;
    LoopbackPair pair(client, server);
    client.transport().setTcpNoDelay(true);
    CHECK(pair.clientTransport().tcpNoDelay());
    client.transport().stopProducing();
    pair.pump();
    CHECK(client.events.back() == done);
    CHECK(server.events.back() == done);
}

TEST_CASE("pump() from inside a callback does nothing; endless chatter is a logic error") {
    Peer client, server;
    std::unique_ptr<LoopbackPair> pair;
    bool nested = true;
    server.onData = [&](Peer&) { nested = pair->pump(); };
    pair = std::make_unique<LoopbackPair>(client, server);
    client.send("x");
    pair->pump();
    CHECK_FALSE(nested);

    Peer ping, pong;
    ping.echo = true;
    pong.echo = true;
    weft::LoopbackOptions options;
    options.maxRounds = 50;
    LoopbackPair chatter(ping, pong, options);
    ping.send("ball");
    CHECK_THROWS_AS(chatter.pump(), std::logic_error);
    ping.transport().abortConnection();
    chatter.pump();  // usable again after the throw
    CHECK(chatter.closed());
}

TEST_CASE("the owning constructor keeps the protocols alive as long as the pair") {
    auto client = std::make_unique<Peer>();
    auto server = std::make_unique<Peer>();
    server->echo = true;
    Peer* c = client.get();
    LoopbackPair pair(std::move(client), std::move(server));
    c->send("mine");
    pair.pump();
    CHECK(c->received == "mine");
    CHECK(&pair.clientProtocol() == c);
    CHECK(dynamic_cast<Peer&>(pair.serverProtocol()).received == "mine");
}

namespace {

class Dialer : public weft::ClientFactory {
public:
    using ClientFactory::ClientFactory;
    Events events;
    void startFactory() override { events.push_back("start"); }
    void stopFactory() override { events.push_back("stop"); }
    void clientConnectionFailed(std::error_code reason) override { events.push_back("failed:" + reason.message()); }
    void clientConnectionLost(std::error_code reason) override { events.push_back("lost:" + reason.message()); }
};

}  // namespace

TEST_CASE("connectLoopback plays connectTCP: builds both protocols, reports the end to the client factory") {
    auto serverFactory = weft::Factory::forProtocol<Peer>();
    Dialer dialer([](const weft::Address&) { return std::make_unique<Peer>(); });
    std::unique_ptr<LoopbackPair> pair = weft::connectLoopback(dialer, *serverFactory);
    REQUIRE(pair);
    CHECK(dialer.events == Events{"start"});
    auto& client = dynamic_cast<Peer&>(pair->clientProtocol());
    CHECK(client.factory() == &dialer);
    CHECK(dynamic_cast<Peer&>(pair->serverProtocol()).factory() == serverFactory.get());
    client.transport().loseConnection();
    pair->pump();
    CHECK(dialer.events == Events{"start", done, "stop"});
}

TEST_CASE("connectLoopback: a refusing factory means clientConnectionFailed(Refused) and no pair") {
    weft::Factory refusing;  // no builder: refuses every connection
    Dialer dialer([](const weft::Address&) { return std::make_unique<Peer>(); });
    CHECK(weft::connectLoopback(dialer, refusing) == nullptr);
    CHECK(dialer.events == Events{"start", "failed:connection refused", "stop"});

    auto serverFactory = weft::Factory::forProtocol<Peer>();
    Dialer empty;
    CHECK(weft::connectLoopback(empty, *serverFactory) == nullptr);
    CHECK(empty.events == Events{"start", "failed:connection refused", "stop"});
}
