/*
 * interests_api.c: the interest categories in the admin API (issue 12 point
 * 2, docs/admin.md). Profiles and events pick from them; the app lists the
 * active ones (GET /api/auth/event-interests).
 *   GET   /api/admin/interests         every category with how many profiles
 *                                      and events use it
 *   POST  /api/admin/interests         {name, description?}: a new one (its
 *                                      slug made from the name)
 *   PATCH /api/admin/interests/{id}    {name?, description?, is_active?}:
 *                                      rename (the slug stays, so links keep
 *                                      working), describe, deactivate
 * A deactivated category stays on what already uses it and is no longer
 * offered. Names and slugs are unique (409 INTEREST_EXISTS).
 */
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "events/events.h"
#include "events/slug.h"
#include "module.h"

#define INTEREST_COLUMNS                                                                           \
    "i.id, i.uuid, i.name, i.slug, i.description, i.is_active, (SELECT count(*) FROM "             \
    "user_event_interests x WHERE x.interest_id = i.id), (SELECT count(*) FROM "                   \
    "event_interest_map m WHERE m.interest_id = i.id), i.created_at, i.updated_at"

static json_t *interest_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0),
        "uuid", db_col_text(r, 1), "name", db_col_text(r, 2), "slug", db_col_text(r, 3),
        "description", db_col_text(r, 4), "is_active", db_col_bool(r, 5), "profiles",
        (json_int_t)db_col_int(r, 6), "events", (json_int_t)db_col_int(r, 7), "created_at",
        text_json_time(db_col_time(r, 8)), "updated_at", text_json_time(db_col_time(r, 9)));
}

static const admin_filter_t interest_filters[] = {{"is_active", AF_BOOL, "i.is_active = ?"}, {0}};
static const admin_sort_t interest_sorts[] = {
    {"name", "i.name"}, {"created_at", "i.created_at"}, {0}};
static const char *const interest_sort_names[] = {"name", "created_at", NULL};
static const char *const interest_csv[] = {
    "id", "name", "slug", "description", "is_active", "profiles", "events", "created_at", NULL};

static const admin_list_t admin_interests = {
    .name = "interests",
    .columns = INTEREST_COLUMNS,
    .from = "event_interests i",
    .filters = interest_filters,
    .search = "i.name @ILIKE ? ESCAPE '\\'",
    .sorts = interest_sorts,
    .tiebreak = "i.id",
    .row = interest_row,
    .csv = interest_csv,
};

static err_t *list_interests(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_interests);
}

static err_t *reply_interest(http_req_t *req, op_t *op, int64_t id, int status)
{
    json_t *out = NULL;
    err_t *e = op_one(op, "SELECT " INTEREST_COLUMNS " FROM event_interests i WHERE i.id = $1",
                      DB_ARGS(db_int(id)), interest_row, "INTEREST_NOT_FOUND",
                      "Interest not found.", &out);
    if (!e)
        http_reply_json(req, status, out);
    return e;
}

static err_t *taken(op_t *op, int rc)
{
    return rc == DB_UNIQUE
               ? op_fail(op, 409, "INTEREST_EXISTS", "Another interest has this name or slug.")
               : op_db_fail(op, rc);
}

typedef struct {
    int64_t id;
    const char *name, *description;
    bool has_active, active;
    json_t *before;
} interest_ctx_t;

static err_t *audited(op_t *op, const char *action, int64_t id, json_t *payload)
{
    return audit_done(op, action, "event_interest", id, payload, AUDIT_MEDIUM);
}

static err_t *create_tx(op_t *op, void *arg)
{
    interest_ctx_t *x = arg;
    char slug[SLUG_MAX + 1], uuid[37];
    slug_generate(x->name, SLUG_MAX, "interest", slug);
    rand_uuid(uuid);
    bool found = false;
    int rc = db_query_int(
        op->db,
        "INSERT INTO event_interests (uuid, name, slug, description, is_active, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        DB_ARGS(db_text(uuid), db_text(x->name), db_text(slug),
                db_text(x->description ? x->description : ""), db_bool(true), db_time(op->now_us)),
        &x->id, &found);
    if (rc != DB_OK)
        return taken(op, rc);
    return audited(op, "interest.created", x->id,
                   json_pack("{s:s, s:s}", "name", x->name, "slug", slug));
}

