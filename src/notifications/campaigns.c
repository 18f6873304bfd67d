/*
 * campaigns.c: a campaign's life before it sends (campaign_send.c sends).
 *   draft --preview--> previewed --send--> scheduled --job--> sending --> sent
 *   any state before sent --cancel--> cancelled; the job may end in failed.
 * Every move is one conditional UPDATE on the state it leaves, so two staff
 * members (or two processes) racing get one success and one 409.
 */
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "jobs/jobs.h"
#include "notifications/audience.h"
#include "notifications/campaigns.h"
#include "notifications/notifications.h"
#include "notifications/templates.h"

#define CAMPAIGN_COLUMNS                                                                           \
    "c.id, c.uuid, c.name, c.state, c.notification_type, c.variables, c.audience, "                \
    "c.preview_count, c.previewed_at, c.scheduled_at, c.started_at, c.finished_at, c.recipients, " \
    "c.failure_reason, c.created_at, c.updated_at, v.template_id, v.version, v.title, v.body, "    \
    "(SELECT count(*) FROM campaign_executions x WHERE x.campaign_id = c.id AND x.status = "       \
    "'sent'), (SELECT count(*) FROM campaign_executions x WHERE x.campaign_id = c.id AND "         \
    "x.status = 'pending'), (SELECT count(*) FROM campaign_executions x WHERE x.campaign_id = "    \
    "c.id AND x.status = 'skipped'), c.created_by"

#define CAMPAIGN_FROM                                                                              \
    "campaigns c JOIN campaign_template_versions v ON v.id = c.template_version_id"

static json_t *json_text(const char *s, const char *fallback)
{
    json_t *v = json_loads(s ? s : fallback, 0, NULL);
    return v ? v : json_loads(fallback, 0, NULL);
}

json_t *campaign_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:s, s:o, s:o, "
        "s:{s:I, s:i, s:s, s:s}, s:{s:I, s:I, s:I}, s:o}",
        "id", (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "name", db_col_text(r, 2),
        "state", db_col_text(r, 3), "notification_type", db_col_text(r, 4), "variables",
        json_text(db_col_text(r, 5), "{}"), "audience", json_text(db_col_text(r, 6), "{}"),
        "preview_count", op_col_int_or_null(r, 7), "previewed_at",
        text_json_time_or_null(db_col_time(r, 8)), "scheduled_at",
        text_json_time_or_null(db_col_time(r, 9)), "started_at",
        text_json_time_or_null(db_col_time(r, 10)), "finished_at",
        text_json_time_or_null(db_col_time(r, 11)), "recipients", (json_int_t)db_col_int(r, 12),
        "failure_reason", db_col_text(r, 13), "created_at", text_json_time(db_col_time(r, 14)),
        "updated_at", text_json_time(db_col_time(r, 15)), "template", "id",
        (json_int_t)db_col_int(r, 16), "version", (int)db_col_int(r, 17), "title",
        db_col_text(r, 18), "body", db_col_text(r, 19), "progress", "sent",
        (json_int_t)db_col_int(r, 20), "pending", (json_int_t)db_col_int(r, 21), "skipped",
        (json_int_t)db_col_int(r, 22), "created_by", op_col_int_or_null(r, 23));
}

err_t *campaign_get(op_t *op, int64_t id, json_t **out)
{
    return op_one(op, "SELECT " CAMPAIGN_COLUMNS " FROM " CAMPAIGN_FROM " WHERE c.id = $1",
                  DB_ARGS(db_int(id)), campaign_row, "CAMPAIGN_NOT_FOUND", "Campaign not found.",
                  out);
}

const char *campaign_variables_check(json_t *v)
{
    if (!json_is_object(v))
        return "variables must be an object of placeholder names to text";
    const char *k;
    json_t *s;
    json_object_foreach(v, k, s)
    {
        if (!json_is_string(s) || json_string_length(s) > 500)
            return "each variable must be text of at most 500 characters";
        if (!strcmp(k, CAMPAIGN_NAME_VAR))
            return "'name' is filled per recipient and cannot be set";
    }
    return NULL;
}

/* The template's latest version: its id, and whether variables give every
 * placeholder but {{name}} and nothing else. */
