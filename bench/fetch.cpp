// SPDX-License-Identifier: MIT
// bench/fetch.cpp: weft-fetch, the HTTP client benchmark (CONTRACT.md, "HTTP fetch client"):
//   weft-fetch --concurrency C --urls FILE  ->  fetched=N titles=M errors=E seconds=S
// Every URL is fetched once with getPage through one Agent (keep-alive, at most C connections
// per host), at most C requests in flight, on one reactor thread.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "dns/resolver.h"
#include "http/fetch.h"

int main(int argc, char** argv) {
    using namespace weft;
    std::string urlsFile = bench::flag(argc, argv, "--urls", "");
    long concurrency = bench::numberFlag(argc, argv, "--concurrency", 100);
    if (urlsFile.empty() || concurrency < 1) {
        std::fprintf(stderr, "usage: %s --concurrency C --urls FILE\n", argv[0]);
        return 2;
    }
    std::vector<std::string> urls;
    std::ifstream in(urlsFile);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) urls.push_back(line);

    Reactor reactor;
    dns::Resolver resolver(reactor);
    http::Agent agent(reactor, resolver,
                      http::AgentOptions{.maxConnectionsPerHost = static_cast<std::size_t>(concurrency)});
    http::FetchOptions options;
    options.followRedirects = false;

    struct Counts {
        std::size_t fetched = 0, titles = 0, errors = 0;
    } counts;
    bench::InFlight work(urls.size(), static_cast<std::size_t>(concurrency), [&](std::size_t i, bench::InFlight::Done done) {
        (void)http::getPage(agent, urls[i], options).addBoth([counts = &counts, done](Result<http::Response> r) {
            if (r.succeeded() && r.valueUnchecked().status / 100 == 2) {
                ++counts->fetched;
                const std::string& body = r.valueUnchecked().body;
                auto open = body.find("<title>");
                if (open != std::string::npos && body.find("</title>", open + 7) != std::string::npos) ++counts->titles;
            } else {
                if (r.failed()) std::fprintf(stderr, "%s\n", r.failureUnchecked().message().c_str());
                ++counts->errors;
            }
            done();
        });
    }, [&] { reactor.stop(); });
    auto start = std::chrono::steady_clock::now();
    double cpuStart = bench::cpuSeconds();
    if (!urls.empty()) {
        reactor.callWhenRunning([&] { work.pump(); });
        reactor.run();
    }
    double seconds = bench::secondsSince(start);
    std::printf("fetched=%zu titles=%zu errors=%zu seconds=%.6f cpu_seconds=%.6f\n", counts.fetched, counts.titles, counts.errors, seconds,
                bench::cpuSeconds() - cpuStart);
    return 0;
}
