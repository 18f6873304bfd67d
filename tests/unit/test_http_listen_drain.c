/*
 * test_http_listen_drain.c: http/listen_drain on a real loopback listener:
 * the accept queue's length as TCP_INFO reports it, a listener that drops new
 * connections while those already queued stay acceptable, and the end of
 * listening that refuses new connects but keeps the descriptor. These are
 * the Linux behaviours http_server_stop relies on so that a rolling restart
 * loses no request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/listen_drain.h"

/* ---- helpers ------------------------------------------------------------- */

/* A non-blocking listener on 127.0.0.1, any port. */
static int make_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Starts a connect; the handshake goes on in the kernel. */
static int start_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    assert_true(rc == 0 || errno == EINPROGRESS);
    return fd;
}

/* The connect's outcome within ms: 0 connected, an errno, or -1 still going. */
static int connect_outcome(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, ms) != 1)
        return -1;
    int err = 0;
    socklen_t len = sizeof err;
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    return err;
}

/* The queue length once it reaches want (a loopback handshake is quick, but
 * not necessarily done when connect returns). */
static int queue_len_reaching(int lfd, int want)
{
    int n = -1;
    for (int i = 0; i < 100 && (n = listen_queue_len(lfd)) != want; i++)
        usleep(10000);
    return n;
}

/* ---- tests --------------------------------------------------------------- */

static void test_queue_len_counts_connections_not_accepted(void **state)
{
    (void)state;
    int port, lfd = make_listener(&port);
    assert_int_equal(listen_queue_len(lfd), 0);
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = start_connect(port);
    assert_int_equal(queue_len_reaching(lfd, 3), 3);
    int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(a >= 0);
    assert_int_equal(listen_queue_len(lfd), 2);
    close(a);
    for (int i = 0; i < 3; i++)
        close(c[i]);
    close(lfd);
}

static void test_drop_new_keeps_the_queued_ones(void **state)
{
    (void)state;
    int port, lfd = make_listener(&port);
    int q1 = start_connect(port), q2 = start_connect(port);
    assert_int_equal(queue_len_reaching(lfd, 2), 2);
    assert_int_equal(listen_drop_new(lfd), 0);
    int late = start_connect(port);
    assert_int_equal(connect_outcome(late, 300), -1); /* its SYN was dropped */
    assert_int_equal(listen_queue_len(lfd), 2);
    for (int i = 0; i < 2; i++) {
        int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        assert_true(a >= 0);
        close(a);
    }
    assert_int_equal(accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
    assert_int_equal(errno, EAGAIN);
    close(late);
    close(q1);
    close(q2);
    close(lfd);
}

static void test_stop_refuses_new_connects_and_keeps_the_descriptor(void **state)
{
    (void)state;
    int port, lfd = make_listener(&port);
    assert_int_equal(listen_stop(lfd), 0);
    assert_true(fcntl(lfd, F_GETFD) != -1);
    int c = start_connect(port);
    assert_int_equal(connect_outcome(c, 1000), ECONNREFUSED);
    assert_int_equal(listen_queue_len(lfd), 0);
    close(c);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_len_counts_connections_not_accepted),
        cmocka_unit_test(test_drop_new_keeps_the_queued_ones),
        cmocka_unit_test(test_stop_refuses_new_connects_and_keeps_the_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
