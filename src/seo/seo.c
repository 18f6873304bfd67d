/*
 * seo.c: pure builders for the SEO endpoints: city copy and names, city page
 * pagination, schema.org JSON-LD (BreadcrumbList, CollectionPage, Event),
 * OpenGraph/Twitter metadata and the public SEO object. Every string handed
 * to jansson goes through jstr(), so a stray invalid byte cannot fail a pack.
 */
#include "seo/seo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

#define SCHEMA_CONTEXT "https://schema.org"

/* ---- small helpers ------------------------------------------------------------ */

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* A JSON string; invalid UTF-8 bytes become '?' rather than failing. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(nz(s));
    if (j)
        return j;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    return json_string(buf);
}

static json_t *jtime(int64_t usec)
{
    char buf[32];
    clock_format_iso(usec, buf);
    return json_string(buf);
}

/* ---- city copy ------------------------------------------------------------------ */

static const seo_city_copy_t CITY_COPY[] = {
    {"bangalore", "Bangalore", "Events in Bangalore Today & This Week | Loopin",
     "Find things to do in Bangalore: meetups, tech talks, workshops, gigs and social "
     "gatherings happening this week.",
     "Bangalore runs on curiosity. From startup meetups and tech talks to weekend workshops, "
     "live music and community runs, there is always a room full of people worth meeting."},
    {"mumbai", "Mumbai", "Events in Mumbai Today & This Week | Loopin",
     "Find things to do in Mumbai: meetups, workshops, networking nights, gigs and social "
     "gatherings happening this week.",
     "Mumbai never slows down, and neither do its events. Discover networking nights, "
     "cultural evenings, workshops and social gatherings across the city."},
    {"delhi", "Delhi", "Events in Delhi Today & This Week | Loopin",
     "Find things to do in Delhi: meetups, workshops, networking events, culture and social "
     "gatherings happening this week.",
     "Delhi mixes history with a busy calendar of meetups, cultural events, workshops and "
     "social gatherings. Find your next plan and the people to share it with."},
    {"hyderabad", "Hyderabad", "Events in Hyderabad Today & This Week | Loopin",
     "Find things to do in Hyderabad: meetups, tech events, workshops and social gatherings "
     "happening this week.",
     "Hyderabad's growing tech and food scenes bring meetups, workshops and social "
     "gatherings to every corner of the city."},
    {"chennai", "Chennai", "Events in Chennai Today & This Week | Loopin",
     "Find things to do in Chennai: meetups, workshops, cultural events and social gatherings "
     "happening this week.",
     "Chennai pairs a deep cultural life with an active community of meetups, workshops and "
     "social gatherings. See what is on near you."},
    {"pune", "Pune", "Events in Pune Today & This Week | Loopin",
     "Find things to do in Pune: meetups, tech events, workshops and social gatherings "
     "happening this week.",
     "Pune's students, makers and professionals keep a lively calendar of meetups, tech "
     "events, workshops and social gatherings."},
};

const seo_city_copy_t *seo_city_copy(const char *country_code, const char *city_slug)
{
    if (!country_code || !city_slug || strcmp(country_code, "in") != 0)
        return NULL;
    for (size_t i = 0; i < sizeof CITY_COPY / sizeof CITY_COPY[0]; i++)
        if (!strcmp(CITY_COPY[i].slug, city_slug))
            return &CITY_COPY[i];
    return NULL;
}

