// SPDX-License-Identifier: MIT
// Tests for http/server.h: Site's routing and HttpServer's connections, driven by raw client
// bytes over a LoopbackPair on a ManualClock: keep-alive, pipelining in order, chunked and
// HEAD answers, refusals (400, 413, 408, 500), timeouts, 100-continue, read-ahead limits.
#include "http/server.h"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "defer/shortcuts.h"
#include "http/response_parser.h"
#include "protocols/loopback.h"
#include "protocols/protocol.h"
#include "reactor/errors.h"
#include "reactor/manual_clock.h"

using namespace std::chrono_literals;
using namespace weft::http;
using weft::Deferred;
using weft::LoopbackPair;
using weft::ManualClock;

namespace {

// The client side: what it sends is raw bytes; what it gets is recorded.
class RawClient final : public weft::Protocol {
public:
    std::string received;
    bool lost = false;
    std::error_code reason;

    void send(std::string_view bytes) { transport_->write(bytes); }
    void dataReceived(std::span<const std::byte> data) override {
        received.append(reinterpret_cast<const char*>(data.data()), data.size());
    }
    void connectionLost(std::error_code why) override {
        Protocol::connectionLost(why);
        lost = true;
        reason = why;
    }
};

struct Answer {
    int status = 0;
    Headers headers;
    std::string body;
};

// Cuts what the client received into responses (one per request method given, in order).
std::vector<Answer> answers(const std::string& bytes, std::vector<std::string> methods = {}) {
    std::vector<Answer> out;
    ResponseParser parser;
    std::size_t next = 0;
    auto start = [&] { parser.startResponse(next < methods.size() ? methods[next] : "GET"); };
    start();
    parser.feed(std::string_view(bytes));
    Answer current;
    for (;;) {
        ResponseEvent event = parser.next();
        if (std::holds_alternative<NeedData>(event)) break;
        if (auto* head = std::get_if<ResponseHead>(&event)) {
            current = Answer{head->status, head->headers, {}};
        } else if (auto* body = std::get_if<BodyData>(&event)) {
            current.body.append(body->bytes);
        } else if (auto* end = std::get_if<MessageEnd>(&event)) {
            out.push_back(std::move(current));
            ++next;
            if (!end->keepAlive) break;
            start();
        }
    }
    return out;
}

// (Designated initializers would leave `limits` without an initializer: -Wextra.)
template <class F>
ServerOptions options(F set) {
    ServerOptions o;
    set(o);
    return o;
}

struct World {
    explicit World(ServerOptions options = {}) : server(clock, site, options) {}

    // A new connection to the server; the pair (and both protocols) live in `pairs`.
    RawClient& connect() {
        auto client = std::make_unique<RawClient>();
        RawClient& c = *client;
        pairs.push_back(std::make_unique<LoopbackPair>(std::move(client),
                                                       server.factory().buildProtocol(*weft::Address::parse("127.0.0.1", 50000))));
        return c;
    }
    // Sends `bytes` on the last connection and pumps until nothing moves.
    std::string exchange(RawClient& c, std::string_view bytes) {
        c.received.clear();
        c.send(bytes);
        pump();
        return c.received;
    }
    void pump() {
        for (auto& p : pairs) p->pump();
    }
    LoopbackPair& pair() { return *pairs.back(); }

    ManualClock clock;
    Site site;
    HttpServer server;
    std::vector<std::unique_ptr<LoopbackPair>> pairs;
};

Handler echoPath(std::string tag) {
    return [tag](const ServerRequest& r) { return weft::succeed(ServerResponse::text(200, tag + " " + r.path)); };
}

}  // namespace

