// SPDX-License-Identifier: MIT
// connectProtocol: the Deferred fires with the protocol after connectionMade, fails with
// ConnectError, cancels, and the factory lives exactly as long as a connector may use it.
#include "protocols/connect_protocol.h"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "defer/coroutine.h"
#include "protocols/line_receiver.h"
#include "protocols/loopback.h"
#include "protocols/protocol.h"
#include "protocols/string_transport.h"
#include "reactor/errors.h"
#include "tests/defer/helpers.h"
#include "tests/protocols/helpers.h"

using weft::ConnectionError;
using weft::Deferred;
using weft::Failure;
using weft::IClientFactory;
using weft::testing::bytes;
using weft::testing::UnhandledErrors;

namespace {

class Client : public weft::Protocol {
public:
    std::vector<std::string> events;
    bool halfClose = false;
    void connectionMade() override { events.push_back("made"); }
    void dataReceived(std::span<const std::byte> data) override {
        events.push_back("data:" + std::string(reinterpret_cast<const char*>(data.data()), data.size()));
    }
    bool readConnectionLost() override {
        events.push_back("readLost");
        return halfClose;
    }
    void connectionLost(std::error_code reason) override {
        events.push_back("lost:" + reason.message());
        weft::Protocol::connectionLost(reason);
    }
};

class Echo : public weft::LineReceiver {
    void lineReceived(std::string_view line) override { sendLine(line); }
};

// Plays a connector by hand: holds the factory it was given.
struct ManualConnector {
    IClientFactory* factory = nullptr;
    auto dial() {
        return [this](IClientFactory& f) { factory = &f; };
    }
};

std::error_code reasonOf(const Failure& failure) {
    try {
        failure.raise();
    } catch (const weft::ConnectError& e) {
        return e.reason();
    } catch (...) {  // not a ConnectError: no reason to give, the caller's CHECK fails
    }
    return {};
}

}  // namespace

TEST_CASE("the Deferred fires with the protocol once connectionMade has run") {
    ManualConnector connector;
    Deferred<Client*> d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
    REQUIRE(connector.factory);
    CHECK_FALSE(d.called());
    std::unique_ptr<weft::IProtocol> built = connector.factory->buildProtocol(weft::Address());
    REQUIRE(built);
    CHECK_FALSE(d.called());  // built is not connected
    weft::StringTransport transport;
    std::vector<std::string> seenByCallback;
    d.addCallback([&](Client* c) {
        seenByCallback = c->events;
        CHECK(c->transport() == &transport);
        return c;
    });
    built->makeConnection(transport);
    CHECK(seenByCallback == std::vector<std::string>{"made"});
    Client* client = d.result().value();

    built->dataReceived(bytes("hi"));       // everything reaches the protocol
    CHECK_FALSE(built->readConnectionLost());
    built->connectionLost(ConnectionError::Done);
    CHECK(client->events == std::vector<std::string>{"made", "data:hi", "readLost", "lost:connection closed cleanly"});
    connector.factory->clientConnectionLost(ConnectionError::Done);  // after firing: nothing changes
    CHECK(d.result().value() == client);
    CHECK(connector.factory->buildProtocol(weft::Address()) == nullptr);  // one protocol, one connection
}

TEST_CASE("over a loopback connection, end to end") {
    auto echoFactory = weft::Factory::forProtocol<Echo>();
    std::unique_ptr<weft::LoopbackPair> wire;
    auto d = weft::connectProtocol(
        [&](IClientFactory& f) { wire = weft::connectLoopback(f, *echoFactory); }, std::make_unique<Client>());
    REQUIRE(d.called());
    Client* client = d.result().value();
    client->transport()->write(std::string_view("abc\r\n"));
    wire->pump();
    CHECK(client->events == std::vector<std::string>{"made", "data:abc\r\n"});
    client->transport()->loseConnection();
    wire->pump();
    CHECK(wire->closed());
    CHECK(client->events.back() == "lost:connection closed cleanly");
}

