/*
 * deliver.c: the push_deliver job (queued by dispatch.c). One job per
 * notification: read it, re-check the person's preference and devices (they
 * may have changed since it was queued), claim the delivery row, call the
 * adapter, record the outcome and deactivate the player ids the provider
 * reports invalid. A transient failure returns an error, so the queue
 * retries with backoff and buries the job after PUSH_MAX_ATTEMPTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "jobs/jobs.h"
#include "module.h"
#include "notifications/notifications.h"
#include "notifications/push.h"

#define PUSH_MAX_DEVICES    100
#define DELIVERIES_KEEP_DAY 30

typedef struct {
    const char *uuid;
    int64_t id, to, reference_id;
    const char *type, *title, *message, *reference_type, *metadata;
    const char *players[PUSH_MAX_DEVICES];
    int nplayers;
    bool maybe_sent;
} delivery_t;

static int load_notification(op_t *op, delivery_t *d, bool *found)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT id, recipient_id, type, title, message, reference_type, "
                      "reference_id, metadata FROM notifications WHERE uuid = $1",
                      DB_ARGS(db_text(d->uuid)), &r);
    if (rc != DB_OK)
        return rc;
    if ((*found = db_next(r))) {
        d->id = db_col_int(r, 0);
        d->to = db_col_int(r, 1);
        d->type = arena_strdup(op->arena, db_col_text(r, 2));
        d->title = arena_strdup(op->arena, db_col_text(r, 3));
        d->message = arena_strdup(op->arena, db_col_text(r, 4));
        d->reference_type = arena_strdup(op->arena, db_col_text(r, 5));
        d->reference_id = db_col_int(r, 6);
        d->metadata = arena_strdup(op->arena, db_col_text(r, 7) ? db_col_text(r, 7) : "{}");
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc;
}

/* Whether push is still on for the type, and the active player ids. */
static int load_audience(op_t *op, delivery_t *d, bool *wanted)
{
    int64_t on = 0;
    bool found = false;
    /* A boolean read as an integer is 0 on PostgreSQL ('t'): compare in SQL. */
    int rc = db_query_int(op->db,
                          "SELECT CASE WHEN push_enabled THEN 1 ELSE 0 END FROM "
                          "notification_preferences WHERE user_id = $1 AND type = $2",
                          DB_ARGS(db_int(d->to), db_text(d->type)), &on, &found);
    if (rc != DB_OK)
        return rc;
    *wanted = found ? on != 0 : notification_push_default(d->type);
    if (!*wanted)
        return DB_OK;
    db_rows_t *r;
    rc = db_query(op->db,
                  "SELECT onesignal_player_id FROM user_devices WHERE user_id = $1 AND is_active = "
                  "$2 ORDER BY id LIMIT $3",
                  DB_ARGS(db_int(d->to), db_bool(true), db_int(PUSH_MAX_DEVICES)), &r);
    if (rc != DB_OK)
        return rc;
    while (db_next(r) && d->nplayers < PUSH_MAX_DEVICES)
        d->players[d->nplayers++] = arena_strdup(op->arena, db_col_text(r, 0));
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc;
}

static const char SQL_CLAIM[] =
    "INSERT INTO notification_deliveries (notification_uuid, user_id, channel, status, attempts, "
    "devices, created_at, updated_at) VALUES ($1, $2, 'push', $3, $4, $5, $6, $6) ON CONFLICT "
    "(notification_uuid, channel) DO NOTHING";

/* Writes the delivery row 'sending' before the provider is called. *done
 * when an earlier attempt already finished it (sent or skipped). */
static int claim(op_t *op, delivery_t *d, const char *status, bool *done)
{
    int64_t n = 0;
    int rc = db_exec(op->db, SQL_CLAIM,
                     DB_ARGS(db_text(d->uuid), db_int(d->to), db_text(status),
                             db_int(strcmp(status, "sending") ? 0 : 1), db_int(d->nplayers),
                             db_time(op->now_us)),
                     &n);
    *done = false;
    if (rc != DB_OK || n == 1)
        return rc;
    char prev[16] = "";
    db_rows_t *r;
    rc = db_query(op->db,
                  "SELECT status FROM notification_deliveries WHERE notification_uuid = $1 AND "
                  "channel = 'push'",
                  DB_ARGS(db_text(d->uuid)), &r);
    if (rc != DB_OK)
        return rc;
    if (db_next(r))
        snprintf(prev, sizeof prev, "%s", db_col_text(r, 0));
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return rc;
    *done = !strcmp(prev, "sent") || !strcmp(prev, "skipped") || strcmp(status, "sending");
    d->maybe_sent = !strcmp(prev, "sending");
    if (*done)
        return DB_OK;
    return db_exec(op->db,
                   "UPDATE notification_deliveries SET status = 'sending', attempts = attempts + "
                   "1, devices = $2, updated_at = $3 WHERE notification_uuid = $1 AND channel = "
                   "'push' AND status IN ('sending', 'failed')",
                   DB_ARGS(db_text(d->uuid), db_int(d->nplayers), db_time(op->now_us)), NULL);
}