void seo_city_name(const char *country_code, const char *city_slug, char *out, size_t outlen)
{
    const seo_city_copy_t *copy = seo_city_copy(country_code, city_slug);
    if (copy) {
        snprintf(out, outlen, "%s", copy->name);
        return;
    }
    size_t n = 0;
    bool word_start = true;
    for (const char *p = nz(city_slug); *p && n + 1 < outlen; p++) {
        char c = *p == '-' ? ' ' : *p;
        if (word_start && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        word_start = c == ' ';
        out[n++] = c;
    }
    if (outlen > 0)
        out[n] = '\0';
}

/* The country code in upper case ("IN"), as schema.org addressCountry wants. */
static const char *upper_code(arena_t *a, const char *code)
{
    char *s = arena_strdup(a, nz(code));
    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return s;
}

const char *seo_country_name(arena_t *a, const char *country_code)
{
    if (country_code && !strcmp(country_code, "in"))
        return "India";
    return upper_code(a, country_code);
}

/* ---- city pages ------------------------------------------------------------------- */

const char *seo_city_path(arena_t *a, const seo_city_page_t *p)
{
    if (p->interest_slug)
        return arena_printf(a, "/%s/%s/events/%s", p->country_code, p->city_slug, p->interest_slug);
    return arena_printf(a, "/%s/%s/events", p->country_code, p->city_slug);
}

/* "Events in Pune" or "Music events in Pune". */
static const char *city_heading(arena_t *a, const seo_city_page_t *p, const char *city)
{
    if (p->interest_name)
        return arena_printf(a, "%s events in %s", p->interest_name, city);
    return arena_printf(a, "Events in %s", city);
}

/* "12 events in Pune" or "12 Music events in Pune". */
static const char *count_phrase(arena_t *a, const seo_city_page_t *p, const char *city)
{
    if (p->interest_name)
        return arena_printf(a, "%lld %s events in %s", (long long)p->total, p->interest_name, city);
    return arena_printf(a, "%lld events in %s", (long long)p->total, city);
}

json_t *seo_city_meta(arena_t *a, const seo_city_page_t *p)
{
    char city[128];
    seo_city_name(p->country_code, p->city_slug, city, sizeof city);
    const seo_city_copy_t *copy = seo_city_copy(p->country_code, p->city_slug);
    const char *heading = city_heading(a, p, city);
    const char *title =
        copy && !p->interest_name ? copy->title : arena_printf(a, "%s | Loopin", heading);
    const char *tail = copy ? copy->description
                            : "Find meetups, workshops, networking events and social gatherings.";
    const char *description =
        p->total > 0 ? arena_printf(a, "Discover %s. %s", count_phrase(a, p, city), tail)
        : copy       ? copy->description
                     : arena_printf(a, "Discover events in %s. %s", city, tail);
    const char *static_content =
        copy ? copy->static_content
             : arena_printf(a, "Find the best events and meetups in %s on Loopin.", city);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "title", jstr(title),
                     "description", jstr(description), "h1", jstr(heading), "static_content",
                     jstr(static_content), "city_name", jstr(city), "city_slug", jstr(p->city_slug),
                     "country_code", jstr(p->country_code), "country",
                     jstr(seo_country_name(a, p->country_code)), "canonical_url",
                     jstr(arena_printf(a, "%s%s", p->public_url, seo_city_path(a, p))));
}

/* One ListItem of a BreadcrumbList. */
static json_t *crumb(int position, const char *name, const char *url)
{
    return json_pack("{s:s, s:i, s:o, s:o}", "@type", "ListItem", "position", position, "name",
                     jstr(name), "item", jstr(url));
}

static json_t *breadcrumb_list(json_t *items)
{
    return json_pack("{s:s, s:s, s:o}", "@context", SCHEMA_CONTEXT, "@type", "BreadcrumbList",
                     "itemListElement", items);
}

json_t *seo_city_breadcrumb(arena_t *a, const seo_city_page_t *p)
{
    char city[128];
    seo_city_name(p->country_code, p->city_slug, city, sizeof city);
    seo_city_page_t base = *p;
    base.interest_name = base.interest_slug = NULL;
    json_t *items = json_array();
    json_array_append_new(items, crumb(1, "Home", arena_printf(a, "%s/", p->public_url)));
    json_array_append_new(items,
                          crumb(2, arena_printf(a, "Events in %s", city),
                                arena_printf(a, "%s%s", p->public_url, seo_city_path(a, &base))));
    if (p->interest_name)
        json_array_append_new(items,
                              crumb(3, city_heading(a, p, city),
                                    arena_printf(a, "%s%s", p->public_url, seo_city_path(a, p))));
    return breadcrumb_list(items);
}

json_t *seo_city_page_schema(arena_t *a, const seo_city_page_t *p)
{
    char city[128];
    seo_city_name(p->country_code, p->city_slug, city, sizeof city);
    const char *description = arena_printf(
        a, "Discover %s. Find meetups, workshops and social gatherings.", count_phrase(a, p, city));
    return json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:o, s:o}}", "@context", SCHEMA_CONTEXT, "@type",
        "CollectionPage", "name", jstr(city_heading(a, p, city)), "description", jstr(description),
        "url", jstr(arena_printf(a, "%s%s", p->public_url, seo_city_path(a, p))), "about", "@type",
        "City", "name", jstr(city), "addressCountry", jstr(upper_code(a, p->country_code)));
}

