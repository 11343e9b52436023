// SPDX-License-Identifier: MIT
// weft::testing::Nginx: writes the interop site and nginx's configuration, runs nginx on them
// and stops it again. Plain POSIX on purpose: the harness checks weft's HTTP client, so it
// must not lean on weft.
#include "tests/interop/nginx.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <vector>

#include "tests/interop/child_process.h"

namespace weft::testing {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr auto kStartLimit = std::chrono::seconds(10);

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

// True when a GET of `path` on 127.0.0.1:port gets a "200" status line within `wait`. The
// request is written by hand so that the harness does not depend on the parser it checks.
bool answers(std::uint16_t port, std::string_view path, std::chrono::milliseconds wait) {
    Socket tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (tcp.fd < 0) return false;
    sockaddr_in server = loopback(port);
    if (::connect(tcp.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) return false;
    std::string request = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(tcp.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
        return false;
    std::string reply;
    char buffer[512];
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (reply.find("\r\n") == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{tcp.fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
        ssize_t n = ::recv(tcp.fd, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    return reply.rfind("HTTP/1.1 200 ", 0) == 0;
}

}  // namespace

Nginx::Nginx() {
    if (::access(kNginx, X_OK) != 0)
        throw std::runtime_error(std::string(kNginx) + " is missing: apt-get install -y nginx (make test installs it)");
    directory_ = makeScratchDirectory("weft-nginx");
    root_ = directory_ + "/www";
    try {
        writeSite();
        // Another process can take the port between freeLoopbackPort() and nginx's bind; nginx
        // then gives up (after its own five tries, 2.5 s) and the next port is tried.
        for (int attempt = 0; attempt < 5; ++attempt)
            if (start(freeLoopbackPort())) return;
        throw std::runtime_error("nginx did not start on 5 ports; its error log:\n" + errorLog());
    } catch (...) {
        stop();
        removeScratchDirectory(directory_);
        throw;
    }
}

Nginx::~Nginx() {
    stop();
    removeScratchDirectory(directory_);
}

std::string Nginx::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::string Nginx::errorLog() const { return readFile(directory_ + "/error.log"); }

void Nginx::writeSite() {
    std::filesystem::create_directories(root_);
    std::filesystem::create_directories(directory_ + "/temp");
    index_ = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + std::string(indexTitle()) +
             "</title></head>\n<body><h1>weft</h1>\n<p>The interop site: <a href=\"/big.bin\">a big file</a>, "
             "<a href=\"untitled.html\">a page without a title</a>.</p>\n</body></html>\n";
    untitled_ = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
                "<body><p>This page has no title element.</p></body></html>\n";
    // Lines of 64 bytes "big.bin offset 0000000064 ....\n": any byte out of place is visible.
    big_.reserve(bigSize());
    while (big_.size() < bigSize()) {
        char line[65];
        std::snprintf(line, sizeof line, "big.bin offset %010zu %-37s\n", big_.size(), "of 1048576 bytes");
        big_.append(line, 64);
    }
    big_.resize(bigSize());
    writeFile(root_ + std::string(indexPath()), index_);
    writeFile(root_ + std::string(untitledPath()), untitled_);
    writeFile(root_ + std::string(bigPath()), big_);
}

void Nginx::writeConfig(std::uint16_t port) {
    const std::string& d = directory_;
    std::ostringstream conf;
    // One process, in the foreground (the harness's child, so its pid is ours to stop), as
    // the user running the tests: without a master there are no workers that would switch to
    // `nobody`, who cannot enter the mode-0700 mkdtemp directory.
    conf << "# Written by weft::testing::Nginx (tests/interop/nginx.cpp).\n"
         << "master_process off;\nworker_processes 1;\n"
         << "pid " << d << "/nginx.pid;\n"
         << "error_log " << d << "/error.log warn;\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n"
         << "  access_log off;\n"
         << "  sendfile on;\n"
         << "  keepalive_requests 100000;\n  keepalive_timeout 60s;\n"
         << "  types { text/html html; application/octet-stream bin; }\n"
         << "  default_type application/octet-stream;\n"
         // nginx creates these at start-up, by default under /var/lib/nginx (root's).
         << "  client_body_temp_path " << d << "/temp/body;\n"
         << "  proxy_temp_path " << d << "/temp/proxy;\n"
         << "  fastcgi_temp_path " << d << "/temp/fastcgi;\n"
         << "  uwsgi_temp_path " << d << "/temp/uwsgi;\n"
         << "  scgi_temp_path " << d << "/temp/scgi;\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << port << ";\n"
         << "    root " << root_ << ";\n"
         << "    location = " << redirectPath() << " { absolute_redirect off; return 301 " << indexPath() << "; }\n"
         << "    location = " << absoluteRedirectPath() << " { return 301 http://127.0.0.1:$server_port" << indexPath()
         << "; }\n"
         << "    location = " << loopPath() << " { absolute_redirect off; return 301 " << loopPath() << "; }\n"
         << "  }\n"
         << "}\n";
    writeFile(d + "/nginx.conf", conf.str());
}

bool Nginx::start(std::uint16_t port) {
    writeConfig(port);
    std::string prefix = directory_ + "/", conf = directory_ + "/nginx.conf", log = directory_ + "/error.log";
    // -e: the log for what nginx says before it has read the configuration (its compiled-in
    // default is /var/log/nginx/error.log, which only root may open).
    pid_ = spawnServer({kNginx, "-e", log, "-p", prefix, "-c", conf, "-g", "daemon off;"}, log);
    Startup startup =
        awaitServing(pid_, kStartLimit, [&] { return answers(port, indexPath(), std::chrono::milliseconds(500)); });
    if (startup == Startup::Exited) return false;  // it gave up: most likely the port
    if (startup == Startup::Serving) {
        port_ = port;
        return true;
    }
    stop();
    throw std::runtime_error("nginx did not answer on 127.0.0.1:" + std::to_string(port) +
                             " within 10 s; its error log:\n" + errorLog());
}

void Nginx::stop() { stopProcess(pid_); }  // SIGTERM: nginx's fast shutdown

}  // namespace weft::testing