static err_t *check_template(op_t *op, int64_t template_id, json_t *variables, int64_t *version_id)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT v.id, v.variables FROM campaign_templates t JOIN "
                      "campaign_template_versions v ON v.template_id = t.id WHERE t.id = $1 AND "
                      "t.is_active = $2 ORDER BY v.version DESC LIMIT 1",
                      DB_ARGS(db_int(template_id), db_bool(true)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *names = NULL;
    if (db_next(r)) {
        *version_id = db_col_int(r, 0);
        names = json_loads(db_col_text(r, 1), 0, NULL);
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK || !names) {
        json_decref(names);
        return rc != DB_OK ? op_db_fail(op, rc)
                           : err_field(op->arena, "value_error", "body", "template_id",
                                       "no active campaign template with this id", NULL);
    }
    size_t i, given = 0;
    json_t *n;
    const char *missing = NULL;
    json_array_foreach(names, i, n)
    {
        const char *name = json_string_value(n);
        if (!strcmp(name, CAMPAIGN_NAME_VAR))
            continue;
        if (json_object_get(variables, name))
            given++;
        else if (!missing)
            missing = arena_strdup(op->arena, name);
    }
    json_decref(names);
    if (missing)
        return err_field(op->arena, "missing", "body", "variables",
                         arena_printf(op->arena, "no value for the placeholder {{%s}}", missing),
                         NULL);
    if (given != json_object_size(variables))
        return err_field(op->arena, "value_error", "body", "variables",
                         "a variable the template does not use", NULL);
    return NULL;
}

static err_t *audited(op_t *op, const char *action, int64_t id, json_t *payload)
{
    return audit_done(op, action, "campaign", id, payload, AUDIT_MEDIUM);
}

static char *dump(op_t *op, json_t *v, const char *fallback)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    char *out = arena_strdup(op->arena, s ? s : fallback);
    free(s);
    return out;
}

typedef struct {
    const campaign_input_t *in;
    int64_t id, version_id;
} create_ctx_t;

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    err_t *e = check_template(op, x->in->template_id, x->in->variables, &x->version_id);
    if (e)
        return e;
    char uuid[37];
    rand_uuid(uuid);
    bool found = false;
    int rc = db_query_int(
        op->db,
        "INSERT INTO campaigns (uuid, name, template_version_id, variables, audience, "
        "notification_type, state, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, "
        "$5, $6, 'draft', $7, $8, $8) RETURNING id",
        DB_ARGS(db_text(uuid), db_text(x->in->name), db_int(x->version_id),
                db_text(dump(op, x->in->variables, "{}")), db_text(dump(op, x->in->audience, "{}")),
                db_text(x->in->notification_type), db_int(op->actor.id), db_time(op->now_us)),
        &x->id, &found);
    /* Used from now on: a later edit of the text makes a new version. */
    if (rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE campaign_template_versions SET locked_at = $2 WHERE id = $1 AND "
                     "locked_at IS NULL",
                     DB_ARGS(db_int(x->version_id), db_time(op->now_us)), NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, "campaign.created", x->id,
                   json_pack("{s:s, s:I}", "name", x->in->name, "template_version_id",
                             (json_int_t)x->version_id));
}

err_t *campaign_create(op_t *op, const campaign_input_t *in, json_t **out)
{
    audience_sql_t q;
    err_t *e = audience_compile(op->arena, in->audience, 1, &q); /* 422 before anything */
    create_ctx_t x = {.in = in};
    if (!e)
        e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    return e ? e : campaign_get(op, x.id, out);
}

/* Locks the campaign and reads its state and settings. */
typedef struct {
    char state[16], type[24];
    int64_t template_id, preview_count;
    bool has_preview;
    json_t *variables, *audience; /* owned */
} current_t;

static void current_free(current_t *c)
{
    json_decref(c->variables);
    json_decref(c->audience);
}

