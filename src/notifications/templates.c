/*
 * templates.c: the transactional templates (API.md 14.10, texts verbatim)
 * and the {{placeholder}} renderer shared with campaign templates.
 */
#include "notifications/templates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"

#define T(k, ti, bo, ty, sc, pa)                                                                   \
    {                                                                                              \
        .key = k, .title = ti, .body = bo, .type = ty, .target_screen = sc, .params = pa           \
    }

const notify_template_t notify_templates[] = {
    /* API.md 14.10, the fifteen of the old backend */
    T("booking_confirmed", "Booking Confirmed!",
      "Your spot at {{event_name}} is locked. View your ticket now.", "payment_success",
      "ticket_detail", "event_name"),
    T("payment_success", "Payment Successful",
      "Your payment for event '{{event_name}}' has been processed successfully.", "payment_success",
      "event_detail", "event_name"),
    T("payment_failed", "Payment Failed",
      "Your payment for event '{{event_name}}' could not be processed. Please try again.",
      "payment_failed", "payment_retry", "event_name"),
    T("event_live", "New Event Alert!",
      "{{event_name}} by {{host_name}} is live. Request your spot!", "event_update",
      "event_details", "event_name,host_name"),
    T("event_cancelled", "Event Cancelled", "The event '{{event_name}}' has been cancelled.",
      "event_cancelled", "event_detail", "event_name"),
    T("event_created", "Event Created Successfully",
      "Your event '{{event_name}}' has been created successfully.", "event_update", "event_detail",
      "event_name"),
    T("event_invite", "You're Invited!",
      "{{host_name}} sent you a private invite to {{event_name}}.", "event_invite", "event_detail",
      "host_name,event_name"),
    T("invite_accepted", "Invitation Accepted: {{event_name}}",
      "{{user_name}} has accepted your invitation to '{{event_name}}'", "event_invite",
      "event_detail", "event_name,user_name"),
    T("invite_declined", "Invitation Declined: {{event_name}}",
      "{{user_name}} has declined your invitation to '{{event_name}}'", "event_invite",
      "event_detail", "event_name,user_name"),
    T("request_approved", "Request Accepted!",
      "You're approved for {{event_name}} by {{host_name}}.", "event_request", "event_detail",
      "event_name,host_name"),
    T("request_declined", "Event Request Declined",
      "Your request to join '{{event_name}}' has been declined.", "event_request", "event_detail",
      "event_name"),
    T("new_join_request", "New Request!",
      "{{user_name}} wants to join {{event_name}}. Tap to approve.", "event_request",
      "event_detail", "user_name,event_name"),
    T("ticket_confirmed", "Ticket Confirmed",
      "Your ticket for '{{event_name}}' has been confirmed! Check your tickets.", "reminder",
      "ticket_detail", "event_name"),
    T("check_in_started", "Check-in is Live!",
      "{{event_name}} has started. Start scanning guest tickets now.", "reminder", "check_in",
      "event_name"),
    T("profile_completed", "Profile Completed",
      "Congratulations! Your profile has been completed successfully.", "system", "profile", ""),
    /* ours: a cancellation with staff's reason, the reminders of issue 13
     * point 4 and the update the old backend wrote by hand */
    T("event_cancelled_reason", "Event Cancelled",
      "The event '{{event_name}}' has been cancelled: {{reason}}", "event_cancelled",
      "event_detail", "event_name,reason"),
    T("event_updated", "Event Updated",
      "The event '{{event_name}}' has been updated ({{changes}} changed).", "event_update",
      "event_detail", "event_name,changes"),
    T("event_reminder_24h", "Coming up: {{event_name}}",
      "{{event_name}} starts {{when}}. Your ticket is in the app.", "reminder", "ticket_detail",
      "event_name,when"),
    T("event_reminder_1h", "Starting soon: {{event_name}}",
      "{{event_name}} starts {{when}}. Have your ticket ready at the door.", "reminder",
      "ticket_detail", "event_name,when"),
    {0},
};

