/*
 * jsonw.c: the streaming JSON writer (jsonw.h). The escaping follows what
 * jansson's encoder does with JSON_ENSURE_ASCII: \" \\ \b \f \n \r \t by
 * name, other control characters and every non-ASCII code point as \uXXXX
 * in upper-case hex (UTF-16 surrogate pairs above the BMP), DEL and '/'
 * left alone. jansson refuses to hold invalid UTF-8 at all; here such a
 * byte becomes U+FFFD so the output stays valid.
 */
#include "core/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(jw_t *w, strbuf_t *sb)
{
    memset(w, 0, sizeof *w);
    w->sb = sb;
}

void jw_continue_object(jw_t *w)
{
    w->depth = 1;
    w->has_items[0] = true;
}

/* The comma before a value, unless a key just wrote its own. */
static void before_value(jw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth - 1])
            sb_putc(w->sb, ',');
        w->has_items[w->depth - 1] = true;
    }
}

static void jw_open(jw_t *w, char c)
{
    before_value(w);
    sb_putc(w->sb, c);
    if (w->depth < JW_MAX_DEPTH)
        w->has_items[w->depth] = false;
    w->depth++;
}

static void jw_close(jw_t *w, char c)
{
    sb_putc(w->sb, c);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj(jw_t *w)
{
    jw_open(w, '{');
}

void jw_obj_end(jw_t *w)
{
    jw_close(w, '}');
}

void jw_arr(jw_t *w)
{
    jw_open(w, '[');
}

void jw_arr_end(jw_t *w)
{
    jw_close(w, ']');
}

void jw_key(jw_t *w, const char *key)
{
    before_value(w);
    jw_string_raw(w->sb, key);
    sb_putc(w->sb, ':');
    w->after_key = true;
}

/* The code point of the UTF-8 sequence at p (n bytes left), its length in
 * *len; -1 for a byte that does not start a valid, shortest sequence. */
static int32_t utf8_next(const unsigned char *p, size_t n, size_t *len)
{
    static const int32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t need = p[0] < 0x80             ? 1
                  : (p[0] & 0xe0) == 0xc0 ? 2
                  : (p[0] & 0xf0) == 0xe0 ? 3
                  : (p[0] & 0xf8) == 0xf0 ? 4
                                          : 0;
    *len = 1;
    if (need == 0 || need > n)
        return -1;
    int32_t cp = need == 1 ? p[0] : p[0] & (0x7f >> need);
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *len = need;
    return cp;
}

static void put_u(strbuf_t *sb, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char seq[6] = {'\\',       'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                   hex[v & 15]};
    sb_append(sb, seq, sizeof seq);
}

/* Bytes copied as they are: printable ASCII but the quote and backslash. */
// clang-format off
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
// clang-format on

static void string_n(strbuf_t *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    sb_putc(sb, '"');
    while (p < end) {
        if (plain[*p]) {
            p++; /* copied in runs */
            continue;
        }
        sb_append(sb, (const char *)run, (size_t)(p - run));
        size_t len;
        int32_t cp = utf8_next(p, (size_t)(end - p), &len);
        const char *named = cp == '"'    ? "\\\""
                            : cp == '\\' ? "\\\\"
                            : cp == '\b' ? "\\b"
                            : cp == '\f' ? "\\f"
                            : cp == '\n' ? "\\n"
                            : cp == '\r' ? "\\r"
                            : cp == '\t' ? "\\t"
                                         : NULL;
        if (named)
            sb_append(sb, named, 2);
        else if (cp < 0)
            put_u(sb, 0xfffd);
        else if (cp < 0x10000)
            put_u(sb, (unsigned)cp);
        else {
            put_u(sb, 0xd800u | (((unsigned)cp - 0x10000u) >> 10));
            put_u(sb, 0xdc00u | (((unsigned)cp - 0x10000u) & 0x3ffu));
        }
        p += len;
        run = p;
    }
    sb_append(sb, (const char *)run, (size_t)(p - run));
    sb_putc(sb, '"');
}

void jw_string_raw(strbuf_t *sb, const char *s)
{
    string_n(sb, s, strlen(s));
}

void jw_strn(jw_t *w, const char *s, size_t n)
{
    before_value(w);
    string_n(w->sb, s, n);
}

void jw_str(jw_t *w, const char *s)
{
    before_value(w);
    if (s)
        jw_string_raw(w->sb, s);
    else
        sb_append(w->sb, "null", 4);
}

void jw_int(jw_t *w, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    before_value(w);
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    sb_append(w->sb, p, (size_t)(buf + sizeof buf - p));
}

void jw_bool(jw_t *w, bool v)
{
    before_value(w);
    sb_append(w->sb, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(jw_t *w)
{
    before_value(w);
    sb_append(w->sb, "null", 4);
}

/* "%.10g", then as jansson prints reals: always a '.' or an 'e' (so the
 * value reads back as a real), and no '+' or leading zeros in the exponent. */
void jw_real(jw_t *w, double v)
{
    char buf[48];
    before_value(w);
    if (!isfinite(v)) { /* jansson cannot hold these either */
        sb_append(w->sb, "null", 4);
        return;
    }
    int n = snprintf(buf, sizeof buf - 3, "%.10g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 3) {
        sb_append(w->sb, "null", 4);
        return;
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *digits = e + 1 + (e[1] == '-'), *from = e + 1;
        from += *from == '+' || *from == '-';
        while (*from == '0' && from[1])
            from++;
        if (e[1] == '-')
            memmove(digits, from, strlen(from) + 1);
        else
            memmove(e + 1, from, strlen(from) + 1);
        n = (int)strlen(buf);
    }
    sb_append(w->sb, buf, (size_t)n);
}

void jw_json(jw_t *w, json_t *v)
{
    size_t i;
    const char *key;
    json_t *item;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        jw_obj(w);
        json_object_foreach(v, key, item)
        {
            jw_key(w, key);
            jw_json(w, item);
        }
        jw_obj_end(w);
        break;
    case JSON_ARRAY:
        jw_arr(w);
        for (i = 0; i < json_array_size(v); i++)
            jw_json(w, json_array_get(v, i));
        jw_arr_end(w);
        break;
    case JSON_STRING:
        jw_str(w, json_string_value(v));
        break;
    case JSON_INTEGER:
        jw_int(w, json_integer_value(v));
        break;
    case JSON_REAL:
        jw_real(w, json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        jw_bool(w, json_is_true(v));
        break;
    case JSON_NULL:
    default:
        jw_null(w);
        break;
    }
}
