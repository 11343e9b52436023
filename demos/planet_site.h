// SPDX-License-Identifier: MIT
// demos/planet_site.h: the demos' web site, served by weft's own server in the demo's process:
// a "planet" of blogs, each with an index page whose first article link leads to an article
// with a <title>, every answer delayed by a chosen latency (as a faraway server would be).
// Tests: tests/demos/demos_test.cpp
//
//   PlanetSite site(reactor, {.blogs = 20, .latency = 50ms});
//   site.url("/blog-3/")         // "http://127.0.0.1:PORT/blog-3/"
//   site.indexUrls()             // one per blog
//
// Pages: /blog-K/ (title "Blog K", first article link class="article", relative), articles
// /blog-K/article-J.html (title "Article J of blog K"), /notes.html (no title), /stall (never
// answers), /missing (404 like any unknown path).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "reactor/listening_port.h"
#include "reactor/reactor.h"

namespace weft::demos {

class PlanetSite {
public:
    struct Options {
        int blogs = 20;
        int articlesPerBlog = 3;
        std::chrono::milliseconds latency{50};
    };

    PlanetSite(Reactor& reactor, Options options);
    PlanetSite(const PlanetSite&) = delete;
    PlanetSite& operator=(const PlanetSite&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::string url(std::string_view path) const;
    [[nodiscard]] std::vector<std::string> indexUrls() const;
    [[nodiscard]] static std::string articleTitle(int blog, int article);

private:
    Reactor& reactor_;
    Options options_;
    http::Site site_;
    std::unique_ptr<http::HttpServer> server_;
    std::unique_ptr<ListeningPort> port_;
};

}  // namespace weft::demos
