/*
 * slug.c: event identity of API.md 14.3: URL slugs folded from titles and
 * city names, canonical ids from the CSPRNG, and the canonical URL with its
 * last path segment "{slug}--{canonical_id}".
 */
#include "events/slug.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/rand.h"

#define UTF8_INVALID UINT32_MAX

/* ---------------------------------------------------------------------------
 * Folding non-ASCII text to ASCII
 *
 * 14.3 says "NFD-normalize and drop combining marks". Without ICU we get the
 * same result for Latin text from a table: every precomposed Latin letter
 * (U+00C0-U+024F, U+1E00-U+1EFF) maps to the base letter of its NFD form,
 * already lower-cased. Combining marks (U+0300-U+036F), like every other
 * non-ASCII character, are then simply dropped. Where NFD has no
 * decomposition we still pick the letter a reader would type: letters "with
 * stroke/hook/bar" (ø, ł, đ, ħ, ƒ) become their base letter, ð -> d, ı -> i,
 * ſ -> s, and ligatures expand ('*' in the table: ß -> ss, æ -> ae, ...).
 * '.' marks characters that are not letters or have no Latin base (×, ÷,
 * schwa, ezh, clicks); they are dropped.
 *
 * The tables were generated from Python's unicodedata (NFD base letter, or
 * "LATIN ... LETTER X WITH ..." for the undecomposable ones).
 */

static const char LATIN_00C0_024F[] = "aaaaaa*ceeeeiiiidnooooo.ouuuuy**" /* U+00C0 */
                                      "aaaaaa*ceeeeiiiidnooooo.ouuuuy*y" /* U+00E0 */
                                      "aaaaaaccccccccddddeeeeeeeeeegggg" /* U+0100 */
                                      "gggghhhhiiiiiiiiii**jjkk.lllllll" /* U+0120 */
                                      "lllnnnnnnn**oooooo**rrrrrrssssss" /* U+0140 */
                                      "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs" /* U+0160 */
                                      "bbbb...cc.ddd....ffg.*.ikkl..nno" /* U+0180 */
                                      "oo**pp.....ttttuu.vyyzz........." /* U+01A0 */
                                      "....*********aaiioouuuuuuuuuu.aa" /* U+01C0 */
                                      "aa**ggggkkoooo..j***gg*.nnaa**oo" /* U+01E0 */
                                      "aaaaeeeeiiiioooorrrruuuusstt..hh" /* U+0200 */
                                      "nd**zzaaeeooooooooyylntj**acclts" /* U+0220 */
                                      "z..b..eejj.qrryy";                /* U+0240 */

static const char LATIN_1E00_1EFF[] = "aabbbbbbccddddddddddeeeeeeeeeeff"  /* U+1E00 */
                                      "gghhhhhhhhhhiiiikkkkkkllllllllmm"  /* U+1E20 */
                                      "mmmmnnnnnnnnoooooooopppprrrrrrrr"  /* U+1E40 */
                                      "ssssssssssttttttttuuuuuuuuuuvvvv"  /* U+1E60 */
                                      "wwwwwwwwwwxxxxyyzzzzzzhtwyasss*."  /* U+1E80 */
                                      "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"  /* U+1EA0 */
                                      "eeeeeeeeiiiioooooooooooooooooooo"  /* U+1EC0 */
                                      "oooouuuuuuuuuuuuuuyyyyyyyy**..yy"; /* U+1EE0 */

_Static_assert(sizeof LATIN_00C0_024F - 1 == 0x250 - 0xC0, "one entry per code point");
_Static_assert(sizeof LATIN_1E00_1EFF - 1 == 0x100, "one entry per code point");

