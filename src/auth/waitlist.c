/*
 * waitlist.c: promotion from the account waitlist. One conditional UPDATE
 * decides the race: among concurrent requests of one account only the one
 * that changes the users row goes on to clear the profile's timestamps and
 * send the welcome notification, all in the same transaction.
 */
#include "auth/waitlist.h"

#include "app.h"
#include "audit/audit.h"
#include "notifications/notifications.h"
#include "core/rand.h"
#include "db/db_notify.h"

/* $5: promote when the promotion time is at or before it (now; far ahead
 * when staff promote early). */
static const char SQL_PROMOTE_USER[] =
    "UPDATE users SET is_active = $3, updated_at = $2 WHERE id = $1 AND is_active = $4 "
    "AND EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = $1 AND "
    "p.waitlist_promote_at IS NOT NULL AND p.waitlist_promote_at <= $5)";

static const char SQL_PROMOTE_PROFILE[] =
    "UPDATE user_profiles SET is_active = $3, waitlist_started_at = NULL, "
    "waitlist_promote_at = NULL, updated_at = $2 WHERE user_id = $1";

typedef struct {
    op_t *op;
    int64_t user_id, staff_id;
    bool promoted;
} promote_ctx_t;

#define YEAR_US (365LL * 86400 * 1000000)

static int promote_tx(db_conn_t *c, void *arg)
{
    promote_ctx_t *p = arg;
    int64_t now = p->op->now_us, n = 0;
    p->promoted = false;
    int64_t due_by = p->staff_id ? now + YEAR_US : now;
    int rc = db_exec(
        c, SQL_PROMOTE_USER,
        DB_ARGS(db_int(p->user_id), db_time(now), db_bool(true), db_bool(false), db_time(due_by)),
        &n);
    if (rc != DB_OK || n == 0)
        return rc;
    notice_t welcome = {.to = p->user_id,
                        .type = "system",
                        .title = "Welcome to Loopin!",
                        .message = "Your account is now active. Start exploring events and "
                                   "connecting with your community!",
                        .reference_type = "user",
                        .reference_id = p->user_id,
                        .metadata = "{\"target_screen\":\"home\",\"type\":\"account_activated\"}"};
    if ((rc = db_exec(c, SQL_PROMOTE_PROFILE,
                      DB_ARGS(db_int(p->user_id), db_time(now), db_bool(true)), NULL)) != DB_OK ||
        (rc = notification_write(p->op, &welcome)) != DB_OK)
        return rc;
    audit_entry_t e = {.actor_id = p->staff_id ? p->staff_id : p->user_id,
                       .action = "account.waitlist.promoted",
                       .object_type = "user",
                       .object_id = p->user_id,
                       .payload = json_pack("{s:s}", "by", p->staff_id ? "staff" : "schedule"),
                       .severity = p->staff_id ? AUDIT_MEDIUM : AUDIT_LOW,
                       .success = true};
    if ((rc = audit_write(c, p->op, &e)) != DB_OK)
        return rc;
    p->promoted = true;
    return DB_OK;
}

int waitlist_promote(op_t *op, int64_t user_id, int64_t staff_id, bool *promoted)
{
    promote_ctx_t p = {.op = op, .user_id = user_id, .staff_id = staff_id};
    int rc = db_tx_run(op->db, DB_TX_WRITE, promote_tx, &p);
    *promoted = rc == DB_OK && p.promoted;
    if (*promoted) /* committed: forget the waitlisted state here at once */
        db_notify_local(op->app->notify, "user:%lld", (long long)user_id);
    return rc;
}

int waitlist_promote_if_due(op_t *op, int64_t user_id, bool *promoted)
{
    return waitlist_promote(op, user_id, 0, promoted);
}
