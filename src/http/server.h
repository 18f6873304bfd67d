/*
 * server.h: the HTTP server (libmicrohttpd with an internal thread pool).
 */
#ifndef LOOPIN_SERVER_H
#define LOOPIN_SERVER_H

#include <stddef.h>

struct app;
typedef struct http_server http_server_t;

#define HTTP_JSON_LIMIT      (1024 * 1024)
#define HTTP_MULTIPART_LIMIT (30 * 1024 * 1024)
#define HTTP_HEADER_LIMIT    (16 * 1024)

/* Binds cfg.host:port (port may be 0: the kernel picks; see http_server_port). */
http_server_t *http_server_start(struct app *app, int port, char *err, size_t errlen);
int http_server_port(const http_server_t *s);
/* Graceful stop: stop accepting, let in-flight requests finish (at most
 * grace_s seconds), then close every connection and free the server. */
void http_server_stop(http_server_t *s, int grace_s);

#endif
