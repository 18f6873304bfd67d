/*
 * app.h: the process-wide state, created once in main and passed down. No
 * other globals hold server state (the clock offset and log level are the two
 * deliberate exceptions, see core/).
 */
#ifndef LOOPIN_APP_H
#define LOOPIN_APP_H

#include <stdatomic.h>

#include "auth/keys.h"
#include "core/cidr.h"
#include "core/config.h"
#include "db/db.h"

struct router;
struct metrics;
struct http_server;
struct jobs_runner;
struct sms;
struct push;
struct storage;
struct events_cache;
struct auth_cache;
struct db_notify;
struct job_kind;
struct purge_def;

typedef struct app {
    config_t cfg;
    db_pool_t *db;
    struct router *router;
    struct metrics *metrics;
    struct http_server *server;
    struct jobs_runner *jobs;
    keys_t keys;                       /* derived from cfg.secret_key at start */
    struct sms *sms;                   /* outbound SMS and WhatsApp adapter */
    struct push *push;                 /* outbound push adapter (serve and worker; else NULL) */
    struct storage *storage;           /* uploaded media */
    struct events_cache *events_cache; /* listing totals (events_list.c), per process */
    struct db_notify *notify;          /* invalidation bus (serve; else NULL) */
    struct auth_cache *auth_cache;     /* the guard's accounts and tokens, per process */
    cidr_list_t trusted_proxies;       /* LOOPIN_TRUSTED_PROXIES, parsed at start */
    cidr_list_t payu_allowed;          /* LOOPIN_PAYU_ALLOWED_IPS, parsed at start */
    _Atomic int draining;              /* set on SIGTERM: responses carry Connection: close */
    _Atomic int64_t jobs_recover_at;   /* jobs.c: when to look for expired leases next */
    /* From the modules' tables at start (main.c), NULL-terminated: */
    const struct job_kind **job_kinds;
    const struct purge_def **purges;
} app_t;

#endif
