/* SPDX-License-Identifier: MIT
 * echo-server-uv: the echo-server peer on libuv 1.44 (Debian libuv1-dev), the reference weft's
 * reactor is held against (round trips/s and bulk throughput at least libuv's, memory per idle
 * connection at most libuv's). Contract (../shared/peers/CONTRACT.md, "Echo server"):
 *
 *   echo-server-uv --port P
 *
 * listens on 127.0.0.1:P with a backlog of 4096, sends every byte back on the connection it
 * came from, in order, keeps each connection until the peer closes it, and exits 0 on SIGTERM
 * or SIGINT. Nothing goes to stdout; a one-line summary goes to stderr at exit.
 *
 * How it spends memory and copies, since those are what is compared:
 * - A connection is one malloc'd uv_tcp_t and nothing else. Every read lands in one static
 *   64 KiB buffer (one loop thread, and a read callback finishes with the bytes before it
 *   returns), and is answered at once with uv_try_write. Only bytes the socket does not take
 *   are copied, into a uv_write request that owns them.
 * - Flow control: while more than 1 MiB waits in a connection's write queue it is not read;
 *   reading resumes once the queue is down to 512 KiB. At end of input the queue is sent
 *   (uv_shutdown) before the connection closes; on an error it closes at once.
 * - Accepting: libuv's own listener answers EMFILE by accepting and closing everything in the
 *   backlog (its reserved-descriptor trick), i.e. it drops clients. The contract wants the
 *   server to pause instead, so this server accepts by itself: a uv_poll_t watches the
 *   listening socket, accept4 takes up to 256 connections per wake-up, and on EMFILE / ENFILE /
 *   ENOBUFS / ENOMEM the watcher stops for 100 ms (a uv_timer_t restarts it). Pending clients
 *   wait in the backlog meanwhile. Each accepted socket is handed to a uv_tcp_t with
 *   uv_tcp_open, so reads and writes are libuv's ordinary stream path.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

enum {
    QUEUE_LIMIT = 1 << 20,       /* stop reading above this many queued bytes */
    QUEUE_RESUME = 1 << 19,      /* start again at or below this */
    ACCEPT_BATCH = 256,          /* accept4 calls per readiness event */
    ACCEPT_PAUSE_MS = 100,       /* pause after running out of descriptors */
};

static uv_loop_t *loop;
static int listen_fd = -1;
static uv_poll_t listener;
static uv_timer_t accept_timer;
static uv_signal_t sigterm_watch, sigint_watch;
static char scratch[64 * 1024];
static char paused_mark;         /* handle->data == &paused_mark: reading stopped by flow control */
static unsigned long long accepted, accept_pauses, dropped_at_accept;

/* A write the socket did not take at once; the bytes live right after the request. */
struct queued_write {
    uv_write_t req;
    char bytes[];
};

static void lend_scratch(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init(scratch, sizeof scratch);
}

static void free_handle(uv_handle_t *handle) { free(handle); }

