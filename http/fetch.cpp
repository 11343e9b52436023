// SPDX-License-Identifier: MIT
// http/fetch.cpp: redirects, the deadline, and errors put in context. Tests: tests/http/fetch_test.cpp
#include "http/fetch.h"

#include <algorithm>

#include "defer/coroutine.h"
#include "dns/errors.h"
#include "protocols/errors.h"
#include "reactor/errors.h"

namespace weft::http {
namespace {


bool isRedirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

// Turns whatever ended a step into the HttpFailure that names the step and the URL.
[[noreturn]] void rethrowInContext(const Progress& progress, const Url& url, std::chrono::nanoseconds connectTimeout) {
    try {
        throw;
    } catch (const HttpFailure& e) {
        std::rethrow_exception(e.withContext(progress.url, progress.step));
    } catch (const dns::ResolveError& e) {
        throw DnsError(url.host, e.code(), e.what(), progress.url);
    } catch (const dns::InvalidName& e) {
        throw DnsError(url.host, e.code(), e.what(), progress.url);
    } catch (const ConnectError& e) {
        auto where = url.hostHeader();
        if (e.reason() == ConnectionError::Refused) throw ConnectionRefused(where, e.reason(), progress.url);
        if (e.reason() == ConnectionError::TimedOut) throw Timeout(inMs(connectTimeout), progress.url, Step::Connect);
        throw ConnectFailed(where, e.reason(), progress.url);
    }
}

void dropBody(Request& request) {
    request.body.reset();
    request.chunked = false;
    for (auto name : {"Content-Length", "Content-Type", "Transfer-Encoding", "Content-Encoding"}) request.headers.remove(name);
}

// A fetch's own state beside its coroutine: where it is, for errors, and its deadline. One
// allocation: the exchange sees the Progress through an aliasing shared_ptr.
struct FetchRun {
    Progress progress;
    std::chrono::nanoseconds timeout{};
    AnyClock::Call deadline;  // fetch() sets it once fetchSteps waits for something
    bool timedOut = false;
};

Deferred<Response> fetchSteps(Agent& agent, std::string text, FetchOptions options, std::shared_ptr<FetchRun> run) {
    // However the fetch ends, its deadline goes with it.
    struct StopDeadline {
        FetchRun& run;
        ~StopDeadline() {
            if (run.deadline.active()) run.deadline.cancel();
        }
    } stopDeadline{*run};
    std::shared_ptr<Progress> progress(run, &run->progress);
    Request request;
    request.method = std::move(options.method);
    request.headers = std::move(options.headers);
    request.body = std::move(options.body);
    request.chunked = options.chunked;
    try {
        request.url = Url::parse(text);
        request.url.requireHttp();
    } catch (...) {
        progress->url = text;
        rethrowInContext(*progress, request.url, {});
    }
    RequestOptions exchange;
    exchange.maxBodySize = options.maxBodySize;
    exchange.readTimeout = options.readTimeout;
    exchange.progress = progress;
    // Only the final response streams: a redirect's body is read and dropped, and an error
    // body that failOnHttpError will turn into HttpStatusError is kept for it. streamWhen holds
    // a pointer into this frame (small enough for std::function to keep without allocating):
    // the connection calls it only while this coroutine waits for the answer.
    exchange.bodySink = options.bodySink;
    exchange.streamWhen = [fetchOptions = &options](int status) {
        bool stream = !(fetchOptions->followRedirects && isRedirect(status)) &&
                      !(fetchOptions->failOnHttpError && status >= 400);
        if (stream && fetchOptions->onStream) fetchOptions->onStream(status);
        return stream;
    };
    std::vector<std::string> redirects;
    for (;;) {
        progress->url = request.url.toString();
        Response response;
        std::optional<Failure> failed;
        try {
            response = co_await agent.request(request, exchange);
        } catch (...) {
            failed = Failure::current();
        }
        if (failed) {
            try {
                std::rethrow_exception(failed->exception());
            } catch (const CancelledError&) {
                // The deadline passed (fetch() cancels the chain then), or the caller gave up.
                if (run->timedOut) throw Timeout(inMs(run->timeout), progress->url, progress->step);
                throw;
            } catch (...) {
                rethrowInContext(*progress, request.url, agent.options().connectTimeout);
            }
        }
        auto location = response.headers.get("Location");
        std::optional<Url> next;
        if (options.followRedirects && isRedirect(response.status) && location) {
            try {
                next = Url::resolve(request.url, *location);
                next->requireHttp();
            } catch (const HttpFailure&) {
                next.reset();  // not somewhere weft can go: the 3xx is the answer
            }
        }
        if (!next) {
            // A 3xx that could not be followed was kept rather than streamed: hand it over now.
            if (options.bodySink && !response.body.empty() && !(options.failOnHttpError && response.status >= 400)) {
                if (options.onStream) options.onStream(response.status);
                options.bodySink(response.body);
                response.body.clear();
            }
            response.url = std::move(progress->url);  // nothing reads it once the fetch is over
            response.redirects = std::move(redirects);
            if (options.failOnHttpError && response.status >= 400) {
                throw HttpStatusError(response.status, response.reason, std::move(response.body), response.url);
            }
            co_return response;
        }
        redirects.push_back(progress->url);
        // Past the limit, or back to a URL already asked (nothing differs the second time).
        const std::string nextText = next->toString();
        const bool seen = std::find(redirects.begin(), redirects.end(), nextText) != redirects.end();
        if (static_cast<int>(redirects.size()) > options.maxRedirects || seen) {
            throw RedirectLoop(static_cast<int>(redirects.size()), nextText, text);
        }
        progress->step = Step::Redirect;
        const bool toGet = (response.status == 303 && request.method != "HEAD") ||
                           ((response.status == 301 || response.status == 302) && request.method == "POST");
        if (toGet) {
            request.method = "GET";
            dropBody(request);
        }
        if (next->host != request.url.host || next->port != request.url.port) {
            for (auto name : {"Authorization", "Cookie", "Proxy-Authorization"}) request.headers.remove(name);
        }
        request.url = std::move(*next);
    }
}

}  // namespace

Deferred<Response> fetch(Agent& agent, std::string url, FetchOptions options) {
    auto run = std::make_shared<FetchRun>();
    run->timeout = options.timeout;
    Deferred<Response> d = fetchSteps(agent, std::move(url), std::move(options), run);
    if (!d.called()) {
        // The timer cannot outlive `run`: fetchSteps cancels it as it ends.
        run->deadline = agent.clock().callLater(run->timeout, [d, run = run.get()]() mutable {
            run->timedOut = true;
            d.cancel();
        });
    }
    return d;
}

}  // namespace weft::http
