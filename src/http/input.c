/*
 * input.c: JSON body field access with validation details in FastAPI's
 * shape (the mobile apps parse it).
 */
#include "http/input.h"

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
            http_detail_add(details, "missing", "body", field, "Field required", json_incref(obj));
        return NULL;
    }
    if (json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        http_detail_add(details, "string_type", "body", field, "Input should be a valid string",
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
    http_detail_add(details, "value_error", "body", field, msg,
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
