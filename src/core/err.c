/*
 * err.c: building error values (contract in err.h). Rendering is the HTTP
 * layer's job (http/render.c); nothing here knows about responses.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

err_t *err_new(arena_t *a, int status, const char *code, const char *fmt, ...)
{
    err_t *e = arena_alloc(a, sizeof *e);
    va_list ap;
    va_start(ap, fmt);
    e->message = arena_vprintf(a, fmt, ap);
    va_end(ap);
    e->status = status;
    e->code = code;
    return e;
}

err_t *err_validation(arena_t *a, json_t *details)
{
    err_t *e = arena_alloc(a, sizeof *e);
    e->status = 422;
    e->code = "VALIDATION_ERROR";
    e->message = "Validation error";
    e->details = details;
    return e;
}

void err_detail_add(json_t *details, const char *type, const char *where, const char *field,
                    const char *msg, json_t *input)
{
    json_t *loc = json_array();
    json_array_append_new(loc, json_string(where));
    if (field)
        json_array_append_new(loc, json_string(field));
    json_t *d = json_object();
    json_object_set_new(d, "type", json_string(type));
    json_object_set_new(d, "loc", loc);
    json_object_set_new(d, "msg", json_string(msg));
    json_object_set_new(d, "input", input ? input : json_null());
    json_array_append_new(details, d);
}

err_t *err_field(arena_t *a, const char *type, const char *where, const char *field,
                 const char *msg, json_t *input)
{
    json_t *details = json_array();
    err_detail_add(details, type, where, field, msg, input);
    return err_validation(a, details);
}

void err_discard(err_t *e)
{
    if (!e)
        return;
    json_decref(e->details);
    json_decref(e->context);
    e->details = e->context = NULL;
}

int errbuf(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}
