/*
 * storage.h: where uploaded files (profile pictures, event covers) live,
 * behind a small adapter: local disk (the default) or an S3-compatible
 * bucket shared by every node. Files are named by the SHA-256 of their
 * content, so the same picture uploaded twice is stored once; the client's
 * filename is never used. Either way the files are served through
 * GET /media/{folder}/{file}, so a URL stays valid when the backend changes
 * (docs/deploy/README.md, "Media").
 */
#ifndef LOOPIN_STORAGE_H
#define LOOPIN_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "http/router.h"

#define MEDIA_MAX_IMAGE_BYTES (5 * 1024 * 1024)

typedef struct storage storage_t;

typedef enum { IMAGE_NONE = 0, IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP } image_type_t;

typedef struct {
    const char *bucket, *region, *endpoint; /* endpoint: http(s)://host[:port] */
    bool path_style;                        /* endpoint/bucket/key, else bucket.host/key */
    const char *access_key, *secret_key;
} storage_s3_opts_t;

/* Local disk under media_dir (created if missing); public URLs are
 * public_url + "/media/" + key. */
storage_t *storage_new(const char *media_dir, const char *public_url, char *err, size_t errlen);
/* An S3-compatible bucket, signed with libcurl's AWS SigV4. Nothing is sent
 * until the first call (storage_check tries the bucket). */
storage_t *storage_new_s3(const storage_s3_opts_t *o, const char *public_url, char *err,
                          size_t errlen);
/* The backend LOOPIN_MEDIA_BACKEND names. */
storage_t *storage_from_config(const config_t *cfg, char *err, size_t errlen);
/* The S3 settings of cfg, whatever the backend (media migrate's target). */
storage_s3_opts_t storage_s3_opts(const config_t *cfg);
void storage_free(storage_t *s);
const char *storage_backend_name(const storage_t *s);

/* Content sniffing by magic bytes (JPEG FF D8 FF, PNG 89 50 4E 47 0D 0A 1A 0A,
 * WEBP "RIFF"....“WEBP”). */
image_type_t image_sniff(const unsigned char *data, size_t len);
const char *image_mime(image_type_t t);
const char *image_ext(image_type_t t);

typedef enum {
    IMAGE_OK = 0,
    IMAGE_EMPTY,         /* 0 bytes */
    IMAGE_TOO_LARGE,     /* > MEDIA_MAX_IMAGE_BYTES */
    IMAGE_BAD_TYPE,      /* declared content type not image/jpeg|jpg|png|webp */
    IMAGE_BAD_EXTENSION, /* filename extension not jpg|jpeg|png|webp or disagrees with type */
    IMAGE_BAD_CONTENT,   /* bytes are not the declared image type */
} image_check_t;

/* Checks an uploaded file: declared type, extension, size and content must
 * all agree. *type gets the sniffed type on IMAGE_OK. */
image_check_t image_check(const http_file_t *f, image_type_t *type);

/* Stores data under "<folder>/<sha256 hex>.<ext>" (folder: "profiles",
 * "events"; [a-z]+ only); an object already there under that name is the
 * same bytes and is kept. A reader never sees half a file. On success *key
 * is an arena string and *url the absolute public URL. Nothing is ever
 * deleted on a failed request: the object may be shared, and the client's
 * retry finds it again by its hash. */
int storage_put(storage_t *s, arena_t *a, const char *folder, const unsigned char *data, size_t len,
                const char *ext, const char **key, const char **url);
/* Stores data under an existing key as it is (media migrate). */
int storage_put_key(storage_t *s, arena_t *a, const char *key, const unsigned char *data,
                    size_t len);
/* True when key is "<[a-z]{1,32}>/<hex>.<jpg|png|webp>" with 64 hex digits
 * (content hash) or 32 (random names of earlier releases): the only shapes
 * ever stored, so the only ones ever looked up. */
bool storage_key_valid(const char *key);

typedef enum { STORAGE_OK = 0, STORAGE_NOT_FOUND, STORAGE_TOO_LARGE, STORAGE_ERROR } storage_rc_t;

/* Reads a stored object into a's memory. NOT_FOUND for a missing object, a
 * malformed key, a symlink or anything but a regular file; TOO_LARGE past
 * MEDIA_MAX_IMAGE_BYTES; ERROR (logged) when the backend failed. */
storage_rc_t storage_get(storage_t *s, arena_t *a, const char *key, unsigned char **data,
                         size_t *len);
/* OK when the object exists. */
storage_rc_t storage_exists(storage_t *s, const char *key);
/* 0 when the backend can be written and read right now; else -1 and why
 * (`loopin doctor`). Local: the directory is writable. S3: the bucket
 * answers a signed request. */
int storage_check(storage_t *s, char *err, size_t errlen);

/* Calls fn for every stored key under a local media directory (files of
 * any other shape are counted in *skipped, not passed). Stops when fn
 * returns non-zero and returns that; -1 when the directory cannot be read. */
int storage_local_each(const char *media_dir, int (*fn)(const char *key, void *ctx), void *ctx,
                       int *skipped);

/* Routes: GET /media/{folder}/{file} serves stored files with their image
 * content type, long cache lifetime and nosniff; anything else is 404. */
extern const struct module media_module;

#endif
