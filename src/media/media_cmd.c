/*
 * media_cmd.c: media migrate. Each file is read, checked to be the image
 * its name says (a stray or damaged file is reported, not copied), and put
 * under the same key; a put that fails is counted and the run goes on, so
 * one bad object does not hide the others. Exit 1 when anything failed.
 */
#include "media/media_cmd.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "media/storage.h"

typedef struct {
    storage_t *from, *to;
    bool dry_run;
    int copied, present, failed;
} migrate_t;

static image_type_t type_of_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    for (image_type_t t = IMAGE_JPEG; dot && t <= IMAGE_WEBP; t++)
        if (!strcmp(dot + 1, image_ext(t)))
            return t;
    return IMAGE_NONE;
}

static int migrate_one(const char *key, void *ctx)
{
    migrate_t *m = ctx;
    arena_t a;
    arena_init(&a);
    unsigned char *data;
    size_t len;
    storage_rc_t there = storage_exists(m->to, key);
    if (there == STORAGE_OK) {
        m->present++;
    } else if (there != STORAGE_NOT_FOUND) {
        fprintf(stderr, "%s: cannot ask the bucket whether it is there\n", key);
        m->failed++;
    } else if (storage_get(m->from, &a, key, &data, &len) != STORAGE_OK ||
               image_sniff(data, len) != type_of_key(key)) {
        fprintf(stderr, "%s: unreadable, too large or not the image its name says; not copied\n",
                key);
        m->failed++;
    } else if (!m->dry_run && storage_put_key(m->to, &a, key, data, len) != 0) {
        fprintf(stderr, "%s: not copied (see the log)\n", key);
        m->failed++;
    } else {
        m->copied++;
    }
    arena_free(&a);
    return 0;
}

static int migrate_to_s3(app_t *app, bool dry_run)
{
    char err[512];
    storage_s3_opts_t o = storage_s3_opts(&app->cfg);
    migrate_t m = {.dry_run = dry_run};
    m.from = storage_new(app->cfg.media_dir, app->cfg.public_url, err, sizeof err);
    m.to = m.from ? storage_new_s3(&o, app->cfg.public_url, err, sizeof err) : NULL;
    if (m.to && storage_check(m.to, err, sizeof err) != 0) {
        storage_free(m.to);
        m.to = NULL;
    }
    if (!m.to) {
        fprintf(stderr, "media migrate: %s\n", err);
        storage_free(m.from);
        return 2;
    }
    int skipped = 0;
    int rc = storage_local_each(app->cfg.media_dir, migrate_one, &m, &skipped);
    if (rc < 0)
        fprintf(stderr, "media migrate: cannot read %s\n", app->cfg.media_dir);
    printf("%s %d, already in the bucket %d, failed %d, not media files %d\n",
           dry_run ? "would copy" : "copied", m.copied, m.present, m.failed, skipped);
    storage_free(m.from);
    storage_free(m.to);
    return rc < 0 || m.failed ? 1 : 0;
}

int media_cmd(app_t *app, int argc, char **argv)
{
    bool dry_run = argc == 5 && !strcmp(argv[4], "--dry-run");
    if ((argc != 4 && !dry_run) || strcmp(argv[1], "migrate") || strcmp(argv[2], "--to") ||
        strcmp(argv[3], "s3")) {
        fprintf(stderr, "usage: %s\n", MEDIA_CMD_USAGE);
        return 2;
    }
    return migrate_to_s3(app, dry_run);
}
