/*
 * bank_accounts.h: a host's bank accounts, where payouts go (API.md section
 * 10 with section 15 item 19 fixed; docs/bank_accounts.md). Every read and
 * write is scoped to the acting account (op->actor.id): another person's
 * account is "not found", never "forbidden". The account number is stored
 * sealed (libsodium secretbox under a key derived from keys.data, a random
 * nonce per row, a versioned text "v1:<base64>") and only ever shown masked.
 *   bank_accounts.c      the rules, the transactions, the sealing
 *   bank_accounts_api.c  routes and field declarations
 */
#ifndef LOOPIN_BANK_ACCOUNTS_H
#define LOOPIN_BANK_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op.h"

#define BANK_NAME_MIN     2
#define BANK_NAME_MAX     100
#define BANK_NUMBER_MIN   9 /* digits: the Indian range (IFSC implies India) */
#define BANK_NUMBER_MAX   18
#define BANK_IFSC_LEN     11
#define BANK_ACCOUNTS_MAX 10  /* active accounts per host */
#define BANK_SEALED_MAX   256 /* the sealed text with its NUL ("v1:" + base64) */

/* A create (every text set) or a partial update (NULL / -1: unchanged).
 * Texts arrive checked and normalised by the field declarations: names
 * trimmed, the number digits only, the IFSC code upper-case. */
typedef struct {
    const char *bank_name;
    const char *account_number;
    const char *ifsc_code;
    const char *account_holder_name;
    int is_primary; /* -1 absent, 0, 1 */
    int is_active;  /* -1 absent, 0, 1 (update only) */
} bank_account_input_t;

/* The caller's active accounts, primary first, then newest: a JSON array. */
err_t *bank_accounts_list(op_t *op, json_t **out);
/* One of the caller's accounts, inactive ones included. */
err_t *bank_account_get(op_t *op, int64_t id, json_t **out);
/* The first active account of a host becomes primary whatever is_primary says. */
err_t *bank_account_create(op_t *op, const bank_account_input_t *in, json_t **out);
err_t *bank_account_update(op_t *op, int64_t id, const bank_account_input_t *in, json_t **out);
/* Deactivates (never removes): *out is {id, is_active, is_primary,
 * retained_for_payouts, new_primary_id}; *message the sentence to answer. */
err_t *bank_account_delete(op_t *op, int64_t id, json_t **out, const char **message);

/* Sealing, for this module, a payout export and a later re-encryption job.
 * The plaintext binds the row's uuid, so a sealed number copied to another
 * row does not open. seal: 0, or -1 when out is too small. open: true with
 * the digits in out (wipe them after use), false for a foreign key version,
 * a wrong key, a damaged text or another row's number. */
int bank_number_seal(const op_t *op, const char *uuid, const char *digits, char *out, size_t n);
bool bank_number_open(const op_t *op, const char *uuid, const char *sealed, char *out, size_t n);

extern const struct module bank_accounts_module;

#endif
