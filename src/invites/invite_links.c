/*
 * invite_links.c: share links (see invites.h). The token is shown once, at
 * creation; the database keeps its SHA-256. Accepting consumes one use with
 * a single guarded UPDATE, so parallel accepts never exceed max_uses.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/rand.h"
#include "core/text.h"
#include "invites/invites.h"

#define TOKEN_BYTES 32
#define B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void token_hash(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static const char SQL_CREATE[] =
    "INSERT INTO event_invite_links (uuid, event_id, created_by_id, token_hash, max_uses, "
    "message, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
    "RETURNING id";

err_t *invite_link_create(op_t *op, int64_t event_id, const link_spec_t *spec, json_t **out)
{
    event_t e;
    bool found = false;
    int rc = event_load(op->db, op->arena, event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_not_found(op, event_id);
    err_t *err = invite_check_event(op, &e);
    if (err)
        return err;
    unsigned char raw[TOKEN_BYTES];
    char token[64], hash[65], uuid[37];
    int64_t id = 0;
    rand_bytes(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw, B64);
    token_hash(token, hash);
    rand_uuid(uuid);
    rc = db_query_int(op->db, SQL_CREATE,
                      DB_ARGS(db_text(uuid), db_int(event_id), db_int(op->actor.id), db_text(hash),
                              db_int(spec->max_uses), db_text(spec->message ? spec->message : ""),
                              spec->expires_at ? db_time(spec->expires_at) : db_null(),
                              db_time(op->now_us)),
                      &id, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    const char *url =
        arena_printf(op->arena, "%s/api/invite-links/%s/accept", op->app->cfg.public_url, token);
    *out = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:i, s:i, s:o, s:s, s:o}", "link_id",
                     (json_int_t)id, "uuid", uuid, "event_id", (json_int_t)event_id, "token", token,
                     "url", url, "accept_url", url, "max_uses", spec->max_uses, "uses", 0,
                     "expires_at",
                     spec->expires_at ? text_json_time(spec->expires_at) : json_null(), "message",
                     spec->message ? spec->message : "", "created_at", text_json_time(op->now_us));
    return NULL;
}

static const char SQL_LIST[] =
    "SELECT id, uuid, max_uses, uses, message, expires_at, revoked_at, created_at FROM "
    "event_invite_links WHERE event_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500";

static json_t *link_row(op_t *op, db_rows_t *rows)
{
    (void)op;
    return json_pack("{s:I, s:s, s:i, s:i, s:s, s:o, s:o, s:o}", "link_id",
                     (json_int_t)db_col_int(rows, 0), "uuid", db_col_text(rows, 1), "max_uses",
                     (int)db_col_int(rows, 2), "uses", (int)db_col_int(rows, 3), "message",
                     db_col_text(rows, 4), "expires_at",
                     text_json_time_or_null(db_col_time(rows, 5)), "revoked_at",
                     text_json_time_or_null(db_col_time(rows, 6)), "created_at",
                     text_json_time_or_null(db_col_time(rows, 7)));
}

err_t *invite_links_of_event(op_t *op, int64_t event_id, json_t **out)
{
    json_t *list = NULL;
    err_t *e = op_list(op, SQL_LIST, DB_ARGS(db_int(event_id)), link_row, &list);
    if (!e)
        *out = json_pack("{s:o}", "links", list);
    return e;
}

static const char SQL_REVOKE[] =
    "UPDATE event_invite_links SET revoked_at = COALESCE(revoked_at, $3), updated_at = $3 WHERE "
    "id = $1 AND event_id = $2";

err_t *invite_link_revoke(op_t *op, int64_t event_id, int64_t link_id, json_t **out)
{
    int64_t n = 0;
    int rc = db_exec(op->db, SQL_REVOKE,
                     DB_ARGS(db_int(link_id), db_int(event_id), db_time(op->now_us)), &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!n)
        return op_fail(op, 404, "INVITE_LINK_NOT_FOUND", "No such invite link for this event.");
    *out = json_pack("{s:b, s:I}", "success", 1, "link_id", (json_int_t)link_id);
    return NULL;
}

/* ---- accepting ---------------------------------------------------------------------------- */

typedef struct {
    const char *token;
    event_t e;
    json_t *out;
} accept_ctx_t;

static const char SQL_FIND[] =
    "SELECT id, event_id, uses, max_uses, expires_at, revoked_at FROM event_invite_links WHERE "
    "token_hash = $1";
static const char SQL_EXISTING[] =
    "SELECT id, status, expires_at FROM event_invites WHERE event_id = $1 AND invited_user_id = "
    "$2 @FOR_UPDATE";
static const char SQL_USE[] =
    "UPDATE event_invite_links SET uses = uses + 1, updated_at = $2 WHERE id = $1 AND uses < "
    "max_uses AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)";
static const char SQL_INSERT[] =
    "INSERT INTO event_invites (uuid, event_id, host_id, invited_user_id, status, invite_type, "
    "link_id, responded_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'accepted', "
    "'share_link', $5, $6, $6, $6) ON CONFLICT (event_id, invited_user_id) DO NOTHING RETURNING "
    "id";

typedef struct {
    int64_t id, event_id, uses, max_uses, expires_at;
    bool revoked;
} link_row_t;

