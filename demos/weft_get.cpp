// SPDX-License-Identifier: MIT
// demos/weft_get.cpp: weft-get, a URL fetched with weft's client, used like curl.
//
//   weft-get URL [--timeout S] [--max-body BYTES] [--status] [--fail] [--head] [-o FILE]
//
// Follows up to 10 redirects. On success (exit 0): with --status, the first stdout line is the
// status code; then the body, byte for byte as received (after de-chunking), to stdout or FILE.
// On failure, a non-zero exit and one line on stderr, "class: detail", with class dns,
// refused, timeout, malformed, too-large, closed, redirect-loop, http-status (only with
// --fail, for 4xx and 5xx) or url (not an http:// URL). --timeout (default 30 s) bounds the
// whole fetch. With a terminal on stderr, a long download shows a progress line.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dns/resolver.h"
#include "http/fetch.h"

namespace {

using namespace weft;
using namespace weft::http;

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr, "weft-get: %s\nusage: weft-get URL [--timeout S] [--max-body BYTES] [--status] [--fail] "
                         "[--head] [-o FILE]\n", why.c_str());
    std::exit(64);
}

// The error class of the one-line report, and its exit status.
std::pair<const char*, int> classify(const Failure& f) {
    if (f.check<DnsError>()) return {"dns", 2};
    if (f.check<ConnectFailed>()) return {"refused", 3};  // refused, no route, unreachable
    if (f.check<Timeout>()) return {"timeout", 4};
    if (f.check<MalformedResponse>()) return {"malformed", 5};
    if (f.check<ResponseTooLarge>()) return {"too-large", 6};
    if (f.check<ConnectionClosed>()) return {"closed", 7};
    if (f.check<RedirectLoop>()) return {"redirect-loop", 8};
    if (f.check<HttpStatusError>()) return {"http-status", 22};  // curl --fail's status
    if (f.check<InvalidUrl>() || f.check<UnsupportedScheme>()) return {"url", 9};
    return {"closed", 7};
}

// "\r12.3 MiB  4.1 MiB/s" on a terminal, at most ten times a second.
class ProgressLine {
public:
    void add(std::size_t n) {
        bytes_ += n;
        if (!tty_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        double mib = static_cast<double>(bytes_) / (1 << 20);
        double seconds = std::chrono::duration<double>(now - start_).count();
        if (seconds < 1) return;  // short downloads print nothing
        std::fprintf(stderr, "\r%.1f MiB  %.1f MiB/s ", mib, mib / seconds);
        shown_ = true;
    }
    void finish() {
        if (shown_) std::fprintf(stderr, "\n");
    }

private:
    bool tty_ = isatty(2) != 0;
    bool shown_ = false;
    std::size_t bytes_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
};

}  // namespace

int main(int argc, char** argv) {
    std::string url, outPath;
    bool showStatus = false, failOnError = false, head = false;
    double timeout = 30;
    unsigned long long maxBody = 1ULL << 30;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--timeout") {
            std::string text = value();
            char* end = nullptr;
            timeout = std::strtod(text.c_str(), &end);
            if (*end != '\0' || !(timeout > 0) || timeout > 86400) usage("--timeout wants seconds, more than 0");
        } else if (arg == "--max-body") {
            std::string text = value();
            char* end = nullptr;
            maxBody = std::strtoull(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || text[0] == '-') usage("--max-body wants a number of bytes");
        } else if (arg == "--status") {
            showStatus = true;
        } else if (arg == "--fail") {
            failOnError = true;
        } else if (arg == "--head") {
            head = true;
        } else if (arg == "-o") {
            outPath = value();
        } else if (arg.starts_with("-") || !url.empty()) {
            usage("unexpected argument " + arg);
        } else {
            url = arg;
        }
    }
    if (url.empty()) usage("which URL?");

    FILE* out = stdout;
    if (!outPath.empty() && !(out = std::fopen(outPath.c_str(), "wb"))) {
        std::perror(outPath.c_str());
        return 73;
    }
    Reactor reactor;
    auto budget = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout));
    dns::Resolver::Options dnsOptions;
    dnsOptions.deadline = budget;
    dns::Resolver resolver(reactor, dnsOptions);
    Agent agent(reactor, resolver, AgentOptions{.maxConnectionsPerHost = 2, .idleTimeout = std::chrono::seconds(5),
                                                .connectTimeout = budget, .persistent = true});
    FetchOptions options;
    options.method = head ? "HEAD" : "GET";
    options.timeout = budget;
    options.readTimeout = budget;
    options.maxBodySize = maxBody;
    options.failOnHttpError = failOnError;
    ProgressLine progress;
    bool statusShown = false;
    int statusCode = 0;
    options.bodySink = [&](std::string_view bytes) {
        if (showStatus && !statusShown) {
            std::printf("%d\n", statusCode);
            statusShown = true;
        }
        std::fwrite(bytes.data(), 1, bytes.size(), out);
        progress.add(bytes.size());
    };
    options.headers.set("User-Agent", "weft-get/0.1");
    int status = 0;
    bool finished = false;
    auto watchdog = reactor.callLater(budget + std::chrono::milliseconds(500), [&] {
        std::fprintf(stderr, "timeout: the fetch outlived --timeout\n");
        status = 4;
        reactor.stop();
    });
    options.onStream = [&](int code) { statusCode = code; };
    (void)fetch(agent, url, options).addBoth([&](Result<Response> r) {
            progress.finish();
            if (r.failed()) {
                auto [kind, code] = classify(r.failureUnchecked());
                std::fprintf(stderr, "%s: %s\n", kind, r.failureUnchecked().message().c_str());
                status = code;
            } else if (showStatus && !statusShown) {
                std::printf("%d\n", r.valueUnchecked().status);
            }
            finished = true;
            reactor.stop();
        });
    if (!finished) reactor.run();
    std::fflush(out);
    if (out != stdout) std::fclose(out);
    return status;
}
