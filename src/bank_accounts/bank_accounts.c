/*
 * bank_accounts.c: a host's bank accounts (see bank_accounts.h): the one
 * primary rule, deactivation instead of deletion, and the sealed account
 * number. Every write first locks the host's users row, so two requests of
 * one host never interleave their primary changes; the partial unique index
 * bank_accounts_one_primary_key stays the last line of defence (409).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "bank_accounts/bank_accounts.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/text.h"

/* ---- sealing the account number ------------------------------------------------------
 * "v1:" + base64(nonce | secretbox(pad64(uuid ":" digits))). The key of
 * version 1 is HMAC-SHA256(keys.data, "loopin:bank-account-number:v1"), so
 * it shares nothing usable with the other users of keys.data. The padding
 * hides the number's length; the uuid binds the text to its row. A new key
 * version is a new prefix: docs/bank_accounts.md, "Key rotation". */

#define SEAL_PREFIX     "v1:"
#define SEAL_PREFIX_LEN (sizeof SEAL_PREFIX - 1)
#define SEAL_B64        sodium_base64_VARIANT_ORIGINAL
#define PLAIN_BYTES     64
#define BOX_BYTES       (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_BYTES)

_Static_assert(crypto_auth_hmacsha256_BYTES == crypto_secretbox_KEYBYTES, "key sizes");
_Static_assert(SEAL_PREFIX_LEN + sodium_base64_ENCODED_LEN(BOX_BYTES, SEAL_B64) <= BANK_SEALED_MAX,
               "sealed text size");

static void key_v1(const op_t *op, unsigned char key[crypto_secretbox_KEYBYTES])
{
    static const char label[] = "loopin:bank-account-number:v1";
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, op->app->keys.data, sizeof op->app->keys.data);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, sizeof label - 1);
    crypto_auth_hmacsha256_final(&st, key);
    sodium_memzero(&st, sizeof st);
}

int bank_number_seal(const op_t *op, const char *uuid, const char *digits, char *out, size_t n)
{
    unsigned char plain[PLAIN_BYTES], box[BOX_BYTES], key[crypto_secretbox_KEYBYTES];
    size_t len = strlen(uuid) + 1 + strlen(digits), padded = 0;
    if (len >= PLAIN_BYTES || n < SEAL_PREFIX_LEN + sodium_base64_ENCODED_LEN(BOX_BYTES, SEAL_B64))
        return -1;
    memset(plain, 0, sizeof plain);
    memcpy(plain, uuid, strlen(uuid));
    plain[strlen(uuid)] = ':';
    memcpy(plain + strlen(uuid) + 1, digits, strlen(digits));
    if (sodium_pad(&padded, plain, len, PLAIN_BYTES, sizeof plain) != 0 || padded != PLAIN_BYTES) {
        sodium_memzero(plain, sizeof plain);
        return -1;
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    key_v1(op, key);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, sizeof plain, box, key);
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain, sizeof plain);
    memcpy(out, SEAL_PREFIX, SEAL_PREFIX_LEN);
    sodium_bin2base64(out + SEAL_PREFIX_LEN, n - SEAL_PREFIX_LEN, box, sizeof box, SEAL_B64);
    return 0;
}

