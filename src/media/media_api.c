/*
 * media_api.c: GET /media/{folder}/{file} serves stored uploads. Only names
 * of the exact shape storage_put produces are looked up; symlinks, non-regular
 * files and anything over the upload limit are 404. Files never change once
 * written, so responses may be cached forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static err_t *server_error(op_t *op, const char *what, int e)
{
    char buf[128];
    err_t *r = op_fail(op, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    r->cause = arena_printf(op->arena, "%s: %s", what, strerror_r(e, buf, sizeof buf));
    return r;
}

/* A missing file or a symlink (O_NOFOLLOW) is 404; anything else is ours. */
static err_t *open_failed(op_t *op, int e)
{
    if (e == ENOENT || e == ELOOP || e == ENOTDIR)
        return not_found(op);
    return server_error(op, "media file not opened", e);
}

/* Reads up to len bytes (less only at end of file); -1 on a read error. */
static ssize_t read_full(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Replies with the file behind fd, or 404 when it is not a servable file. */
static err_t *reply_file(http_req_t *req, op_t *op, int fd, image_type_t type)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MEDIA_MAX_IMAGE_BYTES)
        return not_found(op);
    size_t size = (size_t)st.st_size;
    unsigned char *buf = arena_alloc(&req->arena, size ? size : 1);
    ssize_t n = read_full(fd, buf, size);
    if (n < 0)
        return server_error(op, "media file not read", errno);
    http_reply_raw(req, 200, image_mime(type), (const char *)buf, (size_t)n, false);
    http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
    return NULL;
}

/* GET /media/{folder}/{file} */
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
    int fd = storage_open(req->app->storage, key);
    if (fd < 0)
        return open_failed(op, errno);
    err_t *e = reply_file(req, op, fd, type);
    close(fd);
    return e;
}

/* Public and file-backed: no database connection. */
static const route_def_t media_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/media/{folder}/{file}",
     .handler = media_get,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    ROUTES_END,
};

const module_t media_module = {.name = "media", .routes = media_routes};