static err_t *lock_campaign(op_t *op, int64_t id, current_t *c)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT c.state, c.notification_type, v.template_id, c.variables, "
                      "c.audience, c.preview_count FROM campaigns c JOIN "
                      "campaign_template_versions v ON v.id = c.template_version_id WHERE c.id = "
                      "$1 @FOR_UPDATE",
                      DB_ARGS(db_int(id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    bool found = db_next(r);
    if (found) {
        snprintf(c->state, sizeof c->state, "%s", db_col_text(r, 0));
        snprintf(c->type, sizeof c->type, "%s", db_col_text(r, 1));
        c->template_id = db_col_int(r, 2);
        c->variables = json_text(db_col_text(r, 3), "{}");
        c->audience = json_text(db_col_text(r, 4), "{}");
        c->has_preview = !db_col_isnull(r, 5);
        c->preview_count = db_col_int(r, 5);
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return found ? NULL : op_fail(op, 404, "CAMPAIGN_NOT_FOUND", "Campaign not found.");
}

static err_t *wrong_state(op_t *op, const char *state, const char *wanted)
{
    return op_fail(op, 409, "CAMPAIGN_STATE", "The campaign is %s; this needs it %s.", state,
                   wanted);
}

typedef struct {
    int64_t id, at;
    const campaign_input_t *in;
    int64_t count;
    json_t *out; /* send: the campaign as scheduled, read before the commit */
} move_ctx_t;

static err_t *update_tx(op_t *op, void *arg)
{
    move_ctx_t *x = arg;
    current_t c = {0};
    err_t *e = lock_campaign(op, x->id, &c);
    if (!e && strcmp(c.state, "draft") && strcmp(c.state, "previewed"))
        e = wrong_state(op, c.state, "draft or previewed");
    campaign_input_t m = {.name = x->in->name,
                          .template_id = x->in->template_id ? x->in->template_id : c.template_id,
                          .variables = x->in->variables ? x->in->variables : c.variables,
                          .audience = x->in->audience ? x->in->audience : c.audience,
                          .notification_type =
                              x->in->notification_type ? x->in->notification_type : c.type};
    int64_t version_id = 0;
    if (!e)
        e = check_template(op, m.template_id, m.variables, &version_id);
    int rc = e ? DB_OK
               : db_exec(op->db,
                         "UPDATE campaigns SET name = COALESCE($2, name), template_version_id = "
                         "$3, variables = $4, audience = $5, notification_type = $6, state = "
                         "'draft', preview_count = NULL, previewed_at = NULL, updated_at = $7 "
                         "WHERE id = $1",
                         DB_ARGS(db_int(x->id), db_text(m.name), db_int(version_id),
                                 db_text(dump(op, m.variables, "{}")),
                                 db_text(dump(op, m.audience, "{}")), db_text(m.notification_type),
                                 db_time(op->now_us)),
                         NULL);
    if (!e && rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE campaign_template_versions SET locked_at = $2 WHERE id = $1 AND "
                     "locked_at IS NULL",
                     DB_ARGS(db_int(version_id), db_time(op->now_us)), NULL);
    current_free(&c);
    if (!e && rc != DB_OK)
        e = op_db_fail(op, rc);
    return e ? e : audited(op, "campaign.updated", x->id, NULL);
}

err_t *campaign_update(op_t *op, int64_t id, const campaign_input_t *in, json_t **out)
{
    audience_sql_t q;
    err_t *e = in->audience ? audience_compile(op->arena, in->audience, 1, &q) : NULL;
    move_ctx_t x = {.id = id, .in = in};
    if (!e)
        e = op_tx(op, DB_TX_WRITE, update_tx, &x);
    return e ? e : campaign_get(op, id, out);
}

static err_t *preview_tx(op_t *op, void *arg)
{
    move_ctx_t *x = arg;
    current_t c = {0};
    err_t *e = lock_campaign(op, x->id, &c);
    if (!e && strcmp(c.state, "draft") && strcmp(c.state, "previewed"))
        e = wrong_state(op, c.state, "draft or previewed");
    if (!e)
        e = audience_count(op, c.audience, c.type, &x->count);
    current_free(&c);
    if (e)
        return e;
    int rc = db_exec(op->db,
                     "UPDATE campaigns SET state = 'previewed', preview_count = $2, previewed_at "
                     "= $3, updated_at = $3 WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_int(x->count), db_time(op->now_us)), NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, "campaign.previewed", x->id,
                   json_pack("{s:I}", "count", (json_int_t)x->count));
}

err_t *campaign_preview(op_t *op, int64_t id, json_t **out)
{
    move_ctx_t x = {.id = id};
    err_t *e = op_tx(op, DB_TX_WRITE, preview_tx, &x);
    return e ? e : campaign_get(op, id, out);
}

static err_t *send_tx(op_t *op, void *arg)
{
    move_ctx_t *x = arg;
    current_t c = {0};
    err_t *e = lock_campaign(op, x->id, &c);
    const config_t *cfg = &op->app->cfg;
    if (!e && !strcmp(c.state, "draft"))
        e = op_fail(op, 409, "PREVIEW_REQUIRED",
                    "Preview the audience count before sending this campaign.");
    else if (!e && strcmp(c.state, "previewed"))
        e = wrong_state(op, c.state, "previewed");
    else if (!e && c.preview_count > cfg->campaign_max_users)
        e = op_fail(op, 422, "AUDIENCE_TOO_LARGE",
                    "The audience has %lld people; a campaign may reach at most %d.",
                    (long long)c.preview_count, cfg->campaign_max_users);
    else if (!e && c.preview_count == 0)
        e = op_fail(op, 422, "AUDIENCE_EMPTY", "The audience has nobody in it.");
    current_free(&c);
    if (e)
        return e;
    int64_t at = x->at > op->now_us ? x->at : op->now_us;
    int rc = db_exec(op->db,
                     "UPDATE campaigns SET state = 'scheduled', scheduled_at = $2, updated_at = $3 "
                     "WHERE id = $1 AND state = 'previewed'",
                     DB_ARGS(db_int(x->id), db_time(at), db_time(op->now_us)), NULL);
    char payload[48], key[48];
    snprintf(payload, sizeof payload, "{\"campaign_id\":%lld}", (long long)x->id);
    snprintf(key, sizeof key, "campaign:%lld", (long long)x->id);
    if (rc == DB_OK)
        rc = jobs_enqueue(op->app, op->db, "campaign_start", payload, at, key, NULL);
    op->jobs_queued = true;
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    e = audited(op, "campaign.scheduled", x->id,
                json_pack("{s:o}", "scheduled_at", text_json_time(at)));
    /* Read now: once committed, the runner (woken by the commit) may
     * already have moved it on, and the answer says what this call did. */
    json_decref(x->out);
    x->out = NULL;
    return e ? e : campaign_get(op, x->id, &x->out);
}

int campaigns_stopped(op_t *op, const char **why)
{
    if (op->app->cfg.campaigns_disabled) {
        *why = "campaigns are switched off on this server (LOOPIN_DISABLE_CAMPAIGNS)";
        return 1;
    }
    int64_t on = 0;
    bool found = false;
    int rc = db_query_int(op->db,
                          "SELECT count(*) FROM platform_switches WHERE name = "
                          "'campaigns_disabled' AND enabled = $1",
                          DB_ARGS(db_bool(true)), &on, &found);
    *why = "campaigns are stopped by the kill switch";
    return rc != DB_OK ? rc : on > 0 ? 1 : 0;
}

err_t *campaign_kill_switch(op_t *op, int set, json_t **out)
{
    if (set >= 0) {
        int rc = db_exec(op->db,
                         "INSERT INTO platform_switches (name, enabled, updated_by, updated_at) "
                         "VALUES ('campaigns_disabled', $1, $2, $3) ON CONFLICT (name) DO UPDATE "
                         "SET enabled = excluded.enabled, updated_by = excluded.updated_by, "
                         "updated_at = excluded.updated_at",
                         DB_ARGS(db_bool(set), db_int(op->actor.id), db_time(op->now_us)), NULL);
        err_t *e = rc == DB_OK
                       ? audited(op, set ? "campaigns.stopped" : "campaigns.resumed", 0, NULL)
                       : op_db_fail(op, rc);
        if (e)
            return e;
    }
    const char *why = "";
    int stopped = campaigns_stopped(op, &why);
    if (stopped < 0)
        return op_db_fail(op, stopped);
    *out = json_pack("{s:b, s:b, s:s}", "stopped", stopped, "by_environment",
                     op->app->cfg.campaigns_disabled, "reason", stopped ? why : "");
    return NULL;
}

err_t *campaign_send(op_t *op, int64_t id, int64_t at_us, json_t **out)
{
    const char *why = "";
    int stopped = campaigns_stopped(op, &why);
    if (stopped < 0)
        return op_db_fail(op, stopped);
    if (stopped)
        return op_fail(op, 503, "CAMPAIGNS_DISABLED", "Not sent: %s.", why);
    move_ctx_t x = {.id = id, .at = at_us};
    err_t *e = op_tx(op, DB_TX_WRITE, send_tx, &x);
    if (e)
        json_decref(x.out);
    else
        *out = x.out;
    return e;
}

static err_t *cancel_tx(op_t *op, void *arg)
{
    move_ctx_t *x = arg;
    current_t c = {0};
    err_t *e = lock_campaign(op, x->id, &c);
    if (!e &&
        (!strcmp(c.state, "sent") || !strcmp(c.state, "cancelled") || !strcmp(c.state, "failed")))
        e = wrong_state(op, c.state, "not yet sent");
    current_free(&c);
    if (e)
        return e;
    int rc = db_exec(op->db,
                     "UPDATE campaigns SET state = 'cancelled', finished_at = $2, updated_at = $2 "
                     "WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE campaign_executions SET status = 'skipped', processed_at = $2 WHERE "
                     "campaign_id = $1 AND status = 'pending'",
                     DB_ARGS(db_int(x->id), db_time(op->now_us)), &x->count);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, "campaign.cancelled", x->id,
                   json_pack("{s:I}", "skipped", (json_int_t)x->count));
}

err_t *campaign_cancel(op_t *op, int64_t id, json_t **out)
{
    move_ctx_t x = {.id = id};
    err_t *e = op_tx(op, DB_TX_WRITE, cancel_tx, &x);
    return e ? e : campaign_get(op, id, out);
}

err_t *campaign_audience_count(op_t *op, json_t *audience, const char *type, json_t **out)
{
    int64_t n = 0;
    err_t *e = audience_count(op, audience, type, &n);
    if (!e)
        *out = json_pack("{s:I, s:i, s:b}", "count", (json_int_t)n, "max",
                         op->app->cfg.campaign_max_users, "within_limit",
                         n <= op->app->cfg.campaign_max_users);
    return e;
}
