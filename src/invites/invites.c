/*
 * invites.c: direct invitations (see invites.h). Every list first marks the
 * pending invitations past their expiry as expired, in a transaction of its
 * own, so the mark stays whatever happens next (API.md 15 item 12).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"
#include "invites/invites.h"
#include "money/reservations.h"
#include "notifications/notifications.h"

int64_t invite_policy_expiry(const char *policy, int64_t now_us)
{
    static const struct {
        const char *name;
        int64_t hours;
    } policies[] = {{"24h", 24}, {"48h", 48}, {"72h", 72}, {"7d", 168}, {"none", 0}};
    for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
        if (policy && !strcmp(policy, policies[i].name))
            return policies[i].hours ? now_us + policies[i].hours * 3600 * INT64_C(1000000) : 0;
    return -1;
}

err_t *invite_check_event(op_t *op, const event_t *e)
{
    if (strcmp(e->status, "published") != 0)
        return op_fail(op, 400, "EVENT_NOT_PUBLISHED", "This event is not open for invitations.");
    if (e->end_time && e->end_time <= op->now_us)
        return op_fail(op, 400, "EVENT_ENDED", "This event is over.");
    return NULL;
}

static const char SQL_GENDER[] =
    "SELECT COALESCE(gender, '') FROM user_profiles WHERE user_id = $1";

/* Whether the event's allowed_genders admits user_id's profile gender (the
 * join-request rule, API.md 15 item 14). */
static int gender_admitted(op_t *op, const event_t *e, int64_t user_id, bool *ok)
{
    char gender[32] = "";
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_GENDER, DB_ARGS(db_int(user_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows))
        snprintf(gender, sizeof gender, "%s", db_col_text(rows, 0));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    *ok = event_admits_gender(e->allowed_genders, gender);
    return rc;
}

err_t *invite_check_guest(op_t *op, const event_t *e, int64_t user_id)
{
    bool ok = false;
    int rc = gender_admitted(op, e, user_id, &ok);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!ok)
        return op_fail(op, 403, "GENDER_NOT_ALLOWED", "This event is open to %s guests only.",
                       e->allowed_genders);
    return NULL;
}

json_t *invite_answer_json(int64_t invite_id, const char *status, const event_t *e)
{
    bool going = !strcmp(status, "accepted");
    return json_pack("{s:I, s:s, s:I, s:s, s:b, s:b, s:b}", "invite_id", (json_int_t)invite_id,
                     "status", status, "event_id", (json_int_t)e->id, "event_title", e->title,
                     "is_paid", e->is_paid, "requires_payment", going && e->is_paid,
                     "requires_confirmation", going && !e->is_paid);
}

int invite_notify_host(op_t *op, const event_t *e, int64_t invite_id, bool going)
{
    notify_ref_t n = {.to = e->host_id,
                      .key = going ? "invite_accepted" : "invite_declined",
                      .reference_type = "event_invite",
                      .reference_id = invite_id,
                      .metadata = arena_printf(op->arena, "{\"event_id\":%lld,\"invite_id\":%lld}",
                                               (long long)e->id, (long long)invite_id)};
    return notify_template(
        op, &n,
        TPL_ARGS({"event_name", e->title}, {"user_name", notify_person_name(op, op->actor.id)}));
}

/* A paid event: going holds one seat in a reservation until paid, as an
 * accepted request does (issue 10); its key goes into the answer. */
err_t *invite_reserve(op_t *op, const event_t *e, int64_t user_id, json_t *answer)
{
    reservation_t r;
    bool found = false;
    int rc = reservation_live(op, e->id, user_id, &r, &found);
    if (rc == DB_OK && !found)
        rc = reservation_create(op, e->id, user_id, 0, 1, &r);
    if (rc == DB_CHECK && strstr(db_err_constraint(op->db), "event_seat_buckets_room"))
        return op_fail(op, 400, "CAPACITY_FULL", "Event is at full capacity");
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_object_set_new(answer, "reservation_key", json_string(r.key));
    json_object_set_new(answer, "reservation_expires_at", text_json_time(r.expires_at));
    return NULL;
}

/* ---- expiry ------------------------------------------------------------------------ */

static const char SQL_EXPIRE[] =
    "UPDATE event_invites SET status = 'expired', updated_at = $3 WHERE status = 'pending' AND "
    "expires_at IS NOT NULL AND expires_at <= $3 AND (event_id = $1 OR invited_user_id = $2)";

typedef struct {
    int64_t event_id, user_id;
} expire_ctx_t;

