/* SPDX-License-Identifier: MIT
 * dns-cares: the DNS resolver peer on c-ares 1.18 (Debian libc-ares-dev). weft's
 * build/bench/weft-dns follows the same contract, and bench/run.sh (suite dns) compares them.
 *
 *   PROG --nameserver 127.0.0.1:PORT --names FILE --concurrency C
 *   -> last stdout line: resolved=N failed=F seconds=S cpu_seconds=U
 *
 * (../shared/peers/CONTRACT.md, "DNS resolver".) Every line of FILE is one fully qualified name
 * without the trailing dot; each is resolved once to IPv4 addresses, with at most C lookups in
 * flight. `resolved` counts the names that gave at least one address, `failed` all the others
 * (NXDOMAIN, timeout, any error). `seconds` runs from the first lookup started to the last one
 * finished; `cpu_seconds` is this process's user + system CPU time over the same span (an
 * extra key: bench/run.sh reports it beside the whole process's CPU time).
 *
 * Here: ares_gethostbyname(AF_INET), what a c-ares user calls to turn a name into IPv4
 * addresses; it asks for A and takes the addresses at the end of the CNAME chain in the
 * answer. The channel is told to look in DNS only (lookups "b": no /etc/hosts), to use no
 * search list and no HOSTALIASES (ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES) and to ask only
 * the given server (ares_set_servers_ports_csv, which replaces the servers of
 * /etc/resolv.conf). Timeouts and retries stay c-ares' defaults. One thread: the channel's
 * sockets are watched by poll(2), kept up to date through ARES_OPT_SOCK_STATE_CB, and handed
 * to ares_process_fd when ready; on a poll timeout, ares_process_fd(BAD, BAD) runs c-ares'
 * timers (retries and timeouts).
 * Exit status 0 when every name was looked up (even if some failed); 1 on a setup error; 2 on
 * bad usage.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <ares.h>
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>

/* The sockets c-ares wants watched; it uses one UDP socket per server (plus TCP ones after a
 * truncated answer), so a small array that grows is plenty. */
static struct pollfd *watched;
static size_t watched_count, watched_capacity;

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
    (void)data;
    size_t i = 0;
    while (i < watched_count && watched[i].fd != fd) ++i;
    if (!readable && !writable) { /* c-ares is done with this socket */
        if (i < watched_count) watched[i] = watched[--watched_count];
        return;
    }
    if (i == watched_count) {
        if (watched_count == watched_capacity) {
            watched_capacity = watched_capacity ? 2 * watched_capacity : 8;
            watched = realloc(watched, watched_capacity * sizeof *watched);
            if (watched == NULL) {
                fprintf(stderr, "dns-cares: out of memory\n");
                exit(1);
            }
        }
        watched[watched_count++].fd = fd;
    }
    watched[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    watched[i].revents = 0;
}

static long long resolved, failed, in_flight;

static void on_host(void *arg, int status, int timeouts, struct hostent *host) {
    (void)arg;
    (void)timeouts;
    if (status == ARES_SUCCESS && host != NULL && host->h_addr_list != NULL && host->h_addr_list[0] != NULL)
        ++resolved;
    else
        ++failed;
    --in_flight;
}

static double cpu_now(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

/* The names of FILE, one per line, in one buffer (not timed: read before the clock starts). */
static char **read_names(const char *path, long long *count) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "dns-cares: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char **names = NULL;
    long long n = 0, capacity = 0;
    char *line = NULL;
    size_t size = 0;
    ssize_t length;
    while ((length = getline(&line, &size, file)) >= 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = '\0';
        if (length == 0) continue;
        if (n == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            names = realloc(names, (size_t)capacity * sizeof *names);
            if (names == NULL) {
                fprintf(stderr, "dns-cares: out of memory\n");
                exit(1);
            }
        }
        names[n] = strdup(line);
        if (names[n] == NULL) {
            fprintf(stderr, "dns-cares: out of memory\n");
            exit(1);
        }
        ++n;
    }
    free(line);
    fclose(file);
    *count = n;
    return names;
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--nameserver", "--names", "--concurrency", NULL};
    peer_parse(argc, argv, "dns-cares", "--nameserver 127.0.0.1:PORT --names FILE --concurrency C", flags);
    const char *server = peer_text("--nameserver");
    const char *path = peer_text("--names");
    if (server == NULL) peer_usage("--nameserver is required");
    if (path == NULL) peer_usage("--names is required");
    long long concurrency = peer_count("--concurrency", -1, 1, 1000000);

    long long count = 0;
    char **names = read_names(path, &count);

    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns-cares: ares_library_init: %s\n", ares_strerror(rc));
        return 1;
    }
    struct ares_options options;
    memset(&options, 0, sizeof options);
    options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    options.lookups = (char *)"b";
    options.sock_state_cb = on_sock_state;
    ares_channel channel;
    rc = ares_init_options(&channel, &options, ARES_OPT_FLAGS | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns-cares: ares_init_options: %s\n", ares_strerror(rc));
        return 1;
    }
    rc = ares_set_servers_ports_csv(channel, server);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns-cares: bad --nameserver '%s': %s\n", server, ares_strerror(rc));
        return 2;
    }

    const double cpu0 = cpu_now();
    const double t0 = peer_now();
    long long next = 0;
    struct pollfd ready[64];
    for (;;) {
        /* Top up here rather than in on_host: c-ares may call back from inside
         * ares_gethostbyname, and starting lookups from the callback would then recurse. */
        while (in_flight < concurrency && next < count) {
            ++in_flight;
            ares_gethostbyname(channel, names[next++], AF_INET, on_host, NULL);
        }
        if (in_flight == 0 && next == count) break;

        struct timeval tv;
        struct timeval *wait = ares_timeout(channel, NULL, &tv);
        int timeout_ms = wait == NULL ? -1 : (int)(wait->tv_sec * 1000 + (wait->tv_usec + 999) / 1000);
        int n = poll(watched, (nfds_t)watched_count, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "dns-cares: poll: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        /* Copied first: ares_process_fd may close sockets, which edits `watched`. */
        size_t r = 0;
        for (size_t i = 0; i < watched_count && r < sizeof ready / sizeof ready[0]; ++i)
            if (watched[i].revents != 0) ready[r++] = watched[i];
        for (size_t i = 0; i < r; ++i) {
            /* POLLERR/POLLHUP count as readable: the read then sees the error. */
            int in = (ready[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
            int out = (ready[i].revents & POLLOUT) != 0;
            ares_process_fd(channel, in ? ready[i].fd : ARES_SOCKET_BAD, out ? ready[i].fd : ARES_SOCKET_BAD);
        }
    }
    const double seconds = peer_now() - t0;
    const double cpu = cpu_now() - cpu0;

    ares_destroy(channel);
    ares_library_cleanup();
    for (long long i = 0; i < count; ++i) free(names[i]);
    free(names);
    free(watched);
    printf("resolved=%lld failed=%lld seconds=%.6f cpu_seconds=%.6f\n", resolved, failed, seconds, cpu);
    return 0;
}
