/*
 * tickets.h: attendance and tickets (issue 9; API.md section 7, docs/tickets.md).
 *   attendance.c  confirm (takes the seats, issues the ticket) and cancel
 *                 (releases them, revokes the code);
 *   tickets.c     the ticket object, my-ticket, my-tickets, the host's
 *                 attendee list;
 *   checkin.c     door check-in online, offline scan data and sync;
 *   tickets_api.c the routes.
 * Seats are taken and released by the database (event_seat_buckets triggers,
 * migration 0017): this code only inserts and updates attendee rows.
 */
#ifndef LOOPIN_TICKETS_H
#define LOOPIN_TICKETS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "op.h"

#define ATTEND_SEATS_MAX 10 /* seats one confirmation may take (API.md 7) */
#define SCAN_BATCH_MAX   500
#define SCAN_NONCE_MAX   100

/* Confirms the caller's attendance for a free event (accepted request, or a
 * pending/accepted invitation): takes the seats and issues the ticket.
 * seats 0 = all the seats accepted. The ticket object in *out. */
err_t *attendance_confirm(op_t *op, int64_t event_id, int seats, json_t **out);

/* A paid admission, inside the caller's transaction (the payment's): the
 * attendee row going (its trigger takes the seats: CAPACITY_FULL when they
 * are gone, ALREADY_CONFIRMED when attending) and a paid ticket. The event's
 * ticket keys must exist (ticket_keys_ensure before the transaction). */
typedef struct {
    int64_t user_id, order_id, request_id, invite_id;
    int seats;
    int64_t price_minor, fee_minor; /* what the attendee paid, and the fee in it */
} admit_t;
err_t *attendance_admit_paid(op_t *op, const event_t *e, const admit_t *a, int64_t *ticket_id);

/* A full refund: the attendee's seats released, the ticket cancelled and
 * its code revoked ("refunded"), inside the caller's transaction. */
int attendance_cancel_refunded(op_t *op, int64_t event_id, int64_t user_id);

/* Cancels the caller's attendance: seats released, ticket code revoked. */
err_t *attendance_cancel(op_t *op, int64_t event_id, json_t **out);

/* The caller's ticket for event_id (API.md 7 my-ticket). */
err_t *ticket_mine(op_t *op, int64_t event_id, json_t **out);

/* The ticket the caller was just issued (no event checks: one statement). */
err_t *ticket_just_issued(op_t *op, int64_t event_id, json_t **out);

/* The caller's tickets, newest first; event_id 0 for all. */
err_t *tickets_mine(op_t *op, int64_t event_id, json_t **out);

/* The host's attendee list: {going_count, attendees: [...]} with codes. */
err_t *attendees_of_event(op_t *op, int64_t event_id, json_t **out);

/* Fills the ticket objects' ticket_secret and qr_code_data from their
 * "_seed" members (removed), signing with each event's key. */
err_t *tickets_sign(op_t *op, json_t *tickets);

/* Check-in (docs/tickets.md): code is a ticket code or a whole
 * qr_code_data; nonce makes a retry idempotent (NULL: none); exit true for
 * type "exit"; scanned_at 0 = now. The pretix-style answer in *out; 404
 * TICKET_NOT_FOUND for a code that is not a ticket. */
typedef struct {
    const char *code, *nonce, *device_id;
    bool exit, offline;
    int64_t scanned_at;
    int64_t user_id; /* instead of a code: check this attendee in (the app's button) */
} scan_t;
err_t *checkin_scan(op_t *op, int64_t event_id, const scan_t *s, json_t **out);

/* Applies offline scans in order: {results: [per scan]}. */
err_t *checkin_sync(op_t *op, int64_t event_id, const scan_t *scans, int n, json_t **out);

/* Offline scanning data: {event_id, public_key, server_time, tickets,
 * revoked}; since 0 for everything, else changes after it (usec). */
err_t *scan_data(op_t *op, int64_t event_id, int64_t since, json_t **out);

/* {checked_in: [{user_id, ticket_id, checked_in_at}]} for the host. */
err_t *checkins_of_event(op_t *op, int64_t event_id, json_t **out);

/* The host's attendee list as CSV (malloc'd; formula cells defused). */
err_t *attendees_csv(op_t *op, int64_t event_id, char **out, size_t *len);

/* The caller's ticket as an iCalendar object (malloc'd). */
err_t *ticket_ics(op_t *op, int64_t event_id, char **out, size_t *len);

extern const struct module tickets_module;

#endif
