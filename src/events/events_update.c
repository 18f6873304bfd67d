/*
 * events_update.c: updating an event (PUT /api/events/{id}, whose fields are
 * applied in events_api.c): the status machine, the slug and canonical URL
 * following the title and place rules of API.md 14.3, the write with its
 * slug history and interests, and a note to every going attendee when a
 * published event moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "core/rand.h"
#include "events/event_fields.h"
#include "events/events.h"
#include "events/slug.h"

/* Allowed status changes (staying put is always allowed). */
bool event_status_transition_ok(const char *from, const char *to)
{
    static const char *const allowed[][2] = {
        {"draft", "published"},     {"draft", "cancelled"},     {"published", "completed"},
        {"published", "cancelled"}, {"published", "postponed"}, {"postponed", "published"},
        {"postponed", "cancelled"},
    };
    if (!strcmp(from, to))
        return true;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!strcmp(allowed[i][0], from) && !strcmp(allowed[i][1], to))
            return true;
    return false;
}

typedef struct {
    const event_t *e;
    const event_fields_t *f;
    const event_place_t *place;
    bool title_changed, moved, cancelled, went_live;
} update_ctx_t;

static const char SQL_UPDATE[] =
    "UPDATE events SET venue_id = $2, slug = $3, slug_version = $4, slug_is_manual = $5, "
    "canonical_url = $6, title = $7, description = $8, venue_text = $9, country_code = $10, "
    "city_slug = $11, start_time = $12, end_time = $13, max_capacity = $14, is_paid = $15, "
    "ticket_price_minor = $16, currency = $17, allow_plus_one = $18, gst_number = $19, "
    "allowed_genders = $20, cover_images = COALESCE($21, cover_images), status = $22, "
    "is_public = $23, published_at = COALESCE(published_at, $24), updated_at = $25 WHERE id = $1";

/* The slug after this update: a manual one from the body, a regenerated one
 * when an automatic slug's title changed, else the current one. */
