/*
 * storage.c: what every backend shares: the one key shape, naming by
 * content hash, the public URL, and the dispatch to local disk or S3
 * (storage_local.c, storage_s3.c). The struct is read-only after it is
 * made, so it is shared by every request thread.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "media/storage.h"
#include "media/storage_internal.h"

#define FOLDER_MAX 32
#define HASH_HEX   64 /* SHA-256 */
#define LEGACY_HEX 32 /* 16 random bytes, before names were content hashes */

struct storage {
    const storage_backend_t *backend;
    void *impl;
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

/* <64 or 32 lower-case hex>.<jpg|png|webp> */
static bool file_name_valid(const char *name)
{
    size_t n = strspn(name, "0123456789abcdef");
    return (n == HASH_HEX || n == LEGACY_HEX) && name[n] == '.' && ext_valid(name + n + 1);
}

/* "..", extra slashes and NUL tricks cannot pass. */
bool storage_key_valid(const char *key)
{
    const char *slash = key ? strchr(key, '/') : NULL;
    return slash && folder_chars_valid(key, (size_t)(slash - key)) && file_name_valid(slash + 1);
}

const char *storage_key_mime(const char *key)
{
    const char *dot = strrchr(key, '.');
    if (dot && !strcmp(dot, ".png"))
        return "image/png";
    if (dot && !strcmp(dot, ".webp"))
        return "image/webp";
    return "image/jpeg";
}

/* ---- making ---------------------------------------------------------------- */

static storage_t *wrap(const storage_backend_t *b, void *impl, const char *public_url, char *err,
                       size_t errlen)
{
    if (!impl)
        return NULL;
    storage_t *s = calloc(1, sizeof *s);
    char *url = strdup(public_url ? public_url : "");
    if (!s || !url) {
        free(s);
        free(url);
        b->free(impl);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    *s = (storage_t){.backend = b, .impl = impl, .public_url = url};
    return s;
}

storage_t *storage_new(const char *media_dir, const char *public_url, char *err, size_t errlen)
{
    if (!public_url) {
        snprintf(err, errlen, "media directory and public URL are required");
        return NULL;
    }
    return wrap(&storage_local_backend, storage_local_open(media_dir, err, errlen), public_url, err,
                errlen);
}

storage_t *storage_new_s3(const storage_s3_opts_t *o, const char *public_url, char *err,
                          size_t errlen)
{
    return wrap(&storage_s3_backend, storage_s3_open(o, err, errlen), public_url, err, errlen);
}

storage_s3_opts_t storage_s3_opts(const config_t *cfg)
{
    return (storage_s3_opts_t){.bucket = cfg->s3_bucket,
                               .region = cfg->s3_region,
                               .endpoint = cfg->s3_endpoint,
                               .path_style = cfg->s3_path_style,
                               .access_key = cfg->s3_access_key,
                               .secret_key = cfg->s3_secret_key};
}

storage_t *storage_from_config(const config_t *cfg, char *err, size_t errlen)
{
    if (config_check_media(cfg, err, errlen) != 0)
        return NULL;
    if (!strcmp(cfg->media_backend, "s3")) {
        storage_s3_opts_t o = storage_s3_opts(cfg);
        return storage_new_s3(&o, cfg->public_url, err, errlen);
    }
    return storage_new(cfg->media_dir, cfg->public_url, err, errlen);
}

void storage_free(storage_t *s)
{
    if (!s)
        return;
    s->backend->free(s->impl);
    free(s->public_url);
    free(s);
}

const char *storage_backend_name(const storage_t *s)
{
    return s ? s->backend->name : "none";
}

/* ---- objects ----------------------------------------------------------------- */

static const char *mime_of_ext(const char *ext)
{
    return !strcmp(ext, "png") ? "image/png" : !strcmp(ext, "webp") ? "image/webp" : "image/jpeg";
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
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[HASH_HEX + 1];
    crypto_hash_sha256(hash, data ? data : (const unsigned char *)"", len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    const char *k = arena_printf(a, "%s/%s.%s", folder, hex, ext);
    if (s->backend->put(s->impl, a, k, data, len, mime_of_ext(ext)) != 0)
        return -1;
    *key = k;
    *url = arena_printf(a, "%s/media/%s", s->public_url, k);
    return 0;
}

int storage_put_key(storage_t *s, arena_t *a, const char *key, const unsigned char *data,
                    size_t len)
{
    if (!s || !storage_key_valid(key) || (!data && len))
        return -1;
    return s->backend->put(s->impl, a, key, data, len, storage_key_mime(key));
}

storage_rc_t storage_get(storage_t *s, arena_t *a, const char *key, unsigned char **data,
                         size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!s || !storage_key_valid(key))
        return STORAGE_NOT_FOUND;
    return s->backend->get(s->impl, a, key, data, len);
}

storage_rc_t storage_exists(storage_t *s, const char *key)
{
    if (!s || !storage_key_valid(key))
        return STORAGE_NOT_FOUND;
    return s->backend->exists(s->impl, key);
}

int storage_check(storage_t *s, char *err, size_t errlen)
{
    if (!s) {
        snprintf(err, errlen, "no media storage");
        return -1;
    }
    return s->backend->check(s->impl, err, errlen);
}
