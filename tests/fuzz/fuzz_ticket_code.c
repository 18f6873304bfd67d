/*
 * fuzz_ticket_code.c: libFuzzer driver for tickets/ticket_code. Every input
 * is parsed as a code (bare or "EVENT:{id}:TICKET:{code}"); what parses must
 * hold its canonical 130-character code verbatim, have positive ids, re-parse
 * to the same fields bare and with its prefix (and not with another event's)
 * and hash to 64 lower-case hex digits; what verifies under the fixed key
 * must be exactly the code the server would make. Input starting 'M' also
 * makes a code from its bytes, which must parse and verify; 'T' then applies
 * the remaining bytes as (position, byte) edits, and an edited code that
 * still verifies must be the unedited one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tickets/ticket_code.h"

/* The seeds in tests/fuzz/corpus/ticket_code/ are signed with the key pair
 * from this seed. */
static const unsigned char KEY_SEED[crypto_sign_SEEDBYTES + 1] = "loopin-fuzz-ticket-key-012345678";

static unsigned char PK[TICKET_PK_BYTES], SK[TICKET_SK_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    crypto_sign_seed_keypair(PK, SK, KEY_SEED);
    return 0;
}

static bool same(const ticket_code_t *a, const ticket_code_t *b)
{
    return a->ticket_id == b->ticket_id && a->event_id == b->event_id &&
           memcmp(a->seed, b->seed, sizeof a->seed) == 0 &&
           memcmp(a->msg, b->msg, sizeof a->msg) == 0 &&
           memcmp(a->sig, b->sig, sizeof a->sig) == 0 && strcmp(a->code, b->code) == 0;
}

/* Parses exactly n bytes from a buffer of that size (so an over-read is
 * an ASan report). */
static int parse_exact(const uint8_t *data, size_t n, ticket_code_t *c)
{
    char *s = malloc(n ? n : 1);
    if (!s)
        abort();
    memcpy(s, data, n);
    int rc = ticket_code_parse(s, n, c);
    free(s);
    return rc;
}

/* The invariants of a parsed code; returns whether it verified. */
static bool check_parsed(const ticket_code_t *c)
{
    if (c->ticket_id <= 0 || c->event_id <= 0 || strlen(c->code) != TICKET_CODE_LEN)
        abort();
    ticket_code_t again;
    if (ticket_code_parse(c->code, TICKET_CODE_LEN, &again) != 0 || !same(c, &again))
        abort();
    char qr[TICKET_CODE_LEN + 64];
    int n = snprintf(qr, sizeof qr, "EVENT:%lld:TICKET:%s", (long long)c->event_id, c->code);
    /* The prefix reads at most 18 digits (ids beyond are never issued). */
    if (c->event_id < INT64_C(1000000000000000000)) {
        if (ticket_code_parse(qr, (size_t)n, &again) != 0 || !same(c, &again))
            abort();
    }
    n = snprintf(qr, sizeof qr, "EVENT:%lld:TICKET:%s",
                 (long long)(c->event_id == INT64_MAX ? 1 : c->event_id + 1), c->code);
    if (ticket_code_parse(qr, (size_t)n, &again) == 0)
        abort();

    char hash[TICKET_HASH_HEX];
    ticket_code_hash(c->code, hash);
    for (size_t i = 0; i < TICKET_HASH_HEX - 1; i++)
        if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
            abort();
    if (hash[TICKET_HASH_HEX - 1] != '\0')
        abort();

    bool ok = ticket_code_verify(c, PK);
    if (ok) {
        char made[TICKET_CODE_LEN + 1];
        if (ticket_code_make(SK, c->ticket_id, c->event_id, c->seed, made) != 0 ||
            strcmp(made, c->code) != 0)
            abort();
    }
    return ok;
}

static uint64_t take_u64(const uint8_t **p, size_t *n)
{
    uint64_t u = 0;
    for (int i = 0; i < 8 && *n > 0; i++, (*p)++, (*n)--)
        u = u << 8 | **p;
    return u;
}

/* 'M': ids and seed from the input; 'T': then edits. */
static void make_mode(const uint8_t *p, size_t n, bool edit)
{
    int64_t ticket_id = (int64_t)(take_u64(&p, &n) & INT64_MAX);
    int64_t event_id = (int64_t)(take_u64(&p, &n) & INT64_MAX);
    unsigned char seed[TICKET_SEED_BYTES] = {0};
    for (size_t i = 0; i < TICKET_SEED_BYTES && n > 0; i++, p++, n--)
        seed[i] = *p;
    char code[TICKET_CODE_LEN + 1];
    if (ticket_id == 0 || event_id == 0) {
        if (ticket_code_make(SK, ticket_id, event_id, seed, code) != -1)
            abort();
        return;
    }
    if (ticket_code_make(SK, ticket_id, event_id, seed, code) != 0)
        abort();
    ticket_code_t c;
    if (ticket_code_parse(code, strlen(code), &c) != 0 || c.ticket_id != ticket_id ||
        c.event_id != event_id || memcmp(c.seed, seed, sizeof seed) != 0 || !check_parsed(&c))
        abort();
    if (!edit)
        return;
    char t[TICKET_CODE_LEN + 1];
    memcpy(t, code, sizeof t);
    for (; n >= 2; p += 2, n -= 2)
        t[p[0] % TICKET_CODE_LEN] = (char)p[1];
    if (ticket_code_parse(t, TICKET_CODE_LEN, &c) == 0 && check_parsed(&c) &&
        memcmp(t, code, TICKET_CODE_LEN) != 0)
        abort(); /* an edited code verified */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ticket_code_t c;
    if (parse_exact(data, size, &c) == 0) {
        /* One spelling: the input holds the canonical code itself. */
        if (!memmem(data, size, c.code, TICKET_CODE_LEN))
            abort();
        check_parsed(&c);
    }

    if (size > 0 && data[0] == 'M')
        make_mode(data + 1, size - 1, false);
    else if (size > 0 && data[0] == 'T')
        make_mode(data + 1, size - 1, true);
    return 0;
}
