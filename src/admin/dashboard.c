/*
 * dashboard.c: the analytics dashboard (issue 12 point 3; API.md 16,
 * docs/admin.md). GET /api/admin/dashboard/{users|events|hosts|payments}
 * ?period=weekly|monthly|yearly answers
 *   {period, buckets: [{start, end}...], series: {name: [value per bucket]},
 *    now: {name: value}}
 * over the last 12 weeks (from Monday, UTC), 12 months or 5 years, the
 * current one included (so far).
 *
 * Each series is one statement: a range scan of an index on the time it
 * counts by (migration 0026 adds the missing ones), grouped into the buckets
 * by a CASE over the bucket starts, which are bound parameters. So a page
 * load reads the period's rows of each table once, never a whole table; the
 * "now" figures are counts over indexed states (waitlisted, live events,
 * pending payouts). Money is in minor units (paise).
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "module.h"

#define MAX_BUCKETS 12
#define DAY_US      (86400LL * USEC_PER_SEC)

typedef struct {
    int n;
    int64_t start[MAX_BUCKETS + 1]; /* start[n]: the end of the last bucket */
} buckets_t;

static void make_buckets(const char *period, int64_t now, buckets_t *b)
{
    int y, m, d;
    clock_civil(now, &y, &m, &d);
    if (!strcmp(period, "weekly")) {
        int64_t day = now / DAY_US, monday = day - (day + 3) % 7; /* 1970-01-01 was a Thursday */
        b->n = 12;
        for (int i = 0; i <= b->n; i++)
            b->start[i] = (monday - (int64_t)(b->n - 1 - i) * 7) * DAY_US;
    } else if (!strcmp(period, "yearly")) {
        b->n = 5;
        for (int i = 0; i <= b->n; i++)
            b->start[i] = clock_from_civil(y - (b->n - 1 - i), 1, 1);
    } else {
        b->n = 12;
        for (int i = 0; i <= b->n; i++)
            b->start[i] = clock_from_civil(y, m - (b->n - 1 - i), 1);
    }
}

/* One series: agg over the rows of `from` whose `at` falls in a bucket (and
 * `where`, if any). */
typedef struct {
    const char *name, *from, *at, *where, *agg;
} series_t;

