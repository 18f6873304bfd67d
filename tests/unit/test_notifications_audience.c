/*
 * test_notifications_audience.c: the campaign audience rule engine
 * (notifications/audience.h) on a migrated database: SQLite always,
 * PostgreSQL too when LOOPIN_TEST_PG_URL is set (a database of its own,
 * dropped afterwards). Sixteen people are seeded with SQL; every field and
 * every operator is counted against the exact number expected, with values
 * full of SQL and LIKE metacharacters, and every validation error is checked
 * for its 422 detail and where its loc points.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "db/migrate.h"
#include "fixture.h"
#include "notifications/audience.h"

#define INJ_OR   "' OR 1=1 --"
#define INJ_DROP "\"; DROP TABLE users; --"
#define INJ_DEL  "'; DELETE FROM users; --"
#define T0       1767225600000000LL /* 2026-01-01 */
#define NPEOPLE  16
#define REACHED  10 /* the first ten: everyone the "system" type reaches */

typedef struct {
    const char *name, *pictures, *location;
    bool verified, profile_active, account_active, staff;
    int device; /* 0: none, 1: an active one, 2: only an inactive one */
} person_t;

static const person_t PEOPLE[NPEOPLE] = {
    {"Asha", "[\"https://cdn.test/a.jpg\"]", "Bengaluru", true, true, true, false, 1},
    {"Bala", "[ ]", "bengaluru north", false, true, true, false, 1},
    {"", "[\"https://cdn.test/c.jpg\"]", "Mumbai", true, false, true, false, 1},
    {"Devi", "[]", INJ_OR, false, true, true, false, 1},
    {"Eshan", "[\"https://cdn.test/e.jpg\"]", "100% Pune", true, true, true, false, 1},
    {"Farah", "[\"https://cdn.test/f.jpg\"]", "a_b city", false, true, true, false, 1},
    {"Gita", "[\"https://cdn.test/g.jpg\"]", "C:\\path", false, true, true, false, 1},
    {"Hari", "[\"https://cdn.test/h.jpg\"]", INJ_DROP, false, true, true, false, 1},
    {"Indu", "[\"https://cdn.test/i.jpg\"]", INJ_DEL, false, true, true, false, 1},
    {"Jai", "[]", "", false, true, true, false, 1},
    /* the base rules' people, all in Basetown and each kept out for one reason */
    {"Staff", "[]", "Basetown", false, true, true, true, 1},
    {"Waitlisted", "[]", "Basetown", false, true, false, false, 1},
    {"No Device", "[]", "Basetown", false, true, true, false, 0},
    {"Old Device", "[]", "Basetown", false, true, true, false, 2},
    {"Quiet", "[]", "Basetown", false, true, true, false, 1}, /* system push off */
    {"Promo", "[]", "Basetown", false, true, true, false, 1}, /* promotional on, system off */
};
enum { STAFF = 10, WAITLISTED, NO_DEVICE, OLD_DEVICE, QUIET, PROMO };

/* Interests: slug (the three seeded by migration 0010, then ours) and name. */
static const char *const INTERESTS[][2] = {
    {"music", NULL},     {"travel", NULL},       {"food-drink", NULL},
    {"inj-or", INJ_OR},  {"inj-drop", INJ_DROP}, {"inj-del", INJ_DEL},
    {"hundred", "100%"}, {"a-b", "a_b"},         {"backslash", "back\\slash"},
};
#define NINTERESTS 9
static const int HAS_INTEREST[][2] = {{0, 0}, {0, 1}, {1, 2}, {3, 3}, {4, 6},
                                      {5, 7}, {6, 8}, {7, 4}, {8, 5}, {8, 0}};

typedef struct {
    db_pool_t *pool;
    db_conn_t *db;
    char path[400];     /* SQLite file, "" on PG */
    char base_url[512]; /* PG: LOOPIN_TEST_PG_URL, to drop our database */
    char dbname[64];    /* PG: the database made for this run */
    int64_t users[NPEOPLE], interests[NINTERESTS], events[2];
    arena_t arena;
    op_t op;
    int uuids;
} fx_t;

/* ---- setup ---------------------------------------------------------------------- */

static void exec_ok(fx_t *f, const char *sql, const db_param_t *p, int n)
{
    if (db_exec(f->db, sql, p, n, NULL) != DB_OK)
        fail_msg("%s: %s", sql, db_errmsg(f->db));
}

static int64_t insert_id(fx_t *f, const char *sql, const db_param_t *p, int n)
{
    int64_t id = 0;
    bool found = false;
    if (db_query_int(f->db, sql, p, n, &id, &found) != DB_OK || !found)
        fail_msg("%s: %s", sql, db_errmsg(f->db));
    return id;
}

static const char *uuid(fx_t *f)
{
    return arena_printf(&f->arena, "00000000-0000-4000-8000-%012d", ++f->uuids);
}

