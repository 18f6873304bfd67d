/*
 * idempotency.c: the Idempotency-Key mechanism (idempotency.h) on the table
 * idempotency_keys (migration 0009), used as follows:
 *
 *   key           hex SHA-256 of method, route pattern and the client's key,
 *                 so UNIQUE (user_id, key) is the scope "account + method +
 *                 route + key" (the client's key itself is not kept);
 *   method, path  the method and the route pattern;
 *   request_hash  hex SHA-256 of method, path, query and raw body;
 *   response_*    NULL while the first request runs ("in progress"); then
 *                 response_status, and response_body holding the content
 *                 type, a newline, and the body exactly as it was sent;
 *   created_at    when the current claim was taken (our claim token);
 *   expires_at    the claim's lease (IDEM_LEASE_S) while in progress, then
 *                 IDEM_TTL_S after the first request. An expired row is
 *                 taken over by the next request with the key, and deleted
 *                 by the purge job (jobs/purge.c declares it).
 *
 * The claim is one short committed transaction before the handler runs:
 * INSERT ... ON CONFLICT DO NOTHING (no unique violation, so PostgreSQL's
 * transaction stays usable), else a look at the row that holds the key,
 * else a conditional UPDATE that takes over an expired one. The handler's
 * own transactions follow on the same connection; the response is stored
 * (or the claim released) afterwards, in another short transaction, only
 * while the row is still our claim.
 */
#include "http/idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "http/router.h"
#include "op.h"

#define HASH_HEX (crypto_hash_sha256_BYTES * 2 + 1)

static const char SQL_CLAIM[] =
    "INSERT INTO idempotency_keys (key, user_id, method, path, request_hash, created_at, "
    "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, key) DO NOTHING "
    "RETURNING id";

static const char SQL_FIND[] =
    "SELECT id, request_hash, response_status, response_body, expires_at FROM idempotency_keys "
    "WHERE user_id = $1 AND key = $2";

/* An expired row (an old response, or a claim nobody finished) becomes our
 * claim; the condition makes one of several concurrent takers win. */
static const char SQL_TAKE_OVER[] =
    "UPDATE idempotency_keys SET request_hash = $2, response_status = NULL, response_body = NULL, "
    "created_at = $3, expires_at = $4 WHERE id = $1 AND expires_at <= $3";

static const char SQL_STORE[] =
    "UPDATE idempotency_keys SET response_status = $3, response_body = $4, expires_at = $5 "
    "WHERE id = $1 AND created_at = $2 AND response_status IS NULL";

static const char SQL_RELEASE[] =
    "DELETE FROM idempotency_keys WHERE id = $1 AND created_at = $2 AND response_status IS NULL";

bool idem_key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n < 1 || n > IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
            return false;
    return true;
}

static void hex_digest(crypto_hash_sha256_state *st, char out[HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(st, h);
    sodium_bin2hex(out, HASH_HEX, h, sizeof h);
}

/* Each part followed by a NUL, so no two different lists hash alike. */
static void hash_part(crypto_hash_sha256_state *st, const char *s, size_t n)
{
    crypto_hash_sha256_update(st, (const unsigned char *)s, n);
    crypto_hash_sha256_update(st, (const unsigned char *)"", 1);
}

static void hash_str(crypto_hash_sha256_state *st, const char *s)
{
    hash_part(st, s, strlen(s));
}

static void scoped_key(const http_req_t *req, const char *key, char out[HASH_HEX])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    hash_str(&st, "loopin-idempotency-key-v1");
    hash_str(&st, req->method_name);
    hash_str(&st, req->route->pattern);
    hash_str(&st, key);
    hex_digest(&st, out);
}

/* The request's fingerprint: method, path, the query as received (decoded,
 * in order) and the raw body bytes. */
static void fingerprint(const http_req_t *req, char out[HASH_HEX])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    hash_str(&st, "loopin-idempotency-request-v1");
    hash_str(&st, req->method_name);
    hash_str(&st, req->path);
    for (int i = 0; i < req->query.n; i++) {
        hash_str(&st, req->query.items[i].name);
        hash_str(&st, req->query.items[i].value);
    }
    hash_str(&st, "");
    hash_part(&st, req->body ? req->body : "", req->body ? req->body_len : 0);
    hex_digest(&st, out);
}

