/*
 * audience.c: the campaign audience rule engine (audience.h). A document is
 * checked completely first (every problem becomes one FastAPI-style detail),
 * then compiled into one predicate over users `u` and user_profiles `p`.
 * Values only ever reach the database as bound parameters; the SQL text is
 * made of the fixed fragments below and parameter numbers.
 *
 *   field               value                    operators and meaning
 *   profile_completed   boolean                  = != exact: a name and a picture
 *   location            text (1..100 chars)      = exact (case-sensitive), !=, contains
 *                                                (case-sensitive), icontains, in [texts]
 *   is_verified         boolean                  = != exact: p.is_verified
 *   is_active           boolean                  = != exact: p.is_active
 *   interest            name (any case) or id    = exact (has it), != (has not),
 *                                                in [names|ids], icontains (a name has it)
 *   has_attended_event  boolean or event id      = != exact: checked in (at that event);
 *                                                in [event ids]: at one of them
 *   has_active_devices  boolean                  = != exact: an active push device
 */
#include "notifications/audience.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/strbuf.h"
#include "notifications/notifications.h"

/* ---- the whitelist ------------------------------------------------------ */

typedef enum { OP_EQ, OP_NE, OP_EXACT, OP_CONTAINS, OP_ICONTAINS, OP_IN, NOPS } op_kind_t;
static const char *const OP_NAMES[NOPS] = {"=", "!=", "exact", "contains", "icontains", "in"};
#define BIT(op) (1u << (op))
#define OPS_EQ  (BIT(OP_EQ) | BIT(OP_NE) | BIT(OP_EXACT))

/* The kinds of value a field takes. */
enum { V_BOOL = 1, V_TEXT = 2, V_ID = 4 };

/* A profile is complete with a name and at least one picture. The pictures
 * are JSONB on PostgreSQL and JSON text on SQLite (an array either way, by
 * CHECK): as text, an array of URL strings is empty exactly when nothing but
 * brackets and JSON whitespace is left after trimming those. PostgreSQL
 * prints an empty one '[]'; SQLite keeps whatever spacing was stored, so a
 * comparison with '[]' would count '[ ]' as a picture there. */
#define PROFILE_COMPLETE                                                                           \
    "p.name <> '' AND trim(CAST(p.profile_pictures AS TEXT), '[] \t\r\n') <> ''"
/* Attended = checked in at least once: check-in writes attendance_records
 * (src/tickets/checkin.c sets checked_in_at, which an exit keeps), while
 * event_attendees only holds the seats. */
#define ATTENDED_FROM                                                                              \
    "SELECT 1 FROM attendance_records r WHERE r.user_id = u.id AND r.checked_in_at IS NOT NULL"
#define INTEREST_FROM                                                                              \
    "SELECT 1 FROM user_event_interests ui JOIN event_interests i ON i.id = ui.interest_id WHERE " \
    "ui.user_id = u.id AND "

typedef struct compiler compiler_t;
typedef struct rule rule_t;
typedef void (*emit_fn)(compiler_t *c, const rule_t *r);

typedef struct {
    const char *name;
    unsigned ops;      /* BIT(op) of the operators allowed */
    unsigned kinds;    /* values of =, != and exact (contains and icontains take text) */
    unsigned in_kinds; /* elements of an "in" list */
    const char *expr;  /* the boolean a true/false value is compared with, or NULL */
    emit_fn emit;      /* the predicate for other values */
} field_def_t;

struct rule {
    const field_def_t *field;
    op_kind_t op;
    const json_t *value; /* checked; borrowed from the document */
};

static void emit_location(compiler_t *c, const rule_t *r);
static void emit_interest(compiler_t *c, const rule_t *r);
static void emit_attended(compiler_t *c, const rule_t *r);