static void add_person(fx_t *f, int i)
{
    const person_t *p = &PEOPLE[i];
    f->users[i] =
        insert_id(f,
                  "INSERT INTO users (uuid, phone, is_active, is_staff, date_joined, created_at, "
                  "updated_at) VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id",
                  DB_ARGS(db_text(uuid(f)), db_text(arena_printf(&f->arena, "+9198000000%02d", i)),
                          db_bool(p->account_active), db_bool(p->staff), db_time(T0)));
    exec_ok(f,
            "INSERT INTO user_profiles (user_id, uuid, name, location, profile_pictures, "
            "is_verified, is_active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "$8, $8)",
            DB_ARGS(db_int(f->users[i]), db_text(uuid(f)), db_text(p->name), db_text(p->location),
                    db_text(p->pictures), db_bool(p->verified), db_bool(p->profile_active),
                    db_time(T0)));
    if (p->device)
        exec_ok(f,
                "INSERT INTO user_devices (uuid, user_id, onesignal_player_id, platform, "
                "is_active, created_at, updated_at) VALUES ($1, $2, $3, 'android', $4, $5, $5)",
                DB_ARGS(db_text(uuid(f)), db_int(f->users[i]),
                        db_text(arena_printf(&f->arena, "player-%d", i)), db_bool(p->device == 1),
                        db_time(T0)));
}

static void set_push(fx_t *f, int who, const char *type, bool on)
{
    exec_ok(f,
            "INSERT INTO notification_preferences (user_id, type, push_enabled, updated_at) "
            "VALUES ($1, $2, $3, $4)",
            DB_ARGS(db_int(f->users[who]), db_text(type), db_bool(on), db_time(T0)));
}

static void add_interests(fx_t *f)
{
    for (int k = 0; k < NINTERESTS; k++)
        f->interests[k] =
            INTERESTS[k][1]
                ? insert_id(f,
                            "INSERT INTO event_interests (uuid, name, slug, created_at, "
                            "updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                            DB_ARGS(db_text(uuid(f)), db_text(INTERESTS[k][1]),
                                    db_text(INTERESTS[k][0]), db_time(T0)))
                : insert_id(f, "SELECT id FROM event_interests WHERE slug = $1",
                            DB_ARGS(db_text(INTERESTS[k][0])));
    for (size_t j = 0; j < sizeof HAS_INTEREST / sizeof HAS_INTEREST[0]; j++)
        exec_ok(f, "INSERT INTO user_event_interests (user_id, interest_id) VALUES ($1, $2)",
                DB_ARGS(db_int(f->users[HAS_INTEREST[j][0]]),
                        db_int(f->interests[HAS_INTEREST[j][1]])));
}

static void add_event(fx_t *f, int k)
{
    const char *cid = arena_printf(&f->arena, "aud%07d", k);
    const char *slug = arena_printf(&f->arena, "audience-event-%d", k);
    f->events[k] = insert_id(
        f,
        "INSERT INTO events (uuid, host_id, canonical_id, slug, slug_version, slug_is_manual, "
        "canonical_url, title, description, venue_text, country_code, city_slug, start_time, "
        "end_time, max_capacity, is_paid, ticket_price_minor, currency, allow_plus_one, "
        "gst_number, allowed_genders, cover_images, status, is_public, is_active, published_at, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, '', 'in', 'pune', $9, "
        "$10, 100, $5, 0, 'INR', $11, '', 'all', '[]', 'completed', $11, $11, $9, $9, $9) "
        "RETURNING id",
        DB_ARGS(db_text(uuid(f)), db_int(f->users[STAFF]), db_text(cid), db_text(slug),
                db_bool(false),
                db_text(arena_printf(&f->arena, "/in/pune/events/%s--%s", slug, cid)),
                db_text("Audience test event"), db_text("An event the audience tests attend."),
                db_time(T0), db_time(T0 + 3600000000LL), db_bool(true)));
}

/* A seat and a ticket: status of both, and whether (and when) it was checked
 * in and out, as check-in (src/tickets/checkin.c) leaves them. */
static void add_ticket(fx_t *f, int who, int event, const char *seat, const char *ticket, bool in,
                       bool out)
{
    exec_ok(f,
            "INSERT INTO event_attendees (uuid, event_id, user_id, seats, status, created_at, "
            "updated_at) VALUES ($1, $2, $3, 1, $4, $5, $5)",
            DB_ARGS(db_text(uuid(f)), db_int(f->events[event]), db_int(f->users[who]),
                    db_text(seat), db_time(T0)));
    exec_ok(f,
            "INSERT INTO attendance_records (uuid, event_id, user_id, status, payment_status, "
            "ticket_ref, seats, checked_in_at, checked_out_at, created_at, updated_at) VALUES ($1, "
            "$2, $3, $4, 'unpaid', $5, 1, $6, $7, $8, $8)",
            DB_ARGS(db_text(uuid(f)), db_int(f->events[event]), db_int(f->users[who]),
                    db_text(ticket),
                    db_text(arena_printf(&f->arena, "LP-ticket-%d-%d", who, event)),
                    in ? db_time(T0 + 60000000LL) : db_null(),
                    out ? db_time(T0 + 120000000LL) : db_null(), db_time(T0)));
}