static err_t *expire_tx(op_t *op, void *arg)
{
    expire_ctx_t *x = arg;
    int rc = db_exec(op->db, SQL_EXPIRE,
                     DB_ARGS(db_int(x->event_id), db_int(x->user_id), db_time(op->now_us)), NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *expire_due(op_t *op, int64_t event_id, int64_t user_id)
{
    expire_ctx_t x = {.event_id = event_id, .user_id = user_id};
    return op_tx(op, DB_TX_WRITE, expire_tx, &x);
}

/* ---- creating ------------------------------------------------------------------------ */

typedef struct {
    int64_t event_id;
    const invite_spec_t *spec;
    event_t e;
    json_t *out;
} create_ctx_t;

static const char SQL_USER[] =
    "SELECT u.is_active, COALESCE(p.name, ''), p.profile_pictures FROM users u LEFT JOIN "
    "user_profiles p ON p.user_id = u.id WHERE u.id = $1";
static const char SQL_INSERT[] =
    "INSERT INTO event_invites (uuid, event_id, host_id, invited_user_id, status, invite_type, "
    "message, expires_at, expiry_policy, created_at, updated_at) VALUES ($1, $2, $3, $4, "
    "'pending', 'direct', $5, $6, $7, $8, $8) ON CONFLICT (event_id, invited_user_id) DO NOTHING "
    "RETURNING id";

/* Every id must be an active (not waitlisted) account: all or nothing. */
static err_t *check_ids(op_t *op, const invite_spec_t *s)
{
    json_t *bad = json_array();
    for (int i = 0; i < s->n; i++) {
        db_rows_t *rows;
        bool ok = false;
        int rc = db_query(op->db, SQL_USER, DB_ARGS(db_int(s->user_ids[i])), &rows);
        if (rc == DB_OK) {
            ok = db_next(rows) && db_col_bool(rows, 0);
            rc = db_rows_status(rows);
            db_rows_free(rows);
        }
        if (rc != DB_OK) {
            json_decref(bad);
            return op_db_fail(op, rc);
        }
        if (!ok)
            json_array_append_new(bad, json_integer(s->user_ids[i]));
    }
    if (!json_array_size(bad)) {
        json_decref(bad);
        return NULL;
    }
    err_t *err = op_fail(op, 400, "INVALID_USER_IDS",
                         "Some user ids are not active accounts: nobody was invited.");
    err->context = json_pack("{s:o}", "invalid_user_ids", bad);
    return err;
}

static void add_error(json_t *errors, int64_t user_id, const char *code)
{
    json_array_append_new(errors,
                          json_pack("{s:I, s:s}", "user_id", (json_int_t)user_id, "error", code));
}

static json_t *invite_item(int64_t id, int64_t user_id, const char *name, json_t *picture,
                           const create_ctx_t *x)
{
    const invite_spec_t *s = x->spec;
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:s}", "invite_id", (json_int_t)id,
                     "user_id", (json_int_t)user_id, "user_name", name, "full_name", name,
                     "profile_picture_url", picture, "status", "pending", "message",
                     s->message ? s->message : "", "expires_at",
                     s->expires_at ? text_json_time(s->expires_at) : json_null(), "expiry_policy",
                     s->expiry_policy ? s->expiry_policy : "");
}

/* The invitee's in-app row; the host's own words, if any, go in the metadata
 * (the template's text is fixed). */
static int notify_invitee(op_t *op, const create_ctx_t *x, int64_t user_id, int64_t id)
{
    json_t *meta =
        json_pack("{s:I, s:I}", "event_id", (json_int_t)x->event_id, "invite_id", (json_int_t)id);
    if (x->spec->message && *x->spec->message)
        json_object_set_new(meta, "message", json_string(x->spec->message));
    char *text = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    notify_ref_t n = {.to = user_id,
                      .key = "event_invite",
                      .reference_type = "event_invite",
                      .reference_id = id,
                      .metadata = text ? arena_strdup(op->arena, text) : NULL};
    free(text);
    return notify_template(
        op, &n,
        TPL_ARGS({"host_name", notify_person_name(op, x->e.host_id)}, {"event_name", x->e.title}));
}

