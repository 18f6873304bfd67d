/*
 * db_notify.c: the invalidation bus (db_notify.h). One libpq connection of
 * its own, used only by the listener thread: LISTEN, then poll() its socket
 * together with a wake-up pipe. Notifications are handed to the subscribers
 * as they arrive; when the server has been quiet for DB_NOTIFY_PING_MS a
 * "SELECT 1" proves the connection still answers. Any failure (an error,
 * end of stream, a heartbeat unanswered for DB_NOTIFY_DEAD_MS) closes the
 * connection, tells the subscribers, and reconnects with a growing pause.
 */
#include "db/db_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

#define DB_NOTIFY_PING_MS    250  /* heartbeat after this much quiet */
#define DB_NOTIFY_DEAD_MS    2000 /* an unanswered heartbeat this old: reconnect */
#define DB_NOTIFY_POLL_MS    100
#define DB_NOTIFY_RETRY_MS   100 /* first pause before reconnecting, doubling */
#define DB_NOTIFY_RETRY_MAX  2000
#define DB_NOTIFY_CONNECT_TO "3" /* seconds; libpq's connect_timeout */

struct db_notify {
    char *url;
    db_notify_sub_t subs[DB_NOTIFY_MAX_SUBS];
    int nsubs;
    pthread_t thread;
    bool started;
    int wake[2]; /* the stopper writes a byte to wake[1] */
    atomic_bool stop, connected;
    _Atomic int64_t heard_us; /* clock_mono_us() when the server last answered */
    _Atomic uint64_t connects, losses, messages;
    /* The listener thread's own: */
    PGconn *pg;
    bool ping_out;
    int64_t ping_sent_us;
    char notice[256]; /* the server's last notice, "" when none */
};