static void seed(fx_t *f)
{
    for (int i = 0; i < NPEOPLE; i++)
        add_person(f, i);
    add_interests(f);
    set_push(f, QUIET, "system", false);
    set_push(f, PROMO, "system", false);
    set_push(f, PROMO, "promotional", true);
    add_event(f, 0);
    add_event(f, 1);
    add_ticket(f, 0, 0, "going", "checked_in", true, false); /* Asha at the first */
    add_ticket(f, 1, 1, "going", "not_going", true, true);   /* Bala came and left */
    add_ticket(f, 2, 0, "going", "going", false, false);     /* never came */
    add_ticket(f, 4, 1, "going", "checked_in", true, false); /* Eshan at the second */
    add_ticket(f, 9, 0, "cancelled", "cancelled", false, false);
}

static void migrate_and_seed(fx_t *f)
{
    char err[256];
    if (migrate_apply(f->pool, loopin_migrations, loopin_migrations_count, NULL, err, sizeof err) !=
        DB_OK)
        fail_msg("migrate: %s", err);
    f->db = db_acquire(f->pool);
    assert_non_null(f->db);
    arena_init(&f->arena);
    op_init_system(&f->op, NULL, f->db, &f->arena, "test:audience");
    seed(f);
}

static int setup_sqlite(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    char url[512];
    fixture_sqlite_file("test_audience", f->path, sizeof f->path, url, sizeof url);
    f->pool = fixture_open_pool(url, 2, 2000, 5000);
    migrate_and_seed(f);
    *state = f;
    return 0;
}

/* The URL of another database on the same server: the path replaced. */
static void pg_url_with_db(const char *url, const char *db, char *out, size_t outlen)
{
    const char *host = strstr(url, "://");
    const char *query = strchr(url, '?');
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    if (!slash || (query && slash > query))
        slash = query ? query : url + strlen(url);
    snprintf(out, outlen, "%.*s/%s%s", (int)(slash - url), url, db, query ? query : "");
}

/* Leaves *state NULL without LOOPIN_TEST_PG_URL: the tests skip. */
static int setup_pg(void **state)
{
    const char *url = getenv("LOOPIN_TEST_PG_URL");
    *state = NULL;
    if (!url || !*url)
        return 0;
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->base_url, sizeof f->base_url, "%s", url);
    snprintf(f->dbname, sizeof f->dbname, "loopin_audience_%d", (int)getpid());
    db_pool_t *admin = fixture_open_pool(url, 1, 2000, 30000);
    db_conn_t *c = db_acquire(admin);
    char sql[2][128], db_url[600];
    /* one statement per call: PostgreSQL runs a multi-statement text in a
     * transaction, where neither may run */
    snprintf(sql[0], sizeof sql[0], "DROP DATABASE IF EXISTS %s", f->dbname);
    snprintf(sql[1], sizeof sql[1], "CREATE DATABASE %s", f->dbname);
    for (int i = 0; i < 2; i++)
        if (db_exec_script(c, sql[i]) != DB_OK)
            fail_msg("%s: %s", sql[i], db_errmsg(c));
    db_release(c);
    db_pool_close(admin);
    pg_url_with_db(url, f->dbname, db_url, sizeof db_url);
    f->pool = fixture_open_pool(db_url, 2, 2000, 30000);
    migrate_and_seed(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (!f)
        return 0;
    db_release(f->db);
    db_pool_close(f->pool);
    arena_free(&f->arena);
    if (f->path[0])
        fixture_remove_sqlite(f->path);
    if (f->dbname[0]) {
        db_pool_t *admin = fixture_open_pool(f->base_url, 1, 2000, 30000);
        db_conn_t *c = db_acquire(admin);
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s", f->dbname);
        if (db_exec_script(c, sql) != DB_OK)
            fail_msg("%s: %s", sql, db_errmsg(c));
        db_release(c);
        db_pool_close(admin);
    }
    free(f);
    return 0;
}

static fx_t *fx(void **state)
{
    if (!*state)
        skip();
    return *state;
}

/* ---- helpers ------------------------------------------------------------------------ */

/* A one-rule document {list: [{field, op, value}]}; value is stolen. */
static json_t *rule(const char *list, const char *field, const char *op, json_t *value)
{
    return json_pack("{s:[{s:s, s:s, s:o}]}", list, "field", field, "op", op, "value", value);
}

/* The count of doc (stolen) for the push type, which must succeed. */
static int64_t count_doc(fx_t *f, json_t *doc, const char *type)
{
    int64_t n = -1;
    err_t *e = audience_count(&f->op, doc, type, &n);
    if (e) {
        char *text = json_dumps(doc, JSON_COMPACT);
        fail_msg("%s: %d %s %s", text, e->status, e->code, e->cause ? e->cause : e->message);
    }
    json_decref(doc);
    return n;
}