/* One invitee: skipped (already invited), refused (errors) or invited. */
static int invite_one(op_t *op, create_ctx_t *x, int64_t user_id, json_t *invites, json_t *errors,
                      int *skipped)
{
    const invite_spec_t *s = x->spec;
    bool admitted = false;
    if (user_id == x->e.host_id || user_id == op->actor.id) {
        add_error(errors, user_id, "CANNOT_INVITE_SELF");
        return DB_OK;
    }
    int rc = gender_admitted(op, &x->e, user_id, &admitted);
    if (rc != DB_OK || !admitted) {
        if (rc == DB_OK)
            add_error(errors, user_id, "GENDER_NOT_ALLOWED");
        return rc;
    }
    char uuid[37], name[128] = "";
    json_t *picture = json_null();
    db_rows_t *rows;
    int64_t id = 0;
    rand_uuid(uuid);
    rc = db_query(op->db, SQL_INSERT,
                  DB_ARGS(db_text(uuid), db_int(x->event_id), db_int(x->e.host_id), db_int(user_id),
                          db_text(s->message ? s->message : ""),
                          s->expires_at ? db_time(s->expires_at) : db_null(),
                          db_text(s->expiry_policy ? s->expiry_policy : ""), db_time(op->now_us)),
                  &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows))
        id = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK || !id) {
        *skipped += !id;
        return rc;
    }
    rc = db_query(op->db, SQL_USER, DB_ARGS(db_int(user_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        snprintf(name, sizeof name, "%s", db_col_text(rows, 1));
        json_decref(picture);
        picture = text_json_first_string(db_col_text(rows, 2));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    json_array_append_new(invites, invite_item(id, user_id, name, picture, x));
    return rc == DB_OK ? notify_invitee(op, x, user_id, id) : rc;
}

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    bool found = false;
    int rc = event_load(op->db, op->arena, x->event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return event_not_found(op, x->event_id);
    err_t *err = invite_check_event(op, &x->e);
    if (!err)
        err = check_ids(op, x->spec);
    if (err)
        return err;
    json_t *invites = json_array(), *errors = json_array();
    int skipped = 0;
    for (int i = 0; i < x->spec->n && rc == DB_OK; i++)
        rc = invite_one(op, x, x->spec->user_ids[i], invites, errors, &skipped);
    json_decref(x->out);
    x->out = json_pack("{s:b, s:i, s:i, s:o, s:o}", "success", 1, "created_count",
                       (int)json_array_size(invites), "skipped_count", skipped, "errors", errors,
                       "invites", invites);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *invites_create(op_t *op, int64_t event_id, const invite_spec_t *spec, json_t **out)
{
    create_ctx_t x = {.event_id = event_id, .spec = spec};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- lists ------------------------------------------------------------------------------ */

static const char SQL_OF_EVENT[] =
    "SELECT i.id, i.invited_user_id, COALESCE(p.name, ''), p.profile_pictures, i.status, "
    "i.message, i.expires_at, i.expiry_policy, i.invite_type, i.created_at, i.responded_at FROM "
    "event_invites i LEFT JOIN user_profiles p ON p.user_id = i.invited_user_id WHERE i.event_id "
    "= $1 AND (CAST($2 AS TEXT) IS NULL OR i.status = $2) ORDER BY i.created_at DESC, i.id DESC "
    "LIMIT 1000";

static json_t *host_item(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s, s:o, s:o}", "invite_id",
                     (json_int_t)db_col_int(r, 0), "user_id", (json_int_t)db_col_int(r, 1),
                     "full_name", db_col_text(r, 2), "user_name", db_col_text(r, 2),
                     "profile_picture_url", text_json_first_string(db_col_text(r, 3)), "status",
                     db_col_text(r, 4), "message", db_col_text(r, 5), "expires_at",
                     text_json_time_or_null(db_col_time(r, 6)), "expiry_policy", db_col_text(r, 7),
                     "invite_type", db_col_text(r, 8), "created_at",
                     text_json_time_or_null(db_col_time(r, 9)), "responded_at",
                     text_json_time_or_null(db_col_time(r, 10)));
}

err_t *invites_of_event(op_t *op, int64_t event_id, const char *status, json_t **out)
{
    json_t *list = NULL;
    err_t *e = expire_due(op, event_id, 0);
    if (!e)
        e = op_list(op, SQL_OF_EVENT, DB_ARGS(db_int(event_id), db_text(status)), host_item, &list);
    if (!e)
        *out = json_pack("{s:o}", "invitations", list);
    return e;
}

static const char SQL_MINE[] =
    "SELECT i.id, i.event_id, e.title, e.start_time, COALESCE(p.name, ''), i.status, i.message, "
    "i.created_at, i.expires_at, i.invite_type FROM event_invites i JOIN events e ON e.id = "
    "i.event_id LEFT JOIN user_profiles p ON p.user_id = e.host_id WHERE i.invited_user_id = $1 "
    "AND e.is_active = $3 AND (CAST($2 AS TEXT) IS NULL OR i.status = $2) ORDER BY i.created_at "
    "DESC, i.id DESC LIMIT 500";

static json_t *mine_item(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "invite_id",
                     (json_int_t)db_col_int(r, 0), "event_id", (json_int_t)db_col_int(r, 1),
                     "event_title", db_col_text(r, 2), "event_start_time",
                     text_json_time_or_null(db_col_time(r, 3)), "host_name", db_col_text(r, 4),
                     "status", db_col_text(r, 5), "message", db_col_text(r, 6), "created_at",
                     text_json_time_or_null(db_col_time(r, 7)), "expires_at",
                     text_json_time_or_null(db_col_time(r, 8)), "invite_type", db_col_text(r, 9));
}

err_t *invites_mine(op_t *op, const char *status, json_t **out)
{
    err_t *e = expire_due(op, 0, op->actor.id);
    return e ? e
             : op_list(op, SQL_MINE, DB_ARGS(db_int(op->actor.id), db_text(status), db_bool(true)),
                       mine_item, out);
}

/* ---- answering ---------------------------------------------------------------------------- */

typedef struct {
    int64_t invite_id;
    bool going;
    event_t e;
    json_t *out;
} respond_ctx_t;

static const char SQL_EXPIRE_ONE[] =
    "UPDATE event_invites SET status = 'expired', updated_at = $3 WHERE id = $1 AND "
    "invited_user_id = $2 AND status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $3";
static const char SQL_LOCK_MINE[] =
    "SELECT event_id FROM event_invites WHERE id = $1 AND invited_user_id = $2 AND status = "
    "'pending' @FOR_UPDATE";
static const char SQL_ANSWER[] =
    "UPDATE event_invites SET status = $2, responded_at = $3, updated_at = $3 WHERE id = $1";

static err_t *not_found(op_t *op)
{
    return op_fail(op, 404, "INVITATION_NOT_FOUND",
                   "The invitation you're looking for doesn't exist or you've already responded "
                   "to it.");
}

/* One free seat now (confirming takes it). */
static err_t *check_seat(op_t *op, const event_t *e)
{
    if (event_seats_free(e) >= 1)
        return NULL;
    err_t *err = op_fail(op, 400, "CAPACITY_FULL", "Event is at full capacity");
    err->context = json_pack("{s:i, s:i, s:i}", "current_attendees", e->going_count, "max_capacity",
                             e->max_capacity, "available_seats", 0);
    return err;
}

static err_t *respond_tx(op_t *op, void *arg)
{
    respond_ctx_t *x = arg;
    int64_t event_id = 0;
    bool found = false;
    int rc = db_query_int(op->db, SQL_LOCK_MINE,
                          DB_ARGS(db_int(x->invite_id), db_int(op->actor.id)), &event_id, &found);
    if (rc == DB_OK && found)
        rc = reservations_reclaim(op, event_id);
    if (rc == DB_OK && found)
        rc = event_load(op->db, op->arena, event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return not_found(op);
    err_t *err = NULL;
    if (x->going && !(err = invite_check_event(op, &x->e)) &&
        !(err = invite_check_guest(op, &x->e, op->actor.id)))
        err = check_seat(op, &x->e);
    if (err)
        return err;
    const char *status = x->going ? "accepted" : "declined";
    rc = db_exec(op->db, SQL_ANSWER,
                 DB_ARGS(db_int(x->invite_id), db_text(status), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = invite_notify_host(op, &x->e, x->invite_id, x->going);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_decref(x->out);
    x->out = invite_answer_json(x->invite_id, status, &x->e);
    return x->going && x->e.is_paid ? invite_reserve(op, &x->e, op->actor.id, x->out) : NULL;
}

static err_t *expire_one_tx(op_t *op, void *arg)
{
    int64_t *x = arg; /* [0] invite id in, [1] rows marked out */
    int rc = db_exec(op->db, SQL_EXPIRE_ONE,
                     DB_ARGS(db_int(x[0]), db_int(op->actor.id), db_time(op->now_us)), &x[1]);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *invite_respond(op_t *op, int64_t invite_id, bool going, json_t **out)
{
    int64_t marked[2] = {invite_id, 0};
    err_t *e = op_tx(op, DB_TX_WRITE, expire_one_tx, marked);
    if (e)
        return e;
    if (marked[1])
        return op_fail(op, 400, "INVITATION_EXPIRED", "This invitation has expired.");
    respond_ctx_t x = {.invite_id = invite_id, .going = going};
    e = op_tx(op, DB_TX_WRITE, respond_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}
