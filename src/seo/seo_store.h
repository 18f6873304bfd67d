/*
 * seo_store.h: what the SEO surfaces read from the database (seo_store.c):
 * live events by canonical id or by any slug they ever had, an event's SEO
 * view (host name, venue, coordinates), interests by slug and the city
 * page's selection. The text builders (no database) are seo.h.
 */
#ifndef LOOPIN_SEO_STORE_H
#define LOOPIN_SEO_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "op.h"
#include "seo/seo.h"

/* Active, public and published: what the public SEO surfaces show. */
bool seo_event_is_live(const event_t *e);

/* The 404 of the SEO routes, naming the id when it could be one. */
err_t *seo_not_found(op_t *op, const char *canonical_id);

/* A live event by canonical id, else the 404. */
err_t *seo_live_canonical(op_t *op, const char *canonical_id, event_t *e);

/* The event a bare slug (current or superseded) names; *found false when
 * none. */
err_t *seo_event_by_slug(op_t *op, const char *slug, event_t *e, bool *found);

/* Fills *s for e: the event's columns, its host's name and its venue. */
err_t *seo_event_load(op_t *op, const event_t *e, seo_event_t *s);

/* Where it is, as one line: "Venue, City", else the venue's name or city
 * alone, else venue_text (calendar LOCATION). */
const char *seo_event_place(arena_t *a, const seo_event_t *s);

/* The active interest with that slug as {id, name, slug}, else the 404. */
err_t *seo_interest_find(op_t *op, const char *slug, json_t **out);

typedef struct {
    const char *country_code, *city_slug; /* lower case */
    const char *status;
    int64_t page, limit;
    int64_t interest_id; /* 0: any */
} seo_city_query_t;

/* Counts the city selection and reads the page's ids into ids[0..*n). */
err_t *seo_city_select(op_t *op, const seo_city_query_t *q, seo_page_t *pg, int64_t *ids, int *n);

#endif
