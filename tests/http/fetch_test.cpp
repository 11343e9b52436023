// SPDX-License-Identifier: MIT
// Tests for http/fetch.h: getPage and fetch in memory (MemoryDialer, ManualClock, HttpServer or
// a ScriptedServer): redirects and their method rules, limits, timeouts, the total deadline,
// cancellation, streaming, and errors that name the step and the URL.
#include "http/fetch.h"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "defer/shortcuts.h"
#include "dns/errors.h"
#include "http/server.h"
#include "reactor/errors.h"
#include "reactor/manual_clock.h"
#include "tests/http/agent_world.h"
#include "tests/http/memory_dialer.h"
#include "tests/http/scripted_server.h"

using namespace std::chrono_literals;
using namespace weft::http;
using weft::CancelledError;
using weft::Deferred;
using weft::testing::advanceUntil;
using weft::testing::errorOf;
using weft::testing::ScriptedServer;
using weft::testing::settle;

namespace {

// AgentWorld (example.test and other.test on one HttpServer, raw.test scripted), plus redirects.
struct World : weft::testing::AgentWorld {
    using AgentWorld::AgentWorld;

    // A route answering `status` with Location `to` (none if empty).
    void redirect(const std::string& from, int status, const std::string& to) {
        site.route(from, [status, to](const ServerRequest&) {
            ServerResponse r = ServerResponse::text(status, "moving on\n");
            if (!to.empty()) r.headers.set("Location", to);
            return weft::succeed(r);
        });
    }
};

struct Seen {
    std::string method;
    std::string body;
    std::optional<std::string> contentType;
    std::optional<std::string> authorization;
    std::string host;
};

Seen seen(const ServerRequest& r) {
    auto opt = [&](std::string_view name) -> std::optional<std::string> {
        if (auto v = r.headers.get(name)) return std::string(*v);
        return std::nullopt;
    };
    return Seen{r.method, r.body, opt("Content-Type"), opt("Authorization"), opt("Host").value_or("")};
}

std::string joined(const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& p : pieces) out += p;
    return out;
}

}  // namespace

