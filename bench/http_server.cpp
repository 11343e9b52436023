// SPDX-License-Identifier: MIT
// bench/http_server.cpp: weft-http-server --port P --root DIR: the files under DIR over HTTP/1.1
// with weft's server (for wrk beside nginx), read once and kept in memory. Exits on SIGTERM.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>

#include "bench/bench_args.h"
#include "defer/shortcuts.h"
#include "http/server.h"
#include "reactor/listening_port.h"

namespace {

std::string_view contentType(std::string_view path) {
    if (path.ends_with(".html") || path.ends_with("/")) return "text/html; charset=utf-8";
    if (path.ends_with(".txt")) return "text/plain; charset=utf-8";
    if (path.ends_with(".css")) return "text/css";
    if (path.ends_with(".js")) return "application/javascript";
    return "application/octet-stream";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace weft;
    long port = bench::numberFlag(argc, argv, "--port", 0);
    std::string root = bench::flag(argc, argv, "--root", "");
    if (port <= 0 || port > 65535 || root.empty()) {
        std::fprintf(stderr, "usage: %s --port P --root DIR\n", argv[0]);
        return 2;
    }
    std::unordered_map<std::string, std::shared_ptr<const http::ServerResponse>> files;
    http::Site site;
    site.routePrefix("/", [&](const http::ServerRequest& request) {
        if (auto it = files.find(request.path); it != files.end()) return succeed(http::ServerResponse(*it->second));
        if (request.path.find("..") != std::string::npos) return succeed(http::ServerResponse::text(404, "not found\n"));
        std::string file = root + request.path + (request.path.ends_with("/") ? "index.html" : "");
        std::ifstream in(file, std::ios::binary);
        if (!in) return succeed(http::ServerResponse::text(404, "not found\n"));
        std::ostringstream text;
        text << in.rdbuf();
        auto response = std::make_shared<const http::ServerResponse>(
            http::ServerResponse::text(200, text.str(), contentType(file)));
        files.emplace(request.path, response);
        return succeed(http::ServerResponse(*response));
    });
    Reactor reactor;
    http::HttpServer server(reactor, site);
    auto listening = reactor.listenTCP(static_cast<std::uint16_t>(port), server.factory(), 4096, "127.0.0.1");
    reactor.addSignalHandler(SIGTERM, [&] { reactor.stop(); });
    reactor.addSignalHandler(SIGINT, [&] { reactor.stop(); });
    reactor.run();
    return 0;
}
