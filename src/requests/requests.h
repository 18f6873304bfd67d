/*
 * requests.h: join requests (API.md section 6, docs/admission.md): a person
 * asks the host to come, the host accepts or declines. Accepting checks that
 * the seats asked for still fit (counted in seats); the seats themselves are
 * taken when the guest confirms (attendance, issue 9's next step). Rules and
 * SQL in requests.c, HTTP in requests_api.c.
 */
#ifndef LOOPIN_REQUESTS_H
#define LOOPIN_REQUESTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

#define REQUEST_SEATS_MAX   10 /* seats one request may ask for */
#define REQUEST_MESSAGE_MAX 2000
#define REQUEST_REPLY_MAX   500 /* host_message */
#define REQUEST_BULK_MAX    100 /* ids in one bulk action */

/* Asks to join event_id as op->actor. 201's object in *out. */
err_t *request_create(op_t *op, int64_t event_id, int seats, const char *message, json_t **out);

/* The caller's request for event_id as a RequestStatus item. */
err_t *request_mine(op_t *op, int64_t event_id, json_t **out);

/* The caller's requests, newest first; status NULL for all. */
err_t *requests_mine(op_t *op, const char *status, json_t **out);

/* The event's requests for its host, newest first: {total_requests_count,
 * total, offset, limit, requests}. */
err_t *requests_of_event(op_t *op, int64_t event_id, int64_t offset, int64_t limit, json_t **out);

/* Accepts (seats must fit) or declines a pending request of event_id. */
err_t *request_respond(op_t *op, int64_t event_id, int64_t request_id, bool accept,
                       const char *host_message, json_t **out);

/* Accepts or declines the pending ones among ids, all or nothing (accepting:
 * their seats together must fit). {success, processed_count, accepted_count,
 * declined_count, errors}. */
err_t *requests_bulk(op_t *op, int64_t event_id, const int64_t *ids, int n, bool accept,
                     const char *host_message, json_t **out);

/* The requester's profile for the host: {user_id, name, phone_number, bio,
 * gender, location, profile_pictures, event_interests (<= 10), is_verified}. */
err_t *request_requester_profile(op_t *op, int64_t event_id, int64_t request_id, json_t **out);

extern const struct module requests_module;

#endif