static const field_def_t FIELDS[] = {
    {"profile_completed", OPS_EQ, V_BOOL, 0, PROFILE_COMPLETE, NULL},
    {"location", OPS_EQ | BIT(OP_CONTAINS) | BIT(OP_ICONTAINS) | BIT(OP_IN), V_TEXT, V_TEXT, NULL,
     emit_location},
    {"is_verified", OPS_EQ, V_BOOL, 0, "p.is_verified", NULL},
    {"is_active", OPS_EQ, V_BOOL, 0, "p.is_active", NULL},
    {"interest", OPS_EQ | BIT(OP_ICONTAINS) | BIT(OP_IN), V_TEXT | V_ID, V_TEXT | V_ID, NULL,
     emit_interest},
    {"has_attended_event", OPS_EQ | BIT(OP_IN), V_BOOL | V_ID, V_ID, "EXISTS (" ATTENDED_FROM ")",
     emit_attended},
    {"has_active_devices", OPS_EQ, V_BOOL, 0,
     "EXISTS (SELECT 1 FROM user_devices d WHERE d.user_id = u.id AND d.is_active = true)", NULL},
};
#define NFIELDS ((int)(sizeof FIELDS / sizeof FIELDS[0]))

static const char *const LISTS[2] = {"all", "any"};
static const char *const DOC_KEYS[] = {"all", "any", NULL};
static const char *const RULE_KEYS[] = {"field", "op", "value", NULL};

/* Every problem is reported, up to this many: a rule with thousands of
 * unknown keys would otherwise be answered with thousands of details that
 * nobody reads, each larger than the key that caused it. */
#define MAX_DETAILS 50

struct compiler {
    arena_t *arena;
    audience_sql_t *out;
    int first;       /* the number of out->params[0] */
    json_t *details; /* problems found, NULL while none */
    const char *list;
    long index; /* where the checker is: list and rule index (-1: none) */
    int values; /* parameters the rules need */
    bool values_reported;
    rule_t rules[2][AUDIENCE_MAX_RULES];
    int nrules[2]; /* -1: the list is absent or malformed */
    strbuf_t sql;
};

/* ---- problems ----------------------------------------------------------- */

/* One detail at ["body", "audience", list, index, key, pos], the parts after
 * "audience" present as far as they are known (list NULL, index or pos -1,
 * key NULL: absent). input is stolen. */
static void problem(compiler_t *c, const char *key, long pos, const char *type, const char *msg,
                    json_t *input)
{
    if (!c->details)
        c->details = json_array();
    if (json_array_size(c->details) >= MAX_DETAILS) {
        json_decref(input);
        return;
    }
    json_t *loc = json_pack("[s, s]", "body", "audience");
    if (c->list)
        json_array_append_new(loc, json_string(c->list));
    if (c->list && c->index >= 0)
        json_array_append_new(loc, json_integer(c->index));
    if (key)
        json_array_append_new(loc, json_string(key));
    if (pos >= 0)
        json_array_append_new(loc, json_integer(pos));
    json_array_append_new(c->details, json_pack("{s:s, s:o, s:s, s:o}", "type", type, "loc", loc,
                                                "msg", msg, "input", input ? input : json_null()));
}

/* jansson's iterators take a json_t * although they only read; nothing in
 * this file writes to the caller's document. */
static json_t *readable(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

/* Reports every key of obj that is not in allowed. */
static void check_keys(compiler_t *c, const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(readable(obj), key, v)
    {
        int k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k])
            problem(c, key, -1, "extra_forbidden", "Extra inputs are not permitted",
                    json_incref(v));
    }
}

/* ---- values --------------------------------------------------------------- */

/* What a value of the given kinds should have been. */
static void wrong_kind(compiler_t *c, unsigned kinds, long pos, json_t *v)
{
    static const struct {
        unsigned kinds;
        const char *type, *msg;
    } WANTED[] = {
        {V_BOOL, "bool_type", "Input should be a valid boolean"},
        {V_TEXT, "string_type", "Input should be a valid string"},
        {V_ID, "int_type", "Input should be a valid integer"},
        {V_TEXT | V_ID, "string_type",
         "Input should be a valid string (a name) or a valid integer (an id)"},
        {V_BOOL | V_ID, "bool_type",
         "Input should be a valid boolean or a valid integer (an event id)"},
    };
    size_t k = 0;
    while (k + 1 < sizeof WANTED / sizeof WANTED[0] && WANTED[k].kinds != kinds)
        k++;
    problem(c, "value", pos, WANTED[k].type, WANTED[k].msg, json_incref(v));
}

/* Text of 1..AUDIENCE_MAX_TEXT characters (UTF-8 code points, as the
 * columns count them), without NUL: it is bound as a C string. */