static err_t *create_interest(http_req_t *req, op_t *op, const input_t *in)
{
    interest_ctx_t x = {.name = in_str(in, "name"), .description = in_str(in, "description")};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    return e ? e : reply_interest(req, op, x.id, 201);
}

static err_t *update_tx(op_t *op, void *arg)
{
    interest_ctx_t *x = arg;
    db_rows_t *rows;
    int rc = db_query(op->db,
                      "SELECT name, description, is_active FROM event_interests WHERE id = $1 "
                      "@FOR_UPDATE",
                      DB_ARGS(db_int(x->id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    bool found = db_next(rows);
    json_t *before = found
                         ? json_pack("{s:s, s:s, s:b}", "name", db_col_text(rows, 0), "description",
                                     db_col_text(rows, 1), "is_active", db_col_bool(rows, 2))
                         : NULL;
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK || !found) {
        json_decref(before);
        return rc != DB_OK ? op_db_fail(op, rc)
                           : op_fail(op, 404, "INTEREST_NOT_FOUND", "Interest not found.");
    }
    rc = db_exec(op->db,
                 "UPDATE event_interests SET name = COALESCE($2, name), description = "
                 "COALESCE($3, description), is_active = CASE WHEN $4 THEN $5 ELSE is_active END, "
                 "updated_at = $6 WHERE id = $1",
                 DB_ARGS(db_int(x->id), db_text(x->name), db_text(x->description),
                         db_bool(x->has_active), db_bool(x->active), db_time(op->now_us)),
                 NULL);
    if (rc != DB_OK) {
        json_decref(before);
        return taken(op, rc);
    }
    json_t *after = json_object();
    if (x->name)
        json_object_set_new(after, "name", json_string(x->name));
    if (x->description)
        json_object_set_new(after, "description", json_string(x->description));
    if (x->has_active)
        json_object_set_new(after, "is_active", json_boolean(x->active));
    return audited(op, "interest.updated", x->id,
                   json_pack("{s:o, s:o}", "before", before, "after", after));
}

static err_t *update_interest(http_req_t *req, op_t *op, const input_t *in)
{
    interest_ctx_t x = {.id = http_param_int(req, "interest_id"),
                        .name = in_str(in, "name"),
                        .description = in_str(in, "description"),
                        .has_active = in_has(in, "is_active"),
                        .active = in_bool(in, "is_active", true)};
    if (!x.name && !x.description && !x.has_active)
        return op_fail(op, 400, "NOTHING_TO_CHANGE", "Send name, description or is_active.");
    err_t *e = op_tx(op, DB_TX_WRITE, update_tx, &x);
    if (e)
        return e;
    listing_changed(op->app); /* events show their interests' names */
    return reply_interest(req, op, x.id, 200);
}

static const field_t list_fields[] = {
    ADMIN_LIST_FIELDS(interest_sort_names),
    ADMIN_SEARCH_FIELD,
    {"is_active", FT_BOOL, 0, .in = FIELD_QUERY},
    FIELDS_END,
};

static const field_t create_fields[] = {
    {"name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 2, .max_len = 100},
    {"description", FT_STRING, F_TRIM, .max_len = 500},
    FIELDS_END,
};

static const field_t update_fields[] = {
    {"name", FT_STRING, F_TRIM, .min_len = 2, .max_len = 100},
    {"description", FT_STRING, F_TRIM, .max_len = 500},
    {"is_active", FT_BOOL, 0, .in = FIELD_BODY},
    FIELDS_END,
};

static const route_def_t interest_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/interests",
     .handler = list_interests,
     .auth = AUTH_STAFF,
     .fields = list_fields,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/interests",
     .handler = create_interest,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = create_fields,
     .tag = "admin"},
    {.method = HTTP_PATCH,
     .pattern = "/api/admin/interests/{interest_id:int}",
     .handler = update_interest,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = update_fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_interests_module = {.name = "admin_interests", .routes = interest_routes};
