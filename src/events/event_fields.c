/*
 * event_fields.c: the field rules of events (seeds, API.md 5, SPEC):
 * lengths, enums, times, capacity, money, interests. Values arrive as JSON
 * (multipart form values are JSON strings), so numbers and booleans are
 * accepted as JSON values or as their usual string spellings.
 */
#include "events/event_fields.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "http/router.h"

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

json_t *event_fields_form_object(const http_req_t *req)
{
    json_t *o = json_object();
    for (int i = 0; i < req->form.n; i++)
        if (!json_object_get(o, req->form.items[i].name))
            json_object_set_new(o, req->form.items[i].name, json_string(req->form.items[i].value));
    return o;
}

/* ---- value readers: false and a detail when the value is unusable ---- */

static void detail(json_t *d, const char *type, const char *field, const char *msg, json_t *v)
{
    err_detail_add(d, type, "body", field, msg, json_incref(v));
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static bool read_text(json_t *v, const char *field, size_t min, size_t max, arena_t *a, json_t *d,
                      const char **out)
{
    if (!json_is_string(v)) {
        detail(d, "string_type", field, "Input should be a valid string", v);
        return false;
    }
    const char *s = json_string_value(v);
    size_t start = strspn(s, " \t\r\n"), len = strlen(s + start);
    while (len > 0 && strchr(" \t\r\n", s[start + len - 1]))
        len--;
    char *t = arena_strndup(a, s + start, len);
    size_t n = utf8_len(t);
    if (n < min || n > max) {
        char *msg = arena_printf(a, "String should have %s %zu characters",
                                 n < min ? "at least" : "at most", n < min ? min : max);
        detail(d, n < min ? "string_too_short" : "string_too_long", field, msg, v);
        return false;
    }
    *out = t;
    return true;
}

static bool read_int(json_t *v, const char *field, int64_t min, int64_t max, json_t *d,
                     int64_t *out)
{
    int64_t n = 0;
    bool ok = json_is_integer(v)  ? (n = json_integer_value(v), true)
              : json_is_string(v) ? router_parse_int(json_string_value(v), &n)
                                  : false;
    if (!ok) {
        detail(d, "int_parsing", field,
               "Input should be a valid integer, unable to parse string as an integer", v);
        return false;
    }
    if (n < min || n > max) {
        detail(d, n < min ? "greater_than_equal" : "less_than_equal", field,
               n < min ? "Input should be greater than or equal to the minimum"
                       : "Input should be less than or equal to the maximum",
               v);
        return false;
    }
    *out = n;
    return true;
}

static bool read_bool(json_t *v, const char *field, json_t *d, bool *out)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else if (s && (!strcasecmp(s, "true") || !strcmp(s, "1")))
        *out = true;
    else if (s && (!strcasecmp(s, "false") || !strcmp(s, "0")))
        *out = false;
    else {
        detail(d, "bool_parsing", field, "Input should be a valid boolean", v);
        return false;
    }
    return true;
}

/* "123", "123.4", "123.45" (also JSON numbers) -> minor units. */
static bool read_money(json_t *v, const char *field, json_t *d, int64_t *out)
{
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
        detail(d, "decimal_parsing", field,
               "Input should be a valid decimal with at most 2 decimal places", v);
        return false;
    }
    int64_t minor = units * 100 + (nfrac == 1 ? cents * 10 : cents);
    if (minor > MAX_PRICE_MINOR) {
        detail(d, "less_than_equal", field, "Input should be at most 99999999.99", v);
        return false;
    }
    *out = minor;
    return true;
}