static int run_series(op_t *op, const series_t *s, const buckets_t *b, json_t *out)
{
    strbuf_t sql;
    sb_init(&sql);
    sb_puts(&sql, "SELECT CASE");
    for (int i = b->n - 1; i >= 0; i--)
        sb_printf(&sql, " WHEN %s >= $%d THEN %d", s->at, i + 1, i);
    sb_printf(&sql, " END, %s FROM %s WHERE %s >= $1 AND %s < $%d", s->agg, s->from, s->at, s->at,
              b->n + 1);
    if (s->where)
        sb_printf(&sql, " AND (%s)", s->where);
    sb_puts(&sql, " GROUP BY 1");
    db_param_t p[MAX_BUCKETS + 1];
    for (int i = 0; i <= b->n; i++)
        p[i] = db_time(b->start[i]);
    db_rows_t *rows;
    int rc = db_query(op->db, sql.data, p, b->n + 1, &rows);
    sb_free(&sql);
    if (rc != DB_OK)
        return rc;
    int64_t v[MAX_BUCKETS] = {0};
    while (db_next(rows)) {
        int64_t k = db_col_int(rows, 0);
        if (k >= 0 && k < b->n)
            v[k] = db_col_int(rows, 1);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    json_t *list = json_array();
    for (int i = 0; i < b->n; i++)
        json_array_append_new(list, json_integer(v[i]));
    json_object_set_new(out, s->name, list);
    return rc;
}

/* One "now" figure: a single number from sql ($1 = now, where it is used). */
typedef struct {
    const char *name, *sql;
} figure_t;

static int run_figure(op_t *op, const figure_t *f, json_t *out)
{
    int64_t v = 0;
    bool found = false;
    db_param_t now = db_time(op->now_us);
    int rc = db_query_int(op->db, f->sql, &now, strstr(f->sql, "$1") ? 1 : 0, &v, &found);
    if (rc == DB_OK)
        json_object_set_new(out, f->name, json_integer(v));
    return rc;
}

typedef struct {
    const char *name;
    const series_t *series;
    const figure_t *now;
} board_t;

#define PAID "status IN ('paid', 'completed', 'refunded')"

static const series_t user_series[] = {
    {"signups", "users", "created_at", NULL, "count(*)"},
    {"promotions", "audit_log", "created_at", "action = 'account.waitlist.promoted'", "count(*)"},
    {"staff_signins", "audit_log", "created_at", "action = 'admin.signin'", "count(*)"},
    {0},
};
static const figure_t user_now[] = {
    {"users", "SELECT count(*) FROM users"},
    {"active", "SELECT count(*) FROM users WHERE is_active"},
    {"waitlisted", "SELECT count(*) FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE "
                   "p.waitlist_promote_at IS NOT NULL AND NOT u.is_active"},
    {"staff", "SELECT count(*) FROM users WHERE (is_staff OR is_superuser)"},
    {0},
};

static const series_t event_series[] = {
    {"created", "events", "created_at", "is_active", "count(*)"},
    {"started", "events", "start_time", "is_active AND status IN ('published', 'completed')",
     "count(*)"},
    {"requests", "event_requests", "created_at", NULL, "count(*)"},
    {"accepted", "event_requests", "responded_at", "status = 'accepted'", "count(*)"},
    {"declined", "event_requests", "responded_at", "status = 'declined'", "count(*)"},
    {0},
};
static const figure_t event_now[] = {
    {"live", "SELECT count(*) FROM events WHERE is_active AND status = 'published' AND "
             "start_time <= $1 AND end_time > $1"},
    {"upcoming",
     "SELECT count(*) FROM events WHERE is_active AND status = 'published' AND start_time > $1"},
    {"completed", "SELECT count(*) FROM events WHERE is_active AND (status = 'completed' OR "
                  "(status = 'published' AND end_time <= $1))"},
    {"cancelled", "SELECT count(*) FROM events WHERE is_active AND status = 'cancelled'"},
    {"pending_requests", "SELECT count(*) FROM event_requests WHERE status = 'pending'"},
    {0},
};

static const series_t host_series[] = {
    {"active_hosts", "events", "start_time", "is_active AND status IN ('published', 'completed')",
     "count(DISTINCT host_id)"},
    {"new_hosts", "events e", "e.created_at",
     "NOT EXISTS (SELECT 1 FROM events x WHERE x.host_id = e.host_id AND x.created_at < "
     "e.created_at)",
     "count(DISTINCT e.host_id)"},
    {"leads", "host_leads", "created_at", NULL, "count(*)"},
    {0},
};
static const figure_t host_now[] = {
    {"hosts", "SELECT count(DISTINCT host_id) FROM events WHERE is_active"},
    {"leads_open", "SELECT count(*) FROM host_leads WHERE NOT is_converted"},
    {"leads_converted", "SELECT count(*) FROM host_leads WHERE is_converted"},
    {0},
};

static const series_t payment_series[] = {
    {"paid_orders", "payment_orders", "created_at", PAID, "count(*)"},
    {"tickets_sold", "payment_orders", "created_at", PAID, "COALESCE(SUM(seats_count), 0)"},
    {"gross_minor", "payment_orders", "created_at", PAID, "COALESCE(SUM(amount_minor), 0)"},
    {"platform_fee_minor", "payment_orders", "created_at", PAID,
     "COALESCE(SUM(platform_fee_minor), 0)"},
    {"refunds_minor", "payment_orders", "refunded_at", NULL,
     "COALESCE(SUM(refund_amount_minor), 0)"},
    {"payouts_paid_minor", "host_payout_requests", "created_at", "status = 'completed'",
     "COALESCE(SUM(final_earning_minor), 0)"},
    {0},
};
static const figure_t payment_now[] = {
    {"payouts_pending", "SELECT count(*) FROM host_payout_requests WHERE status IN ('pending', "
                        "'approved', 'processing')"},
    {"payouts_pending_minor",
     "SELECT COALESCE(SUM(final_earning_minor), 0) FROM host_payout_requests WHERE status IN "
     "('pending', 'approved', 'processing')"},
    {"payouts_paid_minor", "SELECT COALESCE(SUM(final_earning_minor), 0) FROM "
                           "host_payout_requests WHERE status = 'completed'"},
    {0},
};

static const board_t boards[] = {
    {"users", user_series, user_now},
    {"events", event_series, event_now},
    {"hosts", host_series, host_now},
    {"payments", payment_series, payment_now},
    {0},
};

/* The events board's acceptance rate per bucket: accepted / decided, in
 * percent (null without decisions). */
static void acceptance_rate(json_t *series, int n)
{
    json_t *acc = json_object_get(series, "accepted"), *dec = json_object_get(series, "declined");
    if (!acc || !dec)
        return;
    json_t *rate = json_array();
    for (int i = 0; i < n; i++) {
        int64_t a = json_integer_value(json_array_get(acc, (size_t)i));
        int64_t d = json_integer_value(json_array_get(dec, (size_t)i));
        json_array_append_new(rate,
                              a + d ? json_real((double)(a * 1000 / (a + d)) / 10.0) : json_null());
    }
    json_object_set_new(series, "acceptance_rate", rate);
}

static err_t *dashboard(http_req_t *req, op_t *op, const input_t *in)
{
    const char *name = http_param(req, "board"), *period = in_str(in, "period");
    const board_t *board = NULL;
    for (const board_t *b = boards; b->name; b++)
        if (!strcmp(b->name, name))
            board = b;
    if (!board)
        return op_fail(op, 404, "DASHBOARD_NOT_FOUND",
                       "No such dashboard; use users, events, hosts or payments.");
    buckets_t b;
    make_buckets(period, op->now_us, &b);
    json_t *series = json_object(), *now = json_object(), *list = json_array();
    int rc = DB_OK;
    for (const series_t *s = board->series; rc == DB_OK && s->name; s++)
        rc = run_series(op, s, &b, series);
    for (const figure_t *f = board->now; rc == DB_OK && f->name; f++)
        rc = run_figure(op, f, now);
    if (rc != DB_OK) {
        json_decref(series);
        json_decref(now);
        json_decref(list);
        return op_db_fail(op, rc);
    }
    acceptance_rate(series, b.n);
    for (int i = 0; i < b.n; i++)
        json_array_append_new(list, json_pack("{s:o, s:o}", "start", text_json_time(b.start[i]),
                                              "end", text_json_time(b.start[i + 1])));
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "board", board->name, "period",
                              period, "currency", "INR", "buckets", list, "series", series, "now",
                              now, "generated_at", text_json_time(op->now_us)));
    return NULL;
}

static const char *const PERIODS[] = {"weekly", "monthly", "yearly", NULL};
static const char *const BOARDS[] = {"users", "events", "hosts", "payments", NULL};

static const field_t fields[] = {
    {"board", FT_STRING, 0, .in = FIELD_PATH, .choices = BOARDS},
    {"period", FT_STRING, F_ICASE, .in = FIELD_QUERY, .choices = PERIODS, .def = "monthly"},
    FIELDS_END,
};

static const route_def_t dashboard_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/dashboard/{board}",
     .handler = dashboard,
     .auth = AUTH_STAFF,
     .fields = fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_dashboard_module = {.name = "admin_dashboard", .routes = dashboard_routes};
