/* SPDX-License-Identifier: MIT
 * fetch-curl: the HTTP fetch client peer on libcurl's multi interface (Debian
 * libcurl4-openssl-dev, 7.88). weft's build/bench/weft-fetch follows the same contract, and
 * bench/run.sh (suite http) compares them.
 *
 *   PROG --concurrency C --urls FILE
 *   -> last stdout line: fetched=N titles=M errors=E seconds=S connections=K cpu_seconds=U
 *
 * (../shared/peers/CONTRACT.md, "HTTP fetch client".) Every line of FILE is one absolute
 * http://127.0.0.1:PORT/path URL, fetched once with GET over HTTP/1.1, with at most C transfers
 * in flight and at most C connections, reused (keep-alive) from one transfer to the next.
 * `fetched` counts 2xx answers whose body came whole, `titles` those of them whose body holds
 * "<title>" and later "</title>", `errors` every other line (connect or read error, non-2xx,
 * timeout), so fetched + errors = lines. `seconds` runs from the first transfer started to the
 * last one finished; the extra keys are the connections libcurl opened (CURLINFO_NUM_CONNECTS
 * summed: with reuse it stays at most C) and this process's user + system CPU time over the
 * same span.
 *
 * Here: C easy handles, each with its own body buffer, set up once and reused for transfer
 * after transfer (what a long-running libcurl client does; a handle keeps no connection of its
 * own, the multi handle's pool does). The multi handle is limited to C connections in total
 * and per host, and keeps up to C idle ones (CURLMOPT_MAXCONNECTS), so a finished transfer's
 * connection waits for the next URL instead of being closed. Redirects are not followed (a
 * 3xx is an error, as the contract says of non-2xx). One thread: curl_multi_poll waits on
 * the sockets and curl's timers. Exit status 0 when every line was tried (even if some
 * failed); 1 on a setup error; 2 on bad usage.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <curl/curl.h>
#include <sys/resource.h>

/* One transfer slot: an easy handle and the body it is receiving. */
struct slot {
    CURL *easy;
    char *body;
    size_t size, capacity;
    int failed; /* out of memory while storing the body */
};

static size_t on_body(char *data, size_t size, size_t count, void *user) {
    struct slot *s = user;
    size_t n = size * count;
    if (s->size + n > s->capacity) {
        size_t capacity = s->capacity ? s->capacity : 16384;
        while (capacity < s->size + n) capacity *= 2;
        char *grown = realloc(s->body, capacity);
        if (grown == NULL) {
            s->failed = 1;
            return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
        }
        s->body = grown;
        s->capacity = capacity;
    }
    memcpy(s->body + s->size, data, n);
    s->size += n;
    return n;
}

static int has_title(const char *body, size_t size) {
    const char *open = memmem(body, size, "<title>", 7);
    if (open == NULL) return 0;
    open += 7;
    return memmem(open, size - (size_t)(open - body), "</title>", 8) != NULL;
}

/* The lines of `path`, without their newlines; empty lines are skipped. */
static char **read_urls(const char *path, size_t *count) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "fetch-curl: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char **urls = NULL, *line = NULL;
    size_t n = 0, capacity = 0, length = 0;
    ssize_t got;
    while ((got = getline(&line, &length, f)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (got == 0) continue;
        if (n == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            urls = realloc(urls, capacity * sizeof *urls);
        }
        if (urls == NULL || (urls[n] = strdup(line)) == NULL) {
            fprintf(stderr, "fetch-curl: out of memory\n");
            exit(1);
        }
        ++n;
    }
    free(line);
    fclose(f);
    *count = n;
    return urls;
}

/* Starts fetching `url` on slot s, with the slot's body buffer emptied (its memory kept). */
static void start(CURLM *multi, struct slot *s, const char *url) {
    s->size = 0;
    s->failed = 0;
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    CURLMcode mc = curl_multi_add_handle(multi, s->easy);
    if (mc != CURLM_OK) {
        fprintf(stderr, "fetch-curl: curl_multi_add_handle: %s\n", curl_multi_strerror(mc));
        exit(1);
    }
}

static double cpu_now(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

int main(int argc, char **argv) {
    static const char *const known[] = {"--concurrency", "--urls", NULL};
    peer_parse(argc, argv, "fetch-curl", "--concurrency C --urls FILE", known);
    long concurrency = (long)peer_count("--concurrency", 0, 1, 100000);
    const char *path = peer_text("--urls");
    if (path == NULL) peer_usage("--urls is required");
    size_t total = 0;
    char **urls = read_urls(path, &total);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "fetch-curl: curl_global_init failed\n");
        return 1;
    }
    CURLM *multi = curl_multi_init();
    if (multi == NULL) {
        fprintf(stderr, "fetch-curl: curl_multi_init failed\n");
        return 1;
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, concurrency);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING); /* HTTP/1.1, one request per connection at a time */

    size_t slots_count = (size_t)concurrency < total ? (size_t)concurrency : total;
    struct slot *slots = calloc(slots_count ? slots_count : 1, sizeof *slots);
    if (slots == NULL) {
        fprintf(stderr, "fetch-curl: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < slots_count; ++i) {
        CURL *e = curl_easy_init();
        if (e == NULL) {
            fprintf(stderr, "fetch-curl: curl_easy_init failed\n");
            return 1;
        }
        slots[i].easy = e;
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* loopback only, whatever http_proxy says */
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    }

    size_t next = 0, running_slots = slots_count;
    long fetched = 0, titles = 0, errors = 0, connections = 0;

    double cpu0 = cpu_now(), t0 = peer_now();
    for (size_t i = 0; i < slots_count; ++i) start(multi, &slots[i], urls[next++]);
    while (running_slots > 0) {
        int still = 0;
        CURLMcode mc = curl_multi_perform(multi, &still);
        if (mc != CURLM_OK) {
            fprintf(stderr, "fetch-curl: curl_multi_perform: %s\n", curl_multi_strerror(mc));
            return 1;
        }
        CURLMsg *msg;
        int left;
        int restarted = 0;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            struct slot *s = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            long status = 0, opened = 0;
            curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &opened);
            connections += opened;
            if (msg->data.result == CURLE_OK && !s->failed && status >= 200 && status < 300) {
                ++fetched;
                titles += has_title(s->body, s->size);
            } else {
                ++errors;
            }
            curl_multi_remove_handle(multi, s->easy);
            if (next < total) {
                start(multi, s, urls[next++]);
                restarted = 1;
            } else {
                --running_slots;
            }
        }
        /* A new transfer wants curl_multi_perform at once, not after a wait. */
        if (!restarted && running_slots > 0) {
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
            if (mc != CURLM_OK) {
                fprintf(stderr, "fetch-curl: curl_multi_poll: %s\n", curl_multi_strerror(mc));
                return 1;
            }
        }
    }
    double seconds = peer_now() - t0, cpu = cpu_now() - cpu0;

    for (size_t i = 0; i < slots_count; ++i) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    free(slots);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    for (size_t i = 0; i < total; ++i) free(urls[i]);
    free(urls);
    printf("fetched=%ld titles=%ld errors=%ld seconds=%.6f connections=%ld cpu_seconds=%.6f\n", fetched, titles, errors,
           seconds, connections, cpu);
    return 0;
}
