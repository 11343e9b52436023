// SPDX-License-Identifier: MIT
// http/: an HTTP/1.1 client (getPage, Agent) and a small server. Needs defer/, reactor/,
// protocols/ and dns/. Tests: tests/http/ (one file per header, most of them in memory with
// no sockets), tests/interop/ against nginx, twisted.web, curl and wrk; the example below is
// compiled and run as a test.
//
// This is Twisted's getPage and twisted.web.client.Agent. getPage(agent, url) resolves the
// host through dns/ (never blocking), connects with Happy Eyeballs, reuses pooled keep-alive
// connections, follows redirects, and fires with the whole response, or fails with a typed
// HttpFailure that says which step failed (DNS, connect, request, headers, body, redirect) for
// which URL. One deadline covers all of it; cancelling closes the socket. The parsers are
// sans-I/O (bytes in, events or typed errors out) and fuzzed; the server answers pipelined
// requests in order and serves the demos, the tests and the benchmarks.
//
//   fetch.h            getPage, fetch: redirects, deadline, errors in context
//   agent.h            Agent: the connection pool and the one safe retry
//   client_connection.h ClientConnection: one request at a time over a connection
//   dialer.h           Dialer, TcpDialer: how the Agent gets connections
//   exchange.h         Request, Response, RequestOptions
//   server.h           Site, HttpServer, ServerRequest, ServerResponse
//   url.h              Url: parse and resolve (RFC 3986)
//   response_parser.h  ResponseParser; request_parser.h: RequestParser (RFC 9112)
//   request_writer.h   writeRequestHead, writeChunk; headers.h: Headers
//   errors.h           HttpFailure and its kinds, each with url() and step()
//
// Example:
//   #include "http/http.h"
//   #include <cstdio>
//
//   int main() {
//       weft::http::Site site;                       // a server in this process, on loopback
//       site.page("/", "<html><title>weft</title></html>");
//       weft::Reactor reactor;
//       weft::http::HttpServer server(reactor, site);
//       auto port = reactor.listenTCP(0, server.factory(), 64, "127.0.0.1");
//       std::string url = "http://127.0.0.1:" + std::to_string(port->getHost().port()) + "/";
//
//       weft::dns::Resolver resolver(reactor);
//       weft::http::Agent agent(reactor, resolver);
//       int status = 1;
//       weft::http::getPage(agent, url)
//           .addCallback([&](weft::http::Response page) {
//               std::printf("%d, %zu bytes: %s\n", page.status, page.body.size(), page.body.c_str());
//               status = page.body.find("<title>weft</title>") != std::string::npos ? 0 : 1;
//           })
//           .addErrback([](weft::Failure& failure) { std::printf("%s\n", failure.describe().c_str()); })
//           .addBoth([&](weft::Result<void>) { reactor.stop(); });
//       reactor.run();
//       return status;
//   }
// End example
#pragma once

#include "http/agent.h"
#include "http/client_connection.h"
#include "http/dialer.h"
#include "http/errors.h"
#include "http/exchange.h"
#include "http/fetch.h"
#include "http/headers.h"
#include "http/request_parser.h"
#include "http/request_writer.h"
#include "http/response_parser.h"
#include "http/server.h"
#include "http/url.h"
