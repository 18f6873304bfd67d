/*
 * fake_http.h: a fake provider for the unit tests of the outbound adapters
 * (Twilio in test_auth_sms.c, OneSignal in test_notifications_push.c): a
 * libmicrohttpd server on 127.0.0.1 that records the last request (method,
 * path, Authorization, Content-Type, raw body) and answers, after delay_ms,
 * with the status, JSON body and Location the test chose.
 */
#ifndef LOOPIN_TEST_FAKE_HTTP_H
#define LOOPIN_TEST_FAKE_HTTP_H

#include <pthread.h>
#include <stddef.h>

#define FAKE_FORM_SLOTS 8

typedef struct {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t lock;
    /* the answer, set by the test */
    unsigned status;
    const char *reply;
    const char *location;
    int delay_ms;
    /* the last request */
    int requests;
    char method[16], url[256], auth[256], ctype[128];
    char body[8192];
    /* fake_http_form's decoded values (several may be in use at once) */
    char form[FAKE_FORM_SLOTS][1024];
    int next_form;
} fake_http_t;

/* cmocka setup and teardown: *state is the started fake_http_t. */
int fake_http_setup(void **state);
int fake_http_teardown(void **state);

/* The field name of the last body read as a form, percent-decoded ("" when
 * absent). The answer stays valid for the next FAKE_FORM_SLOTS - 1 calls. */
const char *fake_http_form(fake_http_t *f, const char *name);

/* A loopback port nothing listens on (one that was free a moment ago): the
 * "provider unreachable" cases. */
unsigned fake_http_free_port(void);

#endif