void seo_paginate(int64_t page, int64_t limit, int64_t total, seo_page_t *out)
{
    memset(out, 0, sizeof *out);
    if (limit < 1)
        limit = 1;
    if (page < 1)
        page = 1;
    if (total < 0)
        total = 0;
    out->page = page;
    out->limit = limit;
    out->total = total;
    out->total_pages = total == 0 ? 1 : total / limit + (total % limit != 0);
    out->has_next = page < out->total_pages;
    out->has_prev = page > 1;
    out->has_rows = total > 0 && page <= out->total_pages;
    out->offset = out->has_rows ? (page - 1) * limit : 0;
}

static json_t *page_url(arena_t *a, const seo_city_page_t *p, int64_t page)
{
    return jstr(arena_printf(a, "%s?page=%lld", seo_city_path(a, p), (long long)page));
}

json_t *seo_pagination_json(arena_t *a, const seo_city_page_t *p, const seo_page_t *pg)
{
    bool prev = pg->has_prev;
    return json_pack("{s:I, s:I, s:I, s:I, s:b, s:b, s:o, s:o, s:o, s:o}", "page",
                     (json_int_t)pg->page, "limit", (json_int_t)pg->limit, "total",
                     (json_int_t)pg->total, "total_pages", (json_int_t)pg->total_pages, "has_next",
                     pg->has_next, "has_prev", prev, "next_page",
                     pg->has_next ? json_integer(pg->page + 1) : json_null(), "prev_page",
                     prev ? json_integer(pg->page - 1) : json_null(), "next_url",
                     pg->has_next ? page_url(a, p, pg->page + 1) : json_null(), "prev_url",
                     prev ? page_url(a, p, pg->page - 1) : json_null());
}

/* ---- one event ------------------------------------------------------------------------- */

const char *seo_utf8_prefix(arena_t *a, const char *s, size_t max_chars)
{
    s = nz(s);
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue; /* continuation bytes belong to the character before */
        if (chars == max_chars)
            break;
        chars++;
    }
    return arena_strndup(a, s, i);
}

const char *seo_description_cut(arena_t *a, const char *s)
{
    const char *head = seo_utf8_prefix(a, s, SEO_DESCRIPTION_MAX);
    if (strlen(head) == strlen(nz(s)))
        return head;
    return arena_printf(a, "%s...", seo_utf8_prefix(a, s, SEO_DESCRIPTION_MAX - 3));
}

const char *seo_event_city(const seo_event_t *e)
{
    if (e->has_venue && e->venue_city && *e->venue_city)
        return e->venue_city;
    if (e->venue_text && *e->venue_text)
        return e->venue_text;
    return "Unknown";
}

const char *seo_event_location(const seo_event_t *e)
{
    if (e->has_venue && e->venue_name && *e->venue_name)
        return e->venue_name;
    return nz(e->venue_text);
}

const char *seo_event_url(arena_t *a, const seo_event_t *e)
{
    return arena_printf(a, "%s%s", nz(e->public_url), nz(e->canonical_url));
}

json_t *seo_event_meta(arena_t *a, const seo_event_t *e)
{
    const char *url = seo_event_url(a, e);
    const char *title =
        arena_printf(a, "%s in %s | %s", nz(e->title), seo_event_city(e), SEO_SITE_NAME);
    const char *description =
        e->description && *e->description
            ? seo_description_cut(a, e->description)
            : seo_description_cut(
                  a, arena_printf(a, "Join us for %s in %s", nz(e->title), seo_event_city(e)));
    const char *image = nz(e->cover_image);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, "
                     "s:o, s:o, s:o, s:o, s:o}",
                     "title", jstr(title), "description", jstr(description), "canonical_url",
                     jstr(url), "og_title", jstr(e->title), "og_description", jstr(description),
                     "og_image", jstr(image), "og_url", jstr(url), "og_type", "website",
                     "og_site_name", SEO_SITE_NAME, "twitter_card", "summary_large_image",
                     "twitter_title", jstr(e->title), "twitter_description", jstr(description),
                     "twitter_image", jstr(image), "event_id", jstr(e->canonical_id), "event_slug",
                     jstr(e->slug), "event_start_time", jtime(e->start_time), "event_end_time",
                     jtime(e->end_time), "event_location", jstr(seo_event_location(e)));
}

/* Place of the event: the venue (with coordinates when known), else the
 * free-text location, else NULL. */
