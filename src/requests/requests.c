/*
 * requests.c: join requests: asking (one pending request per person and
 * event, enforced by a partial unique index), the two views (the guest's
 * RequestStatus, the host's list) and the host's answer. Accepting checks
 * that the seats asked for fit beside the confirmed seats; taking them is
 * attendance's job. Each step writes its in-app notification and audit row
 * in the same transaction.
 */
#include "requests/requests.h"
#include "money/reservations.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "events/event.h"
#include "notifications/notifications.h"
#include "profile/profile.h"

/* ---- reading ------------------------------------------------------------------- */

#define SQL_ITEM                                                                                   \
    "SELECT r.id, r.uuid, r.event_id, r.requester_id, COALESCE(p.name, ''), r.status, "            \
    "r.message, r.host_message, r.seats_requested, r.created_at, r.updated_at, "                   \
    "p.profile_pictures, e.title, EXISTS (SELECT 1 FROM event_attendees a WHERE a.event_id = "     \
    "r.event_id AND a.user_id = r.requester_id AND a.status IN ('going', 'checked_in')), "         \
    "c.reservation_key, c.expires_at, e.is_paid FROM event_requests r JOIN events e ON e.id = "    \
    "r.event_id LEFT JOIN capacity_reservations c ON c.id = (SELECT max(c2.id) FROM "              \
    "capacity_reservations c2 WHERE c2.request_id = r.id AND NOT c2.consumed AND c2.released_at "  \
    "IS NULL) "                                                                                    \
    "LEFT JOIN user_profiles p ON p.user_id = r.requester_id "

static const char SQL_BY_ID[] = SQL_ITEM "WHERE r.id = $1";
static const char SQL_MINE_FOR_EVENT[] =
    SQL_ITEM "WHERE r.event_id = $1 AND r.requester_id = $2 ORDER BY r.created_at DESC, r.id DESC "
             "LIMIT 1";
static const char SQL_MINE_ALL[] =
    SQL_ITEM "WHERE r.requester_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 500";
static const char SQL_MINE_STATUS[] = SQL_ITEM "WHERE r.requester_id = $1 AND r.status = $2 "
                                               "ORDER BY r.created_at DESC, r.id DESC LIMIT 500";
static const char SQL_OF_EVENT[] =
    SQL_ITEM "WHERE r.event_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3";
static const char SQL_COUNT_OF_EVENT[] = "SELECT count(*) FROM event_requests WHERE event_id = $1";

static json_t *col_time(db_rows_t *r, int col)
{
    return text_json_time(db_col_time(r, col));
}

static json_t *first_picture(db_rows_t *r, int col)
{
    return text_json_first_string(db_col_text(r, col));
}

/* The guest's view (API.md: RequestStatus; the app reads it flat). On a
 * paid event an accepted request holds its seats in a reservation until
 * paid (issue 10): its key and expiry, or null. */
static json_t *status_item(op_t *op, db_rows_t *r)
{
    (void)op;
    bool accepted = strcmp(db_col_text(r, 5), "accepted") == 0, paid = db_col_bool(r, 16);
    bool attending = db_col_bool(r, 13);
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:b, s:b, s:o, s:o}", "request_id",
        (json_int_t)db_col_int(r, 0), "event_id", (json_int_t)db_col_int(r, 2), "event_title",
        db_col_text(r, 12), "status", db_col_text(r, 5), "message", db_col_text(r, 6),
        "host_message", db_col_text(r, 7), "seats_requested", (json_int_t)db_col_int(r, 8),
        "created_at", col_time(r, 9), "updated_at", col_time(r, 10), "can_confirm",
        accepted && !attending && !paid, "requires_payment", accepted && !attending && paid,
        "reservation_key", db_col_isnull(r, 14) ? json_null() : json_string(db_col_text(r, 14)),
        "reservation_expires_at", db_col_isnull(r, 15) ? json_null() : col_time(r, 15));
}

