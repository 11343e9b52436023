// SPDX-License-Identifier: MIT
// http/client_connection.h: ClientConnection, one HTTP/1.1 connection from the client side:
// sends a request, parses the response with ResponseParser, and says when it can take the
// next one. Tests: tests/http/agent_test.cpp, tests/http/hostile_server_test.cpp
//
// One request at a time (no pipelining: a failure could not be retried safely). send() fires
// with the whole response, or fails with MalformedResponse, ConnectionClosed (the peer closed
// or reset before the end; received() says how far it got), ResponseTooLarge (the body passed
// the limit: the connection is dropped at once, nothing past the limit is buffered) or
// Timeout (no byte for readTimeout). Cancelling send()'s Deferred aborts the connection.
// After a response that keeps the connection, the owner hears connectionIdle(); when the
// connection ends, connectionClosed(). An idle connection closes itself after idleTimeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "defer/deferred.h"
#include "http/exchange.h"
#include "http/response_parser.h"
#include "protocols/any_clock.h"
#include "protocols/protocol.h"

namespace weft::http {

class ClientConnection final : public Protocol {
public:
    class Owner {
    public:
        virtual void connectionIdle(ClientConnection& connection) = 0;
        virtual void connectionClosed(ClientConnection& connection) = 0;

    protected:
        ~Owner() = default;
    };

    ClientConnection(AnyClock clock, std::chrono::nanoseconds idleTimeout)
        : clock_(std::move(clock)), idleTimeout_(idleTimeout) {}
    ~ClientConnection() override;

    void setOwner(Owner* owner) noexcept { owner_ = owner; }
    [[nodiscard]] Owner* owner() const noexcept { return owner_; }

    // Writes the request (head and body) and fires with its response.
    [[nodiscard]] Deferred<Response> send(const Request& request, const RequestOptions& options);

    [[nodiscard]] bool busy() const noexcept { return pending_.has_value(); }
    [[nodiscard]] bool usable() const noexcept { return connected() && !busy() && !closing_; }
    [[nodiscard]] std::uint64_t responses() const noexcept { return responses_; }
    void abort();  // drops the connection now

    void connectionMade() override;
    void dataReceived(std::span<const std::byte> data) override;
    void connectionLost(std::error_code reason) override;

private:
    void drain();
    void complete(bool keepAlive);
    void fail(Failure failure);
    void armReadTimer();
    void armIdleTimer();
    void stopTimers();

    AnyClock clock_;
    std::chrono::nanoseconds idleTimeout_;
    Owner* owner_ = nullptr;
    ResponseParser parser_;
    std::optional<Deferred<Response>> pending_;
    Response response_;
    RequestOptions options_;
    std::uint64_t received_ = 0;   // bytes of this response so far
    std::uint64_t bodyBytes_ = 0;
    bool streaming_ = false;
    std::uint64_t responses_ = 0;
    AnyClock::Call readTimer_;
    AnyClock::Call idleTimer_;
    bool closing_ = false;
};

}  // namespace weft::http
