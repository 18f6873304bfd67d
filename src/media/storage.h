/*
 * storage.h: where uploaded files (profile pictures, event covers) live,
 * behind a small adapter so an S3-compatible backend can replace local disk
 * later. Files get random names; the client's filename is never used for
 * the path.
 */
#ifndef LOOPIN_STORAGE_H
#define LOOPIN_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/router.h"

#define MEDIA_MAX_IMAGE_BYTES (5 * 1024 * 1024)

typedef struct storage storage_t;

typedef enum { IMAGE_NONE = 0, IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP } image_type_t;

/* Local disk under media_dir (created if missing); public URLs are
 * public_url + "/media/" + key. */
storage_t *storage_new(const char *media_dir, const char *public_url, char *err, size_t errlen);
void storage_free(storage_t *s);

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

/* Stores data under "<folder>/<32 random hex>.<ext>" (folder: "profiles",
 * "events"; [a-z]+ only), writing to a temp file and renaming so a reader
 * never sees half a file. On success *key is an arena string (the path
 * under the media dir) and *url the absolute public URL. */
int storage_put(storage_t *s, arena_t *a, const char *folder, const unsigned char *data, size_t len,
                const char *ext, const char **key, const char **url);
/* True when key is "<[a-z]{1,32}>/<32 lower hex>.<jpg|png|webp>", the only
 * shape storage_put produces. */
bool storage_key_valid(const char *key);
/* Read-only fd (O_RDONLY|O_NOFOLLOW|O_CLOEXEC) for a stored key; -1 with
 * errno (ENOENT for a malformed key, ELOOP for a symlink). */
int storage_open(storage_t *s, const char *key);

/* Removes a stored file (used to roll back a failed multi-file upload). */
void storage_delete(storage_t *s, const char *key);

/* Routes: GET /media/{folder}/{file} serves stored files with their image
 * content type, long cache lifetime and nosniff; anything else is 404. */
extern const struct module media_module;

#endif
