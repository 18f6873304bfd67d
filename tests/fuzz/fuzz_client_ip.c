/*
 * fuzz_client_ip.c: libFuzzer driver for core/cidr.c and http/client_ip.c.
 * The input is split at its first two NUL bytes into a range list, an
 * X-Forwarded-For value and an X-Real-IP value. Checks: the parser never
 * accepts more than CIDR_MAX ranges or a prefix longer than its address;
 * the answer is always the peer or an address that parses, and never an
 * address from the headers when the peer is not trusted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cidr.h"
#include "http/client_ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    const char *ranges = buf;
    const char *xff = ranges + strlen(ranges) + 1;
    if (xff > buf + size)
        xff = buf + size + 1;
    const char *xri = xff + strlen(xff) + 1;
    if (xri > buf + size + 1)
        xri = buf + size + 2;
    cidr_list_t l;
    char err[256];
    if (cidr_list_parse(ranges, &l, err, sizeof err) == 0) {
        if (l.n < 0 || l.n > CIDR_MAX)
            abort();
        for (int i = 0; i < l.n; i++)
            if ((l.items[i].len != 4 && l.items[i].len != 16) || l.items[i].bits < 0 ||
                l.items[i].bits > l.items[i].len * 8)
                abort();
        static const char *const peers[] = {"127.0.0.1", "10.0.0.1", "::1", "203.0.113.5"};
        for (size_t p = 0; p < sizeof peers / sizeof peers[0]; p++) {
            char out[64];
            client_ip_resolve(&l, peers[p], xff, xri, out, sizeof out);
            unsigned char bytes[16];
            if (!ip_parse(out, bytes))
                abort();
            if (!cidr_list_contains(&l, peers[p]) && strcmp(out, peers[p]) != 0)
                abort();
        }
    }
    free(buf);
    return 0;
}