typedef enum { CLAIM_TAKEN = 1, CLAIM_REPLAY, CLAIM_BUSY, CLAIM_REUSED } claim_outcome_t;

typedef struct {
    const http_req_t *req;
    const char *key, *request_hash;
    claim_outcome_t outcome;
    int64_t id;
    int status;         /* CLAIM_REPLAY: the stored response */
    const char *stored; /* (arena) */
} claim_t;

typedef enum { ROW_NONE, ROW_EXPIRED, ROW_LIVE } row_state_t;

static int find_row(op_t *op, claim_t *c, row_state_t *state, char **hash)
{
    db_rows_t *rows = NULL;
    int rc = db_query(op->db, SQL_FIND, DB_ARGS(db_int(op->actor.id), db_text(c->key)), &rows);
    if (rc != DB_OK)
        return rc;
    *state = ROW_NONE;
    if (db_next(rows)) {
        c->id = db_col_int(rows, 0);
        *hash = arena_strdup(op->arena, db_col_text(rows, 1) ? db_col_text(rows, 1) : "");
        c->status = db_col_isnull(rows, 2) ? 0 : (int)db_col_int(rows, 2);
        c->stored = db_col_isnull(rows, 3) ? NULL : arena_strdup(op->arena, db_col_text(rows, 3));
        *state = db_col_time(rows, 4) <= op->now_us ? ROW_EXPIRED : ROW_LIVE;
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static err_t *claim_tx(op_t *op, void *arg)
{
    claim_t *c = arg;
    int64_t lease = op->now_us + IDEM_LEASE_S * USEC_PER_SEC;
    /* A row that vanishes or is taken over between our statements sends us
     * round again; a few rounds in a row mean heavy contention: busy. */
    for (int round = 0; round < 3; round++) {
        db_rows_t *rows = NULL;
        int rc = db_query(op->db, SQL_CLAIM,
                          DB_ARGS(db_text(c->key), db_int(op->actor.id),
                                  db_text(c->req->method_name), db_text(c->req->route->pattern),
                                  db_text(c->request_hash), db_time(op->now_us), db_time(lease)),
                          &rows);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        bool inserted = db_next(rows);
        if (inserted)
            c->id = db_col_int(rows, 0);
        rc = db_rows_status(rows);
        db_rows_free(rows);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        if (inserted) {
            c->outcome = CLAIM_TAKEN;
            return NULL;
        }
        row_state_t state;
        char *hash = NULL;
        if ((rc = find_row(op, c, &state, &hash)) != DB_OK)
            return op_db_fail(op, rc);
        if (state == ROW_NONE)
            continue;
        if (state == ROW_EXPIRED) {
            int64_t n = 0;
            rc = db_exec(op->db, SQL_TAKE_OVER,
                         DB_ARGS(db_int(c->id), db_text(c->request_hash), db_time(op->now_us),
                                 db_time(lease)),
                         &n);
            if (rc != DB_OK)
                return op_db_fail(op, rc);
            if (n == 1) {
                c->outcome = CLAIM_TAKEN;
                return NULL;
            }
            continue;
        }
        if (strcmp(hash, c->request_hash) != 0)
            c->outcome = CLAIM_REUSED;
        else if (c->status == 0 || !c->stored)
            c->outcome = CLAIM_BUSY;
        else
            c->outcome = CLAIM_REPLAY;
        return NULL;
    }
    c->outcome = CLAIM_BUSY;
    return NULL;
}

/* The stored response as it was sent: "content type\nbody". */
static void replay(http_req_t *req, const claim_t *c)
{
    const char *nl = strchr(c->stored, '\n');
    const char *body = nl ? nl + 1 : c->stored;
    const char *type = nl && nl > c->stored
                           ? arena_strndup(&req->arena, c->stored, (size_t)(nl - c->stored))
                           : NULL;
    http_reply_raw(req, c->status, type, body, strlen(body), false);
    http_set_header(req, IDEM_REPLAYED_HEADER, "true");
}

static err_t *refuse(http_req_t *req, int status, const char *code, const char *msg)
{
    return err_new(&req->arena, status, code, "%s", msg);
}

err_t *idem_begin(http_req_t *req, idem_t *idem)
{
    *idem = (idem_t){0};
    const char *key = http_header(req, IDEM_HEADER);
    if (!key)
        return NULL;
    if (!idem_key_valid(key))
        return refuse(req, 400, "INVALID_IDEMPOTENCY_KEY",
                      "Idempotency-Key must be 1 to 255 printable ASCII characters");
    if (req->op.actor.id == 0)
        return refuse(req, 400, "INVALID_IDEMPOTENCY_KEY",
                      "Idempotency-Key needs a signed-in caller (keys are kept per account)");
    char scoped[HASH_HEX], request_hash[HASH_HEX];
    scoped_key(req, key, scoped);
    fingerprint(req, request_hash);
    claim_t c = {.req = req, .key = scoped, .request_hash = request_hash};
    err_t *e = op_tx(&req->op, DB_TX_WRITE, claim_tx, &c);
    if (e)
        return e;
    switch (c.outcome) {
    case CLAIM_TAKEN:
        idem->claimed = true;
        idem->id = c.id;
        idem->claimed_us = req->op.now_us;
        return NULL;
    case CLAIM_REPLAY:
        replay(req, &c);
        idem->replayed = true;
        return NULL;
    case CLAIM_REUSED:
        return refuse(req, 422, "IDEMPOTENCY_KEY_REUSED",
                      "This Idempotency-Key was already used for a different request");
    default:
        e = refuse(req, 409, "IDEMPOTENCY_IN_PROGRESS",
                   "A request with this Idempotency-Key is still being processed; retry shortly");
        e->retry_after = 1;
        return e;
    }
}

typedef struct {
    const idem_t *idem;
    int status;         /* 0: release the claim */
    const char *stored; /* "content type\nbody" */
    int64_t expires_us;
} finish_t;

static int finish_tx(db_conn_t *db, void *arg)
{
    finish_t *f = arg;
    if (f->status == 0)
        return db_exec(db, SQL_RELEASE, DB_ARGS(db_int(f->idem->id), db_time(f->idem->claimed_us)),
                       NULL);
    return db_exec(db, SQL_STORE,
                   DB_ARGS(db_int(f->idem->id), db_time(f->idem->claimed_us), db_int(f->status),
                           db_text(f->stored), db_time(f->expires_us)),
                   NULL);
}

/* What may be replayed, as "content type\nbody", or NULL: a response a
 * retry would get again (not a 5xx, ours or a busy database's, nor a 429,
 * a limit that will pass) that fits a TEXT column (no NUL byte, valid
 * UTF-8; our JSON is ASCII). */
static char *stored_form(arena_t *a, const http_res_t *res)
{
    if (res->status < 100 || res->status >= 500 || res->status == 429)
        return NULL;
    const char *type = res->content_type ? res->content_type : "";
    size_t tlen = strlen(type), blen = res->body ? res->len : 0;
    if (strchr(type, '\n') || (blen && memchr(res->body, '\0', blen)))
        return NULL;
    char *s = arena_alloc(a, tlen + blen + 2);
    memcpy(s, type, tlen);
    s[tlen] = '\n';
    if (blen)
        memcpy(s + tlen + 1, res->body, blen);
    s[tlen + 1 + blen] = '\0';
    return text_utf8_length(s) >= 0 ? s : NULL;
}

void idem_finish(http_req_t *req, const idem_t *idem)
{
    if (!idem->claimed || !req->db)
        return;
    finish_t f = {.idem = idem, .expires_us = idem->claimed_us + IDEM_TTL_S * USEC_PER_SEC};
    if ((f.stored = stored_form(&req->arena, &req->res)) != NULL)
        f.status = req->res.status;
    int rc = db_tx_run(req->db, DB_TX_WRITE, finish_tx, &f);
    if (rc != DB_OK) /* the claim lapses after IDEM_LEASE_S; a retry then runs anew */
        log_msg(LOG_WARN,
                f.status ? "idempotency key: response not stored"
                         : "idempotency key: claim not released",
                "request_id", req->request_id, "route", req->route->pattern, "cause",
                db_errmsg(req->db), NULL);
}
