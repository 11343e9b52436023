/* SPDX-License-Identifier: MIT
 * fetch-minimal: the least an HTTP/1.1 client can do, as a floor for the fetch benchmark
 * (suite http in bench/run.sh; ../shared/peers/CONTRACT.md, "HTTP fetch client"):
 *
 *   PROG --concurrency C --urls FILE
 *   -> last stdout line: fetched=N titles=M errors=E seconds=S connections=K
 *
 * No library and no generality: C keep-alive connections to the one IPv4 host:port of the
 * list, opened once the clock runs (as the other clients do) with a plain blocking connect (on
 * loopback it completes inside the call); each sends its next GET the moment the previous
 * response is whole. Responses are read by Content-Length only
 * (nginx's static files). A non-2xx status is an error and the connection goes on; a response
 * without Content-Length or a closed connection is an error, and the connection is opened
 * again for the next URL. It checks nothing a real client must
 * (header syntax, limits, timeouts): what it measures is how fast the server and the kernel
 * let any client go, so that a real client's distance from it is the client's own cost.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
    int fd;
    char *buf;
    size_t have, cap;
    long url;   /* the URL in flight, or -1 */
    long want;  /* whole response size once the head is in, else -1 */
};

static char **paths;
static long npaths, next_url, fetched, titles, errors, finished, connections;
static struct sockaddr_in server;
static char host_header[64];
static int epoll_fd;

static void open_conn(struct conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&server, sizeof server) != 0) {
        fprintf(stderr, "fetch-minimal: connect: %s\n", strerror(errno));
        exit(1);
    }
    int on = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &e);
    ++connections;
}

static void send_next(struct conn *c) {
    c->url = -1;
    if (next_url >= npaths) return;
    char request[2048];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", paths[next_url], host_header);
    if (n <= 0 || (size_t)n >= sizeof request || send(c->fd, request, (size_t)n, MSG_NOSIGNAL) != n) {
        fprintf(stderr, "fetch-minimal: send failed\n");
        exit(1);
    }
    c->url = next_url++;
    c->have = 0;
    c->want = -1;
}

static int has_title(const char *body, size_t size) {
    const char *open = memmem(body, size, "<title>", 7);
    return open != NULL && memmem(open, size - (size_t)(open - body), "</title>", 8) != NULL;
}

/* The response in c->buf is whole: count it, then reuse the connection. */
static void finish(struct conn *c, size_t head) {
    int ok = c->buf[9] == '2';  /* "HTTP/1.1 2xx" */
    if (ok) {
        ++fetched;
        titles += has_title(c->buf + head, (size_t)c->want - head);
    } else {
        ++errors;
    }
    ++finished;
    send_next(c);
}

static void fail_and_reopen(struct conn *c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->url >= 0) {
        ++errors;
        ++finished;
    }
    open_conn(c);
    send_next(c);
}

static void readable(struct conn *c) {
    if (c->cap - c->have < 16384) {
        c->cap = c->cap * 2 + 16384;
        c->buf = realloc(c->buf, c->cap);
        if (c->buf == NULL) exit(1);
    }
    ssize_t n = recv(c->fd, c->buf + c->have, c->cap - c->have - 1, 0);
    if (n <= 0 || c->url < 0) {
        fail_and_reopen(c);
        return;
    }
    c->have += (size_t)n;
    c->buf[c->have] = '\0';
    char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
    if (end == NULL) return;
    size_t head = (size_t)(end + 4 - c->buf);
    if (c->want < 0) {
        char *length = strcasestr(c->buf, "\r\ncontent-length:");
        if (length == NULL || length > end) {
            fail_and_reopen(c);
            return;
        }
        c->want = (long)head + atol(length + 17);
    }
    if ((long)c->have >= c->want) finish(c, head);
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--concurrency", "--urls", NULL};
    peer_parse(argc, argv, "fetch-minimal", "--concurrency C --urls FILE", flags);
    long concurrency = (long)peer_count("--concurrency", -1, 1, 100000);
    FILE *file = fopen(peer_text("--urls") ? peer_text("--urls") : "", "r");
    if (file == NULL) peer_usage("--urls: cannot open the file");
    char line[4096], host[64] = "";
    int port = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') continue;
        int offset = 0;
        if (sscanf(line, "http://%63[0-9.]:%d%n", host, &port, &offset) != 2 || line[offset] != '/') {
            fprintf(stderr, "fetch-minimal: not http://IPv4:PORT/path: %s\n", line);
            return 1;
        }
        paths = realloc(paths, sizeof *paths * (size_t)(npaths + 1));
        paths[npaths++] = strdup(line + offset);
    }
    fclose(file);
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (npaths > 0 && inet_pton(AF_INET, host, &server.sin_addr) != 1) return 1;
    snprintf(host_header, sizeof host_header, "%s:%d", host, port);

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    long count = concurrency < npaths ? concurrency : npaths;
    struct conn *conns = calloc((size_t)(count > 0 ? count : 1), sizeof *conns);
    double start = peer_now();
    for (long i = 0; i < count; ++i) {
        open_conn(&conns[i]);
        send_next(&conns[i]);
    }
    struct epoll_event events[256];
    while (finished < npaths) {
        int n = epoll_wait(epoll_fd, events, 256, -1);
        for (int i = 0; i < n; ++i) readable(events[i].data.ptr);
    }
    printf("fetched=%ld titles=%ld errors=%ld seconds=%.6f connections=%ld\n", fetched, titles, errors, peer_now() - start,
           connections);
    return 0;
}
