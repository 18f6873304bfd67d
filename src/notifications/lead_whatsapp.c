/*
 * lead_whatsapp.c: WhatsApp messages to "Become a Host" leads (issue 13
 * point 6, API.md 16). Staff write the message; it goes out through the SMS
 * adapter family (Twilio Content template: {{1}} the lead's first name,
 * {{2}} the message) from the lead_whatsapp job, and host_lead_messages is
 * the delivery log. Twilio has no idempotency key, so a message whose
 * worker died mid-send is recorded as failed with the outcome unknown and
 * is not sent again: a lead never gets the same message twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "auth/sms.h"
#include "core/rand.h"
#include "core/text.h"
#include "jobs/jobs.h"
#include "module.h"
#include "notifications/lead_whatsapp.h"

#define MESSAGE_COLUMNS                                                                            \
    "m.id, m.uuid, m.lead_id, m.sent_by, m.channel, m.content_sid, m.message, m.status, "          \
    "m.provider_sid, m.error, m.created_at, m.sent_at"

static json_t *lead_message_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "lead_id",
                     (json_int_t)db_col_int(r, 2), "sent_by", op_col_int_or_null(r, 3), "channel",
                     db_col_text(r, 4), "content_sid", db_col_text(r, 5), "message",
                     db_col_text(r, 6), "status", db_col_text(r, 7), "provider_sid",
                     db_col_text(r, 8), "error", db_col_text(r, 9), "created_at",
                     text_json_time(db_col_time(r, 10)), "sent_at",
                     text_json_time_or_null(db_col_time(r, 11)));
}

err_t *lead_messages_list(op_t *op, int64_t lead_id, json_t **out)
{
    return op_list(op,
                   "SELECT " MESSAGE_COLUMNS " FROM host_lead_messages m WHERE m.lead_id = $1 "
                   "ORDER BY m.created_at DESC, m.id DESC",
                   DB_ARGS(db_int(lead_id)), lead_message_row, out);
}

typedef struct {
    int64_t lead_id, id;
    const char *message, *content_sid;
    json_t *out; /* the row as queued, read before the commit */
} send_ctx_t;

static err_t *queue_tx(op_t *op, void *arg)
{
    send_ctx_t *x = arg;
    int64_t n = 0;
    /* Writing to a lead is contacting them. */
    int rc =
        db_exec(op->db, "UPDATE host_leads SET is_contacted = $2, updated_at = $3 WHERE id = $1",
                DB_ARGS(db_int(x->lead_id), db_bool(true), db_time(op->now_us)), &n);
    if (rc == DB_OK && n == 0)
        return op_fail(op, 404, "LEAD_NOT_FOUND", "Host lead not found.");
    char uuid[37], payload[48];
    rand_uuid(uuid);
    bool found = false;
    if (rc == DB_OK)
        rc =
            db_query_int(op->db,
                         "INSERT INTO host_lead_messages (uuid, lead_id, sent_by, content_sid, "
                         "message, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
                         "'queued', $6, $6) RETURNING id",
                         DB_ARGS(db_text(uuid), db_int(x->lead_id), db_int(op->actor.id),
                                 db_text(x->content_sid), db_text(x->message), db_time(op->now_us)),
                         &x->id, &found);
    snprintf(payload, sizeof payload, "{\"message_id\":%lld}", (long long)x->id);
    if (rc == DB_OK)
        rc = jobs_enqueue(op->app, op->db, "lead_whatsapp", payload, op->now_us, NULL, NULL);
    op->jobs_queued = true;
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "host_lead.whatsapp_queued",
                       .object_type = "host_lead",
                       .object_id = x->lead_id,
                       .payload = json_pack("{s:I, s:s}", "message_id", (json_int_t)x->id,
                                            "content_sid", x->content_sid),
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    if (rc == DB_OK)
        rc = audit_write(op->db, op, &a);
    else
        json_decref(a.payload);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    /* Read now: once committed, the runner (woken by the commit) may already
     * be sending it, and the answer says what this call did: queued. */
    json_decref(x->out);
    x->out = NULL;
    return op_one(op, "SELECT " MESSAGE_COLUMNS " FROM host_lead_messages m WHERE m.id = $1",
                  DB_ARGS(db_int(x->id)), lead_message_row, "MESSAGE_NOT_FOUND",
                  "Message not found.", &x->out);
}