/* The '*' entries. */
static const struct {
    uint32_t cp;
    char ascii[3];
} LATIN_LIGATURES[] = {
    {0x00C6, "ae"}, {0x00DE, "th"}, {0x00DF, "ss"}, {0x00E6, "ae"}, {0x00FE, "th"}, {0x0132, "ij"},
    {0x0133, "ij"}, {0x014A, "ng"}, {0x014B, "ng"}, {0x0152, "oe"}, {0x0153, "oe"}, {0x0195, "hv"},
    {0x01A2, "oi"}, {0x01A3, "oi"}, {0x01C4, "dz"}, {0x01C5, "dz"}, {0x01C6, "dz"}, {0x01C7, "lj"},
    {0x01C8, "lj"}, {0x01C9, "lj"}, {0x01CA, "nj"}, {0x01CB, "nj"}, {0x01CC, "nj"}, {0x01E2, "ae"},
    {0x01E3, "ae"}, {0x01F1, "dz"}, {0x01F2, "dz"}, {0x01F3, "dz"}, {0x01F6, "hv"}, {0x01FC, "ae"},
    {0x01FD, "ae"}, {0x0222, "ou"}, {0x0223, "ou"}, {0x0238, "db"}, {0x0239, "qp"}, {0x1E9E, "ss"},
    {0x1EFA, "ll"}, {0x1EFB, "ll"},
};

/* Writes the ASCII letters a non-ASCII code point folds to into buf and
 * returns how many (0: the character is dropped). */
static size_t fold_latin(uint32_t cp, char buf[2])
{
    char c;
    if (cp >= 0xC0 && cp <= 0x24F)
        c = LATIN_00C0_024F[cp - 0xC0];
    else if (cp >= 0x1E00 && cp <= 0x1EFF)
        c = LATIN_1E00_1EFF[cp - 0x1E00];
    else if (cp == 0x212A) /* KELVIN SIGN: NFD "K" */
        c = 'k';
    else if (cp == 0x212B) /* ANGSTROM SIGN: NFD "A" + ring */
        c = 'a';
    else
        return 0;

    if (c == '.')
        return 0;
    if (c != '*') {
        buf[0] = c;
        return 1;
    }
    for (size_t i = 0; i < sizeof LATIN_LIGATURES / sizeof LATIN_LIGATURES[0]; i++) {
        if (LATIN_LIGATURES[i].cp == cp) {
            memcpy(buf, LATIN_LIGATURES[i].ascii, 2);
            return 2;
        }
    }
    return 0;
}

/* Whitespace as Python's str.isspace() sees it (what `\s` matched in the
 * reference implementation): ASCII controls 0x09-0x0D and 0x1C-0x1F, space,
 * NEL, no-break spaces and the Unicode space separators. */
static bool is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static bool is_slug_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_base62(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decodes the UTF-8 sequence at s (NUL-terminated) into *cp and returns its
 * length. A malformed sequence (stray continuation byte, truncation, overlong
 * form, surrogate, above U+10FFFF) yields UTF8_INVALID and a length of 1, so
 * the caller drops only the bad byte and resynchronises on the next one; the
 * NUL terminator is never a continuation byte, so nothing past it is read. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        *cp = UTF8_INVALID;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = UTF8_INVALID;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = UTF8_INVALID;
        return 1;
    }
    *cp = v;
    return len;
}

/* ---------------------------------------------------------------------------
 * slug_generate
 *
 * Rules 2-5 run as one pass over the folded characters: a separator
 * (whitespace, '_' or '-') only marks a '-' as pending, and the pending '-'
 * is written just before the next [a-z0-9]. So the output never starts,
 * ends or doubles a '-', and it is exactly the fully-processed slug, written
 * until max_len characters are there. Needing one more character means the
 * slug is longer than max_len, and rule 6 applies to what was written.
 */

struct slug_writer {
    char *out;
    size_t max_len;
    size_t len;
    bool dash_pending;
    bool overflow; /* the whole slug is longer than max_len */
};

static void writer_separator(struct slug_writer *w)
{
    if (w->len > 0)
        w->dash_pending = true;
}

static void writer_char(struct slug_writer *w, char c)
{
    if (w->dash_pending) {
        if (w->len == w->max_len) {
            w->overflow = true;
            return;
        }
        w->out[w->len++] = '-';
        w->dash_pending = false;
    }
    if (w->len == w->max_len) {
        w->overflow = true;
        return;
    }
    w->out[w->len++] = c;
}

/* Rule 6: the slug was cut at max_len; if its last '-' is after 80% of
 * max_len, cut there instead (a word boundary), then drop a trailing '-'.
 * `idx > 0.8 * max_len` in integers: 5 * idx > 4 * max_len, i.e. idx is above
 * floor(4 * max_len / 5) = max_len - ceil(max_len / 5), written so that it
 * cannot overflow. */
