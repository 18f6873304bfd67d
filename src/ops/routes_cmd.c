/*
 * routes_cmd.c: `loopin routes`: the route table as the modules declare it
 * (method, path, auth level, body kinds, envelope, fields with their rules),
 * as text for people or JSON for tools. The OpenAPI test compares this with
 * docs/openapi.json, so the document cannot drift from the code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "ops/ops.h"

static const char *const auth_names[] = {
    [AUTH_UNDECLARED] = "undeclared",
    [AUTH_ANONYMOUS] = "anonymous",
    [AUTH_OPTIONAL] = "optional",
    [AUTH_BEARER_OPTIONAL] = "bearer_optional",
    [AUTH_SIGNED_IN] = "signed_in",
    [AUTH_ACTIVE] = "active",
    [AUTH_HOST] = "host",
    [AUTH_STAFF] = "staff",
    [AUTH_SUPERUSER] = "superuser",
};
static const char *const type_names[] = {
    [FT_STRING] = "string", [FT_INT] = "integer", [FT_BOOL] = "boolean", [FT_NUMBER] = "number",
    [FT_LIST] = "array",    [FT_ANY] = "any",     [FT_FILES] = "files",
};
static const char *const in_names[] = {
    [FIELD_BODY] = "body", [FIELD_QUERY] = "query", [FIELD_PATH] = "path"};
static const char *const envelope_names[] = {
    [ENVELOPE_DETAIL] = "detail", [ENVELOPE_AUTH] = "auth", [ENVELOPE_EVENT] = "event"};

static json_t *body_kinds(int body)
{
    json_t *a = json_array();
    if (body & BODY_JSON)
        json_array_append_new(a, json_string("application/json"));
    if (body & BODY_URLENCODED)
        json_array_append_new(a, json_string("application/x-www-form-urlencoded"));
    if (body & BODY_MULTIPART)
        json_array_append_new(a, json_string("multipart/form-data"));
    return a;
}

static json_t *field_json(const field_t *f)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", f->name, "in", in_names[f->in],
                          "type", type_names[f->type], "required", (f->flags & F_REQUIRED) != 0,
                          "nullable", (f->flags & F_NULLABLE) != 0);
    if (f->min_len)
        json_object_set_new(o, "min_length", json_integer(f->min_len));
    if (f->max_len)
        json_object_set_new(o, "max_length", json_integer(f->max_len));
    if (f->min || f->max) {
        json_object_set_new(o, "minimum", json_integer(f->min));
        json_object_set_new(o, "maximum", json_integer(f->max));
    }
    if (f->choices) {
        json_t *c = json_array();
        for (int i = 0; f->choices[i]; i++)
            json_array_append_new(c, json_string(f->choices[i]));
        json_object_set_new(o, "enum", c);
    }
    if (f->pattern)
        json_object_set_new(o, "pattern", json_string(f->pattern));
    if (f->def)
        json_object_set_new(o, "default", json_string(f->def));
    if (f->check)
        json_object_set_new(o, "checked", json_true());
    return o;
}

static json_t *route_json(const module_t *m, const route_def_t *d)
{
    json_t *fields = json_array();
    for (const field_t *f = d->fields; f && f->name; f++)
        json_array_append_new(fields, field_json(f));
    const char *auth = d->auth <= AUTH_SUPERUSER ? auth_names[d->auth] : "undeclared";
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:b, s:b, s:s?, s:o}", "module", m->name,
                     "method", http_method_name((http_method_t)d->method), "path", d->pattern,
                     "auth", auth, "body", body_kinds(d->body), "envelope",
                     envelope_names[d->envelope], "test_only", d->test_only, "database", !d->no_db,
                     "idempotent", d->idempotent, "tag", d->tag, "fields", fields);
}

int routes_print(FILE *out, bool as_json)
{
    json_t *all = json_array();
    for (int m = 0; loopin_modules[m]; m++)
        for (const route_def_t *d = loopin_modules[m]->routes; d && d->pattern; d++)
            json_array_append_new(all, route_json(loopin_modules[m], d));
    if (as_json) {
        char *s = json_dumps(all, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        fprintf(out, "%s\n", s ? s : "[]");
        free(s);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(all, i, r)
        {
            fprintf(out, "%-7s %-62s %-16s %s%s\n", json_string_value(json_object_get(r, "method")),
                    json_string_value(json_object_get(r, "path")),
                    json_string_value(json_object_get(r, "auth")),
                    json_string_value(json_object_get(r, "module")),
                    json_is_true(json_object_get(r, "test_only")) ? " (test mode)" : "");
        }
    }
    json_decref(all);
    return 0;
}
