/*
 * storage_internal.h: the backends' side of storage.h. storage.c checks keys
 * and names objects; a backend only moves bytes for keys already checked.
 */
#ifndef LOOPIN_STORAGE_INTERNAL_H
#define LOOPIN_STORAGE_INTERNAL_H

#include "media/storage.h"

typedef struct {
    const char *name;
    /* Writes the object unless it exists (same key, same bytes). */
    int (*put)(void *impl, arena_t *a, const char *key, const unsigned char *data, size_t len,
               const char *mime);
    storage_rc_t (*get)(void *impl, arena_t *a, const char *key, unsigned char **data, size_t *len);
    storage_rc_t (*exists)(void *impl, const char *key);
    int (*check)(void *impl, char *err, size_t errlen);
    void (*free)(void *impl);
} storage_backend_t;

extern const storage_backend_t storage_local_backend;
extern const storage_backend_t storage_s3_backend;

/* Backend constructors: NULL with err on failure. */
void *storage_local_open(const char *media_dir, char *err, size_t errlen);
void *storage_s3_open(const storage_s3_opts_t *o, char *err, size_t errlen);

/* The MIME type a valid key's extension names. */
const char *storage_key_mime(const char *key);

#endif
