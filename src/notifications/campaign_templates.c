/*
 * campaign_templates.c: the templates staff write for campaigns. A version
 * is locked (locked_at) when a campaign is created on it; changing the text
 * of a locked version adds the next version instead, so what a campaign
 * sent can always be read back exactly.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "notifications/campaigns.h"
#include "notifications/templates.h"

#define MAX_VARS 16

static json_t *version_row(op_t *op, db_rows_t *r)
{
    (void)op;
    json_t *vars = json_loads(db_col_text(r, 4) ? db_col_text(r, 4) : "[]", 0, NULL);
    return json_pack("{s:I, s:i, s:s, s:s, s:o, s:b, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "version", (int)db_col_int(r, 1), "title", db_col_text(r, 2), "body",
                     db_col_text(r, 3), "variables",
                     json_is_array(vars) ? vars : (json_decref(vars), json_array()), "locked",
                     !db_col_isnull(r, 5), "locked_at", text_json_time_or_null(db_col_time(r, 5)),
                     "created_at", text_json_time(db_col_time(r, 6)));
}

static json_t *template_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:b, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0), "uuid",
                     db_col_text(r, 1), "name", db_col_text(r, 2), "is_active", db_col_bool(r, 3),
                     "created_at", text_json_time(db_col_time(r, 4)), "updated_at",
                     text_json_time(db_col_time(r, 5)));
}

err_t *campaign_template_get(op_t *op, int64_t id, json_t **out)
{
    err_t *e = op_one(op,
                      "SELECT id, uuid, name, is_active, created_at, updated_at FROM "
                      "campaign_templates WHERE id = $1",
                      DB_ARGS(db_int(id)), template_row, "TEMPLATE_NOT_FOUND",
                      "Campaign template not found.", out);
    json_t *versions = NULL;
    if (!e)
        e = op_list(op,
                    "SELECT id, version, title, body, variables, locked_at, created_at FROM "
                    "campaign_template_versions WHERE template_id = $1 ORDER BY version DESC",
                    DB_ARGS(db_int(id)), version_row, &versions);
    if (e) {
        json_decref(*out);
        *out = NULL;
        return e;
    }
    json_object_set(*out, "latest", json_array_get(versions, 0));
    json_object_set_new(*out, "versions", versions);
    return NULL;
}

/* The placeholders of title and body as a JSON array text, or a 422. */
static err_t *variables_of(op_t *op, const char *title, const char *body, const char **out)
{
    char names[MAX_VARS][TPL_NAME_MAX + 1], err[128];
    int n = tpl_placeholders(title, names, MAX_VARS, err, sizeof err);
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_string(names[i]));
    const char *where = "title";
    if (n >= 0) {
        where = "body";
        n = tpl_placeholders(body, names, MAX_VARS, err, sizeof err);
        for (int i = 0; i < n; i++) {
            size_t k;
            json_t *v;
            bool seen = false;
            json_array_foreach(list, k, v)
            {
                seen = seen || !strcmp(json_string_value(v), names[i]);
            }
            if (!seen)
                json_array_append_new(list, json_string(names[i]));
        }
    }
    if (n < 0 || json_array_size(list) > MAX_VARS) {
        json_decref(list);
        return err_field(op->arena, "value_error", "body", where,
                         n < 0 ? err : "at most 16 different placeholders", NULL);
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    *out = arena_strdup(op->arena, text ? text : "[]");
    free(text);
    return NULL;
}

typedef struct {
    const campaign_template_input_t *in;
    int64_t id;
    const char *variables;
} tpl_ctx_t;

static err_t *audited(op_t *op, const char *action, int64_t id, json_t *payload)
{
    return audit_done(op, action, "campaign_template", id, payload, AUDIT_MEDIUM);
}

static int add_version(op_t *op, int64_t id, int version, const tpl_ctx_t *x)
{
    return db_exec(op->db,
                   "INSERT INTO campaign_template_versions (template_id, version, title, body, "
                   "variables, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   DB_ARGS(db_int(id), db_int(version), db_text(x->in->title), db_text(x->in->body),
                           db_text(x->variables), db_int(op->actor.id), db_time(op->now_us)),
                   NULL);
}

