/*
 * ticket_code.h: the signed ticket code (docs/tickets.md). A code is
 * base64url (no padding) of
 *     version (1 byte, 1) | ticket id (8, big-endian) | event id (8) |
 *     seed (16 random bytes) | Ed25519 signature of the 33 bytes before it
 * under the event's key pair: 97 bytes, 130 characters. It is what
 * ticket_secret carries; qr_code_data is "EVENT:{event_id}:TICKET:{code}".
 * Ed25519 signing is deterministic, so the server re-derives a ticket's code
 * from its seed whenever it shows it and stores only the seed and the code's
 * SHA-256. A scanner holding only the public key can verify a code offline.
 * Pure functions, no database: unit-tested and fuzzed (fuzz_ticket_code).
 */
#ifndef LOOPIN_TICKET_CODE_H
#define LOOPIN_TICKET_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TICKET_CODE_VERSION 1
#define TICKET_SEED_BYTES   16
#define TICKET_PK_BYTES     32 /* crypto_sign_PUBLICKEYBYTES */
#define TICKET_SK_BYTES     64 /* crypto_sign_SECRETKEYBYTES */
#define TICKET_SIG_BYTES    64
#define TICKET_MSG_BYTES    33
#define TICKET_CODE_LEN     130 /* characters of a code */
#define TICKET_HASH_HEX     65  /* 64 hex digits and NUL */
#define TICKET_PK_B64       44  /* 43 characters and NUL */

typedef struct {
    int64_t ticket_id, event_id;
    unsigned char seed[TICKET_SEED_BYTES];
    unsigned char msg[TICKET_MSG_BYTES]; /* the signed bytes */
    unsigned char sig[TICKET_SIG_BYTES];
    char code[TICKET_CODE_LEN + 1]; /* the bare code, canonical */
} ticket_code_t;

/* Signs (ticket_id, event_id, seed) with sk into out (TICKET_CODE_LEN + 1
 * bytes). Returns 0, or -1 for ids that are not positive. */
int ticket_code_make(const unsigned char sk[TICKET_SK_BYTES], int64_t ticket_id, int64_t event_id,
                     const unsigned char seed[TICKET_SEED_BYTES], char *out);

/* Parses a bare code or a whole "EVENT:{id}:TICKET:{code}" (surrounding
 * blanks ignored; the prefix's event id must agree with the payload's).
 * Checks shape only: length, alphabet, canonical base64url, version and
 * positive ids. Returns 0, or -1 for anything that is not a ticket code. */
int ticket_code_parse(const char *text, size_t len, ticket_code_t *out);

/* True when the signature verifies under pk. */
bool ticket_code_verify(const ticket_code_t *c, const unsigned char pk[TICKET_PK_BYTES]);

/* SHA-256 of the bare code, lower-case hex: what the database stores. */
void ticket_code_hash(const char *code, char out[TICKET_HASH_HEX]);

/* base64url of a public key (43 characters), and back (0, or -1). */
void ticket_pk_encode(const unsigned char pk[TICKET_PK_BYTES], char out[TICKET_PK_B64]);
int ticket_pk_decode(const char *text, unsigned char pk[TICKET_PK_BYTES]);

#endif