static size_t cut_at_word(const char *s, size_t len, size_t max_len)
{
    size_t floor80 = max_len - max_len / 5 - (max_len % 5 != 0);
    const char *dash = memrchr(s, '-', len);
    if (dash && (size_t)(dash - s) > floor80)
        len = (size_t)(dash - s);
    while (len > 0 && s[len - 1] == '-')
        len--;
    return len;
}

void slug_generate(const char *text, size_t max_len, const char *fallback, char *out)
{
    struct slug_writer w = {.out = out, .max_len = max_len};
    const unsigned char *p = (const unsigned char *)(text ? text : "");

    while (*p && !w.overflow) {
        uint32_t cp;
        p += utf8_decode(p, &cp);
        if (cp == UTF8_INVALID)
            continue;
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (is_slug_char(c))
                writer_char(&w, c);
            else if (c == '_' || c == '-' || is_space(cp))
                writer_separator(&w);
            /* any other ASCII character is dropped (rule 4) */
        } else if (is_space(cp)) {
            writer_separator(&w);
        } else {
            char folded[2];
            size_t n = fold_latin(cp, folded);
            for (size_t i = 0; i < n; i++)
                writer_char(&w, folded[i]);
        }
    }
    if (w.overflow)
        w.len = cut_at_word(out, w.len, max_len);

    if (w.len == 0) {
        /* Rule 7. out holds max_len + 1 bytes, so even the fallback is cut to
         * max_len (only matters for max_len below its length). */
        const char *fb = fallback ? fallback : "event";
        w.len = strnlen(fb, max_len);
        memcpy(out, fb, w.len);
    }
    out[w.len] = '\0';
}

/* ---------------------------------------------------------------------------
 * Validation, canonical ids and URLs
 */

bool slug_valid(const char *s)
{
    if (!s || !*s)
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        if (n == SLUG_STORED_MAX)
            return false;
        if (s[n] == '-') {
            if (n == 0 || s[n - 1] == '-')
                return false;
        } else if (!is_slug_char(s[n])) {
            return false;
        }
    }
    return s[n - 1] != '-';
}

void slug_canonical_id(char *out)
{
    rand_base62(out, CANONICAL_ID_LEN);
}

bool slug_canonical_url(const char *country_code, const char *city_slug, const char *slug,
                        const char *canonical_id, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return false;
    if (!country_code || !city_slug || !slug || !canonical_id) {
        out[0] = '\0';
        return false;
    }
    int n =
        snprintf(out, outlen, "/%s/%s/events/%s--%s", country_code, city_slug, slug, canonical_id);
    if (n < 0 || (size_t)n >= outlen) {
        out[0] = '\0'; /* never hand out a truncated URL */
        return false;
    }
    return true;
}

/* A slug never contains "--" and a canonical id never contains '-', so the
 * last "--" is the only possible split point; anything that does not then
 * give a valid slug and a 1..CANONICAL_ID_LEN base62 id is refused. */
bool slug_split_path_segment(const char *segment, char *slug, size_t slug_len, char *cid,
                             size_t cid_len)
{
    if (slug && slug_len > 0)
        slug[0] = '\0';
    if (cid && cid_len > 0)
        cid[0] = '\0';
    if (!segment || !slug || !cid)
        return false;

    const char *sep = NULL;
    for (const char *p = segment; p[0] && p[1]; p++)
        if (p[0] == '-' && p[1] == '-')
            sep = p;
    if (!sep)
        return false;

    size_t slen = (size_t)(sep - segment);
    const char *id = sep + 2;
    size_t idlen = strlen(id);
    if (slen == 0 || slen > SLUG_STORED_MAX || slen >= slug_len)
        return false;
    if (idlen == 0 || idlen > CANONICAL_ID_LEN || idlen >= cid_len)
        return false;
    for (size_t i = 0; i < idlen; i++)
        if (!is_base62(id[i]))
            return false;

    memcpy(slug, segment, slen);
    slug[slen] = '\0';
    if (!slug_valid(slug)) {
        slug[0] = '\0';
        return false;
    }
    memcpy(cid, id, idlen + 1);
    return true;
}
