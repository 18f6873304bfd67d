/*
 * fields.c: the one validator of request input (field specs in route.h).
 * Every documented 422 message comes from here, in FastAPI's (pydantic v2)
 * words, so a client sees the same detail for the same mistake on any route.
 * Checked values are kept as JSON (text spellings already converted) and read
 * by name with the in_* accessors.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "http/route.h"
#include "http/router.h"

typedef struct {
    const field_t *f;
    bool present;
    json_t *v; /* borrowed from in->hold; NULL for JSON null */
    const http_file_t **files;
    int nfiles;
} input_val_t;

struct input {
    int n;
    input_val_t *vals;
    json_t *hold; /* owns every value */
};

/* ---- reading checked input ------------------------------------------------ */

static const input_val_t *find(const input_t *in, const char *name)
{
    for (int i = 0; in && i < in->n; i++)
        if (strcmp(in->vals[i].f->name, name) == 0)
            return &in->vals[i];
    log_msg(LOG_ERROR, "field read that the route does not declare", "field", name, NULL);
    return NULL;
}

bool in_has(const input_t *in, const char *name)
{
    const input_val_t *v = find(in, name);
    return v && v->present;
}

json_t *in_json(const input_t *in, const char *name)
{
    const input_val_t *v = find(in, name);
    return v && v->present ? v->v : NULL;
}