const notify_template_t *notify_template_find(const char *key)
{
    for (const notify_template_t *t = notify_templates; key && t->key; t++)
        if (!strcmp(t->key, key))
            return t;
    return NULL;
}

/* Reads "{{ name }}" at p (which points at "{{"): the name into name, the
 * length of the whole placeholder into *len. -1 when malformed. */
static int read_placeholder(const char *p, char name[TPL_NAME_MAX + 1], size_t *len)
{
    const char *q = p + 2;
    while (*q == ' ')
        q++;
    size_t n = 0;
    if (!(islower((unsigned char)*q) || *q == '_'))
        return -1;
    while (islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_') {
        if (n == TPL_NAME_MAX)
            return -1;
        name[n++] = *q++;
    }
    name[n] = '\0';
    while (*q == ' ')
        q++;
    if (q[0] != '}' || q[1] != '}')
        return -1;
    *len = (size_t)(q + 2 - p);
    return 0;
}

int tpl_render(arena_t *a, const char *text, const tpl_arg_t *args, int nargs, bool *used,
               char **out, char *err, size_t errlen)
{
    strbuf_t sb;
    sb_init(&sb);
    int rc = 0;
    for (const char *p = text; *p && rc == 0;) {
        const char *open = strstr(p, "{{");
        const char *close = strstr(p, "}}");
        if (close && (!open || close < open)) {
            rc = errbuf(-1, err, errlen, "'}}' without '{{'");
            break;
        }
        if (!open) {
            sb_puts(&sb, p);
            break;
        }
        sb_append(&sb, p, (size_t)(open - p));
        char name[TPL_NAME_MAX + 1];
        size_t len;
        if (read_placeholder(open, name, &len) != 0) {
            rc = errbuf(-1, err, errlen,
                        "malformed placeholder (expected {{name}} with a-z, 0-9, _)");
            break;
        }
        int k = 0;
        while (k < nargs && strcmp(args[k].name, name))
            k++;
        if (k == nargs || !args[k].value)
            rc = errbuf(-1, err, errlen, "no value for the placeholder {{%s}}", name);
        else {
            sb_puts(&sb, args[k].value);
            if (used)
                used[k] = true;
        }
        p = open + len;
    }
    if (rc == 0)
        *out = arena_strndup(a, sb.data ? sb.data : "", sb.len);
    sb_free(&sb);
    return rc;
}

int tpl_render_pair(arena_t *a, const char *title, const char *body, const tpl_arg_t *args,
                    int nargs, char **title_out, char **body_out, char *err, size_t errlen)
{
    if (nargs > TPL_MAX_PARAMS)
        return errbuf(-1, err, errlen, "more than %d parameters", TPL_MAX_PARAMS);
    bool used[TPL_MAX_PARAMS] = {false};
    if (tpl_render(a, title, args, nargs, used, title_out, err, errlen) ||
        tpl_render(a, body, args, nargs, used, body_out, err, errlen))
        return -1;
    for (int i = 0; i < nargs; i++)
        if (!used[i])
            return errbuf(-1, err, errlen, "the parameter '%s' has no placeholder", args[i].name);
    return 0;
}

int tpl_placeholders(const char *text, char names[][TPL_NAME_MAX + 1], int max, char *err,
                     size_t errlen)
{
    int n = 0;
    for (const char *p = text; *p;) {
        const char *open = strstr(p, "{{");
        const char *close = strstr(p, "}}");
        if (close && (!open || close < open))
            return errbuf(-1, err, errlen, "'}}' without '{{'");
        if (!open)
            break;
        char name[TPL_NAME_MAX + 1];
        size_t len;
        if (read_placeholder(open, name, &len) != 0)
            return errbuf(-1, err, errlen,
                          "malformed placeholder (expected {{name}} with a-z, 0-9, _)");
        int k = 0;
        while (k < n && strcmp(names[k], name))
            k++;
        if (k == n) {
            if (n == max)
                return errbuf(-1, err, errlen, "more than %d different placeholders", max);
            memcpy(names[n++], name, sizeof name);
        }
        p = open + len;
    }
    return n;
}
