/*
 * reminders.c: the event_reminders job (issue 13 point 4), every minute.
 * For each published event starting within a day it reminds everyone going,
 * once per person, event and kind: "reminder_24h" while the start is 1-24
 * hours away, "reminder_1h" within the last hour, and "check_in_started" to
 * the host once the start has passed (up to 6 hours late, for a worker that
 * was down). Exactly once is the primary key of event_reminders: the rows
 * and the notifications are written in one transaction per event, with
 * INSERT ... ON CONFLICT DO NOTHING RETURNING choosing who is still due, so
 * several workers or a restart never remind twice. The window is read from
 * the event's current start time, so a moved event's reminders move with it
 * (events_update.c forgets the ones already sent); a cancelled event is not
 * published and gets none.
 *
 * event_live: when an event is published, the host's past guests hear of it
 * (the event_live template), once per person and event, from a job queued in
 * the publishing transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "jobs/jobs.h"
#include "module.h"
#include "notifications/notifications.h"

#define HOUR_US        (3600LL * USEC_PER_SEC)
#define LATE_CHECK_IN  (6 * HOUR_US)
#define EVENTS_PER_RUN 500

typedef struct {
    int64_t id, host_id, start;
    const char *title;
} due_event_t;

static const char SQL_DUE[] =
    "SELECT id, host_id, start_time, title FROM events WHERE status = 'published' AND "
    "start_time > $1 AND start_time <= $2 ORDER BY start_time, id LIMIT $3";

static const char SQL_MARK_GOING[] =
    "INSERT INTO event_reminders (event_id, user_id, kind, created_at) SELECT $1@AS_INT, "
    "a.user_id, $2@AS_TEXT, $3@AS_TIME FROM event_attendees a WHERE a.event_id = $1 AND "
    "a.status = 'going' ON CONFLICT (event_id, user_id, kind) DO NOTHING RETURNING user_id";

static const char SQL_MARK_HOST[] =
    "INSERT INTO event_reminders (event_id, user_id, kind, created_at) VALUES ($1, $2, "
    "'check_in_started', $3) ON CONFLICT (event_id, user_id, kind) DO NOTHING";

typedef struct {
    const due_event_t *e;
    int64_t *told;
} remind_ctx_t;

/* The first column of every row into *ids (malloc'd), and frees rows. */
static int read_ids(db_rows_t *r, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    int rc = DB_OK;
    while (rc == DB_OK && db_next(r)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *grown = realloc(*ids, cap * sizeof *grown);
            if (!grown) {
                rc = DB_ERROR;
                break;
            }
            *ids = grown;
        }
        (*ids)[(*n)++] = db_col_int(r, 0);
    }
    if (rc == DB_OK)
        rc = db_rows_status(r);
    db_rows_free(r);
    return rc;
}

/* "in 5 hours", "in 40 minutes": how far the start is, rounded up. */
static const char *when(op_t *op, int64_t start)
{
    int64_t left = start - op->now_us;
    if (left > 90 * 60 * USEC_PER_SEC) {
        int64_t h = (left + HOUR_US - 1) / HOUR_US;
        return arena_printf(op->arena, "in %lld hours", (long long)h);
    }
    int64_t m = (left + 60 * USEC_PER_SEC - 1) / (60 * USEC_PER_SEC);
    return arena_printf(op->arena, "in %lld minute%s", (long long)m, m == 1 ? "" : "s");
}

