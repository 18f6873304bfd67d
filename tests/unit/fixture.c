/*
 * fixture.c: shared unit-test setup (fixture.h).
 */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fixture_mkdir_p(const char *dir)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0700);
            *p = '/';
        }
    }
    mkdir(tmp, 0700);
}

const char *fixture_tmp_base(void)
{
    const char *base = getenv("LOOPIN_TEST_TMP");
    if (!base || !*base)
        base = "/tmp/loopin-unit";
    fixture_mkdir_p(base);
    return base;
}

char *fixture_mkdtemp(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/%s.XXXXXX", fixture_tmp_base(), name);
    return mkdtemp(out);
}

void fixture_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[2048];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        fixture_remove_tree(child);
    }
    closedir(d);
    rmdir(path);
}

void fixture_sqlite_file(const char *name, char *path, size_t pathlen, char *url, size_t urllen)
{
    static int seq;
    snprintf(path, pathlen, "%s/%s_%d_%d.db", fixture_tmp_base(), name, (int)getpid(), ++seq);
    snprintf(url, urllen, "sqlite://%s", path);
}

db_pool_t *fixture_open_pool(const char *url, int size, int acquire_timeout_ms,
                             int statement_timeout_ms)
{
    db_pool_config_t cfg = {.url = url,
                            .size = size,
                            .acquire_timeout_ms = acquire_timeout_ms,
                            .statement_timeout_ms = statement_timeout_ms};
    db_pool_t *pool = NULL;
    char err[256];
    if (db_pool_open(&cfg, &pool, err, sizeof err) != DB_OK)
        fail_msg("db_pool_open(%s): %s", url, err);
    return pool;
}

char *fixture_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *more = realloc(buf, cap);
            if (!more)
                fail_msg("out of memory reading %s", path);
            buf = more;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

void fixture_capture_stderr(fixture_capture_t *c, const char *dir)
{
    snprintf(c->path, sizeof c->path, "%s/stderr-%d.log", dir, (int)getpid());
    int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        fail_msg("cannot create %s", c->path);
    fflush(stderr);
    c->saved = dup(STDERR_FILENO);
    if (c->saved < 0)
        fail_msg("dup(stderr) failed");
    dup2(fd, STDERR_FILENO);
    close(fd);
}

char *fixture_capture_end(fixture_capture_t *c)
{
    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    char *out = fixture_read_file(c->path, NULL);
    unlink(c->path);
    return out;
}

void fixture_remove_sqlite(const char *path)
{
    char extra[1100];
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
}
