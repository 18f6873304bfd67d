/*
 * campaigns.h: notification campaigns (issue 13 point 5, API.md 16):
 * staff-written templates with {{var}} placeholders, versioned and locked
 * once a campaign uses them; campaigns with an audience (audience.h), a
 * preview count required before sending, and the move to 'sending' done
 * once by a job that fixes the recipients and queues one batch job per
 * LOOPIN_CAMPAIGN_BATCH_SIZE of them. docs/notifications.md has the states.
 */
#ifndef LOOPIN_CAMPAIGNS_H
#define LOOPIN_CAMPAIGNS_H

#include <jansson.h>

#include "op.h"

/* The one placeholder filled per recipient: their name ("there" without). */
#define CAMPAIGN_NAME_VAR "name"

typedef struct {
    const char *name, *title, *body;
} campaign_template_input_t;

/* A new template and its version 1: 201 data in *out. 409 TEMPLATE_EXISTS
 * for a taken name, 422 for malformed placeholders. */
err_t *campaign_template_create(op_t *op, const campaign_template_input_t *in, json_t **out);
/* Changes the name and/or the text. A text change edits the latest
 * version in place while no campaign used it, else adds a new version. */
err_t *campaign_template_update(op_t *op, int64_t id, const campaign_template_input_t *in,
                                json_t **out);
/* One template with every version, newest first. */
err_t *campaign_template_get(op_t *op, int64_t id, json_t **out);

typedef struct {
    const char *name;
    int64_t template_id;
    json_t *variables; /* object of strings, or NULL */
    json_t *audience;  /* the rule document */
    const char *notification_type;
} campaign_input_t;

err_t *campaign_create(op_t *op, const campaign_input_t *in, json_t **out);
/* Edits a draft or previewed campaign (which goes back to draft: its
 * preview no longer describes it). Absent fields keep their value. */
err_t *campaign_update(op_t *op, int64_t id, const campaign_input_t *in, json_t **out);
err_t *campaign_get(op_t *op, int64_t id, json_t **out);
/* One campaign row as JSON (the columns of campaigns.c's CAMPAIGN_COLUMNS,
 * shared with the admin list). */
json_t *campaign_row(op_t *op, db_rows_t *r);
/* Counts the audience now and records it: draft|previewed -> previewed. */
err_t *campaign_preview(op_t *op, int64_t id, json_t **out);
/* previewed -> scheduled, to start at at_us (0: now). */
err_t *campaign_send(op_t *op, int64_t id, int64_t at_us, json_t **out);
/* Any state before sent -> cancelled; recipients not yet reached are
 * skipped (a batch in flight finishes the rows it already took). */
err_t *campaign_cancel(op_t *op, int64_t id, json_t **out);

/* 1 when campaigns must not run (LOOPIN_DISABLE_CAMPAIGNS or the switch
 * in platform_switches), 0 when they may, a DB_* error; *why says which. */
int campaigns_stopped(op_t *op, const char **why);
/* Reads (set < 0) or sets (0 or 1, audited) the kill switch: {stopped,
 * by_environment, reason}. */
err_t *campaign_kill_switch(op_t *op, int set, json_t **out);

/* The live count for the audience builder: {count, max}. */
err_t *campaign_audience_count(op_t *op, json_t *audience, const char *type, json_t **out);

/* Checks variables (an object of strings, each at most 500 characters);
 * the route's field check. */
const char *campaign_variables_check(json_t *v);

extern const struct module campaigns_module;     /* admin/campaigns_api.c */
extern const struct module campaign_jobs_module; /* campaign_send.c */

#endif
