/*
 * test_media.c: media/: image sniffing and its near misses, the upload check
 * table (every status, in order), storage_put and the key rules on a real
 * directory (names, URLs, no temp files, refusal of anything but a storage
 * key), and GET /media/{folder}/{file} through the real route table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sodium.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "core/rand.h"
#include "core/strbuf.h"
#include "http/form.h"
#include "fixture.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "media/storage.h"
#include "module.h"

/* ---- sample bytes ----------------------------------------------------------- */

static const unsigned char JPEG[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
static const unsigned char PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};
static const unsigned char WEBP[] = {'R', 'I', 'F', 'F', 0x24, 0,   0,   0,
                                     'W', 'E', 'B', 'P', 'V',  'P', '8', ' '};
static const unsigned char GIF[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff";
static const unsigned char PDF[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
static const unsigned char TEXT[] = "just some plain text, not an image";

/* ---- image_sniff ---------------------------------------------------------------- */

static void test_sniff_each_type(void **state)
{
    (void)state;
    assert_int_equal(image_sniff(JPEG, sizeof JPEG), IMAGE_JPEG);
    assert_int_equal(image_sniff(JPEG, 3), IMAGE_JPEG);
    assert_int_equal(image_sniff(PNG, sizeof PNG), IMAGE_PNG);
    assert_int_equal(image_sniff(PNG, 16), IMAGE_PNG);
    assert_int_equal(image_sniff(WEBP, sizeof WEBP), IMAGE_WEBP);
}

static void test_sniff_truncated_signatures(void **state)
{
    (void)state;
    for (size_t n = 0; n < 3; n++)
        assert_int_equal(image_sniff(JPEG, n), IMAGE_NONE);
    for (size_t n = 0; n < 16; n++)
        assert_int_equal(image_sniff(PNG, n), IMAGE_NONE);
    for (size_t n = 0; n < 16; n++)
        assert_int_equal(image_sniff(WEBP, n), IMAGE_NONE);
}

/* One byte changed anywhere in a signature is not that type any more. */
static void assert_every_byte_matters(const unsigned char *sig, size_t len, size_t sig_len)
{
    unsigned char buf[32];
    assert_true(len <= sizeof buf);
    for (size_t i = 0; i < sig_len; i++) {
        memcpy(buf, sig, len);
        buf[i] ^= 0x20;
        assert_int_equal(image_sniff(buf, len), IMAGE_NONE);
    }
}

static void test_sniff_near_misses(void **state)
{
    (void)state;
    assert_every_byte_matters(JPEG, sizeof JPEG, 3);
    assert_every_byte_matters(PNG, sizeof PNG, 16);
    /* bytes 4-7 of RIFF are the size and may be anything */
    unsigned char w[sizeof WEBP];
    memcpy(w, WEBP, sizeof w);
    memset(w + 4, 0xff, 4);
    assert_int_equal(image_sniff(w, sizeof w), IMAGE_WEBP);
    memcpy(w + 8, "WAVE", 4);
    assert_int_equal(image_sniff(w, sizeof w), IMAGE_NONE);
    w[0] = 'r';
    assert_int_equal(image_sniff(w, sizeof w), IMAGE_NONE);
}

static void test_sniff_other_formats(void **state)
{
    (void)state;
    assert_int_equal(image_sniff(GIF, sizeof GIF - 1), IMAGE_NONE);
    assert_int_equal(image_sniff(PDF, sizeof PDF - 1), IMAGE_NONE);
    assert_int_equal(image_sniff(TEXT, sizeof TEXT - 1), IMAGE_NONE);
    assert_int_equal(image_sniff(TEXT, 0), IMAGE_NONE);
    assert_int_equal(image_sniff(NULL, 0), IMAGE_NONE);
    assert_int_equal(image_sniff(NULL, 16), IMAGE_NONE);
}

static void test_mime_and_ext(void **state)
{
    (void)state;
    assert_string_equal(image_mime(IMAGE_JPEG), "image/jpeg");
    assert_string_equal(image_mime(IMAGE_PNG), "image/png");
    assert_string_equal(image_mime(IMAGE_WEBP), "image/webp");
    assert_string_equal(image_ext(IMAGE_JPEG), "jpg");
    assert_string_equal(image_ext(IMAGE_PNG), "png");
    assert_string_equal(image_ext(IMAGE_WEBP), "webp");
    assert_null(image_mime(IMAGE_NONE));
    assert_null(image_ext(IMAGE_NONE));
}

/* ---- image_check ------------------------------------------------------------------ */

typedef struct {
    const char *content_type, *filename;
    const unsigned char *data;
    size_t size;
    image_check_t want;
    image_type_t want_type;
} check_case_t;

#define ROW(ct, fn, d, want, type)                                                                 \
    {                                                                                              \
        ct, fn, d, sizeof d, want, type                                                            \
    }

static const check_case_t CHECKS[] = {
    /* good uploads, case-insensitive types and extensions, parameters */
    ROW("image/jpeg", "me.jpg", JPEG, IMAGE_OK, IMAGE_JPEG),
    ROW("image/jpeg", "me.jpeg", JPEG, IMAGE_OK, IMAGE_JPEG),
    ROW("image/jpg", "me.jpg", JPEG, IMAGE_OK, IMAGE_JPEG),
    ROW("image/jpg", "me.JPEG", JPEG, IMAGE_OK, IMAGE_JPEG),
    ROW("IMAGE/JPEG", "ME.JPG", JPEG, IMAGE_OK, IMAGE_JPEG),
    ROW("image/png", "me.png", PNG, IMAGE_OK, IMAGE_PNG),
    ROW("Image/Png; charset=binary", "me.PnG", PNG, IMAGE_OK, IMAGE_PNG),
    ROW("image/webp", "me.webp", WEBP, IMAGE_OK, IMAGE_WEBP),
    ROW(" image/webp ;q=1", "me.WEBP", WEBP, IMAGE_OK, IMAGE_WEBP),
    ROW("image/png", "holiday.2024.png", PNG, IMAGE_OK, IMAGE_PNG),
    ROW("image/png", "../../etc/x.png", PNG, IMAGE_OK, IMAGE_PNG),
    ROW("image/png", "C:\\photos\\x.png", PNG, IMAGE_OK, IMAGE_PNG),
    /* declared type */
    ROW("image/gif", "me.gif", GIF, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("text/plain", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("application/octet-stream", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("image/jpegx", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("image/jpe", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("image/", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("", "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW(NULL, "me.jpg", JPEG, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("image/svg+xml", "me.svg", TEXT, IMAGE_BAD_TYPE, IMAGE_NONE),
    /* extension: missing, unknown, disagreeing with the type */
    ROW("image/png", "me.jpg", PNG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "me.png", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/webp", "me.jpeg", WEBP, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "me.gif", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "me.jpg.exe", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "me.jpg ", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "jpg", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "me.", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/png", "me.png/x", PNG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", "", JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    ROW("image/jpeg", NULL, JPEG, IMAGE_BAD_EXTENSION, IMAGE_NONE),
    /* content */
    ROW("image/png", "me.png", JPEG, IMAGE_BAD_CONTENT, IMAGE_NONE),
    ROW("image/jpeg", "me.jpg", PNG, IMAGE_BAD_CONTENT, IMAGE_NONE),
    ROW("image/webp", "me.webp", TEXT, IMAGE_BAD_CONTENT, IMAGE_NONE),
    ROW("image/jpeg", "me.jpg", PDF, IMAGE_BAD_CONTENT, IMAGE_NONE),
    ROW("image/png", "me.png", GIF, IMAGE_BAD_CONTENT, IMAGE_NONE),
    /* order: type before extension before content */
    ROW("text/plain", "me.txt", TEXT, IMAGE_BAD_TYPE, IMAGE_NONE),
    ROW("image/png", "me.txt", TEXT, IMAGE_BAD_EXTENSION, IMAGE_NONE),
};

static void test_check_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++) {
        const check_case_t *c = &CHECKS[i];
        http_file_t f = {"profile_pictures", c->filename, c->content_type, c->data, c->size};
        image_type_t type = IMAGE_WEBP + 1;
        image_check_t got = image_check(&f, &type);
        if (got != c->want || type != c->want_type)
            fail_msg("row %zu (%s, %s): got %d/%d, want %d/%d", i, c->content_type, c->filename,
                     got, type, c->want, c->want_type);
    }
}

static void test_check_empty_before_everything(void **state)
{
    (void)state;
    http_file_t f = {"f", "x.txt", "text/plain", JPEG, 0};
    image_type_t type = IMAGE_PNG;
    assert_int_equal(image_check(&f, &type), IMAGE_EMPTY);
    assert_int_equal(type, IMAGE_NONE);
    f.data = NULL;
    assert_int_equal(image_check(&f, NULL), IMAGE_EMPTY);
    assert_int_equal(image_check(NULL, &type), IMAGE_EMPTY);
}

/* A buffer of n bytes that starts like a JPEG. */
static unsigned char *big_jpeg(size_t n)
{
    unsigned char *b = calloc(1, n);
    assert_non_null(b);
    memcpy(b, JPEG, sizeof JPEG);
    return b;
}

static void test_check_size_limit(void **state)
{
    (void)state;
    unsigned char *b = big_jpeg(MEDIA_MAX_IMAGE_BYTES + 1);
    http_file_t f = {"f", "x.jpg", "image/jpeg", b, MEDIA_MAX_IMAGE_BYTES};
    image_type_t type;
    assert_int_equal(image_check(&f, &type), IMAGE_OK);
    assert_int_equal(type, IMAGE_JPEG);
    f.size = MEDIA_MAX_IMAGE_BYTES + 1;
    assert_int_equal(image_check(&f, &type), IMAGE_TOO_LARGE);
    /* too large is reported before a bad type */
    f.content_type = "text/plain";
    assert_int_equal(image_check(&f, &type), IMAGE_TOO_LARGE);
    f.size = 1;
    f.content_type = "image/jpeg";
    assert_int_equal(image_check(&f, &type), IMAGE_BAD_CONTENT); /* 1 byte is no JPEG */
    free(b);
}

/* ---- storage fixture ------------------------------------------------------------------ */

typedef struct {
    char tmp[512];   /* private scratch directory */
    char media[600]; /* the media dir inside it (created by storage_new) */
    storage_t *s;
    arena_t arena;
} fixture_t;

static int storage_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || !fixture_mkdtemp(f->tmp, sizeof f->tmp, "test_media"))
        return -1;
    snprintf(f->media, sizeof f->media, "%s/a/b/media", f->tmp);
    char err[256] = "";
    f->s = storage_new(f->media, "https://cdn.example.test/", err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "storage_new: %s\n", err);
        return -1;
    }
    arena_init(&f->arena);
    *state = f;
    return 0;
}

static int storage_teardown(void **state)
{
    fixture_t *f = *state;
    storage_free(f->s);
    arena_free(&f->arena);
    fixture_remove_tree(f->tmp);
    free(f);
    return 0;
}

static const char *media_path(fixture_t *f, const char *key)
{
    return arena_printf(&f->arena, "%s/%s", f->media, key);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries in dir (no "." or ".."), and whether any is a temp file. */
static int count_entries(const char *dir, bool *temp_seen)
{
    DIR *d = opendir(dir);
    int n = 0;
    *temp_seen = false;
    if (!d)
        return errno == ENOENT ? 0 : -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strncmp(e->d_name, ".tmp-", 5) == 0)
            *temp_seen = true;
    }
    closedir(d);
    return n;
}

static void assert_folder_holds(fixture_t *f, const char *folder, int want)
{
    bool temp;
    assert_int_equal(count_entries(media_path(f, folder), &temp), want);
    assert_false(temp);
}

static void assert_file_equals(const char *path, const unsigned char *data, size_t len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char buf[256];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    assert_int_equal(n, len);
    assert_memory_equal(buf, data, len);
}

/* "<folder>/<sha256 of data in hex>.<ext>" */
static void assert_key_shape(const char *key, const char *folder, const char *ext,
                             const unsigned char *data, size_t len)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], want[200];
    crypto_hash_sha256(hash, data, len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(want, sizeof want, "%s/%s.%s", folder, hex, ext);
    assert_string_equal(key, want);
}

/* ---- storage_put ----------------------------------------------------------------------- */

static void test_put_writes_file_key_and_url(void **state)
{
    fixture_t *f = *state;
    const char *key = NULL, *url = NULL;
    assert_int_equal(storage_put(f->s, &f->arena, "profiles", JPEG, sizeof JPEG, "jpg", &key, &url),
                     0);
    assert_key_shape(key, "profiles", "jpg", JPEG, sizeof JPEG);
    assert_string_equal(url, arena_printf(&f->arena, "https://cdn.example.test/media/%s", key));
    assert_file_equals(media_path(f, key), JPEG, sizeof JPEG);
    struct stat st;
    assert_int_equal(stat(media_path(f, key), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0022, 0); /* never group/world writable */
    assert_folder_holds(f, "profiles", 1);
}

/* Named by content: the same bytes twice are one file (the second put
 * writes nothing), other bytes another. */
static void test_put_names_by_content_and_folders_made_on_demand(void **state)
{
    fixture_t *f = *state;
    const char *k1, *k2, *k3, *url;
    assert_false(exists(media_path(f, "events")));
    assert_int_equal(storage_put(f->s, &f->arena, "events", PNG, sizeof PNG, "png", &k1, &url), 0);
    struct stat before, after;
    assert_int_equal(stat(media_path(f, k1), &before), 0);
    assert_int_equal(storage_put(f->s, &f->arena, "events", PNG, sizeof PNG, "png", &k2, &url), 0);
    assert_int_equal(stat(media_path(f, k2), &after), 0);
    assert_string_equal(k1, k2);
    assert_int_equal(before.st_ino, after.st_ino); /* not rewritten */
    assert_int_equal(storage_put(f->s, &f->arena, "events", WEBP, sizeof WEBP, "webp", &k3, &url),
                     0);
    assert_key_shape(k3, "events", "webp", WEBP, sizeof WEBP);
    assert_file_equals(media_path(f, k3), WEBP, sizeof WEBP);
    assert_folder_holds(f, "events", 2);
}

static void test_put_refuses_bad_folder(void **state)
{
    fixture_t *f = *state;
    static const char *bad[] = {
        "",     "Profiles", "pro files", "..",
        "../x", "a/b",      "profiles1", "prof-iles",
        ".tmp", "/etc",     NULL,        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *key = "x", *url = "y";
        assert_int_equal(storage_put(f->s, &f->arena, bad[i], JPEG, sizeof JPEG, "jpg", &key, &url),
                         -1);
        assert_null(key);
        assert_null(url);
    }
    const char *key, *url;
    assert_int_equal(storage_put(f->s, &f->arena, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", JPEG,
                                 sizeof JPEG, "jpg", &key, &url),
                     0); /* 32 is fine */
    bool temp;
    assert_int_equal(count_entries(f->media, &temp), 1); /* only that folder */
    assert_false(temp);
}

static void test_put_refuses_bad_ext(void **state)
{
    fixture_t *f = *state;
    static const char *bad[] = {"jpeg", "gif", "JPG", "", "jpg/../x", ".jpg", "png ", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *key, *url;
        assert_int_equal(
            storage_put(f->s, &f->arena, "profiles", JPEG, sizeof JPEG, bad[i], &key, &url), -1);
    }
    assert_folder_holds(f, "profiles", 0);
}

/* A regular file where the folder should be: the put fails, nothing stays. */
static void test_put_failure_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    FILE *fp = fopen(media_path(f, "events"), "w");
    assert_non_null(fp);
    fclose(fp);
    const char *key, *url;
    assert_int_equal(storage_put(f->s, &f->arena, "events", PNG, sizeof PNG, "png", &key, &url),
                     -1);
    assert_null(key);
    bool temp;
    assert_int_equal(count_entries(f->media, &temp), 1); /* just the blocking file */
    assert_false(temp);
}

static void test_new_fails_when_dir_cannot_exist(void **state)
{
    fixture_t *f = *state;
    const char *file = media_path(f, "plainfile");
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    char err[256] = "";
    storage_t *s =
        storage_new(arena_printf(&f->arena, "%s/sub", file), "http://x", err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "plainfile"));
    assert_null(storage_new(NULL, "http://x", err, sizeof err));
    assert_null(storage_new("", "http://x", err, sizeof err));
}

/* ---- keys and reading ---------------------------------------------------------------- */

/* Creates a decoy file at media_dir + "/" + key taken literally (so "../"
 * climbs out of the media dir), then checks that key is refused: not a
 * storage key, and never read. */
static void assert_key_refused(fixture_t *f, const char *key)
{
    const char *path = media_path(f, key);
    char *dir = arena_strdup(&f->arena, path);
    *strrchr(dir, '/') = '\0';
    fixture_mkdir_p(dir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        fail_msg("cannot create decoy %s", path);
    fputs("decoy", fp);
    fclose(fp);
    if (storage_key_valid(key))
        fail_msg("storage_key_valid accepted %s", key);
    unsigned char *data;
    size_t len;
    if (storage_get(f->s, &f->arena, key, &data, &len) != STORAGE_NOT_FOUND)
        fail_msg("storage_get read %s", key);
    if (storage_exists(f->s, key) != STORAGE_NOT_FOUND)
        fail_msg("storage_exists found %s", key);
}

static void test_keys_refuse_anything_but_a_key(void **state)
{
    fixture_t *f = *state;
    const char *hex = "0123456789abcdef0123456789abcdef";
    const char *keys[] = {
        "../x",
        "profiles/../../etc/passwd",
        arena_printf(&f->arena, "profiles/../%s.jpg", hex),
        arena_printf(&f->arena, "profiles/%.31s.jpg", hex),
        arena_printf(&f->arena, "profiles/%s0.jpg", hex),
        arena_printf(&f->arena, "profiles/%s%.31s.jpg", hex, hex),
        arena_printf(&f->arena, "profiles/%s%s0.jpg", hex, hex),
        "profiles/0123456789ABCDEF0123456789abcdef.jpg",
        arena_printf(&f->arena, "Profiles/%s.jpg", hex),
        arena_printf(&f->arena, "profiles/%s.jpeg", hex),
        arena_printf(&f->arena, "profiles/%s.gif", hex),
        arena_printf(&f->arena, "profiles/%s.jpg.bak", hex),
        arena_printf(&f->arena, "profiles/%s", hex),
        arena_printf(&f->arena, "profiles/sub/%s.jpg", hex),
        arena_printf(&f->arena, "profiles//%s.jpg", hex),
        arena_printf(&f->arena, "/profiles/%s.jpg", hex),
        arena_printf(&f->arena, "profiles/.tmp-%s", hex),
        arena_printf(&f->arena, "%s.jpg", hex),
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_key_refused(f, keys[i]);
    assert_false(storage_key_valid(NULL));
    assert_false(storage_key_valid(""));
    assert_true(storage_key_valid(arena_printf(&f->arena, "profiles/%s.jpg", hex)));
    assert_true(storage_key_valid(arena_printf(&f->arena, "events/%s%s.webp", hex, hex)));
}

static int collect_key(const char *key, void *ctx)
{
    strbuf_t *sb = ctx;
    sb_printf(sb, "%s;", key);
    return 0;
}

/* media migrate's walk: every stored key once; strays, temp files,
 * symlinks and directories counted as skipped, never passed on. */
static void test_local_each_visits_only_stored_keys(void **state)
{
    fixture_t *f = *state;
    const char *key, *url;
    assert_int_equal(storage_put(f->s, &f->arena, "events", PNG, sizeof PNG, "png", &key, &url), 0);
    const char *legacy = "profiles/0123456789abcdef0123456789abcdef.jpg";
    fixture_mkdir_p(media_path(f, "profiles"));
    FILE *fp = fopen(media_path(f, legacy), "wb");
    assert_non_null(fp);
    fwrite(JPEG, 1, sizeof JPEG, fp);
    fclose(fp);
    fp = fopen(media_path(f, "profiles/notes.txt"), "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(
        symlink(media_path(f, key), media_path(f, "events/1111111111111111111111111111111a.png")),
        0);
    fixture_mkdir_p(media_path(f, "Upper"));
    strbuf_t sb;
    sb_init(&sb);
    int skipped = -1;
    assert_int_equal(storage_local_each(f->media, collect_key, &sb, &skipped), 0);
    assert_int_equal(skipped, 3); /* notes.txt, the symlink, Upper/ */
    assert_non_null(strstr(sb.data, arena_printf(&f->arena, "%s;", key)));
    assert_non_null(strstr(sb.data, arena_printf(&f->arena, "%s;", legacy)));
    assert_int_equal(strlen(sb.data), strlen(key) + strlen(legacy) + 2);
    sb_free(&sb);
    assert_int_equal(storage_local_each(media_path(f, "nothere"), collect_key, &sb, &skipped), -1);
}

/* ---- GET /media/{folder}/{file} -------------------------------------------------------- */

typedef struct {
    http_req_t req;
    app_t app;
    router_t *r;
} get_t;

/* Runs the request through the real route table and handler. A path the
 * router itself refuses (say, a decoded '/' in a segment) counts as 404. */
static void media_get(fixture_t *f, get_t *g, const char *path)
{
    memset(g, 0, sizeof *g);
    g->app.storage = f->s;
    g->r = router_new();
    assert_non_null(g->r);
    for (const route_def_t *d = media_module.routes; d->pattern; d++)
        assert_int_equal(router_add_def(g->r, d, false), 0);
    arena_init(&g->req.arena);
    g->req.app = &g->app;
    route_match_t m;
    if (router_match(g->r, HTTP_GET, path, &g->req.arena, &m) != ROUTE_FOUND) {
        http_error(&g->req, 404, "NOT_FOUND", "Not Found");
        return;
    }
    for (int i = 0; i < m.nparams; i++)
        http_kvs_add(&g->req.params, &g->req.arena, m.params[i].name, m.params[i].value);
    g->req.route = m.route;
    pipeline_run(&g->req);
}

static void get_done(get_t *g)
{
    pipeline_finish(&g->req);
    free(g->req.res.owned);
    arena_free(&g->req.arena);
    router_free(g->r);
}

static void assert_get_status(fixture_t *f, const char *path, int status)
{
    get_t g;
    media_get(f, &g, path);
    if (g.req.res.status != status)
        fail_msg("GET %s: %d, want %d", path, g.req.res.status, status);
    if (status == 404)
        assert_string_equal(g.req.res.error_code, "NOT_FOUND");
    get_done(&g);
}

static void test_get_serves_stored_file(void **state)
{
    fixture_t *f = *state;
    const char *key, *url;
    assert_int_equal(storage_put(f->s, &f->arena, "events", PNG, sizeof PNG, "png", &key, &url), 0);
    get_t g;
    media_get(f, &g, arena_printf(&f->arena, "/media/%s", key));
    assert_int_equal(g.req.res.status, 200);
    assert_string_equal(g.req.res.content_type, "image/png");
    assert_int_equal(g.req.res.len, sizeof PNG);
    assert_memory_equal(g.req.res.body, PNG, sizeof PNG);
    assert_string_equal(http_kvs_get(&g.req.res.headers, "Cache-Control"),
                        "public, max-age=31536000, immutable");
    get_done(&g);
}

static void test_get_types_by_extension(void **state)
{
    fixture_t *f = *state;
    static const struct {
        const unsigned char *data;
        size_t len;
        const char *ext, *mime;
    } t[] = {{JPEG, sizeof JPEG, "jpg", "image/jpeg"}, {WEBP, sizeof WEBP, "webp", "image/webp"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *key, *url;
        assert_int_equal(
            storage_put(f->s, &f->arena, "profiles", t[i].data, t[i].len, t[i].ext, &key, &url), 0);
        get_t g;
        media_get(f, &g, arena_printf(&f->arena, "/media/%s", key));
        assert_int_equal(g.req.res.status, 200);
        assert_string_equal(g.req.res.content_type, t[i].mime);
        get_done(&g);
    }
}

static void test_get_missing_and_malformed_are_404(void **state)
{
    fixture_t *f = *state;
    const char *hex = "0123456789abcdef0123456789abcdef";
    assert_get_status(f, arena_printf(&f->arena, "/media/profiles/%s.jpg", hex), 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/profiles/%s.gif", hex), 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/profiles/%.31s.jpg", hex), 404);
    assert_get_status(f, "/media/profiles/0123456789ABCDEF0123456789abcdef.jpg", 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/Profiles/%s.jpg", hex), 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/profiles/.tmp-%s", hex), 404);
    assert_get_status(f, "/media/profiles/..%2F..%2Fetc%2Fpasswd", 404);
    assert_get_status(f, "/media/..%2F..%2Fetc/passwd.jpg", 404);
    assert_get_status(f, "/media/%2e%2e/x.jpg", 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/profiles/%s.jpg%%00.png", hex), 404);
}

/* A symlink, a directory and an oversized file under valid names: 404. */
static void test_get_refuses_non_regular_and_oversized(void **state)
{
    fixture_t *f = *state;
    const char *key, *url;
    assert_int_equal(storage_put(f->s, &f->arena, "profiles", JPEG, sizeof JPEG, "jpg", &key, &url),
                     0);
    const char *link = "profiles/11111111111111111111111111111111.jpg";
    assert_int_equal(symlink(media_path(f, key), media_path(f, link)), 0);
    assert_get_status(f, arena_printf(&f->arena, "/media/%s", link), 404);
    const char *dir = "profiles/22222222222222222222222222222222.png";
    assert_int_equal(mkdir(media_path(f, dir), 0755), 0);
    assert_get_status(f, arena_printf(&f->arena, "/media/%s", dir), 404);
    const char *big = "profiles/33333333333333333333333333333333.jpg";
    unsigned char *b = big_jpeg(MEDIA_MAX_IMAGE_BYTES + 1);
    FILE *fp = fopen(media_path(f, big), "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, MEDIA_MAX_IMAGE_BYTES + 1, fp), MEDIA_MAX_IMAGE_BYTES + 1);
    fclose(fp);
    free(b);
    assert_get_status(f, arena_printf(&f->arena, "/media/%s", big), 404);
    assert_get_status(f, arena_printf(&f->arena, "/media/%s", key), 200);
}

#define STORAGE_TEST(fn) cmocka_unit_test_setup_teardown(fn, storage_setup, storage_teardown)

int main(void)
{
    if (rand_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_each_type),
        cmocka_unit_test(test_sniff_truncated_signatures),
        cmocka_unit_test(test_sniff_near_misses),
        cmocka_unit_test(test_sniff_other_formats),
        cmocka_unit_test(test_mime_and_ext),
        cmocka_unit_test(test_check_table),
        cmocka_unit_test(test_check_empty_before_everything),
        cmocka_unit_test(test_check_size_limit),
        STORAGE_TEST(test_put_writes_file_key_and_url),
        STORAGE_TEST(test_put_names_by_content_and_folders_made_on_demand),
        STORAGE_TEST(test_put_refuses_bad_folder),
        STORAGE_TEST(test_put_refuses_bad_ext),
        STORAGE_TEST(test_put_failure_leaves_nothing),
        STORAGE_TEST(test_new_fails_when_dir_cannot_exist),
        STORAGE_TEST(test_keys_refuse_anything_but_a_key),
        STORAGE_TEST(test_local_each_visits_only_stored_keys),
        STORAGE_TEST(test_get_serves_stored_file),
        STORAGE_TEST(test_get_types_by_extension),
        STORAGE_TEST(test_get_missing_and_malformed_are_404),
        STORAGE_TEST(test_get_refuses_non_regular_and_oversized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
