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
#include "core/clock.h"
#include "core/phone.h"
#include "core/rand.h"
#include "media/storage.h"
#include "profile/profile.h"
#include "module.h"

/* ---- complete-profile: the rules, in the documented order ------------------ */

typedef struct {
    const char *name, *gender, *bio, *location, *birth_date;
    int64_t interests[PROFILE_MAX_INTERESTS];
    int ninterests;
    image_type_t types[PROFILE_MAX_PICTURES];
    const http_file_t *const *files;
    int nfiles;
} completion_t;

/* A business refusal of complete-profile: 200 {success:false} (AuthResponse). */
static err_t *refuse(op_t *op, const char *code, const char *message)
{
    return op_fail(op, 200, code, "%s", message);
}

/* The field rules that need no database: NULL, or the failure message. */
static const char *check_fields(op_t *op, const input_t *in, completion_t *out)
{
    char phone[17];
    if (!phone_normalize(in_str(in, "phone_number"), phone) || strcmp(phone, op->actor.phone) != 0)
        return "Phone number does not match authenticated user.";
    out->name = text_trim(op->arena, in_str(in, "name"));
    const char *err = profile_name_error(out->name);
    if (!err)
        err = profile_birth_date_error(in_str(in, "birth_date"), op->now_us);
    if (err)
        return err;
    out->birth_date = in_str(in, "birth_date");
    out->gender = profile_gender(in_str(in, "gender"));
    if (!out->gender)
        return PROFILE_GENDER_MESSAGE;
    if (out->nfiles > PROFILE_MAX_PICTURES)
        return "Maximum 6 profile pictures allowed";
    const char *why = "";
    switch (profile_parse_interests(in_str(in, "event_interests"), out->interests, &out->ninterests,
                                    &why)) {
    case INTERESTS_OK:
        break;
    case INTERESTS_EMPTY:
        return "At least one event interest is required";
    case INTERESTS_TOO_MANY:
        return "Maximum 5 event interests allowed";
    case INTERESTS_FORMAT:
    default:
        return arena_printf(op->arena, "Invalid event_interests format: %s. Expected JSON array.",
                            why);
    }
    out->bio = text_trim(op->arena, in_str(in, "bio") ? in_str(in, "bio") : "");
    out->location = text_trim(op->arena, in_str(in, "location") ? in_str(in, "location") : "");
    if (text_utf8_length(out->bio) > PROFILE_BIO_MAX)
        return "Bio must be at most 500 characters";
    if (text_utf8_length(out->location) > PROFILE_LOCATION_MAX)
        return "Location must be at most 100 characters";
    return NULL;
}

static err_t *interests_failure(op_t *op, int bad)
{
    return refuse(op, "VALIDATION_FAILED",
                  arena_printf(op->arena,
                               "One or more selected event interests (%d) are invalid or "
                               "inactive. Please select from available interests.",
                               bad));
}

/* Interests in the database, then every picture's type, extension, size and
 * content. */
static err_t *check_stored_rules(op_t *op, completion_t *cp)
{
    int bad = 0;
    int rc = profile_count_bad_interests(op->db, cp->interests, cp->ninterests, &bad);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (bad > 0)
        return interests_failure(op, bad);
    int failed = 0;
    for (int i = 0; i < cp->nfiles; i++)
        if (image_check(cp->files[i], &cp->types[i]) != IMAGE_OK)
            failed++;
    if (failed > 0)
        return refuse(op, "VALIDATION_FAILED",
                      arena_printf(op->arena,
                                   "Failed to upload %d file(s). Please check file formats and "
                                   "sizes.",
                                   failed));
    return NULL;
}

/* ---- complete-profile: storing ------------------------------------------------ */

typedef struct {
    const char *keys[PROFILE_MAX_PICTURES];
    int nkeys;
    json_t *urls; /* owned */
} stored_t;

/* Stores every picture. What a failed request stored stays: objects are
 * named by content and may be another record's, and a retry finds them. */
static err_t *store_pictures(op_t *op, const completion_t *cp, stored_t *st)
{
    st->nkeys = 0;
    st->urls = json_array();
    for (int i = 0; i < cp->nfiles; i++) {
        const char *key, *url;
        if (storage_put(op->app->storage, op->arena, "profiles", cp->files[i]->data,
                        cp->files[i]->size, image_ext(cp->types[i]), &key, &url) != 0)
            return op_fail(op, 500, "MEDIA_STORE_FAILED",
                           "Could not store the uploaded pictures. Please try again.");
        st->keys[st->nkeys++] = key;
        json_array_append_new(st->urls, json_string(url));
    }
    return NULL;
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
    auth_reply_ok(req, "Profile completed successfully. You can now use the app!", data, NULL);
}

