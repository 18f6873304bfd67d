/*
 * main.c: the `loopin` binary's subcommand dispatch. Each subcommand loads
 * the configuration (exit 2 when it is bad), does its one job and returns an
 * exit code; nothing else in the code base calls exit().
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/keys.h"
#include "auth/sms.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/rand.h"
#include "db/db_notify.h"
#include "db/migrate.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "media/media_cmd.h"
#include "media/storage.h"
#include "module.h"
#include "notifications/push.h"
#include "ops/backup.h"
#include "ops/doctor.h"
#include "ops/ops.h"
#include "ops/seed_demo.h"
#include "tickets/ticket_cmd.h"

#define EXIT_CONFIG 2

typedef int (*command_fn)(app_t *app, int argc, char **argv);

typedef struct {
    const char *name, *summary, *usage;
    command_fn run;
    bool needs_db;
} command_t;

static int usage_error(const char *usage)
{
    fprintf(stderr, "usage: %s\n", usage);
    return EXIT_CONFIG;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}

static int run_migrations(app_t *app)
{
    char err[512];
    int applied = 0;
    if (migrate_apply(app->db, loopin_migrations, loopin_migrations_count, &applied, err,
                      sizeof err) != DB_OK) {
        log_msg(LOG_ERROR, "migration failed", "error", err, NULL);
        return 1;
    }
    char n[16];
    snprintf(n, sizeof n, "%d", applied);
    log_msg(LOG_INFO, "database schema up to date", "applied_now", n, NULL);
    return 0;
}

/* Blocks until SIGTERM or SIGINT (blocked in every thread by main). */
static int wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

/* The router from every module's routes: NULL (logged) when a declaration
 * is refused, so a bad route stops start-up. */
static router_t *build_router(const app_t *app)
{
    router_t *r = router_new();
    if (!r)
        return NULL;
    for (int m = 0; loopin_modules[m]; m++) {
        const module_t *mod = loopin_modules[m];
        for (const route_def_t *d = mod->routes; d && d->pattern; d++)
            if (router_add_def(r, d, app->cfg.test_mode) != 0) {
                router_free(r);
                return NULL;
            }
    }
    return r;
}

/* Flattens the modules' job kinds and purges into app (NULL-terminated). */
static int collect_jobs(app_t *app)
{
    int nk = 0, np = 0;
    for (int m = 0; loopin_modules[m]; m++) {
        for (const job_kind_t *k = loopin_modules[m]->jobs; k && k->kind; k++)
            nk++;
        for (const purge_def_t *p = loopin_modules[m]->purges; p && p->what; p++)
            np++;
    }
    app->job_kinds = calloc((size_t)nk + 1, sizeof *app->job_kinds);
    app->purges = calloc((size_t)np + 1, sizeof *app->purges);
    if (!app->job_kinds || !app->purges)
        return -1;
    nk = np = 0;
    for (int m = 0; loopin_modules[m]; m++) {
        for (const job_kind_t *k = loopin_modules[m]->jobs; k && k->kind; k++)
            app->job_kinds[nk++] = k;
        for (const purge_def_t *p = loopin_modules[m]->purges; p && p->what; p++)
            app->purges[np++] = p;
    }
    return 0;
}

/* The outbound adapters that serve and worker need (SMS and WhatsApp, push):
 * settings that cannot work stop start-up before the database is touched,
 * and a backend that cannot start stops it with its reason. */
