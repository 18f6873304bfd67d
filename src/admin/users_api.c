/*
 * users_api.c: the admin API's users (issue 12 point 2, docs/admin.md).
 *   GET  /api/admin/users                 list: search phone/name, filters, sorts, CSV
 *   GET  /api/admin/users/{id}            detail: profile, what they host, ask, hold, pay
 *   POST /api/admin/users/{id}/promote    promote from the waitlist now
 *   POST /api/admin/users/{id}/activate   {reason}
 *   POST /api/admin/users/{id}/deactivate {reason}
 *   POST /api/admin/users/{id}/verify     {is_verified}
 *   PUT  /api/admin/users/{id}/staff      {is_staff, is_superuser} (superusers)
 * Every action is one transaction with its audit row; the guard's caches
 * hear of it from the database's triggers (migrations 0021, 0024).
 */
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "app.h"
#include "audit/audit.h"
#include "auth/staff_session.h"
#include "auth/waitlist.h"
#include "core/text.h"
#include "db/db_notify.h"
#include "money/fee.h"
#include "module.h"

/* ---- the list --------------------------------------------------------------- */

#define USER_COLUMNS                                                                               \
    "u.id, u.uuid, u.phone, COALESCE(p.name, ''), u.is_active, u.is_staff, u.is_superuser, "       \
    "COALESCE(p.is_verified, FALSE), COALESCE(p.gender, ''), COALESCE(p.location, ''), "           \
    "p.waitlist_promote_at, u.date_joined, u.last_login, p.user_id IS NOT NULL"
#define USER_FROM "users u LEFT JOIN user_profiles p ON p.user_id = u.id"

static json_t *user_row(op_t *op, db_rows_t *r)
{
    (void)op;
    bool waitlisted = !db_col_bool(r, 4) && !db_col_isnull(r, 10);
    return json_pack("{s:I, s:s, s:s?, s:s, s:b, s:b, s:b, s:b, s:s, s:s, s:b, s:o, s:o, s:o, s:b}",
                     "id", (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "phone",
                     db_col_text(r, 2), "name", db_col_text(r, 3), "is_active", db_col_bool(r, 4),
                     "is_staff", db_col_bool(r, 5), "is_superuser", db_col_bool(r, 6),
                     "is_verified", db_col_bool(r, 7), "gender", db_col_text(r, 8), "location",
                     db_col_text(r, 9), "waitlisted", waitlisted, "waitlist_promote_at",
                     text_json_time_or_null(db_col_time(r, 10)), "date_joined",
                     text_json_time(db_col_time(r, 11)), "last_login",
                     text_json_time_or_null(db_col_time(r, 12)), "has_profile", db_col_bool(r, 13));
}

static const admin_filter_t user_filters[] = {
    {"is_active", AF_BOOL, "u.is_active = ?"},
    {"waitlisted", AF_BOOL, "(NOT u.is_active AND p.waitlist_promote_at IS NOT NULL) = ?"},
    {"is_verified", AF_BOOL, "COALESCE(p.is_verified, FALSE) = ?"},
    {"is_staff", AF_BOOL, "(u.is_staff OR u.is_superuser) = ?"},
    {"is_superuser", AF_BOOL, "u.is_superuser = ?"},
    {"gender", AF_TEXT, "p.gender = ?"},
    {"location", AF_TEXT, "lower(p.location) = lower(?)"},
    {"joined_from", AF_TIME, "u.date_joined >= ?"},
    {"joined_to", AF_TIME, "u.date_joined < ?"},
    {0},
};

static const admin_sort_t user_sorts[] = {
    {"date_joined", "u.date_joined"},
    {"name", "p.name"},
    {"phone", "u.phone"},
    {"last_login", "u.last_login"},
    {0},
};
static const char *const user_sort_names[] = {"date_joined", "name", "phone", "last_login", NULL};

static const char *const user_csv[] = {
    "id",           "uuid",        "phone",  "name",     "is_active",  "is_staff",
    "is_superuser", "is_verified", "gender", "location", "waitlisted", "waitlist_promote_at",
    "date_joined",  "last_login",  NULL};

static const admin_list_t users_list = {
    .name = "users",
    .columns = USER_COLUMNS,
    .from = USER_FROM,
    .filters = user_filters,
    .search = "u.phone LIKE ? ESCAPE '\\' OR p.name @ILIKE ? ESCAPE '\\'",
    .sorts = user_sorts,
    .tiebreak = "u.id",
    .row = user_row,
    .csv = user_csv,
};

static err_t *list_users(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &users_list);
}

