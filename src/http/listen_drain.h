/*
 * listen_drain.h: the socket half of a graceful stop (http_server_stop):
 * make a listening socket take no new connection while the ones the kernel
 * has already queued are still accepted, then stop listening without
 * freeing the descriptor. Linux only (a socket filter on the listener,
 * TCP_INFO's accept queue length); docs/ARCHITECTURE.md, "Shutdown".
 */
#ifndef LOOPIN_LISTEN_DRAIN_H
#define LOOPIN_LISTEN_DRAIN_H

/* Drops every packet that would start or complete a new connection on the
 * listening socket fd (SYNs and handshake ACKs): the client's kernel resends
 * its SYN a second later, and by then the port refuses. Connections already
 * queued are not affected. 0, or -1 with errno. */
int listen_drop_new(int fd);

/* Connections queued on the listening socket fd that nobody has accepted yet,
 * or -1 with errno. */
int listen_queue_len(int fd);

/* Stops listening on fd (new connects are refused) but keeps the descriptor
 * open, so a server thread that still holds the number cannot reach a file
 * opened later under it. 0, or -1 with errno. */
int listen_stop(int fd);

#endif