/* The transaction's refusals in complete-profile's words. */
static err_t *completion_refusal(op_t *op, const completion_t *cp, err_t *e)
{
    if (strcmp(e->code, PROFILE_INVALID_INTERESTS) == 0) {
        /* an interest was deactivated since the check: count again */
        int bad = 0;
        if (profile_count_bad_interests(op->db, cp->interests, cp->ninterests, &bad) != DB_OK ||
            bad == 0)
            bad = 1;
        return interests_failure(op, bad);
    }
    if (strcmp(e->code, "PROFILE_NOT_FOUND") == 0)
        return refuse(op, "PROFILE_NOT_FOUND", "User profile not found. Please contact support.");
    return e;
}

/* Runs the transaction; any failure removes the stored files again. */
static err_t *complete_write(http_req_t *req, op_t *op, const completion_t *cp, stored_t *st)
{
    char *pictures = json_dumps(st->urls, JSON_COMPACT);
    if (!pictures)
        abort();
    profile_completion_t pc = {.user_id = op->actor.id,
                               .name = cp->name,
                               .birth_date = cp->birth_date,
                               .gender = cp->gender,
                               .bio = cp->bio,
                               .location = cp->location,
                               .phone = op->actor.phone,
                               .pictures_json = arena_strdup(op->arena, pictures),
                               .npictures = st->nkeys,
                               .interests = cp->interests,
                               .ninterests = cp->ninterests,
                               .promote_at_us = waitlist_promote_at(&op->app->cfg, op->now_us)};
    free(pictures);
    err_t *e = profile_complete(op, &pc);
    if (!e) {
        reply_completed(req, &pc, st->urls);
        return NULL;
    }
    return completion_refusal(op, cp, e);
}

/* POST /api/auth/complete-profile */
static err_t *complete_profile(http_req_t *req, op_t *op, const input_t *in)
{
    completion_t cp = {0};
    cp.files = in_files(in, "profile_pictures", &cp.nfiles);
    const char *failure = check_fields(op, in, &cp);
    if (failure)
        return refuse(op, "VALIDATION_FAILED", failure);
    err_t *e = check_stored_rules(op, &cp);
    if (e)
        return e;
    stored_t st = {0};
    e = store_pictures(op, &cp, &st);
    if (!e)
        e = complete_write(req, op, &cp, &st);
    json_decref(st.urls);
    return e;
}

/* ---- GET /api/auth/profile ------------------------------------------------------ */

/* Writes the caller's profile object (200), or the 404. */
static err_t *reply_profile(http_req_t *req, op_t *op)
{
    strbuf_t body;
    sb_init(&body);
    int64_t updated = 0;
    bool found = false;
    int rc = profile_write(op->db, op->actor.id, &body, &updated, &found);
    if (rc != DB_OK || !found) {
        sb_free(&body);
        return rc != DB_OK ? op_db_fail(op, rc)
                           : op_fail(op, 404, "PROFILE_NOT_FOUND", "User profile not found");
    }
    char tag[64];
    profile_etag(op->actor.id, updated, tag);
    http_set_header(req, "ETag", tag);
    http_reply_json_buf(req, 200, &body);
    return NULL;
}

static err_t *get_profile(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return reply_profile(req, op);
}

/* ---- PUT /api/auth/profile: the field rules of API.md's table ---------------- */

static const char *name_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)type;
    const char *name = text_trim(a, json_string_value(v));
    const char *err = profile_name_error(name);
    if (!err)
        *out = json_string(name);
    return err;
}

static const char *birth_date_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    if (!json_is_string(v)) {
        *type = "date_type";
        return "Input should be a valid date";
    }
    return profile_birth_date_error(json_string_value(v), clock_now_us());
}

static const char *gender_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    const char *g = profile_gender(json_string_value(v));
    if (!g)
        return PROFILE_GENDER_MESSAGE;
    *out = json_string(g);
    return NULL;
}

/* Ids of active interests: integers, duplicates collapsed, then 1-5 of them
 * (so the count is after collapsing, and the type error comes first). */
static const char *interests_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    int64_t ids[PROFILE_MAX_INTERESTS];
    int n = 0;
    interests_status_t st = profile_interest_ids(v, ids, &n, NULL);
    if (st == INTERESTS_FORMAT) {
        *type = "int_type";
        return "Input should be a valid integer";
    }
    size_t count = st == INTERESTS_TOO_MANY ? json_array_size(v) : (size_t)n;
    if (count < 1 || count > PROFILE_MAX_INTERESTS) {
        *type = count < 1 ? "too_short" : "too_long";
        return count < 1 ? arena_printf(a,
                                        "List should have at least 1 item after validation, "
                                        "not %zu",
                                        count)
                         : arena_printf(a,
                                        "List should have at most %d items after validation, "
                                        "not %zu",
                                        PROFILE_MAX_INTERESTS, count);
    }
    *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*out, json_integer(ids[i]));
    return NULL;
}

static const char *pictures_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *url = json_array_get(v, i);
        if (!json_is_string(url)) {
            *type = "string_type";
            return "Input should be a valid string";
        }
        if (!profile_picture_url_ok(json_string_value(url)))
            return "Each profile picture must be an http(s) URL with a valid domain, localhost "
                   "or IPv4 host";
    }
    return NULL;
}