const char *in_str(const input_t *in, const char *name)
{
    json_t *v = in_json(in, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *field_check_datetime(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    int64_t t;
    if (!clock_parse_iso(json_string_value(v), &t)) {
        *type = "datetime_parsing";
        return "Input should be a valid datetime or date";
    }
    *out = json_integer(t);
    return NULL;
}

int64_t in_int(const input_t *in, const char *name, int64_t def)
{
    json_t *v = in_json(in, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

double in_number(const input_t *in, const char *name, double def)
{
    json_t *v = in_json(in, name);
    return json_is_number(v) ? json_number_value(v) : def;
}

bool in_bool(const input_t *in, const char *name, bool def)
{
    json_t *v = in_json(in, name);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

const http_file_t *const *in_files(const input_t *in, const char *name, int *n)
{
    const input_val_t *v = find(in, name);
    *n = v ? v->nfiles : 0;
    return v ? (const http_file_t *const *)v->files : NULL;
}

void input_free(input_t *in)
{
    if (in)
        json_decref(in->hold);
}

/* ---- the checks ------------------------------------------------------------- */

typedef struct {
    http_req_t *req;
    json_t *details;
    const char *where; /* "body" or "query" */
    json_t *body;      /* the JSON body object, for "missing" inputs */
} vctx_t;

static void fail(vctx_t *x, const field_t *f, const char *type, const char *msg, json_t *input)
{
    err_detail_add(x->details, type, x->where, f->name, msg, json_incref(input));
}

static const char *plural(int64_t n, const char *word)
{
    return n == 1 ? word : (strcmp(word, "character") == 0 ? "characters" : "items");
}

/* FT_INT: a JSON integer or its decimal text. NULL when it does not parse. */
static json_t *as_int(const field_t *f, json_t *v, bool text, vctx_t *x)
{
    int64_t n;
    if (json_is_integer(v))
        return json_incref(v);
    if (json_is_string(v) && (text || !(f->flags & F_STRICT)) &&
        router_parse_int(json_string_value(v), &n))
        return json_integer(n);
    if (json_is_string(v))
        fail(x, f, "int_parsing",
             "Input should be a valid integer, unable to parse string as an integer", v);
    else
        fail(x, f, "int_type", "Input should be a valid integer", v);
    return NULL;
}

static json_t *as_number(const field_t *f, json_t *v, bool text, vctx_t *x)
{
    if (json_is_number(v))
        return json_real(json_number_value(v));
    if (json_is_string(v) && (text || !(f->flags & F_STRICT))) {
        const char *s = json_string_value(v);
        char *end;
        double d = strtod(s, &end);
        if (*s && !*end && d == d)
            return json_real(d);
        fail(x, f, "float_parsing",
             "Input should be a valid number, unable to parse string as a number", v);
        return NULL;
    }
    fail(x, f, "float_type", "Input should be a valid number", v);
    return NULL;
}

static json_t *as_bool(const field_t *f, json_t *v, bool text, vctx_t *x)
{
    /* the spellings clients send; "yes"/"on" are refused as ambiguous */
    static const char *const yes[] = {"true", "1", NULL};
    static const char *const no[] = {"false", "0", NULL};
    if (json_is_boolean(v))
        return json_incref(v);
    if (json_is_string(v) && (text || !(f->flags & F_STRICT))) {
        const char *s = json_string_value(v);
        for (int i = 0; yes[i]; i++)
            if (strcasecmp(s, yes[i]) == 0)
                return json_true();
        for (int i = 0; no[i]; i++)
            if (strcasecmp(s, no[i]) == 0)
                return json_false();
        fail(x, f, "bool_parsing", "Input should be a valid boolean, unable to interpret input", v);
        return NULL;
    }
    fail(x, f, "bool_type", "Input should be a valid boolean", v);
    return NULL;
}

/* "'a', 'b' or 'c'" */
static const char *choices_text(arena_t *a, const field_t *f)
{
    const char *text = "";
    for (int i = 0; f->choices[i]; i++) {
        const char *sep = i == 0 ? "" : f->choices[i + 1] ? ", " : " or ";
        text = arena_printf(a, "%s%s'%s'", text, sep, f->choices[i]);
    }
    return text;
}

/* Adds a detail with FastAPI's ctx object (one key). */
static void fail_ctx(vctx_t *x, const field_t *f, const char *type, const char *msg, json_t *input,
                     const char *key, const char *value)
{
    fail(x, f, type, msg, input);
    json_object_set_new(json_array_get(x->details, json_array_size(x->details) - 1), "ctx",
                        json_pack("{s:s}", key, value));
}

/* The matching choice, or NULL with the enum detail added. */
static const char *choice_of(const field_t *f, json_t *v, vctx_t *x)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    for (int i = 0; s && f->choices[i]; i++)
        if ((f->flags & F_ICASE) ? strcasecmp(f->choices[i], s) == 0
                                 : strcmp(f->choices[i], s) == 0)
            return f->choices[i];
    const char *expected = choices_text(&x->req->arena, f);
    fail_ctx(x, f, "enum", arena_printf(&x->req->arena, "Input should be %s", expected), v,
             "expected", expected);
    return NULL;
}

static bool pattern_ok(const field_t *f, const char *s, vctx_t *x, json_t *v)
{
    if (!f->pattern)
        return true;
    const regex_t *re = router_field_regex(x->req->app->router, f);
    if (re && regexec(re, s, 0, NULL, 0) == 0)
        return true;
    char *msg = arena_printf(&x->req->arena, "String should match pattern '%s'", f->pattern);
    fail_ctx(x, f, "string_pattern_mismatch", msg, v, "pattern", f->pattern);
    return false;
}

static json_t *as_string(const field_t *f, json_t *v, vctx_t *x)
{
    if (f->choices) {
        const char *c = choice_of(f, v, x);
        return c ? json_string(c) : NULL;
    }
    if (!json_is_string(v)) {
        fail(x, f, "string_type", "Input should be a valid string", v);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (f->flags & F_BYTES)
        return json_incref(v);
    long n = text_utf8_length(s);
    if (n < 0) {
        fail(x, f, "string_unicode",
             "Input should be a valid string, unable to parse raw data as a unicode string", NULL);
        return NULL;
    }
    if (f->flags & F_TRIM) {
        s = text_trim(&x->req->arena, s);
        n = text_utf8_length(s);
    }
    if (n < f->min_len || (f->max_len && n > f->max_len)) {
        bool shorter = n < f->min_len;
        int64_t lim = shorter ? f->min_len : f->max_len;
        char *msg =
            arena_printf(&x->req->arena, "String should have at %s %lld %s",
                         shorter ? "least" : "most", (long long)lim, plural(lim, "character"));
        fail(x, f, shorter ? "string_too_short" : "string_too_long", msg, v);
        return NULL;
    }
    if (!pattern_ok(f, s, x, v))
        return NULL;
    return json_string(s);
}

static json_t *as_list(const field_t *f, json_t *v, bool text, vctx_t *x)
{
    json_t *list = json_incref(v);
    if (text && json_is_string(v)) {
        json_decref(list);
        list = json_loads(json_string_value(v), JSON_DECODE_ANY, NULL);
    }
    if (!json_is_array(list)) {
        json_decref(list);
        fail(x, f, "list_type", "Input should be a valid list", v);
        return NULL;
    }
    int64_t n = (int64_t)json_array_size(list);
    if (n < f->min_len || (f->max_len && n > f->max_len)) {
        bool shorter = n < f->min_len;
        int64_t lim = shorter ? f->min_len : f->max_len;
        char *msg = arena_printf(
            &x->req->arena, "List should have at %s %lld %s after validation, not %lld",
            shorter ? "least" : "most", (long long)lim, plural(lim, "item"), (long long)n);
        fail(x, f, shorter ? "too_short" : "too_long", msg, v);
        json_decref(list);
        return NULL;
    }
    return list;
}

static bool range_ok(const field_t *f, json_t *v, vctx_t *x, json_t *input)
{
    if (!f->min && !f->max)
        return true;
    double d = json_number_value(v);
    if (d < (double)f->min || d > (double)f->max) {
        bool low = d < (double)f->min;
        char *msg = arena_printf(&x->req->arena, "Input should be %s than or equal to %lld",
                                 low ? "greater" : "less", (long long)(low ? f->min : f->max));
        fail(x, f, low ? "greater_than_equal" : "less_than_equal", msg, input);
        return false;
    }
    return true;
}

/* The type, size and own rule of one present, non-null value. A new
 * reference, or NULL with a detail added. */
static json_t *check_value(const field_t *f, json_t *v, bool text, vctx_t *x)
{
    json_t *out = NULL;
    switch (f->type) {
    case FT_STRING:
        out = as_string(f, v, x);
        break;
    case FT_INT:
        out = as_int(f, v, text, x);
        break;
    case FT_NUMBER:
        out = as_number(f, v, text, x);
        break;
    case FT_BOOL:
        out = as_bool(f, v, text, x);
        break;
    case FT_LIST:
        out = as_list(f, v, text, x);
        break;
    default:
        out = json_incref(v);
    }
    if (out && (f->type == FT_INT || f->type == FT_NUMBER) && !range_ok(f, out, x, v)) {
        json_decref(out);
        return NULL;
    }
    if (out && f->check) {
        json_t *norm = NULL;
        const char *type = NULL;
        const char *why = f->check(&x->req->arena, out, &norm, &type);
        if (why) {
            fail(x, f, type ? type : "value_error",
                 type ? why : arena_printf(&x->req->arena, "Value error, %s", why), v);
            json_decref(norm);
            json_decref(out);
            return NULL;
        }
        if (norm) {
            json_decref(out);
            out = norm;
        }
    }
    return out;
}

/* ---- where values come from ------------------------------------------------- */

/* The raw value of a field (a new reference), NULL when absent; *text tells
 * whether it arrived as text (query, form) rather than JSON. Text that is
 * not UTF-8 sets *bad_text instead (JSON text never can be: the parser
 * refuses it). */
static json_t *raw_value(http_req_t *req, const field_t *f, bool *text, bool *bad_text)
{
    *text = true;
    *bad_text = false;
    const char *v;
    if (f->in == FIELD_QUERY) {
        v = http_query(req, f->name);
    } else if (f->in == FIELD_PATH) {
        v = http_param(req, f->name);
    } else if (req->body_kind == BODY_JSON) {
        *text = false;
        return json_incref(json_object_get(req->json, f->name));
    } else {
        v = http_form(req, f->name);
    }
    if (v && (f->flags & F_BYTES))
        return json_string_nocheck(v);
    if (v && text_utf8_length(v) < 0) {
        *bad_text = true;
        return NULL;
    }
    return v ? json_string(v) : NULL;
}

static void take_files(http_req_t *req, const field_t *f, input_val_t *iv, vctx_t *x)
{
    int n = 0;
    for (int i = 0; i < req->nfiles; i++)
        n += strcmp(req->files[i].field, f->name) == 0;
    iv->files = arena_alloc(&req->arena, sizeof *iv->files * (size_t)(n + 1));
    for (int i = 0; i < req->nfiles; i++)
        if (strcmp(req->files[i].field, f->name) == 0)
            iv->files[iv->nfiles++] = &req->files[i];
    iv->present = n > 0;
    if (n == 0 && (f->flags & F_REQUIRED)) {
        fail(x, f, "missing", "Field required", NULL);
    } else if (n < f->min_len || (f->max_len && n > f->max_len)) {
        bool fewer = n < f->min_len;
        int64_t lim = fewer ? f->min_len : f->max_len;
        char *msg =
            arena_printf(&req->arena, "List should have at %s %lld %s after validation, not %d",
                         fewer ? "least" : "most", (long long)lim, plural(lim, "item"), n);
        fail(x, f, fewer ? "too_short" : "too_long", msg, NULL);
    }
}

static void check_field(http_req_t *req, const field_t *f, input_val_t *iv, json_t *hold, vctx_t *x)
{
    x->where = f->in == FIELD_QUERY ? "query" : f->in == FIELD_PATH ? "path" : "body";
    if (f->type == FT_FILES) {
        take_files(req, f, iv, x);
        return;
    }
    bool text, bad_text;
    json_t *raw = raw_value(req, f, &text, &bad_text);
    if (bad_text) {
        fail(x, f, "string_unicode",
             "Input should be a valid string, unable to parse raw data as a unicode string", NULL);
        return;
    }
    if (raw && json_is_string(raw) && json_string_length(raw) == 0 && (f->flags & F_EMPTY_ABSENT)) {
        json_decref(raw);
        raw = NULL;
    }
    if (!raw && f->def) {
        raw = json_string(f->def);
        text = true;
    }
    if (!raw || (json_is_null(raw) && !(f->flags & F_NULLABLE))) {
        /* absent: fine unless required; null where null is not allowed:
         * "missing" when required (FastAPI's Body(...)), else the type's error */
        if (raw && !(f->flags & F_REQUIRED))
            json_decref(check_value(f, raw, false, x));
        else if (f->flags & F_REQUIRED)
            fail(x, f, "missing", "Field required", f->in == FIELD_BODY ? x->body : NULL);
        json_decref(raw);
        return;
    }
    iv->present = true;
    if (json_is_null(raw)) {
        json_decref(raw);
        return;
    }
    json_t *v = check_value(f, raw, text, x);
    json_decref(raw);
    if (v) {
        json_array_append_new(hold, v);
        iv->v = v;
    }
}

static int count_fields(const field_t *fields)
{
    int n = 0;
    while (fields && fields[n].name)
        n++;
    return n;
}

static bool wants_body(const route_def_t *def)
{
    for (int i = 0; def->fields && def->fields[i].name; i++)
        if (def->fields[i].in == FIELD_BODY)
            return true;
    return false;
}

err_t *route_validate(http_req_t *req, const route_def_t *def, input_t **out)
{
    input_t *in = arena_alloc(&req->arena, sizeof *in);
    in->n = count_fields(def->fields);
    in->vals = arena_alloc(&req->arena, sizeof *in->vals * (size_t)(in->n + 1));
    in->hold = json_array();
    *out = in;
    if (wants_body(def) && req->body_kind == BODY_JSON && !json_is_object(req->json))
        return err_field(&req->arena, "dict_type", "body", NULL,
                         "Input should be a valid dictionary or object to extract fields from",
                         json_incref(req->json));
    vctx_t x = {.req = req, .details = json_array(), .body = req->json};
    for (int i = 0; i < in->n; i++) {
        in->vals[i].f = &def->fields[i];
        check_field(req, &def->fields[i], &in->vals[i], in->hold, &x);
    }
    if (json_array_size(x.details) == 0) {
        json_decref(x.details);
        return NULL;
    }
    return err_validation(&req->arena, x.details);
}