static err_t *taken(op_t *op, int rc)
{
    return rc == DB_UNIQUE
               ? op_fail(op, 409, "TEMPLATE_EXISTS", "Another campaign template has this name.")
               : op_db_fail(op, rc);
}

static err_t *create_tx(op_t *op, void *arg)
{
    tpl_ctx_t *x = arg;
    char uuid[37];
    rand_uuid(uuid);
    bool found = false;
    int rc = db_query_int(op->db,
                          "INSERT INTO campaign_templates (uuid, name, is_active, created_by, "
                          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                          DB_ARGS(db_text(uuid), db_text(x->in->name), db_bool(true),
                                  db_int(op->actor.id), db_time(op->now_us)),
                          &x->id, &found);
    if (rc == DB_OK)
        rc = add_version(op, x->id, 1, x);
    if (rc != DB_OK)
        return taken(op, rc);
    return audited(op, "campaign_template.created", x->id,
                   json_pack("{s:s, s:i}", "name", x->in->name, "version", 1));
}

err_t *campaign_template_create(op_t *op, const campaign_template_input_t *in, json_t **out)
{
    tpl_ctx_t x = {.in = in};
    err_t *e = variables_of(op, in->title, in->body, &x.variables);
    if (!e)
        e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    return e ? e : campaign_template_get(op, x.id, out);
}

/* The latest version's number, text and lock, read under the row lock. */
typedef struct {
    int version;
    bool locked;
    char *title, *body;
} latest_t;

static int read_latest(op_t *op, int64_t id, latest_t *l, bool *found)
{
    db_rows_t *r;
    int rc = db_query(op->db,
                      "SELECT v.version, v.locked_at, v.title, v.body FROM campaign_templates t "
                      "JOIN campaign_template_versions v ON v.template_id = t.id WHERE t.id = $1 "
                      "ORDER BY v.version DESC LIMIT 1 @FOR_UPDATE",
                      DB_ARGS(db_int(id)), &r);
    if (rc != DB_OK)
        return rc;
    if ((*found = db_next(r))) {
        l->version = (int)db_col_int(r, 0);
        l->locked = !db_col_isnull(r, 1);
        l->title = arena_strdup(op->arena, db_col_text(r, 2));
        l->body = arena_strdup(op->arena, db_col_text(r, 3));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc;
}

static err_t *update_tx(op_t *op, void *arg)
{
    tpl_ctx_t *x = arg;
    latest_t l = {0};
    bool found = false;
    int rc = read_latest(op, x->id, &l, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "TEMPLATE_NOT_FOUND", "Campaign template not found.");
    campaign_template_input_t text = {.title = x->in->title ? x->in->title : l.title,
                                      .body = x->in->body ? x->in->body : l.body};
    tpl_ctx_t v = {.in = &text};
    err_t *e = variables_of(op, text.title, text.body, &v.variables);
    if (e)
        return e;
    bool changed = strcmp(text.title, l.title) || strcmp(text.body, l.body);
    if (changed && l.locked)
        rc = add_version(op, x->id, l.version + 1, &v);
    else if (changed)
        rc = db_exec(op->db,
                     "UPDATE campaign_template_versions SET title = $3, body = $4, variables = $5 "
                     "WHERE template_id = $1 AND version = $2 AND locked_at IS NULL",
                     DB_ARGS(db_int(x->id), db_int(l.version), db_text(text.title),
                             db_text(text.body), db_text(v.variables)),
                     NULL);
    if (rc == DB_OK)
        rc = db_exec(op->db,
                     "UPDATE campaign_templates SET name = COALESCE($2, name), updated_at = $3 "
                     "WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_text(x->in->name), db_time(op->now_us)), NULL);
    if (rc != DB_OK)
        return taken(op, rc);
    return audited(op, "campaign_template.updated", x->id,
                   json_pack("{s:b, s:i}", "text_changed", changed, "version",
                             changed && l.locked ? l.version + 1 : l.version));
}

err_t *campaign_template_update(op_t *op, int64_t id, const campaign_template_input_t *in,
                                json_t **out)
{
    tpl_ctx_t x = {.in = in, .id = id};
    err_t *e = op_tx(op, DB_TX_WRITE, update_tx, &x);
    return e ? e : campaign_template_get(op, id, out);
}