/* One rule in "all" and in "any" (the same for one rule), for "system". */
static void expect_count(fx_t *f, const char *field, const char *op, json_t *value, int64_t want)
{
    int64_t all = count_doc(f, rule("all", field, op, json_incref(value)), "system");
    int64_t any = count_doc(f, rule("any", field, op, value), "system");
    if (all != want || any != want)
        fail_msg("%s %s: %lld/%lld, want %lld", field, op, (long long)all, (long long)any,
                 (long long)want);
}

static void expect_text(fx_t *f, const char *field, const char *op, const char *text, int64_t want)
{
    expect_count(f, field, op, json_string(text), want);
}

static json_t *texts(const char *a, const char *b, const char *c)
{
    json_t *list = json_pack("[s]", a);
    if (b)
        json_array_append_new(list, json_string(b));
    if (c)
        json_array_append_new(list, json_string(c));
    return list;
}

static int64_t table_count(fx_t *f, const char *sql)
{
    int64_t n = -1;
    if (db_query_int(f->db, sql, DB_NOARGS, &n, NULL) != DB_OK)
        fail_msg("%s: %s", sql, db_errmsg(f->db));
    return n;
}

/* ---- counts: every field with every operator ---------------------------------------------- */

static void test_location(void **state)
{
    fx_t *f = fx(state);
    expect_text(f, "location", "=", "Bengaluru", 1);
    expect_text(f, "location", "exact", "Bengaluru", 1);
    expect_text(f, "location", "=", "bengaluru", 0); /* case-sensitive */
    expect_text(f, "location", "!=", "Bengaluru", REACHED - 1);
    expect_text(f, "location", "contains", "engaluru", 2);
    expect_text(f, "location", "contains", "Bengaluru", 1);
    expect_text(f, "location", "icontains", "BENGALURU", 2);
    expect_text(f, "location", "icontains", "Pune", 1);
    expect_count(f, "location", "in", texts("Mumbai", "Bengaluru", "Nowhere"), 2);
    expect_count(f, "location", "in", texts("mumbai", NULL, NULL), 0);
}

/* The metacharacters match only what literally holds them. */
static void test_location_metacharacters(void **state)
{
    fx_t *f = fx(state);
    expect_text(f, "location", "contains", "%", 1);
    expect_text(f, "location", "icontains", "%", 1);
    expect_text(f, "location", "contains", "_", 1);
    expect_text(f, "location", "icontains", "A_B", 1);
    expect_text(f, "location", "contains", "\\", 1);
    expect_text(f, "location", "icontains", "\\", 1);
    expect_text(f, "location", "contains", "'", 2);
    expect_text(f, "location", "contains", "--", 3);
    expect_text(f, "location", "=", "%", 0);
    expect_text(f, "location", "=", "_", 0);
    expect_text(f, "location", "=", INJ_OR, 1);
    expect_text(f, "location", "exact", INJ_DROP, 1);
    expect_text(f, "location", "=", INJ_DEL, 1);
    expect_text(f, "location", "!=", INJ_OR, REACHED - 1);
    expect_text(f, "location", "contains", INJ_OR, 1);
    expect_text(f, "location", "icontains", "' or 1=1 --", 1);
    expect_text(f, "location", "contains", INJ_DROP, 1);
    expect_text(f, "location", "icontains", INJ_DEL, 1);
    expect_count(f, "location", "in", texts(INJ_OR, "%", INJ_DEL), 2);
    expect_count(f, "location", "in", texts("' OR '1'='1", "%%", "_"), 0);
    assert_int_equal(table_count(f, "SELECT COUNT(*) FROM users"), NPEOPLE);
    assert_int_equal(table_count(f, "SELECT COUNT(*) FROM user_profiles"), NPEOPLE);
}

static void test_interest(void **state)
{
    fx_t *f = fx(state);
    expect_text(f, "interest", "=", "music", 2);
    expect_text(f, "interest", "=", "MUSIC", 2);
    expect_text(f, "interest", "exact", "Music", 2);
    expect_text(f, "interest", "=", "food & drink", 1);
    expect_text(f, "interest", "=", "Mus", 0);
    expect_count(f, "interest", "=", json_integer(f->interests[1]), 1); /* Travel */
    expect_count(f, "interest", "exact", json_integer(f->interests[0]), 2);
    expect_text(f, "interest", "!=", "music", REACHED - 2);
    expect_count(f, "interest", "!=", json_integer(f->interests[1]), REACHED - 1);
    expect_count(f, "interest", "in", texts("travel", "FOOD & DRINK", NULL), 2);
    expect_count(f, "interest", "in", json_pack("[I, s]", (json_int_t)f->interests[2], "100%"), 2);
    expect_count(f, "interest", "in", json_pack("[I]", (json_int_t)f->interests[0]), 2);
    expect_text(f, "interest", "icontains", "US", 3); /* Music, and "users" twice */
    expect_text(f, "interest", "icontains", "drink", 1);
    expect_count(f, "interest", "=", json_integer(999999), 0);
}

