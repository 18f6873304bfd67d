/*
 * event_fields.c: the field rules of events (seeds, API.md 5, SPEC):
 * lengths, enums, times, capacity, money, interests, declared once for the
 * create (multipart text) and update (JSON) routes; the validator turns text
 * spellings of numbers and booleans into values, so both apply alike.
 */
#include "events/event_fields.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/gstin.h"
#include "venues/venue.h"
#include "events/slug.h"

#define MAX_PRICE_MINOR 9999999999LL
#define MAX_DURATION_H  720.0

void event_fields_defaults(event_fields_t *f)
{
    memset(f, 0, sizeof *f);
    f->venue_text = f->gst_number = "";
    snprintf(f->allowed_genders, sizeof f->allowed_genders, "all");
    snprintf(f->status, sizeof f->status, "draft");
    snprintf(f->currency, sizeof f->currency, "INR");
    f->allow_plus_one = f->is_public = true;
}

void event_fields_from_event(event_fields_t *f, const event_t *e)
{
    event_fields_defaults(f);
    f->title = e->title;
    f->description = e->description;
    f->venue_text = e->venue_text;
    f->gst_number = e->gst_number;
    snprintf(f->allowed_genders, sizeof f->allowed_genders, "%s", e->allowed_genders);
    snprintf(f->status, sizeof f->status, "%s", e->status);
    snprintf(f->currency, sizeof f->currency, "%s", e->currency);
    f->start_time = e->start_time;
    f->end_time = e->end_time;
    f->venue_id = e->venue_id;
    f->ticket_price_minor = e->ticket_price_minor;
    f->max_capacity = e->max_capacity;
    f->is_paid = e->is_paid;
    f->allow_plus_one = e->allow_plus_one;
    f->is_public = e->is_public;
}

/* ---- field checks with the event contract's own words ------------------------ */

/* "123", "123.4", "123.45" (also JSON numbers) -> minor units. */
static const char *money_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    char buf[64];
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof buf, "%.10g", json_real_value(v));
    else if (json_is_string(v))
        snprintf(buf, sizeof buf, "%s", json_string_value(v));
    else
        buf[0] = 'x', buf[1] = '\0';
    const char *p = buf;
    int64_t units = 0, cents = 0;
    int ndig = 0, nfrac = 0;
    for (; isdigit((unsigned char)*p) && ndig < 12; p++, ndig++)
        units = units * 10 + (*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p) && nfrac < 3; p++, nfrac++)
            cents = cents * 10 + (*p - '0');
    if (ndig == 0 || *p || nfrac > 2) {
        *type = "decimal_parsing";
        return "Input should be a valid decimal with at most 2 decimal places";
    }
    int64_t minor = units * 100 + (nfrac == 1 ? cents * 10 : cents);
    if (minor > MAX_PRICE_MINOR) {
        *type = "less_than_equal";
        return "Input should be at most 99999999.99";
    }
    *out = json_integer(minor);
    return NULL;
}

static const char *slug_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    return json_is_string(v) && slug_valid(json_string_value(v))
               ? NULL
               : "a slug is 1-100 of a-z, 0-9 and single '-'";
}

/* cover_images on PUT: 1-3 http(s) URLs. */
static const char *cover_urls_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    size_t i;
    json_t *x;
    bool ok = json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 3;
    json_array_foreach(v, i, x)
    {
        const char *s = json_string_value(x);
        ok &= s && strlen(s) <= 2048 && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
    }
    return ok ? NULL : "cover_images must be a list of 1 to 3 http(s) URLs";
}

/* A GSTIN when given (invoices and payouts print it): checked, stored in
 * upper case; "" means none. */
static const char *gstin_field_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    const char *s = json_string_value(v);
    char norm[GSTIN_LEN + 1];
    if (!*s)
        return NULL;
    const char *why = gstin_check(s, norm);
    if (!why)
        *out = json_string(norm);
    return why;
}

/* The app's coordinates: JSON numbers or decimal text, rounded to 6 places. */
static const char *coord_check(json_t *v, double limit, json_t **out, const char **type)
{
    double d = 0;
    venue_coord_status_t st = venue_coord_parse(v, limit, &d);
    if (st == COORD_OK) {
        *out = json_real(d);
        return NULL;
    }
    *type = st == COORD_LOW    ? "greater_than_equal"
            : st == COORD_HIGH ? "less_than_equal"
                               : "decimal_parsing";
    return st == COORD_LOW    ? "Input should be greater than or equal to the coordinate's minimum"
           : st == COORD_HIGH ? "Input should be less than or equal to the coordinate's maximum"
                              : "Input should be a valid decimal";
}

static const char *latitude_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    return coord_check(v, 90, out, type);
}

static const char *longitude_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    return coord_check(v, 180, out, type);
}

static const char *const GENDERS[] = {"all", "male", "female", "non_binary", NULL};
static const char *const STATUSES[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};
static const char *const CREATE_STATUSES[] = {"draft", "published", NULL};
static const char *const CURRENCIES[] = {"INR", "USD", "EUR", "GBP", NULL};

