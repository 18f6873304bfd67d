/*
 * admin.h: the admin console's modules (issue 12, docs/admin.md): staff
 * sign-in sessions, the admin JSON API and the console's pages.
 */
#ifndef LOOPIN_ADMIN_H
#define LOOPIN_ADMIN_H

extern const struct module admin_session_module;
extern const struct module admin_users_module;
extern const struct module admin_audit_module;
extern const struct module admin_events_module;
extern const struct module admin_orders_module;
extern const struct module admin_jobs_module;
extern const struct module admin_interests_module;
extern const struct module admin_leads_module;
extern const struct module admin_dashboard_module;
extern const struct module admin_notifications_module;
extern const struct module admin_console_module;

#endif
