/*
 * audience.h: the campaign audience rule engine (issue 13 point 5; API.md 16
 * "Rule engine"). Staff describe who gets a campaign with a JSON document
 * {"all": [rule, ...], "any": [rule, ...]}, a rule being
 * {"field": F, "op": O, "value": V} over a whitelist of fields; this turns it
 * into one SQL predicate over users `u` and user_profiles `p`, the same text
 * on both databases. Every value is a bound parameter: the SQL is built only
 * from fixed fragments and parameter numbers. audience.c lists the fields,
 * their operators and the SQL each becomes.
 */
#ifndef LOOPIN_AUDIENCE_H
#define LOOPIN_AUDIENCE_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "op.h"

#define AUDIENCE_MAX_RULES  20  /* per list ("all", "any") */
#define AUDIENCE_MAX_IN     50  /* values of one "in" rule */
#define AUDIENCE_MAX_VALUES 250 /* bound values of the whole document (422 beyond) */
#define AUDIENCE_MAX_TEXT   100 /* characters of a location or interest text */
/* The rules' values plus the recipient query's own two (audience_query). */
#define AUDIENCE_MAX_PARAMS 256

typedef struct {
    const char *where;                      /* arena: a boolean SQL expression over u and p */
    db_param_t params[AUDIENCE_MAX_PARAMS]; /* text values point into the arena */
    int nparams;                            /* numbered $first .. $first + nparams - 1 */
} audience_sql_t;

/* Validates and compiles a rule document, its parameters numbered from
 * first_param. NULL on success; else a 422 err_validation whose details use
 * FastAPI's shape with loc ["body", "audience", "all"|"any", index,
 * "field"|"op"|"value"(, position in the list)] for each problem found. The
 * output does not refer to rules (strings are copied into the arena). */
err_t *audience_compile(arena_t *arena, const json_t *rules, int first_param, audience_sql_t *out);

/* The whole recipient query, "SELECT u.id FROM users u JOIN user_profiles p
 * ON p.user_id = u.id WHERE <base> AND (<rules>)", where base keeps active
 * accounts that are neither staff nor superusers, with an active device and
 * push on for push_type (their choice in notification_preferences, else
 * notification_push_default(push_type): off for promotional). Parameters are
 * numbered from $1 (out->nparams of them); a caller may append ORDER BY,
 * LIMIT and parameters of its own after them. */
err_t *audience_query(arena_t *arena, const json_t *rules, const char *push_type,
                      audience_sql_t *out, const char **select_sql);

/* How many people audience_query selects now, counted on op->db. */
err_t *audience_count(op_t *op, const json_t *rules, const char *push_type, int64_t *count);

#endif
