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

#include "app.h"
#include "notifications/templates.h"
#include "op.h"

#define NOTIFICATIONS_KEEP_DAYS 30
#define PUSH_MAX_ATTEMPTS       5 /* a push_deliver job, then the delivery is failed */

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
    char *uuid_out; /* optional: receives the new row's uuid (37 bytes) */
} notice_t;
int notification_write(op_t *op, const notice_t *n);

/* A notification from a transactional template (templates.c), written like
 * notification_write. A missing or unused argument is a programming error:
 * logged, and DB_ERROR fails the caller's operation rather than dropping the
 * message silently. The template's key and target screen are added to the
 * metadata (a JSON object text, or NULL). */
typedef struct {
    int64_t to;
    const char *key;
    const char *reference_type;
    int64_t reference_id;
    const char *metadata;
    char *uuid_out;
} notify_ref_t;
int notify_template(op_t *op, const notify_ref_t *ref, const tpl_arg_t *args, int nargs);

/* How a person is named in a message: the profile name, else first and last
 * name, else "Someone". */
const char *notify_person_name(op_t *op, int64_t user_id);

/* Queues the announcement of a newly published event to the people who
 * went to the host's other events (reminders.c), in the caller's
 * transaction; once per event. */
int notify_event_published(op_t *op, int64_t event_id);

/* Whether pushes are queued at all (a push backend other than none). */
bool notification_push_on(const app_t *app);

/* Whether push is on for a type when its recipient never chose (API.md
 * 14.10: fail closed, so false for promotional and unknown types). SQL that
 * decides a push reads the person's row in notification_preferences and
 * falls back to this value, bound as a parameter. */
bool notification_push_default(const char *type);

extern const struct module notifications_module;
extern const struct module devices_module;
extern const struct module preferences_module;
extern const struct module delivery_module;
extern const struct module reminders_module;

#endif