/* ---- one user ---------------------------------------------------------------- */

static const char SQL_USER[] = "SELECT " USER_COLUMNS " FROM " USER_FROM " WHERE u.id = $1";

/* The user's list row, or a 404. */
static err_t *load_user(op_t *op, int64_t id, json_t **out)
{
    return op_one(op, SQL_USER, DB_ARGS(db_int(id)), user_row, "USER_NOT_FOUND", "User not found.",
                  out);
}

static json_t *profile_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "bio", db_col_text(r, 0), "phone_number",
                     db_col_text(r, 1), "birth_date",
                     db_col_isnull(r, 2) ? json_null() : json_string(db_col_text(r, 2)),
                     "profile_pictures", text_json_array(db_col_text(r, 3)), "created_at",
                     text_json_time(db_col_time(r, 4)), "updated_at",
                     text_json_time(db_col_time(r, 5)));
}

static json_t *event_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)db_col_int(r, 0), "title",
                     db_col_text(r, 1), "status", db_col_text(r, 2), "start_time",
                     text_json_time(db_col_time(r, 3)), "is_paid", db_col_bool(r, 4));
}

static json_t *request_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "event_id", (json_int_t)db_col_int(r, 1), "event_title", db_col_text(r, 2),
                     "status", db_col_text(r, 3), "seats_requested", (json_int_t)db_col_int(r, 4),
                     "created_at", text_json_time(db_col_time(r, 5)));
}

static json_t *ticket_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0), "event_id",
        (json_int_t)db_col_int(r, 1), "event_title", db_col_text(r, 2), "status", db_col_text(r, 3),
        "payment_status", db_col_text(r, 4), "seats", (json_int_t)db_col_int(r, 5), "checked_in_at",
        text_json_time_or_null(db_col_time(r, 6)), "created_at", text_json_time(db_col_time(r, 7)));
}

static json_t *order_row(op_t *op, db_rows_t *r)
{
    (void)op;
    char amount[32];
    money_format(db_col_int(r, 3), amount);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "order_id", db_col_text(r, 1), "event_id", (json_int_t)db_col_int(r, 2),
                     "amount", amount, "currency", db_col_text(r, 4), "status", db_col_text(r, 5),
                     "payment_provider", db_col_text(r, 6), "created_at",
                     text_json_time(db_col_time(r, 7)));
}

static json_t *device_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:b, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "player_id", db_col_text(r, 1), "platform", db_col_text(r, 2), "is_active",
                     db_col_bool(r, 3), "last_seen_at", text_json_time_or_null(db_col_time(r, 4)),
                     "created_at", text_json_time(db_col_time(r, 5)));
}

static json_t *audit_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:s, s:b, s:s, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "action", db_col_text(r, 1), "actor_id",
                     op_col_int_or_null(r, 2), "object_type", db_col_text(r, 3), "object_id",
                     op_col_int_or_null(r, 4), "payload", text_json_object(db_col_text(r, 5)),
                     "severity", db_col_text(r, 6), "is_successful", db_col_bool(r, 7),
                     "ip_address", db_col_text(r, 8), "created_at",
                     text_json_time(db_col_time(r, 9)));
}

/* What the detail page shows beside the user, newest first, 20 of each
 * (the lists of their own give the rest). */
