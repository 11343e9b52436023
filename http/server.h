// SPDX-License-Identifier: MIT
// http/server.h: a small HTTP/1.1 server: resources by path, keep-alive and pipelining (answers
// in request order), Content-Length and chunked responses, request limits, and timeouts for
// slow and idle clients. It serves the demos' site, the tests and the benchmarks.
// Tests: tests/http/server_test.cpp, tests/interop/ (curl, wrk)
//
//   weft::http::Site site;
//   site.page("/", "<title>Home</title>");
//   site.route("/slow", [&](const weft::http::ServerRequest&) {
//       return later(reactor, 50ms, weft::http::ServerResponse::text(200, "late"));  // any Deferred
//   });
//   weft::http::HttpServer server(reactor, site);
//   auto port = reactor.listenTCP(8080, server.factory());
//
// A handler returns a Deferred<ServerResponse>, so an answer may take its time; later requests
// on the same connection are read (up to maxPipelined) and answered in order behind it. A
// request that breaks RFC 9112 or the limits gets the status its error suggests (400, 413,
// 414, 431, 501, 505) and the connection is closed; one that does not arrive whole within
// requestTimeout gets 408. A handler that throws or fails gives 500.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "defer/deferred.h"
#include "http/headers.h"
#include "http/request_parser.h"
#include "protocols/any_clock.h"
#include "protocols/protocol.h"
#include "reactor/address.h"

namespace weft::http {

struct ServerRequest {
    std::string method;
    std::string target;  // as sent
    std::string path;    // target without the query
    std::string query;   // after '?', "" if none
    int versionMinor = 1;
    Headers headers;
    std::string body;
    Address peer;
};

struct ServerResponse {
    int status = 200;
    Headers headers;
    std::string body;
    std::size_t chunkSize = 0;  // > 0: Transfer-Encoding: chunked, in chunks of this size

    static ServerResponse text(int status, std::string body, std::string_view contentType = "text/plain; charset=utf-8");
};

[[nodiscard]] std::string_view reasonPhrase(int status) noexcept;

using Handler = std::function<Deferred<ServerResponse>(const ServerRequest&)>;

class Site {
public:
    void route(std::string path, Handler handler);        // this path exactly
    void routePrefix(std::string prefix, Handler handler);  // the longest prefix wins
    void page(std::string path, std::string body, std::string_view contentType = "text/html; charset=utf-8");
    // The answer of the matching resource; 404 if none.
    [[nodiscard]] Deferred<ServerResponse> handle(const ServerRequest& request) const;

private:
    std::map<std::string, Handler, std::less<>> exact_;
    std::map<std::string, Handler, std::less<>> prefixes_;
};

struct ServerOptions {
    RequestParser::Limits limits = {};
    std::chrono::nanoseconds requestTimeout = std::chrono::seconds(30);  // first byte to last
    std::chrono::nanoseconds idleTimeout = std::chrono::seconds(60);     // between requests
    std::size_t maxPipelined = 32;  // requests read ahead of their answers
};

class HttpServer {
public:
    template <CallLaterClock C>
    HttpServer(C& clock, const Site& site, ServerOptions options = {}) : HttpServer(AnyClock(clock), site, options) {}
    HttpServer(AnyClock clock, const Site& site, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // For listenTCP (or a loopback pair in tests); must outlive the port and its connections.
    [[nodiscard]] IProtocolFactory& factory() noexcept;
    [[nodiscard]] std::size_t requestsServed() const noexcept { return served_; }

private:
    friend class ServerConnection;
    AnyClock clock_;
    const Site& site_;
    ServerOptions options_;
    std::unique_ptr<Factory> factory_;
    std::size_t served_ = 0;
};

}  // namespace weft::http
