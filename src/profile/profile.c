/*
 * profile.c: the profile's rules and storage. Pure field checks (name, birth
 * date and calendar age, gender, interest lists, picture URLs) come first so
 * the unit tests can reach them without a database; then the profile object
 * as the API shows it, and the two write transactions (complete, update).
 */
#include "profile/profile.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "audit/audit.h"
#include "notifications/notifications.h"
#include "core/clock.h"
#include "core/jsonw.h"
#include "db/db_jsonw.h"
#include "core/text.h"
#include "db/db_notify.h"

/* ---- name, birth date, gender ---------------------------------------------- */

const char *profile_name_error(const char *trimmed)
{
    long len = text_utf8_length(trimmed);
    if (len == 0)
        return "Name cannot be empty";
    if (len > 0 && len < PROFILE_NAME_MIN)
        return "Name must be at least 2 characters long";
    if (len > PROFILE_NAME_MAX)
        return "Name must be at most 100 characters long";
    for (const char *p = trimmed; *p; p++) {
        char c = *p;
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && !text_is_space(c) && c != '-' && c != '\'')
            return "Name contains invalid characters. Only letters, spaces, hyphens, and "
                   "apostrophes are allowed";
    }
    return NULL;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool profile_parse_date(const char *s, int *year, int *month, int *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *year = y;
    *month = m;
    *day = d;
    return true;
}

int profile_age_on(int by, int bm, int bd, int ty, int tm, int td)
{
    bool before_birthday = tm < bm || (tm == bm && td < bd);
    return ty - by - (before_birthday ? 1 : 0);
}

const char *profile_birth_date_error(const char *s, int64_t now_us)
{
    int by, bm, bd;
    if (!profile_parse_date(s, &by, &bm, &bd))
        return "Invalid date format. Use YYYY-MM-DD";
    time_t now = (time_t)(now_us / USEC_PER_SEC);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (profile_age_on(by, bm, bd, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) < PROFILE_MIN_AGE)
        return "User must be 16 years or older";
    return NULL;
}

const char PROFILE_GENDER_MESSAGE[] =
    "Gender must be one of: male, female, other, prefer_not_to_say";

const char *profile_gender(const char *s)
{
    static const char *const genders[] = {"male", "female", "other", "prefer_not_to_say"};
    for (size_t i = 0; s && i < sizeof genders / sizeof genders[0]; i++)
        if (strcasecmp(s, genders[i]) == 0)
            return genders[i];
    return NULL;
}

/* ---- interest lists ---------------------------------------------------------- */

interests_status_t profile_interest_ids(const json_t *arr, int64_t ids[PROFILE_MAX_INTERESTS],
                                        int *n, const char **reason)
{
    *n = 0;
    const char *why = NULL;
    if (!json_is_array(arr))
        why = "event_interests must be a JSON array";
    for (size_t i = 0; !why && i < json_array_size(arr); i++)
        if (!json_is_integer(json_array_get(arr, i)))
            why = "event interest ids must be integers";
    if (why) {
        if (reason)
            *reason = why;
        return INTERESTS_FORMAT;
    }
    if (json_array_size(arr) == 0)
        return INTERESTS_EMPTY;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int64_t id = json_integer_value(json_array_get(arr, i));
        bool seen = false;
        for (int j = 0; j < *n && !seen; j++)
            seen = ids[j] == id;
        if (seen)
            continue;
        if (*n == PROFILE_MAX_INTERESTS)
            return INTERESTS_TOO_MANY;
        ids[(*n)++] = id;
    }
    return INTERESTS_OK;
}

interests_status_t profile_parse_interests(const char *text, int64_t ids[PROFILE_MAX_INTERESTS],
                                           int *n, const char **reason)
{
    *n = 0;
    json_t *arr = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!arr) {
        if (reason)
            *reason = "not valid JSON";
        return INTERESTS_FORMAT;
    }
    interests_status_t st = profile_interest_ids(arr, ids, n, reason);
    json_decref(arr);
    return st;
}