static void test_interest_metacharacters(void **state)
{
    fx_t *f = fx(state);
    expect_text(f, "interest", "icontains", "%", 1);
    expect_text(f, "interest", "icontains", "_", 1);
    expect_text(f, "interest", "icontains", "\\", 1);
    expect_text(f, "interest", "=", "%", 0);
    expect_text(f, "interest", "=", "_", 0);
    expect_text(f, "interest", "=", INJ_OR, 1);
    expect_text(f, "interest", "exact", INJ_DROP, 1);
    expect_text(f, "interest", "=", INJ_DEL, 1);
    expect_text(f, "interest", "!=", INJ_OR, REACHED - 1);
    expect_text(f, "interest", "icontains", "' or 1=1", 1);
    expect_text(f, "interest", "icontains", "; drop table", 1);
    expect_count(f, "interest", "in", texts(INJ_OR, INJ_DROP, INJ_DEL), 3);
    expect_count(f, "interest", "in", texts("%", "_", "' OR '1'='1"), 0);
    assert_int_equal(table_count(f, "SELECT COUNT(*) FROM users"), NPEOPLE);
    assert_int_equal(table_count(f, "SELECT COUNT(*) FROM event_interests"), 20 + 6);
}

static void test_booleans(void **state)
{
    fx_t *f = fx(state);
    expect_count(f, "is_verified", "=", json_true(), 3);
    expect_count(f, "is_verified", "exact", json_false(), REACHED - 3);
    expect_count(f, "is_verified", "!=", json_true(), REACHED - 3);
    expect_count(f, "is_active", "=", json_false(), 1);
    expect_count(f, "is_active", "exact", json_true(), REACHED - 1);
    expect_count(f, "is_active", "!=", json_false(), REACHED - 1);
    /* a name and a picture: "[ ]" is no picture on either database */
    expect_count(f, "profile_completed", "=", json_true(), 6);
    expect_count(f, "profile_completed", "exact", json_false(), 4);
    expect_count(f, "profile_completed", "!=", json_true(), 4);
    /* everyone reached has an active device: the base rules require one */
    expect_count(f, "has_active_devices", "=", json_true(), REACHED);
    expect_count(f, "has_active_devices", "exact", json_false(), 0);
    expect_count(f, "has_active_devices", "!=", json_false(), REACHED);
}

static void test_attended(void **state)
{
    fx_t *f = fx(state);
    /* checked in: Asha, Bala (who left again) and Eshan; not the no-show or
     * the cancelled ticket */
    expect_count(f, "has_attended_event", "=", json_true(), 3);
    expect_count(f, "has_attended_event", "exact", json_false(), REACHED - 3);
    expect_count(f, "has_attended_event", "!=", json_true(), REACHED - 3);
    expect_count(f, "has_attended_event", "=", json_integer(f->events[0]), 1);
    expect_count(f, "has_attended_event", "exact", json_integer(f->events[1]), 2);
    expect_count(f, "has_attended_event", "!=", json_integer(f->events[0]), REACHED - 1);
    expect_count(f, "has_attended_event", "in",
                 json_pack("[I, I]", (json_int_t)f->events[0], (json_int_t)f->events[1]), 3);
    expect_count(f, "has_attended_event", "in",
                 json_pack("[I, I]", (json_int_t)f->events[1], (json_int_t)999999), 2);
}

/* all is AND, any is OR, both together AND. */
static void test_combined(void **state)
{
    fx_t *f = fx(state);
    json_t *mumbai =
        json_pack("{s:s, s:s, s:s}", "field", "location", "op", "=", "value", "Mumbai");
    json_t *blr =
        json_pack("{s:s, s:s, s:s}", "field", "location", "op", "=", "value", "Bengaluru");
    assert_int_equal(count_doc(f, json_pack("{s:[O, O]}", "any", mumbai, blr), "system"), 2);
    assert_int_equal(count_doc(f, json_pack("{s:[O, O]}", "all", mumbai, blr), "system"), 0);
    json_t *doc =
        json_pack("{s:[{s:s, s:s, s:b}], s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "all", "field",
                  "is_verified", "op", "=", "value", 1, "any", "field", "location", "op",
                  "contains", "value", "Pune", "field", "interest", "op", "=", "value", "music");
    assert_int_equal(count_doc(f, doc, "system"), 2); /* Asha and Eshan, not Indu */
    json_decref(mumbai);
    json_decref(blr);
}

/* ---- the base rules ------------------------------------------------------------------------ */

static json_t *basetown(void)
{
    return rule("all", "location", "=", json_string("Basetown"));
}

static void set_and_count(fx_t *f, const char *sql, int who, int64_t want, const char *type)
{
    exec_ok(f, sql, DB_ARGS(db_int(f->users[who])));
    assert_int_equal(count_doc(f, basetown(), type), want);
}

