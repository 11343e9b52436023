// SPDX-License-Identifier: MIT
// http/client_connection.cpp: one request at a time over one connection.
// Tests: tests/http/agent_test.cpp, tests/http/hostile_server_test.cpp
#include "http/client_connection.h"

#include <algorithm>

#include "http/request_writer.h"

namespace weft::http {

namespace {

constexpr std::uint64_t kBodyReserveLimit = 256 * 1024;

Step stepOf(const RequestOptions& options) { return options.progress ? options.progress->step : Step::ReadHeaders; }

void setStep(const RequestOptions& options, Step step) {
    if (options.progress) options.progress->step = step;
}

}  // namespace

ClientConnection::~ClientConnection() { stopTimers(); }

void ClientConnection::connectionMade() {}

Deferred<Response> ClientConnection::send(const Request& request, const RequestOptions& options) {
    if (!usable()) {
        Deferred<Response> closed;
        closed.errback(Failure(ConnectionClosed(0, "the connection cannot take a request")));
        return closed;
    }
    setStep(options, Step::SendRequest);
    std::optional<std::uint64_t> length;
    if (request.body && !request.chunked) length = request.body->size();
    std::string head;
    try {
        head = writeRequestHead(request.method, request.url, request.headers, length, request.chunked);
    } catch (...) {
        // Nothing was sent: the connection is as good as it was and goes back to its owner
        // (else it would count against the pool's limit for ever, neither busy nor idle).
        Failure refused = Failure::current();
        if (!idleTimer_.active()) armIdleTimer();
        if (owner_) owner_->connectionIdle(*this);
        Deferred<Response> failed;
        failed.errback(std::move(refused));
        return failed;
    }
    stopTimers();
    options_ = options;
    response_ = Response{};
    received_ = 0;
    bodyBytes_ = 0;
    streaming_ = false;
    parser_.startResponse(request.method);
    pending_.emplace([this](Deferred<Response>&) {
        // The caller gave up: the socket goes at once, and the Deferred reads CancelledError.
        pending_.reset();
        abort();
    });
    auto result = *pending_;
    if (request.body && request.chunked) {
        std::string chunk = writeChunk(*request.body);
        std::string_view last = lastChunk();
        std::string_view pieces[] = {head, chunk, last};
        transport_->writeSequence(pieces);
    } else if (request.body) {
        std::string_view pieces[] = {head, *request.body};
        transport_->writeSequence(pieces);
    } else {
        transport_->write(head);
    }
    setStep(options_, Step::ReadHeaders);
    armReadTimer();
    return result;
}

void ClientConnection::dataReceived(std::span<const std::byte> data) {
    if (!pending_) return abort();  // bytes nobody asked for: the stream cannot be trusted
    received_ += data.size();
    parser_.feed(data);
    const std::uint64_t before = responses_;
    drain();
    // Bytes came: the read timeout starts again, unless they ended the response (and maybe the
    // next request went out already, with its own timer).
    if (pending_ && responses_ == before) armReadTimer();
}

// Takes events until the parser needs more bytes, the response ends, or it fails.
void ClientConnection::drain() {
    try {
        while (pending_) {
            ResponseEvent event = parser_.next();
            if (std::holds_alternative<NeedData>(event)) return;
            if (auto* head = std::get_if<ResponseHead>(&event)) {
                response_.status = head->status;
                response_.reason = std::move(head->reason);
                response_.versionMinor = head->versionMinor;
                response_.headers = std::move(head->headers);
                setStep(options_, Step::ReadBody);
                streaming_ = options_.bodySink && (!options_.streamWhen || options_.streamWhen(response_.status));
                if (head->contentLength && *head->contentLength > options_.maxBodySize && head->body != BodyKind::None) {
                    fail(Failure(ResponseTooLarge(options_.maxBodySize, *head->contentLength)));
                    return abort();
                }
                // One allocation for the body rather than one per read; bounded, since the
                // length is only the server's word until the bytes come.
                if (head->body == BodyKind::Length && !streaming_)
                    response_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*head->contentLength, kBodyReserveLimit)));
            } else if (auto* body = std::get_if<BodyData>(&event)) {
                bodyBytes_ += body->bytes.size();
                if (bodyBytes_ > options_.maxBodySize) {
                    fail(Failure(ResponseTooLarge(options_.maxBodySize, bodyBytes_)));
                    return abort();
                }
                if (streaming_) options_.bodySink(body->bytes);
                else response_.body.append(body->bytes);
            } else if (auto* end = std::get_if<MessageEnd>(&event)) {
                return complete(end->keepAlive);
            }
        }
    } catch (...) {
        fail(Failure::current());
        abort();
    }
}

void ClientConnection::complete(bool keepAlive) {
    if (readTimer_.active()) readTimer_.cancel();
    auto done = std::move(*pending_);
    pending_.reset();
    ++responses_;
    Response response = std::move(response_);
    // Bytes past the end of the response were not asked for: read as the next request's
    // answer they would desynchronise the stream, so the connection is not reused.
    const bool reuse = keepAlive && parser_.buffered() == 0 && !closing_ && connected();
    if (reuse) {
        if (owner_) owner_->connectionIdle(*this);  // may hand it to the next request at once
    } else {
        closing_ = true;
        if (transport_) transport_->loseConnection();
    }
    done.callback(std::move(response));
    // The idle timeout starts once the callbacks had their chance to send the next request
    // here: under load a timer armed before them would only be cancelled again.
    if (reuse && usable() && !idleTimer_.active()) armIdleTimer();
}

void ClientConnection::fail(Failure failure) {
    if (!pending_) return;
    auto done = std::move(*pending_);
    pending_.reset();
    closing_ = true;
    stopTimers();
    done.errback(std::move(failure));
}

void ClientConnection::connectionLost(std::error_code reason) {
    Protocol::connectionLost(reason);
    stopTimers();
    closing_ = true;
    if (pending_ && received_ == 0) {
        // Nothing of the response came: for a reused connection this is the server closing
        // it while idle, and the Agent may retry.
        fail(Failure(ConnectionClosed(0, "closed before the response began (" + reason.message() + ")")));
    } else if (pending_) {
        try {
            parser_.feedEof();
        } catch (...) {
            fail(Failure::current());
        }
        drain();  // a body read until close ends here; anything unfinished fails
        if (pending_) fail(Failure(ConnectionClosed(received_, reason.message())));
    }
    if (owner_) owner_->connectionClosed(*this);
}

void ClientConnection::abort() {
    closing_ = true;
    if (transport_) transport_->abortConnection();
}

void ClientConnection::armReadTimer() {
    if (readTimer_.active()) readTimer_.cancel();
    auto timeout = options_.readTimeout;
    readTimer_ = clock_.callLater(timeout, [this, timeout] {
        fail(Failure(Timeout(inMs(timeout), {}, stepOf(options_))));
        abort();
    });
}

void ClientConnection::armIdleTimer() {
    if (idleTimer_.active()) idleTimer_.cancel();
    idleTimer_ = clock_.callLater(idleTimeout_, [this] {
        if (busy()) return;
        closing_ = true;
        if (transport_) transport_->loseConnection();
    });
}

void ClientConnection::stopTimers() {
    if (readTimer_.active()) readTimer_.cancel();
    if (idleTimer_.active()) idleTimer_.cancel();
}

}  // namespace weft::http
