/*
 * events.h: the events module (API.md section 5; contract in
 * docs/events.md): creating, updating and removing events, and the module
 * with its routes (events_api.c, events_list.c).
 */
#ifndef LOOPIN_EVENTS_H
#define LOOPIN_EVENTS_H

#include "events/event.h"
#include "events/event_fields.h"
#include "notifications/notifications.h"

/* Creates an event hosted by op->actor (events_write.c); *id is its id. */
err_t *event_create(op_t *op, const event_fields_t *f, const event_place_t *place,
                    const char *covers_json, int64_t *id);

/* Allowed status changes (staying put is always allowed). */
bool event_status_transition_ok(const char *from, const char *to);

/* Up to max going attendees of event_id with a user id above after, in
 * user id order (keyset pages: a cursor cannot stay open while the caller
 * writes on the same connection); *n how many. */
int event_going_batch(db_conn_t *c, int64_t event_id, int64_t after, int64_t *ids, int max, int *n);

/* One notification from the template tpl->key (tpl->to ignored) to every
 * going attendee of event_id, in the caller's transaction. */
int event_notify_going(op_t *op, int64_t event_id, const notify_ref_t *tpl, const tpl_arg_t *args,
                       int nargs);

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

/* The per-process cache of the listing (listing_cache.c, app->events_cache):
 * its version, and totals and page ids counted under a version. bus (may be
 * NULL: the version is read at every request) is PostgreSQL's invalidation
 * bus, which it subscribes to. */
typedef struct events_cache events_cache_t;
struct db_notify;
events_cache_t *events_cache_new(struct db_notify *bus);
void events_cache_free(events_cache_t *c);
/* The listing's current version: from memory while the bus is live and no
 * change has been announced since it was read, else one primary-key read. */
int listing_version(events_cache_t *c, db_conn_t *db, int64_t *version);
/* Cached results of a query key under a version (keys of 500 bytes or more
 * are never cached). */
/* Lookups of a listing total and of a page of ids, by result. */
typedef struct {
    uint64_t total_hits, total_misses, page_hits, page_misses;
} listing_cache_stats_t;
void listing_cache_stats(events_cache_t *c, listing_cache_stats_t *out);
bool listing_total_get(events_cache_t *c, const char *key, int64_t version, int64_t *total);
void listing_total_put(events_cache_t *c, const char *key, int64_t version, int64_t total);
bool listing_page_get(events_cache_t *c, const char *key, int64_t version, int64_t ids[100],
                      int *n);
void listing_page_put(events_cache_t *c, const char *key, int64_t version, const int64_t *ids,
                      int n);
/* After this process committed a change that moves the listing: forget the
 * version now rather than when the bus brings the news back. */
void listing_changed(struct app *app);

extern const struct module events_module;

#endif
