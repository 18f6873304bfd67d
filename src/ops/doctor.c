/*
 * doctor.c: see doctor.h. Each check prints one line: "ok", "warn" or
 * "FAIL", a name and what it saw, never a secret. --offline skips the
 * checks that call a provider over the network.
 */
#include "ops/doctor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/curl_util.h"
#include "db/migrate.h"
#include "media/storage.h"

typedef enum { D_OK, D_WARN, D_FAIL } verdict_t;

typedef struct {
    app_t *app;
    bool offline;
    int warnings, failures;
} doctor_t;

__attribute__((format(printf, 4, 5))) static void report(doctor_t *d, verdict_t v, const char *name,
                                                         const char *fmt, ...)
{
    static const char *const words[] = {"ok", "warn", "FAIL"};
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("  %-5s %-13s %s\n", words[v], name, msg);
    d->warnings += v == D_WARN;
    d->failures += v == D_FAIL;
}

/* ---- configuration -------------------------------------------------------------- */

static void check_config(doctor_t *d)
{
    config_t *cfg = &d->app->cfg;
    char err[512];
    if (config_resolve_secret(cfg, err, sizeof err) != 0)
        report(d, D_FAIL, "secret key", "%s", err);
    else
        report(d, D_OK, "secret key", "%zu characters, from %s", strlen(cfg->secret_key),
               cfg->secret_source);
    bool prod = cfg->env == ENV_PRODUCTION;
    if (!cfg->public_url[0] || strncmp(cfg->public_url, "https://", 8))
        report(d, prod ? D_WARN : D_OK, "public URL", "%s%s",
               cfg->public_url[0] ? cfg->public_url : "(unset: http://host:port)",
               prod ? " (clients should reach production over https)" : "");
    else
        report(d, D_OK, "public URL", "%s", cfg->public_url);
    if (!cfg->trusted_proxies[0])
        report(d, prod ? D_WARN : D_OK, "proxies", "none trusted: the socket peer is the client%s",
               prod ? " (behind nginx, set LOOPIN_TRUSTED_PROXIES or every client is nginx)" : "");
    else
        report(d, D_OK, "proxies", "forwarding headers believed from %s", cfg->trusted_proxies);
    report(d, D_OK, "metrics", "%s",
           cfg->metrics_token[0] ? "token required" : "loopback clients only");
}

/* ---- database --------------------------------------------------------------------- */

/* Database time minus ours, in microseconds (SQLite runs on this clock). */
static int db_skew(db_conn_t *c, int64_t *skew)
{
    if (db_dialect(c) != DB_DIALECT_PG) {
        *skew = 0;
        return 1;
    }
    int64_t t0 = clock_now_us(), theirs = 0;
    if (db_query_int(c, "SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)",
                     DB_NOARGS, &theirs, NULL) != DB_OK)
        return -1;
    int64_t t1 = clock_now_us();
    *skew = theirs - (t0 + t1) / 2;
    return 0;
}

static void check_clock(doctor_t *d, db_conn_t *c)
{
    int64_t skew = 0;
    int rc = db_skew(c, &skew);
    double s = (double)(skew < 0 ? -skew : skew) / USEC_PER_SEC;
    if (rc < 0)
        report(d, D_WARN, "clock", "could not read the database's clock");
    else if (rc > 0)
        report(d, D_OK, "clock", "SQLite: the database uses this machine's clock");
    else
        report(d,
               s > 30  ? D_FAIL
               : s > 2 ? D_WARN
                       : D_OK,
               "clock", "%.3f s from the database's clock%s", (double)skew / USEC_PER_SEC,
               s > 2 ? " (run NTP: token expiry, OTP windows and reminders depend on it)" : "");
}

static void check_migrations(doctor_t *d)
{
    int n = loopin_migrations_count, pending = 0;
    bool *applied = calloc((size_t)n, sizeof *applied);
    char err[512], names[512] = "";
    if (!applied || migrate_status(d->app->db, loopin_migrations, n, applied, &pending, err,
                                   sizeof err) != DB_OK) {
        report(d, D_FAIL, "migrations", "%s", applied ? err : "out of memory");
        free(applied);
        return;
    }
    for (int i = 0; i < n; i++)
        if (!applied[i] && strlen(names) < sizeof names - 64)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%04d_%s",
                     names[0] ? ", " : "", loopin_migrations[i].version, loopin_migrations[i].name);
    free(applied);
    if (pending)
        report(d, D_FAIL, "migrations", "%d of %d pending: %s (run loopin migrate)", pending, n,
               names);
    else
        report(d, D_OK, "migrations", "all %d applied", n);
}

