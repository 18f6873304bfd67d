/*
 * seed_demo.c: `loopin seed --demo` (seed_demo.h). The rows go in through
 * the same constraints and triggers as the API's (seat buckets, counters,
 * search, listing versions); the bank account and the payout request go
 * through their domain functions, so the account number is sealed and the
 * payout's snapshot is the real one. Deterministic but for ids and uuids.
 */
#include "ops/seed_demo.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "bank_accounts/bank_accounts.h"
#include "core/clock.h"
#include "core/rand.h"
#include "events/slug.h"
#include "money/payouts.h"

#define PEOPLE  24
#define HOSTS   5
#define DAY_US  (86400LL * USEC_PER_SEC)
#define HOUR_US (3600LL * USEC_PER_SEC)
#define MARKER  "+919999000001" /* the first demo person's phone */

static const char *const NAMES[PEOPLE] = {
    "Meera Iyer",   "Arjun Rao",   "Kavya Nair",    "Rohan Mehta",    "Ananya Das",
    "Vikram Singh", "Priya Menon", "Karan Shah",    "Ishita Gupta",   "Aditya Kulkarni",
    "Sneha Reddy",  "Rahul Verma", "Neha Joshi",    "Siddharth Jain", "Pooja Pillai",
    "Aman Khanna",  "Divya Bhat",  "Nikhil Sharma", "Ritu Chawla",    "Varun Kapoor",
    "Tanvi Desai",  "Harsh Patel", "Shreya Bose",   "Manish Yadav"};
static const char *const CITIES[][2] = {{"Bengaluru", "bengaluru"}, {"Mumbai", "mumbai"},
                                        {"Delhi", "delhi"},         {"Pune", "pune"},
                                        {"Hyderabad", "hyderabad"}, {"Chennai", "chennai"}};

typedef struct {
    const char *title;
    int host, city, day; /* start: days from now (negative: past) */
    int capacity;
    int64_t price; /* minor units; 0: free */
    const char *status;
} demo_event_t;

static const demo_event_t EVENTS[] = {
    {"Rooftop Jazz Evening", 0, 0, -40, 60, 49900, "completed"},
    {"Sunday Board Games Brunch", 1, 3, -25, 24, 0, "completed"},
    {"Street Food Walk in Old Delhi", 2, 2, -12, 20, 29900, "completed"},
    {"Sunrise Trek to Nandi Hills", 0, 0, -5, 30, 0, "completed"},
    {"Indie Film Night", 3, 1, 3, 40, 0, "published"},
    {"Pottery for Beginners", 4, 4, 6, 12, 89900, "published"},
    {"Stand-up Comedy Open Mic", 1, 3, 9, 80, 19900, "published"},
    {"Photography Walk: Marine Drive", 3, 1, 14, 25, 0, "published"},
    {"Coffee Tasting Workshop", 2, 2, 20, 16, 59900, "published"},
    {"Book Club: Modern Indian Fiction", 4, 5, 27, 18, 0, "published"},
    {"Startup Founders Mixer", 0, 0, 35, 100, 0, "draft"},
    {"Monsoon Music Festival", 2, 4, 18, 200, 99900, "cancelled"},
};
#define NEVENTS ((int)(sizeof EVENTS / sizeof EVENTS[0]))