TEST_CASE("http/fetch: getPage gives status, headers, body and the URL that answered") {
    World w;
    w.site.page("/index.html", "<p>hi</p>");
    auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://Example.TEST/index.html#top"));
    REQUIRE(result.succeeded());
    const Response& r = result.value();
    CHECK(r.status == 200);
    CHECK(r.body == "<p>hi</p>");
    CHECK(r.headers.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(r.url == "http://example.test/index.html");
    CHECK(r.redirects.empty());
}

TEST_CASE("http/fetch: fetch sends the method, headers and body it is given") {
    World w;
    std::optional<Seen> got;
    w.site.route("/upload", [&](const ServerRequest& r) {
        got = seen(r);
        return weft::succeed(ServerResponse::text(201, "stored"));
    });
    FetchOptions options;
    options.method = "PUT";
    options.body = "the payload";
    options.headers.set("Content-Type", "text/plain");
    SUBCASE("with Content-Length") {}
    SUBCASE("chunked") { options.chunked = true; }
    auto result = settle(w.dialer, w.clock, fetch(*w.agent, "http://example.test/upload", options));
    REQUIRE(result.succeeded());
    CHECK(result.value().status == 201);
    REQUIRE(got);
    CHECK(got->method == "PUT");
    CHECK(got->body == "the payload");
    CHECK(got->contentType == "text/plain");
}

TEST_CASE("http/fetch: redirects follow RFC 9110's method rules") {
    struct Case {
        int status;
        std::string method;
        std::string expectMethod;
        bool keepsBody;
    };
    const Case cases[] = {
        {301, "POST", "GET", false}, {302, "POST", "GET", false}, {303, "POST", "GET", false},
        {307, "POST", "POST", true}, {308, "POST", "POST", true},  {302, "PUT", "PUT", true},
        {303, "DELETE", "GET", false}, {303, "HEAD", "HEAD", false}, {301, "GET", "GET", false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.status);
        CAPTURE(c.method);
        World w;
        std::optional<Seen> got;
        w.redirect("/from", c.status, "/to");
        w.site.route("/to", [&](const ServerRequest& r) {
            got = seen(r);
            return weft::succeed(ServerResponse::text(200, "arrived"));
        });
        FetchOptions options;
        options.method = c.method;
        if (c.method != "GET" && c.method != "HEAD") {
            options.body = "data";
            options.headers.set("Content-Type", "text/plain");
        }
        auto result = settle(w.dialer, w.clock, fetch(*w.agent, "http://example.test/from", options));
        REQUIRE(result.succeeded());
        CHECK(result.value().status == 200);
        CHECK(result.value().body == (c.method == "HEAD" ? "" : "arrived"));
        CHECK(result.value().url == "http://example.test/to");
        CHECK(result.value().redirects == std::vector<std::string>{"http://example.test/from"});
        REQUIRE(got);
        CHECK(got->method == c.expectMethod);
        if (c.keepsBody) {
            CHECK(got->body == "data");
            CHECK(got->contentType == "text/plain");
        } else {
            CHECK(got->body.empty());
            CHECK_FALSE(got->contentType.has_value());
        }
        CHECK(w.dialer.dials() == 1);  // the same host: the same pooled connection
    }
}

TEST_CASE("http/fetch: a relative Location is resolved against the URL that sent it") {
    World w;
    w.redirect("/a/b/c", 302, "../d?x=1");
    std::string target;
    w.site.route("/a/d", [&](const ServerRequest& r) {
        target = r.target;
        return weft::succeed(ServerResponse::text(200, "resolved"));
    });
    auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/a/b/c"));
    REQUIRE(result.succeeded());
    CHECK(result.value().body == "resolved");
    CHECK(target == "/a/d?x=1");
    CHECK(result.value().url == "http://example.test/a/d?x=1");
}

TEST_CASE("http/fetch: credentials go to the same host only") {
    World w;
    std::vector<Seen> got;
    w.redirect("/start", 302, "/same");
    w.redirect("/same", 302, "http://other.test/land");
    w.site.routePrefix("/", [&](const ServerRequest& r) {
        got.push_back(seen(r));
        return weft::succeed(ServerResponse::text(200, "landed"));
    });
    FetchOptions options;
    options.headers.set("Authorization", "Bearer secret");
    auto result = settle(w.dialer, w.clock, fetch(*w.agent, "http://example.test/start", options));
    REQUIRE(result.succeeded());
    CHECK(result.value().url == "http://other.test/land");
    CHECK(result.value().redirects ==
          std::vector<std::string>{"http://example.test/start", "http://example.test/same"});
    REQUIRE(got.size() == 1);
    CHECK(got[0].host == "other.test");
    CHECK_FALSE(got[0].authorization.has_value());
    CHECK(w.dialer.dials() == 2);
}

TEST_CASE("http/fetch: ten redirects are followed; the eleventh is a RedirectLoop") {
    World w;
    w.site.routePrefix("/hop/", [](const ServerRequest& r) {
        int n = std::stoi(r.path.substr(5));
        if (n == 0) return weft::succeed(ServerResponse::text(200, "the end"));
        ServerResponse s = ServerResponse::text(302, "");
        s.headers.set("Location", "/hop/" + std::to_string(n - 1));
        return weft::succeed(s);
    });
    auto ten = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/hop/10"));
    REQUIRE(ten.succeeded());
    CHECK(ten.value().body == "the end");
    CHECK(ten.value().redirects.size() == 10);
    CHECK(ten.value().redirects.front() == "http://example.test/hop/10");

    auto eleven = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/hop/11"));
    auto loop = errorOf<RedirectLoop>(eleven);
    CHECK(loop.count() == 11);
    CHECK(loop.lastUrl() == "http://example.test/hop/0");
    CHECK(loop.url() == "http://example.test/hop/11");
    CHECK(loop.step() == Step::Redirect);

    FetchOptions two;
    two.maxRedirects = 2;
    CHECK(errorOf<RedirectLoop>(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/hop/3", two)))
              .count() == 3);
    CHECK(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/hop/2", two)).succeeded());
}

TEST_CASE("http/fetch: a redirect loop A -> B -> A ends in RedirectLoop") {
    World w;
    w.redirect("/a", 301, "/b");
    w.redirect("/b", 307, "http://example.test/a");
    auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/a"));
    auto loop = errorOf<RedirectLoop>(result);
    CHECK(loop.url() == "http://example.test/a");
    CHECK((loop.lastUrl() == "http://example.test/a" || loop.lastUrl() == "http://example.test/b"));
    CHECK(w.server.requestsServed() <= 11);
}

TEST_CASE("http/fetch: a 3xx that cannot be followed is the answer") {
    World w;
    SUBCASE("no Location") {
        w.redirect("/x", 302, "");
        auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/x"));
        REQUIRE(result.succeeded());
        CHECK(result.value().status == 302);
        CHECK(result.value().body == "moving on\n");
        CHECK(result.value().redirects.empty());
    }
    SUBCASE("to https: (weft has no TLS) or ftp:") {
        for (std::string to : {"https://example.test/secure", "ftp://example.test/file"}) {
            CAPTURE(to);
            w.redirect("/x", 301, to);
            auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/x"));
            REQUIRE(result.succeeded());
            CHECK(result.value().status == 301);
            CHECK(result.value().headers.get("Location") == to);
            CHECK(result.value().url == "http://example.test/x");
        }
        CHECK(w.dialer.dials() == 1);
    }
    SUBCASE("followRedirects = false") {
        w.redirect("/x", 308, "/y");
        FetchOptions options;
        options.followRedirects = false;
        auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/x", options));
        REQUIRE(result.succeeded());
        CHECK(result.value().status == 308);
        CHECK(result.value().headers.get("Location") == "/y");
        CHECK(w.server.requestsServed() == 1);
    }
}

TEST_CASE("http/fetch: a server that never answers: Timeout after readTimeout, reading headers") {
    World w;
    std::vector<Deferred<ServerResponse>> answers;
    w.site.route("/never", [&](const ServerRequest&) { return answers.emplace_back(); });
    FetchOptions options;
    options.readTimeout = 5s;
    auto d = getPage(*w.agent, "http://example.test/never", options);
    auto result = advanceUntil(w.dialer, w.clock, d, 1s, 60s);
    auto timeout = errorOf<Timeout>(result);
    CHECK(w.clock.now() == 5s);
    CHECK(timeout.step() == Step::ReadHeaders);
    CHECK(timeout.url() == "http://example.test/never");
    CHECK(timeout.after() == 5s);
    w.dialer.pumpAll();
    CHECK(w.dialer.pair(0).serverTransport().lost());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].called());  // the server gave up on the answer
    CHECK(w.agent->openConnections() == 0);
}

TEST_CASE("http/fetch: a body that stalls: Timeout reading the body") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    };
    FetchOptions options;
    options.readTimeout = 5s;
    auto result = advanceUntil(w.dialer, w.clock, getPage(*w.agent, "http://raw.test/stall", options), 1s, 60s);
    auto timeout = errorOf<Timeout>(result);
    CHECK(timeout.step() == Step::ReadBody);
    CHECK(timeout.url() == "http://raw.test/stall");
    CHECK(w.clock.now() == 5s);
}

