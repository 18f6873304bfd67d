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

#include "http/router.h"
#include "module.h"
#include "venues/venue.h"

static const char *const venue_types[] = {"indoor", "outdoor", "virtual", "hybrid", NULL};

/* ---- GET /api/events/venues --------------------------------------------------- */

static err_t *list_venues(http_req_t *req, op_t *op, const input_t *in)
{
    venue_query_t q = {.city = in_str(in, "city"),
                       .venue_type = in_str(in, "venue_type"),
                       .offset = in_int(in, "offset", 0),
                       .limit = in_int(in, "limit", VENUE_LIST_LIMIT)};
    json_t *data = NULL;
    int64_t total = 0;
    int rc = venue_list(op->db, op->arena, &q, &data, &total);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    http_reply_json(req, 200,
                    json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
                              (json_int_t)q.offset, "limit", (json_int_t)q.limit, "data", data));
    return NULL;
}

/* ---- POST /api/events/venues: the rules FastAPI's model had ---------------------- */

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
static const char *capacity_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    int64_t n = 0;
    const capacity_error_t *err = capacity_value(v, &n);
    if (err) {
        *type = err->type;
        return err->msg;
    }
    *out = json_integer(n);
    return NULL;
}

static const char *coord_check(json_t *v, double limit, json_t **out, const char **type, arena_t *a)
{
    double d = 0;
    switch (venue_coord_parse(v, limit, &d)) {
    case COORD_OK:
        *out = json_real(d);
        return NULL;
    case COORD_TYPE:
        *type = "decimal_type";
        return "Decimal input should be an integer, float, string or Decimal object";
    case COORD_PARSING:
        *type = "decimal_parsing";
        return "Input should be a valid decimal";
    case COORD_LOW:
        *type = "greater_than_equal";
        return arena_printf(a, "Input should be greater than or equal to %.0f", -limit);
    case COORD_HIGH:
    default:
        *type = "less_than_equal";
        return arena_printf(a, "Input should be less than or equal to %.0f", limit);
    }
}

static const char *latitude_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    return coord_check(v, 90, out, type, a);
}

static const char *longitude_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    return coord_check(v, 180, out, type, a);
}

/* A JSON object of at most VENUE_METADATA_MAX bytes as compact JSON. */
static const char *metadata_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    if (!json_is_object(v)) {
        *type = "dict_type";
        return "Input should be a valid dictionary";
    }
    char *text = json_dumps(v, JSON_COMPACT);
    bool ok = text && strlen(text) <= VENUE_METADATA_MAX;
    free(text);
    return ok ? NULL : "metadata must be at most 16384 bytes when serialized as JSON";
}

/* Two ASCII letters (the pattern), stored lower-case. */
static const char *country_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    const char *s = json_string_value(v);
    char cc[3] = {(char)(s[0] | 0x20), (char)(s[1] | 0x20), 0};
    *out = json_string(cc);
    return NULL;
}

static err_t *create_venue(http_req_t *req, op_t *op, const input_t *in)
{
    venue_input_t v = {.name = in_str(in, "name"),
                       .address = in_str(in, "address"),
                       .city = in_str(in, "city"),
                       .venue_type = in_str(in, "venue_type") ? in_str(in, "venue_type") : "indoor",
                       .capacity = in_int(in, "capacity", 0),
                       .has_latitude = in_json(in, "latitude") != NULL,
                       .latitude = in_number(in, "latitude", 0),
                       .has_longitude = in_json(in, "longitude") != NULL,
                       .longitude = in_number(in, "longitude", 0),
                       .metadata = "{}"};
    json_t *meta = in_json(in, "metadata");
    char *text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
    if (text)
        v.metadata = arena_strdup(op->arena, text);
    free(text);
    snprintf(v.country_code, sizeof v.country_code, "%s",
             in_str(in, "country_code") ? in_str(in, "country_code") : "in");
    json_t *out = NULL;
    err_t *e = venue_create(op, &v, &out);
    if (e)
        return e;
    http_reply_json(req, 201, out);
    return NULL;
}

/* ---- GET /api/events/venues/{venue_id} ------------------------------------------ */

static err_t *get_venue(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *venue = NULL;
    int rc = venue_json_active(op->db, http_param_int(req, "venue_id"), &venue);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!venue)
        return op_fail(op, 404, "VENUE_NOT_FOUND", "Venue not found.");
    http_reply_json(req, 200, venue);
    return NULL;
}

/* ---- the route table -------------------------------------------------------------- */

static const field_t list_fields[] = {
    {"city", FT_STRING, 0, .in = FIELD_QUERY},
    {"venue_type", FT_STRING, F_ICASE, FIELD_QUERY, .choices = venue_types},
    {"offset", FT_INT, 0, FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, FIELD_QUERY, .min = 1, .max = VENUE_LIST_MAX},
    FIELDS_END,
};

/* For the optional fields, absent and null both mean the default. */
static const field_t create_fields[] = {
    {"name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = VENUE_NAME_MAX},
    {"address", FT_STRING, F_REQUIRED | F_TRIM, .max_len = VENUE_ADDRESS_MAX},
    {"city", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = VENUE_CITY_MAX},
    {"venue_type", FT_STRING, F_NULLABLE | F_ICASE, .choices = venue_types},
    {"capacity", FT_ANY, F_NULLABLE, .check = capacity_check},
    {"latitude", FT_ANY, F_NULLABLE, .check = latitude_check},
    {"longitude", FT_ANY, F_NULLABLE, .check = longitude_check},
    {"metadata", FT_ANY, F_NULLABLE, .check = metadata_check},
    {"country_code", FT_STRING, F_NULLABLE, .pattern = "^[A-Za-z]{2}$", .check = country_check},
    FIELDS_END,
};

static const route_def_t venues_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/events/venues",
     .handler = list_venues,
     .auth = AUTH_ACTIVE,
     .fields = list_fields,
     .tag = "venues"},
    {.method = HTTP_POST,
     .pattern = "/api/events/venues",
     .handler = create_venue,
     .auth = AUTH_ACTIVE,
     .body = BODY_JSON,
     .fields = create_fields,
     .envelope = ENVELOPE_EVENT,
     .tag = "venues"},
    {.method = HTTP_GET,
     .pattern = "/api/events/venues/{venue_id:int}",
     .handler = get_venue,
     .auth = AUTH_ACTIVE,
     .envelope = ENVELOPE_EVENT,
     .tag = "venues"},
    ROUTES_END,
};

const module_t venues_module = {.name = "venues", .routes = venues_routes};
