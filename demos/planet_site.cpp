// SPDX-License-Identifier: MIT
// demos/planet_site.cpp: the pages and the latency. Tests: tests/demos/demos_test.cpp
#include "demos/planet_site.h"

#include <memory>

#include "defer/shortcuts.h"

namespace weft::demos {

namespace {

std::string indexPage(int blog, int articles) {
    std::string page = "<!DOCTYPE html>\n<html><head><title>Blog " + std::to_string(blog) +
                       "</title></head>\n<body><h1>Blog " + std::to_string(blog) + "</h1>\n<ul>\n";
    for (int j = 1; j <= articles; ++j) {
        page += "<li><a class=\"article\" href=\"article-" + std::to_string(j) + ".html\">Article " +
                std::to_string(j) + "</a></li>\n";
    }
    return page + "</ul>\n<p><a href=\"/\">planet</a></p></body></html>\n";
}

std::string articlePage(int blog, int article) {
    std::string page = "<!DOCTYPE html>\n<html><head><title>" + PlanetSite::articleTitle(blog, article) +
                       "</title></head>\n<body>\n";
    for (int p = 0; p < 20; ++p) page += "<p>Deferreds fire once; callbacks run in order. Paragraph " + std::to_string(p) + ".</p>\n";
    return page + "</body></html>\n";
}

}  // namespace

std::string PlanetSite::articleTitle(int blog, int article) {
    return "Article " + std::to_string(article) + " of blog " + std::to_string(blog);
}

PlanetSite::PlanetSite(Reactor& reactor, Options options) : reactor_(reactor), options_(options) {
    auto delayed = [this](std::shared_ptr<const http::ServerResponse> page) {
        return [this, page](const http::ServerRequest&) {
            if (options_.latency.count() == 0) return succeed(http::ServerResponse(*page));
            Deferred<http::ServerResponse> later;
            (void)reactor_.callLater(options_.latency, [later, page]() mutable { later.callback(http::ServerResponse(*page)); });
            return later;
        };
    };
    auto html = [](std::string body) {
        return std::make_shared<const http::ServerResponse>(http::ServerResponse::text(200, std::move(body), "text/html; charset=utf-8"));
    };
    for (int k = 1; k <= options_.blogs; ++k) {
        std::string blog = "/blog-" + std::to_string(k) + "/";
        site_.route(blog, delayed(html(indexPage(k, options_.articlesPerBlog))));
        for (int j = 1; j <= options_.articlesPerBlog; ++j)
            site_.route(blog + "article-" + std::to_string(j) + ".html", delayed(html(articlePage(k, j))));
    }
    site_.route("/notes.html", delayed(html("<html><body><p>Notes, and no title at all.</p></body></html>\n")));
    site_.route("/stall", [](const http::ServerRequest&) { return Deferred<http::ServerResponse>(); });  // never fires
    server_ = std::make_unique<http::HttpServer>(reactor_, site_);
    port_ = reactor_.listenTCP(0, server_->factory(), 1024, "127.0.0.1");
}

std::uint16_t PlanetSite::port() const { return port_->getHost().port(); }

std::string PlanetSite::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::vector<std::string> PlanetSite::indexUrls() const {
    std::vector<std::string> urls;
    for (int k = 1; k <= options_.blogs; ++k) urls.push_back(url("/blog-" + std::to_string(k) + "/"));
    return urls;
}

}  // namespace weft::demos
