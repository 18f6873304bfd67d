/*
 * event_fields.h: reading and validating event fields for create (multipart
 * form values) and update (JSON values) with one set of rules: both sources
 * are presented as JSON values, and each rule adds a 422 detail on failure.
 */
#ifndef LOOPIN_EVENT_FIELDS_H
#define LOOPIN_EVENT_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"

#define EVENT_MAX_INTERESTS 10

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
} event_fields_t;

void event_fields_defaults(event_fields_t *f);
void event_fields_from_event(event_fields_t *f, const event_t *e);

/* Applies every field present in src (a JSON object: the PUT body, or the
 * form converted by event_fields_form_object) to f, adding 422 details.
 * `creating` switches the rules that differ (status at creation: draft or
 * published). Returns 0, or a 400 code name (INVALID_DATETIME_FORMAT,
 * INVALID_DURATION, INVALID_INTEREST_IDS_FORMAT) with *msg set. */
const char *event_fields_apply(event_fields_t *f, json_t *src, bool creating, arena_t *a,
                               json_t *details, const char **msg);

/* The form fields of a multipart request as a JSON object of strings. */
json_t *event_fields_form_object(const http_req_t *req);

/* Rules on the combined result (end > start, price and is_paid agree). */
void event_fields_check(const event_fields_t *f, json_t *details);

/* Identity and relations, shared by create and update (events_write.c). */
typedef struct {
    char country_code[4], city_slug[104];
    bool found, active;
} place_t;

int resolve_place(db_conn_t *c, const event_fields_t *f, place_t *p);
int slug_owner(db_conn_t *c, const char *slug, int64_t *owner);
int choose_slug(db_conn_t *c, const char *base, int64_t event_id, bool random_only, char out[104]);
int record_slug(db_conn_t *c, int64_t event_id, const char *slug, int version);
int set_interests(db_conn_t *c, int64_t event_id, const event_fields_t *f);
int check_interests(db_conn_t *c, const event_fields_t *f, json_t *details);
/* The database-backed checks shared by create and update (interests, venue,
 * place), then the 422 of everything collected in details (consumed). A venue
 * equal to current_venue is not re-checked. 0, or -1 with the response
 * written. */
int event_fields_finish(http_req_t *req, const event_fields_t *f, json_t *details, place_t *place,
                        int64_t current_venue);

#endif
