/*
 * client_ip.h: who the client is. The socket peer, unless the peer is one of
 * LOOPIN_TRUSTED_PROXIES: then X-Forwarded-For is read from the right,
 * skipping the trusted proxies' own addresses, and the first address that is
 * not a trusted proxy is the client (X-Real-IP when there is no
 * X-Forwarded-For). A client cannot choose its address by sending these
 * headers itself: from an untrusted peer they are ignored, and behind a
 * trusted proxy only the hops that proxy appended are believed.
 */
#ifndef LOOPIN_CLIENT_IP_H
#define LOOPIN_CLIENT_IP_H

#include <stddef.h>

#include "core/cidr.h"

/* Writes the client address to out (outlen >= 46). peer is the socket's
 * address; xff and xri the header values (NULL when absent; several
 * X-Forwarded-For headers joined with ","). A malformed hop ends the walk:
 * the last address believed (a trusted proxy) is the answer. */
void client_ip_resolve(const cidr_list_t *trusted, const char *peer, const char *xff,
                       const char *xri, char *out, size_t outlen);

#endif
