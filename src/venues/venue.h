/*
 * venue.h: venues, the reusable places events happen at (docs/events.md,
 * "Venues"). Loading a venue for the event code, the Venue JSON object of
 * the API, the pure field rules, listing and creating. The HTTP side is
 * venue_api.c.
 */
#ifndef LOOPIN_VENUE_H
#define LOOPIN_VENUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"
#include "op.h"

#define VENUE_NAME_MAX     150
#define VENUE_ADDRESS_MAX  500
#define VENUE_CITY_MAX     100
#define VENUE_METADATA_MAX 16384 /* bytes of compact JSON */
#define VENUE_LIST_LIMIT   20
#define VENUE_LIST_MAX     100

/* The columns the event code needs (strings are arena copies). */
typedef struct {
    int64_t id;
    char uuid[37];
    const char *name;
    const char *address;
    const char *city;
    char country_code[4];
    char city_slug[104];
    char venue_type[16];
    bool is_active;
} venue_t;

/* Loads by id, whatever its state. DB_OK with *found false when there is no
 * such row. */
int venue_load(db_conn_t *c, arena_t *a, int64_t id, venue_t *v, bool *found);

/* The Venue object of an active venue: DB_OK with *out NULL when the venue
 * is missing or inactive. The caller owns *out. */
int venue_json_active(db_conn_t *c, int64_t id, json_t **out);

/* ---- listing ------------------------------------------------------------ */

typedef struct {
    const char *city;       /* contains, case-insensitive; NULL: any */
    const char *venue_type; /* canonical type; NULL: any */
    int64_t offset, limit;
} venue_query_t;

/* Active venues by name, then id. *data (owned by the caller) is a JSON
 * array of Venue objects; *total counts every match. */
int venue_list(db_conn_t *c, arena_t *a, const venue_query_t *q, json_t **data, int64_t *total);

/* ---- creating ----------------------------------------------------------- */

typedef struct {
    const char *name, *address, *city; /* trimmed and checked */
    char country_code[3];
    const char *venue_type; /* canonical */
    int64_t capacity;
    bool has_latitude, has_longitude; /* false: NULL */
    double latitude, longitude;       /* already rounded to 6 places */
    const char *metadata;             /* compact JSON object text */
} venue_input_t;

/* Inserts the venue (city_slug from the city) and returns its Venue object
 * in *out (owned by the caller). A row the schema refuses (which the field
 * rules should prevent) is 400 VENUE_CREATION_FAILED, logged. */
err_t *venue_create(op_t *op, const venue_input_t *in, json_t **out);

/* The venue of an event created in the mobile app (name, address, city,
 * country, coordinates as sent): the active venue with that place id, else
 * the one with that name and address, else a new one. In the caller's
 * transaction. */
int venue_find_or_create(db_conn_t *c, const venue_input_t *in, const char *place_id,
                         int64_t now_us, int64_t *id);

/* ---- pure rules (no database) -------------------------------------------- */

typedef enum {
    COORD_OK = 0,
    COORD_TYPE,    /* not a number or a string */
    COORD_PARSING, /* a string that is not a decimal number */
    COORD_LOW,     /* below -limit after rounding */
    COORD_HIGH,    /* above limit after rounding */
} venue_coord_status_t;

/* A latitude (limit 90) or longitude (limit 180) from a JSON number or a
 * decimal string, rounded half away from zero to 6 decimal places. */
venue_coord_status_t venue_coord_parse(const json_t *v, double limit, double *out);

/* "12.971600": the wire form of a coordinate (out >= 32 bytes). */
void venue_coord_format(double d, char out[32]);

/* Registers GET and POST /api/events/venues and
 * GET /api/events/venues/{venue_id} (venue_api.c). */
extern const struct module venues_module;

#endif
