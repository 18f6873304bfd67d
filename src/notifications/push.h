/*
 * push.h: outbound push notifications behind one small interface, chosen by
 * LOOPIN_PUSH_BACKEND (the model is auth/sms.h):
 *   none      the default: push is off, push_send does nothing and succeeds.
 *   file      development and tests: one JSON object per line appended to
 *             LOOPIN_PUSH_OUTBOX, {"key", "player_ids", "title", "body",
 *             "data", "sent_at"}, exactly once per key across processes (see
 *             push.c).
 *   onesignal POST {LOOPIN_ONESIGNAL_API_BASE}/api/v1/notifications over
 *             libcurl (API.md 14.10), connect timeout 5 s, total 10 s, the
 *             notification's uuid as OneSignal's idempotency_key.
 */
#ifndef LOOPIN_PUSH_H
#define LOOPIN_PUSH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

#define PUSH_RETRY (-1) /* transient: transport error, timeout, 408, 429, 5xx */
#define PUSH_FAIL  (-2) /* permanent: another 4xx, an unreadable answer, a bad message */

/* OneSignal accepts at most this many player ids in one notification. */
#define PUSH_MAX_PLAYERS 2000

typedef struct push push_t;

typedef struct {
    const char *idempotency_key; /* the notification's uuid: the provider de-duplicates on it */
    const char *const *player_ids;
    int nplayers;
    const char *title, *body;
    const char *data_json; /* a JSON object as text, sent as OneSignal "data"; NULL: {} */
    bool maybe_sent;       /* an earlier attempt may already have reached the provider */
} push_msg_t;

typedef struct {
    char provider_id[128]; /* OneSignal's notification id, or the file backend's line key */
    char **invalid_ids;    /* OneSignal errors.invalid_player_ids (owned; push_result_free) */
    int ninvalid;
    bool duplicate; /* file backend: the key was already in the outbox */
} push_result_t;

/* NULL and a reason naming the variable when the backend cannot start (an
 * unknown backend, an outbox that cannot be opened, OneSignal settings
 * missing). */
push_t *push_new(const config_t *cfg, char *err, size_t errlen);
void push_free(push_t *p);
const char *push_backend_name(const push_t *p);
/* False for the "none" backend (and for NULL): callers queue no delivery. */
bool push_enabled(const push_t *p);

/* Thread-safe. 0 sent (out filled; push_result_free it either way);
 * PUSH_RETRY or PUSH_FAIL with a short reason in err, never credentials or
 * the message. out may be NULL. */
int push_send(push_t *p, const push_msg_t *m, push_result_t *out, char *err, size_t errlen);
void push_result_free(push_result_t *r);

/* Tests only: shorter OneSignal timeouts than the production 5 s / 10 s. */
void push_set_timeouts(push_t *p, long connect_ms, long total_ms);

#endif