static err_t *remind_going_tx(op_t *op, void *arg)
{
    remind_ctx_t *x = arg;
    const due_event_t *e = x->e;
    const char *kind = e->start - op->now_us <= HOUR_US ? "reminder_1h" : "reminder_24h";
    db_rows_t *r;
    int rc = db_query(op->db, SQL_MARK_GOING,
                      DB_ARGS(db_int(e->id), db_text(kind), db_time(op->now_us)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    int64_t *ids = NULL;
    size_t n = 0;
    rc = read_ids(r, &ids, &n); /* all of them: the connection is needed to write */
    notify_ref_t t = {
        .key = !strcmp(kind, "reminder_1h") ? "event_reminder_1h" : "event_reminder_24h",
        .reference_type = "event",
        .reference_id = e->id,
        .metadata =
            arena_printf(op->arena, "{\"event_id\":%lld,\"kind\":\"%s\"}", (long long)e->id, kind)};
    const char *in = when(op, e->start);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        t.to = ids[i];
        rc = notify_template(op, &t, TPL_ARGS({"event_name", e->title}, {"when", in}));
    }
    free(ids);
    *x->told += (int64_t)n;
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *remind_host_tx(op_t *op, void *arg)
{
    remind_ctx_t *x = arg;
    int64_t n = 0;
    int rc = db_exec(op->db, SQL_MARK_HOST,
                     DB_ARGS(db_int(x->e->id), db_int(x->e->host_id), db_time(op->now_us)), &n);
    notify_ref_t t = {.to = x->e->host_id,
                      .key = "check_in_started",
                      .reference_type = "event",
                      .reference_id = x->e->id,
                      .metadata =
                          arena_printf(op->arena, "{\"event_id\":%lld}", (long long)x->e->id)};
    if (rc == DB_OK && n == 1)
        rc = notify_template(op, &t, TPL_ARGS({"event_name", x->e->title}));
    *x->told += n;
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *load_due(op_t *op, due_event_t *out, int *n)
{
    db_rows_t *r;
    int rc = db_query(op->db, SQL_DUE,
                      DB_ARGS(db_time(op->now_us - LATE_CHECK_IN),
                              db_time(op->now_us + 24 * HOUR_US), db_int(EVENTS_PER_RUN)),
                      &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    *n = 0;
    while (db_next(r) && *n < EVENTS_PER_RUN) {
        due_event_t *e = &out[(*n)++];
        e->id = db_col_int(r, 0);
        e->host_id = db_col_int(r, 1);
        e->start = db_col_time(r, 2);
        e->title = arena_strdup(op->arena, db_col_text(r, 3));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *event_reminders(op_t *op, json_t *payload)
{
    (void)payload;
    due_event_t *due = arena_alloc(op->arena, EVENTS_PER_RUN * sizeof *due);
    int n = 0;
    int64_t told = 0;
    err_t *e = load_due(op, due, &n);
    for (int i = 0; !e && i < n; i++) {
        remind_ctx_t x = {.e = &due[i], .told = &told};
        e = op_tx(op, DB_TX_WRITE, due[i].start > op->now_us ? remind_going_tx : remind_host_tx,
                  &x);
    }
    return e;
}

/* ---- a new event announced to the host's past guests --------------------------- */

/* Everyone who went to another of the host's events (still going, or
 * checked in), once per event: event_reminders' key again. */
static const char SQL_MARK_LIVE[] =
    "INSERT INTO event_reminders (event_id, user_id, kind, created_at) SELECT DISTINCT $1@AS_INT, "
    "a.user_id, 'event_live', $3@AS_TIME FROM event_attendees a JOIN events o ON o.id = "
    "a.event_id WHERE o.host_id = $2 AND o.id <> $1 AND a.status IN ('going', 'checked_in') AND "
    "a.user_id <> $2 ON CONFLICT (event_id, user_id, kind) DO NOTHING RETURNING user_id";

static err_t *live_tx(op_t *op, void *arg)
{
    int64_t id = *(int64_t *)arg;
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT e.host_id, e.title FROM events e WHERE e.id = $1 AND e.status = "
                      "'published' AND e.is_public = $2 AND e.is_active = $2",
                      DB_ARGS(db_int(id), db_bool(true)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    int64_t host = 0;
    const char *title = NULL;
    if (db_next(r)) {
        host = db_col_int(r, 0);
        title = arena_strdup(op->arena, db_col_text(r, 1));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK || !host) /* unpublished or made private since */
        return rc == DB_OK ? NULL : op_db_fail(op, rc);
    rc =
        db_query(op->db, SQL_MARK_LIVE, DB_ARGS(db_int(id), db_int(host), db_time(op->now_us)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    int64_t *ids = NULL;
    size_t n = 0;
    rc = read_ids(r, &ids, &n);
    notify_ref_t t = {.key = "event_live",
                      .reference_type = "event",
                      .reference_id = id,
                      .metadata = arena_printf(op->arena, "{\"event_id\":%lld}", (long long)id)};
    const char *host_name = rc == DB_OK && n ? notify_person_name(op, host) : "";
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        t.to = ids[i];
        rc = notify_template(op, &t, TPL_ARGS({"event_name", title}, {"host_name", host_name}));
    }
    free(ids);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *event_live(op_t *op, json_t *payload)
{
    int64_t id = json_integer_value(json_object_get(payload, "event_id"));
    return id > 0 ? op_tx(op, DB_TX_WRITE, live_tx, &id) : NULL;
}

int notify_event_published(op_t *op, int64_t event_id)
{
    char payload[48], key[48];
    snprintf(payload, sizeof payload, "{\"event_id\":%lld}", (long long)event_id);
    snprintf(key, sizeof key, "event_live:%lld", (long long)event_id);
    op->jobs_queued = true;
    return jobs_enqueue(op->app, op->db, "event_live", payload, op->now_us, key, NULL);
}

static const job_kind_t reminder_jobs[] = {
    {.kind = "event_reminders",
     .handler = event_reminders,
     .period_s = 60,
     .max_attempts = 3,
     .lease_s = 120},
    {.kind = "event_live", .handler = event_live, .max_attempts = 5, .lease_s = 120},
    {0},
};

static const purge_def_t reminder_purges[] = {
    {"event_reminders", "DELETE FROM event_reminders WHERE created_at < $1",
     90 * 86400LL * USEC_PER_SEC},
    {0},
};

const module_t reminders_module = {
    .name = "event_reminders", .jobs = reminder_jobs, .purges = reminder_purges};
