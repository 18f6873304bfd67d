/*
 * storage.c: uploaded files on local disk under LOOPIN_MEDIA_DIR. Names are
 * "<folder>/<32 random hex>.<ext>", written to a temp file and renamed so a
 * reader never sees half a file. Only keys of exactly that shape are ever
 * opened or unlinked. The struct is read-only after storage_new (thread-safe).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rand.h"
#include "media/storage.h"

#define FOLDER_MAX 32
#define NAME_HEX   32 /* 16 random bytes */

struct storage {
    char *dir;        /* media root without trailing '/' (owned) */
    char *public_url; /* URL base without trailing '/' (owned) */
};

/* ---- key shape ------------------------------------------------------------- */

static bool folder_chars_valid(const char *s, size_t n)
{
    if (n < 1 || n > FOLDER_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

static bool folder_valid(const char *folder)
{
    return folder && folder_chars_valid(folder, strlen(folder));
}

static bool ext_valid(const char *ext)
{
    return ext && (strcmp(ext, "jpg") == 0 || strcmp(ext, "png") == 0 || strcmp(ext, "webp") == 0);
}

/* <32 lower-case hex>.<jpg|png|webp> */
static bool file_name_valid(const char *name)
{
    for (int i = 0; i < NAME_HEX; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return name[NAME_HEX] == '.' && ext_valid(name + NAME_HEX + 1);
}

/* <folder>/<file>: the only shape storage_put produces, so the only one we
 * ever open or unlink ("..", extra slashes and NUL tricks cannot pass). */
bool storage_key_valid(const char *key)
{
    const char *slash = key ? strchr(key, '/') : NULL;
    return slash && folder_chars_valid(key, (size_t)(slash - key)) && file_name_valid(slash + 1);
}

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

/* A malloc'd copy without trailing slashes (but "/" stays "/"). */
static char *dup_trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return strndup(s, n);
}

storage_t *storage_new(const char *media_dir, const char *public_url, char *err, size_t errlen)
{
    if (!media_dir || !media_dir[0] || !public_url) {
        snprintf(err, errlen, "media directory and public URL are required");
        return NULL;
    }
    storage_t *s = calloc(1, sizeof *s);
    if (s) {
        s->dir = dup_trimmed(media_dir);
        s->public_url = strdup(public_url);
    }
    if (!s || !s->dir || !s->public_url) {
        snprintf(err, errlen, "out of memory");
        storage_free(s);
        return NULL;
    }
    size_t n = strlen(s->public_url);
    while (n > 0 && s->public_url[n - 1] == '/')
        s->public_url[--n] = '\0';
    if (make_dirs(s->dir) < 0) {
        snprintf(err, errlen, "cannot create media directory %s: %s", s->dir, strerror(errno));
        storage_free(s);
        return NULL;
    }
    return s;
}

void storage_free(storage_t *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->public_url);
    free(s);
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

int storage_put(storage_t *s, arena_t *a, const char *folder, const unsigned char *data, size_t len,
                const char *ext, const char **key, const char **url)
{
    if (key)
        *key = NULL;
    if (url)
        *url = NULL;
    if (!s || !a || !key || !url || !folder_valid(folder) || !ext_valid(ext) || (!data && len))
        return -1;
    const char *dir = arena_printf(a, "%s/%s", s->dir, folder);
    if (make_dir(dir) < 0) {
        log_failure("media folder not created", dir, errno);
        return -1;
    }
    char hex[NAME_HEX + 1];
    rand_hex(hex, NAME_HEX / 2);
    const char *tmp = arena_printf(a, "%s/.tmp-%s", dir, hex);
    const char *final = arena_printf(a, "%s/%s.%s", dir, hex, ext);
    if (write_new_file(tmp, data, len) < 0) {
        log_failure("media file not written", tmp, errno);
        return -1;
    }
    if (rename(tmp, final) < 0) {
        log_failure("media file not renamed", final, errno);
        unlink(tmp);
        return -1;
    }
    *key = arena_printf(a, "%s/%s.%s", folder, hex, ext);
    *url = arena_printf(a, "%s/media/%s", s->public_url, *key);
    return 0;
}

/* ---- reading and removing --------------------------------------------------------- */

/* The absolute path of a valid key, in a's memory. */
static const char *key_path(const storage_t *s, arena_t *a, const char *key)
{
    return arena_printf(a, "%s/%s", s->dir, key);
}

void storage_delete(storage_t *s, const char *key)
{
    if (!s || !storage_key_valid(key)) {
        log_msg(LOG_WARN, "media delete refused: not a storage key", NULL);
        return;
    }
    arena_t a;
    arena_init(&a);
    const char *path = key_path(s, &a, key);
    if (unlink(path) < 0 && errno != ENOENT)
        log_failure("media file not deleted", path, errno);
    arena_free(&a);
}

/* A read-only descriptor for a stored file; -1 with errno ENOENT for a key of
 * the wrong shape, ELOOP when the file is a symlink. */
int storage_open(storage_t *s, const char *key)
{
    if (!s) {
        errno = EINVAL;
        return -1;
    }
    if (!storage_key_valid(key)) {
        errno = ENOENT;
        return -1;
    }
    arena_t a;
    arena_init(&a);
    int fd = open(key_path(s, &a, key), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    arena_free(&a);
    errno = e;
    return fd;
}
