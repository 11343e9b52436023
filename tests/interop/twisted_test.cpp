// SPDX-License-Identifier: MIT
// Interop with Python Twisted (Debian's python3-twisted, which `make test` installs): a weft
// server answering a Twisted LineReceiver client, and a weft client talking to a Twisted
// server, on loopback. A missing Twisted fails these tests; nothing is skipped.
#include "reactor/reactor.h"

#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <sys/wait.h>

#include "tests/interop/child_process.h"

using Child = weft::testing::ChildProcess;

namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, where python3-twisted lives

std::string script(const char* name) { return std::string(WEFT_SOURCE_DIR) + "/tests/interop/" + name; }

void requireTwisted() {
    Child probe = Child::spawn({kPython, "-c", "import twisted; print(twisted.__version__)"});
    std::string version = probe.readLine();
    REQUIRE_MESSAGE(probe.wait() == 0, "python3-twisted is missing: apt-get install -y python3-twisted (make test does)");
    MESSAGE("Twisted " << version);
}

struct Echo final : weft::IProtocol {
    weft::ITransport* transport = nullptr;
    void makeConnection(weft::ITransport& t) override { transport = &t; }
    void dataReceived(std::span<const std::byte> data) override { transport->write(data); }
    void connectionLost(std::error_code) override {}
};

struct EchoFactory final : weft::IProtocolFactory {
    int connections = 0;
    std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override {
        ++connections;
        return std::make_unique<Echo>();
    }
};

}  // namespace

TEST_CASE("a weft TCP server answers a Twisted LineReceiver client") {
    requireTwisted();
    weft::Reactor reactor;
    EchoFactory factory;
    auto port = reactor.listenTCP(0, factory, 50, "127.0.0.1");
    Child client = Child::spawn({kPython, script("twisted_line_client.py"), std::to_string(port->getHost().port()), "200"});
    int status = -1;
    // SIGCHLD on the loop: the client is done.
    reactor.addSignalHandler(SIGCHLD, [&] {
        int raw = 0;
        if (::waitpid(client.pid, &raw, WNOHANG) == client.pid) {
            client.pid = -1;
            status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            reactor.stop();
        }
    });
    bool timedOut = false;
    reactor.callLater(std::chrono::seconds(20), [&] {
        timedOut = true;
        reactor.stop();
    });
    reactor.run();
    std::string said = client.readAll();
    CHECK_FALSE(timedOut);
    CHECK_MESSAGE(status == 0, said);
    CHECK(said.find("OK 200") != std::string::npos);
    CHECK(factory.connections == 1);
}

TEST_CASE("a weft TCP client talks to a Twisted echo server") {
    requireTwisted();
    Child server = Child::spawn({kPython, script("twisted_echo_server.py")});
    std::string portText = server.readLine();
    REQUIRE_MESSAGE(!portText.empty(), "the Twisted server did not start");
    auto address = weft::Address::parse("127.0.0.1", static_cast<std::uint16_t>(std::stoi(portText)));
    REQUIRE(address);

    // What the client saw; the protocol itself is gone once its connection is.
    struct Seen {
        std::string sent, echoed;
        std::error_code reason;
        std::error_code failed;
        bool lost = false;
    } seen;
    struct Client final : weft::IProtocol {
        weft::Reactor& reactor;
        Seen& seen;
        weft::ITransport* transport = nullptr;
        Client(weft::Reactor& r, Seen& s) : reactor(r), seen(s) {}
        void makeConnection(weft::ITransport& t) override {
            transport = &t;
            for (int i = 0; i < 1000; ++i) seen.sent += "weft line " + std::to_string(i) + "\n";
            t.write(seen.sent);
        }
        void dataReceived(std::span<const std::byte> data) override {
            seen.echoed.append(reinterpret_cast<const char*>(data.data()), data.size());
            if (seen.echoed.size() >= seen.sent.size()) transport->loseConnection();
        }
        void connectionLost(std::error_code r) override {
            seen.reason = r;
            seen.lost = true;
            reactor.stop();
        }
    };
    struct Factory final : weft::IClientFactory {
        weft::Reactor& reactor;
        Seen& seen;
        Factory(weft::Reactor& r, Seen& s) : reactor(r), seen(s) {}
        std::unique_ptr<weft::IProtocol> buildProtocol(const weft::Address&) override {
            return std::make_unique<Client>(reactor, seen);
        }
        void clientConnectionFailed(std::error_code reason) override {
            seen.failed = reason;
            reactor.stop();
        }
    };
    weft::Reactor reactor;
    Factory factory(reactor, seen);
    reactor.connectTCP(*address, factory, std::chrono::seconds(5));
    reactor.callLater(std::chrono::seconds(20), [&] { reactor.stop(); });
    reactor.run();
    REQUIRE_MESSAGE(!seen.failed, seen.failed.message());
    CHECK(seen.lost);
    CHECK(seen.echoed == seen.sent);
    CHECK(weft::isCleanClose(seen.reason));
    ::kill(server.pid, SIGTERM);
    CHECK(server.wait() == 0);
}
