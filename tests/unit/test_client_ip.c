/*
 * test_client_ip.c: address ranges (core/cidr.c) and who the client is
 * behind proxies (http/client_ip.c): the right-to-left walk over
 * X-Forwarded-For, spoofed headers from untrusted peers ignored, malformed
 * hops, IPv6 and IPv4-mapped addresses, and every refusal of the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/cidr.h"
#include "http/client_ip.h"

static cidr_list_t list(const char *s)
{
    cidr_list_t l;
    char err[200] = "";
    if (cidr_list_parse(s, &l, err, sizeof err) != 0)
        fail_msg("%s: %s", s, err);
    return l;
}

static void test_contains(void **state)
{
    (void)state;
    cidr_list_t l = list("10.0.0.0/8, 192.168.1.7 ::1\t2001:db8::/32, 172.16.0.0/12");
    assert_int_equal(l.n, 5);
    assert_true(cidr_list_contains(&l, "10.1.2.3"));
    assert_true(cidr_list_contains(&l, "10.255.255.255"));
    assert_false(cidr_list_contains(&l, "11.0.0.0"));
    assert_true(cidr_list_contains(&l, "192.168.1.7"));
    assert_false(cidr_list_contains(&l, "192.168.1.8"));
    assert_true(cidr_list_contains(&l, "::1"));
    assert_false(cidr_list_contains(&l, "::2"));
    assert_true(cidr_list_contains(&l, "2001:db8:ffff::1"));
    assert_false(cidr_list_contains(&l, "2001:db9::1"));
    assert_true(cidr_list_contains(&l, "172.31.255.255"));
    assert_false(cidr_list_contains(&l, "172.32.0.0"));
    assert_true(cidr_list_contains(&l, "::ffff:10.9.8.7")); /* IPv4-mapped */
    assert_false(cidr_list_contains(&l, "not an ip"));
    assert_false(cidr_list_contains(&l, ""));
    assert_false(cidr_list_contains(&l, NULL));
    assert_false(cidr_list_contains(NULL, "10.0.0.1"));
    cidr_list_t all = list("0.0.0.0/0");
    assert_true(cidr_list_contains(&all, "203.0.113.9"));
    assert_false(cidr_list_contains(&all, "2001:db8::1")); /* an IPv4 range holds no IPv6 */
    cidr_list_t empty = list("");
    assert_int_equal(empty.n, 0);
    assert_false(cidr_list_contains(&empty, "127.0.0.1"));
    cidr_list_t odd = list("10.0.0.128/25");
    assert_true(cidr_list_contains(&odd, "10.0.0.200"));
    assert_false(cidr_list_contains(&odd, "10.0.0.127"));
}