/* ---- picture URLs -------------------------------------------------------------
 * By hand, no regex library: scheme, host, optional port, optional rest. */

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Four dot-separated decimal octets 0-255 (1-3 digits each). */
static bool host_is_ipv4(const char *h, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && (i >= n || h[i++] != '.'))
            return false;
        int v = 0, nd = 0;
        while (i < n && h[i] >= '0' && h[i] <= '9' && nd < 3) {
            v = v * 10 + (h[i++] - '0');
            nd++;
        }
        if (nd == 0 || v > 255)
            return false;
    }
    return i == n;
}

/* label(.label)+ with an optional final '.', labels 1-63 alphanumerics and
 * inner hyphens, the last one 2-6 letters. */
static bool host_is_domain(const char *h, size_t n)
{
    if (n > 0 && h[n - 1] == '.')
        n--;
    size_t start = 0;
    int labels = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.') {
            if (!is_alnum(h[i]) && h[i] != '-')
                return false;
            continue;
        }
        size_t len = i - start;
        if (len < 1 || len > 63 || h[start] == '-' || h[i - 1] == '-')
            return false;
        labels++;
        start = i + 1;
    }
    /* the last label (the TLD) runs from the last '.' to n */
    size_t dot = n;
    while (dot > 0 && h[dot - 1] != '.')
        dot--;
    size_t tlen = n - dot;
    if (labels < 2 || tlen < 2 || tlen > 6)
        return false;
    for (size_t i = dot; i < n; i++)
        if (!is_alpha(h[i]))
            return false;
    return true;
}

static bool port_ok(const char *p, size_t n)
{
    if (n < 1 || n > 5)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

bool profile_picture_url_ok(const char *url)
{
    if (!url || strlen(url) > PROFILE_URL_MAX)
        return false;
    for (const char *p = url; *p; p++)
        if (*p <= ' ' || *p > '~')
            return false;
    const char *p = url;
    if (strncasecmp(p, "http://", 7) == 0)
        p += 7;
    else if (strncasecmp(p, "https://", 8) == 0)
        p += 8;
    else
        return false;
    size_t hlen = strcspn(p, ":/?");
    bool host = (hlen == 9 && strncasecmp(p, "localhost", 9) == 0) || host_is_ipv4(p, hlen) ||
                host_is_domain(p, hlen);
    if (!host)
        return false;
    p += hlen;
    if (*p == ':') {
        size_t plen = strcspn(p + 1, "/?");
        if (!port_ok(p + 1, plen))
            return false;
        p += 1 + plen;
    }
    /* nothing, "/", or '/' or '?' followed by at least one character */
    return *p == '\0' || strcmp(p, "/") == 0 || ((*p == '/' || *p == '?') && p[1] != '\0');
}

/* ---- reading ----------------------------------------------------------------- */

static const char SQL_INTEREST_USABLE[] =
    "SELECT count(*) FROM event_interests WHERE id = $1 AND is_active";

int profile_count_bad_interests(db_conn_t *c, const int64_t *ids, int n, int *bad)
{
    *bad = 0;
    for (int i = 0; i < n; i++) {
        int64_t count = 0;
        bool found = false;
        int rc = db_query_int(c, SQL_INTEREST_USABLE, DB_ARGS(db_int(ids[i])), &count, &found);
        if (rc != DB_OK)
            return rc;
        if (count == 0)
            (*bad)++;
    }
    return DB_OK;
}

/* The text of a JSON array column (PG jsonb or SQLite text) as an array;
 * anything unreadable becomes []. */
static json_t *json_array_column(const char *text)
{
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_array(arr))
        return arr;
    json_decref(arr);
    return json_array();
}

/* The profile and its active interests in one statement: a row per chosen
 * interest, its columns NULL when it is inactive (and one such row when
 * there are none). Plain LEFT JOINs: SQLite materialises a parenthesised
 * join over the whole table. */
static const char SQL_PROFILE[] =
    "SELECT p.user_id, p.name, p.phone_number, p.gender, p.bio, p.location, "
    "CAST(p.birth_date AS TEXT), p.profile_pictures, p.is_verified, u.is_active, p.created_at, "
    "p.updated_at, i.id, i.name, i.is_active, i.created_at, i.updated_at FROM user_profiles p "
    "JOIN users u ON u.id = p.user_id LEFT JOIN user_event_interests ui ON ui.user_id = "
    "p.user_id LEFT JOIN event_interests i ON i.id = ui.interest_id AND i.is_active WHERE "
    "p.user_id = $1 ORDER BY i.name, i.id";

