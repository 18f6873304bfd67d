/*
 * dispatch.c: the one dispatcher (issue 13 point 2). Every notification is
 * an in-app row first, written in the caller's transaction; when the push
 * adapter is on, a `push_deliver` job is queued in the same transaction for
 * a recipient who has an active device and has push on for the type. The
 * job sends through the adapter (push.h) and records the outcome in
 * notification_deliveries, whose UNIQUE (notification_uuid, channel) row
 * makes a retry safe: 'sending' is committed before the provider is called,
 * and a retry that finds it passes maybe_sent so the provider de-duplicates
 * on the notification's uuid instead of sending twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "core/text.h"
#include "module.h"
#include "notifications/notifications.h"
#include "notifications/push.h"
#include "notifications/templates.h"

static const char SQL_WRITE[] =
    "INSERT INTO notifications (uuid, recipient_id, sender_id, type, title, message, "
    "reference_type, reference_id, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $10)";

/* The delivery job, queued only when it has something to do. The jobs table
 * is the queue module's, but the condition is ours, and one statement keeps
 * it a single round trip (it is sent with the next statement or commit). */
static const char SQL_QUEUE_PUSH[] =
    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at, "
    "updated_at) SELECT 'push_deliver', $1@AS_JSON, 'pending', 0, $2@AS_INT, $3@AS_TIME, "
    "$3@AS_TIME, $3@AS_TIME WHERE EXISTS (SELECT 1 FROM user_devices d WHERE d.user_id = $4 AND "
    "d.is_active = $5) AND COALESCE((SELECT np.push_enabled FROM notification_preferences np "
    "WHERE np.user_id = $4 AND np.type = $6), $7)";

bool notification_push_on(const app_t *app)
{
    return app && app->push && push_enabled(app->push);
}

static int queue_push(op_t *op, int64_t to, const char *type, const char *uuid)
{
    char payload[64];
    snprintf(payload, sizeof payload, "{\"uuid\":\"%s\"}", uuid);
    op->jobs_queued = true;
    return db_exec_later(op->db, SQL_QUEUE_PUSH,
                         DB_ARGS(db_text(payload), db_int(PUSH_MAX_ATTEMPTS), db_time(op->now_us),
                                 db_int(to), db_bool(true), db_text(type),
                                 db_bool(notification_push_default(type))));
}

int notification_write(op_t *op, const notice_t *n)
{
    char uuid[37];
    rand_uuid(uuid);
    /* Nothing reads the new row: it goes with the next statement or the commit. */
    int rc = db_exec_later(
        op->db, SQL_WRITE,
        DB_ARGS(db_text(uuid), db_int(n->to), op->actor.id ? db_int(op->actor.id) : db_null(),
                db_text(n->type), db_text(text_clip(op->arena, n->title, 200)), db_text(n->message),
                db_text(n->reference_type), db_int(n->reference_id),
                db_text(n->metadata ? n->metadata : "{}"), db_time(op->now_us)));
    if (rc == DB_OK && notification_push_on(op->app))
        rc = queue_push(op, n->to, n->type, uuid);
    if (rc == DB_OK && n->uuid_out)
        memcpy(n->uuid_out, uuid, sizeof uuid);
    return rc;
}

/* metadata with the template's key and screen added (a JSON object text). */
static const char *template_metadata(op_t *op, const notify_template_t *t, const char *metadata)
{
    json_t *m = json_loads(metadata ? metadata : "{}", 0, NULL);
    if (!json_is_object(m)) {
        json_decref(m);
        m = json_object();
    }
    json_object_set_new(m, "template", json_string(t->key));
    json_object_set_new(m, "target_screen", json_string(t->target_screen));
    char *s = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    const char *out = s ? arena_strdup(op->arena, s) : "{}";
    free(s);
    return out;
}

int notify_template(op_t *op, const notify_ref_t *ref, const tpl_arg_t *args, int nargs)
{
    const notify_template_t *t = notify_template_find(ref->key);
    char *title = NULL, *body = NULL, err[160] = "unknown template";
    if (!t || tpl_render_pair(op->arena, t->title, t->body, args, nargs, &title, &body, err,
                              sizeof err) != 0) {
        /* A programming error: loud (the operation fails), never a silent drop. */
        log_msg(LOG_ERROR, "notification template misused", "template", ref->key, "error", err,
                NULL);
        return DB_ERROR;
    }
    notice_t n = {.to = ref->to,
                  .type = t->type,
                  .title = title,
                  .message = body,
                  .reference_type = ref->reference_type ? ref->reference_type : "",
                  .reference_id = ref->reference_id,
                  .metadata = template_metadata(op, t, ref->metadata),
                  .uuid_out = ref->uuid_out};
    return notification_write(op, &n);
}

const char *notify_person_name(op_t *op, int64_t user_id)
{
    db_rows_t *rows;
    const char *name = NULL;
    if (db_query(op->db,
                 "SELECT p.name, u.first_name, u.last_name FROM users u LEFT JOIN user_profiles p "
                 "ON p.user_id = u.id WHERE u.id = $1",
                 DB_ARGS(db_int(user_id)), &rows) != DB_OK)
        return "Someone";
    if (db_next(rows)) {
        const char *p = db_col_text(rows, 0), *f = db_col_text(rows, 1), *l = db_col_text(rows, 2);
        if (p && *p)
            name = arena_strdup(op->arena, p);
        else if (f && *f)
            name = arena_printf(op->arena, "%s%s%s", f, l && *l ? " " : "", l ? l : "");
    }
    db_rows_free(rows);
    return name ? name : "Someone";
}
