/*
 * venue.c: venue rules and SQL: loading one venue, the Venue JSON object
 * (coordinates as 6-place decimal strings), the filtered listing, the insert,
 * and the pure field rules (type enum, coordinates, LIKE patterns) that
 * venue_api.c turns into 422 details.
 */
#include "venues/venue.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/clock.h"
#include "core/rand.h"
#include "events/slug.h"

/* ---- the Venue object ------------------------------------------------------
 * Every query that feeds venue_row_json selects exactly these columns in this
 * order. Coordinates are read as numbers and printed here, so both databases
 * give the same text (PostgreSQL NUMERIC(9,6) and SQLite REAL print
 * differently on their own). */

#define VENUE_COLUMNS                                                                              \
    "id, uuid, name, address, city, country_code, city_slug, venue_type, capacity, latitude, "     \
    "longitude, metadata, is_active, created_at, updated_at"

enum {
    COL_ID,
    COL_UUID,
    COL_NAME,
    COL_ADDRESS,
    COL_CITY,
    COL_COUNTRY,
    COL_CITY_SLUG,
    COL_TYPE,
    COL_CAPACITY,
    COL_LATITUDE,
    COL_LONGITUDE,
    COL_METADATA,
    COL_IS_ACTIVE,
    COL_CREATED,
    COL_UPDATED,
};

static const char *col_str(db_rows_t *rows, int col)
{
    const char *s = db_col_text(rows, col);
    return s ? s : "";
}

static json_t *coord_json(db_rows_t *rows, int col)
{
    char buf[32];
    if (db_col_isnull(rows, col))
        return json_null();
    venue_coord_format(db_col_real(rows, col), buf);
    return json_string(buf);
}

static json_t *time_json(int64_t usec)
{
    char iso[32];
    clock_format_iso(usec, iso);
    return json_string(iso);
}

/* The stored object; anything else (it cannot happen: a CHECK forbids it)
 * reads as {}. */
static json_t *metadata_json(db_rows_t *rows)
{
    const char *text = db_col_text(rows, COL_METADATA);
    json_t *obj = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_object(obj))
        return obj;
    json_decref(obj);
    return json_object();
}

static json_t *venue_row_json(db_rows_t *rows)
{
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
        (json_int_t)db_col_int(rows, COL_ID), "uuid", col_str(rows, COL_UUID), "name",
        col_str(rows, COL_NAME), "address", col_str(rows, COL_ADDRESS), "city",
        col_str(rows, COL_CITY), "country_code", col_str(rows, COL_COUNTRY), "city_slug",
        col_str(rows, COL_CITY_SLUG), "venue_type", col_str(rows, COL_TYPE), "capacity",
        (json_int_t)db_col_int(rows, COL_CAPACITY), "latitude", coord_json(rows, COL_LATITUDE),
        "longitude", coord_json(rows, COL_LONGITUDE), "metadata", metadata_json(rows), "is_active",
        db_col_bool(rows, COL_IS_ACTIVE), "created_at", time_json(db_col_time(rows, COL_CREATED)),
        "updated_at", time_json(db_col_time(rows, COL_UPDATED)));
}

/* Runs a query of VENUE_COLUMNS rows and appends each object to list. */
static int collect(db_conn_t *c, const char *sql, const db_param_t *params, int n, json_t *list)
{
    db_rows_t *rows;
    int rc = db_query(c, sql, params, n, &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows))
        json_array_append_new(list, venue_row_json(rows));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* ---- loading ---------------------------------------------------------------- */

static const char SQL_VENUE_LOAD[] = "SELECT id, uuid, name, address, city, country_code, "
                                     "city_slug, venue_type, is_active FROM venues WHERE id = $1";

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