static err_t *next_slug(op_t *op, update_ctx_t *x, char slug[104], bool *manual, int *version)
{
    const event_t *e = x->e;
    snprintf(slug, 104, "%s", e->slug);
    *manual = e->slug_is_manual;
    *version = e->slug_version;
    int rc = DB_OK;
    if (x->f->slug && strcmp(x->f->slug, e->slug) != 0) {
        int64_t owner;
        rc = event_slug_owner(op->db, x->f->slug, &owner);
        if (rc == DB_OK && owner && owner != e->id)
            return op_fail(op, 409, "SLUG_TAKEN", "Another event uses or used the slug '%s'.",
                           x->f->slug);
        snprintf(slug, 104, "%s", x->f->slug);
        *manual = true;
        (*version)++;
    } else if (x->title_changed) {
        (*version)++;
        if (!*manual) {
            char base[SLUG_MAX + 1];
            slug_generate(x->f->title, SLUG_MAX, NULL, base);
            rc = event_slug_choose(op->db, base, e->id, false, op->now_us, slug);
        }
    }
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

#define NOTIFY_BATCH 256

int event_going_batch(db_conn_t *c, int64_t event_id, int64_t after, int64_t *ids, int max, int *n)
{
    db_rows_t *rows;
    int rc = db_query(c,
                      "SELECT user_id FROM event_attendees WHERE event_id = $1 AND status = "
                      "'going' AND user_id > $2 ORDER BY user_id LIMIT $3",
                      DB_ARGS(db_int(event_id), db_int(after), db_int(max)), &rows);
    if (rc != DB_OK)
        return rc;
    *n = 0;
    while (db_next(rows) && *n < max)
        ids[(*n)++] = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int event_notify_going(op_t *op, int64_t event_id, const notify_ref_t *tpl, const tpl_arg_t *args,
                       int nargs)
{
    int64_t ids[NOTIFY_BATCH], after = 0;
    int n = 0, rc;
    do {
        rc = event_going_batch(op->db, event_id, after, ids, NOTIFY_BATCH, &n);
        for (int i = 0; rc == DB_OK && i < n; i++) {
            notify_ref_t one = *tpl;
            one.to = ids[i];
            rc = notify_template(op, &one, args, nargs);
        }
        after = n > 0 ? ids[n - 1] : after;
    } while (rc == DB_OK && n == NOTIFY_BATCH);
    return rc;
}

/* Tells every going attendee that a published event moved or was cancelled
 * by its host. */
static int notify_going(op_t *op, const update_ctx_t *x)
{
    notify_ref_t n = {.reference_type = "event",
                      .reference_id = x->e->id,
                      .metadata =
                          arena_printf(op->arena, "{\"event_id\":%lld}", (long long)x->e->id)};
    if (x->cancelled) {
        n.key = "event_cancelled";
        return event_notify_going(op, x->e->id, &n, TPL_ARGS({"event_name", x->f->title}));
    }
    bool time = x->f->start_time != x->e->start_time, venue = x->f->venue_id != x->e->venue_id;
    /* The reminders already sent were for the old time: they are due again. */
    int rc = time ? db_exec(op->db, "DELETE FROM event_reminders WHERE event_id = $1",
                            DB_ARGS(db_int(x->e->id)), NULL)
                  : DB_OK;
    if (rc != DB_OK)
        return rc;
    n.key = "event_updated";
    return event_notify_going(
        op, x->e->id, &n,
        TPL_ARGS({"event_name", x->f->title}, {"changes", time && venue ? "time, venue"
                                                          : time        ? "time"
                                                                        : "venue"}));
}

static int write_row(op_t *op, const update_ctx_t *x, const char *slug, int version, bool manual,
                     const char *url)
{
    const event_fields_t *f = x->f;
    char *covers = f->cover_urls ? json_dumps(f->cover_urls, JSON_COMPACT) : NULL;
    int64_t now = op->now_us;
    int rc = db_exec(
        op->db, SQL_UPDATE,
        DB_ARGS(db_int(x->e->id), f->venue_id ? db_int(f->venue_id) : db_null(), db_text(slug),
                db_int(version), db_bool(manual), db_text(url), db_text(f->title),
                db_text(f->description), db_text(f->venue_text), db_text(x->place->country_code),
                db_text(x->place->city_slug), db_time(f->start_time), db_time(f->end_time),
                db_int(f->max_capacity), db_bool(f->is_paid), db_int(f->ticket_price_minor),
                db_text(f->currency), db_bool(f->allow_plus_one), db_text(f->gst_number),
                db_text(f->allowed_genders), db_text(covers), db_text(f->status),
                db_bool(f->is_public), !strcmp(f->status, "published") ? db_time(now) : db_null(),
                db_time(now)),
        NULL);
    free(covers);
    return rc;
}

static err_t *apply_update(op_t *op, update_ctx_t *x)
{
    char slug[104], url[320];
    bool manual;
    int version;
    err_t *e = next_slug(op, x, slug, &manual, &version);
    if (e)
        return e;
    slug_canonical_url(x->place->country_code, x->place->city_slug, slug, x->e->canonical_id, url,
                       sizeof url);
    int rc = write_row(op, x, slug, version, manual, url);
    if (rc == DB_OK)
        rc = event_slug_record(op->db, x->e->id, slug, version, op->now_us);
    if (rc == DB_OK && x->f->interests_set)
        rc = event_interests_set(op->db, x->e->id, x->f);
    if (rc == DB_OK && (x->moved || x->cancelled))
        rc = notify_going(op, x);
    if (rc == DB_OK && x->went_live)
        rc = notify_event_published(op, x->e->id);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "event.update",
                       .object_type = "event",
                       .object_id = x->e->id,
                       .object_uuid = x->e->uuid,
                       .success = true};
    if (rc == DB_OK)
        rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *event_update_locked(op_t *op, const event_t *e, const event_fields_t *f,
                           const event_place_t *place)
{
    update_ctx_t x = {.e = e, .f = f, .place = place};
    x.title_changed = strcmp(f->title, e->title) != 0;
    x.moved = !strcmp(f->status, "published") &&
              (f->start_time != e->start_time || f->venue_id != e->venue_id);
    x.cancelled = !strcmp(f->status, "cancelled") && strcmp(e->status, "cancelled");
    x.went_live = !strcmp(f->status, "published") && f->is_public &&
                  (strcmp(e->status, "published") || !e->is_public);
    return apply_update(op, &x);
}