static const admin_section_t sections[] = {
    {"profile",
     "SELECT bio, phone_number, birth_date, profile_pictures, created_at, updated_at FROM "
     "user_profiles WHERE user_id = $1",
     profile_row, true},
    {"hosted_events",
     "SELECT id, title, status, start_time, is_paid FROM events WHERE host_id = $1 ORDER BY "
     "start_time DESC, id DESC LIMIT 20",
     event_row, false},
    {"requests",
     "SELECT r.id, r.event_id, e.title, r.status, r.seats_requested, r.created_at FROM "
     "event_requests r JOIN events e ON e.id = r.event_id WHERE r.requester_id = $1 ORDER BY "
     "r.created_at DESC, r.id DESC LIMIT 20",
     request_row, false},
    {"tickets",
     "SELECT a.id, a.event_id, e.title, a.status, a.payment_status, a.seats, a.checked_in_at, "
     "a.created_at FROM attendance_records a JOIN events e ON e.id = a.event_id WHERE a.user_id "
     "= $1 ORDER BY a.created_at DESC, a.id DESC LIMIT 20",
     ticket_row, false},
    {"orders",
     "SELECT id, order_id, event_id, amount_minor, currency, status, payment_provider, "
     "created_at FROM payment_orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT "
     "20",
     order_row, false},
    {"devices",
     "SELECT id, onesignal_player_id, platform, is_active, last_seen_at, created_at FROM "
     "user_devices WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20",
     device_row, false},
    {"audit",
     "SELECT id, action, actor_user_id, object_type, object_id, payload, severity, "
     "is_successful, ip_address, created_at FROM audit_log WHERE (object_type = 'user' AND "
     "object_id = $1) OR actor_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50",
     audit_row, false},
    {0},
};

static err_t *get_user(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "user_id");
    json_t *out = NULL;
    err_t *e = load_user(op, id, &out);
    return e ? e : admin_detail_reply(req, op, out, id, sections);
}

/* ---- actions ------------------------------------------------------------------ */

typedef struct {
    int64_t id;
    bool is_active, is_staff, is_superuser, has_profile, is_verified;
} target_t;

/* The users row is locked (PostgreSQL cannot lock the nullable side of an
 * outer join, so the profile is read by subqueries). */
static const char SQL_TARGET[] =
    "SELECT u.is_active, u.is_staff, u.is_superuser, EXISTS (SELECT 1 FROM user_profiles p "
    "WHERE p.user_id = u.id), COALESCE((SELECT p.is_verified FROM user_profiles p WHERE "
    "p.user_id = u.id), FALSE) FROM users u WHERE u.id = $1 @FOR_UPDATE";

/* The account acted on, locked for the transaction; 404 when there is none.
 * Staff and superuser accounts are a superuser's to change; with not_self,
 * the caller's own account is refused. */
static err_t *lock_target(op_t *op, int64_t id, bool not_self, target_t *t)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_TARGET, DB_ARGS(db_int(id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    bool found = db_next(rows);
    if (found)
        *t = (target_t){.id = id,
                        .is_active = db_col_bool(rows, 0),
                        .is_staff = db_col_bool(rows, 1),
                        .is_superuser = db_col_bool(rows, 2),
                        .has_profile = db_col_bool(rows, 3),
                        .is_verified = db_col_bool(rows, 4)};
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "USER_NOT_FOUND", "User not found.");
    if ((t->is_staff || t->is_superuser) && !op->actor.is_superuser)
        return op_fail(op, 403, "SUPERUSER_REQUIRED",
                       "Only a superuser can change a staff account.");
    if (not_self && id == op->actor.id)
        return op_fail(op, 409, "CANNOT_CHANGE_SELF",
                       "You cannot change your own account here; ask another superuser.");
    return NULL;
}

