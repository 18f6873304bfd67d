/*
 * profile_api.c: HTTP <-> profile for POST /api/auth/complete-profile
 * (multipart, all or nothing), GET and PUT /api/auth/profile (only ever the
 * caller's own profile) and GET /api/auth/event-interests. Rules and SQL are
 * in profile.c; the contract is docs/accounts.md.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/guard.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/rand.h"
#include "http/input.h"
#include "http/router.h"
#include "media/storage.h"
#include "profile/profile.h"

void profile_routes(router_t *r);

/* A database failure the handler cannot explain to the client: 503 when it
 * may pass (busy, timed out), 500 otherwise. Nothing when a response (e.g.
 * the pool's 503) is already written. */
static void reply_db_error(http_req_t *req, int rc)
{
    if (req->res.status != 0)
        return;
    log_msg(LOG_ERROR, "profile: database error", "route", req->route ? req->route->pattern : "",
            "error", req->db ? db_errmsg(req->db) : "", NULL);
    if (rc == DB_TIMEOUT || rc == DB_RETRY) {
        http_set_header(req, "Retry-After", "1");
        http_error(req, 503, "SERVICE_UNAVAILABLE", "The database is busy; please retry shortly");
        return;
    }
    http_error(req, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
}

/* AuthResponse {success, message, data, token}; data is stolen (may be NULL). */
static void reply_auth(http_req_t *req, bool success, const char *message, json_t *data,
                       const char *error_code)
{
    json_t *body = json_pack("{s:b, s:s, s:o?, s:n}", "success", success, "message", message,
                             "data", data, "token");
    if (error_code) {
        json_object_set_new(body, "error_code", json_string(error_code));
        req->res.error_code = error_code;
    }
    http_reply_json(req, 200, body);
}

/* ---- complete-profile: the form ------------------------------------------------ */

typedef struct {
    const char *name, *birth_date, *gender, *event_interests, *phone_number, *bio, *location;
    const http_file_t *files[32];
    int nfiles; /* profile_pictures parts (at most 32 are looked at) */
} completion_form_t;

/* A text field; FastAPI treats an empty form value as missing. Invalid UTF-8
 * is refused here so nothing later has to think about it. */
static const char *form_text(http_req_t *req, json_t *details, const char *field, bool required)
{
    const char *v = http_form(req, field);
    if (!v || !v[0]) {
        if (required)
            http_detail_add(details, "missing", "body", field, "Field required", NULL);
        return NULL;
    }
    if (profile_utf8_length(v) < 0) {
        http_detail_add(details, "string_unicode", "body", field,
                        "Input should be a valid string, unable to parse raw data as a unicode "
                        "string",
                        NULL);
        return NULL;
    }
    return v;
}

/* 0, or -1 with the 422 written. */
static int read_completion_form(http_req_t *req, completion_form_t *f)
{
    json_t *details = json_array();
    memset(f, 0, sizeof *f);
    f->name = form_text(req, details, "name", true);
    f->birth_date = form_text(req, details, "birth_date", true);
    f->gender = form_text(req, details, "gender", true);
    f->event_interests = form_text(req, details, "event_interests", true);
    f->phone_number = form_text(req, details, "phone_number", true);
    f->bio = form_text(req, details, "bio", false);
    f->location = form_text(req, details, "location", false);
    for (int i = 0; i < req->nfiles; i++) {
        if (strcmp(req->files[i].field, "profile_pictures") != 0)
            continue;
        if (f->nfiles < (int)(sizeof f->files / sizeof f->files[0]))
            f->files[f->nfiles] = &req->files[i];
        f->nfiles++;
    }
    if (f->nfiles == 0)
        http_detail_add(details, "missing", "body", "profile_pictures", "Field required", NULL);
    return input_finish(req, details);
}

/* ---- complete-profile: the rules, in the documented order ---------------------- */

typedef struct {
    const char *name, *gender, *bio, *location, *birth_date;
    int64_t interests[PROFILE_MAX_INTERESTS];
    int ninterests;
    image_type_t types[PROFILE_MAX_PICTURES];
} completion_t;

/* The field rules that need no database: NULL, or the failure message. */
static const char *check_fields(http_req_t *req, const auth_user_t *user,
                                const completion_form_t *f, completion_t *out)
{
    char phone[17];
    if (!phone_normalize(f->phone_number, phone) || strcmp(phone, user->phone) != 0)
        return "Phone number does not match authenticated user.";
    out->name = profile_trim(&req->arena, f->name);
    const char *err = profile_name_error(out->name);
    if (!err)
        err = profile_birth_date_error(f->birth_date, clock_now_us());
    if (err)
        return err;
    out->birth_date = f->birth_date;
    out->gender = profile_gender(f->gender);
    if (!out->gender)
        return PROFILE_GENDER_MESSAGE;
    if (f->nfiles < 1)
        return "At least one profile picture is required";
    if (f->nfiles > PROFILE_MAX_PICTURES)
        return "Maximum 6 profile pictures allowed";
    const char *why = "";
    switch (profile_parse_interests(f->event_interests, out->interests, &out->ninterests, &why)) {
    case INTERESTS_OK:
        break;
    case INTERESTS_EMPTY:
        return "At least one event interest is required";
    case INTERESTS_TOO_MANY:
        return "Maximum 5 event interests allowed";
    case INTERESTS_FORMAT:
    default:
        return arena_printf(&req->arena, "Invalid event_interests format: %s. Expected JSON array.",
                            why);
    }
    out->bio = profile_trim(&req->arena, f->bio ? f->bio : "");
    out->location = profile_trim(&req->arena, f->location ? f->location : "");
    if (profile_utf8_length(out->bio) > PROFILE_BIO_MAX)
        return "Bio must be at most 500 characters";
    if (profile_utf8_length(out->location) > PROFILE_LOCATION_MAX)
        return "Location must be at most 100 characters";
    return NULL;
}

static const char *interests_failure(http_req_t *req, int bad)
{
    return arena_printf(&req->arena,
                        "One or more selected event interests (%d) are invalid or inactive. "
                        "Please select from available interests.",
                        bad);
}

/* Interests in the database, then every picture's type, extension, size and
 * content. NULL, a failure message, or "" with a response already written. */
static const char *check_stored_rules(http_req_t *req, const completion_form_t *f,
                                      completion_t *out)
{
    db_conn_t *c = http_db(req);
    if (!c)
        return "";
    int bad = 0;
    int rc = profile_count_bad_interests(c, out->interests, out->ninterests, &bad);
    if (rc != DB_OK) {
        reply_db_error(req, rc);
        return "";
    }
    if (bad > 0)
        return interests_failure(req, bad);
    int failed = 0;
    for (int i = 0; i < f->nfiles; i++)
        if (image_check(f->files[i], &out->types[i]) != IMAGE_OK)
            failed++;
    if (failed > 0)
        return arena_printf(&req->arena,
                            "Failed to upload %d file(s). Please check file formats and sizes.",
                            failed);
    return NULL;
}

/* ---- complete-profile: storing ------------------------------------------------ */

typedef struct {
    const char *keys[PROFILE_MAX_PICTURES];
    int nkeys;
    json_t *urls; /* owned */
} stored_t;

static void stored_discard(http_req_t *req, stored_t *st)
{
    for (int i = 0; i < st->nkeys; i++)
        storage_delete(req->app->storage, st->keys[i]);
    st->nkeys = 0;
}

/* Stores every picture; on any failure removes the ones already stored. */
static int store_pictures(http_req_t *req, const completion_form_t *f, const completion_t *cp,
                          stored_t *st)
{
    st->nkeys = 0;
    st->urls = json_array();
    for (int i = 0; i < f->nfiles; i++) {
        const char *key, *url;
        if (storage_put(req->app->storage, &req->arena, "profiles", f->files[i]->data,
                        f->files[i]->size, image_ext(cp->types[i]), &key, &url) != 0) {
            stored_discard(req, st);
            return -1;
        }
        st->keys[st->nkeys++] = key;
        json_array_append_new(st->urls, json_string(url));
    }
    return 0;
}

static int64_t waitlist_promote_at(const config_t *cfg, int64_t now)
{
    uint32_t span = (uint32_t)(cfg->waitlist_max_minutes - cfg->waitlist_min_minutes) + 1;
    int64_t minutes = cfg->waitlist_min_minutes + (int64_t)rand_uniform(span);
    return now + minutes * 60 * USEC_PER_SEC;
}

static void reply_completed(http_req_t *req, const profile_completion_t *pc, json_t *urls)
{
    json_t *data = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:i, s:i, s:b, s:O}", "user_id", (json_int_t)pc->user_id,
        "profile_id", (json_int_t)pc->user_id, "name", pc->name, "phone_number", pc->phone,
        "gender", pc->gender, "event_interests_count", pc->ninterests, "profile_pictures_count",
        pc->npictures, "profile_complete", true, "profile_pictures", urls);
    reply_auth(req, true, "Profile completed successfully. You can now use the app!", data, NULL);
}

