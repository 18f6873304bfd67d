/*
 * strbuf.h: a growable byte buffer (malloc-backed) for building log lines,
 * metrics text and response bodies, with JSON string escaping.
 */
#ifndef LOOPIN_STRBUF_H
#define LOOPIN_STRBUF_H

#include <stddef.h>

typedef struct {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len, cap;
} strbuf_t;

void sb_init(strbuf_t *sb);
void sb_free(strbuf_t *sb);
void sb_append(strbuf_t *sb, const char *s, size_t n);
void sb_puts(strbuf_t *sb, const char *s);
/* Inline: the JSON writers put one byte at a time between values. */
static inline void sb_putc(strbuf_t *sb, char c)
{
    if (sb->len + 2 <= sb->cap) {
        sb->data[sb->len++] = c;
        sb->data[sb->len] = '\0';
    } else {
        sb_append(sb, &c, 1);
    }
}
void sb_printf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string (control characters and invalid UTF-8
 * bytes escaped, so a log line stays one valid JSON line). */
void sb_json_string(strbuf_t *sb, const char *s);
/* Hands the buffer over to the caller (free() it); the strbuf is reset. */
char *sb_steal(strbuf_t *sb, size_t *len);
/* Appends s as HTML text or attribute value (& < > " ' escaped). */
void sb_html(strbuf_t *sb, const char *s);

#endif