/* A small deterministic generator: the same demo every time. */
static unsigned next_r(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

typedef struct {
    op_t *op;
    int64_t now;
    int64_t users[PEOPLE], events[NEVENTS], starts[NEVENTS];
    int requests, tickets, orders;
} seed_t;

static int add_people(seed_t *s)
{
    static const char *const genders[] = {"female", "male", "female", "male", "other"};
    for (int i = 0; i < PEOPLE; i++) {
        char uuid[37], puuid[37], phone[17];
        rand_uuid(uuid);
        rand_uuid(puuid);
        snprintf(phone, sizeof phone, "+9199990000%02d", i + 1);
        int64_t joined = s->now - (int64_t)(120 - i * 4) * DAY_US;
        bool waitlisted = i >= PEOPLE - 3;
        bool found;
        int rc = db_query_int(
            s->op->db,
            "INSERT INTO users (uuid, phone, is_active, date_joined, last_login, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, $4, $4) RETURNING id",
            DB_ARGS(db_text(uuid), db_text(phone), db_bool(!waitlisted), db_time(joined),
                    db_time(s->now - (int64_t)(i % 7) * DAY_US)),
            &s->users[i], &found);
        if (rc == DB_OK)
            rc = db_exec(
                s->op->db,
                "INSERT INTO user_profiles (user_id, uuid, name, phone_number, bio, location, "
                "gender, is_verified, is_active, waitlist_started_at, waitlist_promote_at, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                "$12, $12)",
                DB_ARGS(db_int(s->users[i]), db_text(puuid), db_text(NAMES[i]), db_text(phone),
                        db_text("Here for good company, live music and long walks."),
                        db_text(CITIES[i % 6][0]), db_text(genders[i % 5]), db_bool(true),
                        db_bool(!waitlisted), waitlisted ? db_time(s->now - HOUR_US) : db_null(),
                        waitlisted ? db_time(s->now + 3 * HOUR_US) : db_null(), db_time(joined)),
                NULL);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static int add_event(seed_t *s, int k)
{
    const demo_event_t *e = &EVENTS[k];
    char uuid[37], cid[11], slug[SLUG_MAX + 1], url[256];
    rand_uuid(uuid);
    rand_base62(cid, 10);
    slug_generate(e->title, SLUG_MAX, "event", slug);
    snprintf(url, sizeof url, "/in/%s/events/%s--%s", CITIES[e->city][1], slug, cid);
    int64_t start = s->now + (int64_t)e->day * DAY_US + 19 * HOUR_US - s->now % DAY_US;
    s->starts[k] = start;
    int64_t created = s->now - (int64_t)(60 - k * 3) * DAY_US;
    if (created > start)
        created = start - 10 * DAY_US;
    bool found;
    return db_query_int(
        s->op->db,
        "INSERT INTO events (uuid, host_id, canonical_id, slug, slug_version, slug_is_manual, "
        "canonical_url, title, description, venue_text, country_code, city_slug, start_time, "
        "end_time, max_capacity, is_paid, ticket_price_minor, currency, allow_plus_one, "
        "gst_number, allowed_genders, cover_images, status, is_public, is_active, published_at, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, 'in', $10, $11, "
        "$12, $13, $14, $15, 'INR', $16, '', 'all', '[]', $17, $16, $16, $18, $19, $19) "
        "RETURNING id",
        DB_ARGS(db_text(uuid), db_int(s->users[e->host]), db_text(cid), db_text(slug),
                db_bool(false), db_text(url), db_text(e->title),
                db_text("A small, friendly evening hosted on Loopin. Come as you are, meet "
                        "people who like what you like, and leave with new friends."),
                db_text(CITIES[e->city][0]), db_text(CITIES[e->city][1]), db_time(start),
                db_time(start + 3 * HOUR_US), db_int(e->capacity), db_bool(e->price > 0),
                db_int(e->price), db_bool(true), db_text(e->status),
                strcmp(e->status, "draft") ? db_time(created) : db_null(), db_time(created)),
        &s->events[k], &found);
}

/* The seat holder, the ticket and, for a paid event, the paid order. */
static int add_ticket(seed_t *s, int k, int64_t user, int64_t request, int64_t at, bool in)
{
    int64_t door = s->starts[k] + HOUR_US / 2; /* checked in half an hour after the start */
    const demo_event_t *e = &EVENTS[k];
    int64_t fee = e->price / 10, order = 0;
    int rc = DB_OK;
    bool found;
    char uuid[37], oid[24], ref[24];
    if (e->price > 0) {
        rand_uuid(uuid);
        snprintf(oid, sizeof oid, "LPT");
        rand_base62(oid + 3, 12);
        snprintf(ref, sizeof ref, "LPR-");
        rand_base62(ref + 4, 12);
        rc = db_query_int(
            s->op->db,
            "INSERT INTO payment_orders (uuid, event_id, user_id, order_id, order_reference, "
            "amount_minor, currency, seats_count, base_price_per_seat_minor, platform_fee_bps, "
            "platform_fee_minor, host_earning_per_seat_minor, status, payment_provider, is_final, "
            "paid_at, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'INR', "
            "1, $7, 1000, $8, $7, 'paid', 'test', $9, $10, $10, $10, $10) RETURNING id",
            DB_ARGS(db_text(uuid), db_int(s->events[k]), db_int(user), db_text(oid), db_text(ref),
                    db_int(e->price + fee), db_int(e->price), db_int(fee), db_bool(true),
                    db_time(at)),
            &order, &found);
        rand_uuid(uuid);
        if (rc == DB_OK)
            rc = db_exec(s->op->db,
                         "INSERT INTO payment_transactions (uuid, payment_order_id, "
                         "transaction_type, amount_minor, currency, provider, "
                         "provider_transaction_id, status, created_at, updated_at) VALUES ($1, $2, "
                         "'payment', $3, 'INR', 'test', $4, 'completed', $5, $5)",
                         DB_ARGS(db_text(uuid), db_int(order), db_int(e->price + fee), db_text(ref),
                                 db_time(at)),
                         NULL);
        s->orders++;
    }
    rand_uuid(uuid);
    if (rc == DB_OK)
        rc =
            db_exec(s->op->db,
                    "INSERT INTO event_attendees (uuid, event_id, user_id, request_id, seats, "
                    "is_paid, price_paid_minor, platform_fee_minor, status, payment_order_id, "
                    "checked_in_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, "
                    "$7, $8, $9, $10, $11, $11)",
                    DB_ARGS(db_text(uuid), db_int(s->events[k]), db_int(user), db_int(request),
                            db_bool(e->price > 0), db_int(e->price), db_int(fee),
                            db_text(in ? "checked_in" : "going"), order ? db_int(order) : db_null(),
                            in ? db_time(door) : db_null(), db_time(at)),
                    NULL);
    char tref[24];
    snprintf(tref, sizeof tref, "LP-");
    rand_hex(tref + 3, 8);
    rand_uuid(uuid);
    if (rc == DB_OK)
        rc = db_exec(s->op->db,
                     "INSERT INTO attendance_records (uuid, event_id, user_id, status, "
                     "payment_status, ticket_ref, seats, checked_in_at, created_at, updated_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8)",
                     DB_ARGS(db_text(uuid), db_int(s->events[k]), db_int(user),
                             db_text(in ? "checked_in" : "going"),
                             db_text(e->price > 0 ? "paid" : "unpaid"), db_text(tref),
                             in ? db_time(door) : db_null(), db_time(at)),
                     NULL);
    s->tickets++;
    return rc;
}

/* Requests for event k from people who are not its host: accepted ones get
 * tickets (checked in for a past event), some wait, some were declined. */
static int add_requests(seed_t *s, int k, unsigned *r)
{
    const demo_event_t *e = &EVENTS[k];
    if (!strcmp(e->status, "draft"))
        return DB_OK;
    int n = 4 + (int)(next_r(r) % 6);
    for (int j = 0; j < n; j++) {
        int who = (k * 5 + j * 3 + 1) % (PEOPLE - 3); /* never the waitlisted three */
        if (who == e->host)
            continue;
        unsigned roll = next_r(r) % 10;
        const char *status = e->day < 0 ? (roll < 8 ? "accepted" : "declined")
                             : roll < 5 ? "accepted"
                             : roll < 8 ? "pending"
                                        : "declined";
        if (!strcmp(e->status, "cancelled"))
            status = "cancelled";
        int64_t at = s->starts[k] - (int64_t)(8 + j) * DAY_US;
        if (at > s->now)
            at = s->now - (int64_t)j * HOUR_US;
        char uuid[37];
        rand_uuid(uuid);
        int64_t id = 0;
        bool found;
        int rc = db_query_int(
            s->op->db,
            "INSERT INTO event_requests (uuid, event_id, requester_id, status, message, "
            "host_message, seats_requested, responded_at, created_at, updated_at) VALUES ($1, $2, "
            "$3, $4, $5, '', 1, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING id",
            DB_ARGS(db_text(uuid), db_int(s->events[k]), db_int(s->users[who]), db_text(status),
                    db_text("Hi! I would love to join."),
                    strcmp(status, "pending") ? db_time(at + 6 * HOUR_US) : db_null(), db_time(at)),
            &id, &found);
        if (rc != DB_OK)
            return rc;
        if (!found)
            continue; /* this person already asked */
        s->requests++;
        if (!strcmp(status, "accepted") &&
            (rc = add_ticket(s, k, s->users[who], id, at + 7 * HOUR_US, e->day < 0 && roll < 6)) !=
                DB_OK)
            return rc;
    }
    return DB_OK;
}

static int add_leads(seed_t *s)
{
    static const char *const leads[][3] = {
        {"Farah", "Khan", "I run a pottery studio and would love to host weekend classes."},
        {"Dev", "Malhotra", "Board game cafe owner, looking to host community nights."},
        {"Lakshmi", "Iyer", "Classical music teacher; small house concerts."},
        {"Omar", "Siddiqui", "Trail runner organising sunrise runs."},
        {"Gauri", "Shinde", "Chef planning supper clubs."}};
    for (int i = 0; i < 5; i++) {
        char uuid[37], phone[17];
        rand_uuid(uuid);
        snprintf(phone, sizeof phone, "+9199991000%02d", i + 1);
        int rc = db_exec(s->op->db,
                         "INSERT INTO host_leads (uuid, first_name, last_name, phone_number, "
                         "message, is_contacted, is_converted, notes, created_at, updated_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $8)",
                         DB_ARGS(db_text(uuid), db_text(leads[i][0]), db_text(leads[i][1]),
                                 db_text(phone), db_text(leads[i][2]), db_bool(i < 3),
                                 db_bool(i == 0), db_time(s->now - (int64_t)(30 - i * 5) * DAY_US)),
                         NULL);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static int seed_tx(db_conn_t *c, void *arg)
{
    seed_t *s = arg;
    (void)c;
    unsigned r = 2026;
    s->requests = s->tickets = s->orders = 0;
    int rc = add_people(s);
    for (int k = 0; rc == DB_OK && k < NEVENTS; k++)
        rc = add_event(s, k);
    for (int k = 0; rc == DB_OK && k < NEVENTS; k++)
        rc = add_requests(s, k, &r);
    return rc == DB_OK ? add_leads(s) : rc;
}

/* The first host's bank account and a payout request for their past paid
 * event, through the domain, as the host. */
static void add_payout(seed_t *s)
{
    actor_t host = {.id = s->users[EVENTS[0].host], .is_active = true};
    s->op->actor = host;
    bank_account_input_t in = {.bank_name = "HDFC Bank",
                               .account_number = "50100234567890",
                               .ifsc_code = "HDFC0001234",
                               .account_holder_name = NAMES[EVENTS[0].host],
                               .is_primary = 1,
                               .is_active = -1};
    json_t *acct = NULL, *payout = NULL;
    err_t *e = bank_account_create(s->op, &in, &acct);
    json_t *data = acct ? json_object_get(acct, "data") : NULL;
    int64_t acct_id = json_integer_value(json_object_get(data ? data : acct, "id"));
    if (!e)
        e = payout_create(s->op, s->events[0], acct_id, &payout);
    if (e)
        fprintf(stderr, "seed: no payout request (%s: %s)\n", e->code, e->message);
    else
        puts("seed: a bank account and a pending payout request for the first host");
    json_decref(acct);
    json_decref(payout);
    err_discard(e);
    memset(&s->op->actor, 0, sizeof s->op->actor);
}

int seed_demo(struct app *app)
{
    if (app->cfg.env == ENV_PRODUCTION) {
        fprintf(stderr, "seed: refused in production (LOOPIN_ENV=production); the demo data is "
                        "for development databases\n");
        return 2;
    }
    db_conn_t *c = db_acquire(app->db);
    if (!c) {
        fprintf(stderr, "seed: no database connection\n");
        return 1;
    }
    arena_t arena;
    arena_init(&arena);
    op_t op;
    op_init_system(&op, app, c, &arena, "cli:seed");
    int64_t marker = 0;
    bool found = false;
    int rc = db_query_int(c, "SELECT id FROM users WHERE phone = $1", DB_ARGS(db_text(MARKER)),
                          &marker, &found);
    if (rc == DB_OK && found) {
        puts("seed: the demo data is already there; nothing to do");
    } else if (rc == DB_OK) {
        seed_t s = {.op = &op, .now = op.now_us};
        rc = db_tx_run(c, DB_TX_WRITE, seed_tx, &s);
        if (rc == DB_OK) {
            printf("seed: %d people (3 on the waitlist), %d events, %d join requests, %d tickets, "
                   "%d paid orders, 5 host leads\n",
                   PEOPLE, NEVENTS, s.requests, s.tickets, s.orders);
            add_payout(&s);
        }
    }
    if (rc != DB_OK)
        fprintf(stderr, "seed: %s\n", db_errmsg(c));
    db_release(c);
    arena_free(&arena);
    return rc == DB_OK ? 0 : 1;
}