static void hang_up(uv_stream_t *stream) {
    if (!uv_is_closing((uv_handle_t *)stream)) uv_close((uv_handle_t *)stream, free_handle);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void on_written(uv_write_t *req, int status) {
    uv_stream_t *stream = req->handle;
    free(req);   /* the uv_write_t is the first member of its queued_write */
    if (status < 0) {
        hang_up(stream);
        return;
    }
    if (stream->data == &paused_mark && stream->write_queue_size <= QUEUE_RESUME &&
        !uv_is_closing((uv_handle_t *)stream)) {
        stream->data = NULL;
        if (uv_read_start(stream, lend_scratch, on_read) != 0) hang_up(stream);
    }
}

static void on_shut_down(uv_shutdown_t *req, int status) {
    (void)status;
    hang_up(req->handle);
    free(req);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    if (nread == UV_EOF) {   /* the peer is done sending: send what is queued, then close */
        uv_shutdown_t *req = malloc(sizeof *req);
        if (req == NULL || uv_shutdown(req, stream, on_shut_down) != 0) {
            free(req);
            hang_up(stream);
        }
        return;
    }
    if (nread < 0) {
        hang_up(stream);
        return;
    }
    size_t length = (size_t)nread, taken = 0;
    if (length == 0) return;
    uv_buf_t now = uv_buf_init(buf->base, (unsigned)length);
    int wrote = uv_try_write(stream, &now, 1);   /* UV_EAGAIN while earlier bytes are queued */
    if (wrote >= 0) taken = (size_t)wrote;
    else if (wrote != UV_EAGAIN) {
        hang_up(stream);
        return;
    }
    if (taken == length) return;

    size_t rest = length - taken;
    struct queued_write *w = malloc(sizeof *w + rest);
    if (w == NULL) {
        hang_up(stream);
        return;
    }
    memcpy(w->bytes, buf->base + taken, rest);
    uv_buf_t later = uv_buf_init(w->bytes, (unsigned)rest);
    if (uv_write(&w->req, stream, &later, 1, on_written) != 0) {
        free(w);
        hang_up(stream);
        return;
    }
    if (stream->write_queue_size > QUEUE_LIMIT) {
        uv_read_stop(stream);
        stream->data = &paused_mark;
    }
}

static void on_acceptable(uv_poll_t *poll, int status, int events);

static void resume_accepting(uv_timer_t *timer) {
    (void)timer;
    uv_poll_start(&listener, UV_READABLE, on_acceptable);
}

static void on_acceptable(uv_poll_t *poll, int status, int events) {
    (void)poll;
    (void)events;
    if (status < 0) {
        fprintf(stderr, "echo-server-uv: listener: %s\n", uv_strerror(status));
        return;
    }
    for (int i = 0; i < ACCEPT_BATCH; ++i) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                uv_poll_stop(&listener);
                uv_timer_start(&accept_timer, resume_accepting, ACCEPT_PAUSE_MS, 0);
                ++accept_pauses;
            }
            return;   /* EAGAIN (backlog empty) or a pause */
        }
        uv_tcp_t *conn = malloc(sizeof *conn);
        if (conn == NULL) {
            close(fd);
            ++dropped_at_accept;
            continue;
        }
        uv_tcp_init(loop, conn);
        if (uv_tcp_open(conn, fd) != 0) {
            close(fd);
            uv_close((uv_handle_t *)conn, free_handle);
            ++dropped_at_accept;
            continue;
        }
        uv_tcp_nodelay(conn, 1);
        conn->data = NULL;
        if (uv_read_start((uv_stream_t *)conn, lend_scratch, on_read) != 0) {
            hang_up((uv_stream_t *)conn);
            continue;
        }
        ++accepted;
    }
}

static void on_signal(uv_signal_t *watch, int signum) {
    (void)watch;
    (void)signum;
    uv_stop(loop);
}

static void close_any(uv_handle_t *handle, void *arg) {
    (void)arg;
    if (uv_is_closing(handle)) return;
    uv_close(handle, handle->type == UV_TCP ? free_handle : NULL);
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--port", NULL};
    peer_parse(argc, argv, "echo-server-uv", "--port P", flags);
    int port = (int)peer_count("--port", -1, 1, 65535);
    signal(SIGPIPE, SIG_IGN);

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listen_fd, 4096) != 0) {
        fprintf(stderr, "echo-server-uv: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }

    loop = uv_default_loop();
    uv_poll_init_socket(loop, &listener, listen_fd);
    uv_timer_init(loop, &accept_timer);
    uv_signal_init(loop, &sigterm_watch);
    uv_signal_init(loop, &sigint_watch);
    uv_signal_start(&sigterm_watch, on_signal, SIGTERM);
    uv_signal_start(&sigint_watch, on_signal, SIGINT);
    uv_poll_start(&listener, UV_READABLE, on_acceptable);
    uv_run(loop, UV_RUN_DEFAULT);

    /* Stopped by a signal: close every handle (connections free themselves), then the loop. */
    uv_walk(loop, close_any, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    close(listen_fd);
    fprintf(stderr, "echo-server-uv: accepted %llu connections, paused accepting %llu times, dropped %llu\n",
            accepted, accept_pauses, dropped_at_accept);
    return 0;
}