TEST_CASE("http/fetch: the total deadline holds across redirects, though every step is quick enough") {
    World w;
    // Each hop answers after 4 s: under the 30 s read timeout, but three of them pass 10 s.
    w.site.routePrefix("/slow/", [&](const ServerRequest& r) {
        int n = std::stoi(r.path.substr(6));
        Deferred<ServerResponse> later;
        (void)w.clock.callLater(4s, [later, n]() mutable {
            ServerResponse s = ServerResponse::text(302, "");
            s.headers.set("Location", "/slow/" + std::to_string(n + 1));
            if (!later.called()) later.callback(s);
        });
        return later;
    });
    FetchOptions options;
    options.timeout = 10s;
    auto result = advanceUntil(w.dialer, w.clock, getPage(*w.agent, "http://example.test/slow/1", options), 1s, 60s);
    auto timeout = errorOf<Timeout>(result);
    CHECK(w.clock.now() == 10s);
    CHECK(timeout.after() == 10s);
    CHECK(timeout.step() == Step::ReadHeaders);
    CHECK(timeout.url() == "http://example.test/slow/3");
    w.dialer.pumpAll();
    CHECK(w.dialer.pair(0).closed());
}

TEST_CASE("http/fetch: the total deadline also bounds a connect") {
    World w(AgentOptions{.connectTimeout = 30s});
    w.dialer.blackhole("slow.test", 80);
    FetchOptions options;
    options.timeout = 2s;
    auto result = advanceUntil(w.dialer, w.clock, getPage(*w.agent, "http://slow.test/", options), 100ms, 60s);
    auto timeout = errorOf<Timeout>(result);
    CHECK(timeout.step() == Step::Connect);
    CHECK(timeout.after() == 2s);
    CHECK(timeout.url() == "http://slow.test/");
}

