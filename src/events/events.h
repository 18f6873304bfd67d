/*
 * events.h: the event routes (API.md section 5; contract in docs/events.md).
 */
#ifndef LOOPIN_EVENTS_H
#define LOOPIN_EVENTS_H

#include "events/event.h"
#include "http/router.h"

/* GET /api/events (events_list.c) */
void events_list(http_req_t *req);
/* POST /api/events and PUT /api/events/{id} (events_write.c) */
void events_create(http_req_t *req);
void events_update(http_req_t *req);

/* Loads {event_id} for a host or staff write (404 missing or deleted, 403
 * others); -1 with the response written. */
int events_load_managed(http_req_t *req, const actor_t *u, event_t *e);
/* Soft delete, refused (409 EVENT_HAS_SALES) once money is involved. */
int events_soft_delete(http_req_t *req, const event_t *e, const actor_t *u);

/* Registers every /api/events route of this module. */
extern const struct module events_module;

#endif
