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

static void not_found(http_req_t *req)
{
    http_error(req, 404, "NOT_FOUND", "Not Found");
}

static void server_error(http_req_t *req, const char *msg, int e)
{
    char buf[128];
    log_msg(LOG_ERROR, msg, "error", strerror_r(e, buf, sizeof buf), NULL);
    http_error(req, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
}

/* A missing file or a symlink (O_NOFOLLOW) is 404; anything else is ours. */
static void open_failed(http_req_t *req, int e)
{
    if (e == ENOENT || e == ELOOP || e == ENOTDIR)
        not_found(req);
    else
        server_error(req, "media file not opened", e);
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
static void reply_file(http_req_t *req, int fd, image_type_t type)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MEDIA_MAX_IMAGE_BYTES) {
        not_found(req);
        return;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = arena_alloc(&req->arena, size ? size : 1);
    ssize_t n = read_full(fd, buf, size);
    if (n < 0) {
        server_error(req, "media file not read", errno);
        return;
    }
    http_reply_raw(req, 200, image_mime(type), (const char *)buf, (size_t)n, false);
    http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
}

static void media_get(http_req_t *req)
{
    const char *folder = http_param(req, "folder"), *file = http_param(req, "file");
    image_type_t type = stored_type(file);
    if (!folder || type == IMAGE_NONE) {
        not_found(req);
        return;
    }
    const char *key = arena_printf(&req->arena, "%s/%s", folder, file);
    if (!storage_key_valid(key)) {
        not_found(req);
        return;
    }
    int fd = storage_open(req->app->storage, key);
    if (fd < 0) {
        open_failed(req, errno);
        return;
    }
    reply_file(req, fd, type);
    close(fd);
}

void media_routes(router_t *r)
{
    router_add(r, HTTP_GET, "/media/{folder}/{file}", media_get, BODY_NONE, false);
}
