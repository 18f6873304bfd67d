/*
 * hosts.h: "become a host" leads (API.md section 4, docs/accounts.md): a
 * public form that stores one lead per phone number, and the superuser list
 * of leads. Rules and SQL in host_leads.c; HTTP in host_leads_api.c.
 */
#ifndef LOOPIN_HOSTS_H
#define LOOPIN_HOSTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

#define HOST_LEAD_NAME_MAX    100
#define HOST_LEAD_MESSAGE_MAX 1000
#define HOST_LEADS_LIMIT      100 /* default page size of GET /api/hosts/host-leads */
#define HOST_LEADS_LIMIT_MAX  500

typedef struct {
    const char *first_name, *last_name; /* trimmed, 1-100 characters */
    const char *phone;                  /* normalised E.164 */
    const char *message;                /* NULL or "" when not given */
} host_lead_input_t;

/* Stores the lead unless its phone is already on file. *data is the lead as
 * the API shows it (new, or the one on file when *existing). */
err_t *host_lead_submit(op_t *op, const host_lead_input_t *in, json_t **data, bool *existing);

/* A page of leads, newest first, and the total. */
err_t *host_leads_list(op_t *op, int64_t offset, int64_t limit, json_t **leads, int64_t *total);

/* POST /api/hosts/become-a-host (no auth), GET /api/hosts/host-leads
 * (is_staff and is_superuser). */
extern const struct module hosts_module;

#endif