bool bank_number_open(const op_t *op, const char *uuid, const char *sealed, char *out, size_t n)
{
    unsigned char box[BOX_BYTES], plain[PLAIN_BYTES], key[crypto_secretbox_KEYBYTES];
    size_t got = 0, len = 0, ulen = strlen(uuid);
    if (!sealed || strncmp(sealed, SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
        return false;
    const char *b64 = sealed + SEAL_PREFIX_LEN;
    if (sodium_base642bin(box, sizeof box, b64, strlen(b64), NULL, &got, NULL, SEAL_B64) != 0 ||
        got != sizeof box)
        return false;
    key_v1(op, key);
    int bad = crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                         sizeof box - crypto_secretbox_NONCEBYTES, box, key);
    sodium_memzero(key, sizeof key);
    bool ok = !bad && sodium_unpad(&len, plain, sizeof plain, PLAIN_BYTES) == 0 && len > ulen + 1 &&
              memcmp(plain, uuid, ulen) == 0 && plain[ulen] == ':' && len - ulen - 1 < n;
    if (ok) {
        memcpy(out, plain + ulen + 1, len - ulen - 1);
        out[len - ulen - 1] = '\0';
    }
    sodium_memzero(plain, sizeof plain);
    return ok;
}

/* ---- the account object --------------------------------------------------------------- */

typedef struct {
    int64_t id;
    const char *uuid, *bank_name, *last4, *ifsc, *holder, *sealed;
    bool is_primary, is_verified, is_active;
    int64_t created_at, updated_at;
} account_t;

#define SQL_COLUMNS                                                                                \
    "SELECT id, uuid, bank_name, account_last4, ifsc_code, account_holder_name, is_primary, "      \
    "is_verified, is_active, created_at, updated_at, account_number_enc FROM bank_accounts "

static const char SQL_ONE[] = SQL_COLUMNS "WHERE id = $1 AND host_id = $2";
static const char SQL_LIST[] = SQL_COLUMNS "WHERE host_id = $1 AND is_active = true ORDER BY "
                                           "is_primary DESC, created_at DESC, id DESC";

static void read_account(arena_t *a, db_rows_t *r, account_t *out)
{
    *out = (account_t){.id = db_col_int(r, 0),
                       .uuid = arena_strdup(a, db_col_text(r, 1)),
                       .bank_name = arena_strdup(a, db_col_text(r, 2)),
                       .last4 = arena_strdup(a, db_col_text(r, 3)),
                       .ifsc = arena_strdup(a, db_col_text(r, 4)),
                       .holder = arena_strdup(a, db_col_text(r, 5)),
                       .is_primary = db_col_bool(r, 6),
                       .is_verified = db_col_bool(r, 7),
                       .is_active = db_col_bool(r, 8),
                       .created_at = db_col_time(r, 9),
                       .updated_at = db_col_time(r, 10),
                       .sealed = arena_strdup(a, db_col_text(r, 11))};
}

/* API.md's bank account object; the number only as "****" + its last 4. */
static json_t *account_json(const account_t *a)
{
    char masked[16];
    snprintf(masked, sizeof masked, "****%s", a->last4);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o}", "id",
                     (json_int_t)a->id, "uuid", a->uuid, "bank_name", a->bank_name,
                     "masked_account_number", masked, "ifsc_code", a->ifsc, "account_holder_name",
                     a->holder, "is_primary", a->is_primary, "is_verified", a->is_verified,
                     "is_active", a->is_active, "created_at", text_json_time(a->created_at),
                     "updated_at", text_json_time(a->updated_at));
}

