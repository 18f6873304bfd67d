/*
 * profile_api.c: HTTP <-> profile for POST /api/auth/complete-profile
 * (multipart, all or nothing), GET and PUT /api/auth/profile (only ever the
 * caller's own profile) and GET /api/auth/event-interests. Rules and SQL are
 * in profile.c; the contract is docs/accounts.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/guard_legacy.h"
#include "core/clock.h"
#include "core/phone.h"
#include "core/rand.h"
#include "http/input.h"
#include "http/router.h"
#include "media/storage.h"
#include "profile/profile.h"
#include "module.h"

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
            err_detail_add(details, "missing", "body", field, "Field required", NULL);
        return NULL;
    }
    if (text_utf8_length(v) < 0) {
        err_detail_add(details, "string_unicode", "body", field,
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
        err_detail_add(details, "missing", "body", "profile_pictures", "Field required", NULL);
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
static const char *check_fields(http_req_t *req, const actor_t *user, const completion_form_t *f,
                                completion_t *out)
{
    char phone[17];
    if (!phone_normalize(f->phone_number, phone) || strcmp(phone, user->phone) != 0)
        return "Phone number does not match authenticated user.";
    out->name = text_trim(&req->arena, f->name);
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
    out->bio = text_trim(&req->arena, f->bio ? f->bio : "");
    out->location = text_trim(&req->arena, f->location ? f->location : "");
    if (text_utf8_length(out->bio) > PROFILE_BIO_MAX)
        return "Bio must be at most 500 characters";
    if (text_utf8_length(out->location) > PROFILE_LOCATION_MAX)
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
        http_db_error(req, rc, NULL);
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
    json_t *data = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:i, s:b, s:O}", "user_id",
                             (json_int_t)pc->user_id, "profile_id", (json_int_t)pc->user_id, "name",
                             pc->name, "phone_number", pc->phone, "gender", pc->gender,
                             "event_interests_count", pc->ninterests, "profile_pictures_count",
                             pc->npictures, "profile_complete", true, "profile_pictures", urls);
    auth_reply(req, 200, true, "Profile completed successfully. You can now use the app!", data,
               NULL, NULL);
}

/* Runs the transaction; any failure removes the stored files again. */
static void complete_write(http_req_t *req, const actor_t *user, const completion_t *cp,
                           stored_t *st)
{
    char *pictures = json_dumps(st->urls, JSON_COMPACT);
    int64_t now = clock_now_us();
    profile_completion_t pc = {.user_id = user->id,
                               .name = cp->name,
                               .birth_date = cp->birth_date,
                               .gender = cp->gender,
                               .bio = cp->bio,
                               .location = cp->location,
                               .phone = user->phone,
                               .pictures_json = pictures,
                               .npictures = st->nkeys,
                               .interests = cp->interests,
                               .ninterests = cp->ninterests,
                               .now_us = now,
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
        auth_reply(req, 200, false, interests_failure(req, bad), NULL, NULL, "VALIDATION_FAILED");
    } else if (rc == DB_OK)
        auth_reply(req, 200, false, "User profile not found. Please contact support.", NULL, NULL,
                   "PROFILE_NOT_FOUND");
    else
        http_db_error(req, rc, NULL);
}

