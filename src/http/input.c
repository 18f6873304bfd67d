/*
 * input.c: JSON body field access with validation details in FastAPI's
 * shape (the mobile apps parse it).
 */
#include "http/input.h"

#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *input_object(http_req_t *req)
{
    if (json_is_object(req->json))
        return req->json;
    http_error_field(req, "dict_type", "body", NULL,
                     "Input should be a valid dictionary or object to extract fields from",
                     json_incref(req->json));
    return NULL;
}

const char *input_string(json_t *details, json_t *obj, const char *field, bool required)
{
    json_t *v = json_object_get(obj, field);
    if (!v || (json_is_null(v) && required)) {
        if (required)
            err_detail_add(details, "missing", "body", field, "Field required", json_incref(obj));
        return NULL;
    }
    if (json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        err_detail_add(details, "string_type", "body", field, "Input should be a valid string",
                       json_incref(v));
        return NULL;
    }
    return json_string_value(v);
}

void input_value_error(json_t *details, json_t *obj, const char *field, const char *text)
{
    size_t n = strlen(text) + 16;
    char *msg = malloc(n);
    if (!msg)
        abort();
    snprintf(msg, n, "Value error, %s", text);
    err_detail_add(details, "value_error", "body", field, msg,
                   json_incref(json_object_get(obj, field)));
    free(msg);
}

int input_finish(http_req_t *req, json_t *details)
{
    if (json_array_size(details) == 0) {
        json_decref(details);
        return 0;
    }
    http_error_validation(req, details);
    return -1;
}

bool input_query_int(http_req_t *req, json_t *details, const char *name, int64_t min, int64_t max,
                     int64_t *out)
{
    const char *v = http_query(req, name);
    if (!v)
        return true;
    int64_t n;
    if (!router_parse_int(v, &n)) {
        err_detail_add(details, "int_parsing", "query", name,
                       "Input should be a valid integer, unable to parse string as an integer",
                       json_string(v));
        return false;
    }
    if (n < min || n > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "Input should be %s than or equal to %lld",
                 n < min ? "greater" : "less", (long long)(n < min ? min : max));
        err_detail_add(details, n < min ? "greater_than_equal" : "less_than_equal", "query", name,
                       msg, json_string(v));
        return false;
    }
    *out = n;
    return true;
}
