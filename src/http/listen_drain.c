/*
 * listen_drain.c: a listening socket that takes no new connection, the
 * length of its accept queue, and an end to listening that keeps the
 * descriptor (see listen_drain.h; why: http_server_stop in server.c).
 */
#include "http/listen_drain.h"

#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* The socket filter runs on every packet the listener receives: a SYN, or
 * the ACK that would complete a handshake. Returning 0 drops it. Connections
 * already in the accept queue are sockets of their own and never see it. */
int listen_drop_new(int fd)
{
    struct sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
    struct sock_fprog prog = {.len = 1, .filter = drop_all};
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* On a listening socket Linux reports the accept queue's length in
 * tcpi_unacked (and its limit in tcpi_sacked), as `ss -l` shows it. */
int listen_queue_len(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return -1;
    return (int)ti.tcpi_unacked;
}

/* shutdown() of a listener moves it to CLOSE (connects are refused from
 * now on), which close() would do too, but the number stays ours until
 * the caller closes it. Anything still queued would be reset: callers
 * drain the queue first. */
int listen_stop(int fd)
{
    return shutdown(fd, SHUT_RDWR);
}
