/*
 * profile.h: the customer profile (API.md section 3, docs/accounts.md):
 * the pure field rules shared by complete-profile and PUT /api/auth/profile,
 * the profile object as the API shows it, and the transactions that write
 * a profile. The HTTP side lives in profile_api.c.
 */
#ifndef LOOPIN_PROFILE_H
#define LOOPIN_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/strbuf.h"
#include "db/db.h"
#include "core/text.h"
#include "op.h"

#define PROFILE_MIN_AGE       16
#define PROFILE_NAME_MIN      2
#define PROFILE_NAME_MAX      100
#define PROFILE_BIO_MAX       500
#define PROFILE_LOCATION_MAX  100
#define PROFILE_MAX_PICTURES  6
#define PROFILE_MAX_INTERESTS 5
#define PROFILE_URL_MAX       2048

/* The code of profile_complete's and profile_update's refusal (an err_t
 * from inside the transaction) when an interest id is unknown or inactive. */
#define PROFILE_INVALID_INTERESTS "INVALID_INTERESTS"

/* Registers POST /api/auth/complete-profile, GET and PUT /api/auth/profile
 * and GET /api/auth/event-interests (profile_api.c). */
extern const struct module profile_module;

/* ---- pure rules (no database; unit-tested in tests/unit/test_profile.c) -- */

/* Checks a trimmed name: NULL when valid, else the contract's message
 * ("Name cannot be empty", "... at least 2 ...", "... at most 100 ...",
 * "Name contains invalid characters. ..."). */
const char *profile_name_error(const char *trimmed);

/* Parses a strict "YYYY-MM-DD" calendar date (year 0001-9999). */
bool profile_parse_date(const char *s, int *year, int *month, int *day);

/* Calendar age in whole years on the day (ty, tm, td); negative for a birth
 * date in the future. A 29 February birthday counts from 1 March in common
 * years. */
int profile_age_on(int by, int bm, int bd, int ty, int tm, int td);

/* Checks a birth date against today's UTC date taken from now_us: NULL when
 * valid, "Invalid date format. Use YYYY-MM-DD" or
 * "User must be 16 years or older". */
const char *profile_birth_date_error(const char *s, int64_t now_us);

/* The canonical lower-case gender ("male", "female", "other",
 * "prefer_not_to_say") for a case-insensitive match, else NULL. */
const char *profile_gender(const char *s);
extern const char PROFILE_GENDER_MESSAGE[];

typedef enum {
    INTERESTS_OK = 0,
    INTERESTS_FORMAT,   /* not a JSON array of integer ids */
    INTERESTS_EMPTY,    /* no ids */
    INTERESTS_TOO_MANY, /* more than 5 distinct ids */
} interests_status_t;

/* Reads a JSON array of positive integer ids into ids (duplicates collapse,
 * first-seen order kept). On INTERESTS_FORMAT *reason (may be NULL) says why. */
interests_status_t profile_interest_ids(const json_t *arr, int64_t ids[PROFILE_MAX_INTERESTS],
                                        int *n, const char **reason);
/* The same for the text of a form field such as "[1,2,3]". */
interests_status_t profile_parse_interests(const char *text, int64_t ids[PROFILE_MAX_INTERESTS],
                                           int *n, const char **reason);

/* An absolute http(s) URL: a domain whose last label is 2-6 letters,
 * "localhost" or a dotted IPv4 address; an optional port (1-65535); then
 * nothing, "/", or '/' or '?' followed by non-space characters. At most
 * PROFILE_URL_MAX bytes of printable ASCII. */
bool profile_picture_url_ok(const char *url);

/* ---- database ------------------------------------------------------------ */

/* Counts ids that are unknown or inactive (0: all usable). */
int profile_count_bad_interests(db_conn_t *c, const int64_t *ids, int n, int *bad);

/* The profile object of API.md section 3 for user_id; DB_OK with *out NULL
 * when the user has no profile. */
int profile_load(db_conn_t *c, int64_t user_id, json_t **out);
/* The same object written into out (core/jsonw, the hot read); *found false
 * (nothing written) when there is no profile; *updated_at for the ETag. */
int profile_write(db_conn_t *c, int64_t user_id, strbuf_t *out, int64_t *updated_at, bool *found);

/* Active interests ordered by name, as [{id, name}]. */
int profile_list_interests(db_conn_t *c, json_t **out);

/* Everything complete-profile writes, validated beforehand. */
typedef struct {
    int64_t user_id;
    const char *name, *birth_date, *gender, *bio, *location, *phone;
    const char *pictures_json; /* JSON array text of absolute URLs */
    int npictures;
    const int64_t *interests;
    int ninterests;
    int64_t promote_at_us;
    bool waitlisted; /* result: this call put the account on the waitlist */
} profile_completion_t;

/* One write transaction: profile fields, interests replaced, waitlist entry
 * on the first completion, audit "profile.complete". Refusals (nothing
 * written): 404 PROFILE_NOT_FOUND, 400 PROFILE_INVALID_INTERESTS. */
err_t *profile_complete(op_t *op, profile_completion_t *pc);

/* PUT /api/auth/profile: a field is applied only when its has_ flag is set.
 * NULL text means SQL NULL for birth_date; the other texts are never NULL. */
typedef struct {
    int64_t user_id;
    bool has_name, has_bio, has_location, has_birth_date, has_gender, has_pictures, has_interests;
    const char *name, *bio, *location, *birth_date, *gender, *pictures_json;
    const int64_t *interests;
    int ninterests;
    const char *if_match; /* the client's If-Match, or NULL */
} profile_update_t;

/* The strong validator of a profile's state: "p<user_id>.<updated_at>". */
void profile_etag(int64_t user_id, int64_t updated_at, char out[64]);

/* One write transaction (the row locked first, so concurrent updates apply
 * one after the other) plus audit "profile.update". Refusals as
 * profile_complete's, and 412 PRECONDITION_FAILED for a stale if_match. */
err_t *profile_update(op_t *op, profile_update_t *pu);

#endif
