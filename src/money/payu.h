/*
 * payu.h: PayU's hashes (API.md 14.8), pure and unit-tested. Request:
 * sha512("key|txnid|amount|productinfo|firstname|email|||||||||||salt");
 * response (reverse): sha512("salt|status|||||||||||email|firstname|
 * productinfo|amount|txnid|key"), lower-case hex, 11 '|' in each gap.
 */
#ifndef LOOPIN_PAYU_H
#define LOOPIN_PAYU_H

#include <stdbool.h>

#define PAYU_HASH_HEX 129

typedef struct {
    const char *key, *txnid, *amount, *productinfo, *firstname, *email, *status;
} payu_fields_t;

void payu_request_hash(const payu_fields_t *f, const char *salt, char out[PAYU_HASH_HEX]);
void payu_response_hash(const payu_fields_t *f, const char *salt, char out[PAYU_HASH_HEX]);
/* Compares a received hash with the expected one: case-insensitive, in
 * constant time for hashes of the right length. */
bool payu_hash_matches(const char *expected, const char *received);

#endif