static err_t *find_link(op_t *op, const char *token, link_row_t *l)
{
    char hash[65];
    db_rows_t *rows;
    bool found = false;
    token_hash(token, hash);
    int rc = db_query(op->db, SQL_FIND, DB_ARGS(db_text(hash)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if ((found = db_next(rows)))
        *l = (link_row_t){.id = db_col_int(rows, 0),
                          .event_id = db_col_int(rows, 1),
                          .uses = db_col_int(rows, 2),
                          .max_uses = db_col_int(rows, 3),
                          .expires_at = db_col_time(rows, 4),
                          .revoked = !db_col_isnull(rows, 5)};
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return found ? NULL
                 : op_fail(op, 404, "INVITE_LINK_NOT_FOUND", "This invite link does not exist.");
}

/* Why the guarded UPDATE took no use. */
static err_t *link_refusal(op_t *op, const link_row_t *l)
{
    if (l->revoked)
        return op_fail(op, 400, "INVITE_LINK_REVOKED", "This invite link was withdrawn.");
    if (l->expires_at && l->expires_at <= op->now_us)
        return op_fail(op, 400, "INVITE_LINK_EXPIRED", "This invite link has expired.");
    return op_fail(op, 400, "INVITE_LINK_EXHAUSTED", "This invite link has been used up.");
}

static err_t *check_taker(op_t *op, const event_t *e)
{
    if (e->host_id == op->actor.id)
        return op_fail(op, 400, "OWN_EVENT", "You cannot accept an invitation to your own event.");
    if (op_is_staff(op))
        return op_fail(op, 403, "ADMIN_CANNOT_REQUEST_EVENT", "Staff accounts cannot join events.");
    err_t *err = invite_check_event(op, e);
    return err ? err : invite_check_guest(op, e, op->actor.id);
}

static const char SQL_SETTLE[] =
    "UPDATE event_invites SET status = $2, responded_at = CASE WHEN CAST($2 AS TEXT) = 'accepted' "
    "THEN $3 ELSE responded_at END, updated_at = $3 WHERE id = $1 AND status = 'pending'";

/* The caller's invitation to the event, if any, answered without spending a
 * use: a pending one is accepted (or marked expired when past its expiry;
 * this transaction commits), any other is returned as it is. */
static int existing(op_t *op, accept_ctx_t *x, bool *found, bool *accepted)
{
    db_rows_t *rows;
    int64_t id = 0, expires_at = 0;
    char status[16] = "";
    int rc = db_query(op->db, SQL_EXISTING, DB_ARGS(db_int(x->e.id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return rc;
    if ((*found = db_next(rows))) {
        id = db_col_int(rows, 0);
        snprintf(status, sizeof status, "%s", db_col_text(rows, 1));
        expires_at = db_col_isnull(rows, 2) ? 0 : db_col_time(rows, 2);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK || !*found)
        return rc;
    if (!strcmp(status, "pending")) {
        bool expired = expires_at && expires_at <= op->now_us;
        snprintf(status, sizeof status, "%s", expired ? "expired" : "accepted");
        rc = db_exec(op->db, SQL_SETTLE, DB_ARGS(db_int(id), db_text(status), db_time(op->now_us)),
                     NULL);
        if (rc == DB_OK && !expired)
            rc = invite_notify_host(op, &x->e, id, true);
        *accepted = !expired;
    }
    x->out = invite_answer_json(id, status, &x->e);
    return rc;
}

static err_t *accept_tx(op_t *op, void *arg)
{
    accept_ctx_t *x = arg;
    link_row_t l = {0};
    bool found = false;
    int64_t used = 0, id = 0;
    char uuid[37];
    err_t *err = find_link(op, x->token, &l);
    if (err)
        return err;
    int rc = event_load(op->db, op->arena, l.event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return op_fail(op, 404, "INVITE_LINK_NOT_FOUND", "This invite link does not exist.");
    if ((err = check_taker(op, &x->e)))
        return err;
    if (l.revoked || (l.expires_at && l.expires_at <= op->now_us))
        return link_refusal(op, &l);
    json_decref(x->out);
    x->out = NULL;
    bool accepted = false;
    if ((rc = existing(op, x, &found, &accepted)) != DB_OK)
        return op_db_fail(op, rc);
    if (found) /* a paid event: the seat is held as for an answer */
        return accepted && x->e.is_paid ? invite_reserve(op, &x->e, op->actor.id, x->out) : NULL;
    rc = db_exec(op->db, SQL_USE, DB_ARGS(db_int(l.id), db_time(op->now_us)), &used);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!used)
        return link_refusal(op, &l);
    rand_uuid(uuid);
    rc = db_query_int(op->db, SQL_INSERT,
                      DB_ARGS(db_text(uuid), db_int(x->e.id), db_int(x->e.host_id),
                              db_int(op->actor.id), db_int(l.id), db_time(op->now_us)),
                      &id, &found);
    if (rc == DB_OK && !found) /* the same person accepting twice at once: one wins */
        return op_fail(op, 409, "INVITE_IN_PROGRESS", "Your invitation is being created; retry.");
    if (rc == DB_OK)
        rc = invite_notify_host(op, &x->e, id, true);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    x->out = invite_answer_json(id, "accepted", &x->e);
    return x->e.is_paid ? invite_reserve(op, &x->e, op->actor.id, x->out) : NULL;
}

err_t *invite_link_accept(op_t *op, const char *token, json_t **out)
{
    accept_ctx_t x = {.token = token};
    err_t *e = op_tx(op, DB_TX_WRITE, accept_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}
