// SPDX-License-Identifier: MIT
// demos/planet: the article's blog scraper, concurrent. For each blog of a planet: fetch its
// index page, find the first article's link, fetch that, print its <title>. It runs the job
// twice, one fetch after another and then all blogs at once (coroutines gathered by a
// DeferredList), and prints both times and the ratio. The planet is served by weft's own
// server in this process (demos/planet_site.h), on loopback, with an added latency per answer.
//
//   planet [--blogs N] [--latency-ms L] [--concurrency C]      (defaults 20, 50, all at once)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "defer/coroutine.h"
#include "defer/deferred_list.h"
#include "defer/semaphore.h"
#include "demos/html.h"
#include "demos/planet_site.h"
#include "dns/resolver.h"
#include "http/fetch.h"

namespace {

using namespace weft;
using Clock = std::chrono::steady_clock;

// One blog: its index, then its first article; the article's title.
Deferred<std::string> titleOfFirstArticle(http::Agent& agent, std::string blogUrl) {
    http::Response index = co_await http::getPage(agent, blogUrl);
    std::optional<std::string> link = demos::findFirstArticleLink(index.body);
    if (!link) co_return "(no article link on " + blogUrl + ")";
    std::string articleUrl = http::Url::resolve(http::Url::parse(index.url), *link).toString();
    http::Response article = co_await http::getPage(agent, articleUrl);
    co_return demos::findTitle(article.body).value_or("(no title on " + articleUrl + ")");
}

Deferred<std::vector<std::string>> sequentially(http::Agent& agent, std::vector<std::string> blogs) {
    std::vector<std::string> titles;
    for (const auto& blog : blogs) titles.push_back(co_await titleOfFirstArticle(agent, blog));
    co_return titles;
}

// Every blog at once (at most `limit` at a time when limit > 0), gathered by a DeferredList.
Deferred<std::vector<std::string>> concurrently(http::Agent& agent, std::vector<std::string> blogs, long limit) {
    DeferredSemaphore semaphore(limit > 0 ? static_cast<std::size_t>(limit) : blogs.size());
    std::vector<Deferred<std::string>> work;
    for (const auto& blog : blogs)
        work.push_back(semaphore.run([&agent, blog] { return titleOfFirstArticle(agent, blog); }));
    std::vector<Result<std::string>> results =
        co_await DeferredList<std::string>(std::move(work), DeferredListOptions{.consumeErrors = true});
    std::vector<std::string> titles;
    for (auto& r : results)
        titles.push_back(r.succeeded() ? r.valueUnchecked() : "(failed: " + r.failureUnchecked().message() + ")");
    co_return titles;
}

long option(int argc, char** argv, const char* name, long fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const long blogs = option(argc, argv, "--blogs", 20);
    const long latency = option(argc, argv, "--latency-ms", 50);
    const long limit = option(argc, argv, "--concurrency", 0);
    if (blogs < 1 || blogs > 10000 || latency < 0 || latency > 10000 || limit < 0) {
        std::fprintf(stderr, "usage: planet [--blogs 1..10000] [--latency-ms 0..10000] [--concurrency C]\n");
        return 64;
    }
    Reactor reactor;
    demos::PlanetSite site(reactor, {.blogs = static_cast<int>(blogs), .latency = std::chrono::milliseconds(latency)});
    dns::Resolver resolver(reactor);
    http::Agent agent(reactor, resolver, {.maxConnectionsPerHost = static_cast<std::size_t>(limit > 0 ? limit : blogs)});
    std::printf("planet: %ld blogs at %s, %ld ms per answer\n", blogs, site.url("/").c_str(), latency);

    int status = 0;
    auto run = [&]() -> Deferred<int> {
        auto start = Clock::now();
        std::vector<std::string> one = co_await sequentially(agent, site.indexUrls());
        double sequential = std::chrono::duration<double>(Clock::now() - start).count();
        start = Clock::now();
        std::vector<std::string> all = co_await concurrently(agent, site.indexUrls(), limit);
        double concurrent = std::chrono::duration<double>(Clock::now() - start).count();
        for (std::size_t i = 0; i < all.size(); ++i) std::printf("blog %zu: %s\n", i + 1, all[i].c_str());
        std::printf("sequential: %zu titles in %.3f s\n", one.size(), sequential);
        std::printf("concurrent: %zu titles in %.3f s\n", all.size(), concurrent);
        std::printf("concurrent is %.1fx faster\n", concurrent > 0 ? sequential / concurrent : 0.0);
        co_return one == all ? 0 : 1;
    };
    (void)run().addBoth([&](Result<int> r) {
        if (r.failed()) std::fprintf(stderr, "planet failed: %s\n", r.failureUnchecked().describe().c_str());
        status = r.succeeded() ? r.valueUnchecked() : 1;
        reactor.stop();  // the reactor stops by itself once the job is done
    });
    reactor.run();
    return status;
}