static int check_adapters(const app_t *app)
{
    char err[512];
    if (config_check_sms(&app->cfg, err, sizeof err) != 0 ||
        config_check_push(&app->cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    return 0;
}

static int start_adapters(app_t *app)
{
    char err[512];
    app->sms = sms_new(&app->cfg, err, sizeof err);
    app->push = app->sms ? push_new(&app->cfg, err, sizeof err) : NULL;
    if (!app->sms || !app->push) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    return 0;
}

static int cmd_serve(app_t *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'}, {"no-migrate", no_argument, 0, 'n'}, {0, 0, 0, 0}};
    int port = app->cfg.port, c;
    bool migrate = true;
    while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
        if (c == 'p') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 65535) {
                fprintf(stderr, "--port: expected 0-65535\n");
                return EXIT_CONFIG;
            }
            port = (int)v;
        } else if (c == 'n')
            migrate = false;
        else
            return usage_error("loopin serve [--port N] [--no-migrate]");
    }
    char err[512];
    if (config_resolve_secret(&app->cfg, err, sizeof err) != 0 ||
        config_check_payments(&app->cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    if (check_adapters(app) != 0 || start_adapters(app) != 0)
        return EXIT_CONFIG;
    if (migrate && run_migrations(app) != 0)
        return 1;
    keys_derive(app->cfg.secret_key, &app->keys);
    /* The invalidation bus: made before the modules start (their caches
     * subscribe), connected once they have. */
    if (!(app->notify = db_notify_new(app->cfg.database_url)))
        return 1;
    app->storage = storage_from_config(&app->cfg, err, sizeof err);
    if (!app->storage) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    /* A storage outage must not keep the API down: warn, serve, and let the
     * uploads and /media answer 5xx until it is back. */
    if (storage_check(app->storage, err, sizeof err) != 0)
        log_msg(LOG_WARN, "media storage is not usable", "backend",
                storage_backend_name(app->storage), "error", err, NULL);
    for (int m = 0; loopin_modules[m]; m++)
        if (loopin_modules[m]->start && loopin_modules[m]->start(app) != 0)
            return 1;
    if (app->notify && db_notify_start(app->notify) != 0)
        return 1;
    app->router = build_router(app);
    app->metrics = app->router ? metrics_new(app->router) : NULL;
    if (!app->metrics)
        return 1;
    /* The runner first: request threads read app->jobs (jobs_kick). */
    if (app->cfg.jobs_in_serve)
        app->jobs = jobs_runner_start(app);
    app->server = http_server_start(app, port, err, sizeof err);
    if (!app->server) {
        fprintf(stderr, "%s\n", err);
        jobs_runner_stop(app->jobs);
        app->jobs = NULL;
        return EXIT_CONFIG;
    }
    char portstr[16], workers[16];
    snprintf(portstr, sizeof portstr, "%d", http_server_port(app->server));
    snprintf(workers, sizeof workers, "%d", app->cfg.workers);
    log_msg(LOG_INFO, "listening", "host", app->cfg.host, "port", portstr, "workers", workers,
            "environment", config_env_name(app->cfg.env), "test_mode",
            app->cfg.test_mode ? "true" : "false", "sms", sms_backend_name(app->sms), "push",
            push_backend_name(app->push), NULL);
    int sig = wait_for_signal();
    log_msg(LOG_INFO, "shutting down", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    http_server_stop(app->server, app->cfg.shutdown_grace_s);
    app->server = NULL;
    jobs_runner_stop(app->jobs);
    app->jobs = NULL;
    log_msg(LOG_INFO, "stopped", NULL);
    return 0;
}

/* `loopin migrate --status`: the count, then each pending migration by name
 * (what a rolling upgrade is about to apply; docs/ARCHITECTURE.md). */
static int migrate_print_status(app_t *app)
{
    char err[512];
    int n = loopin_migrations_count, pending = 0;
    bool *applied = calloc((size_t)n, sizeof *applied);
    if (!applied || migrate_status(app->db, loopin_migrations, n, applied, &pending, err,
                                   sizeof err) != DB_OK) {
        fprintf(stderr, "%s\n", applied ? err : "out of memory");
        free(applied);
        return 1;
    }
    printf("%d migrations known, %d pending%s\n", n, pending, pending ? ":" : "");
    for (int i = 0; i < n; i++)
        if (!applied[i])
            printf("  %04d_%s\n", loopin_migrations[i].version, loopin_migrations[i].name);
    free(applied);
    return 0;
}

static int cmd_migrate(app_t *app, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--status"))
        return migrate_print_status(app);
    if (argc > 1)
        return usage_error("loopin migrate [--status]");
    return run_migrations(app);
}

static int cmd_worker(app_t *app, int argc, char **argv)
{
    bool once = argc > 1 && !strcmp(argv[1], "--once");
    if (argc > 1 && !once)
        return usage_error("loopin worker [--once]");
    /* Jobs send SMS, WhatsApp and push: the worker needs the adapters. */
    if (check_adapters(app) != 0 || start_adapters(app) != 0)
        return EXIT_CONFIG;
    if (once) {
        bool ran = true;
        int n = 0;
        while (ran && jobs_run_one(app, "worker-once", &ran) == DB_OK)
            n += ran;
        printf("%d jobs run\n", n);
        return 0;
    }
    app->jobs = jobs_runner_start(app);
    if (!app->jobs)
        return 1;
    log_msg(LOG_INFO, "worker started", NULL);
    wait_for_signal();
    jobs_runner_stop(app->jobs);
    app->jobs = NULL;
    return 0;
}

/* Creates the account, or promotes an existing one (activated, staff, and
 * superuser when asked; createstaff never takes superuser away). */
static const char SQL_UPSERT_STAFF[] =
    "INSERT INTO users (uuid, phone, password_hash, is_active, is_staff, is_superuser, "
    "date_joined, created_at, updated_at) VALUES ($1, $2, $3, $6, $6, $4, $5, $5, $5) "
    "ON CONFLICT (phone) DO UPDATE SET password_hash = excluded.password_hash, "
    "is_active = excluded.is_active, is_staff = excluded.is_staff, "
    "is_superuser = users.is_superuser OR excluded.is_superuser, "
    "updated_at = excluded.updated_at";

/* Reads one line from stdin as the password, without echoing it anywhere. */
static int read_password(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin))
        return -1;
    size_t n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return n >= 8 ? 0 : -1;
}

