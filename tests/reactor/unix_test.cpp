// SPDX-License-Identifier: MIT
// Unix-domain stream sockets through the reactor (listenUNIX/connectUNIX), on every backend.
#include "reactor/stream_connection.h"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "reactor/listening_port.h"
#include "tests/reactor/helpers.h"

using weft::Address;
using weft::ConnectionError;
using weft::Reactor;
using weft::testing::makeTestBackend;
using weft::testing::runUntil;
using weft::testing::TestFactory;
using weft::testing::TestProtocol;

namespace {

// A fresh directory for socket files, removed (with what is left in it) afterwards.
class TempDir {
public:
    TempDir() {
        char name[] = "/tmp/weft-unix-test-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path_ = name;
    }
    ~TempDir() {
        for (const char* leftover : {"/s", "/stale", "/full"}) ::unlink((path_ + leftover).c_str());
        ::rmdir(path_.c_str());
    }
    [[nodiscard]] std::string file(const char* name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE_TEMPLATE("Unix socket echo; the socket file goes away when the port stops", B, WEFT_TEST_BACKENDS) {
    TempDir dir;
    const std::string path = dir.file("s");
    TestFactory server;
    TestFactory client;
    server.echo = true;
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) {
            self.transport().setTcpNoDelay(true);  // not TCP: no effect, no harm
            self.transport().write("over a unix socket");
        };
        p.onData = [](TestProtocol& self, std::string_view) {
            if (self.record().received == "over a unix socket") self.transport().loseConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenUNIX(path, server);
    CHECK(exists(path));
    CHECK(port->getHost() == Address::unixPath(path));
    reactor.connectUNIX(path, client);
    REQUIRE(runUntil(reactor, [&] {
        return client.connections.size() == 1 && client.at(0).lost() && server.connections.size() == 1 &&
               server.at(0).lost();
    }));
    CHECK(client.at(0).received == "over a unix socket");
    CHECK(client.at(0).reason == ConnectionError::Done);
    CHECK(server.at(0).reason == ConnectionError::Done);
    CHECK(client.at(0).peer == Address::unixPath(path));
    CHECK(server.at(0).host == Address::unixPath(path));
    CHECK(server.at(0).peer.family() == Address::Family::Unix);  // a client's end has no name
    CHECK(server.at(0).peer.host().empty());

    port->stopListening();
    CHECK_FALSE(exists(path));
    CHECK(server.stops == 1);
}

TEST_CASE_TEMPLATE("destroying a Unix port unlinks its socket file", B, WEFT_TEST_BACKENDS) {
    TempDir dir;
    const std::string path = dir.file("s");
    TestFactory server;
    Reactor reactor(makeTestBackend<B>());
    {
        auto port = reactor.listenUNIX(path, server);
        CHECK(exists(path));
    }
    CHECK_FALSE(exists(path));
    auto again = reactor.listenUNIX(path, server);  // and the path can be listened on again
    CHECK(exists(path));
}

TEST_CASE_TEMPLATE("connectUNIX to a missing path or a dead socket fails through clientConnectionFailed", B,
                   WEFT_TEST_BACKENDS) {
    TempDir dir;
    Reactor reactor(makeTestBackend<B>());

    TestFactory missing;
    reactor.connectUNIX(dir.file("nothing-here"), missing);
    CHECK_FALSE(missing.failed);  // from the loop, not from inside connectUNIX
    REQUIRE(runUntil(reactor, [&] { return missing.failed.has_value(); }));
    CHECK(*missing.failed == std::errc::no_such_file_or_directory);

    // A socket file that nobody listens on any more.
    const std::string stale = dir.file("stale");
    {
        weft::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        Address address = Address::unixPath(stale);
        REQUIRE(::bind(fd.get(), address.sockaddrPtr(), address.length()) == 0);
    }
    TestFactory dead;
    reactor.connectUNIX(stale, dead);
    REQUIRE(runUntil(reactor, [&] { return dead.failed.has_value(); }));
    CHECK(*dead.failed == ConnectionError::Refused);
    CHECK(dead.connections.empty());
}

TEST_CASE_TEMPLATE("connectUNIX to a listener whose backlog is full fails instead of pretending to connect", B,
                   WEFT_TEST_BACKENDS) {
    // A non-blocking Unix connect that cannot be queued fails with EAGAIN at once; unlike
    // TCP's EINPROGRESS nothing is in progress, so there is nothing to wait for.
    TempDir dir;
    const std::string path = dir.file("full");
    weft::Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    Address address = Address::unixPath(path);
    REQUIRE(::bind(listener.get(), address.sockaddrPtr(), address.length()) == 0);
    REQUIRE(::listen(listener.get(), 0) == 0);
    std::vector<weft::Fd> queued;
    for (int i = 0; i < 8; ++i) {
        weft::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (::connect(fd.get(), address.sockaddrPtr(), address.length()) < 0) {
            REQUIRE(errno == EAGAIN);
            break;
        }
        queued.push_back(std::move(fd));
    }
    REQUIRE(queued.size() < 8);

    TestFactory client;
    Reactor reactor(makeTestBackend<B>());
    reactor.connectUNIX(path, client);
    REQUIRE(runUntil(reactor, [&] { return client.failed.has_value() || !client.connections.empty(); }));
    CHECK(client.connections.empty());
    REQUIRE(client.failed);
    CHECK(*client.failed == std::errc::resource_unavailable_try_again);
}

TEST_CASE_TEMPLATE("Unix paths too long for sockaddr_un are refused with ReactorError", B, WEFT_TEST_BACKENDS) {
    TestFactory factory;
    Reactor reactor(makeTestBackend<B>());
    std::string tooLong = "/tmp/" + std::string(200, 'x');
    try {
        (void)reactor.listenUNIX(tooLong, factory);
        FAIL("a path too long was accepted");
    } catch (const weft::ReactorError& e) {
        CHECK(e.code() == std::errc::filename_too_long);
    }
    CHECK_THROWS_AS(reactor.connectUNIX(tooLong, factory), weft::ReactorError);
    CHECK(factory.starts == 0);
}

TEST_CASE_TEMPLATE("half-close over Unix sockets: each side shuts its writing down, and the connection ends", B, WEFT_TEST_BACKENDS) {
    TempDir dir;
    const std::string path = dir.file("s");
    TestFactory server;
    TestFactory client;
    server.configure = [](TestProtocol& p) {
        p.onReadLost = [](TestProtocol& self) {
            self.transport().write("heard: " + self.record().received);
            self.transport().loseWriteConnection();  // both directions done: the connection ends
            return true;
        };
    };
    client.configure = [](TestProtocol& p) {
        p.onMade = [](TestProtocol& self) {
            self.transport().write("all of it");
            self.transport().loseWriteConnection();
        };
    };
    Reactor reactor(makeTestBackend<B>());
    auto port = reactor.listenUNIX(path, server);
    reactor.connectUNIX(path, client);
    REQUIRE(runUntil(reactor, [&] {
        return client.connections.size() == 1 && client.at(0).lost() && server.connections.size() == 1 &&
               server.at(0).lost();
    }));
    CHECK(client.at(0).received == "heard: all of it");
    CHECK(client.at(0).reason == ConnectionError::Done);
    CHECK(server.at(0).reason == ConnectionError::Done);
}