static int load(op_t *op, int64_t id, account_t *out, bool *found)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_ONE, DB_ARGS(db_int(id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found)
        read_account(op->arena, rows, out);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static err_t *not_found(op_t *op)
{
    return op_fail(op, 404, "BANK_ACCOUNT_NOT_FOUND",
                   "Bank account not found or you don't have permission to access it.");
}

/* A database failure of a write: the one-primary index (only reachable if
 * the host lock were bypassed) is a conflict to retry, never a 500. */
static err_t *write_fail(op_t *op, int rc)
{
    if (rc == DB_UNIQUE)
        return op_fail(op, 409, "BANK_ACCOUNT_CONFLICT",
                       "Your bank accounts were changed at the same time by another request; "
                       "please try again.");
    return op_db_fail(op, rc);
}

/* The account as it is now, into *out (after a write, inside its transaction). */
static err_t *answer(op_t *op, int64_t id, json_t **out)
{
    account_t a = {0};
    bool found = false;
    int rc = load(op, id, &a, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return not_found(op);
    json_decref(*out);
    *out = account_json(&a);
    return NULL;
}

/* ---- reading -------------------------------------------------------------------------- */

static json_t *account_row(op_t *op, db_rows_t *rows)
{
    account_t a;
    read_account(op->arena, rows, &a);
    return account_json(&a);
}

err_t *bank_accounts_list(op_t *op, json_t **out)
{
    return op_list(op, SQL_LIST, DB_ARGS(db_int(op->actor.id)), account_row, out);
}

err_t *bank_account_get(op_t *op, int64_t id, json_t **out)
{
    account_t a = {0};
    bool found = false;
    int rc = load(op, id, &a, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return not_found(op);
    *out = account_json(&a);
    return NULL;
}

/* ---- shared by the writes -------------------------------------------------------------
 * The host's users row is the lock: every write of a host's accounts takes
 * it first (SQLite's BEGIN IMMEDIATE already serialises writers). */

static const char SQL_LOCK_HOST[] = "SELECT id FROM users WHERE id = $1 @FOR_UPDATE";
static const char SQL_COUNT_ACTIVE[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_primary THEN 1 ELSE 0 END), 0) FROM "
    "bank_accounts WHERE host_id = $1 AND is_active = true";
static const char SQL_CLEAR_PRIMARY[] =
    "UPDATE bank_accounts SET is_primary = false, updated_at = $2 WHERE host_id = $1 AND "
    "is_primary = true";
/* After a deactivation: when the host has active accounts and none is
 * primary, the newest becomes primary (API.md 15 item 19). */
static const char SQL_PROMOTE_NEWEST[] =
    "UPDATE bank_accounts SET is_primary = true, updated_at = $2 WHERE id = (SELECT id FROM "
    "bank_accounts WHERE host_id = $1 AND is_active = true ORDER BY created_at DESC, id DESC "
    "LIMIT 1) AND NOT EXISTS (SELECT 1 FROM bank_accounts WHERE host_id = $1 AND is_primary = "
    "true) RETURNING id";
static const char SQL_PAYOUTS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('pending', 'approved', 'processing') "
    "THEN 1 ELSE 0 END), 0) FROM host_payout_requests WHERE bank_account_id = $1";

static int lock_host(op_t *op)
{
    int64_t id = 0;
    bool found = false;
    return db_query_int(op->db, SQL_LOCK_HOST, DB_ARGS(db_int(op->actor.id)), &id, &found);
}

/* Two counts from one row of a query with one integer parameter. */
static int count_two(op_t *op, const char *sql, int64_t param, int64_t *a, int64_t *b)
{
    db_rows_t *rows;
    int rc = db_query(op->db, sql, DB_ARGS(db_int(param)), &rows);
    if (rc != DB_OK)
        return rc;
    *a = *b = 0;
    if (db_next(rows)) {
        *a = db_col_int(rows, 0);
        *b = db_col_int(rows, 1);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static int clear_primary(op_t *op)
{
    return db_exec(op->db, SQL_CLEAR_PRIMARY, DB_ARGS(db_int(op->actor.id), db_time(op->now_us)),
                   NULL);
}

static int promote_newest(op_t *op, int64_t *promoted)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_PROMOTE_NEWEST,
                      DB_ARGS(db_int(op->actor.id), db_time(op->now_us)), &rows);
    if (rc != DB_OK)
        return rc;
    *promoted = db_next(rows) ? db_col_int(rows, 0) : 0;
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static err_t *limit_reached(op_t *op)
{
    return op_fail(op, 400, "BANK_ACCOUNT_LIMIT",
                   "You can keep at most %d active bank accounts; delete one first.",
                   BANK_ACCOUNTS_MAX);
}

static err_t *seal_failed(op_t *op)
{
    err_t *e = op_fail(op, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    e->cause = "bank account number: sealing failed";
    return e;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

/* ---- creating ------------------------------------------------------------------------- */

typedef struct {
    const bank_account_input_t *in;
    json_t *out;
} create_ctx_t;

static const char SQL_INSERT[] =
    "INSERT INTO bank_accounts (uuid, host_id, bank_name, account_holder_name, "
    "account_number_enc, account_last4, ifsc_code, is_primary, is_verified, is_active, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, true, $9, $9) "
    "RETURNING id";

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    const bank_account_input_t *in = x->in;
    int64_t active = 0, primaries = 0, id = 0;
    bool found = false;
    int rc = lock_host(op);
    if (rc == DB_OK)
        rc = count_two(op, SQL_COUNT_ACTIVE, op->actor.id, &active, &primaries);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (active >= BANK_ACCOUNTS_MAX)
        return limit_reached(op);
    /* the first account (or the first after all others were deleted) is primary */
    bool primary = in->is_primary == 1 || primaries == 0;
    char uuid[37], sealed[BANK_SEALED_MAX];
    rand_uuid(uuid);
    if (bank_number_seal(op, uuid, in->account_number, sealed, sizeof sealed) != 0)
        return seal_failed(op);
    const char *last4 = in->account_number + strlen(in->account_number) - 4;
    if (primary)
        rc = clear_primary(op);
    if (rc == DB_OK)
        rc = db_query_int(op->db, SQL_INSERT,
                          DB_ARGS(db_text(uuid), db_int(op->actor.id), db_text(in->bank_name),
                                  db_text(in->account_holder_name), db_text(sealed), db_text(last4),
                                  db_text(in->ifsc_code), db_bool(primary), db_time(op->now_us)),
                          &id, &found);
    sodium_memzero(sealed, sizeof sealed);
    if (rc != DB_OK)
        return write_fail(op, rc);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "bank_account.create",
                       .object_type = "bank_account",
                       .object_id = id,
                       .object_uuid = uuid,
                       .payload =
                           json_pack("{s:b, s:b, s:s}", "is_primary", primary, "primary_requested",
                                     in->is_primary == 1, "ifsc_code", in->ifsc_code),
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? answer(op, id, &x->out) : op_db_fail(op, rc);
}

err_t *bank_account_create(op_t *op, const bank_account_input_t *in, json_t **out)
{
    create_ctx_t x = {.in = in};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- updating --------------------------------------------------------------------------
 * A partial update. The number and the IFSC code of an account with a payout
 * in progress cannot change (staff pay to what the host asked for); a new
 * number or IFSC code clears the verification. is_active false deactivates
 * as DELETE does; true reactivates (primary when the host has none). */

typedef struct {
    int64_t id;
    const bank_account_input_t *in;
    json_t *out;
} update_ctx_t;

static const char SQL_UPDATE[] =
    "UPDATE bank_accounts SET bank_name = $2, account_holder_name = $3, account_number_enc = $4, "
    "account_last4 = $5, ifsc_code = $6, is_primary = $7, is_active = $8, is_verified = CASE "
    "WHEN $9 THEN false ELSE is_verified END, verified_at = CASE WHEN $9 THEN NULL ELSE "
    "verified_at END, verified_by_id = CASE WHEN $9 THEN NULL ELSE verified_by_id END, updated_at "
    "= $10 WHERE id = $1";

static bool differs(const char *given, const char *now)
{
    return given && strcmp(given, now) != 0;
}

/* Whether the given number differs from the sealed one (a number that does
 * not open, say under a retired key, counts as different and is resealed). */
static bool number_differs(const op_t *op, const account_t *a, const char *digits)
{
    char now[PLAIN_BYTES];
    if (!digits)
        return false;
    bool opened = bank_number_open(op, a->uuid, a->sealed, now, sizeof now);
    bool same =
        opened && strlen(now) == strlen(digits) && sodium_memcmp(now, digits, strlen(now)) == 0;
    sodium_memzero(now, sizeof now);
    if (!opened)
        log_msg(LOG_WARN, "bank account number did not open; sealed again under the current key",
                "bank_account", a->uuid, "request_id", op->request_id, NULL);
    return !same;
}

static err_t *update_tx(op_t *op, void *arg)
{
    update_ctx_t *x = arg;
    const bank_account_input_t *in = x->in;
    account_t a = {0};
    bool found = false;
    int64_t active = 0, primaries = 0, payouts = 0, running = 0, promoted = 0;
    int rc = lock_host(op);
    if (rc == DB_OK)
        rc = load(op, x->id, &a, &found);
    if (rc == DB_OK && found)
        rc = count_two(op, SQL_COUNT_ACTIVE, op->actor.id, &active, &primaries);
    if (rc == DB_OK && found)
        rc = count_two(op, SQL_PAYOUTS, a.id, &payouts, &running);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return not_found(op);

    bool active_now = in->is_active == -1 ? a.is_active : in->is_active == 1;
    bool primary = a.is_primary && active_now;
    if (in->is_primary == 1 && !active_now)
        return op_fail(op, 400, "BANK_ACCOUNT_INACTIVE",
                       "An inactive bank account cannot be primary; reactivate it "
                       "(is_active: true) in the same request.");
    if (in->is_primary == 0 && a.is_primary && active_now)
        return op_fail(op, 400, "PRIMARY_ACCOUNT_REQUIRED",
                       "Make another account primary instead: a host with active bank accounts "
                       "always has one primary account.");
    if (active_now && !a.is_active && active >= BANK_ACCOUNTS_MAX)
        return limit_reached(op);
    if (in->is_primary == 1 || (active_now && !a.is_active && primaries == 0))
        primary = true;

    bool new_number = number_differs(op, &a, in->account_number);
    bool new_ifsc = differs(in->ifsc_code, a.ifsc);
    if ((new_number || new_ifsc) && running > 0)
        return op_fail(op, 409, "BANK_ACCOUNT_IN_USE",
                       "A payout to this account is in progress: its account number and IFSC code "
                       "cannot change until the payout is finished.");

    json_t *changed = json_array();
    const char *fields[][3] = {{"bank_name", in->bank_name, a.bank_name},
                               {"account_holder_name", in->account_holder_name, a.holder},
                               {"ifsc_code", in->ifsc_code, a.ifsc}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (differs(fields[i][1], fields[i][2]))
            json_array_append_new(changed, json_string(fields[i][0]));
    if (new_number)
        json_array_append_new(changed, json_string("account_number"));
    if (primary != a.is_primary)
        json_array_append_new(changed, json_string("is_primary"));
    if (active_now != a.is_active)
        json_array_append_new(changed, json_string("is_active"));
    if (!json_array_size(changed)) {
        json_decref(changed);
        json_decref(x->out);
        x->out = account_json(&a);
        return NULL;
    }

    char sealed[BANK_SEALED_MAX];
    snprintf(sealed, sizeof sealed, "%s", a.sealed);
    const char *last4 = a.last4;
    if (new_number) {
        if (bank_number_seal(op, a.uuid, in->account_number, sealed, sizeof sealed) != 0) {
            json_decref(changed);
            return seal_failed(op);
        }
        last4 = in->account_number + strlen(in->account_number) - 4;
    }
    if (primary && !a.is_primary)
        rc = clear_primary(op);
    if (rc == DB_OK)
        rc = db_exec(op->db, SQL_UPDATE,
                     DB_ARGS(db_int(a.id), db_text(in->bank_name ? in->bank_name : a.bank_name),
                             db_text(in->account_holder_name ? in->account_holder_name : a.holder),
                             db_text(sealed), db_text(last4),
                             db_text(in->ifsc_code ? in->ifsc_code : a.ifsc), db_bool(primary),
                             db_bool(active_now), db_bool(new_number || new_ifsc),
                             db_time(op->now_us)),
                     NULL);
    sodium_memzero(sealed, sizeof sealed);
    if (rc == DB_OK && !active_now && a.is_primary)
        rc = promote_newest(op, &promoted);
    if (rc != DB_OK) {
        json_decref(changed);
        return write_fail(op, rc);
    }
    audit_entry_t e = {.actor_id = op->actor.id,
                       .action = "bank_account.update",
                       .object_type = "bank_account",
                       .object_id = a.id,
                       .object_uuid = a.uuid,
                       .payload =
                           json_pack("{s:o, s:b, s:b, s:b, s:o}", "changed", changed, "is_primary",
                                     primary, "is_active", active_now, "verification_reset",
                                     (new_number || new_ifsc) && a.is_verified, "new_primary_id",
                                     id_or_null(promoted)),
                       .severity = new_number || new_ifsc ? AUDIT_HIGH : AUDIT_MEDIUM,
                       .success = true};
    rc = audit_write(op->db, op, &e);
    return rc == DB_OK ? answer(op, a.id, &x->out) : op_db_fail(op, rc);
}

err_t *bank_account_update(op_t *op, int64_t id, const bank_account_input_t *in, json_t **out)
{
    update_ctx_t x = {.id = id, .in = in};
    err_t *e = op_tx(op, DB_TX_WRITE, update_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- deleting --------------------------------------------------------------------------
 * Never a DELETE: the account is deactivated and loses primary, and the
 * newest other active account becomes primary. One that payout requests
 * refer to must stay readable for them (and the foreign key forbids removal
 * anyway); the answer says it was kept. Deleting an inactive account again
 * changes nothing. */

typedef struct {
    int64_t id;
    json_t *out;
    const char *message;
} delete_ctx_t;

static const char SQL_DEACTIVATE[] =
    "UPDATE bank_accounts SET is_active = false, is_primary = false, updated_at = $2 WHERE id = $1";

static err_t *delete_tx(op_t *op, void *arg)
{
    delete_ctx_t *x = arg;
    account_t a = {0};
    bool found = false;
    int64_t payouts = 0, running = 0, promoted = 0;
    int rc = lock_host(op);
    if (rc == DB_OK)
        rc = load(op, x->id, &a, &found);
    if (rc == DB_OK && found)
        rc = count_two(op, SQL_PAYOUTS, a.id, &payouts, &running);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return not_found(op);
    if (a.is_active) {
        rc = db_exec(op->db, SQL_DEACTIVATE, DB_ARGS(db_int(a.id), db_time(op->now_us)), NULL);
        if (rc == DB_OK)
            rc = promote_newest(op, &promoted);
        if (rc != DB_OK)
            return write_fail(op, rc);
        audit_entry_t e = {.actor_id = op->actor.id,
                           .action = "bank_account.delete",
                           .object_type = "bank_account",
                           .object_id = a.id,
                           .object_uuid = a.uuid,
                           .payload = json_pack("{s:b, s:b, s:I, s:o}", "was_primary", a.is_primary,
                                                "retained_for_payouts", payouts > 0,
                                                "payout_requests", (json_int_t)payouts,
                                                "new_primary_id", id_or_null(promoted)),
                           .severity = AUDIT_MEDIUM,
                           .success = true};
        if ((rc = audit_write(op->db, op, &e)) != DB_OK)
            return op_db_fail(op, rc);
    }
    x->message = payouts > 0 ? "Bank account deactivated. It is kept, not removed, because payout "
                               "requests refer to it."
                             : "Bank account deleted successfully";
    json_decref(x->out);
    x->out =
        json_pack("{s:I, s:b, s:b, s:b, s:o}", "id", (json_int_t)a.id, "is_active", 0, "is_primary",
                  0, "retained_for_payouts", payouts > 0, "new_primary_id", id_or_null(promoted));
    return NULL;
}

err_t *bank_account_delete(op_t *op, int64_t id, json_t **out, const char **message)
{
    delete_ctx_t x = {.id = id};
    err_t *e = op_tx(op, DB_TX_WRITE, delete_tx, &x);
    *out = e ? NULL : x.out;
    *message = x.message;
    if (e)
        json_decref(x.out);
    return e;
}