TEST_CASE("http/fetch: a connect that times out is a Timeout while connecting") {
    World w(AgentOptions{.connectTimeout = 3s});
    w.dialer.blackhole("slow.test", 80);
    auto result = advanceUntil(w.dialer, w.clock, getPage(*w.agent, "http://slow.test/"), 1s, 60s);
    auto timeout = errorOf<Timeout>(result);
    CHECK(timeout.step() == Step::Connect);
    CHECK(timeout.after() == 3s);
    CHECK(timeout.url() == "http://slow.test/");
}

TEST_CASE("http/fetch: a fetch that waited in line for a connection still names the step it timed out in") {
    World w(AgentOptions{.maxConnectionsPerHost = 1});
    std::vector<Deferred<ServerResponse>> answers;
    w.site.route("/slow", [&](const ServerRequest&) { return answers.emplace_back(); });
    FetchOptions closing;
    closing.headers.set("Connection", "close");
    auto first = getPage(*w.agent, "http://example.test/slow", closing);
    FetchOptions quick;
    quick.timeout = 5s;
    auto second = getPage(*w.agent, "http://example.test/slow", quick);  // waits: the limit is 1
    w.dialer.pumpAll();
    REQUIRE(answers.size() == 1);
    w.dialer.blackhole("example.test", 80);  // the connection it will open in turn never completes
    answers[0].callback(ServerResponse::text(200, "first"));
    REQUIRE(settle(w.dialer, w.clock, first).succeeded());
    CHECK(w.dialer.dials() == 2);
    auto timeout = errorOf<Timeout>(advanceUntil(w.dialer, w.clock, second, 1s, 60s));
    CHECK(timeout.step() == Step::Connect);
    CHECK(timeout.url() == "http://example.test/slow");
}

TEST_CASE("http/fetch: cancelling closes the connection at once and fails with CancelledError") {
    World w;
    std::vector<Deferred<ServerResponse>> answers;
    w.site.route("/never", [&](const ServerRequest&) { return answers.emplace_back(); });
    auto d = getPage(*w.agent, "http://example.test/never");
    w.dialer.pumpAll();
    REQUIRE(answers.size() == 1);
    d.cancel();
    CHECK(w.dialer.pair(0).clientTransport().disconnecting());  // asked at once, before any pump
    auto result = settle(w.dialer, w.clock, d);
    CHECK(result.failed());
    CHECK(result.failure().check<CancelledError>());
    w.dialer.pumpAll();
    CHECK(w.dialer.pair(0).serverTransport().lost());
    CHECK(w.dialer.pair(0).serverTransport().lostReason() == std::errc::connection_reset);
    CHECK(answers[0].called());
    CHECK(w.agent->openConnections() == 0);
}

