/*
 * media_api.c: GET /media/{folder}/{file} serves stored uploads from the
 * configured backend. Only names of the exact shape storage_put produces are
 * looked up; symlinks, non-regular files and anything over the upload limit
 * are 404; a backend that fails is 503, so a client retries.
 */
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "media/storage.h"
#include "module.h"

/* The image type a stored file's extension names (storage writes only these). */
static image_type_t stored_type(const char *file)
{
    const char *dot = file ? strrchr(file, '.') : NULL;
    if (!dot)
        return IMAGE_NONE;
    for (image_type_t t = IMAGE_JPEG; t <= IMAGE_WEBP; t++)
        if (strcmp(dot + 1, image_ext(t)) == 0)
            return t;
    return IMAGE_NONE;
}

static err_t *not_found(op_t *op)
{
    return op_fail(op, 404, "NOT_FOUND", "Not Found");
}

/* GET /media/{folder}/{file}: the same answer from local disk or S3. Files
 * never change once written (their names are content hashes), so the
 * answer may be cached forever, by browsers and by a proxy in front. */
static err_t *media_get(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const char *folder = http_param(req, "folder"), *file = http_param(req, "file");
    image_type_t type = stored_type(file);
    if (!folder || type == IMAGE_NONE)
        return not_found(op);
    const char *key = arena_printf(&req->arena, "%s/%s", folder, file);
    if (!storage_key_valid(key))
        return not_found(op);
    unsigned char *data;
    size_t len;
    storage_rc_t rc = storage_get(req->app->storage, &req->arena, key, &data, &len);
    if (rc == STORAGE_NOT_FOUND || rc == STORAGE_TOO_LARGE)
        return not_found(op);
    if (rc != STORAGE_OK)
        return op_fail(op, 503, "MEDIA_UNAVAILABLE", "The file cannot be read right now.");
    http_reply_raw(req, 200, image_mime(type), (const char *)data, len, false);
    http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
    return NULL;
}

/* Public and storage-backed: no database connection. */
static const route_def_t media_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/media/{folder}/{file}",
     .handler = media_get,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    ROUTES_END,
};

const module_t media_module = {.name = "media", .routes = media_routes};