/* POST /api/auth/complete-profile */
static void complete_profile(http_req_t *req)
{
    actor_t user;
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
            auth_reply(req, 200, false, failure, NULL, NULL, "VALIDATION_FAILED");
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

/* ---- GET /api/auth/profile ------------------------------------------------------ */

/* Writes the caller's profile object (200) or the 404. */
static void reply_profile(http_req_t *req, int64_t user_id)
{
    json_t *obj = NULL;
    int rc = profile_load(req->db, user_id, &obj);
    if (rc != DB_OK)
        http_db_error(req, rc, NULL);
    else if (!obj)
        http_error(req, 404, "PROFILE_NOT_FOUND", "User profile not found");
    else
        http_reply_json(req, 200, obj);
}

static void get_profile(http_req_t *req)
{
    actor_t user;
    if (guard_require(req, GUARD_ALLOW_WAITLISTED, &user) != 0)
        return;
    reply_profile(req, user.id);
}

/* ---- PUT /api/auth/profile: one reader per field ----------------------------------
 * Each reader looks at one key: absent means "leave it", a bad value adds
 * one 422 detail for that field. Null handling follows API.md's table. */

static void detail(json_t *details, const char *type, const char *field, const char *msg,
                   json_t *input)
{
    err_detail_add(details, type, "body", field, msg, json_incref(input));
}

static void put_name(http_req_t *req, json_t *body, json_t *details, profile_update_t *pu)
{
    json_t *v = json_object_get(body, "name");
    if (!v)
        return;
    if (!json_is_string(v)) {
        detail(details, "string_type", "name", "Input should be a valid string", v);
        return;
    }
    pu->name = text_trim(&req->arena, json_string_value(v));
    const char *err = profile_name_error(pu->name);
    if (err)
        input_value_error(details, body, "name", err);
    pu->has_name = !err;
}

/* bio and location: a string of at most max characters; null means ''. */
static void put_text(json_t *body, json_t *details, const char *field, long max, bool *has,
                     const char **out)
{
    json_t *v = json_object_get(body, field);
    if (!v)
        return;
    if (!json_is_null(v) && !json_is_string(v)) {
        detail(details, "string_type", field, "Input should be a valid string", v);
        return;
    }
    const char *s = json_is_null(v) ? "" : json_string_value(v);
    if (text_utf8_length(s) > max) {
        char msg[64];
        snprintf(msg, sizeof msg, "String should have at most %ld characters", max);
        detail(details, "string_too_long", field, msg, v);
        return;
    }
    *has = true;
    *out = s;
}

static void put_birth_date(json_t *body, json_t *details, profile_update_t *pu)
{
    json_t *v = json_object_get(body, "birth_date");
    if (!v)
        return;
    if (!json_is_null(v) && !json_is_string(v)) {
        detail(details, "date_type", "birth_date", "Input should be a valid date", v);
        return;
    }
    const char *s = json_is_null(v) ? NULL : json_string_value(v);
    const char *err = s ? profile_birth_date_error(s, pu->now_us) : NULL;
    if (err) {
        input_value_error(details, body, "birth_date", err);
        return;
    }
    pu->has_birth_date = true;
    pu->birth_date = s;
}

static void put_gender(json_t *body, json_t *details, profile_update_t *pu)
{
    json_t *v = json_object_get(body, "gender");
    if (!v)
        return;
    if (!json_is_null(v) && !json_is_string(v)) {
        detail(details, "string_type", "gender", "Input should be a valid string", v);
        return;
    }
    const char *g = json_is_null(v) ? "" : profile_gender(json_string_value(v));
    if (!g) {
        input_value_error(details, body, "gender", PROFILE_GENDER_MESSAGE);
        return;
    }
    pu->has_gender = true;
    pu->gender = g;
}

/* Shared by both list fields: an array of min..max items, else a detail. */
static bool list_size_ok(json_t *details, const char *field, json_t *v, size_t count, size_t max)
{
    char msg[96];
    if (!json_is_array(v)) {
        detail(details, "list_type", field, "Input should be a valid list", v);
        return false;
    }
    if (count < 1 || count > max) {
        snprintf(msg, sizeof msg, "List should have at %s %zu item%s after validation, not %zu",
                 count < 1 ? "least" : "most", count < 1 ? (size_t)1 : max, count < 1 ? "" : "s",
                 count);
        detail(details, count < 1 ? "too_short" : "too_long", field, msg, v);
        return false;
    }
    return true;
}

static void put_interests(json_t *body, json_t *details, profile_update_t *pu, int64_t *ids)
{
    json_t *v = json_object_get(body, "event_interests");
    if (!v)
        return;
    int n = 0;
    interests_status_t st = profile_interest_ids(v, ids, &n, NULL);
    if (st == INTERESTS_FORMAT && json_is_array(v)) {
        detail(details, "int_type", "event_interests", "Input should be a valid integer", v);
        return;
    }
    /* counted after duplicates collapse; past the limit, the items as sent */
    size_t count = st == INTERESTS_TOO_MANY ? json_array_size(v) : (size_t)n;
    if (!list_size_ok(details, "event_interests", v, count, PROFILE_MAX_INTERESTS))
        return;
    pu->has_interests = true;
    pu->interests = ids;
    pu->ninterests = n;
}

/* On success *owned is the list as JSON text (the caller frees it). */
static void put_pictures(json_t *body, json_t *details, profile_update_t *pu, char **owned)
{
    json_t *v = json_object_get(body, "profile_pictures");
    if (!v ||
        !list_size_ok(details, "profile_pictures", v, json_array_size(v), PROFILE_MAX_PICTURES))
        return;
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *url = json_array_get(v, i);
        if (!json_is_string(url)) {
            detail(details, "string_type", "profile_pictures", "Input should be a valid string", v);
            return;
        }
        if (!profile_picture_url_ok(json_string_value(url))) {
            input_value_error(details, body, "profile_pictures",
                              "Each profile picture must be an http(s) URL with a valid domain, "
                              "localhost or IPv4 host");
            return;
        }
    }
    *owned = json_dumps(v, JSON_COMPACT);
    pu->has_pictures = *owned != NULL;
    pu->pictures_json = *owned;
}

