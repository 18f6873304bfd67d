/*
 * cidr.h: address ranges ("10.0.0.0/8", "::1", "192.0.2.7") and the test
 * whether an address falls in one. Used for the trusted proxies whose
 * forwarding headers are believed, and the payment provider's allow-list.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as their IPv4 address.
 */
#ifndef LOOPIN_CIDR_H
#define LOOPIN_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#define CIDR_MAX 32

typedef struct {
    unsigned char addr[16]; /* network address; IPv4 in the first 4 bytes */
    int len;                /* 4 or 16 */
    int bits;               /* prefix length */
} cidr_t;

typedef struct {
    int n;
    cidr_t items[CIDR_MAX];
} cidr_list_t;

/* Parses an address into its bytes: 4 for IPv4 (and IPv4-mapped IPv6), 16
 * for IPv6. Returns the length, or 0 when s is not an address. */
int ip_parse(const char *s, unsigned char out[16]);

/* A comma- or space-separated list; an address without "/bits" is one host.
 * Returns 0, or -1 with a message naming the bad entry (host bits set, a
 * prefix too long, too many entries, not an address). An empty s is an
 * empty list. */
int cidr_list_parse(const char *s, cidr_list_t *out, char *err, size_t errlen);

/* True when the address ip (text) is inside one of l's ranges. */
bool cidr_list_contains(const cidr_list_t *l, const char *ip);

#endif
