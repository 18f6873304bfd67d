/*
 * client_ip.c: the right-to-left walk over X-Forwarded-For. Each proxy
 * appends the address it received the request from, so only the rightmost
 * entries, the ones our own proxies wrote, can be believed; anything left of
 * the first untrusted hop may be the client's own invention.
 */
#include "http/client_ip.h"

#include <stdio.h>
#include <string.h>

/* Copies the hop [s, s+n) without surrounding blanks into buf; false when it
 * is not an IP address. */
static bool hop_address(const char *s, size_t n, char *buf, size_t buflen)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n || n >= buflen)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    unsigned char bytes[16];
    return ip_parse(buf, bytes) != 0;
}

void client_ip_resolve(const cidr_list_t *trusted, const char *peer, const char *xff,
                       const char *xri, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", peer ? peer : "");
    if (!trusted || !trusted->n || !cidr_list_contains(trusted, out))
        return;
    char hop[64];
    if (!xff || !*xff) {
        if (xri && hop_address(xri, strlen(xri), hop, sizeof hop))
            snprintf(out, outlen, "%s", hop);
        return;
    }
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        if (!hop_address(xff + start, end - start, hop, sizeof hop))
            return; /* malformed: keep the last address we believed */
        snprintf(out, outlen, "%s", hop);
        if (!cidr_list_contains(trusted, hop))
            return;
        end = start ? start - 1 : 0;
    }
}
