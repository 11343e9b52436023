// SPDX-License-Identifier: MIT
// weft::testing::Nginx: writes the interop site and nginx's configuration, runs nginx on them
// and stops it again. Plain POSIX on purpose: the harness checks weft's HTTP client, so it
// must not lean on weft.
#include "tests/interop/nginx.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace weft::testing {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr auto kStartLimit = std::chrono::seconds(10);

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

// Closes a socket on every path out of the functions below.
struct Socket {
    int fd;
    explicit Socket(int f) : fd(f) {}
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A TCP port free on 127.0.0.1 right now. It can still be taken before nginx binds it; the
// caller then tries another.
std::uint16_t freePort() {
    Socket tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (tcp.fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in address = loopback(0);
    if (::bind(tcp.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
    socklen_t length = sizeof address;
    ::getsockname(tcp.fd, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
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
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/weft-nginx.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    directory_ = pattern;
    root_ = directory_ + "/www";
    try {
        writeSite();
        // Another process can take the port between freePort() and nginx's bind; nginx then
        // gives up (after its own five tries, 2.5 s) and the next port is tried.
        for (int attempt = 0; attempt < 5; ++attempt)
            if (start(freePort())) return;
        throw std::runtime_error("nginx did not start on 5 ports; its error log:\n" + errorLog());
    } catch (...) {
        stop();
        std::error_code ignored;  // a leftover scratch directory must not hide the real error
        std::filesystem::remove_all(directory_, ignored);
        throw;
    }
}

Nginx::~Nginx() {
    stop();
    std::error_code ignored;  // nothing to report to from a destructor; /tmp is cleaned anyway
    std::filesystem::remove_all(directory_, ignored);
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
    std::vector<char*> argv = {const_cast<char*>(kNginx), const_cast<char*>("-e"), log.data(),
                               const_cast<char*>("-p"), prefix.data(), const_cast<char*>("-c"), conf.data(),
                               const_cast<char*>("-g"), const_cast<char*>("daemon off;"), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    // A test may run while a reactor blocks signals for its signalfd; nginx must not inherit
    // that mask, or the SIGTERM that stops it would wait forever.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&pid_, kNginx, &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error(std::string("cannot run ") + kNginx + ": " + std::strerror(rc));
    }
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it gave up: most likely the port
            pid_ = -1;
            return false;
        }
        if (answers(port, indexPath(), std::chrono::milliseconds(500))) {
            port_ = port;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("nginx did not answer on 127.0.0.1:" + std::to_string(port) +
                             " within 10 s; its error log:\n" + errorLog());
}

void Nginx::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);  // nginx's fast shutdown
    for (int i = 0; i < 300; ++i) {  // nginx exits within milliseconds; 3 s before SIGKILL
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

}  // namespace weft::testing