static err_t *audited(op_t *op, const char *action, int64_t id, json_t *payload,
                      audit_severity_t sev)
{
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = action,
                       .object_type = "user",
                       .object_id = id,
                       .payload = payload,
                       .severity = sev,
                       .success = true};
    int rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* After the commit: this process forgets the account at once (the others
 * hear the database's triggers), then the account as the list shows it. */
static err_t *reply_user(http_req_t *req, op_t *op, int64_t id)
{
    db_notify_local(op->app->notify, "user:%lld", (long long)id);
    json_t *out = NULL;
    err_t *e = load_user(op, id, &out);
    if (!e)
        http_reply_json(req, 200, out);
    return e;
}

typedef struct {
    int64_t id;
    bool active;
    const char *reason;
} active_ctx_t;

static err_t *set_active_tx(op_t *op, void *arg)
{
    active_ctx_t *x = arg;
    target_t t;
    err_t *e = lock_target(op, x->id, true, &t);
    if (e)
        return e;
    if (t.is_active == x->active)
        return op_fail(op, 409, x->active ? "ALREADY_ACTIVE" : "ALREADY_INACTIVE",
                       x->active ? "This account is already active."
                                 : "This account is already inactive.");
    /* the waitlist goes too: a deactivated account must not promote itself */
    int rc = db_exec(op->db, "UPDATE users SET is_active = $2, updated_at = $3 WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_bool(x->active), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE user_profiles SET is_active = $2, waitlist_started_at = NULL, "
                     "waitlist_promote_at = NULL, updated_at = $3 WHERE user_id = $1",
                     DB_ARGS(db_int(x->id), db_bool(x->active), db_time(op->now_us)), NULL);
    if (rc == DB_OK && !x->active)
        rc = staff_session_revoke_user(op, x->id, NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, x->active ? "user.activated" : "user.deactivated", x->id,
                   json_pack("{s:s, s:{s:b}, s:{s:b}}", "reason", x->reason, "before", "is_active",
                             t.is_active, "after", "is_active", x->active),
                   x->active ? AUDIT_MEDIUM : AUDIT_HIGH);
}

static err_t *set_active(http_req_t *req, op_t *op, const input_t *in, bool active)
{
    active_ctx_t x = {http_param_int(req, "user_id"), active, in_str(in, "reason")};
    err_t *e = op_tx(op, DB_TX_WRITE, set_active_tx, &x);
    return e ? e : reply_user(req, op, x.id);
}

static err_t *activate(http_req_t *req, op_t *op, const input_t *in)
{
    return set_active(req, op, in, true);
}

static err_t *deactivate(http_req_t *req, op_t *op, const input_t *in)
{
    return set_active(req, op, in, false);
}

static err_t *promote(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "user_id");
    bool promoted = false;
    int rc = waitlist_promote(op, id, op->actor.id, &promoted);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *user = NULL;
    err_t *e = load_user(op, id, &user);
    if (e)
        return e;
    json_decref(user);
    if (!promoted)
        return op_fail(op, 409, "NOT_WAITLISTED", "This account is not on the waitlist.");
    return reply_user(req, op, id);
}

typedef struct {
    int64_t id;
    bool verified;
} verify_ctx_t;

static err_t *verify_tx(op_t *op, void *arg)
{
    verify_ctx_t *x = arg;
    target_t t;
    err_t *e = lock_target(op, x->id, false, &t);
    if (e)
        return e;
    if (!t.has_profile)
        return op_fail(op, 409, "PROFILE_NOT_FOUND", "This account has no profile to verify.");
    int rc = db_exec(
        op->db, "UPDATE user_profiles SET is_verified = $2, updated_at = $3 WHERE user_id = $1",
        DB_ARGS(db_int(x->id), db_bool(x->verified), db_time(op->now_us)), NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, x->verified ? "user.profile.verified" : "user.profile.unverified", x->id,
                   json_pack("{s:{s:b}, s:{s:b}}", "before", "is_verified", t.is_verified, "after",
                             "is_verified", x->verified),
                   AUDIT_MEDIUM);
}

static err_t *verify(http_req_t *req, op_t *op, const input_t *in)
{
    verify_ctx_t x = {http_param_int(req, "user_id"), in_bool(in, "is_verified", true)};
    err_t *e = op_tx(op, DB_TX_WRITE, verify_tx, &x);
    return e ? e : reply_user(req, op, x.id);
}

