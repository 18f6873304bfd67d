/*
 * audit.c: appends one row to audit_log. Request context is copied from the
 * request (client IP, user agent, request id), clipped to the column limits
 * so an oversized header can never make the audit write fail.
 */
#include "audit/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/rand.h"

static const char *const severities[] = {"low", "medium", "high", "critical"};

static const char SQL_AUDIT[] =
    "INSERT INTO audit_log (uuid, actor_user_id, action, object_type, object_id, object_uuid, "
    "payload, ip_address, user_agent, request_id, severity, is_successful, error_message, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/* Copies at most max bytes of s into the arena, never splitting a UTF-8
 * sequence. */
static const char *clip(arena_t *a, const char *s, size_t max)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    if (n <= max)
        return s;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return arena_strndup(a, s, max);
}

int audit_write(db_conn_t *conn, const op_t *op, const audit_entry_t *e)
{
    arena_t scratch;
    arena_init(&scratch);
    char uuid[37];
    rand_uuid(uuid);
    char *payload = e->payload ? json_dumps(e->payload, JSON_COMPACT) : NULL;
    /* Nothing reads the new row: inside a transaction it goes with the next
     * statement or the commit (db_exec_later). */
    int rc = db_exec_later(
        conn, SQL_AUDIT,
        DB_ARGS(db_text(uuid), e->actor_id ? db_int(e->actor_id) : db_null(), db_text(e->action),
                db_text(e->object_type ? e->object_type : ""),
                e->object_id ? db_int(e->object_id) : db_null(), db_text(e->object_uuid),
                db_text(payload ? payload : "{}"), db_text(clip(&scratch, op->client_ip, 45)),
                db_text(clip(&scratch, op->user_agent, 1024)),
                db_text(clip(&scratch, op->request_id, 64)), db_text(severities[e->severity]),
                db_bool(e->success), db_text(clip(&scratch, e->error ? e->error : "", 1000)),
                db_time(op->now_us ? op->now_us : clock_now_us())));
    free(payload);
    json_decref(e->payload);
    arena_free(&scratch);
    return rc;
}

err_t *audit_done(op_t *op, const char *action, const char *object_type, int64_t object_id,
                  json_t *payload, audit_severity_t severity)
{
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = action,
                       .object_type = object_type,
                       .object_id = object_id,
                       .payload = payload,
                       .severity = severity,
                       .success = true};
    int rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}
