// SPDX-License-Identifier: MIT
// http/server.cpp: Site's routing and the server side of a connection. Tests: tests/http/server_test.cpp
#include "http/server.h"

#include <deque>
#include <optional>

#include "defer/shortcuts.h"
#include "http/errors.h"

namespace weft::http {

ServerResponse ServerResponse::text(int status, std::string body, std::string_view contentType) {
    ServerResponse r;
    r.status = status;
    r.headers.set("Content-Type", contentType);
    r.body = std::move(body);
    return r;
}

std::string_view reasonPhrase(int status) noexcept {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

void Site::route(std::string path, Handler handler) { exact_[std::move(path)] = std::move(handler); }
void Site::routePrefix(std::string prefix, Handler handler) { prefixes_[std::move(prefix)] = std::move(handler); }

void Site::page(std::string path, std::string body, std::string_view contentType) {
    auto response = std::make_shared<const ServerResponse>(ServerResponse::text(200, std::move(body), contentType));
    route(std::move(path), [response](const ServerRequest&) { return succeed(ServerResponse(*response)); });
}

Deferred<ServerResponse> Site::handle(const ServerRequest& request) const {
    if (auto it = exact_.find(request.path); it != exact_.end()) return it->second(request);
    for (auto it = prefixes_.rbegin(); it != prefixes_.rend(); ++it)  // longer prefixes sort later
        if (request.path.starts_with(it->first)) return it->second(request);
    return succeed(ServerResponse::text(404, "not found\n"));
}

namespace {

bool equalsLower(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

bool isFraming(std::string_view name) {
    return equalsLower(name, "content-length") || equalsLower(name, "transfer-encoding") ||
           equalsLower(name, "connection");
}

// The head and body of one response, ready to write; HEAD gets the head only.
std::string serialise(const ServerResponse& r, bool keepAlive, bool headOnly, int versionMinor) {
    std::string out;
    out.reserve(128 + r.headers.size() * 32 + (headOnly ? 0 : r.body.size() + 16));
    out += versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += reasonPhrase(r.status);
    out += "\r\n";
    for (auto [name, value] : r.headers) {
        if (isFraming(name)) continue;  // the server decides the framing, never a handler
        out.append(name).append(": ").append(value).append("\r\n");
    }
    const bool noBody = r.status == 204 || r.status == 304 || r.status < 200;
    const bool chunked = r.chunkSize > 0 && versionMinor == 1 && !noBody;
    if (chunked) out += "Transfer-Encoding: chunked\r\n";
    else if (!noBody) out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    if (!keepAlive) out += "Connection: close\r\n";
    else if (versionMinor == 0) out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (headOnly || noBody) return out;
    if (!chunked) return out += r.body;
    static const char* hex = "0123456789abcdef";
    for (std::size_t at = 0; at < r.body.size(); at += r.chunkSize) {
        std::size_t n = std::min(r.chunkSize, r.body.size() - at);
        std::string size;
        for (std::size_t v = n; v > 0; v >>= 4) size.insert(size.begin(), hex[v & 15]);
        out.append(size).append("\r\n").append(r.body, at, n).append("\r\n");
    }
    return out += "0\r\n\r\n";
}

}  // namespace

class ServerConnection final : public Protocol {
public:
    explicit ServerConnection(HttpServer& server) : server_(server), parser_(server.options_.limits) {}
    ~ServerConnection() override { stopTimers(); }

    void connectionMade() override { armIdle(); }

    void dataReceived(std::span<const std::byte> data) override {
        if (closing_) return;
        if (idleTimer_.active()) idleTimer_.cancel();
        parser_.feed(data);
        readRequests();
    }

    void connectionLost(std::error_code reason) override {
        Protocol::connectionLost(reason);
        stopTimers();
        closing_ = true;
        auto waiting = std::move(queue_);
        for (auto& entry : waiting)
            if (entry.answer && !entry.answer->called()) entry.answer->cancel();
    }

private:
    struct Pending {
        std::optional<Deferred<ServerResponse>> answer;
        std::optional<std::string> bytes;  // ready to write
        bool keepAlive = true;
    };

    void readRequests() {
        try {
            while (!closing_ && queue_.size() < server_.options_.maxPipelined) {
                RequestEvent event = parser_.next();
                if (std::holds_alternative<NeedData>(event)) break;
                if (auto* head = std::get_if<RequestHead>(&event)) {
                    startRequest(std::move(*head));
                } else if (auto* body = std::get_if<BodyData>(&event)) {
                    request_.body.append(body->bytes);
                } else if (auto* end = std::get_if<MessageEnd>(&event)) {
                    finishRequest(end->keepAlive);
                }
            }
        } catch (const MalformedRequest& e) {
            return refuse(e.statusHint(), e.what());
        } catch (const ConnectionClosed&) {
            closing_ = true;  // the client went half-way through a request: nobody to answer
            if (transport_) transport_->loseConnection();
            return;
        }
        // Read ahead no further than maxPipelined answers; reading resumes as they go out.
        if (transport_ && !closing_) {
            if (queue_.size() >= server_.options_.maxPipelined) pauseReading();
            else resumeReading();
        }
        // A request waiting for read-ahead room is not late: its clock starts when it is read.
        if (parser_.inRequest() && !requestTimer_.active() && queue_.size() < server_.options_.maxPipelined)
            armRequestTimer();
    }

    void startRequest(RequestHead head) {
        request_ = ServerRequest{};
        request_.method = std::move(head.method);
        request_.target = std::move(head.target);
        auto q = request_.target.find('?');
        request_.path = request_.target.substr(0, q);
        if (q != std::string::npos) request_.query = request_.target.substr(q + 1);
        request_.versionMinor = head.versionMinor;
        request_.headers = std::move(head.headers);
        request_.peer = transport_->getPeer();
        if (head.expectContinue) transport_->write(std::string_view("HTTP/1.1 100 Continue\r\n\r\n"));
        if (!requestTimer_.active()) armRequestTimer();
    }

    void finishRequest(bool keepAlive) {
        if (requestTimer_.active()) requestTimer_.cancel();
        ++server_.served_;
        queue_.emplace_back();
        Pending& entry = queue_.back();
        entry.keepAlive = keepAlive;
        const bool headOnly = request_.method == "HEAD";
        const int version = request_.versionMinor;
        Deferred<ServerResponse> answer = [&] {
            try {
                return server_.site_.handle(request_);
            } catch (...) {
                return fail<ServerResponse>(Failure::current());
            }
        }();
        entry.answer = answer;
        auto* slot = &entry;  // deque elements stay put while others are pushed at the back
        (void)answer.addBoth([this, slot, keepAlive, headOnly, version](Result<ServerResponse> r) {
            if (closing_ && !transport_) return;
            ServerResponse response = r.succeeded() ? std::move(r.valueUnchecked()) : ServerResponse::text(500, "internal error\n");
            slot->bytes = serialise(response, keepAlive, headOnly, version);
            flush();
        });
    }

    // Writes the answers that are ready, in request order.
    void flush() {
        while (!queue_.empty() && queue_.front().bytes && transport_) {
            Pending entry = std::move(queue_.front());
            queue_.pop_front();
            transport_->write(*entry.bytes);
            if (!entry.keepAlive) {
                closing_ = true;
                transport_->loseConnection();
                return;
            }
        }
        if (!transport_ || closing_) return;
        if (queue_.empty() && !parser_.inRequest()) armIdle();
        if (readingPaused_) readRequests();  // requests read ahead may be waiting in the parser
    }

    void refuse(int status, std::string_view why) {
        closing_ = true;
        if (!transport_) return;
        if (requestTimer_.active()) requestTimer_.cancel();
        // A broken stream ends with this answer; but it answers the request that broke it, so
        // it goes out after the answers still owed to the requests before (a pipelining client
        // would read it as the answer to the first of those otherwise).
        Pending refusal;
        refusal.bytes = serialise(ServerResponse::text(status, std::string(why) + "\n"), false, false, 1);
        refusal.keepAlive = false;
        queue_.push_back(std::move(refusal));
        flush();
    }

    void pauseReading() {
        if (!readingPaused_) transport_->pauseProducing();
        readingPaused_ = true;
    }
    void resumeReading() {
        if (readingPaused_) transport_->resumeProducing();
        readingPaused_ = false;
    }

    void armRequestTimer() {
        requestTimer_ = server_.clock_.callLater(server_.options_.requestTimeout, [this] {
            refuse(408, "request not received in time");
        });
    }
    void armIdle() {
        if (idleTimer_.active()) idleTimer_.cancel();
        idleTimer_ = server_.clock_.callLater(server_.options_.idleTimeout, [this] {
            closing_ = true;
            if (transport_) transport_->loseConnection();
        });
    }
    void stopTimers() {
        if (requestTimer_.active()) requestTimer_.cancel();
        if (idleTimer_.active()) idleTimer_.cancel();
    }

    HttpServer& server_;
    RequestParser parser_;
    ServerRequest request_;
    std::deque<Pending> queue_;
    AnyClock::Call requestTimer_;
    AnyClock::Call idleTimer_;
    bool closing_ = false;
    bool readingPaused_ = false;
};

HttpServer::HttpServer(AnyClock clock, const Site& site, ServerOptions options)
    : clock_(std::move(clock)), site_(site), options_(options),
      factory_(std::make_unique<Factory>([this](const Address&) { return std::make_unique<ServerConnection>(*this); })) {}

HttpServer::~HttpServer() = default;

IProtocolFactory& HttpServer::factory() noexcept { return *factory_; }

}  // namespace weft::http
