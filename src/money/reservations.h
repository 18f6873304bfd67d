/*
 * reservations.h: seats held for a paid admission while the guest pays
 * (issue 10; docs/money.md). A live reservation (not consumed, not released)
 * holds its seats in the event's seat buckets by trigger (migration 0019),
 * under the same guard as attendees. Expired ones are released inside the
 * transaction that needs seats, so they never block a sale.
 */
#ifndef LOOPIN_RESERVATIONS_H
#define LOOPIN_RESERVATIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "op.h"

typedef struct {
    int64_t id;
    char key[37];
    int seats;
    int64_t expires_at;
} reservation_t;

/* Releases the event's expired live reservations (their seats go back). */
int reservations_reclaim(op_t *op, int64_t event_id);

/* Holds seats for user_id (request_id 0: an invitation). Expired ones are
 * reclaimed first. DB_CHECK with constraint event_seat_buckets_room when
 * the seats are not free (the caller answers its own refusal). */
int reservation_create(op_t *op, int64_t event_id, int64_t user_id, int64_t request_id, int seats,
                       reservation_t *out);

/* The user's live, unexpired reservation for the event (found false: none). */
int reservation_live(op_t *op, int64_t event_id, int64_t user_id, reservation_t *out, bool *found);

/* Renews (or makes) the caller's reservation for a paid event they were
 * admitted to: POST /api/events/{id}/reservations. */
err_t *reservation_renew(op_t *op, int64_t event_id, json_t **out);

/* Releases every expired live reservation (the periodic job): count. */
int reservations_expire_all(op_t *op, int64_t *released);

json_t *reservation_json(const reservation_t *r, int64_t event_id);

#endif
