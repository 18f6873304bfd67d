/*
 * hosts.h: "become a host" leads (API.md section 4, docs/accounts.md): a
 * public form that stores one lead per phone number, and the superuser list
 * of leads.
 */
#ifndef LOOPIN_HOSTS_H
#define LOOPIN_HOSTS_H

#include "http/router.h"

#define HOST_LEAD_NAME_MAX    100
#define HOST_LEAD_MESSAGE_MAX 1000
#define HOST_LEADS_LIMIT      100 /* default page size of GET /api/hosts/host-leads */
#define HOST_LEADS_LIMIT_MAX  500

/* POST /api/hosts/become-a-host (no auth), GET /api/hosts/host-leads
 * (is_staff and is_superuser). */
extern const struct module hosts_module;

#endif
