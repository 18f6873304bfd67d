/*
 * event.c: the event model shared by the event routes: loading the columns
 * handlers decide on, visibility, and the Loopin error shape of API.md 2.3
 * that the event routes answer with. EventResponse is event_json.c's.
 */
#include "events/event.h"

#include <stdio.h>
#include <string.h>

// clang-format off
#define SQL_EVENT_COLUMNS                                                                          \
    "SELECT id, uuid, canonical_id, slug, slug_version, slug_is_manual, canonical_url, title, "    \
    "description, host_id, venue_id, venue_text, country_code, city_slug, start_time, end_time, "  \
    "max_capacity, " EVENT_SQL_SEATS_TAKEN("events") ", requests_count, is_paid, "                \
    "ticket_price_minor, currency, status, is_public, is_active, cover_images, allow_plus_one, "   \
    "gst_number, allowed_genders, updated_at, " EVENT_SQL_SEATS_HELD("events") " FROM events "
// clang-format on

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static void read_event(db_rows_t *r, arena_t *a, event_t *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_col_int(r, 0);
    copy(e->uuid, sizeof e->uuid, db_col_text(r, 1));
    copy(e->canonical_id, sizeof e->canonical_id, db_col_text(r, 2));
    copy(e->slug, sizeof e->slug, db_col_text(r, 3));
    e->slug_version = (int)db_col_int(r, 4);
    e->slug_is_manual = db_col_bool(r, 5);
    e->canonical_url = arena_strdup(a, db_col_text(r, 6));
    e->title = arena_strdup(a, db_col_text(r, 7));
    e->description = arena_strdup(a, db_col_text(r, 8));
    e->host_id = db_col_int(r, 9);
    e->venue_id = db_col_int(r, 10);
    e->venue_text = arena_strdup(a, db_col_text(r, 11));
    copy(e->country_code, sizeof e->country_code, db_col_text(r, 12));
    copy(e->city_slug, sizeof e->city_slug, db_col_text(r, 13));
    e->start_time = db_col_time(r, 14);
    e->end_time = db_col_time(r, 15);
    e->max_capacity = (int)db_col_int(r, 16);
    e->going_count = (int)db_col_int(r, 17);
    e->requests_count = (int)db_col_int(r, 18);
    e->is_paid = db_col_bool(r, 19);
    e->ticket_price_minor = db_col_int(r, 20);
    copy(e->currency, sizeof e->currency, db_col_text(r, 21));
    copy(e->status, sizeof e->status, db_col_text(r, 22));
    e->is_public = db_col_bool(r, 23);
    e->is_active = db_col_bool(r, 24);
    e->cover_images = arena_strdup(a, db_col_text(r, 25));
    e->allow_plus_one = db_col_bool(r, 26);
    e->gst_number = arena_strdup(a, db_col_text(r, 27));
    copy(e->allowed_genders, sizeof e->allowed_genders, db_col_text(r, 28));
    e->updated_at = db_col_time(r, 29);
    e->seats_held = (int)db_col_int(r, 30);
}

static int load_where(db_conn_t *c, arena_t *a, const char *sql, db_param_t key, event_t *e,
                      bool *found)
{
    db_rows_t *rows;
    int rc = db_query(c, sql, &key, 1, &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found)
        read_event(rows, a, e);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int event_load(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE id = $1", db_int(id), e, found);
}

int event_load_for_update(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE id = $1 @FOR_UPDATE", db_int(id), e, found);
}

void event_etag(int64_t id, int64_t updated_at, char out[64])
{
    snprintf(out, 64, "\"e%lld.%lld\"", (long long)id, (long long)updated_at);
}

int event_load_canonical(db_conn_t *c, arena_t *a, const char *canonical_id, event_t *e,
                         bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE canonical_id = $1", db_text(canonical_id), e,
                      found);
}

bool event_can_manage(const event_t *e, const actor_t *u)
{
    return u->id != 0 && (u->id == e->host_id || u->is_staff || u->is_superuser);
}

/* ---- visibility (docs/events.md "Visibility") -------------------------------
 * One rule, written twice side by side: in C for a loaded event and in SQL
 * (event.h EVENT_SQL_LISTED_FMT) for the listing. Everyone sees active,
 * public events whatever their status (API.md 5: status is a label and a
 * filter; the mobile app creates every event as a draft); a private event is
 * its host's (and staff's); deleted events are nobody's. */

bool event_is_publicly_visible(const event_t *e)
{
    return e->is_active && e->is_public;
}

err_t *event_not_found(op_t *op, int64_t id)
{
    return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)id);
}

err_t *event_require_manager(op_t *op, int64_t id, const char *code, const char *message)
{
    event_t *e = arena_alloc(op->arena, sizeof *e);
    bool found = false;
    int rc = event_load(op->db, op->arena, id, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e->is_active)
        return event_not_found(op, id);
    if (!event_can_manage(e, &op->actor))
        return op_fail(op, 403, code, "%s", message);
    op->event = e; /* the handler's, read once */
    return NULL;
}

err_t *event_check_visible(op_t *op, const event_t *e)
{
    if (event_can_manage(e, &op->actor))
        return NULL;
    if (!e->is_active)
        return event_not_found(op, e->id);
    if (!e->is_public)
        return op_fail(op, 403, "PERMISSION_DENIED",
                       "This is a private event. You don't have permission to view it.");
    return NULL;
}

const char *event_price_string(arena_t *a, int64_t minor)
{
    return arena_printf(a, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
}

bool event_admits_gender(const char *allowed, const char *gender)
{
    return !strcmp(allowed, "all") || !strcmp(allowed, gender) ||
           (!strcmp(allowed, "non_binary") && !strcmp(gender, "other"));
}

int event_seats_free(const event_t *e)
{
    if (e->max_capacity <= 0)
        return INT32_MAX;
    int free = e->max_capacity - e->going_count - e->seats_held;
    return free < 0 ? 0 : free;
}