/* Each Basetown person is kept out by one rule; lifting it lets them in. */
static void test_base_rules(void **state)
{
    fx_t *f = fx(state);
    assert_int_equal(count_doc(f, basetown(), "system"), 0);
    /* promotional is off unless chosen: only Promo chose it */
    assert_int_equal(count_doc(f, basetown(), "promotional"), 1);
    assert_int_equal(count_doc(f, rule("all", "is_active", "=", json_true()), "promotional"), 1);
    /* a type nobody chose with push on by default reaches Quiet and Promo */
    assert_int_equal(count_doc(f, basetown(), "event_update"), 2);
    set_and_count(f, "UPDATE users SET is_staff = false WHERE id = $1", STAFF, 1, "system");
    set_and_count(f, "UPDATE users SET is_active = true WHERE id = $1", WAITLISTED, 2, "system");
    set_and_count(f, "UPDATE user_devices SET is_active = true WHERE user_id = $1", OLD_DEVICE, 3,
                  "system");
    set_and_count(f,
                  "UPDATE notification_preferences SET push_enabled = true WHERE user_id = $1 AND "
                  "type = 'system'",
                  QUIET, 4, "system");
    exec_ok(f,
            "INSERT INTO user_devices (uuid, user_id, onesignal_player_id, platform, is_active, "
            "created_at, updated_at) VALUES ($1, $2, 'player-late', 'ios', true, $3, $3)",
            DB_ARGS(db_text(uuid(f)), db_int(f->users[NO_DEVICE]), db_time(T0)));
    assert_int_equal(count_doc(f, basetown(), "system"), 5);
    /* and back, so the order of the tests does not matter */
    exec_ok(f, "UPDATE users SET is_staff = true WHERE id = $1", DB_ARGS(db_int(f->users[STAFF])));
    exec_ok(f, "UPDATE users SET is_active = false WHERE id = $1",
            DB_ARGS(db_int(f->users[WAITLISTED])));
    exec_ok(f, "UPDATE user_devices SET is_active = false WHERE user_id = $1",
            DB_ARGS(db_int(f->users[OLD_DEVICE])));
    exec_ok(f,
            "UPDATE notification_preferences SET push_enabled = false WHERE user_id = $1 AND "
            "type = 'system'",
            DB_ARGS(db_int(f->users[QUIET])));
    exec_ok(f, "DELETE FROM user_devices WHERE user_id = $1", DB_ARGS(db_int(f->users[NO_DEVICE])));
    assert_int_equal(count_doc(f, basetown(), "system"), 0);
}

/* The query others build on selects the same people, parameters first. */
static void test_query(void **state)
{
    fx_t *f = fx(state);
    audience_sql_t q;
    const char *sql = NULL;
    json_t *doc = rule("any", "location", "contains", json_string("engaluru"));
    assert_null(audience_query(&f->arena, doc, "system", &q, &sql));
    json_decref(doc); /* nothing compiled may point into it */
    assert_non_null(strstr(sql, "SELECT u.id FROM users u JOIN user_profiles p"));
    assert_int_equal(q.nparams, 3);
    assert_string_equal(q.params[2].s, "engaluru");
    db_rows_t *rows;
    assert_int_equal(db_query(f->db, arena_printf(&f->arena, "%s ORDER BY u.id", sql), q.params,
                              q.nparams, &rows),
                     DB_OK);
    int64_t got[REACHED];
    int n = 0;
    while (db_next(rows) && n < REACHED)
        got[n++] = db_col_int(rows, 0);
    assert_int_equal(db_rows_status(rows), DB_OK);
    db_rows_free(rows);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], f->users[0]);
    assert_int_equal(got[1], f->users[1]);
}

/* ---- compiling without a database ------------------------------------------------------------ */

/* Values are parameters only, numbered from first_param. */
static void test_compile_binds_everything(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    json_t *doc = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:[s, I]}], s:[{s:s, s:s, s:b}]}",
                            "all", "field", "location", "op", "icontains", "value", INJ_DROP,
                            "field", "interest", "op", "in", "value", INJ_DEL, (json_int_t)7, "any",
                            "field", "profile_completed", "op", "!=", "value", 0);
    audience_sql_t q;
    assert_null(audience_compile(&a, doc, 5, &q));
    json_decref(doc);
    assert_int_equal(q.nparams, 4);
    assert_string_equal(q.params[0].s, INJ_DROP);
    assert_string_equal(q.params[1].s, INJ_DEL);
    assert_int_equal(q.params[2].type, DB_P_INT);
    assert_int_equal(q.params[2].i, 7);
    assert_int_equal(q.params[3].type, DB_P_BOOL);
    assert_int_equal(q.params[3].i, 0);
    assert_non_null(strstr(q.where, "$5"));
    assert_non_null(strstr(q.where, "$8"));
    assert_null(strstr(q.where, "$4"));
    assert_null(strstr(q.where, "$9"));
    assert_null(strstr(q.where, "DROP"));
    assert_null(strstr(q.where, "DELETE"));
    assert_non_null(strstr(q.where, ") AND ("));
    arena_free(&a);
}

