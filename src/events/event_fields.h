/*
 * event_fields.h: the fields of an event for create (multipart form text)
 * and update (JSON): their declarations for the route tables, and applying
 * checked input to the writable state of an event. Cross-field rules
 * (times, price, status transitions) and the database-backed ones
 * (interests, venue) come after, in event_fields.c and the write files.
 */
#ifndef LOOPIN_EVENT_FIELDS_H
#define LOOPIN_EVENT_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "http/route.h"

#define EVENT_MAX_INTERESTS 10
#define EVENT_MAX_COVERS    3

/* The writable state of an event (create: defaults; update: the loaded
 * row), patched field by field. Strings are arena copies. */
typedef struct {
    const char *title, *description, *venue_text, *gst_number;
    char allowed_genders[16], status[16], currency[4];
    const char *slug; /* manual slug when set through PUT */
    int64_t start_time, end_time, venue_id, ticket_price_minor;
    int max_capacity;
    bool is_paid, allow_plus_one, is_public;
    int64_t interests[EVENT_MAX_INTERESTS];
    int ninterests;
    bool interests_set;
    json_t *cover_urls; /* PUT: replacement list of URLs, or NULL */
    /* POST from the mobile app: the place as it sends it (venue_name,
     * location_*), made the event's venue when no venue_id is given */
    struct {
        const char *name, *address, *city, *place_id;
        char country_code[3];
        bool has_latitude, has_longitude;
        double latitude, longitude;
    } app_venue;
} event_fields_t;

/* The route tables' field declarations. */
extern const field_t event_create_fields[];
extern const field_t event_update_fields[];

void event_fields_defaults(event_fields_t *f);
void event_fields_from_event(event_fields_t *f, const event_t *e);

/* Applies every field present in in to f. Times, duration and the interest
 * list keep their documented 400s (INVALID_DATETIME_FORMAT, INVALID_DURATION,
 * INVALID_INTEREST_IDS_FORMAT): returned as the error; too many interests is
 * a detail added to details. */
err_t *event_fields_apply(event_fields_t *f, const input_t *in, op_t *op, json_t *details);

/* Create only: the mobile app's place fields (venue_name, location_*) into
 * f->app_venue when they name a venue with a city and no venue_id was
 * given; a name without a city becomes venue_text. */
void event_fields_apply_app_venue(event_fields_t *f, const input_t *in);

/* Rules on the combined result (end > start, price and is_paid agree). */
void event_fields_check(const event_fields_t *f, json_t *details);

/* Identity and relations, shared by create and update (events_write.c). */
typedef struct {
    char country_code[4], city_slug[104];
    bool found, active;
} event_place_t;

int event_place_resolve(db_conn_t *c, const event_fields_t *f, event_place_t *p);
int event_slug_owner(db_conn_t *c, const char *slug, int64_t *owner);
int event_slug_choose(db_conn_t *c, const char *base, int64_t event_id, bool random_only,
                      int64_t now_us, char out[104]);
int event_slug_record(db_conn_t *c, int64_t event_id, const char *slug, int version,
                      int64_t now_us);
int event_interests_set(db_conn_t *c, int64_t event_id, const event_fields_t *f);

/* The database-backed steps shared by create and update (unknown or
 * inactive interests dropped from f, the venue and place), then the 422 of
 * everything collected in details (consumed). A venue equal to
 * current_venue is not re-checked. */
err_t *event_fields_finish(op_t *op, event_fields_t *f, json_t *details, event_place_t *place,
                           int64_t current_venue);

#endif
