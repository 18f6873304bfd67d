/*
 * fee_api.c: GET /api/platform-fee (public: the rate, and the final fare of
 * ?base= as a convenience) and PUT /api/admin/platform-fee (a superuser,
 * re-entering their password; audited with the old and new rate).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/text.h"
#include "http/router.h"
#include "module.h"
#include "money/fee.h"

static json_t *rate_json(int bps)
{
    char pct[16];
    fee_bps_format(bps, pct);
    return json_pack("{s:s, s:i, s:s}", "fee_percentage", pct, "fee_basis_points", bps, "currency",
                     "INR");
}

static err_t *get_fee(http_req_t *req, op_t *op, const input_t *in)
{
    int bps = 0;
    int rc = fee_current_bps(op, &bps);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *out = rate_json(bps);
    const char *base = in_str(in, "base");
    int64_t minor = 0;
    if (base && money_parse(base, &minor)) {
        char b[32], f[32], t[32];
        money_format(minor, b);
        money_format(fee_platform(minor, bps, 1), f);
        money_format(fee_final_price(minor, bps), t);
        json_object_set_new(out, "base", json_string(b));
        json_object_set_new(out, "platform_fee", json_string(f));
        json_object_set_new(out, "final_price", json_string(t));
    }
    http_reply_json(req, 200, out);
    return NULL;
}

typedef struct {
    int bps, old_bps;
    const char *password;
} set_ctx_t;

static const char SQL_HASH[] = "SELECT COALESCE(password_hash, '') FROM users WHERE id = $1";
static const char SQL_OLD[] = "SELECT fee_basis_points FROM platform_fee_config WHERE id = 1 "
                              "@FOR_UPDATE";
static const char SQL_SET[] =
    "UPDATE platform_fee_config SET fee_basis_points = $1, is_active = $4, description = $2, "
    "updated_by_id = $3, updated_at = $5 WHERE id = 1";

/* argon2id, checked by libsodium in constant time. */
static err_t *check_password(op_t *op, const char *password)
{
    db_rows_t *rows;
    char hash[crypto_pwhash_STRBYTES] = "";
    int rc = db_query(op->db, SQL_HASH, DB_ARGS(db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        snprintf(hash, sizeof hash, "%s", db_col_text(rows, 0));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!*hash || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
        return op_fail(op, 403, "INVALID_PASSWORD", "The password is not correct.");
    return NULL;
}

static err_t *set_tx(op_t *op, void *arg)
{
    set_ctx_t *x = arg;
    int64_t old = 0;
    bool found = false;
    char desc[64];
    err_t *err = check_password(op, x->password);
    if (err)
        return err;
    int rc = db_query_int(op->db, SQL_OLD, DB_NOARGS, &old, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    x->old_bps = (int)old;
    fee_bps_format(x->bps, desc);
    rc =
        db_exec(op->db, SQL_SET,
                DB_ARGS(db_int(x->bps), db_text(arena_printf(op->arena, "Platform fee %s%%", desc)),
                        db_int(op->actor.id), db_bool(true), db_time(op->now_us)),
                NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "platform.fee.changed",
                       .object_type = "platform_fee_config",
                       .object_id = 1,
                       .payload = json_pack("{s:i, s:i}", "old_basis_points", x->old_bps,
                                            "new_basis_points", x->bps),
                       .severity = AUDIT_HIGH,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *set_fee(http_req_t *req, op_t *op, const input_t *in)
{
    int64_t minor = 0; /* the percentage with two decimals: "12.50" -> 1250 */
    money_parse(in_str(in, "fee_percentage"), &minor);
    set_ctx_t x = {.bps = (int)minor, .password = in_str(in, "password")};
    err_t *e = op_tx(op, DB_TX_WRITE, set_tx, &x);
    if (e)
        return e;
    fee_cache_clear();
    json_t *out = rate_json(x.bps);
    char old[16];
    fee_bps_format(x.old_bps, old);
    json_object_set_new(out, "previous_fee_percentage", json_string(old));
    http_reply_json(req, 200, out);
    return NULL;
}

/* A percentage 0.00..100.00 with at most two decimals, as text or number;
 * normalised to its text. */
static const char *pct_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)type;
    int64_t minor = 0;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    char buf[64];
    if (json_is_integer(v) || json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.10g", json_number_value(v));
        s = buf;
    }
    if (!s || !money_parse(s, &minor) || minor > FEE_BPS_MAX)
        return "fee_percentage must be a number from 0.00 to 100.00 with at most two decimals";
    *out = json_string(arena_strdup(a, s));
    return NULL;
}

static const char *base_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    int64_t minor;
    return money_parse(json_string_value(v), &minor)
               ? NULL
               : "base must be an amount such as 100 or 99.50";
}

static const field_t get_fields[] = {
    {"base", FT_STRING, 0, .in = FIELD_QUERY, .max_len = 20, .check = base_check},
    FIELDS_END,
};

static const field_t set_fields[] = {
    {"fee_percentage", FT_ANY, F_REQUIRED, .check = pct_check},
    {"password", FT_STRING, F_REQUIRED, .min_len = 1, .max_len = 1024},
    FIELDS_END,
};

static const route_def_t fee_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/platform-fee",
     .handler = get_fee,
     .auth = AUTH_ANONYMOUS,
     .fields = get_fields,
     .tag = "money"},
    {.method = HTTP_PUT,
     .pattern = "/api/admin/platform-fee",
     .handler = set_fee,
     .auth = AUTH_SUPERUSER,
     .body = BODY_JSON,
     .fields = set_fields,
     .tag = "money"},
    ROUTES_END,
};

const module_t fee_module = {.name = "fee", .routes = fee_routes};
