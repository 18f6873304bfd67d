/*
 * venue_api.c: HTTP <-> venues: GET /api/events/venues (filtered, paged),
 * POST /api/events/venues (JSON, every bad field one 422 detail) and
 * GET /api/events/venues/{venue_id}. Active accounts only. Rules and SQL
 * are in venue.c; the contract is docs/events.md, "Venues".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/guard_legacy.h"
#include "core/clock.h"
#include "core/log.h"
#include "events/event.h"
#include "events/venue.h"
#include "http/input.h"
#include "profile/profile.h"
#include "module.h"

/* The enum detail of FastAPI, with its ctx. */
static void enum_detail(json_t *details, const char *where, const char *field, json_t *input)
{
    err_detail_add(details, "enum", where, field, "Input should be " VENUE_TYPES_TEXT, input);
    json_object_set_new(json_array_get(details, json_array_size(details) - 1), "ctx",
                        json_pack("{s:s}", "expected", VENUE_TYPES_TEXT));
}

/* ---- GET /api/events/venues --------------------------------------------------- */

/* 0, or -1 with the 422 written. Query strings are not checked for UTF-8
 * upstream, and PostgreSQL refuses invalid text, so the city is checked here. */
static int read_list_query(http_req_t *req, venue_query_t *q)
{
    json_t *details = json_array();
    *q = (venue_query_t){.offset = 0, .limit = VENUE_LIST_LIMIT};
    q->city = http_query(req, "city");
    if (q->city && text_utf8_length(q->city) < 0) {
        err_detail_add(details, "string_unicode", "query", "city",
                       "Input should be a valid string, unable to parse raw data as a unicode "
                       "string",
                       NULL);
        q->city = NULL;
    }
    const char *type = http_query(req, "venue_type");
    if (type) {
        q->venue_type = venue_type_canonical(type);
        if (!q->venue_type)
            enum_detail(details, "query", "venue_type",
                        text_utf8_length(type) < 0 ? json_null() : json_string(type));
    }
    input_query_int(req, details, "offset", 0, INT32_MAX, &q->offset);
    input_query_int(req, details, "limit", 1, VENUE_LIST_MAX, &q->limit);
    return input_finish(req, details);
}

static void list_venues(http_req_t *req)
{
    actor_t user;
    venue_query_t q;
    if (guard_require(req, GUARD_ACTIVE, &user) != 0 || read_list_query(req, &q) != 0)
        return;
    json_t *data = NULL;
    int64_t total = 0;
    int rc = venue_list(req->db, &req->arena, &q, &data, &total);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return;
    }
    http_reply_json(req, 200,
                    json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
                              (json_int_t)q.offset, "limit", (json_int_t)q.limit, "data", data));
}

/* ---- POST /api/events/venues: one reader per field ---------------------------------
 * Each reader looks at one key and adds at most one 422 detail for it. For
 * the optional fields, absent and null both mean the default. */

/* A string field, trimmed, of min..max characters; NULL with a detail. */
static const char *read_text(http_req_t *req, json_t *body, json_t *details, const char *field,
                             long min, long max)
{
    const char *s = input_string(details, body, field, true);
    if (!s)
        return NULL;
    char *t = text_trim(&req->arena, s);
    long len = text_utf8_length(t);
    if (len >= min && len <= max)
        return t;
    long bound = len < min ? min : max;
    char msg[64];
    snprintf(msg, sizeof msg, "String should have at %s %ld character%s",
             len < min ? "least" : "most", bound, bound == 1 ? "" : "s");
    err_detail_add(details, len < min ? "string_too_short" : "string_too_long", "body", field, msg,
                   json_incref(json_object_get(body, field)));
    return NULL;
}

static void read_type(json_t *body, json_t *details, venue_input_t *in)
{
    json_t *v = json_object_get(body, "venue_type");
    in->venue_type = "indoor";
    if (!v || json_is_null(v))
        return;
    const char *t = json_is_string(v) ? venue_type_canonical(json_string_value(v)) : NULL;
    if (t)
        in->venue_type = t;
    else
        enum_detail(details, "body", "venue_type", json_incref(v));
}

typedef struct {
    const char *type, *msg;
} capacity_error_t;

