/* SPDX-License-Identifier: MIT
 * idle-client: opens many TCP connections to an echo server and holds them without sending a
 * byte, for the idle-memory suite of bench/run.sh (the server's RSS growth divided by the
 * connections it holds). Plain epoll, no library, so it measures nothing of its own.
 *
 *   idle-client --host H --port P --connections N [--sources K] [--connect-seconds T]
 *               [--hold S]
 *
 * Connect phase: non-blocking connects, at most 256 in flight. Connection i is bound to the
 * source address 127.0.0.(1 + i mod K) (default K = 1) with IP_BIND_ADDRESS_NO_PORT, so the
 * source port is picked at connect time per destination and K addresses give K times the
 * ~28,000 ephemeral ports of one. The phase ends when every connect has finished or after T
 * seconds (default 20); connects still pending then are closed and counted as failed. Then one
 * line goes to stdout, flushed:
 *     connected=C failed=F seconds=S
 * Hold phase: the connections stay open, idle, until SIGTERM / SIGINT or S seconds (default
 * 600) have passed; a connection the server closes meanwhile is counted. At exit a last line:
 *     held=H closed_by_server=X
 * Exit status 0 when the run completed (failures are counted, not fatal), 1 on a setup error,
 * 2 on bad usage. The soft descriptor limit is raised to the hard one; N must fit below it.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum { IN_FLIGHT = 256, EVENTS = 256 };

static volatile sig_atomic_t stop_requested;
static void request_stop(int signum) {
    (void)signum;
    stop_requested = 1;
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--host", "--port", "--connections", "--sources", "--connect-seconds", "--hold", NULL};
    peer_parse(argc, argv, "idle-client",
               "--host H --port P --connections N [--sources K] [--connect-seconds T] [--hold S]", flags);
    const char *host = peer_text("--host");
    if (host == NULL) peer_usage("--host is required");
    int port = (int)peer_count("--port", -1, 1, 65535);
    long long wanted = peer_count("--connections", -1, 1, 10000000);
    long long sources = peer_count("--sources", 1, 1, 254);
    double connect_limit = peer_real("--connect-seconds", 20);
    double hold = peer_real("--hold", 600);

    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) peer_usage("--host wants a numeric IPv4 address, not '%s'", host);

    struct rlimit fds;
    if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
        fds.rlim_cur = fds.rlim_max;
        setrlimit(RLIMIT_NOFILE, &fds);
    }
    if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur != RLIM_INFINITY && (rlim_t)wanted + 16 > fds.rlim_cur) {
        fprintf(stderr, "idle-client: %lld connections need more descriptors than the limit of %llu\n", wanted,
                (unsigned long long)fds.rlim_cur);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = request_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    int *open_fds = malloc((size_t)wanted * sizeof *open_fds);   /* connected sockets */
    size_t fd_room = (size_t)wanted + 1024;
    unsigned char *in_flight = calloc(fd_room, 1);                /* in_flight[fd]: connect pending */
    if (ep < 0 || open_fds == NULL || in_flight == NULL) {
        fprintf(stderr, "idle-client: setup failed: %s\n", strerror(errno));
        return 1;
    }
    long long started = 0, connected = 0, failed = 0, pending = 0;
    struct epoll_event events[EVENTS];
    int first_error = 0;
    const double t0 = peer_now();

    while (connected + failed < wanted && !stop_requested && peer_now() - t0 < connect_limit) {
        while (pending < IN_FLIGHT && started < wanted) {
            long long i = started++;
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd >= 0 && (size_t)fd >= fd_room) {   /* cannot happen below the checked limit */
                close(fd);
                fd = -1;
                errno = EMFILE;
            }
            if (fd < 0) {
                if (!first_error) first_error = errno;
                ++failed;
                continue;
            }
            int one = 1;
            struct sockaddr_in source;
            memset(&source, 0, sizeof source);
            source.sin_family = AF_INET;
            source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(i % sources));
            setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            if (bind(fd, (struct sockaddr *)&source, sizeof source) != 0 ||
                (connect(fd, (struct sockaddr *)&server, sizeof server) != 0 && errno != EINPROGRESS)) {
                if (!first_error) first_error = errno;
                close(fd);
                ++failed;
                continue;
            }
            struct epoll_event want = {.events = EPOLLOUT, .data = {.fd = fd}};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &want);
            in_flight[fd] = 1;
            ++pending;
        }
        int n = epoll_wait(ep, events, EVENTS, 50);
        for (int k = 0; k < n; ++k) {
            int fd = events[k].data.fd, err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            in_flight[fd] = 0;
            --pending;
            if (err == 0) open_fds[connected++] = fd;
            else {
                if (!first_error) first_error = err;
                close(fd);
                ++failed;
            }
        }
    }
    /* Connects still in flight when the phase ended are given up, so that none completes
     * later and makes the server hold more connections than reported here. */
    close(ep);
    for (size_t fd = 0; fd < fd_room && pending > 0; ++fd)
        if (in_flight[fd]) {
            close((int)fd);
            --pending;
        }
    free(in_flight);
    failed = wanted - connected;
    if (failed > 0)
        fprintf(stderr, "idle-client: %lld of %lld connections not made (first error: %s)\n", failed, wanted,
                first_error ? strerror(first_error) : "connect phase timed out");
    printf("connected=%lld failed=%lld seconds=%.6f\n", connected, failed, peer_now() - t0);
    fflush(stdout);

    /* Hold: watch the connected sockets for a close by the server. */
    ep = epoll_create1(EPOLL_CLOEXEC);
    for (long long i = 0; i < connected; ++i) {
        struct epoll_event want = {.events = EPOLLRDHUP, .data = {.fd = open_fds[i]}};
        epoll_ctl(ep, EPOLL_CTL_ADD, open_fds[i], &want);
    }
    long long closed = 0;
    const double t1 = peer_now();
    while (!stop_requested && peer_now() - t1 < hold) {
        int n = epoll_wait(ep, events, EVENTS, 200);
        for (int k = 0; k < n; ++k) {
            epoll_ctl(ep, EPOLL_CTL_DEL, events[k].data.fd, NULL);
            ++closed;
        }
    }
    printf("held=%lld closed_by_server=%lld\n", connected - closed, closed);
    fflush(stdout);
    for (long long i = 0; i < connected; ++i) close(open_fds[i]);
    close(ep);
    free(open_fds);
    return 0;
}