/* Text fields where null means '' (API.md's table). */
static void put_text(const input_t *in, const char *field, bool *has, const char **out)
{
    *has = in_has(in, field);
    *out = in_str(in, field) ? in_str(in, field) : "";
}

/* PUT /api/auth/profile */
static err_t *put_profile(http_req_t *req, op_t *op, const input_t *in)
{
    profile_update_t pu = {.user_id = op->actor.id, .if_match = http_header(req, "If-Match")};
    pu.has_name = in_has(in, "name");
    pu.name = in_str(in, "name");
    put_text(in, "bio", &pu.has_bio, &pu.bio);
    put_text(in, "location", &pu.has_location, &pu.location);
    put_text(in, "gender", &pu.has_gender, &pu.gender);
    pu.has_birth_date = in_has(in, "birth_date");
    pu.birth_date = in_str(in, "birth_date"); /* NULL clears it */
    int64_t ids[PROFILE_MAX_INTERESTS];
    json_t *interests = in_json(in, "event_interests");
    pu.has_interests = interests != NULL;
    for (size_t i = 0; interests && i < json_array_size(interests); i++)
        ids[pu.ninterests++] = json_integer_value(json_array_get(interests, i));
    pu.interests = ids;
    json_t *pictures = in_json(in, "profile_pictures");
    char *text = pictures ? json_dumps(pictures, JSON_COMPACT) : NULL;
    pu.has_pictures = text != NULL;
    pu.pictures_json = text ? arena_strdup(op->arena, text) : NULL;
    free(text);
    err_t *e = profile_update(op, &pu);
    return e ? e : reply_profile(req, op);
}

/* GET /api/auth/event-interests: active accounts only, no promotion attempt. */
static err_t *list_event_interests(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    if (!op->actor.is_active)
        return op_fail(op, 403, "INACTIVE_USER", "Inactive user");
    json_t *list = NULL;
    int rc = profile_list_interests(op->db, &list);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:o}", "success", true, "message",
                              "Event interests retrieved successfully", "data", list));
    return NULL;
}

/* ---- the route table -------------------------------------------------------------- */

/* FastAPI treats an empty form value as missing. */
#define FORM_TEXT(name, flags)                                                                     \
    {                                                                                              \
        name, FT_STRING, (flags) | F_EMPTY_ABSENT, .in = FIELD_BODY                                \
    }

static const field_t completion_fields[] = {
    FORM_TEXT("name", F_REQUIRED),
    FORM_TEXT("birth_date", F_REQUIRED),
    FORM_TEXT("gender", F_REQUIRED),
    FORM_TEXT("event_interests", F_REQUIRED),
    FORM_TEXT("phone_number", F_REQUIRED),
    FORM_TEXT("bio", 0),
    FORM_TEXT("location", 0),
    {"profile_pictures", FT_FILES, F_REQUIRED, .in = FIELD_BODY},
    FIELDS_END,
};

static const field_t update_fields[] = {
    {"name", FT_STRING, 0, .check = name_check},
    {"bio", FT_STRING, F_NULLABLE, .max_len = PROFILE_BIO_MAX},
    {"location", FT_STRING, F_NULLABLE, .max_len = PROFILE_LOCATION_MAX},
    {"birth_date", FT_ANY, F_NULLABLE, .check = birth_date_check},
    {"gender", FT_STRING, F_NULLABLE, .check = gender_check},
    {"event_interests", FT_LIST, 0, .check = interests_check},
    {"profile_pictures", FT_LIST, 0, .min_len = 1, .max_len = PROFILE_MAX_PICTURES,
     .check = pictures_check},
    FIELDS_END,
};

/* Every profile route is the caller's own profile, waitlisted accounts too. */
static const route_def_t profile_routes[] = {
    {.method = HTTP_POST,
     .pattern = "/api/auth/complete-profile",
     .handler = complete_profile,
     .auth = AUTH_SIGNED_IN,
     .body = BODY_MULTIPART,
     .fields = completion_fields,
     .envelope = ENVELOPE_AUTH,
     .tag = "accounts"},
    {.method = HTTP_GET,
     .pattern = "/api/auth/profile",
     .handler = get_profile,
     .auth = AUTH_SIGNED_IN,
     .tag = "accounts"},
    {.method = HTTP_PUT,
     .pattern = "/api/auth/profile",
     .handler = put_profile,
     .auth = AUTH_SIGNED_IN,
     .body = BODY_JSON,
     .fields = update_fields,
     .tag = "accounts"},
    {.method = HTTP_GET,
     .pattern = "/api/auth/event-interests",
     .handler = list_event_interests,
     .auth = AUTH_SIGNED_IN,
     .auth_flags = AUTHF_NO_PROMOTION,
     .tag = "accounts"},
    ROUTES_END,
};

const module_t profile_module = {.name = "profile", .routes = profile_routes};
