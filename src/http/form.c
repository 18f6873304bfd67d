/*
 * form.c: urlencoded and multipart/form-data parsers. Both work on bytes
 * already in memory (bodies are buffered under a size limit), which keeps
 * them simple, bounded and fuzzable.
 */
#include "http/form.h"

#include <ctype.h>
#include <string.h>

#define MP_MAX_PARTS  64
#define MP_MAX_HEADER 8192

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long form_percent_decode(char *s, int plus_is_space)
{
    char *r = s, *w = s;
    while (*r) {
        if (*r == '%') {
            int hi = hexval(r[1]), lo = hi >= 0 ? hexval(r[2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            char c = (char)(hi * 16 + lo);
            if (c == '\0')
                return -1;
            *w++ = c;
            r += 3;
        } else if (*r == '+' && plus_is_space) {
            *w++ = ' ';
            r++;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (long)(w - s);
}

void http_kvs_add(http_kvs_t *kvs, arena_t *arena, const char *name, const char *value)
{
    if (kvs->n == kvs->cap) {
        int cap = kvs->cap ? kvs->cap * 2 : 8;
        http_kv_t *items = arena_alloc(arena, (size_t)cap * sizeof *items);
        if (kvs->n)
            memcpy(items, kvs->items, (size_t)kvs->n * sizeof *items);
        kvs->items = items;
        kvs->cap = cap;
    }
    kvs->items[kvs->n++] = (http_kv_t){name, value};
}

const char *http_kvs_get(const http_kvs_t *kvs, const char *name)
{
    for (int i = 0; i < kvs->n; i++)
        if (strcmp(kvs->items[i].name, name) == 0)
            return kvs->items[i].value;
    return NULL;
}

int form_parse_urlencoded(const char *s, size_t len, arena_t *arena, http_kvs_t *kvs)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        if (j > i) {
            char *piece = arena_strndup(arena, s + i, j - i);
            if (strlen(piece) != j - i)
                return -1; /* embedded NUL */
            char *eq = strchr(piece, '=');
            char *value = piece + strlen(piece); /* "" inside the arena copy */
            if (eq) {
                *eq = '\0';
                value = eq + 1;
            }
            if (form_percent_decode(piece, 1) < 0 || form_percent_decode(value, 1) < 0)
                return -1;
            if (piece[0])
                http_kvs_add(kvs, arena, piece, value);
        }
        i = j + 1;
    }
    return 0;
}

/* Finds needle in haystack[0..hlen) (memmem with explicit bounds). */
static const char *find(const char *h, size_t hlen, const char *needle, size_t nlen)
{
    return nlen ? memmem(h, hlen, needle, nlen) : NULL;
}

const char *form_multipart_boundary(const char *ct, arena_t *arena)
{
    const char *start = ct ? ct : "", *p = start;
    while ((p = strcasestr(p, "boundary=")) != NULL &&
           !(p > start && (p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t')))
        p += 9; /* "xboundary=" is another parameter */
    if (!p)
        return NULL;
    p += 9;
    size_t len;
    if (*p == '"') {
        const char *end = strchr(++p, '"');
        if (!end)
            return NULL;
        len = (size_t)(end - p);
    } else {
        len = strcspn(p, "; \t");
    }
    if (len == 0 || len > 70)
        return NULL;
    return arena_strndup(arena, p, len);
}

/* Reads a parameter such as name="x" from a Content-Disposition value.
 * Quoted values may contain ';'. */
static const char *disposition_param(const char *hdr, const char *key, arena_t *arena)
{
    size_t klen = strlen(key);
    const char *p = strchr(hdr, ';');
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *eq = strchr(p, '=');
        if (!eq)
            return NULL;
        const char *v = eq + 1, *vend;
        bool match = (size_t)(eq - p) == klen && strncasecmp(p, key, klen) == 0;
        if (*v == '"') {
            vend = strchr(++v, '"');
            if (!vend)
                return NULL;
            if (match)
                return arena_strndup(arena, v, (size_t)(vend - v));
            p = strchr(vend + 1, ';');
        } else {
            vend = v + strcspn(v, "; \t");
            if (match)
                return arena_strndup(arena, v, (size_t)(vend - v));
            p = strchr(vend, ';');
        }
    }
    return NULL;
}

typedef struct {
    const char *name, *filename, *content_type;
} part_headers_t;

/* Parses the header block of one part (text up to the blank line). */
static bool parse_part_headers(const char *h, size_t len, arena_t *arena, part_headers_t *out)
{
    memset(out, 0, sizeof *out);
    if (len > MP_MAX_HEADER)
        return false;
    char *block = arena_strndup(arena, h, len);
    if (strlen(block) != len)
        return false;
    for (char *line = block; line && *line;) {
        char *next = strstr(line, "\r\n");
        if (next) {
            *next = '\0';
            next += 2;
        }
        char *colon = strchr(line, ':');
        if (!colon)
            return false;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        if (strcasecmp(line, "Content-Disposition") == 0) {
            if (strncasecmp(value, "form-data", 9) != 0)
                return false;
            out->name = disposition_param(value, "name", arena);
            out->filename = disposition_param(value, "filename", arena);
        } else if (strcasecmp(line, "Content-Type") == 0) {
            out->content_type = arena_strdup(arena, value);
        }
        line = next;
    }
    return out->name && out->name[0];
}

static void add_file(http_file_t **files, int *nfiles, arena_t *arena, const part_headers_t *ph,
                     const char *data, size_t size)
{
    http_file_t *nf = arena_alloc(arena, (size_t)(*nfiles + 1) * sizeof *nf);
    if (*nfiles)
        memcpy(nf, *files, (size_t)*nfiles * sizeof *nf);
    nf[*nfiles] = (http_file_t){ph->name, ph->filename,
                                ph->content_type ? ph->content_type : "application/octet-stream",
                                (const unsigned char *)data, size};
    *files = nf;
    (*nfiles)++;
}

mp_status_t form_parse_multipart(const char *body, size_t len, const char *boundary, arena_t *arena,
                                 http_kvs_t *fields, http_file_t **files, int *nfiles)
{
    *files = NULL;
    *nfiles = 0;
    char *delim = arena_printf(arena, "\r\n--%s", boundary);
    size_t dlen = strlen(delim);
    /* The body starts with "--boundary" (the leading CRLF is optional). */
    const char *p = find(body, len, delim + 2, dlen - 2);
    if (!p)
        return MP_BAD_FORMAT;
    p += dlen - 2;
    const char *end = body + len;
    int parts = 0;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return parts > 0 ? MP_OK : MP_BAD_FORMAT; /* closing delimiter */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return MP_BAD_FORMAT;
        p += 2;
        const char *hend = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        const char *data = hend ? hend + 4 : NULL;
        if (!hend && end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p; /* a part with no headers at all */
            data = p + 2;
        }
        if (!hend)
            return MP_BAD_FORMAT;
        part_headers_t ph;
        if (!parse_part_headers(p, (size_t)(hend - p), arena, &ph))
            return MP_BAD_FORMAT;
        const char *next = find(data, (size_t)(end - data), delim, dlen);
        if (!next)
            return MP_BAD_FORMAT; /* truncated: no closing delimiter */
        if (++parts > MP_MAX_PARTS)
            return MP_TOO_MANY_PARTS;
        size_t size = (size_t)(next - data);
        if (ph.filename)
            add_file(files, nfiles, arena, &ph, data, size);
        else {
            char *v = arena_strndup(arena, data, size);
            if (strlen(v) != size)
                return MP_BAD_FORMAT; /* NUL inside a text field */
            http_kvs_add(fields, arena, ph.name, v);
        }
        p = next + dlen;
    }
}
