/*
 * campaign_send.c: the two jobs that send a campaign.
 *
 * campaign_start (queued by campaign_send at the scheduled time, one per
 * campaign by its dedupe key): in one transaction, moves scheduled ->
 * sending (conditional, so at most once), fixes the recipients as
 * campaign_executions rows numbered into batches, and queues one
 * campaign_batch job per batch. A worker killed before the commit leaves
 * nothing behind; the job is taken over and starts again.
 *
 * campaign_batch: in one transaction per batch, each pending execution row
 * moves to 'sent' (conditional) together with its in-app notification and
 * push job (dispatch.c), so a recipient is reached once even when a worker
 * dies mid-batch and another takes the job over. Between batches, the kill
 * switch and a cancel stop the campaign. The last batch marks it sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "jobs/jobs.h"
#include "module.h"
#include "notifications/audience.h"
#include "notifications/campaigns.h"
#include "notifications/notifications.h"
#include "notifications/templates.h"

#define JOB_LEASE_S 30 /* a killed worker's batch is taken over within this */

static int64_t payload_int(json_t *payload, const char *key)
{
    json_t *v = json_object_get(payload, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* A failed campaign is over: whoever it had not reached is skipped, in the
 * same transaction (so a failure half-way leaves the campaign as it was). */
typedef struct {
    int64_t id;
    const char *from, *reason;
} fail_ctx_t;

static err_t *fail_tx(op_t *op, void *arg)
{
    fail_ctx_t *x = arg;
    int64_t n = 0;
    int rc = db_exec(
        op->db,
        "UPDATE campaigns SET state = 'failed', failure_reason = $3, finished_at = $2, "
        "updated_at = $2 WHERE id = $1 AND state = $4",
        DB_ARGS(db_int(x->id), db_time(op->now_us), db_text(x->reason), db_text(x->from)), &n);
    if (rc == DB_OK && n)
        rc = db_exec(op->db,
                     "UPDATE campaign_executions SET status = 'skipped', processed_at = $2 WHERE "
                     "campaign_id = $1 AND status = 'pending'",
                     DB_ARGS(db_int(x->id), db_time(op->now_us)), NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* Inside a transaction already (campaign_start), or its own. */
static int fail_campaign(op_t *op, int64_t id, const char *from, const char *reason)
{
    fail_ctx_t x = {.id = id, .from = from, .reason = reason};
    err_t *e = db_in_tx(op->db) ? fail_tx(op, &x) : op_tx(op, DB_TX_WRITE, fail_tx, &x);
    int rc = e ? DB_ERROR : DB_OK;
    err_discard(e);
    return rc;
}

typedef struct {
    int64_t id, recipients, batches;
} start_ctx_t;

/* Inserts the recipients (at most max) numbered into batches. */
static err_t *fix_recipients(op_t *op, start_ctx_t *x, json_t *audience, const char *type)
{
    audience_sql_t q;
    const char *select = NULL;
    err_t *e = audience_query(op->arena, audience, type, &q, &select);
    if (e)
        return e;
    int n = q.nparams;
    const config_t *cfg = &op->app->cfg;
    const char *sql = arena_printf(
        op->arena,
        "INSERT INTO campaign_executions (campaign_id, user_id, batch_no, status) SELECT "
        "$%d@AS_INT, r.id, (row_number() OVER (ORDER BY r.id) - 1) / $%d@AS_INT, 'pending' FROM "
        "(%s ORDER BY u.id LIMIT $%d) r WHERE true ON CONFLICT (campaign_id, user_id) DO NOTHING",
        n + 1, n + 2, select, n + 3);
    db_param_t p[AUDIENCE_MAX_PARAMS + 3];
    memcpy(p, q.params, (size_t)n * sizeof *p);
    p[n] = db_int(x->id);
    p[n + 1] = db_int(cfg->campaign_batch_size);
    p[n + 2] = db_int(cfg->campaign_max_users);
    int rc = db_exec(op->db, sql, p, n + 3, &x->recipients);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    x->batches = (x->recipients + cfg->campaign_batch_size - 1) / cfg->campaign_batch_size;
    return NULL;
}

static err_t *start_tx(op_t *op, void *arg)
{
    start_ctx_t *x = arg;
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT state, audience, notification_type FROM campaigns WHERE id = $1 "
                      "@FOR_UPDATE",
                      DB_ARGS(db_int(x->id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    char state[16] = "", type[24] = "";
    json_t *audience = NULL;
    if (db_next(r)) {
        snprintf(state, sizeof state, "%s", db_col_text(r, 0));
        audience = json_loads(db_col_text(r, 1), 0, NULL);
        snprintf(type, sizeof type, "%s", db_col_text(r, 2));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    err_t *e = rc == DB_OK ? NULL : op_db_fail(op, rc);
    const char *why = "";
    int stopped = e ? 0 : campaigns_stopped(op, &why);
    if (stopped < 0)
        e = op_db_fail(op, stopped);
    if (!e && !strcmp(state, "scheduled") && stopped)
        rc = fail_campaign(op, x->id, "scheduled", why);
    else if (!e && !strcmp(state, "scheduled")) {
        e = fix_recipients(op, x, audience, type);
        rc = e ? DB_OK
               : db_exec(op->db,
                         "UPDATE campaigns SET state = $4, started_at = $2, finished_at = $5, "
                         "recipients = $3, updated_at = $2 WHERE id = $1 AND state = 'scheduled'",
                         DB_ARGS(db_int(x->id), db_time(op->now_us), db_int(x->recipients),
                                 db_text(x->recipients ? "sending" : "sent"),
                                 x->recipients ? db_null() : db_time(op->now_us)),
                         NULL);
    } else if (!e && !strcmp(state, "sending")) /* taken over: queue what may be missing */
        rc = db_query_int(op->db,
                          "SELECT COALESCE(MAX(batch_no) + 1, 0) FROM campaign_executions WHERE "
                          "campaign_id = $1",
                          DB_ARGS(db_int(x->id)), &x->batches, &(bool){false});
    json_decref(audience);
    for (int64_t b = 0; !e && rc == DB_OK && b < x->batches; b++) {
        char payload[64], key[64];
        snprintf(payload, sizeof payload, "{\"campaign_id\":%lld,\"batch\":%lld}", (long long)x->id,
                 (long long)b);
        snprintf(key, sizeof key, "campaign:%lld:%lld", (long long)x->id, (long long)b);
        rc = jobs_enqueue(op->app, op->db, "campaign_batch", payload, op->now_us, key, NULL);
    }
    return e ? e : rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *campaign_start(op_t *op, json_t *payload)
{
    start_ctx_t x = {.id = payload_int(payload, "campaign_id")};
    return x.id > 0 ? op_tx(op, DB_TX_WRITE, start_tx, &x) : NULL;
}

/* ---- one batch ------------------------------------------------------------- */

typedef struct {
    int64_t id, batch, sent;
    bool stop;
    const char *switched_off; /* the kill switch was found on inside the batch: why */
    char type[24];
    const char *title, *body;
    json_t *vars; /* owned */
} batch_ctx_t;

static err_t *load_campaign(op_t *op, batch_ctx_t *x)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT c.state, c.notification_type, c.variables, v.title, v.body FROM "
                      "campaigns c JOIN campaign_template_versions v ON v.id = "
                      "c.template_version_id WHERE c.id = $1 @FOR_UPDATE",
                      DB_ARGS(db_int(x->id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    x->stop = true;
    if (db_next(r) && !strcmp(db_col_text(r, 0), "sending")) {
        x->stop = false;
        snprintf(x->type, sizeof x->type, "%s", db_col_text(r, 1));
        x->vars = json_loads(db_col_text(r, 2), 0, NULL);
        x->title = arena_strdup(op->arena, db_col_text(r, 3));
        x->body = arena_strdup(op->arena, db_col_text(r, 4));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

typedef struct {
    int64_t exec_id, user_id;
    const char *name;
} recipient_t;

static err_t *load_recipients(op_t *op, batch_ctx_t *x, recipient_t **out, int *n)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT e.id, e.user_id, COALESCE(p.name, '') FROM campaign_executions e "
                      "LEFT JOIN user_profiles p ON p.user_id = e.user_id WHERE e.campaign_id = "
                      "$1 AND e.batch_no = $2 AND e.status = 'pending' ORDER BY e.id",
                      DB_ARGS(db_int(x->id), db_int(x->batch)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    int cap = op->app->cfg.campaign_batch_size;
    *out = arena_alloc(op->arena, (size_t)cap * sizeof **out);
    *n = 0;
    while (db_next(r) && *n < cap) {
        recipient_t *p = &(*out)[(*n)++];
        p->exec_id = db_col_int(r, 0);
        p->user_id = db_col_int(r, 1);
        const char *name = db_col_text(r, 2);
        p->name = arena_strdup(op->arena, name && *name ? name : "there");
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* The campaign's variables, plus {{name}} when the text uses it. */
static int args_for(const batch_ctx_t *x, const recipient_t *p, tpl_arg_t *args)
{
    int n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(x->vars, k, v)
    {
        if (n < TPL_MAX_PARAMS - 1)
            args[n++] = (tpl_arg_t){k, json_string_value(v)};
    }
    if (strstr(x->title, "{{") || strstr(x->body, "{{")) {
        char names[TPL_MAX_PARAMS][TPL_NAME_MAX + 1], err[8];
        int a = tpl_placeholders(x->title, names, TPL_MAX_PARAMS, err, sizeof err);
        int b = tpl_placeholders(x->body, names + (a > 0 ? a : 0), TPL_MAX_PARAMS - (a > 0 ? a : 0),
                                 err, sizeof err);
        for (int i = 0; i < (a > 0 ? a : 0) + (b > 0 ? b : 0); i++)
            if (!strcmp(names[i], CAMPAIGN_NAME_VAR)) {
                args[n++] = (tpl_arg_t){CAMPAIGN_NAME_VAR, p->name};
                break;
            }
    }
    return n;
}

static int reach(op_t *op, batch_ctx_t *x, const recipient_t *p)
{
    tpl_arg_t args[TPL_MAX_PARAMS];
    char *title, *body, err[160], uuid[37];
    int nargs = args_for(x, p, args);
    if (tpl_render_pair(op->arena, x->title, x->body, args, nargs, &title, &body, err,
                        sizeof err) != 0) {
        log_msg(LOG_ERROR, "campaign template does not render", "error", err, NULL);
        return DB_ERROR;
    }
    int64_t taken = 0;
    notice_t n = {.to = p->user_id,
                  .type = x->type,
                  .title = title,
                  .message = body,
                  .reference_type = "campaign",
                  .reference_id = x->id,
                  .metadata = arena_printf(op->arena, "{\"campaign_id\":%lld}", (long long)x->id),
                  .uuid_out = uuid};
    int rc = notification_write(op, &n);
    if (rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE campaign_executions SET status = 'sent', notification_uuid = $2, "
                     "processed_at = $3 WHERE id = $1 AND status = 'pending'",
                     DB_ARGS(db_int(p->exec_id), db_text(uuid), db_time(op->now_us)), &taken);
    /* Someone else took the row (a cancel): undo this one's notification. */
    if (rc == DB_OK && taken == 0)
        return DB_RETRY;
    x->sent += taken;
    return rc;
}

static err_t *batch_tx(op_t *op, void *arg)
{
    batch_ctx_t *x = arg;
    json_decref(x->vars);
    x->vars = NULL;
    x->sent = 0;
    err_t *e = load_campaign(op, x);
    if (e || x->stop)
        return e;
    recipient_t *who;
    int n = 0;
    e = load_recipients(op, x, &who, &n);
    for (int i = 0; !e && i < n; i++) {
        int rc = reach(op, x, &who[i]);
        if (rc != DB_OK)
            e = op_db_fail(op, rc);
    }
    if (e)
        return e;
    /* The switch once more, after the writes and before the commit: a flip
     * that committed while this batch ran (its check at the job's start came
     * first) is seen here, and the batch rolls back instead of reaching
     * people after the switch. A flip committing later finds the batch sent,
     * as if it had finished first. */
    const char *why = "";
    int stopped = campaigns_stopped(op, &why);
    if (stopped < 0)
        return op_db_fail(op, stopped);
    if (stopped) {
        x->switched_off = why;
        return op_fail(op, 409, "CAMPAIGNS_STOPPED", "%s", why);
    }
    int64_t left = 0;
    int rc = db_query_int(op->db,
                          "SELECT count(*) FROM campaign_executions WHERE campaign_id = $1 AND "
                          "status = 'pending'",
                          DB_ARGS(db_int(x->id)), &left, &(bool){false});
    if (rc == DB_OK && left == 0)
        rc = db_exec(op->db,
                     "UPDATE campaigns SET state = 'sent', finished_at = $2, updated_at = $2 "
                     "WHERE id = $1 AND state = 'sending'",
                     DB_ARGS(db_int(x->id), db_time(op->now_us)), NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* The campaign fails with the switch's reason; the people not reached are
 * skipped. stopped < 0 is the database status of the check. */
static err_t *switched_off(op_t *op, int64_t id, int stopped, const char *why)
{
    int rc = stopped < 0 ? stopped : fail_campaign(op, id, "sending", why);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *campaign_batch(op_t *op, json_t *payload)
{
    batch_ctx_t x = {.id = payload_int(payload, "campaign_id"),
                     .batch = payload_int(payload, "batch")};
    if (x.id <= 0 || x.batch < 0)
        return NULL;
    const char *why = "";
    int stopped = campaigns_stopped(op, &why);
    if (stopped) /* the kill switch, between batches */
        return switched_off(op, x.id, stopped, why);
    err_t *e = op_tx(op, DB_TX_WRITE, batch_tx, &x);
    json_decref(x.vars);
    if (x.switched_off) { /* rolled back: see batch_tx */
        err_discard(e);
        return switched_off(op, x.id, 1, x.switched_off);
    }
    return e;
}

static const job_kind_t campaign_jobs[] = {
    {.kind = "campaign_start",
     .handler = campaign_start,
     .max_attempts = 5,
     .lease_s = JOB_LEASE_S},
    {.kind = "campaign_batch",
     .handler = campaign_batch,
     .max_attempts = 8,
     .lease_s = JOB_LEASE_S},
    {0},
};

static const purge_def_t campaign_purges[] = {
    /* per-recipient rows of campaigns long finished; the campaign row stays */
    {"campaign_executions",
     "DELETE FROM campaign_executions WHERE processed_at < $1 AND campaign_id IN (SELECT id "
     "FROM campaigns WHERE state IN ('sent', 'cancelled', 'failed'))",
     180 * 86400LL * USEC_PER_SEC},
    {0},
};

const module_t campaign_jobs_module = {
    .name = "campaign_jobs", .jobs = campaign_jobs, .purges = campaign_purges};
