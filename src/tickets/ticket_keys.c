/*
 * ticket_keys.c: per-event ticket key pairs (see ticket_keys.h): sealing,
 * storing, opening and a small per-process cache (direct-mapped by event id;
 * a collision only costs a re-read).
 */
#include "tickets/ticket_keys.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "app.h"

#define B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SEED_BYTES  crypto_sign_SEEDBYTES
#define PLAIN_BYTES (8 + SEED_BYTES)
#define BOX_BYTES   (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_BYTES)
#define CACHE_SLOTS 256

static ticket_keypair_t cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool cache_get(int64_t event_id, ticket_keypair_t *out)
{
    bool hit;
    pthread_mutex_lock(&cache_lock);
    ticket_keypair_t *slot = &cache[(uint64_t)event_id % CACHE_SLOTS];
    hit = slot->event_id == event_id;
    if (hit)
        *out = *slot;
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(const ticket_keypair_t *kp)
{
    pthread_mutex_lock(&cache_lock);
    cache[(uint64_t)kp->event_id % CACHE_SLOTS] = *kp;
    pthread_mutex_unlock(&cache_lock);
}

static void plain_of(int64_t event_id, const unsigned char *seed, unsigned char *plain)
{
    uint64_t u = (uint64_t)event_id;
    for (int i = 7; i >= 0; i--, u >>= 8)
        plain[i] = (unsigned char)(u & 0xff);
    memcpy(plain + 8, seed, SEED_BYTES);
}

/* base64url(nonce | secretbox(event id | Ed25519 seed)) into out. */
static void seal(const op_t *op, int64_t event_id, const unsigned char *seed, char *out, size_t n)
{
    unsigned char plain[PLAIN_BYTES], box[BOX_BYTES];
    plain_of(event_id, seed, plain);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, sizeof plain, box,
                          op->app->keys.tickets);
    sodium_bin2base64(out, n, box, sizeof box, B64);
    sodium_memzero(plain, sizeof plain);
}

static int unseal(const op_t *op, int64_t event_id, const char *sealed, ticket_keypair_t *out)
{
    unsigned char box[BOX_BYTES], plain[PLAIN_BYTES], expect[8];
    size_t got = 0;
    if (sodium_base642bin(box, sizeof box, sealed, strlen(sealed), NULL, &got, NULL, B64) != 0 ||
        got != sizeof box ||
        crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                   sizeof box - crypto_secretbox_NONCEBYTES, box,
                                   op->app->keys.tickets) != 0)
        return DB_ERROR;
    plain_of(event_id, plain + 8, box); /* box reused: the expected id bytes */
    memcpy(expect, box, 8);
    int rc = sodium_memcmp(expect, plain, 8) == 0 ? DB_OK : DB_ERROR;
    if (rc == DB_OK) {
        out->event_id = event_id;
        crypto_sign_seed_keypair(out->pk, out->sk, plain + 8);
    }
    sodium_memzero(plain, sizeof plain);
    return rc;
}

static const char SQL_GET[] = "SELECT sealed_key FROM event_ticket_keys WHERE event_id = $1";
static const char SQL_PUT[] =
    "INSERT INTO event_ticket_keys (event_id, public_key, sealed_key, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING";

static int load(op_t *op, int64_t event_id, ticket_keypair_t *out, bool *found)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_GET, DB_ARGS(db_int(event_id)), &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found)
        rc = unseal(op, event_id, db_col_text(rows, 0), out);
    int st = db_rows_status(rows);
    db_rows_free(rows);
    return rc != DB_OK ? rc : st;
}

/* A new pair, stored unless another transaction stored one first (then
 * that one is read back: every ticket of an event shares one key). */
static int create(op_t *op, int64_t event_id, ticket_keypair_t *out, bool *found)
{
    unsigned char seed[SEED_BYTES];
    char pk64[TICKET_PK_B64], sealed[256];
    randombytes_buf(seed, sizeof seed);
    out->event_id = event_id;
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    ticket_pk_encode(out->pk, pk64);
    seal(op, event_id, seed, sealed, sizeof sealed);
    sodium_memzero(seed, sizeof seed);
    int rc = db_exec(op->db, SQL_PUT,
                     DB_ARGS(db_int(event_id), db_text(pk64), db_text(sealed), db_time(op->now_us)),
                     NULL);
    return rc == DB_OK ? load(op, event_id, out, found) : rc;
}

int ticket_keys_get(op_t *op, int64_t event_id, ticket_keypair_t *out, bool *found)
{
    *found = cache_get(event_id, out);
    if (*found)
        return DB_OK;
    int rc = load(op, event_id, out, found);
    if (rc == DB_OK && *found)
        cache_put(out);
    return rc;
}

static err_t *ensure_tx(op_t *op, void *arg)
{
    ticket_keypair_t kp;
    bool found = false;
    int64_t event_id = *(int64_t *)arg;
    int rc = load(op, event_id, &kp, &found);
    if (rc == DB_OK && !found)
        rc = create(op, event_id, &kp, &found);
    sodium_memzero(&kp, sizeof kp);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

bool ticket_keys_known(int64_t event_id)
{
    ticket_keypair_t kp;
    bool hit = cache_get(event_id, &kp);
    sodium_memzero(&kp, sizeof kp);
    return hit;
}

err_t *ticket_keys_ensure(op_t *op, int64_t event_id)
{
    ticket_keypair_t kp;
    bool hit = cache_get(event_id, &kp);
    sodium_memzero(&kp, sizeof kp);
    return hit ? NULL : op_tx(op, DB_TX_WRITE, ensure_tx, &event_id);
}

int ticket_keys_code(const ticket_keypair_t *kp, int64_t ticket_id, const char *seed_hex,
                     char code[TICKET_CODE_LEN + 1])
{
    unsigned char seed[TICKET_SEED_BYTES];
    size_t got = 0;
    if (!seed_hex ||
        sodium_hex2bin(seed, sizeof seed, seed_hex, strlen(seed_hex), NULL, &got, NULL) != 0 ||
        got != sizeof seed)
        return DB_ERROR;
    return ticket_code_make(kp->sk, ticket_id, kp->event_id, seed, code) == 0 ? DB_OK : DB_ERROR;
}
