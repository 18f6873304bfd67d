/*
 * notifications.h: the in-app inbox (issue 9 part 8; API.md section 11
 * notes that the old backend wrote these rows but never served them). Every
 * module writes its notification rows in its own transactions; this module
 * serves them to their recipient, marks them read and purges them after 30
 * days. Push delivery is issue 13.
 */
#ifndef LOOPIN_NOTIFICATIONS_H
#define LOOPIN_NOTIFICATIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

#define NOTIFICATIONS_KEEP_DAYS 30

/* The caller's notifications, newest first: {total, unread_count, offset,
 * limit, data}. */
err_t *notifications_list(op_t *op, bool unread_only, int64_t offset, int64_t limit, json_t **out);

/* {unread_count} of the caller. */
err_t *notifications_unread(op_t *op, json_t **out);

/* Marks one of the caller's notifications read (404 for anyone else's). */
err_t *notification_mark_read(op_t *op, int64_t id, json_t **out);

/* Marks all the caller's notifications read: {updated}. */
err_t *notifications_mark_all_read(op_t *op, json_t **out);

/* One notification row for `to`, sent by op->actor, written on op->db inside
 * the caller's transaction (so it commits with the change it reports).
 * metadata is a JSON object as text ("{}" when NULL). */
typedef struct {
    int64_t to;
    const char *type, *title, *message;
    const char *reference_type; /* "event_request", "event_invite", "attendance", ... */
    int64_t reference_id;
    const char *metadata;
} notice_t;
int notification_write(op_t *op, const notice_t *n);

extern const struct module notifications_module;
extern const struct module devices_module;
extern const struct module preferences_module;

#endif