/* createsuperuser and createstaff: the account with a password (argon2id). */
static int create_staff(app_t *app, int argc, char **argv, bool superuser)
{
    const char *usage = superuser ? "loopin createsuperuser --phone +91XXXXXXXXXX --password-stdin"
                                  : "loopin createstaff --phone +91XXXXXXXXXX --password-stdin";
    static const struct option opts[] = {{"phone", required_argument, 0, 'p'},
                                         {"password-stdin", no_argument, 0, 's'},
                                         {0, 0, 0, 0}};
    const char *phone_in = NULL;
    bool from_stdin = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'p')
            phone_in = optarg;
        else if (c == 's')
            from_stdin = true;
        else
            return usage_error(usage);
    }
    char phone[17];
    if (!phone_in || !from_stdin)
        return usage_error(usage);
    if (!phone_normalize(phone_in, phone)) {
        fprintf(stderr, "--phone: expected an international number such as +919876543210\n");
        return EXIT_CONFIG;
    }
    char password[1024], hash[crypto_pwhash_STRBYTES], uuid[37];
    if (read_password(password, sizeof password) != 0) {
        fprintf(stderr, "password: at least 8 characters expected on stdin\n");
        return EXIT_CONFIG;
    }
    int hrc = crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_MODERATE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(password, sizeof password);
    if (hrc != 0 || run_migrations(app) != 0)
        return 1;
    rand_uuid(uuid);
    db_conn_t *conn = db_acquire(app->db);
    int rc = conn ? db_exec(conn, SQL_UPSERT_STAFF,
                            DB_ARGS(db_text(uuid), db_text(phone), db_text(hash),
                                    db_bool(superuser), db_time(clock_now_us()), db_bool(true)),
                            NULL)
                  : DB_TIMEOUT;
    const char *what = superuser ? "superuser" : "staff account";
    if (rc != DB_OK)
        fprintf(stderr, "could not save the %s: %s\n", what,
                conn ? db_errmsg(conn) : "no connection");
    if (conn)
        db_release(conn);
    if (rc == DB_OK)
        printf("%s %s is ready\n", what, phone);
    return rc == DB_OK ? 0 : 1;
}

static int cmd_createsuperuser(app_t *app, int argc, char **argv)
{
    return create_staff(app, argc, argv, true);
}

static int cmd_createstaff(app_t *app, int argc, char **argv)
{
    return create_staff(app, argc, argv, false);
}

static int cmd_seed(app_t *app, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--demo") != 0)
        return usage_error(SEED_DEMO_USAGE);
    if (run_migrations(app) != 0)
        return 1;
    return seed_demo(app);
}

static int cmd_config(app_t *app, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    config_print(&app->cfg, stdout);
    return 0;
}

static int cmd_version(app_t *app, int argc, char **argv)
{
    (void)app;
    (void)argc;
    (void)argv;
    printf("loopin %s (API %s, %d migrations)\n", LOOPIN_VERSION, LOOPIN_API_VERSION,
           loopin_migrations_count);
    return 0;
}

static int cmd_routes(app_t *app, int argc, char **argv)
{
    (void)app;
    bool as_json = argc > 1 && !strcmp(argv[1], "--json");
    if (argc > 2 || (argc > 1 && !as_json))
        return usage_error("loopin routes [--json]");
    return routes_print(stdout, as_json);
}

/* Offline: main runs it before loading the configuration. */
static int cmd_ticket(app_t *app, int argc, char **argv)
{
    (void)app;
    return ticket_cmd(argc, argv, stdout);
}