static void check_jobs(doctor_t *d, db_conn_t *c)
{
    int64_t dead = 0, late = 0, now = clock_now_us();
    db_query_int(c, "SELECT count(*) FROM jobs WHERE status = 'dead'", DB_NOARGS, &dead, NULL);
    db_query_int(c, "SELECT count(*) FROM jobs WHERE status = 'pending' AND run_at <= $1",
                 DB_ARGS(db_time(now - 5 * 60 * USEC_PER_SEC)), &late, NULL);
    if (late)
        report(d, D_WARN, "jobs",
               "%lld due for over 5 minutes (is a worker running? LOOPIN_JOBS_IN_SERVE or "
               "loopin worker)",
               (long long)late);
    else
        report(d, dead ? D_WARN : D_OK, "jobs", "none late; %lld dead%s", (long long)dead,
               dead ? " (see the console's Jobs page)" : "");
}

static void check_database(doctor_t *d)
{
    config_t *cfg = &d->app->cfg;
    db_pool_config_t pc = {.url = cfg->database_url,
                           .size = 1,
                           .acquire_timeout_ms = 5000,
                           .statement_timeout_ms = 10000};
    char err[512], path[1024];
    if (db_url_dialect(cfg->database_url, path, sizeof path) == DB_DIALECT_SQLITE &&
        access(path, F_OK) != 0) {
        report(d, D_FAIL, "database", "no SQLite database at %s (run loopin migrate)", path);
        return;
    }
    int64_t t0 = clock_mono_us();
    if (db_pool_open(&pc, &d->app->db, err, sizeof err) != DB_OK) {
        report(d, D_FAIL, "database", "cannot open: %s", err);
        return;
    }
    db_conn_t *c = db_acquire(d->app->db);
    int64_t one = 0;
    if (!c || db_query_int(c, "SELECT 1", DB_NOARGS, &one, NULL) != DB_OK || one != 1) {
        report(d, D_FAIL, "database", "connected but does not answer");
        if (c)
            db_release(c);
        return;
    }
    report(d, D_OK, "database", "%s answered in %.1f ms",
           db_dialect(c) == DB_DIALECT_PG ? "PostgreSQL" : "SQLite",
           (double)(clock_mono_us() - t0) / 1000.0);
    check_clock(d, c);
    db_release(c);
    check_migrations(d);
    c = db_acquire(d->app->db);
    if (c) {
        check_jobs(d, c);
        db_release(c);
    }
}

/* ---- media and disk --------------------------------------------------------------- */

static void check_media(doctor_t *d)
{
    char err[512];
    storage_t *s = storage_from_config(&d->app->cfg, err, sizeof err);
    if (!s) {
        report(d, D_FAIL, "media", "%s", err);
        return;
    }
    if (d->offline && strcmp(storage_backend_name(s), "local"))
        report(d, D_OK, "media", "%s (not tried: --offline)", storage_backend_name(s));
    else if (storage_check(s, err, sizeof err) != 0)
        report(d, D_FAIL, "media", "%s: %s", storage_backend_name(s), err);
    else if (!strcmp(storage_backend_name(s), "local"))
        report(d, D_OK, "media", "local, %s is writable%s", d->app->cfg.media_dir,
               d->app->cfg.env == ENV_PRODUCTION
                   ? " (nodes on other machines cannot see it: use s3 for those)"
                   : "");
    else
        report(d, D_OK, "media", "s3 bucket %s answers", d->app->cfg.s3_bucket);
    storage_free(s);
}

static void check_disk(doctor_t *d, const char *what, const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0)
        return;
    double gib = (double)st.f_bavail * (double)st.f_frsize / (1024.0 * 1024 * 1024);
    report(d, gib < 1 ? D_WARN : D_OK, "disk", "%.1f GiB free for %s (%s)", gib, what, path);
}

/* ---- providers ------------------------------------------------------------------------ */

/* The HTTP status of a GET, or 0 when nothing answered. */
static long probe(const char *url, const char *user, const char *pass, const char *header)
{
    CURL *h = curl_ready() == 0 ? curl_easy_init() : NULL;
    if (!h)
        return 0;
    strbuf_t sb;
    sb_init(&sb);
    curl_sink_t sink = {.sb = &sb, .max = 4096};
    struct curl_slist *hdrs = header ? curl_slist_append(NULL, header) : NULL;
    curl_base_opts(h, 5000, 10000);
    curl_set_sink(h, &sink);
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
    }
    if (hdrs)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    sb_free(&sb);
    return status;
}

