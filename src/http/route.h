/*
 * route.h: what a route declares. A module publishes a table of route_def_t;
 * the server enforces every declaration before the handler runs, in one
 * order: match -> guard (auth) -> parse body -> validate fields -> handler
 * -> render. So a handler only ever sees an authorised caller and checked
 * input, and returns NULL (it wrote its success response) or an error that
 * the one renderer answers in the route's envelope. How to add a route:
 * docs/ARCHITECTURE.md, "How to add an endpoint".
 */
#ifndef LOOPIN_ROUTE_H
#define LOOPIN_ROUTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "op.h"

/* Who may call. There is deliberately no default: a route whose auth is
 * AUTH_UNDECLARED stops start-up. Guard answers are listed in auth/guard.h. */
typedef enum {
    AUTH_UNDECLARED = 0,
    AUTH_ANONYMOUS,       /* nobody is identified; the token is not looked at */
    AUTH_OPTIONAL,        /* a valid token of an active account identifies; else anonymous */
    AUTH_BEARER_OPTIONAL, /* an "Authorization: Bearer ..." header must be present (FastAPI's
                             HTTPBearer), but a bad token is anonymous */
    AUTH_SIGNED_IN,       /* any valid account, waitlisted ones too */
    AUTH_ACTIVE,          /* active accounts (waitlisted: 403 ACCOUNT_WAITLISTED) */
    AUTH_HOST,            /* active, and route->owner() accepts the object (host or staff) */
    AUTH_STAFF,           /* is_staff or is_superuser */
    AUTH_SUPERUSER,       /* is_staff and is_superuser */
} auth_level_t;

enum {
    AUTHF_NO_PROMOTION = 1, /* do not promote a due waitlisted account on this route */
    AUTHF_WAITLISTED = 2,   /* AUTH_OPTIONAL: a waitlisted account is identified, not a guest */
};

/* How the route's own (handler) errors are shaped. Guard and validation
 * errors always use ENVELOPE_DETAIL (clients expect the same 401/403/422
 * everywhere). */
typedef enum {
    ENVELOPE_DETAIL = 0, /* {"detail": msg, "error_code": code} */
    ENVELOPE_AUTH,       /* AuthResponse {"success": false, "message", "data": null, "token": null,
                            "detail", "error_code"} (API.md section 3) */
    ENVELOPE_EVENT,      /* {"success": false, "error", "detail", "error_code", "details": {}} */
} envelope_t;

/* ---- fields ----------------------------------------------------------------
 * One spec for JSON body keys, form/multipart fields and query parameters.
 * Values are checked in this order: presence (default, required), type,
 * length or range, choices, pattern, then the field's own check. Each failure
 * adds one FastAPI-style detail; all fields are checked before answering. */

/* Path parameters are typed by the pattern ({id:int}); declare one as a
 * FIELD_PATH field only for a rule beyond its type (a pattern, a check). */
typedef enum { FIELD_BODY = 0, FIELD_QUERY, FIELD_PATH } field_in_t;

typedef enum {
    FT_STRING = 1, /* min_len/max_len in characters (valid UTF-8 required) */
    FT_INT,        /* JSON integer, or its decimal text (forms, queries, lax JSON) */
    FT_BOOL,       /* JSON boolean, or true/false (any case) or 1/0 as text */
    FT_NUMBER,     /* JSON number, or its decimal text */
    FT_LIST,       /* JSON array (or, in a form, a JSON array in the text); items min/max_len */
    FT_ANY,        /* any JSON value (or form text); only the check applies */
    FT_FILES,      /* multipart parts with a filename; count min/max_len */
} field_type_t;

enum {
    F_REQUIRED = 1 << 0,     /* absent: "missing" */
    F_NULLABLE = 1 << 1,     /* JSON null is accepted (and reads as absent-but-present) */
    F_TRIM = 1 << 2,         /* strings: surrounding whitespace removed before the checks */
    F_EMPTY_ABSENT = 1 << 3, /* an empty string counts as absent (FastAPI forms) */
    F_STRICT = 1 << 4,       /* JSON only: no text spellings of numbers and booleans */
    F_BYTES = 1 << 6,        /* query/form text compared as bytes: need not be UTF-8 (no
                                lengths, choices or patterns then) */
    F_ICASE = 1 << 5,        /* choices match case-insensitively; the value becomes the choice */
};

