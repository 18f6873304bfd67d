/*
 * modules.c: the one list of modules. Adding a module means writing its
 * module_t (routes, jobs, purges) in the module's own files and naming it
 * here; main builds the router and the job tables from this list.
 */
#include "module.h"

#include "admin/admin.h"
#include "auth/auth.h"
#include "bank_accounts/bank_accounts.h"
#include "events/events.h"
#include "seo/seo.h"
#include "venues/venue.h"
#include "hosts/hosts.h"
#include "invites/invites.h"
#include "media/storage.h"
#include "money/fee.h"
#include "money/payouts.h"
#include "ops/ops.h"
#include "notifications/campaigns.h"
#include "notifications/lead_whatsapp.h"
#include "notifications/notifications.h"
#include "profile/profile.h"
#include "requests/requests.h"
#include "tickets/tickets.h"

const module_t *const loopin_modules[] = {
    &ops_module,                 /* health, metrics, OpenAPI document, job queue housekeeping */
    &docs_module,                /* Swagger UI and Redoc */
    &test_module,                /* test mode only */
    &auth_module,                /* phone sign-up and login */
    &media_module,               /* uploaded images */
    &profile_module,             /* profiles and interests */
    &hosts_module,               /* host leads */
    &events_module,              /* events */
    &venues_module,              /* venues */
    &seo_module,                 /* SEO pages and calendar */
    &requests_module,            /* join requests */
    &notifications_module,       /* the in-app inbox */
    &devices_module,             /* push devices (OneSignal player ids) */
    &preferences_module,         /* which notification types go out as push */
    &delivery_module,            /* the push dispatcher's delivery jobs */
    &reminders_module,           /* event reminders and check-in started */
    &campaign_jobs_module,       /* campaign start and batch jobs */
    &lead_whatsapp_module,       /* WhatsApp messages to host leads */
    &tickets_module,             /* attendance, tickets, check-in */
    &invites_module,             /* invitations and share links */
    &fee_module,                 /* the platform fee */
    &payments_module,            /* orders, reservations, provider callbacks */
    &bank_accounts_module,       /* hosts' bank accounts (payout destinations) */
    &payouts_module,             /* payout requests, the staff workflow, earnings */
    &admin_session_module,       /* staff sign-in to the admin console */
    &admin_users_module,         /* the admin API: users */
    &admin_audit_module,         /* the admin API: the audit trail and its daily summary */
    &admin_events_module,        /* the admin API: events */
    &admin_orders_module,        /* the admin API: orders and payments */
    &admin_jobs_module,          /* the admin API: the job queue */
    &admin_interests_module,     /* the admin API: interest categories */
    &admin_leads_module,         /* the admin API: host leads and bank accounts */
    &admin_dashboard_module,     /* the admin API: the analytics dashboard */
    &admin_notifications_module, /* the admin API: notifications sent */
    &campaigns_module,           /* the admin API: notification campaigns */
    &admin_console_module,       /* the admin console in the browser (/admin) */
    NULL,
};