static void interest_write(jw_t *w, db_rows_t *rows)
{
    if (db_col_isnull(rows, 12))
        return;
    jw_obj(w);
    jw_col_int(w, "id", rows, 12);
    jw_col_text(w, "name", rows, 13);
    jw_col_bool(w, "is_active", rows, 14);
    jw_col_time(w, "created_at", rows, 15);
    jw_col_time(w, "updated_at", rows, 16);
    jw_obj_end(w);
}

/* The profile object up to its interests (written row by row after it). */
static void profile_head(jw_t *w, db_rows_t *rows)
{
    static const char *const texts[] = {"name", "phone_number", "gender", "bio", "location"};
    jw_obj(w);
    jw_col_int(w, "id", rows, 0);
    for (int i = 0; i < 5; i++)
        jw_col_text(w, texts[i], rows, 1 + i);
    jw_col_text(w, "birth_date", rows, 6); /* NULL: null */
    jw_key(w, "event_interests");
    jw_arr(w);
}

/* What follows the interests; written from the first row. */
static void profile_tail(strbuf_t *sb, db_rows_t *rows)
{
    jw_t w;
    jw_init(&w, sb);
    jw_continue_object(&w);
    jw_col_array(&w, "profile_pictures", rows, 7);
    jw_col_bool(&w, "is_verified", rows, 8);
    jw_col_bool(&w, "is_active", rows, 9);
    jw_col_time(&w, "created_at", rows, 10);
    jw_col_time(&w, "updated_at", rows, 11);
    sb_putc(sb, '}');
}