/* The fields both routes share; `req` is F_REQUIRED on create. */
#define EVENT_COMMON_FIELDS(req)                                                                   \
    {"title", FT_STRING, (req) | F_TRIM, .min_len = 1, .max_len = 200},                            \
        {"description", FT_STRING, (req) | F_TRIM, .min_len = 1, .max_len = 20000},                \
        {"venue_text", FT_STRING, F_NULLABLE | F_TRIM, .max_len = 255},                            \
        {"gst_number", FT_STRING, F_NULLABLE | F_TRIM, .max_len = 50, .check = gstin_field_check}, \
        {"max_capacity", FT_INT, 0, .min = 0, .max = 1000000},                                     \
        {"is_paid", FT_BOOL, 0, .in = FIELD_BODY},                                                 \
        {"allow_plus_one", FT_BOOL, 0, .in = FIELD_BODY},                                          \
        {"is_public", FT_BOOL, 0, .in = FIELD_BODY},                                               \
        {"ticket_price", FT_ANY, 0, .check = money_check},                                         \
        {"allowed_genders", FT_STRING, F_ICASE, .choices = GENDERS},                               \
        {"currency", FT_STRING, F_ICASE, .choices = CURRENCIES},                                   \
        {"venue_id", FT_INT, F_NULLABLE | F_EMPTY_ABSENT, .min = 1, .max = INT64_MAX},             \
        {"start_time", FT_ANY, 0, .in = FIELD_BODY}, {"end_time", FT_ANY, 0, .in = FIELD_BODY},    \
        {"duration_hours", FT_ANY, 0, .in = FIELD_BODY},                                           \
    {                                                                                              \
        "event_interest_ids", FT_ANY, F_EMPTY_ABSENT, .in = FIELD_BODY                             \
    }

/* The mobile app's place fields (docs/client-compatibility.md). */
#define APP_TEXT F_TRIM | F_EMPTY_ABSENT

const field_t event_create_fields[] = {
    EVENT_COMMON_FIELDS(F_REQUIRED),
    {"status", FT_STRING, F_ICASE, .choices = CREATE_STATUSES},
    {"cover_images", FT_FILES, 0, .in = FIELD_BODY},
    {"venue_name", FT_STRING, APP_TEXT, .max_len = VENUE_NAME_MAX},
    {"location_address", FT_STRING, APP_TEXT, .max_len = VENUE_ADDRESS_MAX},
    {"location_city", FT_STRING, APP_TEXT, .max_len = VENUE_CITY_MAX},
    {"location_latitude", FT_ANY, F_EMPTY_ABSENT, .check = latitude_check},
    {"location_longitude", FT_ANY, F_EMPTY_ABSENT, .check = longitude_check},
    {"location_place_id", FT_STRING, APP_TEXT, .max_len = 255},
    {"location_country_code", FT_STRING, F_EMPTY_ABSENT, .pattern = "^[A-Za-z]{2}$"},
    FIELDS_END,
};

const field_t event_update_fields[] = {
    EVENT_COMMON_FIELDS(0),
    {"status", FT_STRING, F_ICASE, .choices = STATUSES},
    {"slug", FT_ANY, 0, .check = slug_check},
    {"cover_images", FT_ANY, 0, .check = cover_urls_check},
    {"is_active", FT_BOOL, 0, .in = FIELD_BODY},
    FIELDS_END,
};

/* ---- applying checked input ------------------------------------------------------ */

static err_t *invalid_interests(op_t *op)
{
    return op_fail(op, 400, "INVALID_INTEREST_IDS_FORMAT",
                   "event_interest_ids must be a JSON array of integers, e.g. [1,2,3]");
}

/* event_interest_ids: a JSON array (or its JSON text in a form). */
static err_t *apply_interests(event_fields_t *f, json_t *v, op_t *op, json_t *d)
{
    json_t *list = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL) : json_incref(v);
    err_t *e = NULL;
    size_t i;
    json_t *x;
    if (!json_is_array(list)) {
        e = invalid_interests(op);
    } else if (json_array_size(list) > EVENT_MAX_INTERESTS) {
        err_detail_add(d, "too_long", "body", "event_interest_ids", "At most 10 event interests",
                       json_incref(v));
    } else {
        f->ninterests = 0;
        f->interests_set = true;
        json_array_foreach(list, i, x)
        {
            if (!json_is_integer(x) || json_integer_value(x) <= 0) {
                e = invalid_interests(op);
                break;
            }
            bool dup = false;
            for (int k = 0; k < f->ninterests; k++)
                dup |= f->interests[k] == json_integer_value(x);
            if (!dup)
                f->interests[f->ninterests++] = json_integer_value(x);
        }
    }
    json_decref(list);
    return e;
}

