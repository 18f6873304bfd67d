/*
 * whole_file.c: files that appear whole or not at all (whole_file.h): the
 * temp-file-then-rename dance of backup and restore, and the key file.
 */
#include "ops/whole_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key file is a line of at most a few hundred bytes (config.c). */
#define KEY_FILE_MAX 512

bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool path_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int file_temp_beside(const char *final, char *tmp, size_t len)
{
    if ((size_t)snprintf(tmp, len, "%s.tmp-XXXXXX", final) >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkstemp(tmp);
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd), saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int file_publish(const char *tmp, const char *final)
{
    if (fsync_path(tmp, O_RDONLY) != 0 || rename(tmp, final) != 0)
        return -1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", final);
    return fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
}

/* Why: a restore run as root into the service's state directory must leave
 * files the service user can open. */
void file_adopt_owner(const char *tmp, const char *final)
{
    struct stat st;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", final);
    if (stat(final, &st) == 0)
        chmod(tmp, st.st_mode & 0777);
    else if (stat(dirname(dir), &st) != 0)
        return;
    if (chown(tmp, st.st_uid, st.st_gid) != 0)
        return; /* not root: the caller's file, as documented */
}

int key_file_copy(const char *from, const char *to, bool adopt, char *err, size_t errlen)
{
    char key[KEY_FILE_MAX], tmp[PATH_MAX + 16];
    FILE *f = fopen(from, "re");
    size_t n = f ? fread(key, 1, sizeof key, f) : 0;
    if (f)
        fclose(f);
    int fd = n > 0 && n < sizeof key ? file_temp_beside(to, tmp, sizeof tmp) : -1;
    bool ok = fd >= 0 && write(fd, key, n) == (ssize_t)n;
    sodium_memzero(key, sizeof key);
    if (fd >= 0)
        close(fd);
    if (ok && adopt)
        file_adopt_owner(tmp, to);
    if (ok && file_publish(tmp, to) == 0)
        return 0;
    snprintf(err, errlen, "cannot copy the secret key %s to %s: %s", from, to,
             n == 0 || n == sizeof key ? "unreadable or not a key file" : strerror(errno));
    if (fd >= 0)
        unlink(tmp);
    return -1;
}

bool key_files_equal(const char *a, const char *b)
{
    char x[KEY_FILE_MAX], y[KEY_FILE_MAX];
    FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
    size_t na = fa ? fread(x, 1, sizeof x, fa) : 0, nb = fb ? fread(y, 1, sizeof y, fb) : 0;
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    bool same = fa && fb && na == nb && memcmp(x, y, na) == 0;
    sodium_memzero(x, sizeof x);
    sodium_memzero(y, sizeof y);
    return same;
}