/* The host's view (API.md's list item, plus what the app shows). */
static json_t *host_item(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "event_id",
                     (json_int_t)db_col_int(r, 2), "requester_id", (json_int_t)db_col_int(r, 3),
                     "requester_name", db_col_text(r, 4), "full_name", db_col_text(r, 4),
                     "profile_picture_url", first_picture(r, 11), "status", db_col_text(r, 5),
                     "message", db_col_text(r, 6), "host_message", db_col_text(r, 7),
                     "seats_requested", (json_int_t)db_col_int(r, 8), "created_at", col_time(r, 9),
                     "updated_at", col_time(r, 10));
}

/* The first item of a one-row query, or NULL in *out when there is none. */
static err_t *collect_one(op_t *op, const char *sql, const db_param_t *p, int n, op_row_fn item,
                          json_t **out)
{
    json_t *list = NULL;
    err_t *e = op_list(op, sql, p, n, item, &list);
    *out = e ? NULL : json_incref(json_array_get(list, 0));
    json_decref(list);
    return e;
}

static err_t *event_gone(op_t *op, int64_t event_id)
{
    return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)event_id);
}

err_t *request_mine(op_t *op, int64_t event_id, json_t **out)
{
    event_t e;
    bool found = false;
    int rc = event_load(op->db, op->arena, event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_gone(op, event_id);
    err_t *err = collect_one(op, SQL_MINE_FOR_EVENT,
                             DB_ARGS(db_int(event_id), db_int(op->actor.id)), status_item, out);
    if (!err && !*out)
        err = op_fail(op, 404, "REQUEST_NOT_FOUND", "You have not requested to attend this event");
    return err;
}

err_t *requests_mine(op_t *op, const char *status, json_t **out)
{
    if (status)
        return op_list(op, SQL_MINE_STATUS, DB_ARGS(db_int(op->actor.id), db_text(status)),
                       status_item, out);
    return op_list(op, SQL_MINE_ALL, DB_ARGS(db_int(op->actor.id)), status_item, out);
}

err_t *requests_of_event(op_t *op, int64_t event_id, int64_t offset, int64_t limit, json_t **out)
{
    int64_t total = 0;
    bool found = false;
    int rc = db_query_int(op->db, SQL_COUNT_OF_EVENT, DB_ARGS(db_int(event_id)), &total, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *list = NULL;
    err_t *e = op_list(op, SQL_OF_EVENT, DB_ARGS(db_int(event_id), db_int(limit), db_int(offset)),
                       host_item, &list);
    if (e)
        return e;
    *out = json_pack("{s:I, s:I, s:I, s:I, s:o}", "total_requests_count", (json_int_t)total,
                     "total", (json_int_t)total, "offset", (json_int_t)offset, "limit",
                     (json_int_t)limit, "requests", list);
    return NULL;
}

/* ---- notifications (in-app rows, written with the change) ------------------------ */

static int notify(op_t *op, int64_t to, const char *key, const event_t *e, int64_t request_id,
                  const char *action, const char *person)
{
    notify_ref_t n = {.to = to,
                      .key = key,
                      .reference_type = "event_request",
                      .reference_id = request_id,
                      .metadata = arena_printf(op->arena,
                                               "{\"event_id\":%lld,\"request_id\":%lld,\"action\":"
                                               "\"%s\"}",
                                               (long long)e->id, (long long)request_id, action)};
    if (!strcmp(key, "request_declined"))
        return notify_template(op, &n, TPL_ARGS({"event_name", e->title}));
    return notify_template(
        op, &n,
        TPL_ARGS({"event_name", e->title},
                 {!strcmp(key, "new_join_request") ? "user_name" : "host_name", person}));
}

static int audit(op_t *op, const char *action, int64_t request_id, json_t *payload)
{
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = action,
                       .object_type = "event_request",
                       .object_id = request_id,
                       .payload = payload,
                       .severity = AUDIT_LOW,
                       .success = true};
    return audit_write(op->db, op, &a);
}

/* ---- asking --------------------------------------------------------------------- */

typedef struct {
    int64_t event_id;
    int seats;
    const char *message;
    json_t *out;
} create_ctx_t;

static const char SQL_GENDER[] =
    "SELECT COALESCE(gender, '') FROM user_profiles WHERE user_id = $1";
static const char SQL_LAST_STATUS[] =
    "SELECT status FROM event_requests WHERE event_id = $1 AND requester_id = $2 "
    "ORDER BY created_at DESC, id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO event_requests (uuid, event_id, requester_id, status, message, "
    "seats_requested, created_at, updated_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $6) "
    "RETURNING id";

/* Who may ask (docs/admission.md): anyone active but the host and staff, for a
 * published event that is not over and admits their gender. */
static err_t *check_requester(op_t *op, const event_t *e)
{
    if (e->host_id == op->actor.id)
        return op_fail(op, 400, "OWN_EVENT", "You cannot request to join your own event.");
    if (op_is_staff(op))
        return op_fail(op, 403, "ADMIN_CANNOT_REQUEST_EVENT",
                       "Staff accounts cannot request to join events.");
    if (strcmp(e->status, "published") != 0)
        return op_fail(op, 400, "EVENT_NOT_PUBLISHED", "This event is not open for requests.");
    if (e->end_time && e->end_time <= op->now_us)
        return op_fail(op, 400, "EVENT_ENDED", "This event is over.");
    char gender[32] = "";
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_GENDER, DB_ARGS(db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        snprintf(gender, sizeof gender, "%s", db_col_text(rows, 0));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!event_admits_gender(e->allowed_genders, gender))
        return op_fail(op, 403, "GENDER_NOT_ALLOWED", "This event is open to %s guests only.",
                       e->allowed_genders);
    return NULL;
}

static err_t *duplicate(op_t *op)
{
    return op_fail(op, 400, "DUPLICATE_REQUEST",
                   "You already have a pending request for this event. Please wait for the "
                   "host's response.");
}

/* One live request per person and event; no asking again after a decline. */
static err_t *check_history(op_t *op, int64_t event_id)
{
    db_rows_t *rows;
    char last[16] = "";
    int rc =
        db_query(op->db, SQL_LAST_STATUS, DB_ARGS(db_int(event_id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        snprintf(last, sizeof last, "%s", db_col_text(rows, 0));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!strcmp(last, "pending"))
        return duplicate(op);
    if (!strcmp(last, "accepted"))
        return op_fail(op, 400, "ALREADY_ACCEPTED",
                       "You have already been accepted for this event. You can confirm your "
                       "attendance now.");
    if (!strcmp(last, "declined"))
        return op_fail(op, 400, "REQUEST_DECLINED",
                       "The host has declined your request for this event.");
    return NULL;
}

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    event_t e;
    bool found = false;
    int rc = event_load(op->db, op->arena, x->event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_gone(op, x->event_id);
    err_t *err = check_requester(op, &e);
    if (!err)
        err = check_history(op, x->event_id);
    if (err)
        return err;
    char uuid[37];
    rand_uuid(uuid);
    int64_t id = 0;
    rc = db_query_int(op->db, SQL_INSERT,
                      DB_ARGS(db_text(uuid), db_int(x->event_id), db_int(op->actor.id),
                              db_text(x->message), db_int(x->seats), db_time(op->now_us)),
                      &id, &found);
    /* A concurrent request of the same person won the one-pending index. (On
     * PostgreSQL the transaction is aborted now: no further query here.) */
    if (rc == DB_UNIQUE)
        return duplicate(op);
    if (rc == DB_OK)
        rc = notify(op, e.host_id, "new_join_request", &e, id, "requested",
                    notify_person_name(op, op->actor.id));
    if (rc == DB_OK)
        rc = audit(op, "event.request.created", id,
                   json_pack("{s:I, s:i}", "event_id", (json_int_t)x->event_id, "seats", x->seats));
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_decref(x->out);
    return collect_one(op, SQL_BY_ID, DB_ARGS(db_int(id)), host_item, &x->out);
}

err_t *request_create(op_t *op, int64_t event_id, int seats, const char *message, json_t **out)
{
    create_ctx_t x = {.event_id = event_id, .seats = seats, .message = message ? message : ""};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- the host's answer ------------------------------------------------------------ */

typedef struct {
    int64_t event_id, request_id;
    bool accept;
    const char *host_message;
    json_t *out;
} respond_ctx_t;

static const char SQL_LOCK_REQUEST[] =
    "SELECT requester_id, seats_requested, status FROM event_requests WHERE id = $1 AND "
    "event_id = $2 @FOR_UPDATE";
static const char SQL_ANSWER[] =
    "UPDATE event_requests SET status = $2, host_message = COALESCE(NULLIF($3, ''), host_message), "
    "responded_at = $4, updated_at = $4 WHERE id = $1 AND status = 'pending'";

/* The pending request, locked: its requester and seats, or the 404. */
static err_t *lock_pending(op_t *op, const respond_ctx_t *x, int64_t *requester, int *seats)
{
    db_rows_t *rows;
    bool pending = false;
    int rc = db_query(op->db, SQL_LOCK_REQUEST, DB_ARGS(db_int(x->request_id), db_int(x->event_id)),
                      &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows)) {
        *requester = db_col_int(rows, 0);
        *seats = (int)db_col_int(rows, 1);
        pending = strcmp(db_col_text(rows, 2), "pending") == 0;
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (pending)
        return NULL;
    return x->accept
               ? op_fail(op, 404, "REQUEST_NOT_FOUND",
                         "The request you're trying to accept doesn't exist or has already "
                         "been processed.")
               : op_fail(op, 404, "REQUEST_NOT_FOUND", "Request not found or already processed");
}

/* Accepting promises seats that confirming will take: they must fit now,
 * counted in seats (not attendee rows, REF-BUG 15.1). */
static err_t *check_capacity(op_t *op, const event_t *e, int seats)
{
    int available = event_seats_free(e);
    if (seats <= available)
        return NULL;
    err_t *err = op_fail(op, 400, "CAPACITY_EXCEEDED",
                         "The event has reached its capacity. Only %d seat(s) available, but %d "
                         "seat(s) requested.",
                         available < 0 ? 0 : available, seats);
    err->context = json_pack("{s:i, s:i, s:i, s:i}", "current_attendees", e->going_count,
                             "max_capacity", e->max_capacity, "requested_seats", seats,
                             "available_seats", available < 0 ? 0 : available);
    return err;
}

static int notify_answer(op_t *op, const respond_ctx_t *x, const event_t *e, int64_t requester)
{
    return notify(op, requester, x->accept ? "request_approved" : "request_declined", e,
                  x->request_id, x->accept ? "accepted" : "declined",
                  x->accept ? notify_person_name(op, e->host_id) : NULL);
}

/* Accepting a paid request holds its seats until paid (issue 10). */
static err_t *reserve(op_t *op, const event_t *e, int64_t request_id, int64_t requester, int seats)
{
    reservation_t r;
    int rc = reservation_create(op, e->id, requester, request_id, seats, &r);
    if (rc == DB_CHECK && strstr(db_err_constraint(op->db), "event_seat_buckets_room"))
        return op_fail(op, 400, "CAPACITY_EXCEEDED",
                       "The event has reached its capacity: %d seat(s) cannot be held.", seats);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *respond_tx(op_t *op, void *arg)
{
    respond_ctx_t *x = arg;
    event_t e;
    bool found = false;
    int64_t requester = 0;
    int seats = 0;
    /* expired reservations never block a seat: released before counting */
    int rc = reservations_reclaim(op, x->event_id);
    if (rc == DB_OK)
        rc = event_load(op->db, op->arena, x->event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_gone(op, x->event_id);
    err_t *err = lock_pending(op, x, &requester, &seats);
    if (!err && x->accept)
        err = check_capacity(op, &e, seats);
    if (err)
        return err;
    rc = db_exec(op->db, SQL_ANSWER,
                 DB_ARGS(db_int(x->request_id), db_text(x->accept ? "accepted" : "declined"),
                         db_text(x->host_message ? x->host_message : ""), db_time(op->now_us)),
                 NULL);
    if (rc == DB_OK && x->accept && e.is_paid &&
        (err = reserve(op, &e, x->request_id, requester, seats)))
        return err;
    if (rc == DB_OK)
        rc = notify_answer(op, x, &e, requester);
    if (rc == DB_OK)
        rc = audit(op, x->accept ? "event.request.accepted" : "event.request.declined",
                   x->request_id, json_pack("{s:I}", "event_id", (json_int_t)x->event_id));
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_decref(x->out);
    return collect_one(op, SQL_BY_ID, DB_ARGS(db_int(x->request_id)), status_item, &x->out);
}

err_t *request_respond(op_t *op, int64_t event_id, int64_t request_id, bool accept,
                       const char *host_message, json_t **out)
{
    respond_ctx_t x = {.event_id = event_id,
                       .request_id = request_id,
                       .accept = accept,
                       .host_message = host_message};
    err_t *e = op_tx(op, DB_TX_WRITE, respond_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- bulk answers --------------------------------------------------------------- */

typedef struct {
    int64_t event_id;
    const int64_t *ids;
    int n;
    bool accept;
    const char *host_message;
    int processed;
} bulk_ctx_t;

static const char SQL_LOCK_PENDING[] =
    "SELECT requester_id, seats_requested FROM event_requests WHERE id = $1 AND event_id = $2 AND "
    "status = 'pending' @FOR_UPDATE";

/* Locks the pending ones among x->ids (others are ignored, API.md): their
 * ids, requesters and seats into the arrays, their count into *m. */
static err_t *lock_pendings(op_t *op, const bulk_ctx_t *x, int64_t *ids, int64_t *who, int *seats,
                            int *m)
{
    *m = 0;
    for (int i = 0; i < x->n; i++) {
        db_rows_t *rows;
        int rc = db_query(op->db, SQL_LOCK_PENDING, DB_ARGS(db_int(x->ids[i]), db_int(x->event_id)),
                          &rows);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        if (db_next(rows)) {
            ids[*m] = x->ids[i];
            who[*m] = db_col_int(rows, 0);
            seats[(*m)++] = (int)db_col_int(rows, 1);
        }
        rc = db_rows_status(rows);
        db_rows_free(rows);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
    }
    return *m ? NULL
              : op_fail(op, 400, "NO_PENDING_REQUESTS",
                        "No pending requests found with the provided IDs");
}

/* All or nothing: the seats of every accepted request must fit together. */
static err_t *check_bulk_capacity(op_t *op, const event_t *e, const int *seats, int m)
{
    int wanted = 0;
    for (int i = 0; i < m; i++)
        wanted += seats[i];
    int available = event_seats_free(e);
    if (wanted <= available)
        return NULL;
    return op_fail(op, 400, "CAPACITY_EXCEEDED",
                   "Cannot accept all requests: would exceed capacity. Available: %d, "
                   "Requested: %d",
                   available < 0 ? 0 : available, wanted);
}

static err_t *bulk_tx(op_t *op, void *arg)
{
    bulk_ctx_t *x = arg;
    event_t e;
    bool found = false;
    int64_t ids[REQUEST_BULK_MAX], who[REQUEST_BULK_MAX];
    int seats[REQUEST_BULK_MAX], m = 0;
    int rc = reservations_reclaim(op, x->event_id);
    if (rc == DB_OK)
        rc = event_load(op->db, op->arena, x->event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_gone(op, x->event_id);
    err_t *err = lock_pendings(op, x, ids, who, seats, &m);
    if (!err && x->accept)
        err = check_bulk_capacity(op, &e, seats, m);
    if (err)
        return err;
    for (int i = 0; i < m && rc == DB_OK; i++) {
        respond_ctx_t one = {.event_id = x->event_id,
                             .request_id = ids[i],
                             .accept = x->accept,
                             .host_message = x->host_message};
        rc = db_exec(op->db, SQL_ANSWER,
                     DB_ARGS(db_int(ids[i]), db_text(x->accept ? "accepted" : "declined"),
                             db_text(x->host_message ? x->host_message : ""), db_time(op->now_us)),
                     NULL);
        if (rc == DB_OK && x->accept && e.is_paid &&
            (err = reserve(op, &e, ids[i], who[i], seats[i])))
            return err;
        if (rc == DB_OK)
            rc = notify_answer(op, &one, &e, who[i]);
        if (rc == DB_OK)
            rc = audit(op, x->accept ? "event.request.accepted" : "event.request.declined", ids[i],
                       json_pack("{s:I, s:b}", "event_id", (json_int_t)x->event_id, "bulk", 1));
    }
    x->processed = m;
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *requests_bulk(op_t *op, int64_t event_id, const int64_t *ids, int n, bool accept,
                     const char *host_message, json_t **out)
{
    bulk_ctx_t x = {.event_id = event_id,
                    .ids = ids,
                    .n = n < REQUEST_BULK_MAX ? n : REQUEST_BULK_MAX,
                    .accept = accept,
                    .host_message = host_message};
    err_t *e = op_tx(op, DB_TX_WRITE, bulk_tx, &x);
    if (e)
        return e;
    *out = json_pack("{s:b, s:i, s:i, s:i, s:[]}", "success", 1, "processed_count", x.processed,
                     "accepted_count", accept ? x.processed : 0, "declined_count",
                     accept ? 0 : x.processed, "errors");
    return NULL;
}

/* ---- the requester's profile, for the host ---------------------------------------- */

static const char SQL_REQUESTER[] =
    "SELECT requester_id FROM event_requests WHERE id = $1 AND event_id = $2";

err_t *request_requester_profile(op_t *op, int64_t event_id, int64_t request_id, json_t **out)
{
    int64_t user_id = 0;
    bool found = false;
    json_t *p = NULL;
    int rc = db_query_int(op->db, SQL_REQUESTER, DB_ARGS(db_int(request_id), db_int(event_id)),
                          &user_id, &found);
    if (rc == DB_OK && found)
        rc = profile_load(op->db, user_id, &p);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!p)
        return op_fail(op, 404, "REQUEST_NOT_FOUND", "Request not found");
    json_t *interests = json_array(), *all = json_object_get(p, "event_interests");
    for (size_t i = 0; i < json_array_size(all) && i < 10; i++) {
        json_t *it = json_array_get(all, i);
        json_array_append_new(interests, json_pack("{s:O, s:O}", "id", json_object_get(it, "id"),
                                                   "name", json_object_get(it, "name")));
    }
    *out = json_pack("{s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O}", "user_id",
                     (json_int_t)user_id, "name", json_object_get(p, "name"), "phone_number",
                     json_object_get(p, "phone_number"), "bio", json_object_get(p, "bio"), "gender",
                     json_object_get(p, "gender"), "location", json_object_get(p, "location"),
                     "profile_pictures", json_object_get(p, "profile_pictures"), "event_interests",
                     interests, "is_verified", json_object_get(p, "is_verified"));
    json_decref(p);
    return *out ? NULL : op_db_fail(op, DB_ERROR);
}