err_t *lead_message_send(op_t *op, int64_t lead_id, const char *message, const char *content_sid,
                         json_t **out)
{
    send_ctx_t x = {.lead_id = lead_id,
                    .message = message,
                    .content_sid = content_sid && *content_sid ? content_sid
                                                               : op->app->cfg.twilio_content_sid};
    if (!x.content_sid[0])
        return err_field(op->arena, "missing", "body", "content_sid",
                         "no Content template: send content_sid or set LOOPIN_TWILIO_CONTENT_SID",
                         NULL);
    err_t *e = op_tx(op, DB_TX_WRITE, queue_tx, &x);
    if (e)
        json_decref(x.out);
    else
        *out = x.out;
    return e;
}

/* ---- the job ---------------------------------------------------------------------- */

static int mark(op_t *op, int64_t id, const char *status, const char *sid, const char *error)
{
    bool sent = !strcmp(status, "sent");
    return db_exec(op->db,
                   "UPDATE host_lead_messages SET status = $2, provider_sid = $3, error = $4, "
                   "updated_at = $5, sent_at = $6 WHERE id = $1",
                   DB_ARGS(db_int(id), db_text(status), db_text(sid), db_text(error),
                           db_time(op->now_us), sent ? db_time(op->now_us) : db_null()),
                   NULL);
}

static err_t *lead_whatsapp(op_t *op, json_t *payload)
{
    int64_t id = json_integer_value(json_object_get(payload, "message_id"));
    int64_t n = 0;
    /* Take the message: only a queued or failed one is sent (see the top). */
    int rc = db_exec(op->db,
                     "UPDATE host_lead_messages SET status = 'sending', updated_at = $2 WHERE id "
                     "= $1 AND status IN ('queued', 'failed')",
                     DB_ARGS(db_int(id), db_time(op->now_us)), &n);
    if (rc == DB_OK && n == 0) /* sent, or a worker died mid-send */
        rc = db_exec(op->db,
                     "UPDATE host_lead_messages SET status = 'failed', error = 'outcome unknown: "
                     "the worker stopped while sending', updated_at = $2 WHERE id = $1 AND status "
                     "= 'sending'",
                     DB_ARGS(db_int(id), db_time(op->now_us)), NULL);
    if (rc != DB_OK || n == 0)
        return rc == DB_OK ? NULL : op_db_fail(op, rc);
    db_rows_t *r;
    rc = db_query(op->db,
                  "SELECT l.first_name, l.phone_number, m.content_sid, m.message FROM "
                  "host_lead_messages m JOIN host_leads l ON l.id = m.lead_id WHERE m.id = $1",
                  DB_ARGS(db_int(id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    char *to = NULL, *sid = NULL, *vars = NULL;
    if (db_next(r)) {
        json_t *v = json_pack("{s:s, s:s}", "1", db_col_text(r, 0), "2", db_col_text(r, 3));
        vars = json_dumps(v, JSON_COMPACT);
        json_decref(v);
        to = arena_strdup(op->arena, db_col_text(r, 1));
        sid = arena_strdup(op->arena, db_col_text(r, 2));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    char provider[64] = "", err[200] = "";
    int src = rc == DB_OK && to && vars ? sms_send_whatsapp(op->app->sms, to, sid, vars, provider,
                                                            sizeof provider, err, sizeof err)
                                        : -1;
    free(vars);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    rc = mark(op, id, src == 0 ? "sent" : "failed", provider, src == 0 ? "" : err);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return src == 0 ? NULL : op_fail(op, 502, "WHATSAPP_FAILED", "%s", err);
}

static const job_kind_t lead_jobs[] = {
    {.kind = "lead_whatsapp", .handler = lead_whatsapp, .max_attempts = 4, .lease_s = 60},
    {0},
};

const module_t lead_whatsapp_module = {.name = "lead_whatsapp", .jobs = lead_jobs};
