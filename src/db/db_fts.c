/*
 * db_fts.c: full-text search of events, the one dialect difference big
 * enough to need code: the predicate text and the query syntax. User input
 * is reduced to plain words first, so neither tsquery operators nor FTS5
 * syntax can be injected (the query is also bound, never spliced).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"

#define MAX_WORDS 8
#define MAX_WORD  64

void db_fts_events_predicate(db_dialect_t d, int param, char *out, size_t outlen)
{
    /* PostgreSQL: the stored column of migration 0014 (GIN indexed). */
    if (d == DB_DIALECT_PG)
        snprintf(out, outlen, "e.search_tsv @@ to_tsquery('simple', $%d)", param);
    else
        snprintf(out, outlen, "e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH $%d)",
                 param);
}

/* Length of the UTF-8 sequence at p when it encodes a letter-like code
 * point (not in the punctuation and symbol blocks), else 0. */
static size_t word_char(const unsigned char *p)
{
    if (*p < 0x80)
        return isalnum(*p) ? 1 : 0;
    size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
    unsigned cp = n == 2 ? *p & 0x1f : n == 3 ? *p & 0x0f : *p & 0x07;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    bool punct = (cp >= 0x80 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 ||
                 (cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
                 (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff0f) ||
                 (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0x1f000);
    return n && !punct ? n : 0;
}

int db_fts_query(db_dialect_t d, const char *text, char *out, size_t outlen)
{
    /* Refuse rather than silently drop words the caller asked for. */
    const unsigned char *scan = (const unsigned char *)(text ? text : "");
    int nwords = 0;
    while (*scan) {
        size_t n, chars = 0;
        while (*scan && word_char(scan) == 0)
            scan++;
        while (*scan && (n = word_char(scan)) > 0) {
            scan += n;
            chars++;
        }
        if (chars > MAX_WORD || (chars > 0 && ++nwords > MAX_WORDS))
            return -1;
    }
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t off = 0;
    int words = 0;
    out[0] = '\0';
    while (*p && words < MAX_WORDS) {
        size_t n;
        while (*p && (n = word_char(p)) == 0)
            p++;
        char word[MAX_WORD * 4 + 1];
        size_t wl = 0;
        while (*p && (n = word_char(p)) > 0) {
            bool fits = wl + n <= sizeof word - 1; /* never cut a UTF-8 sequence */
            for (size_t i = 0; i < n; i++, p++)
                if (fits)
                    word[wl++] = (char)tolower(*p);
        }
        if (wl == 0)
            break;
        word[wl] = '\0';
        int w = d == DB_DIALECT_PG
                    ? snprintf(out + off, outlen - off, "%s%s:*", words ? " & " : "", word)
                    : snprintf(out + off, outlen - off, "%s\"%s\"*", words ? " AND " : "", word);
        if (w < 0 || (size_t)w >= outlen - off)
            break;
        off += (size_t)w;
        words++;
    }
    return words;
}