static const capacity_error_t CAPACITY_FRACTION = {
    "int_from_float", "Input should be a valid integer, got a number with a fractional part"};
static const capacity_error_t CAPACITY_TYPE = {"int_type", "Input should be a valid integer"};
static const capacity_error_t CAPACITY_PARSING = {
    "int_parsing", "Input should be a valid integer, unable to parse string as an integer"};
static const capacity_error_t CAPACITY_LOW = {"greater_than_equal",
                                              "Input should be greater than or equal to 0"};
static const capacity_error_t CAPACITY_HIGH = {"less_than_equal",
                                               "Input should be less than or equal to 2147483647"};

/* The capacity in v, or the reason it is not one. Reals are range-checked
 * before the conversion (a huge double does not fit an int64_t). */
static const capacity_error_t *capacity_value(const json_t *v, int64_t *n)
{
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != trunc(d))
            return &CAPACITY_FRACTION;
        if (d < 0)
            return &CAPACITY_LOW;
        if (d > INT32_MAX)
            return &CAPACITY_HIGH;
        *n = (int64_t)d;
        return NULL;
    }
    if (json_is_integer(v))
        *n = json_integer_value(v);
    else if (!json_is_string(v))
        return &CAPACITY_TYPE;
    else if (!router_parse_int(json_string_value(v), n))
        return &CAPACITY_PARSING;
    if (*n < 0)
        return &CAPACITY_LOW;
    return *n > INT32_MAX ? &CAPACITY_HIGH : NULL;
}

/* An integer 0..INT32_MAX (the column is a 32-bit INTEGER on PostgreSQL);
 * like FastAPI, 3.0 and "3" are accepted as 3. */
static void read_capacity(json_t *body, json_t *details, venue_input_t *in)
{
    json_t *v = json_object_get(body, "capacity");
    in->capacity = 0;
    if (!v || json_is_null(v))
        return;
    int64_t n = 0;
    const capacity_error_t *err = capacity_value(v, &n);
    if (err)
        err_detail_add(details, err->type, "body", "capacity", err->msg, json_incref(v));
    else
        in->capacity = n;
}

static void read_coord(json_t *body, json_t *details, const char *field, double limit, bool *has,
                       double *out)
{
    json_t *v = json_object_get(body, field);
    *has = false;
    if (!v || json_is_null(v))
        return;
    char msg[64];
    switch (venue_coord_parse(v, limit, out)) {
    case COORD_OK:
        *has = true;
        return;
    case COORD_TYPE:
        err_detail_add(details, "decimal_type", "body", field,
                       "Decimal input should be an integer, float, string or Decimal object",
                       json_incref(v));
        return;
    case COORD_PARSING:
        err_detail_add(details, "decimal_parsing", "body", field, "Input should be a valid decimal",
                       json_incref(v));
        return;
    case COORD_LOW:
        snprintf(msg, sizeof msg, "Input should be greater than or equal to %.0f", -limit);
        err_detail_add(details, "greater_than_equal", "body", field, msg, json_incref(v));
        return;
    case COORD_HIGH:
    default:
        snprintf(msg, sizeof msg, "Input should be less than or equal to %.0f", limit);
        err_detail_add(details, "less_than_equal", "body", field, msg, json_incref(v));
        return;
    }
}

/* A JSON object of at most VENUE_METADATA_MAX bytes as compact JSON. */
static void read_metadata(http_req_t *req, json_t *body, json_t *details, venue_input_t *in)
{
    json_t *v = json_object_get(body, "metadata");
    in->metadata = "{}";
    if (!v || json_is_null(v))
        return;
    if (!json_is_object(v)) {
        err_detail_add(details, "dict_type", "body", "metadata",
                       "Input should be a valid dictionary", json_incref(v));
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT);
    if (text && strlen(text) <= VENUE_METADATA_MAX)
        in->metadata = arena_strdup(&req->arena, text);
    else
        input_value_error(details, body, "metadata",
                          "metadata must be at most 16384 bytes when serialized as JSON");
    free(text);
}