/* Runs the transaction; any failure removes the stored files again. */
static void complete_write(http_req_t *req, const auth_user_t *user, const completion_t *cp,
                           stored_t *st)
{
    char *pictures = json_dumps(st->urls, JSON_COMPACT);
    int64_t now = clock_now_us();
    profile_completion_t pc = {
        .user_id = user->id, .name = cp->name, .birth_date = cp->birth_date,
        .gender = cp->gender, .bio = cp->bio, .location = cp->location, .phone = user->phone,
        .pictures_json = pictures, .npictures = st->nkeys, .interests = cp->interests,
        .ninterests = cp->ninterests, .now_us = now,
        .promote_at_us = waitlist_promote_at(&req->app->cfg, now)};
    int rc = pictures ? profile_complete(req->db, req, &pc) : DB_ERROR;
    free(pictures);
    if (rc == DB_OK && pc.found) {
        reply_completed(req, &pc, st->urls);
        return;
    }
    stored_discard(req, st);
    if (rc == PROFILE_BAD_INTERESTS) {
        /* an interest was deactivated since the check: count again */
        int bad = 0;
        if (profile_count_bad_interests(req->db, cp->interests, cp->ninterests, &bad) != DB_OK ||
            bad == 0)
            bad = 1;
        reply_auth(req, false, interests_failure(req, bad), NULL, "VALIDATION_FAILED");
    }
    else if (rc == DB_OK)
        reply_auth(req, false, "User profile not found. Please contact support.", NULL,
                   "PROFILE_NOT_FOUND");
    else
        reply_db_error(req, rc);
}

/* POST /api/auth/complete-profile */
static void complete_profile(http_req_t *req)
{
    auth_user_t user;
    completion_form_t f;
    completion_t cp;
    memset(&cp, 0, sizeof cp);
    if (guard_require(req, GUARD_ALLOW_WAITLISTED, &user) != 0 ||
        read_completion_form(req, &f) != 0)
        return;
    const char *failure = check_fields(req, &user, &f, &cp);
    if (!failure)
        failure = check_stored_rules(req, &f, &cp);
    if (failure) {
        if (failure[0])
            reply_auth(req, false, failure, NULL, "VALIDATION_FAILED");
        return;
    }
    stored_t st;
    if (store_pictures(req, &f, &cp, &st) != 0) {
        json_decref(st.urls);
        http_error(req, 500, "MEDIA_STORE_FAILED",
                   "Could not store the uploaded pictures. Please try again.");
        return;
    }
    complete_write(req, &user, &cp, &st);
    json_decref(st.urls);
}
