/*
 * storage_local.c: objects as files under LOOPIN_MEDIA_DIR, written to a
 * temp file and renamed so a reader never sees half a file. Only keys that
 * storage.c checked reach here; symlinks and non-regular files are never
 * served (O_NOFOLLOW, fstat).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rand.h"
#include "media/storage_internal.h"

typedef struct {
    char *dir; /* media root without trailing '/' */
} local_t;

/* ---- directories -------------------------------------------------------------- */

/* mkdir that accepts an existing directory (or a symlink to one). */
static int make_dir(const char *path)
{
    struct stat st;
    if (mkdir(path, 0755) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    if (stat(path, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* mkdir -p: every prefix ending before a '/', then the whole path. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = make_dir(path);
        *p = '/';
        if (rc < 0)
            return -1;
    }
    return make_dir(path);
}

void *storage_local_open(const char *media_dir, char *err, size_t errlen)
{
    if (!media_dir || !media_dir[0]) {
        snprintf(err, errlen, "media directory and public URL are required");
        return NULL;
    }
    local_t *l = calloc(1, sizeof *l);
    size_t n = strlen(media_dir);
    while (n > 1 && media_dir[n - 1] == '/')
        n--;
    if (!l || !(l->dir = strndup(media_dir, n))) {
        free(l);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (make_dirs(l->dir) < 0) {
        snprintf(err, errlen, "cannot create media directory %s: %s", l->dir, strerror(errno));
        free(l->dir);
        free(l);
        return NULL;
    }
    return l;
}

static void local_free(void *impl)
{
    local_t *l = impl;
    if (l)
        free(l->dir);
    free(l);
}

/* ---- writing -------------------------------------------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Creates path (which must not exist) with data; removes it again on any
 * failure. Never touches a file it did not create. */
static int write_new_file(const char *path, const unsigned char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, data, len);
    if (close(fd) < 0)
        rc = -1;
    if (rc < 0) {
        int e = errno;
        unlink(path);
        errno = e;
    }
    return rc;
}

static void log_failure(const char *msg, const char *path, int e)
{
    char buf[128];
    log_msg(LOG_ERROR, msg, "path", path, "error", strerror_r(e, buf, sizeof buf), NULL);
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int local_put(void *impl, arena_t *a, const char *key, const unsigned char *data, size_t len,
                     const char *mime)
{
    (void)mime;
    local_t *l = impl;
    const char *final = arena_printf(a, "%s/%s", l->dir, key);
    if (is_regular_file(final))
        return 0; /* named by content: the same bytes are there already */
    const char *slash = strchr(key, '/');
    const char *dir = arena_printf(a, "%s/%.*s", l->dir, (int)(slash - key), key);
    if (make_dir(dir) < 0) {
        log_failure("media folder not created", dir, errno);
        return -1;
    }
    char hex[33];
    rand_hex(hex, 16);
    const char *tmp = arena_printf(a, "%s/.tmp-%s", dir, hex);
    if (write_new_file(tmp, data, len) < 0) {
        log_failure("media file not written", tmp, errno);
        return -1;
    }
    if (rename(tmp, final) < 0) {
        log_failure("media file not renamed", final, errno);
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- reading -------------------------------------------------------------------- */

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

static storage_rc_t read_open_file(int fd, arena_t *a, unsigned char **data, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return STORAGE_NOT_FOUND;
    if (st.st_size > MEDIA_MAX_IMAGE_BYTES)
        return STORAGE_TOO_LARGE;
    size_t size = (size_t)st.st_size;
    unsigned char *buf = arena_alloc(a, size ? size : 1);
    ssize_t n = read_full(fd, buf, size);
    if (n < 0)
        return STORAGE_ERROR;
    *data = buf;
    *len = (size_t)n;
    return STORAGE_OK;
}

static storage_rc_t local_get(void *impl, arena_t *a, const char *key, unsigned char **data,
                              size_t *len)
{
    local_t *l = impl;
    const char *path = arena_printf(a, "%s/%s", l->dir, key);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
            return STORAGE_NOT_FOUND;
        log_failure("media file not opened", path, errno);
        return STORAGE_ERROR;
    }
    storage_rc_t rc = read_open_file(fd, a, data, len);
    if (rc == STORAGE_ERROR)
        log_failure("media file not read", path, errno);
    close(fd);
    return rc;
}

static storage_rc_t local_exists(void *impl, const char *key)
{
    local_t *l = impl;
    arena_t a;
    arena_init(&a);
    bool there = is_regular_file(arena_printf(&a, "%s/%s", l->dir, key));
    arena_free(&a);
    return there ? STORAGE_OK : STORAGE_NOT_FOUND;
}

/* Writable: a probe file can be made and removed. */
static int local_check(void *impl, char *err, size_t errlen)
{
    local_t *l = impl;
    char hex[17], path[1200];
    rand_hex(hex, 8);
    snprintf(path, sizeof path, "%s/.doctor-%s", l->dir, hex);
    if (write_new_file(path, (const unsigned char *)"ok", 2) < 0) {
        snprintf(err, errlen, "%s is not writable: %s", l->dir, strerror(errno));
        return -1;
    }
    unlink(path);
    return 0;
}

const storage_backend_t storage_local_backend = {
    .name = "local",
    .put = local_put,
    .get = local_get,
    .exists = local_exists,
    .check = local_check,
    .free = local_free,
};

/* ---- walking (media migrate) ------------------------------------------------------ */

static int each_in_folder(const char *media_dir, const char *folder,
                          int (*fn)(const char *key, void *ctx), void *ctx, int *skipped)
{
    char path[1200], key[300];
    snprintf(path, sizeof path, "%s/%s", media_dir, folder);
    DIR *d = opendir(path);
    if (!d)
        return 0; /* not a directory: counted by the caller */
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(key, sizeof key, "%s/%s", folder, e->d_name);
        snprintf(path, sizeof path, "%s/%s", media_dir, key);
        if (storage_key_valid(key) && is_regular_file(path))
            rc = fn(key, ctx);
        else
            (*skipped)++;
    }
    closedir(d);
    return rc;
}

int storage_local_each(const char *media_dir, int (*fn)(const char *key, void *ctx), void *ctx,
                       int *skipped)
{
    *skipped = 0;
    DIR *d = opendir(media_dir);
    if (!d)
        return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(e->d_name);
        if (n > 32 || strspn(e->d_name, "abcdefghijklmnopqrstuvwxyz") != n) {
            (*skipped)++;
            continue;
        }
        rc = each_in_folder(media_dir, e->d_name, fn, ctx, skipped);
    }
    closedir(d);
    return rc;
}
