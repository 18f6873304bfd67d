/*
 * text.c: UTF-8 length with validation, trimming and the API's timestamp
 * form (text.h).
 */
#include "core/text.h"

#include <string.h>

#include "core/clock.h"

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, or beyond U+10FFFF */
    return n;
}

long text_utf8_length(const char *s)
{
    long count = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; count++) {
        size_t n = utf8_seq(p);
        if (n == 0)
            return -1;
        p += n;
    }
    return count;
}

bool text_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *text_trim(arena_t *a, const char *s)
{
    while (text_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && text_is_space(s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

bool text_etag_matches(const char *if_match, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = if_match; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((len == 1 && *p == '*') || (len == n && strncmp(p, tag, n) == 0))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

json_t *text_json_time(int64_t usec)
{
    if (usec == 0)
        return json_null();
    char iso[32];
    clock_format_iso(usec, iso);
    return json_string(iso);
}

char *text_like_pattern(arena_t *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(a, 2 * n + 3), *o = p;
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

const char *text_clip(arena_t *a, const char *s, long max)
{
    const char *p = s;
    for (long n = 0; *p && n < max; n++)
        for (p++; (*p & 0xC0) == 0x80; p++)
            ;
    return *p ? arena_printf(a, "%.*s", (int)(p - s), s) : s;
}

json_t *text_json_time_or_null(int64_t usec)
{
    return usec ? text_json_time(usec) : json_null();
}

json_t *text_json_first_string(const char *array_text)
{
    json_t *all = json_loads(array_text ? array_text : "[]", 0, NULL);
    json_t *first = json_incref(json_array_get(all, 0));
    json_decref(all);
    return json_is_string(first) ? first : (json_decref(first), json_null());
}

/* text parsed, when it is JSON of the wanted type; else a new empty one. */
static json_t *json_of_type(const char *text, json_type want)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (v && json_typeof(v) == want)
        return v;
    json_decref(v);
    return want == JSON_ARRAY ? json_array() : json_object();
}

json_t *text_json_array(const char *text)
{
    return json_of_type(text, JSON_ARRAY);
}

json_t *text_json_object(const char *text)
{
    return json_of_type(text, JSON_OBJECT);
}