TEST_CASE("a failed connection fails the Deferred with ConnectError carrying the reason") {
    weft::Factory refusing;
    std::unique_ptr<weft::LoopbackPair> wire;
    auto d = weft::connectProtocol([&](IClientFactory& f) { wire = weft::connectLoopback(f, refusing); },
                                   std::make_unique<Client>());
    CHECK(wire == nullptr);
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<weft::ConnectError>());
    CHECK(reasonOf(d.result().failure()) == ConnectionError::Refused);
    d.addErrback([](Failure& f) -> Client* {
        f.trap<weft::ConnectError>();
        return nullptr;
    });
}

TEST_CASE("with Twisted's order: clientConnectionFailed, then doStop, the factory is still there") {
    ManualConnector connector;
    auto d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
    connector.factory->doStart();
    connector.factory->clientConnectionFailed(ConnectionError::TimedOut);
    connector.factory->doStop();  // ASan: no use after free here
    CHECK(reasonOf(d.result().failure()) == ConnectionError::TimedOut);
    d.addErrback([](Failure&) -> Client* { return nullptr; });
}

TEST_CASE("a connection that ends before it was made is a ConnectError too") {
    ManualConnector connector;
    auto d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
    connector.factory->clientConnectionLost(std::error_code(ECONNRESET, std::system_category()));
    CHECK(reasonOf(d.result().failure()) == std::errc::connection_reset);
    d.addErrback([](Failure&) -> Client* { return nullptr; });
}

TEST_CASE("if connect throws, the Deferred fails with that") {
    auto d = weft::connectProtocol([](IClientFactory&) { throw std::runtime_error("bad address"); },
                                   std::make_unique<Client>());
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<std::runtime_error>());
    CHECK(d.result().failure().message() == "bad address");
    d.addErrback([](Failure&) -> Client* { return nullptr; });
}

TEST_CASE("cancel before the connection: CancelledError, and a connection made later is aborted") {
    ManualConnector connector;
    auto d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
    d.cancel();
    REQUIRE(d.result().failed());
    CHECK(d.result().failure().check<weft::CancelledError>());
    d.addErrback([](Failure&) -> Client* { return nullptr; });

    auto built = connector.factory->buildProtocol(weft::Address());
    REQUIRE(built);
    weft::StringTransport transport;
    built->makeConnection(transport);  // no AlreadyCalledError: the Deferred is left alone
    CHECK(transport.aborted());
    built->connectionLost(ConnectionError::Aborted);
    connector.factory->clientConnectionLost(ConnectionError::Aborted);
}

TEST_CASE("cancel after firing changes nothing") {
    ManualConnector connector;
    auto d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
    auto built = connector.factory->buildProtocol(weft::Address());
    weft::StringTransport transport;
    built->makeConnection(transport);
    d.cancel();
    CHECK(d.result().succeeded());
    CHECK_FALSE(transport.aborted());
}

TEST_CASE("a failure nobody handles is reported when the Deferred goes") {
    UnhandledErrors unhandled;
    {
        ManualConnector connector;
        auto d = weft::connectProtocol(connector.dial(), std::make_unique<Client>());
        connector.factory->clientConnectionFailed(ConnectionError::Refused);
    }
    REQUIRE(unhandled.reports.size() == 1);
    CHECK(unhandled.reports[0].failure.check<weft::ConnectError>());
}

namespace {

Deferred<std::string> greet(IClientFactory*& factoryOut) {
    Client* client = co_await weft::connectProtocol([&](IClientFactory& f) { factoryOut = &f; },
                                                    std::make_unique<Client>());
    co_return client->events.front();
}

Deferred<std::string> tryGreet(IClientFactory*& factoryOut) {
    try {
        co_await weft::connectProtocol([&](IClientFactory& f) { factoryOut = &f; }, std::make_unique<Client>());
    } catch (const weft::ConnectError& e) {
        co_return "could not connect: " + e.reason().message();
    }
    co_return "connected";
}

}  // namespace

TEST_CASE("a coroutine may co_await the connection; ConnectError is thrown there") {
    IClientFactory* factory = nullptr;
    Deferred<std::string> greeting = greet(factory);
    REQUIRE(factory);
    auto built = factory->buildProtocol(weft::Address());
    weft::StringTransport transport;
    built->makeConnection(transport);
    CHECK(greeting.result().value() == "made");

    IClientFactory* failing = nullptr;
    Deferred<std::string> refused = tryGreet(failing);
    failing->clientConnectionFailed(ConnectionError::Refused);
    CHECK(refused.result().value() == "could not connect: connection refused");
}