/* ---- validation ------------------------------------------------------------------------------ */

/* doc (JSON text) is refused with a detail of this type at exactly loc. */
static void expect_refused(const char *doc_text, const char *loc_text, const char *type)
{
    arena_t a;
    arena_init(&a);
    json_t *doc = json_loads(doc_text, JSON_DECODE_ANY, NULL);
    json_t *loc = json_loads(loc_text, 0, NULL);
    assert_non_null(loc);
    audience_sql_t q;
    err_t *e = audience_compile(&a, doc, 1, &q);
    json_decref(doc);
    if (!e)
        fail_msg("%s: accepted", doc_text);
    assert_int_equal(e->status, 422);
    assert_string_equal(e->code, "VALIDATION_ERROR");
    bool found = false;
    size_t i;
    json_t *d;
    json_array_foreach(e->details, i, d)
    {
        assert_non_null(json_string_value(json_object_get(d, "msg")));
        assert_non_null(json_object_get(d, "input"));
        found |= json_equal(json_object_get(d, "loc"), loc) &&
                 !strcmp(json_string_value(json_object_get(d, "type")), type);
    }
    if (!found)
        fail_msg("%s: no %s at %s in %s", doc_text, type, loc_text,
                 json_dumps(e->details, JSON_COMPACT));
    json_decref(loc);
    err_discard(e);
    arena_free(&a);
}

#define OK_RULE  "{\"field\":\"is_verified\",\"op\":\"=\",\"value\":true}"
#define AT(path) "[\"body\",\"audience\"" path "]"

static void test_document_errors(void **state)
{
    (void)state;
    expect_refused("\"everyone\"", AT(""), "dict_type");
    expect_refused("[" OK_RULE "]", AT(""), "dict_type");
    expect_refused("null", AT(""), "dict_type");
    expect_refused("{}", AT(""), "value_error");
    expect_refused("{\"all\":[" OK_RULE "],\"none\":1}", AT(",\"none\""), "extra_forbidden");
    expect_refused("{\"all\":[]}", AT(",\"all\""), "too_short");
    expect_refused("{\"any\":{}}", AT(",\"any\""), "list_type");
    expect_refused("{\"all\":[" OK_RULE "],\"any\":null}", AT(",\"any\""), "list_type");
    char many[2048] = "{\"all\":[" OK_RULE;
    for (int i = 0; i < AUDIENCE_MAX_RULES; i++)
        strcat(many, "," OK_RULE);
    strcat(many, "]}");
    expect_refused(many, AT(",\"all\""), "too_long");
}

static void test_rule_errors(void **state)
{
    (void)state;
    expect_refused("{\"any\":[" OK_RULE ",5]}", AT(",\"any\",1"), "dict_type");
    expect_refused("{\"all\":[{\"field\":\"is_verified\",\"op\":\"=\",\"value\":true,\"x\":1}]}",
                   AT(",\"all\",0,\"x\""), "extra_forbidden");
    expect_refused("{\"all\":[{\"op\":\"=\",\"value\":true}]}", AT(",\"all\",0,\"field\""),
                   "missing");
    expect_refused("{\"all\":[{\"field\":\"is_verified\",\"value\":true}]}",
                   AT(",\"all\",0,\"op\""), "missing");
    expect_refused("{\"all\":[{\"field\":\"is_verified\",\"op\":\"=\"}]}",
                   AT(",\"all\",0,\"value\""), "missing");
    expect_refused("{\"all\":[" OK_RULE ",{\"field\":\"password_hash\",\"op\":\"=\",\"value\":"
                   "\"x\"}]}",
                   AT(",\"all\",1,\"field\""), "literal_error");
    expect_refused("{\"all\":[{\"field\":7,\"op\":\"=\",\"value\":true}]}",
                   AT(",\"all\",0,\"field\""), "string_type");
    expect_refused("{\"any\":[{\"field\":\"location\",\"op\":\"LIKE\",\"value\":\"x\"}]}",
                   AT(",\"any\",0,\"op\""), "literal_error");
    expect_refused("{\"any\":[{\"field\":\"location\",\"op\":null,\"value\":\"x\"}]}",
                   AT(",\"any\",0,\"op\""), "string_type");
    expect_refused("{\"any\":[{\"field\":\"is_verified\",\"op\":\"contains\",\"value\":\"t\"}]}",
                   AT(",\"any\",0,\"op\""), "value_error");
    expect_refused("{\"any\":[{\"field\":\"has_active_devices\",\"op\":\"in\",\"value\":[true]}]}",
                   AT(",\"any\",0,\"op\""), "value_error");
    expect_refused("{\"any\":[{\"field\":\"has_attended_event\",\"op\":\"icontains\",\"value\":"
                   "\"x\"}]}",
                   AT(",\"any\",0,\"op\""), "value_error");
    /* every problem is reported, not only the first */
    expect_refused("{\"all\":[{\"field\":\"nope\",\"op\":\"=\",\"value\":1},{\"field\":"
                   "\"is_active\",\"op\":\"=\",\"value\":1}]}",
                   AT(",\"all\",1,\"value\""), "bool_type");
}