static void report_probe(doctor_t *d, const char *name, const char *who, long status)
{
    if (status >= 200 && status < 300)
        report(d, D_OK, name, "%s accepts the credentials", who);
    else if (status == 401 || status == 403)
        report(d, D_FAIL, name, "%s refuses the credentials (%ld)", who, status);
    else if (status)
        report(d, D_WARN, name, "%s answered %ld", who, status);
    else
        report(d, D_FAIL, name, "%s did not answer", who);
}

static void check_sms(doctor_t *d)
{
    const config_t *cfg = &d->app->cfg;
    char err[512], url[1024];
    if (config_check_sms(cfg, err, sizeof err) != 0) {
        report(d, D_FAIL, "sms", "%s", err);
        return;
    }
    if (strcmp(cfg->sms_backend, "twilio")) {
        report(d, cfg->env == ENV_PRODUCTION ? D_FAIL : D_OK, "sms", "%s backend%s",
               cfg->sms_backend, cfg->env == ENV_PRODUCTION ? ": no code reaches a phone" : "");
        return;
    }
    if (d->offline) {
        report(d, D_OK, "sms", "twilio, settings complete (not tried: --offline)");
        return;
    }
    char *sid = curl_easy_escape(NULL, cfg->twilio_account_sid, 0);
    snprintf(url, sizeof url, "%s/2010-04-01/Accounts/%s.json", cfg->twilio_api_base,
             sid ? sid : "");
    curl_free(sid);
    report_probe(d, "sms", "Twilio",
                 probe(url, cfg->twilio_account_sid, cfg->twilio_auth_token, NULL));
}

static void check_push(doctor_t *d)
{
    const config_t *cfg = &d->app->cfg;
    char err[512], url[1024], auth[400];
    if (config_check_push(cfg, err, sizeof err) != 0) {
        report(d, D_FAIL, "push", "%s", err);
        return;
    }
    if (strcmp(cfg->push_backend, "onesignal")) {
        report(d, cfg->env == ENV_PRODUCTION ? D_WARN : D_OK, "push", "%s backend%s",
               cfg->push_backend,
               cfg->env == ENV_PRODUCTION ? ": notifications stay in the app" : "");
        return;
    }
    if (d->offline) {
        report(d, D_OK, "push", "onesignal, settings complete (not tried: --offline)");
        return;
    }
    char *app_id = curl_easy_escape(NULL, cfg->onesignal_app_id, 0);
    snprintf(url, sizeof url, "%s/api/v1/notifications?app_id=%s&limit=1", cfg->onesignal_api_base,
             app_id ? app_id : "");
    curl_free(app_id);
    snprintf(auth, sizeof auth, "Authorization: Basic %s", cfg->onesignal_api_key);
    report_probe(d, "push", "OneSignal", probe(url, NULL, NULL, auth));
}

static void check_payments(doctor_t *d)
{
    const config_t *cfg = &d->app->cfg;
    char err[512];
    if (config_check_payments(cfg, err, sizeof err) != 0)
        report(d, D_FAIL, "payments", "%s", err);
    else if (strcmp(cfg->payment_provider, "payu"))
        report(d, D_OK, "payments", "%s provider (no money moves)", cfg->payment_provider);
    else
        report(d, strncmp(cfg->payu_url, "https://", 8) ? D_WARN : D_OK, "payments",
               "PayU key and salt set; checkout %s; callbacks from %s", cfg->payu_url,
               cfg->payu_allowed_ips[0] ? cfg->payu_allowed_ips : "any address (hash checked)");
}

int doctor_cmd(app_t *app, int argc, char **argv)
{
    doctor_t d = {.app = app, .offline = argc == 2 && !strcmp(argv[1], "--offline")};
    if (argc > 2 || (argc == 2 && !d.offline)) {
        fprintf(stderr, "usage: %s\n", DOCTOR_USAGE);
        return 2;
    }
    printf("loopin %s doctor (%s)\n", LOOPIN_VERSION, config_env_name(app->cfg.env));
    check_config(&d);
    check_database(&d);
    check_media(&d);
    char path[1024];
    if (db_url_dialect(app->cfg.database_url, path, sizeof path) == DB_DIALECT_SQLITE) {
        char *slash = strrchr(path, '/');
        if (slash)
            *slash = '\0';
        check_disk(&d, "the database", slash ? (path[0] ? path : "/") : ".");
    }
    if (!strcmp(app->cfg.media_backend, "local"))
        check_disk(&d, "media", app->cfg.media_dir);
    check_sms(&d);
    check_push(&d);
    check_payments(&d);
    printf("%d problem%s, %d warning%s\n", d.failures, d.failures == 1 ? "" : "s", d.warnings,
           d.warnings == 1 ? "" : "s");
    return d.failures ? 1 : 0;
}