static bool check_text(compiler_t *c, long pos, json_t *v)
{
    const char *s = json_string_value(v);
    size_t bytes = json_string_length(v), chars = 0;
    if (strlen(s) != bytes) {
        problem(c, "value", pos, "string_type", "Input should be a string without NUL characters",
                json_incref(v));
        return false;
    }
    for (size_t i = 0; i < bytes; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (chars < 1)
        problem(c, "value", pos, "string_too_short", "String should have at least 1 character",
                json_incref(v));
    else if (chars > AUDIENCE_MAX_TEXT)
        problem(
            c, "value", pos, "string_too_long",
            arena_printf(c->arena, "String should have at most %d characters", AUDIENCE_MAX_TEXT),
            json_incref(v));
    return chars >= 1 && chars <= AUDIENCE_MAX_TEXT;
}

/* One value (pos >= 0: an element of an "in" list). Booleans are JSON's
 * true and false only, ids integers from 1. */
static bool check_scalar(compiler_t *c, unsigned kinds, long pos, json_t *v)
{
    if ((kinds & V_BOOL) && json_is_boolean(v))
        return true;
    if ((kinds & V_ID) && json_is_integer(v)) {
        if (json_integer_value(v) >= 1)
            return true;
        problem(c, "value", pos, "greater_than_equal", "Input should be greater than or equal to 1",
                json_incref(v));
        return false;
    }
    if ((kinds & V_TEXT) && json_is_string(v))
        return check_text(c, pos, v);
    wrong_kind(c, kinds, pos, v);
    return false;
}

static bool check_in_list(compiler_t *c, unsigned kinds, json_t *v)
{
    if (!json_is_array(v)) {
        problem(c, "value", -1, "list_type", "Input should be a valid list", json_incref(v));
        return false;
    }
    size_t n = json_array_size(v);
    if (n < 1 || n > AUDIENCE_MAX_IN) {
        const char *msg =
            n < 1 ? "List should have at least 1 item after validation, not 0"
                  : arena_printf(c->arena,
                                 "List should have at most %d items after validation, not %zu",
                                 AUDIENCE_MAX_IN, n);
        problem(c, "value", -1, n < 1 ? "too_short" : "too_long", msg, json_incref(v));
        return false;
    }
    bool ok = true;
    for (size_t j = 0; j < n; j++)
        ok &= check_scalar(c, kinds, (long)j, json_array_get(v, j));
    c->values += (int)n;
    return ok;
}

/* ---- rules ------------------------------------------------------------------ */

static const field_def_t *check_field(compiler_t *c, json_t *rule)
{
    json_t *v = json_object_get(rule, "field");
    if (!v) {
        problem(c, "field", -1, "missing", "Field required", json_incref(rule));
        return NULL;
    }
    if (!json_is_string(v)) {
        problem(c, "field", -1, "string_type", "Input should be a valid string", json_incref(v));
        return NULL;
    }
    for (int k = 0; k < NFIELDS; k++)
        if (!strcmp(FIELDS[k].name, json_string_value(v)))
            return &FIELDS[k];
    problem(c, "field", -1, "literal_error",
            "Unknown field; it should be 'profile_completed', 'location', 'is_verified', "
            "'is_active', 'interest', 'has_attended_event' or 'has_active_devices'",
            json_incref(v));
    return NULL;
}

/* The operator's index, or -1. Whether the field allows it is checked only
 * when the field is known. */
static int check_op(compiler_t *c, json_t *rule, const field_def_t *f)
{
    json_t *v = json_object_get(rule, "op");
    if (!v) {
        problem(c, "op", -1, "missing", "Field required", json_incref(rule));
        return -1;
    }
    if (!json_is_string(v)) {
        problem(c, "op", -1, "string_type", "Input should be a valid string", json_incref(v));
        return -1;
    }
    int op = 0;
    while (op < NOPS && strcmp(OP_NAMES[op], json_string_value(v)) != 0)
        op++;
    if (op == NOPS) {
        problem(c, "op", -1, "literal_error",
                "Unknown operator; it should be '=', '!=', 'exact', 'contains', 'icontains' or "
                "'in'",
                json_incref(v));
        return -1;
    }
    if (f && !(f->ops & BIT(op))) {
        strbuf_t allowed;
        sb_init(&allowed);
        for (int k = 0; k < NOPS; k++)
            if (f->ops & BIT(k))
                sb_printf(&allowed, "%s'%s'", allowed.len ? ", " : "", OP_NAMES[k]);
        problem(c, "op", -1, "value_error",
                arena_printf(c->arena,
                             "Value error, the operator '%s' is not allowed for the field '%s' "
                             "(allowed: %s)",
                             OP_NAMES[op], f->name, allowed.data),
                json_incref(v));
        sb_free(&allowed);
        return -1;
    }
    return op;
}

static bool check_value(compiler_t *c, const field_def_t *f, int op, json_t *rule)
{
    json_t *v = json_object_get(rule, "value");
    if (!v) {
        problem(c, "value", -1, "missing", "Field required", json_incref(rule));
        return false;
    }
    if (!f || op < 0)
        return false; /* its type depends on both */
    if (op == OP_IN)
        return check_in_list(c, f->in_kinds, v);
    c->values++;
    return check_scalar(c, op == OP_CONTAINS || op == OP_ICONTAINS ? V_TEXT : f->kinds, -1, v);
}

/* Checks one rule into *out (used only when no problem was found). */
static void check_rule(compiler_t *c, json_t *rule, rule_t *out)
{
    if (!json_is_object(rule)) {
        problem(c, NULL, -1, "dict_type", "Input should be a valid dictionary", json_incref(rule));
        return;
    }
    check_keys(c, rule, RULE_KEYS);
    const field_def_t *f = check_field(c, rule);
    int op = check_op(c, rule, f);
    bool ok = check_value(c, f, op, rule);
    /* bounded so that audience_query's own parameters always fit */
    if (ok && c->values > AUDIENCE_MAX_VALUES && !c->values_reported) {
        c->values_reported = true;
        problem(c, "value", -1, "too_long",
                arena_printf(c->arena, "The rules may hold at most %d values in all",
                             AUDIENCE_MAX_VALUES),
                NULL);
    }
    if (ok)
        *out = (rule_t){.field = f, .op = (op_kind_t)op, .value = json_object_get(rule, "value")};
}

/* One list ("all" or "any"): its shape, then each rule. */
static void check_list(compiler_t *c, int k, json_t *list)
{
    c->list = LISTS[k];
    c->index = -1;
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if (!json_is_array(list))
        problem(c, NULL, -1, "list_type", "Input should be a valid list", json_incref(list));
    else if (n < 1)
        problem(c, NULL, -1, "too_short",
                "List should have at least 1 item after validation, not 0", json_incref(list));
    else if (n > AUDIENCE_MAX_RULES)
        problem(c, NULL, -1, "too_long",
                arena_printf(c->arena,
                             "List should have at most %d items after validation, not %zu",
                             AUDIENCE_MAX_RULES, n),
                json_incref(list));
    else {
        for (size_t i = 0; i < n; i++) {
            c->index = (long)i;
            check_rule(c, json_array_get(list, i), &c->rules[k][i]);
        }
        c->nrules[k] = (int)n;
    }
    c->list = NULL;
    c->index = -1;
}

static void check_document(compiler_t *c, const json_t *doc)
{
    c->nrules[0] = c->nrules[1] = -1;
    if (!json_is_object(doc)) {
        problem(c, NULL, -1, "dict_type", "Input should be a valid dictionary",
                doc ? json_deep_copy(doc) : NULL);
        return;
    }
    check_keys(c, doc, DOC_KEYS);
    bool present = false;
    for (int k = 0; k < 2; k++) {
        json_t *list = json_object_get(doc, LISTS[k]);
        if (list)
            check_list(c, k, list);
        present |= list != NULL;
    }
    if (!present)
        problem(c, NULL, -1, "value_error",
                "Value error, the audience needs an \"all\" list of rules, an \"any\" list or both",
                json_deep_copy(doc));
}

/* ---- SQL -------------------------------------------------------------------- */

/* Binds a checked value (copied into the arena) and returns its number. */
static int bind(compiler_t *c, const json_t *v)
{
    audience_sql_t *o = c->out;
    if (json_is_boolean(v))
        o->params[o->nparams] = db_bool(json_is_true(v));
    else if (json_is_integer(v))
        o->params[o->nparams] = db_int(json_integer_value(v));
    else
        o->params[o->nparams] = db_text(arena_strdup(c->arena, json_string_value(v)));
    return c->first + o->nparams++;
}

/* The values of an "in" list of one kind, comma-separated; lowered: each
 * as lower(CAST($n AS TEXT)) for a case-insensitive comparison. */
static void emit_list(compiler_t *c, const json_t *list, unsigned kind, bool lowered)
{
    size_t j;
    json_t *v;
    bool first = true;
    json_array_foreach(readable(list), j, v)
    {
        if (kind == V_ID ? !json_is_integer(v) : !json_is_string(v))
            continue;
        int n = bind(c, v);
        sb_printf(&c->sql, lowered ? "%slower(CAST($%d AS TEXT))" : "%s$%d", first ? "" : ", ", n);
        first = false;
    }
}

static size_t count_kind(const json_t *list, unsigned kind)
{
    size_t j, n = 0;
    json_t *v;
    json_array_foreach(readable(list), j, v)
    {
        n += kind == V_ID ? json_is_integer(v) : json_is_string(v);
    }
    return n;
}

/* Substrings are found with replace(), which both databases have and which
 * is case-sensitive and literal on both: no LIKE pattern (SQLite's LIKE
 * ignores ASCII case, PostgreSQL's does not, and % _ \ would need escaping).
 * The case-insensitive forms lower() both sides: ASCII letters fold the same
 * everywhere; other letters fold on PostgreSQL per its locale and not on
 * SQLite (built without ICU), as @ILIKE does. */
static void emit_location(compiler_t *c, const rule_t *r)
{
    if (r->op == OP_IN) {
        sb_puts(&c->sql, "p.location IN (");
        emit_list(c, r->value, V_TEXT, false);
        sb_putc(&c->sql, ')');
        return;
    }
    int n = bind(c, r->value);
    if (r->op == OP_CONTAINS)
        sb_printf(&c->sql, "replace(p.location, $%d, '') <> p.location", n);
    else if (r->op == OP_ICONTAINS)
        sb_printf(&c->sql,
                  "replace(lower(p.location), lower(CAST($%d AS TEXT)), '') <> lower(p.location)",
                  n);
    else
        sb_printf(&c->sql, "p.location %s $%d", r->op == OP_NE ? "<>" : "=", n);
}

/* EXISTS (or NOT EXISTS for !=) one of the person's interests matching. */
static void emit_interest(compiler_t *c, const rule_t *r)
{
    sb_puts(&c->sql, r->op == OP_NE ? "NOT EXISTS (" INTEREST_FROM : "EXISTS (" INTEREST_FROM);
    if (r->op == OP_IN) {
        size_t names = count_kind(r->value, V_TEXT), ids = count_kind(r->value, V_ID);
        sb_putc(&c->sql, '(');
        if (names) {
            sb_puts(&c->sql, "lower(i.name) IN (");
            emit_list(c, r->value, V_TEXT, true);
            sb_putc(&c->sql, ')');
        }
        if (ids) {
            sb_puts(&c->sql, names ? " OR ui.interest_id IN (" : "ui.interest_id IN (");
            emit_list(c, r->value, V_ID, false);
            sb_putc(&c->sql, ')');
        }
        sb_putc(&c->sql, ')');
    } else if (r->op == OP_ICONTAINS) {
        sb_printf(&c->sql, "replace(lower(i.name), lower(CAST($%d AS TEXT)), '') <> lower(i.name)",
                  bind(c, r->value));
    } else if (json_is_integer(r->value)) {
        sb_printf(&c->sql, "ui.interest_id = $%d", bind(c, r->value));
    } else {
        sb_printf(&c->sql, "lower(i.name) = lower(CAST($%d AS TEXT))", bind(c, r->value));
    }
    sb_putc(&c->sql, ')');
}

/* With event ids (a boolean is the field's expr): checked in at that event,
 * not at it (!=), or at one of them (in). */
static void emit_attended(compiler_t *c, const rule_t *r)
{
    sb_puts(&c->sql, r->op == OP_NE ? "NOT EXISTS (" ATTENDED_FROM : "EXISTS (" ATTENDED_FROM);
    if (r->op == OP_IN) {
        sb_puts(&c->sql, " AND r.event_id IN (");
        emit_list(c, r->value, V_ID, false);
        sb_putc(&c->sql, ')');
    } else {
        sb_printf(&c->sql, " AND r.event_id = $%d", bind(c, r->value));
    }
    sb_putc(&c->sql, ')');
}

/* A boolean value is compared, bound, with the field's expression (which is
 * never NULL: its columns are NOT NULL and EXISTS is true or false). */
static void emit_rule(compiler_t *c, const rule_t *r)
{
    if (!json_is_boolean(r->value)) {
        r->field->emit(c, r);
        return;
    }
    int n = bind(c, r->value);
    sb_printf(&c->sql, "(%s) %s $%d", r->field->expr, r->op == OP_NE ? "<>" : "=", n);
}

/* (all1 AND all2 ...) AND (any1 OR any2 ...), each part when present. */
static void emit_document(compiler_t *c)
{
    for (int k = 0; k < 2; k++) {
        if (c->nrules[k] < 0)
            continue;
        if (c->sql.len)
            sb_puts(&c->sql, " AND ");
        sb_putc(&c->sql, '(');
        for (int i = 0; i < c->nrules[k]; i++) {
            sb_puts(&c->sql, i == 0 ? "(" : k == 0 ? " AND (" : " OR (");
            emit_rule(c, &c->rules[k][i]);
            sb_putc(&c->sql, ')');
        }
        sb_putc(&c->sql, ')');
    }
}

/* Checks and compiles into out, after the out->nparams parameters already
 * there (numbered from first). */
static err_t *compile(arena_t *arena, const json_t *rules, int first, audience_sql_t *out)
{
    compiler_t c = {.arena = arena, .out = out, .first = first, .index = -1};
    out->where = NULL;
    check_document(&c, rules);
    if (c.details)
        return err_validation(arena, c.details);
    sb_init(&c.sql);
    emit_document(&c);
    out->where = arena_strdup(arena, c.sql.data);
    sb_free(&c.sql);
    return NULL;
}

err_t *audience_compile(arena_t *arena, const json_t *rules, int first_param, audience_sql_t *out)
{
    out->nparams = 0;
    return compile(arena, rules, first_param, out);
}

/* ---- the recipients ------------------------------------------------------------ */

/* Active accounts, neither staff nor superusers, with an active device and
 * push on for the type ($1): their own choice, else the type's default ($2). */
#define RECIPIENTS                                                                                 \
    " FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.is_active = true AND "         \
    "u.is_staff = false AND u.is_superuser = false AND EXISTS (SELECT 1 FROM user_devices d "      \
    "WHERE d.user_id = u.id AND d.is_active = true) AND COALESCE((SELECT np.push_enabled FROM "    \
    "notification_preferences np WHERE np.user_id = u.id AND np.type = $1), $2) AND "

static err_t *recipients(arena_t *arena, const json_t *rules, const char *push_type,
                         audience_sql_t *out, const char *what, const char **sql)
{
    out->params[0] = db_text(arena_strdup(arena, push_type ? push_type : ""));
    out->params[1] = db_bool(notification_push_default(push_type));
    out->nparams = 2;
    err_t *e = compile(arena, rules, 1, out);
    *sql = e ? NULL : arena_printf(arena, "SELECT %s" RECIPIENTS "%s", what, out->where);
    return e;
}

err_t *audience_query(arena_t *arena, const json_t *rules, const char *push_type,
                      audience_sql_t *out, const char **select_sql)
{
    return recipients(arena, rules, push_type, out, "u.id", select_sql);
}

err_t *audience_count(op_t *op, const json_t *rules, const char *push_type, int64_t *count)
{
    audience_sql_t *q = arena_alloc(op->arena, sizeof *q);
    const char *sql;
    *count = 0;
    err_t *e = recipients(op->arena, rules, push_type, q, "COUNT(*)", &sql);
    if (e)
        return e;
    int rc = db_query_int(op->db, sql, q->params, q->nparams, count, NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}
