// SPDX-License-Identifier: MIT
// weft::testing::Nginx: a real HTTP server for interop tests, one nginx per object on
// 127.0.0.1 and a free port, serving a small static site whose every answer the tests know.
//
//     weft::testing::Nginx nginx;                  // throws if nginx cannot be started
//     auto url = nginx.url(nginx.indexPath());     // "http://127.0.0.1:PORT/index.html"
//     // fetch it with weft's client; expect status 200 and exactly nginx.indexBody()
//
// The site (under root(), a scratch directory made with mkdtemp) and what nginx answers:
//   indexPath()        /index.html, 200, a small HTML page whose <title> is indexTitle()
//   bigPath()          /big.bin, 200, bigBody(): 1 MiB (1,048,576 bytes) of text lines, each
//                      naming its own offset, so a misplaced or lost chunk shows
//   untitledPath()     /untitled.html, 200, an HTML page with no <title> element
//   redirectPath()     /old, 301 with "Location: /index.html" (relative, absolute_redirect off)
//   absoluteRedirectPath() /old-absolute, 301 with "Location: http://127.0.0.1:PORT/index.html"
//   loopPath()         /loop, 301 to itself (for a client's redirect limit)
//   missingPath()      /missing.html, 404
// Every 200 carries Content-Length (static files: no chunking, no gzip); connections are
// kept alive (keepalive_requests 100000, keepalive_timeout 60 s). nginx runs as one process
// (master_process off), as the user running the tests, with its pid file, error log and
// temporary directories inside directory(), so it needs neither root nor /var/lib/nginx.
//
// Requires /usr/sbin/nginx (Debian nginx, which `make test` installs): when it is missing, or
// does not answer within 10 s, the constructor throws std::runtime_error, so a test using it
// fails rather than skips. The destructor stops nginx (SIGTERM, then SIGKILL) and removes the
// scratch directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace weft::testing {

class Nginx {
public:
    Nginx();
    ~Nginx();
    Nginx(const Nginx&) = delete;
    Nginx& operator=(const Nginx&) = delete;

    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1"; }
    // "http://127.0.0.1:PORT" + path (path starts with '/').
    std::string url(std::string_view path) const;
    pid_t pid() const { return pid_; }
    const std::string& directory() const { return directory_; }  // config, logs, temp dirs
    const std::string& root() const { return root_; }            // the site: directory()/www
    std::string errorLog() const;                                // nginx's error log so far

    static std::string_view indexPath() { return "/index.html"; }
    static std::string_view indexTitle() { return "weft interop index"; }
    const std::string& indexBody() const { return index_; }
    static std::string_view bigPath() { return "/big.bin"; }
    static constexpr std::size_t bigSize() { return std::size_t{1} << 20; }
    const std::string& bigBody() const { return big_; }
    static std::string_view untitledPath() { return "/untitled.html"; }
    const std::string& untitledBody() const { return untitled_; }
    static std::string_view redirectPath() { return "/old"; }
    static std::string_view absoluteRedirectPath() { return "/old-absolute"; }
    static std::string_view loopPath() { return "/loop"; }
    static std::string_view missingPath() { return "/missing.html"; }

private:
    void writeSite();
    void writeConfig(std::uint16_t port);
    bool start(std::uint16_t port);  // false when nginx exited (the port was taken)
    void stop();

    std::string directory_, root_;
    std::string index_, big_, untitled_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace weft::testing