static void test_parse_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *in, *says;
    } bad[] = {
        {"10.0.0.1/8", "bits set beyond its prefix"},
        {"10.0.0.0/33", "prefix must be 0-32"},
        {"::/129", "prefix must be 0-128"},
        {"10.0.0.0/", "prefix must be"},
        {"10.0.0.0/-1", "prefix must be"},
        {"10.0.0.0/8x", "prefix must be"},
        {"proxy.local", "not an IP address"},
        {"10.0.0", "not an IP address"},
        {"1.2.3.4, ,256.1.1.1", "not an IP address"},
        {"2001:db8::1/32", "bits set beyond"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cidr_list_t l;
        char err[200] = "";
        if (cidr_list_parse(bad[i].in, &l, err, sizeof err) != -1)
            fail_msg("accepted %s", bad[i].in);
        if (!strstr(err, bad[i].says))
            fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].in, err, bad[i].says);
    }
    char many[1024] = "";
    for (int i = 0; i <= CIDR_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "10.0.0.%d,", i);
    cidr_list_t l;
    char err[200];
    assert_int_equal(cidr_list_parse(many, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
    char long_entry[300];
    memset(long_entry, '1', sizeof long_entry - 1);
    long_entry[sizeof long_entry - 1] = '\0';
    assert_int_equal(cidr_list_parse(long_entry, &l, err, sizeof err), -1);
}

static const char *resolve(const char *trusted, const char *peer, const char *xff, const char *xri)
{
    static char out[64];
    cidr_list_t l = list(trusted);
    client_ip_resolve(&l, peer, xff, xri, out, sizeof out);
    return out;
}

static void test_untrusted_peer_headers_ignored(void **state)
{
    (void)state;
    /* No proxies configured, or the peer is not one: the socket is the client. */
    assert_string_equal(resolve("", "198.51.100.4", "1.2.3.4", "5.6.7.8"), "198.51.100.4");
    assert_string_equal(resolve("10.0.0.0/8", "198.51.100.4", "1.2.3.4", "5.6.7.8"),
                        "198.51.100.4");
    assert_string_equal(resolve("10.0.0.0/8", "198.51.100.4", NULL, NULL), "198.51.100.4");
}

static void test_walk_from_the_right(void **state)
{
    (void)state;
    const char *t = "127.0.0.1/32, 10.0.0.0/8";
    /* nginx on loopback appended the client it saw */
    assert_string_equal(resolve(t, "127.0.0.1", "203.0.113.9", NULL), "203.0.113.9");
    /* the client sent its own XFF: only the hop our proxy appended counts */
    assert_string_equal(resolve(t, "127.0.0.1", "1.1.1.1, 203.0.113.9", NULL), "203.0.113.9");
    /* two of our proxies in a row, then the client */
    assert_string_equal(resolve(t, "127.0.0.1", "6.6.6.6, 203.0.113.9,10.1.1.1 , 10.2.2.2", NULL),
                        "203.0.113.9");
    /* every hop trusted: the leftmost is the best we know */
    assert_string_equal(resolve(t, "127.0.0.1", "10.3.3.3, 10.2.2.2", NULL), "10.3.3.3");
    /* X-Real-IP only when there is no X-Forwarded-For */
    assert_string_equal(resolve(t, "127.0.0.1", NULL, " 203.0.113.7 "), "203.0.113.7");
    assert_string_equal(resolve(t, "127.0.0.1", "203.0.113.9", "203.0.113.7"), "203.0.113.9");
    assert_string_equal(resolve(t, "127.0.0.1", "", "203.0.113.7"), "203.0.113.7");
    assert_string_equal(resolve(t, "127.0.0.1", NULL, "garbage"), "127.0.0.1");
    /* IPv6 clients and an IPv4-mapped peer */
    assert_string_equal(resolve(t, "::ffff:127.0.0.1", "2001:db8::5", NULL), "2001:db8::5");
}

static void test_malformed_hops_stop_the_walk(void **state)
{
    (void)state;
    const char *t = "127.0.0.1/32, 10.0.0.0/8";
    assert_string_equal(resolve(t, "127.0.0.1", "203.0.113.9, unknown", NULL), "127.0.0.1");
    assert_string_equal(resolve(t, "127.0.0.1", "evil, 10.0.0.5", NULL), "10.0.0.5");
    assert_string_equal(resolve(t, "127.0.0.1", "203.0.113.9,", NULL), "127.0.0.1");
    assert_string_equal(resolve(t, "127.0.0.1", ",,,", NULL), "127.0.0.1");
    assert_string_equal(resolve(t, "127.0.0.1", "203.0.113.9:443", NULL), "127.0.0.1");
    assert_string_equal(resolve(t, "127.0.0.1", "\"[2001:db8::1]\"", NULL), "127.0.0.1");
    char longhop[200];
    memset(longhop, '1', sizeof longhop - 1);
    longhop[sizeof longhop - 1] = '\0';
    assert_string_equal(resolve(t, "127.0.0.1", longhop, NULL), "127.0.0.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_untrusted_peer_headers_ignored),
        cmocka_unit_test(test_walk_from_the_right),
        cmocka_unit_test(test_malformed_hops_stop_the_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
