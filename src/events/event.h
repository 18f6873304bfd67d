/*
 * event.h: the event model shared by the event endpoints: loading rows,
 * the EventResponse JSON object (API.md 5.1), visibility and permissions,
 * and the Loopin error shape the event routes use.
 */
#ifndef LOOPIN_EVENT_H
#define LOOPIN_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/strbuf.h"
#include "op.h"

/* The columns of an event a handler needs to decide things (strings are
 * arena copies). The full JSON object comes from event_json_by_id. */
typedef struct event {
    int64_t id;
    char uuid[37];
    char canonical_id[16];
    char slug[104];
    int slug_version;
    bool slug_is_manual;
    const char *canonical_url;
    const char *title;
    const char *description;
    int64_t host_id;
    int64_t venue_id; /* 0: none */
    const char *venue_text;
    char country_code[4];
    char city_slug[104];
    int64_t start_time, end_time; /* usec */
    int max_capacity, going_count, requests_count;
    int seats_held; /* by live reservations: max_capacity - going_count - seats_held are free */
    bool is_paid;
    int64_t ticket_price_minor;
    char currency[4];
    char status[16];
    bool is_public, is_active;
    const char *cover_images; /* JSON array text */
    bool allow_plus_one;
    const char *gst_number;
    char allowed_genders[16];
    int64_t updated_at; /* usec; every update moves it (the ETag) */
} event_t;

/* Loads by id (any state). *found false when there is no such row. */
int event_load(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found);
/* The same inside a write transaction, the row locked until it ends (so a
 * read-modify-write cannot lose a concurrent update). */
int event_load_for_update(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found);

/* The strong validator of an event's state: "e<id>.<updated_at>". */
void event_etag(int64_t id, int64_t updated_at, char out[64]);

/* Loads by canonical id (any state). */
int event_load_canonical(db_conn_t *c, arena_t *a, const char *canonical_id, event_t *e,
                         bool *found);

/* True when u (id 0 = anonymous) is the host or staff. */
bool event_can_manage(const event_t *e, const actor_t *u);
/* Seats still free (INT32_MAX when the capacity is unlimited). */
int event_seats_free(const event_t *e);
/* True when an event's allowed_genders admits a profile's gender
 * ("non_binary" events welcome profiles that say "other"). */
bool event_admits_gender(const char *allowed, const char *gender);
/* Listed/visible to everyone: active and public, whatever the status.
 * EVENT_SQL_LISTED_FMT is the same rule for events aliased `e`, a printf
 * format taking the number of a parameter bound to TRUE twice. */
bool event_is_publicly_visible(const event_t *e);
/* The seats taken (going_count) of the event aliased `alias`, as a SQL
 * expression read in the event's own statement: the sum of its seat buckets
 * (migration 0017), exact right after any change and never a write to the
 * event row. */
#define EVENT_SQL_SEATS_TAKEN(alias)                                                               \
    "(SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id "   \
    "= " alias ".id)"
/* The seats live reservations hold (paid admission waiting for payment). */
#define EVENT_SQL_SEATS_HELD(alias)                                                                \
    "(SELECT COALESCE(SUM(sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = " alias ".i" \
    "d)"

#define EVENT_SQL_LISTED_FMT "e.is_active = $%d AND e.is_public = $%d"

/* The read rule for the caller op->actor: NULL when they may see e; else
 * 404 EVENT_NOT_FOUND (deleted) or 403 PERMISSION_DENIED (private) for
 * anyone but the host and staff. */
err_t *event_check_visible(op_t *op, const event_t *e);
err_t *event_not_found(op_t *op, int64_t id);

/* The object check of a host-only route (AUTH_HOST owners): event id exists
 * and is not deleted (else 404 EVENT_NOT_FOUND), and op->actor hosts it or is
 * staff (else 403 with the route's own code and message). */
err_t *event_require_manager(op_t *op, int64_t id, const char *code, const char *message);

/* What a handler decides on about an event it wrote (visibility, ETag). */
typedef struct {
    int64_t id, host_id, updated_at;
    bool is_active, is_public;
    char status[16];
} event_brief_t;

/* Appends the EventResponse array of events ids[0..n) (at most 100), in
 * that order, to out: one statement. Ids with no event are left out;
 * *found is how many were written and briefs (may be NULL, else room for
 * n) says what they are. viewer (0: anonymous) sees payout_status on the
 * events it hosts. */
int event_write_list(db_conn_t *c, int64_t viewer, const int64_t *ids, int n, strbuf_t *out,
                     event_brief_t *briefs, int *found);
/* The same as jansson values, for responses that embed events; NULL on a
 * database error. */
json_t *event_json_list(db_conn_t *c, int64_t viewer, const int64_t *ids, int n);
/* One EventResponse, or NULL (database error or no such event). */
json_t *event_json_by_id(db_conn_t *c, int64_t viewer, int64_t id);

/* "100.00" for 10000 minor units (arena string). */
const char *event_price_string(arena_t *a, int64_t minor);

#endif
