/* SPDX-License-Identifier: MIT
 * echo-client-uv: the echo-client peer on libuv 1.44 (Debian libuv1-dev). bench/run.sh drives
 * every echo server with it, so servers are compared through the same client, and weft's own
 * client (build/bench/weft-echo-client, same flags, same output) is compared with it.
 * Contract (../shared/peers/CONTRACT.md, "Echo client"):
 *
 *   echo-client-uv --host H --port P --connections N --seconds T --size B
 *     -> last stdout line: roundtrips=R seconds=S
 *   echo-client-uv --host H --port P --bulk BYTES
 *     -> last stdout line: bytes=N seconds=S
 *
 * Ping-pong: connects N sockets (TCP_NODELAY) and waits until all are up, untimed. Then the
 * clock starts and every connection sends B bytes, waits until B bytes have come back, and
 * sends again. A uv timer ends the run after T seconds; R counts the round trips completed
 * before it fired, S is the time from the start to that moment (about T).
 * Bulk: one connection; once it is up the clock starts; BYTES go out in 64 KiB writes, with
 * at most 1 MiB queued in libuv at a time (more is written as writes complete), while the
 * echo is read concurrently; the clock stops when BYTES have come back. N is bytes received.
 * Exit status 1 when any connection fails to connect, is closed or errs during the measured
 * part; 2 on bad usage. H must be a numeric IPv4 address (bench/run.sh passes 127.0.0.1).
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <signal.h>
#include <uv.h>

enum {
    CHUNK = 64 * 1024,
    BULK_QUEUE = 1 << 20,
};

struct conn {
    uv_tcp_t tcp;
    uv_connect_t connecting;
    size_t echoed;   /* bytes of the current message back so far */
};

static uv_loop_t *loop;
static struct conn *conns;
static long long conn_count, connected, failed;
static size_t msg_size;
static char *message;
static double run_seconds;
static uv_timer_t deadline;
static int measuring;
static double started, stopped;
static long long roundtrips;
static long long bulk_bytes, bulk_queued, bulk_back;
static char inbox[CHUNK], outbox[CHUNK];

static void lend_inbox(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init(inbox, sizeof inbox);
}

static void finish(void) {
    measuring = 0;
    for (long long i = 0; i < conn_count; ++i)
        if (!uv_is_closing((uv_handle_t *)&conns[i].tcp)) uv_close((uv_handle_t *)&conns[i].tcp, NULL);
    if (!uv_is_closing((uv_handle_t *)&deadline)) uv_close((uv_handle_t *)&deadline, NULL);
}

static void lost(const char *what, int err) {
    fprintf(stderr, "echo-client-uv: %s: %s\n", what, uv_strerror(err));
    ++failed;
    finish();
}

static void free_request(uv_write_t *req, int status) {
    (void)status;   /* a failed write shows up as a read error */
    free(req);
}

/* Sends the message; message is never modified, so a queued write can point at it. */
static void send_message(struct conn *c) {
    uv_buf_t buf = uv_buf_init(message, (unsigned)msg_size);
    int wrote = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
    if (wrote == (int)msg_size) return;
    if (wrote > 0) buf = uv_buf_init(message + wrote, (unsigned)(msg_size - (size_t)wrote));
    else if (wrote != UV_EAGAIN) {
        lost("write", wrote);
        return;
    }
    uv_write_t *req = malloc(sizeof *req);
    int err = req == NULL ? UV_ENOMEM : uv_write(req, (uv_stream_t *)&c->tcp, &buf, 1, free_request);
    if (err != 0) {
        free(req);
        lost("write", err);
    }
}

static void on_pingpong_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    (void)buf;
    if (!measuring) return;
    if (nread < 0) {
        lost("read", (int)nread);
        return;
    }
    struct conn *c = (struct conn *)stream;   /* tcp is the first member */
    c->echoed += (size_t)nread;
    if (c->echoed < msg_size) return;
    if (c->echoed > msg_size) {
        fprintf(stderr, "echo-client-uv: server sent %zu bytes for a %zu-byte message\n", c->echoed, msg_size);
        ++failed;
        finish();
        return;
    }
    c->echoed = 0;
    ++roundtrips;
    send_message(c);
}

static void on_deadline(uv_timer_t *timer) {
    (void)timer;
    stopped = peer_now();
    finish();
}

static void start_pingpong(void) {
    measuring = 1;
    started = peer_now();
    uv_update_time(loop);
    uv_timer_start(&deadline, on_deadline, (uint64_t)(run_seconds * 1000.0 + 0.5), 0);
    for (long long i = 0; i < conn_count && measuring; ++i) {
        int err = uv_read_start((uv_stream_t *)&conns[i].tcp, lend_inbox, on_pingpong_read);
        if (err != 0) lost("read", err);
        else send_message(&conns[i]);
    }
}