int venue_load(db_conn_t *c, arena_t *a, int64_t id, venue_t *v, bool *found)
{
    db_rows_t *rows;
    memset(v, 0, sizeof *v);
    *found = false;
    int rc = db_query(c, SQL_VENUE_LOAD, DB_ARGS(db_int(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        *found = true;
        v->id = db_col_int(rows, 0);
        copy_text(v->uuid, sizeof v->uuid, db_col_text(rows, 1));
        v->name = arena_strdup(a, col_str(rows, 2));
        v->address = arena_strdup(a, col_str(rows, 3));
        v->city = arena_strdup(a, col_str(rows, 4));
        copy_text(v->country_code, sizeof v->country_code, db_col_text(rows, 5));
        copy_text(v->city_slug, sizeof v->city_slug, db_col_text(rows, 6));
        copy_text(v->venue_type, sizeof v->venue_type, db_col_text(rows, 7));
        v->is_active = db_col_bool(rows, 8);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static const char SQL_VENUE_ACTIVE[] =
    "SELECT " VENUE_COLUMNS " FROM venues WHERE id = $1 AND is_active";

int venue_json_active(db_conn_t *c, int64_t id, json_t **out)
{
    json_t *list = json_array();
    int rc = collect(c, SQL_VENUE_ACTIVE, DB_ARGS(db_int(id)), list);
    *out = rc == DB_OK && json_array_size(list) > 0 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    return rc;
}

/* ---- listing -----------------------------------------------------------------
 * One SQL text for every filter combination: an absent filter is a NULL
 * parameter (cast so PostgreSQL knows its type). The city filter is a LIKE
 * pattern whose metacharacters were escaped by text_like_pattern. */

#define VENUE_FILTER                                                                               \
    " FROM venues WHERE is_active"                                                                 \
    " AND (CAST($1 AS TEXT) IS NULL OR lower(city) LIKE lower($1) ESCAPE '\\')"                    \
    " AND (CAST($2 AS TEXT) IS NULL OR venue_type = $2)"

static const char SQL_VENUE_COUNT[] = "SELECT count(*)" VENUE_FILTER;
static const char SQL_VENUE_PAGE[] =
    "SELECT " VENUE_COLUMNS VENUE_FILTER " ORDER BY name, id LIMIT $3 OFFSET $4";

int venue_list(db_conn_t *c, arena_t *a, const venue_query_t *q, json_t **data, int64_t *total)
{
    const char *pattern = q->city ? text_like_pattern(a, q->city) : NULL;
    bool found = false;
    *data = NULL;
    *total = 0;
    int rc = db_query_int(c, SQL_VENUE_COUNT, DB_ARGS(db_text(pattern), db_text(q->venue_type)),
                          total, &found);
    if (rc != DB_OK)
        return rc;
    json_t *list = json_array();
    rc = collect(
        c, SQL_VENUE_PAGE,
        DB_ARGS(db_text(pattern), db_text(q->venue_type), db_int(q->limit), db_int(q->offset)),
        list);
    if (rc != DB_OK) {
        json_decref(list);
        return rc;
    }
    *data = list;
    return DB_OK;
}

/* ---- creating ------------------------------------------------------------------ */

static const char SQL_VENUE_INSERT[] =
    "INSERT INTO venues (uuid, name, address, city, country_code, city_slug, venue_type, "
    "capacity, latitude, longitude, metadata, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING " VENUE_COLUMNS;

/* ---- the venue of an event made in the app -------------------------------------- */

static const char SQL_BY_PLACE[] =
    "SELECT id FROM venues WHERE place_id = $1 AND place_id <> '' AND is_active = $2";
static const char SQL_BY_NAME[] =
    "SELECT id FROM venues WHERE name = $1 AND address = $2 AND is_active = $3 ORDER BY id LIMIT 1";
static const char SQL_PLACE_INSERT[] =
    "INSERT INTO venues (uuid, name, address, city, country_code, city_slug, venue_type, "
    "capacity, latitude, longitude, metadata, place_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, 'indoor', 0, $7, $8, '{}', $9, $10, $10) "
    "ON CONFLICT DO NOTHING RETURNING id";

int venue_find_or_create(db_conn_t *c, const venue_input_t *in, const char *place_id,
                         int64_t now_us, int64_t *id)
{
    bool found = false;
    int rc = DB_OK;
    *id = 0;
    if (place_id && *place_id)
        rc = db_query_int(c, SQL_BY_PLACE, DB_ARGS(db_text(place_id), db_bool(true)), id, &found);
    if (rc == DB_OK && !found)
        rc = db_query_int(c, SQL_BY_NAME,
                          DB_ARGS(db_text(in->name), db_text(in->address), db_bool(true)), id,
                          &found);
    if (rc != DB_OK || found)
        return rc;
    char uuid[37], city_slug[VENUE_CITY_MAX + 1];
    rand_uuid(uuid);
    slug_generate(in->city, VENUE_CITY_MAX, "unknown", city_slug);
    rc = db_query_int(c, SQL_PLACE_INSERT,
                      DB_ARGS(db_text(uuid), db_text(in->name), db_text(in->address),
                              db_text(in->city), db_text(in->country_code), db_text(city_slug),
                              in->has_latitude ? db_real(in->latitude) : db_null(),
                              in->has_longitude ? db_real(in->longitude) : db_null(),
                              db_text(place_id ? place_id : ""), db_time(now_us)),
                      id, &found);
    if (rc == DB_OK && !found) /* a concurrent creator took the place id: use theirs */
        rc = db_query_int(c, SQL_BY_PLACE, DB_ARGS(db_text(place_id), db_bool(true)), id, &found);
    return rc;
}

/* ---- creating ------------------------------------------------------------------- */

typedef struct {
    const venue_input_t *in;
    json_t *out;
} create_ctx_t;

/* May run more than once (a busy database is retried). */
static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *cc = arg;
    const venue_input_t *in = cc->in;
    char uuid[37], city_slug[VENUE_CITY_MAX + 1];
    rand_uuid(uuid);
    slug_generate(in->city, VENUE_CITY_MAX, "unknown", city_slug);
    json_t *list = json_array();
    int rc =
        collect(op->db, SQL_VENUE_INSERT,
                DB_ARGS(db_text(uuid), db_text(in->name), db_text(in->address), db_text(in->city),
                        db_text(in->country_code), db_text(city_slug), db_text(in->venue_type),
                        db_int(in->capacity), in->has_latitude ? db_real(in->latitude) : db_null(),
                        in->has_longitude ? db_real(in->longitude) : db_null(),
                        db_text(in->metadata), db_time(op->now_us)),
                list);
    json_decref(cc->out);
    cc->out = rc == DB_OK ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    if (rc == DB_OK && !cc->out)
        rc = DB_ERROR; /* RETURNING gave no row: cannot happen */
    if (rc == DB_CHECK || rc == DB_NOT_NULL || rc == DB_UNIQUE || rc == DB_FOREIGN_KEY) {
        /* the field rules should make this impossible: logged as ours */
        err_t *e = op_fail(op, 400, "VENUE_CREATION_FAILED", "Failed to create venue.");
        e->cause =
            arena_printf(op->arena, "venue insert refused by the schema: %s", db_errmsg(op->db));
        return e;
    }
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *venue_create(op_t *op, const venue_input_t *in, json_t **out)
{
    create_ctx_t cc = {.in = in};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &cc);
    *out = e ? NULL : cc.out;
    if (e)
        json_decref(cc.out);
    return e;
}

/* ---- pure rules ------------------------------------------------------------------ */

/* A plain decimal: [+-] digits [. digits] or [+-] . digits, with an optional
 * exponent. No spaces, no hex, no inf/nan (which strtod would take). */
static bool decimal_syntax(const char *s)
{
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0, digits = 0;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.')
        for (i++; isdigit((unsigned char)s[i]); i++)
            digits++;
    if (digits == 0)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!isdigit((unsigned char)s[i]))
            return false;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    return i <= 64 && s[i] == '\0';
}

venue_coord_status_t venue_coord_parse(const json_t *v, double limit, double *out)
{
    double d;
    if (json_is_integer(v))
        d = (double)json_integer_value(v);
    else if (json_is_real(v))
        d = json_real_value(v);
    else if (json_is_string(v)) {
        if (!decimal_syntax(json_string_value(v)))
            return COORD_PARSING;
        d = strtod(json_string_value(v), NULL);
    } else
        return COORD_TYPE;
    if (!isfinite(d) || fabs(d) > 2 * limit)
        return d < 0 ? COORD_LOW : COORD_HIGH;
    d = round(d * 1e6) / 1e6;
    if (d < -limit)
        return COORD_LOW;
    if (d > limit)
        return COORD_HIGH;
    *out = d == 0 ? 0.0 : d; /* no "-0.000000" */
    return COORD_OK;
}

void venue_coord_format(double d, char out[32])
{
    d = round(d * 1e6) / 1e6;
    snprintf(out, 32, "%.6f", d == 0 ? 0.0 : d);
}
