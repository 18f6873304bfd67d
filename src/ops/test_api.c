/*
 * test_api.c: endpoints that exist only with LOOPIN_TEST_MODE=1 (declared
 * test_only; test mode is refused in production by config): moving the
 * server clock, echoing parsed bodies, a typed path parameter and a slow
 * request for the shutdown test.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "http/router.h"
#include "ops/ops.h"

#define MAX_ADVANCE_S (100LL * 366 * 86400)

static const char *iso_time_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    int64_t when;
    if (!clock_parse_iso(json_string_value(v), &when))
        return "Input should be a valid ISO 8601 datetime";
    *out = json_integer(when);
    return NULL;
}

/* POST /_test/clock {"advance_seconds": N} | {"set": "<ISO 8601>"} */
static err_t *test_clock(http_req_t *req, op_t *op, const input_t *in)
{
    (void)req;
    bool adv = in_has(in, "advance_seconds"), set = in_has(in, "set");
    if (adv == set)
        return err_field(op->arena, "missing", "body", NULL,
                         "Give exactly one of advance_seconds or set", NULL);
    if (adv)
        clock_advance_us(in_int(in, "advance_seconds", 0) * USEC_PER_SEC);
    else
        clock_set_us(in_int(in, "set", 0));
    char now[32];
    clock_format_iso(clock_now_us(), now);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:I}", "now", now, "offset_seconds",
                              (json_int_t)(clock_offset_us() / USEC_PER_SEC)));
    return NULL;
}

static json_t *kvs_json(const http_kvs_t *kvs)
{
    json_t *o = json_object();
    for (int i = 0; i < kvs->n; i++)
        if (!json_object_get(o, kvs->items[i].name))
            json_object_set_new(o, kvs->items[i].name, json_string(kvs->items[i].value));
    return o;
}

/* POST /_test/echo: what the body and query parsers made of the request.
 * The one handler that reads the raw parse results: they are its output. */
static err_t *test_echo(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    json_t *files = json_array();
    for (int i = 0; i < req->nfiles; i++)
        json_array_append_new(
            files, json_pack("{s:s, s:s?, s:s, s:I}", "field", req->files[i].field, "filename",
                             req->files[i].filename, "content_type", req->files[i].content_type,
                             "size", (json_int_t)req->files[i].size));
    http_reply_json(req, 200,
                    json_pack("{s:s, s:O?, s:o, s:o, s:o}", "method", req->method_name, "json",
                              req->json, "query", kvs_json(&req->query), "form",
                              kvs_json(&req->form), "files", files));
    return NULL;
}

static err_t *test_item(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    http_reply_json(req, 200,
                    json_pack("{s:I}", "item_id", (json_int_t)http_param_int(req, "item_id")));
    return NULL;
}

/* GET /_test/sleep?ms=N: a deliberately slow request (at most 30 s). */
static err_t *test_sleep(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    int64_t ms = in_int(in, "ms", 0);
    usleep((useconds_t)(ms * 1000));
    http_reply_json(req, 200, json_pack("{s:I}", "slept_ms", (json_int_t)ms));
    return NULL;
}

/* POST /_test/db-fault {"table", "action", "enabled"}: makes every insert,
 * update or delete on one of a few tables fail in the database (a trigger
 * that raises), so tests can see how a real database failure is answered.
 * Table and action come from fixed lists, never from client text. */
static const char *const fault_tables[] = {
    "user_phone_otps", "user_profiles",       "host_leads", "events",
    "venues",          "campaign_executions", NULL};
static const char *const fault_actions[] = {"insert", "update", "delete", NULL};

static err_t *test_db_fault(http_req_t *req, op_t *op, const input_t *in)
{
    const char *table = in_str(in, "table"), *action = in_str(in, "action");
    bool pg = db_dialect(op->db) == DB_DIALECT_PG, on = in_bool(in, "enabled", true);
    char sql[1024];
    if (pg && on)
        snprintf(sql, sizeof sql,
                 "CREATE OR REPLACE FUNCTION loopin_test_fault() RETURNS trigger LANGUAGE plpgsql "
                 "AS $f$ BEGIN RAISE EXCEPTION 'injected fault'; END $f$; "
                 "DROP TRIGGER IF EXISTS loopin_test_fault ON %s; CREATE TRIGGER "
                 "loopin_test_fault BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION "
                 "loopin_test_fault()",
                 table, action, table);
    else if (pg)
        snprintf(sql, sizeof sql, "DROP TRIGGER IF EXISTS loopin_test_fault ON %s", table);
    else if (on)
        snprintf(sql, sizeof sql,
                 "DROP TRIGGER IF EXISTS loopin_test_fault; CREATE TRIGGER loopin_test_fault "
                 "BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
                 action, table);
    else
        snprintf(sql, sizeof sql, "DROP TRIGGER IF EXISTS loopin_test_fault");
    int rc = db_exec_script(op->db, sql);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:b}", "table", table, "action", action, "enabled", on));
    return NULL;
}

static const field_t fault_fields[] = {
    {"table", FT_STRING, F_REQUIRED, .choices = fault_tables},
    {"action", FT_STRING, F_REQUIRED, .choices = fault_actions},
    {"enabled", FT_BOOL, 0, .in = FIELD_BODY},
    FIELDS_END,
};

static const field_t clock_fields[] = {
    {"advance_seconds", FT_INT, F_STRICT, .min = -MAX_ADVANCE_S, .max = MAX_ADVANCE_S},
    {"set", FT_STRING, 0, .check = iso_time_check},
    FIELDS_END,
};

static const field_t sleep_fields[] = {
    {"ms", FT_INT, F_REQUIRED, FIELD_QUERY, .min = 0, .max = 30000},
    FIELDS_END,
};

static const route_def_t test_routes[] = {
    {.method = HTTP_POST,
     .pattern = "/_test/clock",
     .handler = test_clock,
     .auth = AUTH_ANONYMOUS,
     .body = BODY_JSON,
     .fields = clock_fields,
     .no_db = true,
     .test_only = true},
    {.method = HTTP_POST,
     .pattern = "/_test/echo",
     .handler = test_echo,
     .auth = AUTH_ANONYMOUS,
     .body = BODY_ANY,
     .no_db = true,
     .test_only = true},
    {.method = HTTP_GET,
     .pattern = "/_test/items/{item_id:int}",
     .handler = test_item,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .test_only = true},
    {.method = HTTP_POST,
     .pattern = "/_test/db-fault",
     .handler = test_db_fault,
     .auth = AUTH_ANONYMOUS,
     .body = BODY_JSON,
     .fields = fault_fields,
     .test_only = true},
    {.method = HTTP_GET,
     .pattern = "/_test/sleep",
     .handler = test_sleep,
     .auth = AUTH_ANONYMOUS,
     .fields = sleep_fields,
     .no_db = true,
     .test_only = true},
    ROUTES_END,
};

const module_t test_module = {.name = "test", .routes = test_routes};