TEST_CASE("http/fetch: cancelling while connecting fails at once, and the connection goes to the pool") {
    World w;
    w.site.page("/", "x");
    w.dialer.holdConnects(true);
    auto d = getPage(*w.agent, "http://example.test/");
    d.cancel();
    auto result = settle(w.dialer, w.clock, d);
    CHECK(result.failure().check<CancelledError>());
    w.dialer.pumpAll();
    CHECK(w.server.requestsServed() == 0);
    CHECK(w.agent->idleConnections() == 1);
}

TEST_CASE("http/fetch: maxBodySize: an announced length over it fails at the head") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");  // the body would follow
    };
    FetchOptions options;
    options.maxBodySize = 1000;
    auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://raw.test/big", options));
    auto tooLarge = errorOf<ResponseTooLarge>(result);
    CHECK(tooLarge.limit() == 1000);
    CHECK(tooLarge.received() == 1000000);
    CHECK(tooLarge.url() == "http://raw.test/big");
    w.dialer.pumpAll();
    CHECK(w.raw.at(0).lost);
    CHECK(w.raw.at(0).reason == std::errc::connection_reset);
}

TEST_CASE("http/fetch: maxBodySize: a chunked body fails as soon as it passes the limit") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        // Four chunks of 10 bytes and no end: a server that would go on for ever.
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 4; ++i) c.write("a\r\n0123456789\r\n");
    };
    FetchOptions options;
    options.maxBodySize = 35;
    std::vector<std::string> pieces;
    SUBCASE("kept in memory") {}
    SUBCASE("streamed") {
        options.bodySink = [&](std::string_view piece) { pieces.emplace_back(piece); };
    }
    auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://raw.test/endless", options));
    auto tooLarge = errorOf<ResponseTooLarge>(result);
    CHECK(tooLarge.limit() == 35);
    CHECK(tooLarge.received() == 40);
    CHECK(tooLarge.step() == Step::ReadBody);
    CHECK(joined(pieces).size() <= 35);
    w.dialer.pumpAll();
    CHECK(w.raw.at(0).lost);
    CHECK(w.raw.at(0).reason == std::errc::connection_reset);
}

