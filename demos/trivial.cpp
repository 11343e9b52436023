// SPDX-License-Identifier: MIT
// demos/trivial: the article's "trivial" program: 30 getPage calls at once, gathered by a
// DeferredList whose callback stops the reactor. Served by weft's own server in this process.
//
//   trivial [--pages N] [--latency-ms L]      (defaults 30, 50)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "defer/deferred_list.h"
#include "demos/html.h"
#include "demos/planet_site.h"
#include "dns/resolver.h"
#include "http/fetch.h"

int main(int argc, char** argv) {
    using namespace weft;
    long pages = 30, latency = 50;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--pages") == 0) pages = std::strtol(argv[i + 1], nullptr, 10);
        if (std::strcmp(argv[i], "--latency-ms") == 0) latency = std::strtol(argv[i + 1], nullptr, 10);
    }
    if (pages < 1 || pages > 10000 || latency < 0 || latency > 10000) {
        std::fprintf(stderr, "usage: trivial [--pages 1..10000] [--latency-ms 0..10000]\n");
        return 64;
    }
    Reactor reactor;
    demos::PlanetSite site(reactor, {.blogs = 1, .latency = std::chrono::milliseconds(latency)});
    dns::Resolver resolver(reactor);
    http::Agent agent(reactor, resolver, {.maxConnectionsPerHost = static_cast<std::size_t>(pages)});

    auto start = std::chrono::steady_clock::now();
    std::vector<Deferred<http::Response>> fetches;
    for (long i = 0; i < pages; ++i) fetches.push_back(http::getPage(agent, site.url("/blog-1/article-1.html")));
    int status = 1;
    DeferredList<http::Response> all(std::move(fetches), {.consumeErrors = true});
    (void)all.addCallback([&](std::vector<Result<http::Response>> results) {
        std::size_t ok = 0, titled = 0, bytes = 0;
        for (auto& r : results) {
            if (r.failed()) {
                std::printf("failed: %s\n", r.failureUnchecked().message().c_str());
                continue;
            }
            ++ok;
            bytes += r.valueUnchecked().body.size();
            titled += demos::findTitle(r.valueUnchecked().body).has_value();
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("fetched %zu of %ld pages (%zu bytes, %zu with a title) in %.3f s, %ld ms latency each\n", ok, pages,
                    bytes, titled, seconds, latency);
        status = ok == static_cast<std::size_t>(pages) ? 0 : 1;
        reactor.stop();
    });
    reactor.run();
    return status;
}