static void test_value_errors(void **state)
{
    (void)state;
#define ONE(field, op, value)                                                                      \
    "{\"all\":[{\"field\":\"" field "\",\"op\":\"" op "\",\"value\":" value "}]}"
    expect_refused(ONE("is_verified", "=", "\"yes\""), AT(",\"all\",0,\"value\""), "bool_type");
    expect_refused(ONE("is_active", "!=", "1"), AT(",\"all\",0,\"value\""), "bool_type");
    expect_refused(ONE("location", "=", "5"), AT(",\"all\",0,\"value\""), "string_type");
    expect_refused(ONE("location", "contains", "[\"a\"]"), AT(",\"all\",0,\"value\""),
                   "string_type");
    expect_refused(ONE("location", "=", "\"\""), AT(",\"all\",0,\"value\""), "string_too_short");
    char longer[300];
    snprintf(longer, sizeof longer, ONE("location", "icontains", "\"%0101d\""), 0);
    expect_refused(longer, AT(",\"all\",0,\"value\""), "string_too_long");
    expect_refused(ONE("location", "in", "\"x\""), AT(",\"all\",0,\"value\""), "list_type");
    expect_refused(ONE("location", "in", "[]"), AT(",\"all\",0,\"value\""), "too_short");
    expect_refused(ONE("location", "in", "[\"a\",7]"), AT(",\"all\",0,\"value\",1"), "string_type");
    expect_refused(ONE("interest", "=", "0"), AT(",\"all\",0,\"value\""), "greater_than_equal");
    expect_refused(ONE("interest", "=", "true"), AT(",\"all\",0,\"value\""), "string_type");
    expect_refused(ONE("interest", "icontains", "3"), AT(",\"all\",0,\"value\""), "string_type");
    expect_refused(ONE("interest", "in", "[\"a\",{}]"), AT(",\"all\",0,\"value\",1"),
                   "string_type");
    expect_refused(ONE("has_attended_event", "=", "1.5"), AT(",\"all\",0,\"value\""), "bool_type");
    expect_refused(ONE("has_attended_event", "=", "\"1\""), AT(",\"all\",0,\"value\""),
                   "bool_type");
    expect_refused(ONE("has_attended_event", "in", "[true]"), AT(",\"all\",0,\"value\",0"),
                   "int_type");
    expect_refused(ONE("has_attended_event", "in", "[-4]"), AT(",\"all\",0,\"value\",0"),
                   "greater_than_equal");
    expect_refused(ONE("profile_completed", "exact", "null"), AT(",\"all\",0,\"value\""),
                   "bool_type");
#undef ONE
}

static void test_list_limits(void **state)
{
    (void)state;
    /* 51 values in one list */
    char doc[4096] = "{\"any\":[{\"field\":\"location\",\"op\":\"in\",\"value\":[\"a\"";
    for (int i = 0; i < AUDIENCE_MAX_IN; i++)
        strcat(doc, ",\"a\"");
    strcat(doc, "]}]}");
    expect_refused(doc, AT(",\"any\",0,\"value\""), "too_long");
    /* six lists of 50 are more values than a document may bind */
    char big[8192] = "{\"all\":[";
    for (int r = 0; r < 6; r++) {
        strcat(big, r ? ",{\"field\":\"has_attended_event\",\"op\":\"in\",\"value\":[1"
                      : "{\"field\":\"has_attended_event\",\"op\":\"in\",\"value\":[1");
        for (int i = 1; i < AUDIENCE_MAX_IN; i++)
            strcat(big, ",2");
        strcat(big, "]}");
    }
    strcat(big, "]}");
    expect_refused(big, AT(",\"all\",5,\"value\""), "too_long");
}

int main(void)
{
    log_set_level(LOG_WARN); /* not a line per migration, twice */
#define BOTH(fn) cmocka_unit_test(fn)
    const struct CMUnitTest db_tests[] = {
        BOTH(test_location), BOTH(test_location_metacharacters),
        BOTH(test_interest), BOTH(test_interest_metacharacters),
        BOTH(test_booleans), BOTH(test_attended),
        BOTH(test_combined), BOTH(test_base_rules),
        BOTH(test_query),
    };
    const struct CMUnitTest pure_tests[] = {
        cmocka_unit_test(test_compile_binds_everything),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test(test_rule_errors),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_list_limits),
    };
    int failed = cmocka_run_group_tests_name("compile", pure_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite", db_tests, setup_sqlite, teardown);
    failed += cmocka_run_group_tests_name("postgresql", db_tests, setup_pg, teardown);
    return failed;
}