int profile_write(db_conn_t *c, int64_t user_id, strbuf_t *out, int64_t *updated_at, bool *found)
{
    db_rows_t *rows;
    *found = false;
    int rc = db_query(c, SQL_PROFILE, DB_ARGS(db_int(user_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        jw_t w;
        strbuf_t tail;
        sb_init(&tail);
        jw_init(&w, out);
        profile_head(&w, rows);
        profile_tail(&tail, rows);
        *updated_at = db_col_time(rows, 11);
        do
            interest_write(&w, rows);
        while (db_next(rows));
        jw_arr_end(&w);
        sb_append(out, tail.data, tail.len);
        sb_free(&tail);
        *found = true;
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int profile_load(db_conn_t *c, int64_t user_id, json_t **out)
{
    strbuf_t sb;
    sb_init(&sb);
    int64_t updated = 0;
    bool found = false;
    *out = NULL;
    int rc = profile_write(c, user_id, &sb, &updated, &found);
    if (rc == DB_OK && found && !(*out = json_loadb(sb.data, sb.len, 0, NULL)))
        rc = DB_ERROR;
    sb_free(&sb);
    return rc;
}

static const char SQL_ACTIVE_INTERESTS[] =
    "SELECT id, name FROM event_interests WHERE is_active ORDER BY name, id";

int profile_list_interests(db_conn_t *c, json_t **out)
{
    *out = NULL;
    db_rows_t *rows;
    int rc = db_query(c, SQL_ACTIVE_INTERESTS, DB_NOARGS, &rows);
    if (rc != DB_OK)
        return rc;
    json_t *arr = json_array();
    while (db_next(rows))
        json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(rows, 0),
                                             "name", db_col_text(rows, 1)));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return DB_OK;
}

/* ---- writing -------------------------------------------------------------------
 * Both writes run through op_tx, which may run them again on DB_RETRY:
 * they touch nothing but the database (the audit row included) and recompute
 * their results from scratch on every run. */

static const char SQL_PROFILE_LOCK[] =
    "SELECT name, profile_pictures, updated_at FROM user_profiles WHERE user_id = $1 @FOR_UPDATE";

void profile_etag(int64_t user_id, int64_t updated_at, char out[64])
{
    snprintf(out, 64, "\"p%lld.%lld\"", (long long)user_id, (long long)updated_at);
}

/* Locks the profile row; *incomplete when it has no name or no picture;
 * *updated_at (may be NULL) its last change. */
static int profile_lock(db_conn_t *c, int64_t user_id, bool *found, bool *incomplete,
                        int64_t *updated_at)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_PROFILE_LOCK, DB_ARGS(db_int(user_id)), &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found) {
        json_t *pics = json_array_column(db_col_text(rows, 1));
        const char *name = db_col_text(rows, 0);
        *incomplete = !name || !name[0] || json_array_size(pics) == 0;
        json_decref(pics);
        if (updated_at)
            *updated_at = db_col_time(rows, 2);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static const char SQL_INTERESTS_CLEAR[] = "DELETE FROM user_event_interests WHERE user_id = $1";

/* Only an existing, active interest is inserted; both parameters sit next to
 * bigint columns so PostgreSQL infers their types. */
static const char SQL_INTEREST_ADD[] =
    "INSERT INTO user_event_interests (user_id, interest_id) SELECT p.user_id, i.id "
    "FROM user_profiles p, event_interests i WHERE p.user_id = $1 AND i.id = $2 AND i.is_active";

/* Replaces the user's interests; an id that is unknown or inactive (perhaps
 * deactivated since the caller checked) refuses the whole change. */
static err_t *interests_replace(op_t *op, int64_t user_id, const int64_t *ids, int n)
{
    int rc = db_exec(op->db, SQL_INTERESTS_CLEAR, DB_ARGS(db_int(user_id)), NULL);
    for (int i = 0; rc == DB_OK && i < n; i++) {
        int64_t added = 0;
        rc = db_exec(op->db, SQL_INTEREST_ADD, DB_ARGS(db_int(user_id), db_int(ids[i])), &added);
        if (rc == DB_OK && added != 1)
            return op_fail(op, 400, PROFILE_INVALID_INTERESTS,
                           "One or more event interest IDs are invalid or inactive");
    }
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static const char SQL_COMPLETE[] =
    "UPDATE user_profiles SET name = $2, birth_date = $3, gender = $4, bio = $5, location = $6, "
    "profile_pictures = $7, phone_number = $8, updated_at = $9 WHERE user_id = $1";
static const char SQL_USER_WAITLIST[] =
    "UPDATE users SET is_active = $2, updated_at = $3 WHERE id = $1";
static const char SQL_PROFILE_WAITLIST[] =
    "UPDATE user_profiles SET is_active = $2, waitlist_started_at = $3, waitlist_promote_at = $4 "
    "WHERE user_id = $1";

static int waitlist_enter(db_conn_t *c, const profile_completion_t *pc, int64_t now)
{
    int rc = db_exec(c, SQL_USER_WAITLIST,
                     DB_ARGS(db_int(pc->user_id), db_bool(false), db_time(now)), NULL);
    if (rc == DB_OK)
        rc = db_exec(
            c, SQL_PROFILE_WAITLIST,
            DB_ARGS(db_int(pc->user_id), db_bool(false), db_time(now), db_time(pc->promote_at_us)),
            NULL);
    return rc;
}

static err_t *complete_tx(op_t *op, void *arg)
{
    profile_completion_t *pc = arg;
    bool incomplete = false, found = false;
    pc->waitlisted = false;
    int rc = profile_lock(op->db, pc->user_id, &found, &incomplete, NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "PROFILE_NOT_FOUND", "User profile not found");
    rc = db_exec(op->db, SQL_COMPLETE,
                 DB_ARGS(db_int(pc->user_id), db_text(pc->name), db_text(pc->birth_date),
                         db_text(pc->gender), db_text(pc->bio), db_text(pc->location),
                         db_text(pc->pictures_json), db_text(pc->phone), db_time(op->now_us)),
                 NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    err_t *e = interests_replace(op, pc->user_id, pc->interests, pc->ninterests);
    if (e)
        return e;
    if (incomplete && (rc = waitlist_enter(op->db, pc, op->now_us)) != DB_OK)
        return op_db_fail(op, rc);
    pc->waitlisted = incomplete;
    notify_ref_t n = {.to = pc->user_id,
                      .key = "profile_completed",
                      .reference_type = "profile",
                      .reference_id = pc->user_id};
    if (incomplete && (rc = notify_template(op, &n, NULL, 0)) != DB_OK)
        return op_db_fail(op, rc);
    audit_entry_t a = {
        .actor_id = pc->user_id,
        .action = "profile.complete",
        .object_type = "profile",
        .object_id = pc->user_id,
        .payload = json_pack("{s:b, s:i, s:i}", "first_completion", incomplete, "pictures",
                             pc->npictures, "interests", pc->ninterests),
        .severity = AUDIT_LOW,
        .success = true,
    };
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *profile_complete(op_t *op, profile_completion_t *pc)
{
    err_t *e = op_tx(op, DB_TX_WRITE, complete_tx, pc);
    if (!e && pc->waitlisted) /* committed: the guard's cached account is out of date */
        db_notify_local(op->app->notify, "user:%lld", (long long)pc->user_id);
    return e;
}

static const char SQL_SET_NAME[] = "UPDATE user_profiles SET name = $2 WHERE user_id = $1";
static const char SQL_SET_BIO[] = "UPDATE user_profiles SET bio = $2 WHERE user_id = $1";
static const char SQL_SET_LOCATION[] = "UPDATE user_profiles SET location = $2 WHERE user_id = $1";
static const char SQL_SET_BIRTH[] = "UPDATE user_profiles SET birth_date = $2 WHERE user_id = $1";
static const char SQL_SET_GENDER[] = "UPDATE user_profiles SET gender = $2 WHERE user_id = $1";
static const char SQL_SET_PICTURES[] =
    "UPDATE user_profiles SET profile_pictures = $2 WHERE user_id = $1";
static const char SQL_SET_UPDATED[] = "UPDATE user_profiles SET updated_at = $2 WHERE user_id = $1";

/* Applies the present text fields one statement each (a handful of small
 * cached statements instead of 2^7 dynamic ones); names them in fields. */
static int update_fields(db_conn_t *c, const profile_update_t *pu, json_t *fields)
{
    const struct {
        bool present;
        const char *sql, *value, *field;
    } sets[] = {
        {pu->has_name, SQL_SET_NAME, pu->name, "name"},
        {pu->has_bio, SQL_SET_BIO, pu->bio, "bio"},
        {pu->has_location, SQL_SET_LOCATION, pu->location, "location"},
        {pu->has_birth_date, SQL_SET_BIRTH, pu->birth_date, "birth_date"},
        {pu->has_gender, SQL_SET_GENDER, pu->gender, "gender"},
        {pu->has_pictures, SQL_SET_PICTURES, pu->pictures_json, "profile_pictures"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        if (!sets[i].present)
            continue;
        int rc =
            db_exec(c, sets[i].sql, DB_ARGS(db_int(pu->user_id), db_text(sets[i].value)), NULL);
        if (rc != DB_OK)
            return rc;
        json_array_append_new(fields, json_string(sets[i].field));
    }
    return DB_OK;
}

static err_t *update_tx(op_t *op, void *arg)
{
    profile_update_t *pu = arg;
    bool incomplete = false, found = false;
    int64_t updated_at = 0;
    int rc = profile_lock(op->db, pu->user_id, &found, &incomplete, &updated_at);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "PROFILE_NOT_FOUND", "User profile not found");
    char tag[64];
    profile_etag(pu->user_id, updated_at, tag);
    if (pu->if_match && !text_etag_matches(pu->if_match, tag))
        return op_fail(op, 412, "PRECONDITION_FAILED",
                       "The profile changed since you read it (If-Match does not match its "
                       "ETag); read it again and retry.");
    json_t *fields = json_array();
    rc = update_fields(op->db, pu, fields);
    err_t *e = rc == DB_OK ? NULL : op_db_fail(op, rc);
    if (!e && pu->has_interests) {
        e = interests_replace(op, pu->user_id, pu->interests, pu->ninterests);
        json_array_append_new(fields, json_string("event_interests"));
    }
    if (!e && json_array_size(fields) > 0 &&
        (rc = db_exec(op->db, SQL_SET_UPDATED, DB_ARGS(db_int(pu->user_id), db_time(op->now_us)),
                      NULL)) != DB_OK)
        e = op_db_fail(op, rc);
    if (e || json_array_size(fields) == 0) {
        json_decref(fields);
        return e;
    }
    audit_entry_t a = {
        .actor_id = pu->user_id,
        .action = "profile.update",
        .object_type = "profile",
        .object_id = pu->user_id,
        .payload = json_pack("{s:o}", "fields", fields),
        .severity = AUDIT_LOW,
        .success = true,
    };
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *profile_update(op_t *op, profile_update_t *pu)
{
    return op_tx(op, DB_TX_WRITE, update_tx, pu);
}
