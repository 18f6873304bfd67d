/*
 * db_notify_pg.c: the invalidation bus on PostgreSQL (db_notify_source.h).
 * One libpq connection of its own: LISTEN, then poll() its socket together
 * with the bus's wake-up pipe. Notifications go to the subscribers as they
 * arrive; when the server has been quiet for DB_NOTIFY_PING_MS a
 * "SELECT 1" proves the connection still answers. An error, end of stream
 * or a heartbeat unanswered for DB_NOTIFY_DEAD_MS is a loss.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db_notify_source.h"

#define DB_NOTIFY_PING_MS    250  /* heartbeat after this much quiet */
#define DB_NOTIFY_DEAD_MS    2000 /* an unanswered heartbeat this old: reconnect */
#define DB_NOTIFY_CONNECT_TO "3"  /* seconds; libpq's connect_timeout */

typedef struct {
    char *url;
    PGconn *pg;
    bool ping_out;
    int64_t ping_sent_us, heard_us;
    char notice[256]; /* the server's last notice, "" when none */
    char why[512];    /* the reason of the last loss */
} pg_source_t;

void *db_notify_pg_new(const char *url)
{
    pg_source_t *s = calloc(1, sizeof *s);
    if (s && !(s->url = strdup(url))) {
        free(s);
        s = NULL;
    }
    return s;
}

static void pg_heard(db_notify_t *n, pg_source_t *s)
{
    s->heard_us = clock_mono_us();
    db_notify_heard(n);
}

/* The server's parting words before it ends the session ("terminating
 * connection due to administrator command") arrive as a notice: kept as the
 * reason the loss is logged with, rather than printed to stderr by libpq. */
static void listener_notice(void *arg, const char *message)
{
    pg_source_t *s = arg;
    snprintf(s->notice, sizeof s->notice, "%s", message);
    s->notice[strcspn(s->notice, "\n")] = '\0';
}

static int pg_open(db_notify_t *n, void *state)
{
    pg_source_t *s = state;
    char appname[64];
    snprintf(appname, sizeof appname, "loopin-notify-%d", (int)getpid());
    const char *const keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *const values[] = {s->url, appname, DB_NOTIFY_CONNECT_TO, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    const char *err = NULL;
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        err = pg ? PQerrorMessage(pg) : "out of memory";
    } else {
        PQsetNoticeProcessor(pg, listener_notice, s);
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
    s->pg = pg;
    s->ping_out = false;
    s->notice[0] = '\0';
    pg_heard(n, s);
    return 0;
}

/* Reads what arrived: notifications to the subscribers, the heartbeat's
 * answer. -1 when the connection is gone. */
static int drain(db_notify_t *n, pg_source_t *s)
{
    if (!PQconsumeInput(s->pg) || PQstatus(s->pg) != CONNECTION_OK)
        return -1;
    PGnotify *msg;
    while ((msg = PQnotifies(s->pg))) {
        pg_heard(n, s);
        db_notify_deliver(n, msg->extra);
        PQfreemem(msg);
    }
    while (s->ping_out && !PQisBusy(s->pg)) {
        PGresult *r = PQgetResult(s->pg);
        if (!r) {
            s->ping_out = false;
            pg_heard(n, s);
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
static int heartbeat(pg_source_t *s, const char **why)
{
    int64_t now = clock_mono_us();
    if (s->ping_out) {
        *why = "heartbeat unanswered";
        return now - s->ping_sent_us > DB_NOTIFY_DEAD_MS * 1000LL ? -1 : 0;
    }
    if (now - s->heard_us < DB_NOTIFY_PING_MS * 1000LL)
        return 0;
    *why = PQerrorMessage(s->pg);
    if (!PQsendQuery(s->pg, "SELECT 1"))
        return -1;
    s->ping_out = true;
    s->ping_sent_us = now;
    return 0;
}

/* The reason of a loss: the server's notice first, one line. */
static const char *loss(pg_source_t *s, const char *why)
{
    snprintf(s->why, sizeof s->why, "%s%s%s", s->notice, s->notice[0] ? "; " : "", why);
    for (char *p = s->why; *p; p++)
        if (*p == '\n')
            *p = ' ';
    for (size_t len = strlen(s->why); len && s->why[len - 1] == ' ';)
        s->why[--len] = '\0';
    s->notice[0] = '\0';
    return s->why;
}

static int pg_wait(db_notify_t *n, void *state, const char **why)
{
    pg_source_t *s = state;
    struct pollfd p[2] = {{.fd = PQsocket(s->pg), .events = POLLIN},
                          {.fd = db_notify_wake_fd(n), .events = POLLIN}};
    int rc = poll(p, 2, DB_NOTIFY_POLL_MS);
    if (rc < 0 && errno != EINTR) {
        *why = loss(s, strerror(errno));
        return -1;
    }
    if (db_notify_stopping(n))
        return 0;
    const char *hb = NULL;
    if ((p[0].revents && drain(n, s) != 0) || heartbeat(s, &hb) != 0) {
        *why = loss(s, hb ? hb : PQerrorMessage(s->pg));
        return -1;
    }
    return 0;
}

static void pg_close(void *state)
{
    pg_source_t *s = state;
    PQfinish(s->pg);
    s->pg = NULL;
    s->ping_out = false;
}

static void pg_free(void *state)
{
    pg_source_t *s = state;
    if (!s)
        return;
    pg_close(s);
    free(s->url);
    free(s);
}

const db_notify_source_t db_notify_pg = {pg_open, pg_wait, pg_close, pg_free};
