/*
 * events.h: the events module (API.md section 5; contract in
 * docs/events.md): creating, updating and removing events, and the module
 * with its routes (events_api.c, events_list.c).
 */
#ifndef LOOPIN_EVENTS_H
#define LOOPIN_EVENTS_H

#include "events/event.h"
#include "events/event_fields.h"

/* Creates an event hosted by op->actor (events_write.c); *id is its id. */
err_t *event_create(op_t *op, const event_fields_t *f, const event_place_t *place,
                    const char *covers_json, int64_t *id);

/* Allowed status changes (staying put is always allowed). */
bool event_status_transition_ok(const char *from, const char *to);

/* Writes f over e (events_update.c), inside the caller's write transaction
 * in which e was loaded with event_load_for_update: every derived value
 * (slug version, slug history) comes from the locked row, so concurrent
 * updates apply one after the other and none is lost. 409 SLUG_TAKEN for a
 * manual slug another event used. */
err_t *event_update_locked(op_t *op, const event_t *e, const event_fields_t *f,
                           const event_place_t *place);

/* Soft delete (events_api.c), refused with 409 EVENT_HAS_SALES once tickets
 * were sold or payouts requested. */
err_t *event_soft_delete(op_t *op, const event_t *e);

/* GET /api/events (events_list.c): the handler and its query fields. */
struct input;
err_t *events_list(http_req_t *req, op_t *op, const struct input *in);
extern const field_t events_list_fields[];

/* The per-process cache of listing totals (app->events_cache). */
typedef struct events_cache events_cache_t;
events_cache_t *events_cache_new(void);
void events_cache_free(events_cache_t *c);

extern const struct module events_module;

#endif
