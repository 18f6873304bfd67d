/*
 * fuzz_multipart.c: libFuzzer driver for form_parse_multipart and
 * form_multipart_boundary. Input: the first line is a Content-Type value
 * whose boundary parameter is used, or else the boundary itself; the rest is
 * the body. Every parsed field and file is walked so ASan sees any pointer
 * that escapes the body or the arena.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/form.h"

#define MP_MAX_PARTS 64 /* form.c's limit */

static void walk_fields(const http_kvs_t *fields)
{
    if (fields->n > MP_MAX_PARTS)
        abort();
    for (int i = 0; i < fields->n; i++) {
        const char *name = fields->items[i].name, *value = fields->items[i].value;
        if (!name || !value || !name[0])
            abort();
        (void)strlen(value);
        if (http_kvs_get(fields, name) == NULL)
            abort();
    }
}

static void walk_files(const http_file_t *files, int nfiles, const uint8_t *body, size_t len)
{
    if (nfiles < 0 || nfiles > MP_MAX_PARTS || (nfiles > 0 && !files))
        abort();
    for (int i = 0; i < nfiles; i++) {
        const http_file_t *f = &files[i];
        if (!f->field || !f->field[0] || !f->filename || !f->content_type)
            abort();
        (void)strlen(f->filename);
        (void)strlen(f->content_type);
        /* file data must lie inside the body */
        if (f->size > 0 && (f->data < body || f->data + f->size > body + len))
            abort();
        volatile unsigned sum = 0;
        for (size_t j = 0; j < f->size; j++)
            sum += f->data[j];
        (void)sum;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t blen = nl ? (size_t)(nl - data) : size;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t body_len = size - (size_t)(body - data);

    arena_t arena;
    arena_init(&arena);
    /* the boundary is a C string: stop at NUL, drop a trailing CR */
    char *line = arena_strndup(&arena, (const char *)data, blen);
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';

    const char *boundary = form_multipart_boundary(line, &arena);
    if (boundary) {
        size_t bl = strlen(boundary);
        if (bl == 0 || bl > 70)
            abort();
    } else {
        boundary = line;
    }

    /* an exact-size copy so any over-read of the body is caught */
    uint8_t *copy = malloc(body_len ? body_len : 1);
    if (!copy)
        abort();
    memcpy(copy, body, body_len);

    http_kvs_t fields = {0};
    http_file_t *files = NULL;
    int nfiles = 0;
    mp_status_t st = form_parse_multipart((const char *)copy, body_len, boundary, &arena, &fields,
                                          &files, &nfiles);
    if (st != MP_OK && st != MP_BAD_FORMAT && st != MP_TOO_MANY_PARTS)
        abort();
    walk_fields(&fields);
    walk_files(files, nfiles, copy, body_len);
    if (st == MP_OK && fields.n + nfiles == 0)
        abort(); /* success means at least one part */

    free(copy);
    arena_free(&arena);
    return 0;
}
