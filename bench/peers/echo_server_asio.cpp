// SPDX-License-Identifier: MIT
// echo-server-asio: the echo-server peer on standalone Asio 1.22 (Debian libasio-dev), in the
// completion-handler style of Asio's own examples: one Session object per connection owning
// its socket and a 16 KiB buffer, kept alive by the shared_ptr its pending handler holds.
// Contract (../shared/peers/CONTRACT.md, "Echo server"):
//
//   echo-server-asio --port P
//
// listens on 127.0.0.1:P with a backlog of 4096, sends every byte back on the connection it
// came from, in order, keeps each connection until the peer closes it, and exits 0 on SIGTERM
// or SIGINT. Nothing goes to stdout; a one-line summary goes to stderr at exit.
//
// - Echo: async_read_some into the buffer, then async_write of what came, then read again; so
//   at most 16 KiB waits to be written per connection (well under the contract's 1 MiB) and a
//   connection is not read while its echo is outstanding.
// - Accepting: on an accept error (EMFILE and the like) the acceptor waits 100 ms on a
//   steady_timer before trying again, instead of spinning; clients wait in the backlog.
// - One thread runs the io_context (constructed with concurrency hint 1).
#include "bench/peers/asio_config.h"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>

namespace {

using asio::ip::tcp;

unsigned long long accepted = 0, acceptPauses = 0;

class Session : public std::enable_shared_from_this<Session> {
public:
    explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}

    void readSome() {
        socket_.async_read_some(asio::buffer(buffer_),
            [self = shared_from_this()](std::error_code ec, std::size_t n) {
                if (!ec) self->echo(n);
            });
    }

private:
    void echo(std::size_t n) {
        asio::async_write(socket_, asio::buffer(buffer_.data(), n),
            [self = shared_from_this()](std::error_code ec, std::size_t) {
                if (!ec) self->readSome();
            });
    }

    tcp::socket socket_;
    std::array<char, 16 * 1024> buffer_;
};

class Server {
public:
    Server(asio::io_context& io, const tcp::endpoint& at) : acceptor_(io), pause_(io) {
        acceptor_.open(at.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(at);
        acceptor_.listen(4096);
    }

    void acceptNext() {
        acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
            if (ec) {
                if (ec == asio::error::operation_aborted) return;   // shutting down
                ++acceptPauses;
                pause_.expires_after(std::chrono::milliseconds(100));
                pause_.async_wait([this](std::error_code waited) {
                    if (!waited) acceptNext();
                });
                return;
            }
            std::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(std::move(socket))->readSome();
            ++accepted;
            acceptNext();
        });
    }

private:
    tcp::acceptor acceptor_;
    asio::steady_timer pause_;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "echo-server-asio: %s\nusage: echo-server-asio --port P\n", why);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    long port = -1;
    for (int i = 1; i < argc; i += 2) {
        if (std::strcmp(argv[i], "--port") != 0 || i + 1 >= argc) usage("unknown or incomplete argument");
        char* end = nullptr;
        port = std::strtol(argv[i + 1], &end, 10);
        if (*end != '\0' || port < 1 || port > 65535) usage("--port wants a number from 1 to 65535");
    }
    if (port < 0) usage("--port is required");
    std::signal(SIGPIPE, SIG_IGN);

    asio::io_context io(1);
    try {
        Server server(io, tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)));
        asio::signal_set stop(io, SIGTERM, SIGINT);
        stop.async_wait([&io](std::error_code, int) { io.stop(); });
        server.acceptNext();
        io.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "echo-server-asio: 127.0.0.1:%ld: %s\n", port, e.what());
        return 1;
    }
    std::fprintf(stderr, "echo-server-asio: accepted %llu connections, paused accepting %llu times\n", accepted,
                 acceptPauses);
    return 0;
}