/* PUT /api/auth/profile */
static void put_profile(http_req_t *req)
{
    actor_t user;
    if (guard_require(req, GUARD_ALLOW_WAITLISTED, &user) != 0)
        return;
    json_t *body = input_object(req);
    if (!body)
        return;
    profile_update_t pu = {.user_id = user.id, .now_us = clock_now_us()};
    int64_t ids[PROFILE_MAX_INTERESTS];
    json_t *details = json_array();
    put_name(req, body, details, &pu);
    put_text(body, details, "bio", PROFILE_BIO_MAX, &pu.has_bio, &pu.bio);
    put_text(body, details, "location", PROFILE_LOCATION_MAX, &pu.has_location, &pu.location);
    put_birth_date(body, details, &pu);
    put_gender(body, details, &pu);
    put_interests(body, details, &pu, ids);
    char *pictures = NULL;
    put_pictures(body, details, &pu, &pictures);
    if (input_finish(req, details) != 0) {
        free(pictures);
        return;
    }
    int rc = profile_update(req->db, req, &pu);
    free(pictures);
    if (rc == PROFILE_BAD_INTERESTS)
        http_error(req, 400, "INVALID_INTERESTS",
                   "One or more event interest IDs are invalid or inactive");
    else if (rc != DB_OK)
        http_db_error(req, rc, NULL);
    else if (!pu.found)
        http_error(req, 404, "PROFILE_NOT_FOUND", "User profile not found");
    else
        reply_profile(req, user.id);
}

/* GET /api/auth/event-interests: active accounts only, no promotion attempt. */
static void list_event_interests(http_req_t *req)
{
    actor_t user;
    if (guard_require(req, GUARD_ALLOW_WAITLISTED | GUARD_NO_PROMOTION, &user) != 0)
        return;
    if (!user.is_active) {
        http_error(req, 403, "INACTIVE_USER", "Inactive user");
        return;
    }
    json_t *list = NULL;
    int rc = profile_list_interests(req->db, &list);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return;
    }
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:o}", "success", true, "message",
                              "Event interests retrieved successfully", "data", list));
}

static void profile_routes(router_t *r)
{
    router_add(r, HTTP_POST, "/api/auth/complete-profile", complete_profile, BODY_MULTIPART, false);
    router_add(r, HTTP_GET, "/api/auth/profile", get_profile, BODY_NONE, false);
    router_add(r, HTTP_PUT, "/api/auth/profile", put_profile, BODY_JSON, false);
    router_add(r, HTTP_GET, "/api/auth/event-interests", list_event_interests, BODY_NONE, false);
}

const module_t profile_module = {.name = "profile", .legacy_routes = profile_routes};
