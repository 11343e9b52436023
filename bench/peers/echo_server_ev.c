/* SPDX-License-Identifier: MIT
 * echo-server-ev: the echo-server peer on libevent 2.1 (Debian libevent-dev), written the way
 * libevent's documentation teaches: an evconnlistener accepts, each connection is a socket
 * bufferevent. Contract (../shared/peers/CONTRACT.md, "Echo server"):
 *
 *   echo-server-ev --port P
 *
 * listens on 127.0.0.1:P with a backlog of 4096, sends every byte back on the connection it
 * came from, in order, keeps each connection until the peer closes it, and exits 0 on SIGTERM
 * or SIGINT. Nothing goes to stdout; a one-line summary goes to stderr at exit.
 *
 * - Echo: the read callback moves the whole input evbuffer onto the output evbuffer
 *   (evbuffer_add_buffer relinks chains, it does not copy bytes).
 * - Flow control: once more than 1 MiB waits in the output buffer, reading is disabled; the
 *   write callback (output at or below the 512 KiB low-water mark) enables it again. At end of
 *   input the output buffer is sent before the connection closes; on an error it closes at once.
 * - Accepting: evconnlistener reports any accept error other than EAGAIN / EINTR /
 *   ECONNABORTED to the error callback and would otherwise wake again at once while the
 *   backlog is non-empty. On EMFILE / ENFILE / ENOBUFS / ENOMEM the callback disables the
 *   listener and a one-shot timer enables it 100 ms later; clients wait in the backlog.
 */
#define _GNU_SOURCE
#include "peer_util.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

enum {
    QUEUE_LIMIT = 1 << 20,
    QUEUE_RESUME = 1 << 19,
    ACCEPT_PAUSE_MS = 100,
};

static struct event_base *base;
static struct evconnlistener *listener;
static struct event *accept_timer;
static unsigned long long accepted, accept_pauses, dropped_at_accept;

static void on_readable(struct bufferevent *bev, void *arg) {
    (void)arg;
    struct evbuffer *out = bufferevent_get_output(bev);
    evbuffer_add_buffer(out, bufferevent_get_input(bev));
    if (evbuffer_get_length(out) > QUEUE_LIMIT) bufferevent_disable(bev, EV_READ);
}

static void on_drained(struct bufferevent *bev, void *arg) {
    (void)arg;
    if (!(bufferevent_get_enabled(bev) & EV_READ)) bufferevent_enable(bev, EV_READ);
}

static void free_when_sent(struct bufferevent *bev, void *arg) {
    (void)arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) bufferevent_free(bev);
}

static void on_event(struct bufferevent *bev, short what, void *arg) {
    (void)arg;
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
        /* The peer is done sending: send what is queued, then close. */
        bufferevent_disable(bev, EV_READ);
        bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
        bufferevent_setcb(bev, NULL, free_when_sent, on_event, NULL);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) bufferevent_free(bev);   /* closes the socket */
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int len, void *arg) {
    (void)l;
    (void)addr;
    (void)len;
    (void)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        evutil_closesocket(fd);
        ++dropped_at_accept;
        return;
    }
    bufferevent_setcb(bev, on_readable, on_drained, on_event, NULL);
    bufferevent_setwatermark(bev, EV_WRITE, QUEUE_RESUME, 0);
    if (bufferevent_enable(bev, EV_READ) != 0) {
        bufferevent_free(bev);
        ++dropped_at_accept;
        return;
    }
    ++accepted;
}

static void resume_accepting(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    evconnlistener_enable(listener);
}

static void on_accept_error(struct evconnlistener *l, void *arg) {
    (void)arg;
    int err = EVUTIL_SOCKET_ERROR();
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        evconnlistener_disable(l);
        struct timeval pause = {0, ACCEPT_PAUSE_MS * 1000};
        evtimer_add(accept_timer, &pause);
        ++accept_pauses;
    } else {
        fprintf(stderr, "echo-server-ev: accept: %s\n", evutil_socket_error_to_string(err));
    }
}

static void on_signal(evutil_socket_t signum, short what, void *arg) {
    (void)signum;
    (void)what;
    (void)arg;
    event_base_loopbreak(base);
}

int main(int argc, char **argv) {
    static const char *const flags[] = {"--port", NULL};
    peer_parse(argc, argv, "echo-server-ev", "--port P", flags);
    int port = (int)peer_count("--port", -1, 1, 65535);
    signal(SIGPIPE, SIG_IGN);

    base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "echo-server-ev: event_base_new failed\n");
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener = evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                       4096, (struct sockaddr *)&addr, sizeof addr);
    if (listener == NULL) {
        fprintf(stderr, "echo-server-ev: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }
    evconnlistener_set_error_cb(listener, on_accept_error);
    accept_timer = evtimer_new(base, resume_accepting, NULL);
    struct event *term = evsignal_new(base, SIGTERM, on_signal, NULL);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, NULL);
    event_add(term, NULL);
    event_add(intr, NULL);

    event_base_dispatch(base);

    /* Open bufferevents are left to the process exit; the base's own objects are freed. */
    event_free(term);
    event_free(intr);
    event_free(accept_timer);
    evconnlistener_free(listener);
    event_base_free(base);
    fprintf(stderr, "echo-server-ev: accepted %llu connections, paused accepting %llu times, dropped %llu\n",
            accepted, accept_pauses, dropped_at_accept);
    return 0;
}
