/*
 * input.h: reading fields out of a JSON request body with FastAPI-style 422
 * details, so every endpoint reports a missing or mistyped field the same
 * way: {"type":"missing","loc":["body","name"],"msg":"Field required",...}.
 */
#ifndef LOOPIN_INPUT_H
#define LOOPIN_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* The body as an object, or NULL with a 422 written. */
json_t *input_object(http_req_t *req);

/* A string field: NULL when absent (detail added when required) or not a
 * string (detail added). */
const char *input_string(json_t *details, json_t *obj, const char *field, bool required);

/* Adds a "value_error" detail: msg becomes "Value error, <text>". */
void input_value_error(json_t *details, json_t *obj, const char *field, const char *text);

/* An optional integer query parameter in [min, max]: true and *out set (or
 * untouched when absent), false with an int_parsing / greater_than_equal /
 * less_than_equal detail. */
bool input_query_int(http_req_t *req, json_t *details, const char *name, int64_t min, int64_t max,
                     int64_t *out);

/* Writes the 422 when details is non-empty (returns -1), else frees it and
 * returns 0. */
int input_finish(http_req_t *req, json_t *details);

#endif