TEST_CASE("http/fetch: failOnHttpError turns 4xx and 5xx into HttpStatusError") {
    World w;
    w.site.route("/boom", [](const ServerRequest&) { return weft::succeed(ServerResponse::text(503, "later")); });
    FetchOptions options;
    options.failOnHttpError = true;
    auto missing = errorOf<HttpStatusError>(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/nope", options)));
    CHECK(missing.status() == 404);
    CHECK(missing.reasonPhrase() == "Not Found");
    CHECK(missing.body() == "not found\n");
    CHECK(missing.url() == "http://example.test/nope");
    auto boom = errorOf<HttpStatusError>(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/boom", options)));
    CHECK(boom.status() == 503);
    CHECK(boom.body() == "later");
    // Without the option a 404 is an answer like any other.
    auto plain = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/nope"));
    REQUIRE(plain.succeeded());
    CHECK(plain.value().status == 404);
}

TEST_CASE("http/fetch: an unknown host is a DnsError while resolving, naming host and URL") {
    World w;
    auto notFound = errorOf<DnsError>(settle(w.dialer, w.clock, getPage(*w.agent, "http://nowhere.test/page")));
    CHECK(notFound.step() == Step::Dns);
    CHECK(notFound.url() == "http://nowhere.test/page");
    CHECK(notFound.host() == "nowhere.test");
    CHECK(notFound.dnsCode() == weft::dns::DnsError::NameNotFound);
    w.dialer.failDns("flaky.test");
    auto timedOut = errorOf<DnsError>(settle(w.dialer, w.clock, getPage(*w.agent, "http://flaky.test/")));
    CHECK(timedOut.dnsCode() == weft::dns::DnsError::Timeout);
    CHECK(timedOut.url() == "http://flaky.test/");
    CHECK(w.dialer.connections() == 0);
}

TEST_CASE("http/fetch: a port nobody listens on is ConnectionRefused while connecting") {
    World w;
    auto refused = errorOf<ConnectionRefused>(settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test:81/")));
    CHECK(refused.step() == Step::Connect);
    CHECK(refused.url() == "http://example.test:81/");
    CHECK(refused.address() == "example.test:81");
    CHECK(refused.reason() == weft::ConnectionError::Refused);
    w.dialer.addHost("quiet.test");  // resolves, listens on nothing
    auto quiet = errorOf<ConnectionRefused>(settle(w.dialer, w.clock, getPage(*w.agent, "http://quiet.test/")));
    CHECK(quiet.address() == "quiet.test");
    CHECK(quiet.url() == "http://quiet.test/");
}

TEST_CASE("http/fetch: URLs weft cannot fetch fail before any DNS") {
    World w;
    auto invalid = errorOf<InvalidUrl>(settle(w.dialer, w.clock, getPage(*w.agent, "not a url")));
    CHECK(invalid.step() == Step::Url);
    CHECK(invalid.url() == "not a url");
    auto https = errorOf<UnsupportedScheme>(settle(w.dialer, w.clock, getPage(*w.agent, "https://example.test/")));
    CHECK(https.scheme() == "https");
    CHECK(https.step() == Step::Url);
    CHECK(https.url() == "https://example.test/");
    CHECK(w.dialer.dials() == 0);
}

TEST_CASE("http/fetch: bytes that are not a response are MalformedResponse, with the URL") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        c.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    };
    auto malformed = errorOf<MalformedResponse>(settle(w.dialer, w.clock, getPage(*w.agent, "http://raw.test/")));
    CHECK(malformed.step() == Step::ReadHeaders);
    CHECK(malformed.url() == "http://raw.test/");
    w.dialer.pumpAll();
    CHECK(w.raw.at(0).lost);
}

TEST_CASE("http/fetch: a connection closed mid-body is ConnectionClosed while reading the body") {
    World w;
    w.raw.onRequest = [](ScriptedServer::Connection& c, const std::string&, const std::string&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        c.close();
    };
    auto closed = errorOf<ConnectionClosed>(settle(w.dialer, w.clock, getPage(*w.agent, "http://raw.test/short")));
    CHECK(closed.step() == Step::ReadBody);
    CHECK(closed.received() > 0);
    CHECK(closed.url() == "http://raw.test/short");
    CHECK(w.dialer.dials() == 1);  // not retried: part of the response came
}

TEST_CASE("http/fetch: bodySink streams the final body, in order; redirect bodies never reach it") {
    World w;
    std::string body;
    for (int i = 0; i < 50; ++i) body += static_cast<char>('A' + i % 26);
    w.redirect("/go", 302, "/data");
    w.site.route("/data", [&](const ServerRequest&) {
        auto answer = ServerResponse::text(200, body);
        answer.chunkSize = 8;
        return weft::succeed(answer);
    });
    std::vector<std::string> pieces;
    FetchOptions options;
    options.bodySink = [&](std::string_view piece) { pieces.emplace_back(piece); };
    SUBCASE("after a redirect") {
        auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/go", options));
        REQUIRE(result.succeeded());
        CHECK(result.value().body.empty());
        CHECK(result.value().redirects.size() == 1);
        CHECK(pieces.size() > 1);  // as it came, not in one piece at the end
        CHECK(joined(pieces) == body);
    }
    SUBCASE("without following redirects") {
        options.followRedirects = false;
        auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/data", options));
        REQUIRE(result.succeeded());
        CHECK(result.value().body.empty());
        CHECK(pieces.size() > 1);
        CHECK(joined(pieces) == body);
    }
    SUBCASE("a 3xx returned as the answer goes to the sink too") {
        w.redirect("/stay", 302, "");
        auto result = settle(w.dialer, w.clock, getPage(*w.agent, "http://example.test/stay", options));
        REQUIRE(result.succeeded());
        CHECK(result.value().status == 302);
        CHECK(result.value().body.empty());
        CHECK(joined(pieces) == "moving on\n");
    }
}
