// SPDX-License-Identifier: MIT
// demos/failures: the article's closing question, answered. What happens to getPage when there
// is no network, no DNS answer, no such host, no TCP server, a server that stalls, a page that
// is not there, a page without a title? Each case runs (all at once, on loopback only) and is
// printed as the typed Failure weft reports: its type, the step that failed, and the URL. One
// failure never stops the others.
//
//   failures [--timeout-ms T]      (default 1000: how long the stalled server is given)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "defer/coroutine.h"
#include "defer/deferred_list.h"
#include "demos/html.h"
#include "demos/planet_site.h"
#include "dns/resolver.h"
#include "http/fetch.h"

namespace {

using namespace weft;

// A page that was fetched but has no <title>: the scraper's own failure, typed like the rest.
class NoTitle : public Error {
public:
    explicit NoTitle(const std::string& url)
        : Error(std::make_error_code(std::errc::no_message), "no <title> in the page at " + url) {}
};

struct Case {
    const char* what;
    std::string url;
    http::FetchOptions options;
};

Deferred<std::string> titleOf(http::Agent& agent, Case c) {
    http::Response page = co_await http::getPage(agent, c.url, c.options);
    auto title = demos::findTitle(page.body);
    if (!title) throw NoTitle(page.url);
    co_return *title;
}

// A UDP port that takes queries and never answers: a nameserver that has gone silent.
int silentNameserver(std::uint16_t& port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        std::perror("failures: a silent nameserver");
        std::exit(1);
    }
    port = ntohs(address.sin_port);
    return fd;
}

// A loopback port where nothing listens (bound, then closed).
std::uint16_t closedPort() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

int main(int argc, char** argv) {
    long timeoutMs = 1000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--timeout-ms") == 0) timeoutMs = std::strtol(argv[i + 1], nullptr, 10);
    if (timeoutMs < 10 || timeoutMs > 60000) {
        std::fprintf(stderr, "usage: failures [--timeout-ms 10..60000]\n");
        return 64;
    }
    const auto timeout = std::chrono::milliseconds(timeoutMs);
    Reactor reactor;
    demos::PlanetSite site(reactor, {.blogs = 1, .latency = std::chrono::milliseconds(0)});
    std::uint16_t dnsPort = 0;
    int silent = silentNameserver(dnsPort);
    dns::Resolver::Options dnsOptions;
    dnsOptions.resolvConfPath = "/nonexistent";   // no real DNS: everything stays on loopback
    dnsOptions.hostsPath = "";
    dnsOptions.nameservers = std::vector<Address>{*Address::parse("127.0.0.1", dnsPort)};
    dnsOptions.attemptTimeout = timeout / 2;
    dnsOptions.attempts = 1;
    dnsOptions.deadline = timeout;
    dns::Resolver resolver(reactor, dnsOptions);
    http::Agent agent(reactor, resolver);

    http::FetchOptions quick;
    quick.timeout = timeout;
    http::FetchOptions strict = quick;
    strict.failOnHttpError = true;
    std::vector<Case> cases = {
        {"no network (no route)", "http://255.255.255.255/", quick},
        {"no DNS answer", "http://planet.example/", quick},
        {"no such host", "http://no-such-host.invalid/", quick},
        {"no TCP server", "http://127.0.0.1:" + std::to_string(closedPort()) + "/", quick},
        {"a stalled server", site.url("/stall"), quick},
        {"page not found", site.url("/missing"), strict},
        {"no title", site.url("/notes.html"), quick},
        {"all is well", site.url("/blog-1/article-1.html"), quick},
    };
    std::vector<Deferred<std::string>> runs;
    for (const auto& c : cases) runs.push_back(titleOf(agent, c));
    int status = 0;
    DeferredList<std::string> all(std::move(runs), {.consumeErrors = true});
    (void)all.addCallback([&](std::vector<Result<std::string>> results) {
        for (std::size_t i = 0; i < results.size(); ++i) {
            std::printf("%-22s %s\n", cases[i].what, cases[i].url.c_str());
            if (results[i].succeeded()) {
                std::printf("    ok: title \"%s\"\n", results[i].valueUnchecked().c_str());
                continue;
            }
            const Failure& f = results[i].failureUnchecked();
            std::printf("    %s: %s\n", f.typeName().c_str(), f.message().c_str());
        }
        reactor.stop();
    });
    reactor.run();
    close(silent);
    return status;
}
