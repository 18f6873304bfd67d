/*
 * seo.h: the search-engine and sharing metadata of events and city pages
 * (API.md 5 "seo" endpoints and 12): city copy, schema.org JSON-LD objects,
 * OpenGraph/Twitter fields, the public SEO object and the pagination of city
 * pages. Pure builders over plain structs: no database, no HTTP; the routes
 * are in seo_api.c (seo_routes).
 */
#ifndef LOOPIN_SEO_H
#define LOOPIN_SEO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "http/router.h"

#define SEO_DESCRIPTION_MAX 160 /* characters; longer: the first 157 + "..." */
#define SEO_SCHEMA_TEXT_MAX 500 /* characters of the description in schema.org Event */
#define SEO_CITY_PAGE_LIMIT 20
#define SEO_CITY_PAGE_MAX   100
#define SEO_SITE_NAME       "Loopin"

/* ---- city pages ------------------------------------------------------------ */

/* Hand-written copy for the cities Loopin is launched in. */
typedef struct {
    const char *slug, *name, *title, *description, *static_content;
} seo_city_copy_t;

/* The copy of an Indian city (country "in"), or NULL for the generic text. */
const seo_city_copy_t *seo_city_copy(const char *country_code, const char *city_slug);

/* The name shown for a city: the copy's, else the slug with '-' as spaces
 * and each word capitalised ("navi-mumbai" -> "Navi Mumbai"). */
void seo_city_name(const char *country_code, const char *city_slug, char *out, size_t outlen);

/* "India" for "in", else the code in upper case (arena string). */
const char *seo_country_name(arena_t *a, const char *country_code);

typedef struct {
    const char *country_code, *city_slug; /* lower case, [a-z0-9-] */
    const char *interest_name;            /* NULL: no interest filter */
    const char *interest_slug;
    int64_t total;          /* matching events */
    const char *public_url; /* absolute base without a trailing '/' */
} seo_city_page_t;

/* "/{cc}/{city}/events[/{interest}]" (arena string). */
const char *seo_city_path(arena_t *a, const seo_city_page_t *p);

/* seo{title, description, h1, static_content, city_name, city_slug,
 * country_code, country, canonical_url}. */
json_t *seo_city_meta(arena_t *a, const seo_city_page_t *p);
/* schema.org BreadcrumbList: Home, the city (, the interest). */
json_t *seo_city_breadcrumb(arena_t *a, const seo_city_page_t *p);
/* schema.org CollectionPage about the City. */
json_t *seo_city_page_schema(arena_t *a, const seo_city_page_t *p);

/* Page arithmetic: total_pages = ceil(total / limit), 1 when total is 0. */
typedef struct {
    int64_t page, limit, total, total_pages;
    bool has_next, has_prev;
    bool has_rows;  /* the page holds events (page <= total_pages, total > 0) */
    int64_t offset; /* rows to skip; meaningful when has_rows */
} seo_page_t;

/* page >= 1 and limit >= 1 (validated by the caller). Never overflows. */
void seo_paginate(int64_t page, int64_t limit, int64_t total, seo_page_t *out);

/* pagination{page, limit, total, total_pages, has_next, has_prev,
 * next_page, prev_page, next_url, prev_url}; the URLs are
 * "/{cc}/{city}/events[/{interest}]?page=N" or null. */
json_t *seo_pagination_json(arena_t *a, const seo_city_page_t *p, const seo_page_t *pg);

/* ---- one event --------------------------------------------------------------- */

/* What the event builders read (strings valid UTF-8; NULL reads as ""). */
typedef struct {
    const char *canonical_id, *slug, *title, *description;
    const char *canonical_url; /* path "/{cc}/{city}/events/{slug}--{id}" */
    const char *country_code, *city_slug;
    int64_t start_time, end_time; /* usec */
    const char *status;
    const char *cover_image; /* first cover or NULL */
    bool is_paid;
    const char *price;    /* "100.00" */
    const char *currency; /* "INR" */
    int64_t going_count, max_capacity;
    const char *host_name; /* profile name or NULL */
    bool has_venue;
    const char *venue_name, *venue_city, *venue_address, *venue_country, *venue_type;
    bool has_geo;
    double latitude, longitude;
    const char *venue_text;
    const char *public_url; /* absolute base without a trailing '/' */
} seo_event_t;

/* The first max_chars characters (code points) of s (arena string). */
const char *seo_utf8_prefix(arena_t *a, const char *s, size_t max_chars);
/* s when at most 160 characters, else its first 157 and "..." (arena). */
const char *seo_description_cut(arena_t *a, const char *s);

/* The venue's city, else venue_text, else "Unknown". */
const char *seo_event_city(const seo_event_t *e);
/* The venue's name, else venue_text (may be ""). */
const char *seo_event_location(const seo_event_t *e);
/* public_url + canonical_url (arena string). */
const char *seo_event_url(arena_t *a, const seo_event_t *e);

/* seo{title, description, canonical_url, og_*, twitter_*, event_id,
 * event_slug, event_start_time, event_end_time, event_location}. */
json_t *seo_event_meta(arena_t *a, const seo_event_t *e);
/* schema.org Event (location, organizer, offers, eventStatus,
 * eventAttendanceMode). */
json_t *seo_event_schema(arena_t *a, const seo_event_t *e);
/* schema.org BreadcrumbList: Home, the event's city, the event. */
json_t *seo_event_breadcrumb(arena_t *a, const seo_event_t *e);
/* The public SEO object of API.md 12: {event_title, about_event,
 * event_image_url, start_time, end_time, city, venue_or_location,
 * canonical_url}. */
json_t *seo_public_object(arena_t *a, const seo_event_t *e);

/* ---- routes (seo_api.c) ---------------------------------------------------- */

/* GET /api/events/seo/cities/{country_code}/{city_slug}/events,
 * GET /api/events/seo/canonical/{canonical_id}/metadata,
 * GET /api/public/events/{canonical_id}/seo,
 * GET /{country_code}/{city_slug}/events/{slug_id} (the canonical page),
 * GET /api/events/{event_id}/calendar.ics. */
extern const struct module seo_module;

#endif