static const command_t commands[] = {
    {"serve", "run the HTTP server (migrates first)", "loopin serve [--port N] [--no-migrate]",
     cmd_serve, true},
    {"migrate", "apply pending database migrations", "loopin migrate [--status]", cmd_migrate,
     true},
    {"worker", "run background jobs only (for scale-out)", "loopin worker [--once]", cmd_worker,
     true},
    {"createsuperuser", "create or promote a staff superuser",
     "loopin createsuperuser --phone +91XXXXXXXXXX --password-stdin", cmd_createsuperuser, true},
    {"seed", "fill a development database with demo people, events, tickets and payouts",
     SEED_DEMO_USAGE, cmd_seed, true},
    {"createstaff", "create or promote a staff account (admin console, not the fee or staff)",
     "loopin createstaff --phone +91XXXXXXXXXX --password-stdin", cmd_createstaff, true},
    /* No pool: backup and restore open the SQLite file themselves (a pool
     * would create a missing database and hold it open). */
    {"backup", "copy the SQLite database and its secret key to FILE, while serving", BACKUP_USAGE,
     cmd_backup, false},
    {"restore", "replace the SQLite database (and key) with a backup; service stopped",
     RESTORE_USAGE, cmd_restore, false},
    {"config", "print the effective configuration (secrets masked)", "loopin config", cmd_config,
     false},
    {"routes", "list every route with its auth level and fields", "loopin routes [--json]",
     cmd_routes, false},
    {.name = "ticket",
     .summary = "verify a signed ticket code offline with the event's public key",
     .usage = TICKET_CMD_USAGE,
     .run = cmd_ticket},
    {"doctor", "check configuration, database, migrations, media, providers and clock",
     DOCTOR_USAGE, doctor_cmd, false},
    {"media", "copy local media to the S3 bucket (before LOOPIN_MEDIA_BACKEND=s3)", MEDIA_CMD_USAGE,
     media_cmd, false},
    {"version", "print the version", "loopin version", cmd_version, false},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static int print_usage(FILE *out)
{
    fprintf(out, "usage: loopin <command> [options]\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEach command takes --help. Configuration comes from LOOPIN_* environment "
                 "variables (see README).\n");
    return out == stdout ? 0 : EXIT_CONFIG;
}

static int open_database(app_t *app)
{
    db_pool_config_t pc = {.url = app->cfg.database_url,
                           .size = app->cfg.db_pool,
                           .acquire_timeout_ms = 5000,
                           .statement_timeout_ms = 30000};
    char err[512];
    if (db_pool_open(&pc, &app->db, err, sizeof err) != DB_OK) {
        fprintf(stderr, "LOOPIN_DATABASE_URL: cannot open the database: %s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help"))
        return print_usage(argc < 2 ? stderr : stdout);
    const command_t *cmd = NULL;
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name))
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "loopin: unknown command '%s'\n", argv[1]);
        return print_usage(stderr);
    }
    if (wants_help(argc - 1, argv + 1)) {
        printf("usage: %s\n\n%s\n", cmd->usage, cmd->summary);
        return 0;
    }
    if (cmd->run == cmd_ticket) /* no configuration, no database */
        return cmd_ticket(NULL, argc - 1, argv + 1);
    /* Signals are handled by sigwait in the main thread only: block them
     * before any other thread exists so every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* glibc gives a worker thread's heap back to the kernel whenever its
     * free top passes 128 KiB, and a listing page's buffers do that at
     * every request: madvise, page faults and TLB shootdowns were a third of
     * a page's CPU (docs/benchmarks.md). Keep up to 16 MiB of free heap per
     * arena instead; memory stays bounded by the peak in use. Setting these
     * also turns off glibc's sliding mmap threshold. */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);

    static app_t app;
    char err[512];
    if (config_load(&app.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    /* Checked by config_load already; parsed once here for the request path. */
    if (cidr_list_parse(app.cfg.trusted_proxies, &app.trusted_proxies, err, sizeof err) != 0 ||
        cidr_list_parse(app.cfg.payu_allowed_ips, &app.payu_allowed, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    log_level_t level = LOG_INFO;
    log_parse_level(app.cfg.log_level, &level);
    log_set_level(level);
    if (rand_init() != 0) {
        fprintf(stderr, "libsodium failed to initialise\n");
        return 1;
    }
    int rc = collect_jobs(&app);
    if (rc == 0 && cmd->needs_db)
        rc = open_database(&app);
    if (rc == 0)
        rc = cmd->run(&app, argc - 1, argv + 1);
    free(app.job_kinds);
    free(app.purges);
    db_notify_free(app.notify); /* before the caches it feeds */
    for (int m = 0; loopin_modules[m]; m++)
        if (loopin_modules[m]->stop)
            loopin_modules[m]->stop(&app);
    storage_free(app.storage);
    sms_free(app.sms);
    push_free(app.push);
    sodium_memzero(&app.keys, sizeof app.keys);
    metrics_free(app.metrics);
    router_free(app.router);
    db_pool_close(app.db);
    return rc;
}
