/*
 * ticket_keys.h: each event's Ed25519 key pair for ticket codes. Created on
 * the event's first ticket; the private half is stored sealed (secretbox
 * under keys.tickets, derived from LOOPIN_SECRET_KEY, with the event id
 * inside the sealed bytes so a sealed key cannot be moved to another event).
 * A key pair never changes, so every process caches the ones it has opened.
 */
#ifndef LOOPIN_TICKET_KEYS_H
#define LOOPIN_TICKET_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"
#include "tickets/ticket_code.h"

typedef struct {
    int64_t event_id;
    unsigned char pk[TICKET_PK_BYTES];
    unsigned char sk[TICKET_SK_BYTES];
} ticket_keypair_t;

/* Makes sure the event has a key pair, creating and storing one in its own
 * committed transaction (so no process ever caches a key that a rolled-back
 * transaction made). Call it outside any transaction, before issuing the
 * event's tickets; a cached pair costs nothing. */
err_t *ticket_keys_ensure(op_t *op, int64_t event_id);

/* True when this process already holds the event's key pair. */
bool ticket_keys_known(int64_t event_id);

/* The event's key pair. DB_OK with *found false: none yet. A sealed key
 * that does not open is DB_ERROR (wrong LOOPIN_SECRET_KEY). */
int ticket_keys_get(op_t *op, int64_t event_id, ticket_keypair_t *out, bool *found);

/* The code of a ticket from its stored seed (hex): re-derived, never stored. */
int ticket_keys_code(const ticket_keypair_t *kp, int64_t ticket_id, const char *seed_hex,
                     char code[TICKET_CODE_LEN + 1]);

#endif
