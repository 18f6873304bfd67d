/*
 * cidr.c: address ranges over inet_pton. Entries are checked strictly (no
 * host bits beyond the prefix) so a typo such as 10.0.0.1/8 is reported at
 * start rather than silently widened.
 */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ip_parse(const char *s, unsigned char out[16])
{
    if (!s)
        return 0;
    if (inet_pton(AF_INET, s, out) == 1)
        return 4;
    unsigned char v6[16];
    if (inet_pton(AF_INET6, s, v6) != 1)
        return 0;
    if (memcmp(v6, v4_mapped, sizeof v4_mapped) == 0) {
        memcpy(out, v6 + 12, 4);
        return 4;
    }
    memcpy(out, v6, 16);
    return 16;
}

/* True when the first bits of a and b agree. */
static bool prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static bool host_bits_clear(const cidr_t *c)
{
    for (int bit = c->bits; bit < c->len * 8; bit++)
        if (c->addr[bit / 8] & (0x80 >> (bit % 8)))
            return false;
    return true;
}

/* One entry "addr" or "addr/bits" of length n. */
static int parse_entry(const char *s, size_t n, cidr_t *c, char *err, size_t errlen)
{
    char buf[64];
    if (n >= sizeof buf) {
        snprintf(err, errlen, "\"%.*s...\" is not an address or range", 40, s);
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    c->len = ip_parse(buf, c->addr);
    if (!c->len) {
        snprintf(err, errlen, "\"%s\" is not an IP address", buf);
        return -1;
    }
    c->bits = c->len * 8;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || bits < 0 || bits > c->len * 8) {
            snprintf(err, errlen, "\"%s/%s\": the prefix must be 0-%d", buf, slash + 1, c->len * 8);
            return -1;
        }
        c->bits = (int)bits;
    }
    if (!host_bits_clear(c)) {
        snprintf(err, errlen, "\"%s/%d\" has bits set beyond its prefix", buf, c->bits);
        return -1;
    }
    return 0;
}

int cidr_list_parse(const char *s, cidr_list_t *out, char *err, size_t errlen)
{
    out->n = 0;
    for (const char *p = s ? s : ""; *p;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (!n)
            break;
        if (out->n == CIDR_MAX) {
            snprintf(err, errlen, "more than %d ranges", CIDR_MAX);
            return -1;
        }
        if (parse_entry(p, n, &out->items[out->n], err, errlen) != 0)
            return -1;
        out->n++;
        p += n;
    }
    return 0;
}

bool cidr_list_contains(const cidr_list_t *l, const char *ip)
{
    unsigned char a[16];
    int len = ip_parse(ip, a);
    if (!len || !l)
        return false;
    for (int i = 0; i < l->n; i++)
        if (l->items[i].len == len && prefix_equal(a, l->items[i].addr, l->items[i].bits))
            return true;
    return false;
}