typedef struct {
    int64_t id;
    bool staff, super;
} staff_ctx_t;

static err_t *staff_tx(op_t *op, void *arg)
{
    staff_ctx_t *x = arg;
    target_t t;
    err_t *e = lock_target(op, x->id, true, &t);
    if (e)
        return e;
    int rc = db_exec(
        op->db, "UPDATE users SET is_staff = $2, is_superuser = $3, updated_at = $4 WHERE id = $1",
        DB_ARGS(db_int(x->id), db_bool(x->staff), db_bool(x->super), db_time(op->now_us)), NULL);
    if (rc == DB_OK && !x->staff)
        rc = staff_session_revoke_user(op, x->id, NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audited(op, "user.staff.changed", x->id,
                   json_pack("{s:{s:b, s:b}, s:{s:b, s:b}}", "before", "is_staff", t.is_staff,
                             "is_superuser", t.is_superuser, "after", "is_staff", x->staff,
                             "is_superuser", x->super),
                   AUDIT_HIGH);
}

static err_t *set_staff(http_req_t *req, op_t *op, const input_t *in)
{
    bool super = in_bool(in, "is_superuser", false);
    staff_ctx_t x = {http_param_int(req, "user_id"), in_bool(in, "is_staff", false) || super,
                     super};
    err_t *e = op_tx(op, DB_TX_WRITE, staff_tx, &x);
    return e ? e : reply_user(req, op, x.id);
}

/* ---- routes -------------------------------------------------------------------- */

static const char *const GENDERS[] = {"male", "female", "other", "prefer_not_to_say", NULL};

static const field_t list_fields[] = {
    ADMIN_LIST_FIELDS(user_sort_names),
    ADMIN_SEARCH_FIELD,
    {"is_active", FT_BOOL, 0, .in = FIELD_QUERY},
    {"waitlisted", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_verified", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_staff", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_superuser", FT_BOOL, 0, .in = FIELD_QUERY},
    {"gender", FT_STRING, 0, .in = FIELD_QUERY, .choices = GENDERS},
    {"location", FT_STRING, F_TRIM, .in = FIELD_QUERY, .min_len = 1, .max_len = 100},
    {"joined_from", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"joined_to", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    FIELDS_END,
};

static const field_t reason_fields[] = {
    {"reason", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 3, .max_len = 500},
    FIELDS_END,
};

static const field_t verify_fields[] = {
    {"is_verified", FT_BOOL, 0, .def = "true"},
    FIELDS_END,
};

static const field_t staff_fields[] = {
    {"is_staff", FT_BOOL, F_REQUIRED, .in = FIELD_BODY},
    {"is_superuser", FT_BOOL, 0, .def = "false"},
    FIELDS_END,
};

#define USER_ACTION(m, verb, fn, level, bodies, fs)                                                \
    {                                                                                              \
        .method = (m), .pattern = "/api/admin/users/{user_id:int}/" verb, .handler = (fn),         \
        .auth = (level), .body = (bodies), .fields = (fs), .tag = "admin"                          \
    }

static const route_def_t user_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/users",
     .handler = list_users,
     .auth = AUTH_STAFF,
     .fields = list_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/users/{user_id:int}",
     .handler = get_user,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    USER_ACTION(HTTP_POST, "promote", promote, AUTH_STAFF, 0, NULL),
    USER_ACTION(HTTP_POST, "activate", activate, AUTH_STAFF, BODY_JSON, reason_fields),
    USER_ACTION(HTTP_POST, "deactivate", deactivate, AUTH_STAFF, BODY_JSON, reason_fields),
    USER_ACTION(HTTP_POST, "verify", verify, AUTH_STAFF, BODY_JSON, verify_fields),
    USER_ACTION(HTTP_PUT, "staff", set_staff, AUTH_SUPERUSER, BODY_JSON, staff_fields),
    ROUTES_END,
};

const module_t admin_users_module = {.name = "admin_users", .routes = user_routes};
