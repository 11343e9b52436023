// SPDX-License-Identifier: MIT
// Protocol, Factory, ClientFactory: the behaviours of Twisted's test_protocol that apply.
#include "protocols/protocol.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "protocols/string_transport.h"
#include "reactor/errors.h"
#include "tests/protocols/helpers.h"

using weft::testing::bytes;

namespace {

class Recorder : public weft::Protocol {
public:
    explicit Recorder(std::string name = "recorder") : name_(std::move(name)) {}
    void connectionMade() override {
        events.push_back(std::string("made connected=") + (connected_ ? "1" : "0") +
                         " transport=" + (transport_ ? "1" : "0"));
    }
    void dataReceived(std::span<const std::byte> data) override {
        events.push_back("data " + std::string(reinterpret_cast<const char*>(data.data()), data.size()));
    }
    void connectionLost(std::error_code reason) override {
        events.push_back("lost " + reason.message());
        weft::Protocol::connectionLost(reason);
    }
    std::vector<std::string> events;
    std::string name_;
};

}  // namespace

TEST_CASE("makeConnection sets transport_ and connected_, then calls connectionMade") {
    weft::StringTransport transport;
    Recorder p;
    CHECK_FALSE(p.connected());
    CHECK(p.transport() == nullptr);
    p.makeConnection(transport);
    CHECK(p.events == std::vector<std::string>{"made connected=1 transport=1"});
    CHECK(p.connected());
    CHECK(p.transport() == &transport);
    p.dataReceived(bytes("abc"));
    p.connectionLost(weft::ConnectionError::Done);
    CHECK(p.events.back() == "lost connection closed cleanly");
    CHECK_FALSE(p.connected());
    CHECK(p.transport() == nullptr);  // the transport is gone once connectionLost returns
}

TEST_CASE("the base Protocol ignores data") {
    weft::StringTransport transport;
    weft::Protocol p;
    p.makeConnection(transport);
    p.dataReceived(bytes("ignored"));
    CHECK(transport.value().empty());
    CHECK_FALSE(p.readConnectionLost());  // not half-closeable: the transport closes
}

TEST_CASE("Factory::forProtocol builds a new protocol per connection, pointing back at the factory") {
    auto factory = weft::Factory::forProtocol<Recorder>(std::string("named"));
    auto peer = *weft::Address::parse("10.1.2.3", 4567);
    std::unique_ptr<weft::IProtocol> a = factory->buildProtocol(peer);
    std::unique_ptr<weft::IProtocol> b = factory->buildProtocol(peer);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a.get() != b.get());
    auto* recorder = dynamic_cast<Recorder*>(a.get());
    REQUIRE(recorder);
    CHECK(recorder->name_ == "named");
    CHECK(recorder->factory() == factory.get());
}

TEST_CASE("a Factory built from a function sees the peer; one without refuses connections") {
    std::vector<std::string> peers;
    weft::Factory factory([&](const weft::Address& peer) -> std::unique_ptr<weft::Protocol> {
        peers.push_back(peer.toString());
        if (peer.port() == 1) return nullptr;  // refused
        return std::make_unique<Recorder>();
    });
    CHECK(factory.buildProtocol(*weft::Address::parse("::1", 80)) != nullptr);
    CHECK(factory.buildProtocol(*weft::Address::parse("127.0.0.1", 1)) == nullptr);
    CHECK(peers == std::vector<std::string>{"[::1]:80", "127.0.0.1:1"});

    weft::Factory empty;
    CHECK(empty.buildProtocol(weft::Address()) == nullptr);
}

namespace {

class CountingFactory : public weft::Factory {
public:
    int starts = 0;
    int stops = 0;
    void startFactory() override { ++starts; }
    void stopFactory() override { ++stops; }

protected:
    std::unique_ptr<weft::Protocol> makeProtocol(const weft::Address&) override {
        return std::make_unique<Recorder>("made by override");
    }
};

}  // namespace

TEST_CASE("startFactory on the first doStart, stopFactory on the last doStop (Twisted's numPorts)") {
    CountingFactory factory;
    factory.doStart();
    factory.doStart();
    CHECK(factory.starts == 1);
    CHECK(factory.users() == 2);
    factory.doStop();
    CHECK(factory.stops == 0);
    factory.doStop();
    CHECK(factory.stops == 1);
    factory.doStop();  // unbalanced: ignored, as Twisted only warns
    CHECK(factory.stops == 1);
    CHECK(factory.users() == 0);
    factory.doStart();
    CHECK(factory.starts == 2);
}

TEST_CASE("a subclass may build protocols by overriding makeProtocol; factory_ is still set") {
    CountingFactory factory;
    auto protocol = factory.buildProtocol(weft::Address());
    auto* recorder = dynamic_cast<Recorder*>(protocol.get());
    REQUIRE(recorder);
    CHECK(recorder->name_ == "made by override");
    CHECK(recorder->factory() == &factory);
}

namespace {

class Client : public weft::ClientFactory {
public:
    using ClientFactory::ClientFactory;
    std::vector<std::string> events;
    void startedConnecting() override { events.push_back("started"); }
    void clientConnectionFailed(std::error_code reason) override { events.push_back("failed " + reason.message()); }
    void clientConnectionLost(std::error_code reason) override { events.push_back("lost " + reason.message()); }
};

}  // namespace

TEST_CASE("ClientFactory: forProtocol, and the connection outcomes do nothing by default") {
    auto factory = weft::ClientFactory::forProtocol<Recorder>();
    auto protocol = factory->buildProtocol(weft::Address());
    REQUIRE(protocol);
    CHECK(dynamic_cast<Recorder&>(*protocol).factory() == factory.get());
    factory->startedConnecting();
    factory->clientConnectionFailed(weft::ConnectionError::Refused);
    factory->clientConnectionLost(weft::ConnectionError::Done);

    Client client([](const weft::Address&) { return std::make_unique<Recorder>(); });
    weft::IClientFactory& asInterface = client;
    client.startedConnecting();
    asInterface.clientConnectionFailed(weft::ConnectionError::TimedOut);
    asInterface.clientConnectionLost(weft::ConnectionError::Aborted);
    CHECK(client.events == std::vector<std::string>{"started", "failed connection attempt timed out",
                                                    "lost connection aborted"});
    CHECK(asInterface.buildProtocol(weft::Address()) != nullptr);
}