static int finish(op_t *op, const delivery_t *d, const char *status, const char *provider_id,
                  const char *error)
{
    bool sent = !strcmp(status, "sent");
    return db_exec(op->db,
                   "UPDATE notification_deliveries SET status = $2, provider_id = $3, error = $4, "
                   "updated_at = $5, sent_at = $6 WHERE notification_uuid = $1 AND channel = "
                   "'push'",
                   DB_ARGS(db_text(d->uuid), db_text(status), db_text(provider_id), db_text(error),
                           db_time(op->now_us), sent ? db_time(op->now_us) : db_null()),
                   NULL);
}

/* What the app receives with the push: the metadata plus where it points. */
static char *push_data(const delivery_t *d)
{
    json_t *m = json_loads(d->metadata, 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        m = json_object();
    }
    json_object_set_new(m, "notification_id", json_integer(d->id));
    json_object_set_new(m, "notification_uuid", json_string(d->uuid));
    json_object_set_new(m, "type", json_string(d->type));
    json_object_set_new(m, "reference_type", json_string(d->reference_type));
    json_object_set_new(m, "reference_id", json_integer(d->reference_id));
    char *s = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    return s;
}

static void deactivate(op_t *op, const delivery_t *d, const push_result_t *res)
{
    for (int i = 0; i < res->ninvalid; i++)
        db_exec(op->db,
                "UPDATE user_devices SET is_active = $3, updated_at = $4 WHERE "
                "onesignal_player_id = $1 AND user_id = $2",
                DB_ARGS(db_text(res->invalid_ids[i]), db_int(d->to), db_bool(false),
                        db_time(op->now_us)),
                NULL);
}

static err_t *send_one(op_t *op, delivery_t *d)
{
    char *data = push_data(d), err[200] = "";
    push_msg_t m = {.idempotency_key = d->uuid,
                    .player_ids = d->players,
                    .nplayers = d->nplayers,
                    .title = d->title,
                    .body = d->message,
                    .data_json = data ? data : "{}",
                    .maybe_sent = d->maybe_sent};
    push_result_t res = {0};
    int prc = push_send(op->app->push, &m, &res, err, sizeof err);
    free(data);
    int rc = DB_OK;
    if (prc == 0) {
        rc = finish(op, d, "sent", res.provider_id, res.duplicate ? "duplicate suppressed" : "");
        deactivate(op, d, &res);
    } else if (prc == PUSH_FAIL) {
        rc = finish(op, d, "failed", "", err);
    } else {
        /* Maybe delivered (a timeout): stays 'sending' so the retry asks the
         * provider to de-duplicate; 'failed' once the attempts run out. */
        int64_t attempts = 0;
        bool found = false;
        db_query_int(op->db,
                     "SELECT attempts FROM notification_deliveries WHERE notification_uuid = $1 "
                     "AND channel = 'push'",
                     DB_ARGS(db_text(d->uuid)), &attempts, &found);
        rc = finish(op, d, attempts >= PUSH_MAX_ATTEMPTS ? "failed" : "sending", "", err);
    }
    push_result_free(&res);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return prc == PUSH_RETRY ? op_fail(op, 502, "PUSH_RETRY", "push provider: %s", err) : NULL;
}

static err_t *push_deliver(op_t *op, json_t *payload)
{
    delivery_t d = {.uuid = json_string_value(json_object_get(payload, "uuid"))};
    if (!d.uuid || !op->app->push)
        return NULL; /* nothing to do: a malformed job or no adapter in this process */
    bool found = false, wanted = false, done = false;
    int rc = load_notification(op, &d, &found);
    if (rc == DB_OK && found)
        rc = load_audience(op, &d, &wanted);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return NULL; /* purged before it could be sent */
    const char *skip = !wanted       ? "push is off for this type"
                       : !d.nplayers ? "no active device"
                                     : NULL;
    rc = claim(op, &d, skip ? "skipped" : "sending", &done);
    if (rc == DB_OK && skip && !done)
        rc = finish(op, &d, "skipped", "", skip);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return skip || done ? NULL : send_one(op, &d);
}

static const job_kind_t delivery_jobs[] = {
    {.kind = "push_deliver",
     .handler = push_deliver,
     .max_attempts = PUSH_MAX_ATTEMPTS,
     .lease_s = 30},
    {0},
};

static const purge_def_t delivery_purges[] = {
    {"notification_deliveries", "DELETE FROM notification_deliveries WHERE created_at < $1",
     DELIVERIES_KEEP_DAY * 86400LL * USEC_PER_SEC},
    {0},
};

const module_t delivery_module = {
    .name = "notification_delivery", .jobs = delivery_jobs, .purges = delivery_purges};