static bool isalpha_ascii(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Two ASCII letters, stored lower-case; "in" by default. */
static void read_country(json_t *body, json_t *details, venue_input_t *in)
{
    json_t *v = json_object_get(body, "country_code");
    snprintf(in->country_code, sizeof in->country_code, "in");
    if (!v || json_is_null(v))
        return;
    const char *s = input_string(details, body, "country_code", false);
    if (!s)
        return;
    if (strlen(s) == 2 && isalpha_ascii(s[0]) && isalpha_ascii(s[1])) {
        in->country_code[0] = (char)(s[0] | 0x20);
        in->country_code[1] = (char)(s[1] | 0x20);
        return;
    }
    err_detail_add(details, "string_pattern_mismatch", "body", "country_code",
                   "String should match pattern '^[A-Za-z]{2}$'", json_incref(v));
    json_object_set_new(json_array_get(details, json_array_size(details) - 1), "ctx",
                        json_pack("{s:s}", "pattern", "^[A-Za-z]{2}$"));
}

/* 0, or -1 with the 422 written. */
static int read_venue(http_req_t *req, venue_input_t *in)
{
    json_t *body = input_object(req);
    if (!body)
        return -1;
    json_t *details = json_array();
    memset(in, 0, sizeof *in);
    in->name = read_text(req, body, details, "name", 1, VENUE_NAME_MAX);
    in->address = read_text(req, body, details, "address", 0, VENUE_ADDRESS_MAX);
    in->city = read_text(req, body, details, "city", 1, VENUE_CITY_MAX);
    read_type(body, details, in);
    read_capacity(body, details, in);
    read_coord(body, details, "latitude", 90, &in->has_latitude, &in->latitude);
    read_coord(body, details, "longitude", 180, &in->has_longitude, &in->longitude);
    read_metadata(req, body, details, in);
    read_country(body, details, in);
    return input_finish(req, details);
}

typedef struct {
    const venue_input_t *in;
    int64_t now_us;
    json_t *out;
} create_ctx_t;

/* May run more than once (db_tx_run retries a busy database). */
static int create_tx(db_conn_t *c, void *arg)
{
    create_ctx_t *cc = arg;
    json_decref(cc->out);
    cc->out = NULL;
    return venue_create(c, cc->in, cc->now_us, &cc->out);
}

static void create_venue(http_req_t *req)
{
    actor_t user;
    venue_input_t in;
    if (guard_require(req, GUARD_ACTIVE, &user) != 0 || read_venue(req, &in) != 0)
        return;
    create_ctx_t cc = {.in = &in, .now_us = clock_now_us(), .out = NULL};
    int rc = db_tx_run(req->db, DB_TX_WRITE, create_tx, &cc);
    if (rc == DB_OK) {
        http_reply_json(req, 201, cc.out);
        return;
    }
    json_decref(cc.out);
    if (rc == DB_CHECK || rc == DB_NOT_NULL || rc == DB_UNIQUE || rc == DB_FOREIGN_KEY) {
        /* the rules above should make this impossible: log it as a bug */
        log_msg(LOG_ERROR, "venues: insert refused by the schema", "error", db_errmsg(req->db),
                "constraint", db_err_constraint(req->db), NULL);
        event_error(req, 400, "VENUE_CREATION_FAILED", "Failed to create venue.");
        return;
    }
    http_db_error(req, rc, NULL);
}

/* ---- GET /api/events/venues/{venue_id} ------------------------------------------ */

static void get_venue(http_req_t *req)
{
    actor_t user;
    if (guard_require(req, GUARD_ACTIVE, &user) != 0)
        return;
    json_t *venue = NULL;
    int rc = venue_json_active(req->db, http_param_int(req, "venue_id"), &venue);
    if (rc != DB_OK)
        http_db_error(req, rc, NULL);
    else if (!venue)
        event_error(req, 404, "VENUE_NOT_FOUND", "Venue not found.");
    else
        http_reply_json(req, 200, venue);
}

static void venues_routes(router_t *r)
{
    router_add(r, HTTP_GET, "/api/events/venues", list_venues, BODY_NONE, false);
    router_add(r, HTTP_POST, "/api/events/venues", create_venue, BODY_JSON, false);
    router_add(r, HTTP_GET, "/api/events/venues/{venue_id:int}", get_venue, BODY_NONE, false);
}

const module_t venues_module = {.name = "venues", .legacy_routes = venues_routes};
