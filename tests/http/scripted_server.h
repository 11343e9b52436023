// SPDX-License-Identifier: MIT
// tests/http/scripted_server.h: ScriptedServer, a raw server protocol factory that answers
// (or misbehaves) as the test says, for a MemoryDialer or a real listenTCP. Each connection
// keeps a shared record of what it received and how it ended, readable after it is gone.
//
//   weft::testing::ScriptedServer raw;
//   raw.onRequest = [](auto& c, const std::string& head, const std::string& body) {
//       c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
//   };
//   dialer.listen("example.com", 80, raw);
//
// Requests are cut at the blank line after the head, with a Content-Length body if the head
// has one (chunked request bodies are not understood); onData sees the raw bytes first.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "reactor/stream.h"

namespace weft::testing {

class ScriptedServer final : public IProtocolFactory {
public:
    struct Connection {
        std::size_t index = 0;             // in ScriptedServer::connections
        ITransport* transport = nullptr;   // null once lost
        std::string received;              // every byte, in order
        std::vector<std::string> heads;    // the request heads seen, blank line excluded
        std::vector<std::string> bodies;
        bool lost = false;
        std::error_code reason;
        std::string pending;               // not yet cut into requests

        void write(std::string_view bytes) {
            if (transport) transport->write(bytes);
        }
        void close() {
            if (transport) transport->loseConnection();
        }
        void abort() {
            if (transport) transport->abortConnection();
        }
    };

    std::function<void(Connection&)> onMade;
    std::function<void(Connection&, std::string_view)> onData;
    std::function<void(Connection&, const std::string& head, const std::string& body)> onRequest;
    std::function<void(Connection&)> onLost;
    std::vector<std::shared_ptr<Connection>> connections;

    [[nodiscard]] Connection& at(std::size_t i) const { return *connections.at(i); }
    [[nodiscard]] std::size_t requests() const {
        std::size_t n = 0;
        for (const auto& c : connections) n += c->heads.size();
        return n;
    }

    std::unique_ptr<IProtocol> buildProtocol(const Address&) override {
        auto record = std::make_shared<Connection>();
        record->index = connections.size();
        connections.push_back(record);
        return std::make_unique<RawProtocol>(*this, std::move(record));
    }

private:
    class RawProtocol final : public IProtocol {
    public:
        RawProtocol(ScriptedServer& server, std::shared_ptr<Connection> record)
            : server_(server), record_(std::move(record)) {}

        void makeConnection(ITransport& transport) override {
            record_->transport = &transport;
            if (server_.onMade) server_.onMade(*record_);
        }
        void dataReceived(std::span<const std::byte> data) override {
            std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
            record_->received.append(text);
            if (server_.onData) server_.onData(*record_, text);
            record_->pending.append(text);
            cutRequests();
        }
        void connectionLost(std::error_code reason) override {
            record_->lost = true;
            record_->reason = reason;
            record_->transport = nullptr;
            if (server_.onLost) server_.onLost(*record_);
        }

    private:
        void cutRequests() {
            for (;;) {
                std::string& in = record_->pending;
                auto end = in.find("\r\n\r\n");
                if (end == std::string::npos) return;
                std::string head = in.substr(0, end);
                std::size_t length = contentLength(head);
                if (in.size() < end + 4 + length) return;
                std::string body = in.substr(end + 4, length);
                in.erase(0, end + 4 + length);
                record_->heads.push_back(head);
                record_->bodies.push_back(body);
                if (server_.onRequest) server_.onRequest(*record_, head, body);
                if (!record_->transport) return;
            }
        }
        static std::size_t contentLength(const std::string& head) {
            std::string lower;
            for (char c : head) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            auto at = lower.find("\r\ncontent-length:");
            if (at == std::string::npos) return 0;
            return static_cast<std::size_t>(std::stoul(lower.substr(at + 17)));
        }

        ScriptedServer& server_;
        std::shared_ptr<Connection> record_;
    };
};

// The request line of a head: "GET /a HTTP/1.1".
inline std::string requestLine(const std::string& head) { return head.substr(0, head.find("\r\n")); }

// The target of a head's request line: "/a".
inline std::string targetOf(const std::string& head) {
    std::string line = requestLine(head);
    auto first = line.find(' ');
    auto second = line.find(' ', first + 1);
    return line.substr(first + 1, second - first - 1);
}

// A complete response with a Content-Length body.
inline std::string okResponse(std::string_view body, std::string_view extraHeaders = {}) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extraHeaders) +
           "\r\n" + std::string(body);
}

}  // namespace weft::testing