TEST_CASE("http/server: routes: exact paths, the longest prefix, 404 for the rest; the query is not the path") {
    World w;
    w.site.route("/a", echoPath("exact"));
    w.site.routePrefix("/static/", echoPath("static"));
    w.site.routePrefix("/static/img/", echoPath("img"));
    RawClient& c = w.connect();
    auto get = [&](const std::string& target) {
        auto got = answers(w.exchange(c, "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        REQUIRE(got.size() == 1);
        return got[0];
    };
    CHECK(get("/a").body == "exact /a");
    CHECK(get("/a?x=1").body == "exact /a");
    CHECK(get("/static/app.js").body == "static /static/app.js");
    CHECK(get("/static/img/logo.png").body == "img /static/img/logo.png");
    auto missing = get("/a/b");
    CHECK(missing.status == 404);
    CHECK(get("/").status == 404);
    CHECK(get("/static").status == 404);
    CHECK_FALSE(c.lost);
    CHECK(w.server.requestsServed() == 7);
}

TEST_CASE("http/server: the handler sees method, target, path, query, headers, body and peer") {
    World w;
    ServerRequest seen;
    w.site.route("/form", [&](const ServerRequest& r) {
        seen = r;
        return weft::succeed(ServerResponse::text(200, "ok"));
    });
    RawClient& c = w.connect();
    SUBCASE("Content-Length") {
        w.exchange(c, "POST /form?a=1&b=2 HTTP/1.1\r\nHost: h\r\nX-Custom: yes\r\nContent-Length: 9\r\n\r\nname=weft");
    }
    SUBCASE("chunked") {
        w.exchange(c, "POST /form?a=1&b=2 HTTP/1.1\r\nHost: h\r\nX-Custom: yes\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4\r\nname\r\n5\r\n=weft\r\n0\r\n\r\n");
    }
    CHECK(seen.method == "POST");
    CHECK(seen.target == "/form?a=1&b=2");
    CHECK(seen.path == "/form");
    CHECK(seen.query == "a=1&b=2");
    CHECK(seen.versionMinor == 1);
    CHECK(seen.headers.get("X-Custom") == "yes");
    CHECK(seen.body == "name=weft");
    CHECK(seen.peer == *weft::Address::parse("127.0.0.1", 50000));
}

TEST_CASE("http/server: keep-alive: HTTP/1.1 keeps the connection; Connection: close and HTTP/1.0 end it") {
    World w;
    w.site.page("/", "home");
    RawClient& c = w.connect();
    for (int i = 0; i < 3; ++i) {
        auto got = answers(w.exchange(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        REQUIRE(got.size() == 1);
        CHECK(got[0].body == "home");
        CHECK_FALSE(got[0].headers.contains("Connection"));
    }
    CHECK_FALSE(c.lost);

    auto closing = answers(w.exchange(c, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
    REQUIRE(closing.size() == 1);
    CHECK(closing[0].headers.get("Connection") == "close");
    CHECK(c.lost);

    RawClient& old = w.connect();
    std::string bytes = w.exchange(old, "GET / HTTP/1.0\r\n\r\n");
    CHECK(bytes.starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(old.lost);

    RawClient& kept = w.connect();
    bytes = w.exchange(kept, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    CHECK(bytes.find("Connection: keep-alive\r\n") != std::string::npos);
    CHECK_FALSE(kept.lost);
}

TEST_CASE("http/server: pipelined requests are answered in order, even when an earlier one answers late") {
    World w;
    std::vector<Deferred<ServerResponse>> slow;
    std::vector<std::string> handled;
    w.site.route("/slow", [&](const ServerRequest& r) {
        handled.push_back(r.path);
        return slow.emplace_back();
    });
    w.site.routePrefix("/fast", [&](const ServerRequest& r) {
        handled.push_back(r.path);
        return weft::succeed(ServerResponse::text(200, "fast " + r.path));
    });
    RawClient& c = w.connect();
    c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n"
           "GET /fast1 HTTP/1.1\r\nHost: h\r\n\r\n"
           "GET /fast2 HTTP/1.1\r\nHost: h\r\n\r\n");
    w.pump();
    CHECK(handled == std::vector<std::string>{"/slow", "/fast1", "/fast2"});  // all read at once
    CHECK(c.received.empty());  // but nothing may go out before the first answer
    REQUIRE(slow.size() == 1);
    slow[0].callback(ServerResponse::text(200, "slow at last"));
    w.pump();
    auto got = answers(c.received);
    REQUIRE(got.size() == 3);
    CHECK(got[0].body == "slow at last");
    CHECK(got[1].body == "fast /fast1");
    CHECK(got[2].body == "fast /fast2");
    CHECK_FALSE(c.lost);
}

TEST_CASE("http/server: no more than maxPipelined requests are read ahead of their answers") {
    World w(options([](ServerOptions& o) { o.maxPipelined = 2; }));
    std::vector<Deferred<ServerResponse>> slow;
    w.site.routePrefix("/", [&](const ServerRequest& r) {
        auto& d = slow.emplace_back();
        (void)r;
        return d;
    });
    RawClient& c = w.connect();
    std::string three;
    for (int i = 0; i < 3; ++i) three += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
    c.send(three);
    w.pump();
    CHECK(slow.size() == 2);
    CHECK(w.pair().serverTransport().readPaused());
    slow[0].callback(ServerResponse::text(200, "0"));
    w.pump();
    CHECK(slow.size() == 3);  // one answer out, one more request read
    slow[1].callback(ServerResponse::text(200, "1"));
    slow[2].callback(ServerResponse::text(200, "2"));
    w.pump();
    CHECK_FALSE(w.pair().serverTransport().readPaused());
    auto got = answers(c.received);
    REQUIRE(got.size() == 3);
    CHECK(got[2].body == "2");
}

TEST_CASE("http/server: a request that arrived whole but waits for read-ahead room is not timed out") {
    World w(options([](ServerOptions& o) {
        o.maxPipelined = 1;
        o.requestTimeout = 10s;
    }));
    std::vector<Deferred<ServerResponse>> slow;
    w.site.routePrefix("/", [&](const ServerRequest&) { return slow.emplace_back(); });
    RawClient& c = w.connect();
    c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");  // both on time
    w.pump();
    REQUIRE(slow.size() == 1);
    w.clock.advance(20s);  // the first answer takes its time
    w.pump();
    slow[0].callback(ServerResponse::text(200, "1"));
    w.pump();
    REQUIRE(slow.size() == 2);
    slow[1].callback(ServerResponse::text(200, "2"));
    w.pump();
    auto got = answers(c.received);
    REQUIRE(got.size() == 2);
    CHECK(got[0].status == 200);
    CHECK(got[1].status == 200);
    CHECK_FALSE(c.lost);
}

TEST_CASE("http/server: chunkSize > 0 sends the body chunked") {
    World w;
    w.site.route("/c", [](const ServerRequest&) {
        ServerResponse r = ServerResponse::text(200, "hello world");
        r.chunkSize = 4;
        return weft::succeed(r);
    });
    RawClient& c = w.connect();
    std::string bytes = w.exchange(c, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(bytes.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(bytes.find("Content-Length") == std::string::npos);
    CHECK(bytes.ends_with("\r\n\r\n4\r\nhell\r\n4\r\no wo\r\n3\r\nrld\r\n0\r\n\r\n"));
    auto got = answers(bytes);
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "hello world");
    // HTTP/1.0 cannot read chunked: the same answer goes with Content-Length.
    RawClient& old = w.connect();
    bytes = w.exchange(old, "GET /c HTTP/1.0\r\n\r\n");
    CHECK(bytes.find("Content-Length: 11\r\n") != std::string::npos);
    CHECK(bytes.ends_with("\r\n\r\nhello world"));
}

TEST_CASE("http/server: HEAD gets the head with Content-Length and no body") {
    World w;
    w.site.page("/", "eleven byte");
    RawClient& c = w.connect();
    std::string bytes = w.exchange(c, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(bytes.find("Content-Length: 11\r\n\r\nHTTP/1.1 200 OK\r\n") != std::string::npos);
    auto got = answers(bytes, {"HEAD", "GET"});
    REQUIRE(got.size() == 2);
    CHECK(got[0].body.empty());
    CHECK(got[1].body == "eleven byte");
}

TEST_CASE("http/server: the handler's framing headers are ignored; the server frames the body") {
    World w;
    w.site.route("/", [](const ServerRequest&) {
        ServerResponse r = ServerResponse::text(200, "abc");
        r.headers.set("Content-Length", "999");
        r.headers.set("Transfer-Encoding", "gzip");
        return weft::succeed(r);
    });
    RawClient& c = w.connect();
    std::string bytes = w.exchange(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(bytes.find("999") == std::string::npos);
    CHECK(bytes.find("gzip") == std::string::npos);
    CHECK(answers(bytes).at(0).body == "abc");
}

TEST_CASE("http/server: a malformed request gets 400 and the connection is closed") {
    World w;
    w.site.page("/", "x");
    RawClient& c = w.connect();
    SUBCASE("not HTTP") { w.exchange(c, "HELLO\r\n\r\n"); }
    SUBCASE("HTTP/1.1 without Host") { w.exchange(c, "GET / HTTP/1.1\r\n\r\n"); }
    SUBCASE("Content-Length and Transfer-Encoding together") {
        w.exchange(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }
    CHECK(c.received.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(c.received.find("Connection: close\r\n") != std::string::npos);
    CHECK(c.lost);
    CHECK(w.server.requestsServed() == 0);
}

TEST_CASE("http/server: a body over maxBodyBytes gets 413 before it is read") {
    ServerOptions options;
    options.limits.maxBodyBytes = 10;
    World w(options);
    int calls = 0;
    w.site.route("/upload", [&](const ServerRequest&) {
        ++calls;
        return weft::succeed(ServerResponse::text(200, "stored"));
    });
    RawClient& c = w.connect();
    w.exchange(c, "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n");
    CHECK(c.received.starts_with("HTTP/1.1 413 "));
    CHECK(c.lost);
    CHECK(calls == 0);
    // Exactly at the limit is fine.
    RawClient& ok = w.connect();
    CHECK(answers(w.exchange(ok, "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789")).at(0).body ==
          "stored");
}

TEST_CASE("http/server: a request that does not arrive whole within requestTimeout gets 408") {
    World w(options([](ServerOptions& o) { o.requestTimeout = 10s; }));
    w.site.page("/", "x");
    RawClient& c = w.connect();
    c.send("GET / HTTP/1.1\r\nHo");
    w.pump();
    w.clock.advance(10s - 1ns);
    w.pump();
    CHECK(c.received.empty());
    c.send("st: h\r\n");  // trickling in does not extend the deadline
    w.pump();
    w.clock.advance(1ns);
    w.pump();
    CHECK(c.received.starts_with("HTTP/1.1 408 Request Timeout\r\n"));
    CHECK(c.lost);
}

TEST_CASE("http/server: a body that stops half-way gets 408 too") {
    World w(options([](ServerOptions& o) { o.requestTimeout = 10s; }));
    w.site.page("/", "x");
    RawClient& c = w.connect();
    c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
    w.pump();
    w.clock.advance(10s);
    w.pump();
    CHECK(c.received.starts_with("HTTP/1.1 408 "));
    CHECK(c.lost);
}

TEST_CASE("http/server: an idle connection is closed after idleTimeout, counted from the last answer") {
    World w(options([](ServerOptions& o) { o.idleTimeout = 5s; }));
    w.site.page("/", "x");
    RawClient& c = w.connect();
    w.clock.advance(4s);
    w.pump();
    CHECK_FALSE(c.lost);
    REQUIRE(answers(w.exchange(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")).size() == 1);
    c.received.clear();
    w.clock.advance(4s);  // 8 s since connecting, 4 s since the answer
    w.pump();
    CHECK_FALSE(c.lost);
    w.clock.advance(1s);
    w.pump();
    CHECK(c.lost);
    CHECK(c.received.empty());  // closed without a word
    CHECK(c.reason == weft::ConnectionError::Done);
}

TEST_CASE("http/server: a handler that throws or fails gives 500, and the connection goes on") {
    World w;
    w.site.route("/throw", [](const ServerRequest&) -> Deferred<ServerResponse> { throw std::runtime_error("bug"); });
    w.site.route("/fail", [](const ServerRequest&) {
        return weft::fail<ServerResponse>(weft::Failure(std::runtime_error("later bug")));
    });
    w.site.route("/late-fail", [&](const ServerRequest&) {
        Deferred<ServerResponse> d;
        (void)w.clock.callLater(1s, [d]() mutable { d.errback(weft::Failure(std::runtime_error("late"))); });
        return d;
    });
    RawClient& c = w.connect();
    for (std::string path : {"/throw", "/fail", "/late-fail"}) {
        CAPTURE(path);
        c.received.clear();
        c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
        w.pump();
        w.clock.advance(1s);
        w.pump();
        auto got = answers(c.received);
        REQUIRE(got.size() == 1);
        CHECK(got[0].status == 500);
        CHECK(got[0].body.find("bug") == std::string::npos);  // nothing of the error leaks out
    }
    CHECK_FALSE(c.lost);
}

TEST_CASE("http/server: Expect: 100-continue gets 100 Continue before the body, then the answer") {
    World w;
    std::string body;
    w.site.route("/up", [&](const ServerRequest& r) {
        body = r.body;
        return weft::succeed(ServerResponse::text(200, "got it"));
    });
    RawClient& c = w.connect();
    w.exchange(c, "PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    CHECK(c.received == "HTTP/1.1 100 Continue\r\n\r\n");
    std::string rest = w.exchange(c, "12345");
    auto got = answers(rest, {"PUT"});
    REQUIRE(got.size() == 1);
    CHECK(got[0].body == "got it");
    CHECK(body == "12345");
    // HTTP/1.0 clients are never sent 100 (RFC 9110 §10.1.1).
    RawClient& old = w.connect();
    std::string bytes = w.exchange(old, "PUT /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab");
    CHECK(bytes.starts_with("HTTP/1.0 200 OK\r\n"));
}

TEST_CASE("http/server: a malformed request behind a slow one is refused after that one's answer") {
    World w;
    std::vector<Deferred<ServerResponse>> slow;
    w.site.route("/slow", [&](const ServerRequest&) { return slow.emplace_back(); });
    RawClient& c = w.connect();
    c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\nNOT HTTP AT ALL\r\n\r\n");
    w.pump();
    REQUIRE(slow.size() == 1);
    // A 400 sent now would read as the answer to GET /slow.
    CHECK(c.received.find("HTTP/1.1 400") == std::string::npos);
    slow[0].callback(ServerResponse::text(200, "slow"));
    w.pump();
    CHECK(c.received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(c.received.find("HTTP/1.1 400 Bad Request\r\n") != std::string::npos);
    CHECK(c.lost);
}

TEST_CASE("http/server: a client that goes away cancels the answers it was owed") {
    World w;
    std::vector<Deferred<ServerResponse>> slow;
    w.site.route("/slow", [&](const ServerRequest&) { return slow.emplace_back(); });
    RawClient& c = w.connect();
    c.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
    w.pump();
    REQUIRE(slow.size() == 1);
    c.transport()->abortConnection();
    w.pump();
    CHECK(slow[0].called());  // cancelled: nobody is left to read the answer
}

TEST_CASE("http/server: reasonPhrase knows the common statuses") {
    CHECK(reasonPhrase(200) == "OK");
    CHECK(reasonPhrase(404) == "Not Found");
    CHECK(reasonPhrase(413) == "Content Too Large");
    CHECK(reasonPhrase(599) == "Unknown");
}