static bool read_enum(json_t *v, const char *field, const char *const *allowed,
                      const char *expected, json_t *d, char *out, size_t outlen)
{
    if (json_is_string(v)) {
        char low[32];
        snprintf(low, sizeof low, "%s", json_string_value(v));
        for (char *c = low; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        for (int i = 0; allowed[i]; i++)
            if (!strcmp(low, allowed[i])) {
                snprintf(out, outlen, "%s", allowed[i]);
                return true;
            }
    }
    char msg[160];
    snprintf(msg, sizeof msg, "Input should be %s", expected);
    detail(d, "enum", field, msg, v);
    return false;
}

/* ---- the fields ------------------------------------------------------- */

static const char *const GENDERS[] = {"all", "male", "female", "non_binary", NULL};
static const char *const STATUSES[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};
static const char *const CREATE_STATUSES[] = {"draft", "published", NULL};
static const char *const CURRENCIES[] = {"inr", "usd", "eur", "gbp", NULL};

/* event_interest_ids: a JSON array (or its JSON text in a form). */
static const char *apply_interests(event_fields_t *f, json_t *v, json_t *d, const char **msg)
{
    json_t *list = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL) : json_incref(v);
    const char *code = NULL;
    size_t i;
    json_t *x;
    if (!json_is_array(list)) {
        code = "INVALID_INTEREST_IDS_FORMAT";
        *msg = "event_interest_ids must be a JSON array of integers, e.g. [1,2,3]";
    } else if (json_array_size(list) > EVENT_MAX_INTERESTS) {
        detail(d, "too_long", "event_interest_ids", "At most 10 event interests", v);
    } else {
        f->ninterests = 0;
        f->interests_set = true;
        json_array_foreach(list, i, x)
        {
            if (!json_is_integer(x) || json_integer_value(x) <= 0) {
                code = "INVALID_INTEREST_IDS_FORMAT";
                *msg = "event_interest_ids must be a JSON array of integers, e.g. [1,2,3]";
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
    return code;
}

/* start_time, end_time, duration_hours: 400 codes as API.md documents. */
static const char *apply_times(event_fields_t *f, json_t *src, json_t *d, const char **msg)
{
    json_t *st = json_object_get(src, "start_time"), *et = json_object_get(src, "end_time"),
           *dur = json_object_get(src, "duration_hours");
    if (st && (!json_is_string(st) || !clock_parse_iso(json_string_value(st), &f->start_time))) {
        *msg = "start_time must be an ISO 8601 datetime, e.g. 2026-12-31T19:00:00Z";
        return "INVALID_DATETIME_FORMAT";
    }
    if (et && (!json_is_string(et) || !clock_parse_iso(json_string_value(et), &f->end_time))) {
        *msg = "end_time must be an ISO 8601 datetime, e.g. 2026-12-31T22:00:00Z";
        return "INVALID_DATETIME_FORMAT";
    }
    if (dur && !et) {
        double h = json_is_number(dur)   ? json_number_value(dur)
                   : json_is_string(dur) ? strtod(json_string_value(dur), NULL)
                                         : 0;
        if (!(h > 0) || h > MAX_DURATION_H) {
            *msg = "duration_hours must be a number of hours above 0 and at most 720";
            return "INVALID_DURATION";
        }
        f->end_time = f->start_time + (int64_t)(h * 3600.0 * 1e6);
    }
    (void)d;
    return NULL;
}

static void apply_simple(event_fields_t *f, json_t *src, bool creating, arena_t *a, json_t *d)
{
    json_t *v;
    int64_t n;
    if ((v = json_object_get(src, "title")))
        read_text(v, "title", 3, 200, a, d, &f->title);
    if ((v = json_object_get(src, "description")))
        read_text(v, "description", 10, 20000, a, d, &f->description);
    if ((v = json_object_get(src, "venue_text")) && !json_is_null(v))
        read_text(v, "venue_text", 0, 255, a, d, &f->venue_text);
    if ((v = json_object_get(src, "gst_number")) && !json_is_null(v))
        read_text(v, "gst_number", 0, 50, a, d, &f->gst_number);
    if ((v = json_object_get(src, "max_capacity")) &&
        read_int(v, "max_capacity", 0, 1000000, d, &n))
        f->max_capacity = (int)n;
    if ((v = json_object_get(src, "is_paid")))
        read_bool(v, "is_paid", d, &f->is_paid);
    if ((v = json_object_get(src, "allow_plus_one")))
        read_bool(v, "allow_plus_one", d, &f->allow_plus_one);
    if ((v = json_object_get(src, "is_public")))
        read_bool(v, "is_public", d, &f->is_public);
    if ((v = json_object_get(src, "ticket_price")))
        read_money(v, "ticket_price", d, &f->ticket_price_minor);
    if ((v = json_object_get(src, "allowed_genders")))
        read_enum(v, "allowed_genders", GENDERS, "'all', 'male', 'female' or 'non_binary'", d,
                  f->allowed_genders, sizeof f->allowed_genders);
    if ((v = json_object_get(src, "currency")) &&
        read_enum(v, "currency", CURRENCIES, "'INR', 'USD', 'EUR' or 'GBP'", d, f->currency,
                  sizeof f->currency))
        for (char *c = f->currency; *c; c++)
            *c = (char)toupper((unsigned char)*c);
    if ((v = json_object_get(src, "status")))
        read_enum(v, "status", creating ? CREATE_STATUSES : STATUSES,
                  creating ? "'draft' or 'published' when creating"
                           : "'draft', 'published', 'cancelled', 'completed' or 'postponed'",
                  d, f->status, sizeof f->status);
    if ((v = json_object_get(src, "venue_id"))) {
        if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            f->venue_id = 0;
        else if (read_int(v, "venue_id", 1, INT64_MAX, d, &n))
            f->venue_id = n;
    }
}

const char *event_fields_apply(event_fields_t *f, json_t *src, bool creating, arena_t *a,
                               json_t *details, const char **msg)
{
    const char *code = apply_times(f, src, details, msg);
    if (code)
        return code;
    apply_simple(f, src, creating, a, details);
    json_t *v = json_object_get(src, "event_interest_ids");
    if (v && !(json_is_string(v) && !*json_string_value(v)))
        code = apply_interests(f, v, details, msg);
    return code;
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