db_notify_t *db_notify_new(const char *url)
{
    db_notify_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->wake[0] = n->wake[1] = -1;
    if (!(n->url = strdup(url)) || pipe2(n->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(n->url);
        free(n);
        return NULL;
    }
    return n;
}

int db_notify_subscribe(db_notify_t *n, const db_notify_sub_t *sub)
{
    if (n->started || n->nsubs == DB_NOTIFY_MAX_SUBS)
        return -1;
    n->subs[n->nsubs++] = *sub;
    return 0;
}

static void tell_reset(db_notify_t *n)
{
    for (int i = 0; i < n->nsubs; i++)
        n->subs[i].reset(n->subs[i].ctx);
}

static void dispatch(db_notify_t *n, const char *payload)
{
    for (int i = 0; i < n->nsubs; i++)
        n->subs[i].message(n->subs[i].ctx, payload);
}

void db_notify_local(db_notify_t *n, const char *fmt, ...)
{
    if (!n)
        return;
    char payload[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(payload, sizeof payload, fmt, ap);
    va_end(ap);
    dispatch(n, payload);
}

bool db_notify_live(db_notify_t *n)
{
    if (!n || !atomic_load(&n->connected))
        return false;
    return clock_mono_us() - atomic_load(&n->heard_us) < DB_NOTIFY_LEASE_MS * 1000LL;
}

void db_notify_stats(db_notify_t *n, db_notify_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!n)
        return;
    out->live = db_notify_live(n);
    out->connects = atomic_load(&n->connects);
    out->losses = atomic_load(&n->losses);
    out->messages = atomic_load(&n->messages);
}

/* ---- the connection ------------------------------------------------------- */

/* Closes the connection and tells the subscribers: from now on nothing is
 * known about changes made elsewhere. */
static void lose(db_notify_t *n, const char *why)
{
    char reason[512];
    snprintf(reason, sizeof reason, "%s%s%s", n->notice, n->notice[0] ? "; " : "", why);
    for (char *p = reason; *p; p++)
        if (*p == '\n')
            *p = ' ';
    for (size_t len = strlen(reason); len && reason[len - 1] == ' ';)
        reason[--len] = '\0';
    n->notice[0] = '\0';
    atomic_store(&n->connected, false);
    tell_reset(n);
    PQfinish(n->pg);
    n->pg = NULL;
    n->ping_out = false;
    atomic_fetch_add(&n->losses, 1);
    log_msg(LOG_WARN, "invalidation bus lost; caches bypassed until it reconnects", "error", reason,
            NULL);
}

/* The server's parting words before it ends the session ("terminating
 * connection due to administrator command") arrive as a notice: kept as the
 * reason the loss is logged with, rather than printed to stderr by libpq. */
static void listener_notice(void *arg, const char *message)
{
    db_notify_t *n = arg;
    snprintf(n->notice, sizeof n->notice, "%s", message);
    n->notice[strcspn(n->notice, "\n")] = '\0';
}

/* Connects and LISTENs; 0, or -1 (logged) with no connection left open. */
static int connect_listen(db_notify_t *n)
{
    char appname[64];
    snprintf(appname, sizeof appname, "loopin-notify-%d", (int)getpid());
    const char *const keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *const values[] = {n->url, appname, DB_NOTIFY_CONNECT_TO, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    const char *err = NULL;
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        err = pg ? PQerrorMessage(pg) : "out of memory";
    } else {
        PQsetNoticeProcessor(pg, listener_notice, n);
        PGresult *r = PQexec(pg, "LISTEN " DB_NOTIFY_CHANNEL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            err = PQerrorMessage(pg);
        PQclear(r);
    }
    if (err) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", err);
        reason[strcspn(reason, "\n")] = '\0';
        log_msg(LOG_WARN, "invalidation bus cannot connect", "error", reason, NULL);
        PQfinish(pg);
        return -1;
    }
    n->pg = pg;
    n->ping_out = false;
    n->notice[0] = '\0';
    /* Changes committed while no connection listened were not heard: the
     * subscribers start empty, and only then does the bus count as live. */
    tell_reset(n);
    atomic_store(&n->heard_us, clock_mono_us());
    atomic_store(&n->connected, true);
    uint64_t k = atomic_fetch_add(&n->connects, 1);
    log_msg(LOG_INFO,
            k ? "invalidation bus reconnected; caches start empty" : "invalidation bus listening",
            "channel", DB_NOTIFY_CHANNEL, NULL);
    return 0;
}

/* Reads what arrived: notifications to the subscribers, the heartbeat's
 * answer. -1 when the connection is gone. */
static int drain(db_notify_t *n)
{
    if (!PQconsumeInput(n->pg) || PQstatus(n->pg) != CONNECTION_OK)
        return -1;
    PGnotify *msg;
    while ((msg = PQnotifies(n->pg))) {
        atomic_fetch_add(&n->messages, 1);
        atomic_store(&n->heard_us, clock_mono_us());
        dispatch(n, msg->extra);
        PQfreemem(msg);
    }
    while (n->ping_out && !PQisBusy(n->pg)) {
        PGresult *r = PQgetResult(n->pg);
        if (!r) {
            n->ping_out = false;
            atomic_store(&n->heard_us, clock_mono_us());
            break;
        }
        bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Sends a heartbeat when the server has been quiet; -1 when one went
 * unanswered too long or cannot be sent. */
static int heartbeat(db_notify_t *n, const char **why)
{
    int64_t now = clock_mono_us();
    if (n->ping_out) {
        *why = "heartbeat unanswered";
        return now - n->ping_sent_us > DB_NOTIFY_DEAD_MS * 1000LL ? -1 : 0;
    }
    if (now - atomic_load(&n->heard_us) < DB_NOTIFY_PING_MS * 1000LL)
        return 0;
    *why = PQerrorMessage(n->pg);
    if (!PQsendQuery(n->pg, "SELECT 1"))
        return -1;
    n->ping_out = true;
    n->ping_sent_us = now;
    return 0;
}

/* Sleeps ms unless stopped; true when stopping. */
static bool pause_or_stop(db_notify_t *n, int ms)
{
    struct pollfd p = {.fd = n->wake[0], .events = POLLIN};
    poll(&p, 1, ms);
    return atomic_load(&n->stop);
}

static void *listener_main(void *arg)
{
    db_notify_t *n = arg;
    int retry_ms = DB_NOTIFY_RETRY_MS;
    while (!atomic_load(&n->stop)) {
        if (!n->pg) {
            if (connect_listen(n) != 0) {
                if (pause_or_stop(n, retry_ms))
                    break;
                retry_ms = retry_ms * 2 > DB_NOTIFY_RETRY_MAX ? DB_NOTIFY_RETRY_MAX : retry_ms * 2;
                continue;
            }
            retry_ms = DB_NOTIFY_RETRY_MS;
        }
        struct pollfd p[2] = {{.fd = PQsocket(n->pg), .events = POLLIN},
                              {.fd = n->wake[0], .events = POLLIN}};
        int rc = poll(p, 2, DB_NOTIFY_POLL_MS);
        if (rc < 0 && errno != EINTR) {
            lose(n, strerror(errno));
            continue;
        }
        if (atomic_load(&n->stop))
            break;
        const char *why = NULL;
        if ((p[0].revents && drain(n) != 0) || heartbeat(n, &why) != 0)
            lose(n, why ? why : PQerrorMessage(n->pg));
    }
    return NULL;
}

int db_notify_start(db_notify_t *n)
{
    connect_listen(n); /* the first try here, so a healthy start is live at once */
    if (pthread_create(&n->thread, NULL, listener_main, n) != 0)
        return -1;
    n->started = true;
    return 0;
}

void db_notify_free(db_notify_t *n)
{
    if (!n)
        return;
    if (n->started) {
        atomic_store(&n->stop, true);
        ssize_t w = write(n->wake[1], "x", 1);
        (void)w;
        pthread_join(n->thread, NULL);
    }
    atomic_store(&n->connected, false);
    PQfinish(n->pg);
    close(n->wake[0]);
    close(n->wake[1]);
    free(n->url);
    free(n);
}