/* A field's own rule, after the generic ones passed. Returns NULL, or a
 * sentence that becomes a "value_error" detail ("Value error, <sentence>");
 * or, when it sets *type (e.g. "date_type", "int_type"), a detail of that
 * type with the sentence as it is. May replace the value with a normalised
 * one (*out, a new reference). */
typedef const char *(*field_check_fn)(arena_t *a, json_t *value, json_t **out, const char **type);

/* A ready check: a date or date-time (clock_parse_iso), replaced by its
 * microseconds since the epoch (read it with in_int). */
const char *field_check_datetime(arena_t *a, json_t *value, json_t **out, const char **type);

typedef struct field {
    const char *name;
    field_type_t type;
    unsigned flags;
    field_in_t in;
    int64_t min_len, max_len;   /* strings (characters), lists and files (items); 0 = unbounded */
    int64_t min, max;           /* ints and numbers; applied when either is non-zero */
    const char *const *choices; /* strings: NULL-terminated allowed values; any other value,
                                   of any JSON type, is an "enum" detail (FastAPI's Enum) */
    const char *pattern;        /* strings: POSIX extended regex the whole value must match */
    const char *def;            /* default when absent, as text parsed by the type */
    field_check_fn check;
} field_t;

/* Checked input, read by name (a name not in the route's spec is a
 * programming error: logged, reads as absent). */
typedef struct input input_t;

bool in_has(const input_t *in, const char *name);        /* present, null included */
json_t *in_json(const input_t *in, const char *name);    /* borrowed; NULL when absent */
const char *in_str(const input_t *in, const char *name); /* NULL when absent or null */
int64_t in_int(const input_t *in, const char *name, int64_t def);
double in_number(const input_t *in, const char *name, double def);
bool in_bool(const input_t *in, const char *name, bool def);
/* Files of an FT_FILES field (pointers into the request), *n their count. */
const http_file_t *const *in_files(const input_t *in, const char *name, int *n);

/* ---- routes --------------------------------------------------------------- */

typedef err_t *(*route_fn)(http_req_t *req, op_t *op, const input_t *in);
/* AUTH_HOST: may this actor act on the route's object? NULL, or the 404/403. */
typedef err_t *(*route_owner_fn)(http_req_t *req, op_t *op);

typedef struct route_def {
    int method; /* one HTTP_* */
    const char *pattern;
    route_fn handler;
    auth_level_t auth;
    unsigned auth_flags;   /* AUTHF_* */
    int body;              /* BODY_* kinds accepted (anything else is 415) */
    const field_t *fields; /* terminated by an entry with name NULL; or NULL */
    envelope_t envelope;   /* shape of the handler's errors */
    route_owner_fn owner;  /* required for AUTH_HOST */
    bool no_db;            /* does not borrow a database connection */
    bool body_optional;    /* an empty body is no body (fields absent), not bad JSON */
    bool test_only;        /* exists only with LOOPIN_TEST_MODE=1 */
    bool idempotent;       /* honours Idempotency-Key (http/idempotency.h): routes that move
                              money or seats; a signed-in auth level and a writing method */
    const char *tag;       /* OpenAPI tag (documentation) */
} route_def_t;

#define ROUTES_END                                                                                 \
    {                                                                                              \
        0                                                                                          \
    }
#define FIELDS_END                                                                                 \
    {                                                                                              \
        0                                                                                          \
    }

/* For the pipeline and tests: validates req's query and body against the
 * route's fields. NULL and *in set, or the 422. */
err_t *route_validate(http_req_t *req, const route_def_t *def, input_t **in);

/* A handler's last line: the domain call's error (rendered by the pipeline),
 * or *out as the JSON answer with status. out is read here, after the domain
 * call returned, which `return http_reply_result(req, 200, f(op, &out), &out)`
 * relies on (C leaves the order of a call's arguments unspecified). */
err_t *http_reply_result(http_req_t *req, int status, err_t *e, json_t **out);
void input_free(input_t *in);

#endif