static void pump_bulk(void);

static void on_bulk_written(uv_write_t *req, int status) {
    free(req);
    if (status < 0) {
        if (measuring) lost("write", status);
        return;
    }
    if (measuring) pump_bulk();
}

static void pump_bulk(void) {
    uv_stream_t *stream = (uv_stream_t *)&conns[0].tcp;
    while (bulk_queued < bulk_bytes && stream->write_queue_size < BULK_QUEUE) {
        long long left = bulk_bytes - bulk_queued;
        unsigned size = left < CHUNK ? (unsigned)left : CHUNK;
        uv_buf_t buf = uv_buf_init(outbox, size);
        uv_write_t *req = malloc(sizeof *req);
        int err = req == NULL ? UV_ENOMEM : uv_write(req, stream, &buf, 1, on_bulk_written);
        if (err != 0) {
            free(req);
            lost("write", err);
            return;
        }
        bulk_queued += size;
    }
}

static void on_bulk_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    (void)stream;
    (void)buf;
    if (!measuring) return;
    if (nread < 0) {
        lost("read", (int)nread);
        return;
    }
    bulk_back += nread;
    if (bulk_back >= bulk_bytes) {
        stopped = peer_now();
        finish();
    }
}

static void start_bulk(void) {
    measuring = 1;
    started = peer_now();
    int err = uv_read_start((uv_stream_t *)&conns[0].tcp, lend_inbox, on_bulk_read);
    if (err != 0) lost("read", err);
    else pump_bulk();
}

static void on_connected(uv_connect_t *req, int status) {
    if (status < 0) {
        fprintf(stderr, "echo-client-uv: connect: %s\n", uv_strerror(status));
        ++failed;
    } else {
        uv_tcp_nodelay((uv_tcp_t *)req->handle, 1);
    }
    if (++connected < conn_count) return;
    if (failed > 0) finish();
    else if (bulk_bytes > 0) start_bulk();
    else start_pingpong();
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--host", "--port", "--connections", "--seconds", "--size", "--bulk", NULL};
    peer_parse(argc, argv, "echo-client-uv",
               "--host H --port P (--connections N --seconds T --size B | --bulk BYTES)", flags);
    const char *host = peer_text("--host");
    if (host == NULL) peer_usage("--host is required");
    int port = (int)peer_count("--port", -1, 1, 65535);
    bulk_bytes = peer_text("--bulk") ? peer_count("--bulk", -1, 1, (long long)1 << 50) : 0;
    if (bulk_bytes > 0) {
        if (peer_text("--connections") || peer_text("--seconds") || peer_text("--size"))
            peer_usage("--bulk does not go with --connections, --seconds or --size");
        conn_count = 1;
    } else {
        conn_count = peer_count("--connections", -1, 1, 1000000);
        run_seconds = peer_real("--seconds", 0);
        msg_size = (size_t)peer_count("--size", -1, 1, CHUNK);
    }
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in server;
    if (uv_ip4_addr(host, port, &server) != 0) peer_usage("--host wants a numeric IPv4 address, not '%s'", host);
    message = malloc(msg_size > 0 ? msg_size : 1);
    conns = calloc((size_t)conn_count, sizeof *conns);
    if (message == NULL || conns == NULL) {
        fprintf(stderr, "echo-client-uv: out of memory\n");
        return 1;
    }
    memset(message, 'w', msg_size);
    memset(outbox, 'b', sizeof outbox);

    loop = uv_default_loop();
    uv_timer_init(loop, &deadline);
    for (long long i = 0; i < conn_count; ++i) {
        uv_tcp_init(loop, &conns[i].tcp);
        int err = uv_tcp_connect(&conns[i].connecting, &conns[i].tcp, (const struct sockaddr *)&server, on_connected);
        if (err != 0) {   /* counted like a failed connect, without a callback */
            fprintf(stderr, "echo-client-uv: connect: %s\n", uv_strerror(err));
            ++failed;
            if (++connected == conn_count) finish();
        }
    }
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    free(conns);
    free(message);

    if (failed > 0) {
        fprintf(stderr, "echo-client-uv: %lld of %lld connections failed\n", failed, conn_count);
        return 1;
    }
    if (bulk_bytes > 0) printf("bytes=%lld seconds=%.6f\n", bulk_back, stopped - started);
    else printf("roundtrips=%lld seconds=%.6f\n", roundtrips, stopped - started);
    return 0;
}