static json_t *event_place(arena_t *a, const seo_event_t *e)
{
    if (e->has_venue) {
        const char *country = e->venue_country && *e->venue_country ? e->venue_country : "in";
        json_t *place = json_pack(
            "{s:s, s:o, s:{s:s, s:o, s:o, s:o}}", "@type", "Place", "name", jstr(e->venue_name),
            "address", "@type", "PostalAddress", "streetAddress", jstr(e->venue_address),
            "addressLocality", jstr(e->venue_city), "addressCountry", jstr(upper_code(a, country)));
        if (place && e->has_geo)
            json_object_set_new(place, "geo",
                                json_pack("{s:s, s:f, s:f}", "@type", "GeoCoordinates", "latitude",
                                          e->latitude, "longitude", e->longitude));
        return place;
    }
    if (e->venue_text && *e->venue_text)
        return json_pack("{s:s, s:o}", "@type", "Place", "name", jstr(e->venue_text));
    return NULL;
}

static const char *event_status_url(const char *status)
{
    if (status && !strcmp(status, "cancelled"))
        return "https://schema.org/EventCancelled";
    if (status && !strcmp(status, "postponed"))
        return "https://schema.org/EventPostponed";
    return "https://schema.org/EventScheduled";
}

static const char *attendance_mode_url(const seo_event_t *e)
{
    const char *type = e->has_venue ? nz(e->venue_type) : "";
    if (!strcmp(type, "virtual"))
        return "https://schema.org/OnlineEventAttendanceMode";
    if (!strcmp(type, "hybrid"))
        return "https://schema.org/MixedEventAttendanceMode";
    return "https://schema.org/OfflineEventAttendanceMode";
}

/* Offer: the ticket price (or "0"), InStock while seats are left (a zero
 * max_capacity means unlimited). */
static json_t *event_offer(const seo_event_t *e, const char *url)
{
    bool sold_out = e->max_capacity > 0 && e->going_count >= e->max_capacity;
    return json_pack("{s:s, s:o, s:o, s:s, s:o}", "@type", "Offer", "price",
                     jstr(e->is_paid && e->price ? e->price : "0"), "priceCurrency",
                     jstr(e->currency && *e->currency ? e->currency : "INR"), "availability",
                     sold_out ? "https://schema.org/SoldOut" : "https://schema.org/InStock", "url",
                     jstr(url));
}

json_t *seo_event_schema(arena_t *a, const seo_event_t *e)
{
    const char *url = seo_event_url(a, e);
    const char *description = e->description && *e->description
                                  ? seo_utf8_prefix(a, e->description, SEO_SCHEMA_TEXT_MAX)
                                  : arena_printf(a, "Join us for %s", nz(e->title));
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "@context", SCHEMA_CONTEXT,
                  "@type", "Event", "name", jstr(e->title), "description", jstr(description),
                  "startDate", jtime(e->start_time), "endDate", jtime(e->end_time), "url",
                  jstr(url), "offers", event_offer(e, url), "eventStatus",
                  event_status_url(e->status), "eventAttendanceMode", attendance_mode_url(e));
    if (!o)
        return NULL;
    if (e->cover_image && *e->cover_image)
        json_object_set_new(o, "image", jstr(e->cover_image));
    json_t *place = event_place(a, e);
    if (place)
        json_object_set_new(o, "location", place);
    json_object_set_new(
        o, "organizer",
        json_pack("{s:s, s:o}", "@type", "Person", "name",
                  jstr(e->host_name && *e->host_name ? e->host_name : SEO_SITE_NAME " host")));
    return o;
}

json_t *seo_event_breadcrumb(arena_t *a, const seo_event_t *e)
{
    char city[128];
    seo_city_name(e->country_code, e->city_slug, city, sizeof city);
    json_t *items = json_array();
    json_array_append_new(items, crumb(1, "Home", arena_printf(a, "%s/", nz(e->public_url))));
    json_array_append_new(items, crumb(2, arena_printf(a, "Events in %s", city),
                                       arena_printf(a, "%s/%s/%s/events", nz(e->public_url),
                                                    nz(e->country_code), nz(e->city_slug))));
    json_array_append_new(items, crumb(3, nz(e->title), seo_event_url(a, e)));
    return breadcrumb_list(items);
}

json_t *seo_public_object(arena_t *a, const seo_event_t *e)
{
    const char *venue = seo_event_location(e);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "event_title", jstr(e->title),
                     "about_event", jstr(e->description), "event_image_url", jstr(e->cover_image),
                     "start_time", jtime(e->start_time), "end_time", jtime(e->end_time), "city",
                     jstr(seo_event_city(e)), "venue_or_location",
                     jstr(*venue ? venue : "Location TBD"), "canonical_url",
                     jstr(seo_event_url(a, e)));
}