/* start_time, end_time, duration_hours: 400 codes as API.md documents. */
static err_t *apply_times(event_fields_t *f, const input_t *in, op_t *op)
{
    json_t *st = in_json(in, "start_time"), *et = in_json(in, "end_time"),
           *dur = in_json(in, "duration_hours");
    if (st && (!json_is_string(st) || !clock_parse_iso(json_string_value(st), &f->start_time)))
        return op_fail(op, 400, "INVALID_DATETIME_FORMAT",
                       "start_time must be an ISO 8601 datetime, e.g. 2026-12-31T19:00:00Z");
    if (et && (!json_is_string(et) || !clock_parse_iso(json_string_value(et), &f->end_time)))
        return op_fail(op, 400, "INVALID_DATETIME_FORMAT",
                       "end_time must be an ISO 8601 datetime, e.g. 2026-12-31T22:00:00Z");
    if (dur && !et) {
        double h = json_is_number(dur)   ? json_number_value(dur)
                   : json_is_string(dur) ? strtod(json_string_value(dur), NULL)
                                         : 0;
        if (!(h > 0) || h > MAX_DURATION_H)
            return op_fail(op, 400, "INVALID_DURATION",
                           "duration_hours must be a number of hours above 0 and at most 720");
        f->end_time = f->start_time + (int64_t)(h * 3600.0 * 1e6);
    }
    return NULL;
}

static void copy_choice(const input_t *in, const char *name, char *out, size_t outlen)
{
    if (in_str(in, name))
        snprintf(out, outlen, "%s", in_str(in, name));
}

static void apply_simple(event_fields_t *f, const input_t *in)
{
    if (in_str(in, "title"))
        f->title = in_str(in, "title");
    if (in_str(in, "description"))
        f->description = in_str(in, "description");
    if (in_str(in, "venue_text"))
        f->venue_text = in_str(in, "venue_text");
    if (in_str(in, "gst_number"))
        f->gst_number = in_str(in, "gst_number");
    f->max_capacity = (int)in_int(in, "max_capacity", f->max_capacity);
    f->is_paid = in_bool(in, "is_paid", f->is_paid);
    f->allow_plus_one = in_bool(in, "allow_plus_one", f->allow_plus_one);
    f->is_public = in_bool(in, "is_public", f->is_public);
    f->ticket_price_minor = in_int(in, "ticket_price", f->ticket_price_minor);
    copy_choice(in, "allowed_genders", f->allowed_genders, sizeof f->allowed_genders);
    copy_choice(in, "currency", f->currency, sizeof f->currency);
    copy_choice(in, "status", f->status, sizeof f->status);
    if (in_has(in, "venue_id"))
        f->venue_id = in_int(in, "venue_id", 0); /* null clears it */
}

/* The app's place: a venue when it names one with a city and no venue_id
 * was given; the name alone (no city) stays venue_text. */
void event_fields_apply_app_venue(event_fields_t *f, const input_t *in)
{
    const char *name = in_has(in, "venue_name") ? in_str(in, "venue_name") : NULL;
    if (!name || f->venue_id)
        return;
    const char *city = in_str(in, "location_city");
    if (!city) {
        if (!f->venue_text || !*f->venue_text)
            f->venue_text = name;
        return;
    }
    f->app_venue.name = name;
    f->app_venue.city = city;
    f->app_venue.address = in_str(in, "location_address") ? in_str(in, "location_address") : "";
    f->app_venue.place_id = in_str(in, "location_place_id") ? in_str(in, "location_place_id") : "";
    const char *cc = in_str(in, "location_country_code");
    snprintf(f->app_venue.country_code, sizeof f->app_venue.country_code, "%c%c",
             cc ? (cc[0] | 0x20) : 'i', cc ? (cc[1] | 0x20) : 'n');
    f->app_venue.has_latitude = in_json(in, "location_latitude") != NULL;
    f->app_venue.latitude = in_number(in, "location_latitude", 0);
    f->app_venue.has_longitude = in_json(in, "location_longitude") != NULL;
    f->app_venue.longitude = in_number(in, "location_longitude", 0);
}

err_t *event_fields_apply(event_fields_t *f, const input_t *in, op_t *op, json_t *details)
{
    err_t *e = apply_times(f, in, op);
    if (e)
        return e;
    apply_simple(f, in);
    json_t *v = in_json(in, "event_interest_ids");
    return v ? apply_interests(f, v, op, details) : NULL;
}

void event_fields_check(const event_fields_t *f, json_t *d)
{
    if (!f->title)
        err_detail_add(d, "missing", "body", "title", "Field required", NULL);
    if (!f->description)
        err_detail_add(d, "missing", "body", "description", "Field required", NULL);
    if (!f->start_time)
        err_detail_add(d, "missing", "body", "start_time", "Field required", NULL);
    else if (!f->end_time)
        err_detail_add(d, "missing", "body", "duration_hours", "Field required (or give end_time)",
                       NULL);
    else if (f->end_time <= f->start_time)
        err_detail_add(d, "value_error", "body", "end_time",
                       "Value error, end_time must be after start_time", NULL);
    if (f->is_paid && f->ticket_price_minor <= 0)
        err_detail_add(d, "value_error", "body", "ticket_price",
                       "Value error, a paid event needs a ticket_price above 0", NULL);
    if (!f->is_paid && f->ticket_price_minor != 0)
        err_detail_add(d, "value_error", "body", "ticket_price",
                       "Value error, a free event has ticket_price 0 (set is_paid)", NULL);
}
