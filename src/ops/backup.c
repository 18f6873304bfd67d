/*
 * backup.c: `loopin backup` and `loopin restore` for a SQLite install
 * (docs/backup.md): what each refuses, and the order of their steps. Pages
 * are copied with SQLite's online backup API (sqlite_copy.c) into a temp file
 * beside the destination, checked, synced and only then renamed into place
 * (whole_file.c), so a half copy never has the final name; the secret key
 * file travels with the database.
 */
#include "ops/backup.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "ops/sqlite_copy.h"
#include "ops/whole_file.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

/* Opening a read transaction on the live database waits this long for a
 * lock (a checkpoint, a WAL recovery). */
#define BUSY_TIMEOUT_MS 30000

#define KEY_SUFFIX ".secret_key"
/* A message naming two paths and a reason. */
#define ERR_LEN (2 * PATH_MAX + 512)

typedef struct {
    const char *file;
    bool force;
} cli_t;

/* ---- arguments and paths ------------------------------------------------------ */

/* `--to FILE` or `--from FILE` (flag names which) and `--force`. */
static int parse_cli(int argc, char **argv, const char *flag, const char *usage, cli_t *cli)
{
    const struct option opts[] = {
        {flag, required_argument, 0, 'f'}, {"force", no_argument, 0, 'F'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f')
            cli->file = optarg;
        else if (c == 'F')
            cli->force = true;
        else
            break;
    }
    if (c != -1 || optind != argc || !cli->file || !cli->file[0]) {
        fprintf(stderr, "usage: %s\n", usage);
        return EXIT_USAGE;
    }
    return 0;
}

/* The SQLite file LOOPIN_DATABASE_URL names. PostgreSQL has tools of its own. */
static int sqlite_file(const app_t *app, const char *cmd, char *path, size_t len)
{
    int dialect = db_url_dialect(app->cfg.database_url, path, len);
    if (dialect == DB_DIALECT_SQLITE)
        return 0;
    if (dialect == DB_DIALECT_PG)
        fprintf(stderr,
                "loopin %s works on SQLite; this install uses PostgreSQL: back it up with "
                "pg_dump -Fc and restore it with pg_restore (docs/backup.md)\n",
                cmd);
    else
        fprintf(stderr, "LOOPIN_DATABASE_URL: unsupported database URL\n");
    return EXIT_USAGE;
}

static void with_suffix(char *out, size_t len, const char *path, const char *suffix)
{
    snprintf(out, len, "%s%s", path, suffix);
}

/* ---- loopin backup --to FILE --------------------------------------------------- */

/* Ctrl-C and SIGTERM end a copy (main blocks them for sigwait): the temp file
 * stays behind under its own name, never under the final one. */
static void default_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static int backup_refusal(const char *db, const cli_t *cli, const char *key_from,
                          const char *key_to)
{
    if (!path_exists(db)) {
        fprintf(stderr, "loopin backup: no database at %s\n", db);
        return EXIT_REFUSED;
    }
    if (path_same_file(db, cli->file)) {
        fprintf(stderr, "loopin backup: %s is the database itself\n", cli->file);
        return EXIT_REFUSED;
    }
    const char *there = path_exists(cli->file)                         ? cli->file
                        : path_exists(key_from) && path_exists(key_to) ? key_to
                                                                       : NULL;
    if (there && !cli->force) {
        fprintf(stderr, "loopin backup: %s exists; --force replaces it\n", there);
        return EXIT_REFUSED;
    }
    return 0;
}

static void report_key(const app_t *app, const char *key_from, const char *key_to)
{
    if (path_exists(key_from))
        printf("secret key: %s (mode 0600; restore puts it back beside the database)\n", key_to);
    if (app->cfg.secret_key[0])
        printf("secret key: LOOPIN_SECRET_KEY is set in the configuration: keep that value "
               "with this backup, it is not in any file written here\n");
    else if (!path_exists(key_from))
        printf("secret key: none at %s (tickets need the key this install signs with)\n", key_from);
}

int cmd_backup(app_t *app, int argc, char **argv)
{
    cli_t cli = {0};
    char db[PATH_MAX], key_from[PATH_MAX + 16], key_to[PATH_MAX + 16], tmp[PATH_MAX + 16];
    char err[ERR_LEN];
    int rc = parse_cli(argc, argv, "to", BACKUP_USAGE, &cli);
    if (rc == 0)
        rc = sqlite_file(app, "backup", db, sizeof db);
    if (rc != 0)
        return rc;
    with_suffix(key_from, sizeof key_from, db, KEY_SUFFIX);
    with_suffix(key_to, sizeof key_to, cli.file, KEY_SUFFIX);
    if ((rc = backup_refusal(db, &cli, key_from, key_to)) != 0)
        return rc;
    default_signals();
    sqlite3 *src = NULL;
    if (sqlite_copy_open(db, SQLITE_OPEN_READONLY, &src, err, sizeof err) == SQLITE_OK) {
        sqlite3_busy_timeout(src, BUSY_TIMEOUT_MS);
        rc = sqlite_copy_to_temp(src, cli.file, "PRAGMA quick_check", tmp, sizeof tmp, err,
                                 sizeof err);
    } else {
        rc = -1;
    }
    sqlite3_close(src);
    if (rc == 0 && file_publish(tmp, cli.file) != 0) {
        snprintf(err, sizeof err, "cannot put the backup at %s: %s", cli.file, strerror(errno));
        unlink(tmp);
        rc = -1;
    }
    if (rc == 0 && path_exists(key_from))
        rc = key_file_copy(key_from, key_to, false, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "loopin backup: %s\n", err);
        return EXIT_REFUSED;
    }
    printf("backup: %s (a consistent copy of %s)\n", cli.file, db);
    report_key(app, key_from, key_to);
    return 0;
}

/* ---- loopin restore --from FILE ------------------------------------------------- */

/* Takes the database at path for ourselves, so no server can open it while it
 * is replaced. *held is that connection (NULL when path holds no SQLite
 * database). Returns 1 when another process has it open ("live"). Under WAL
 * every open connection, even an idle one between requests, keeps a shared
 * lock on the database file; in locking_mode=EXCLUSIVE the first transaction
 * wants an exclusive lock on it, which fails at once (no busy timeout) while
 * anyone holds one. BEGIN EXCLUSIVE alone would not tell: under WAL it takes
 * the write lock, which an idle server does not hold. */
static int hold_exclusive(const char *path, sqlite3 **held, char *err, size_t errlen)
{
    *held = NULL;
    if (!path_exists(path))
        return 0;
    sqlite3 *db = NULL;
    if (sqlite_copy_open(path, SQLITE_OPEN_READWRITE, &db, err, errlen) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT", NULL, NULL,
                          NULL);
    if (rc == SQLITE_OK) {
        *held = db;
        return 0;
    }
    snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    if (sqlite_copy_busy(rc))
        return 1;
    return rc == SQLITE_NOTADB ? 0 : -1;
}

/* A WAL or shared-memory file left beside the database by a process that
 * ended without closing it: it would be replayed into the restored file. */
static bool has_leftovers(const char *db)
{
    char p[PATH_MAX + 8];
    with_suffix(p, sizeof p, db, "-wal");
    bool wal = path_exists(p);
    with_suffix(p, sizeof p, db, "-shm");
    return wal || path_exists(p);
}

static void remove_leftovers(const char *db)
{
    char p[PATH_MAX + 8];
    with_suffix(p, sizeof p, db, "-wal");
    unlink(p);
    with_suffix(p, sizeof p, db, "-shm");
    unlink(p);
}

static int restore_refusal(const char *db, const cli_t *cli, const char *key_from,
                           const char *key_to)
{
    if (path_same_file(db, cli->file)) {
        fprintf(stderr, "loopin restore: %s is the database itself\n", cli->file);
        return EXIT_REFUSED;
    }
    const char *there =
        path_exists(db) || has_leftovers(db) ? db
        : path_exists(key_from) && path_exists(key_to) && !key_files_equal(key_from, key_to)
            ? key_to
            : NULL;
    if (there && !cli->force) {
        fprintf(stderr,
                "loopin restore: %s exists; --force replaces it (stop every loopin process "
                "using it first)\n",
                there);
        return EXIT_REFUSED;
    }
    return 0;
}

/* The refusals about what is at the target, then the hold on it (held);
 * 0, or EXIT_REFUSED with the reason said. */
static int claim_target(const char *db, const cli_t *cli, const char *key_from, const char *key_to,
                        sqlite3 **held)
{
    char err[ERR_LEN];
    int rc = restore_refusal(db, cli, key_from, key_to);
    if (rc != 0)
        return rc;
    int live = hold_exclusive(db, held, err, sizeof err);
    if (live == 1)
        fprintf(stderr,
                "loopin restore: %s is open in a running process (loopin serve or "
                "worker?): stop it first\n",
                db);
    else if (live < 0)
        fprintf(stderr, "loopin restore: %s\n", err);
    return live != 0 ? EXIT_REFUSED : 0;
}

/* The backup, read-only: a whole Loopin database, or a refusal. */
static sqlite3 *open_backup(const char *file, char *err, size_t errlen)
{
    sqlite3 *src = NULL;
    char why[512];
    if (!path_exists(file))
        snprintf(err, errlen, "%s: no such file", file);
    else if (sqlite_copy_open(file, SQLITE_OPEN_READONLY, &src, why, sizeof why) != SQLITE_OK)
        snprintf(err, errlen, "%s is not a Loopin SQLite database: %s", file, why);
    else if (sqlite_copy_check(src, "PRAGMA integrity_check", why, sizeof why) != 0)
        snprintf(err, errlen, "%s is not a Loopin SQLite database: %s", file, why);
    else
        return src;
    sqlite3_close(src);
    return NULL;
}

/* An existing database gets the restored pages in place, through the
 * connection that holds it, in one transaction of its own (rollback journal
 * first: a crash midway leaves the old database, whatever the page sizes).
 * Not renamed over it: a server that opened the old file meanwhile waits on
 * our lock and then reads the restored pages, where after a rename it would
 * write on into an unlinked file, with a -wal named like the new file's. */
static int restore_in_place(const char *tmp, sqlite3 *held, char *err, size_t errlen)
{
    sqlite3 *src = NULL;
    int rc = sqlite_copy_open(tmp, SQLITE_OPEN_READONLY, &src, err, errlen);
    if (rc == SQLITE_OK &&
        (rc = sqlite3_exec(held, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL)) != SQLITE_OK)
        snprintf(err, errlen, "%s", sqlite3_errmsg(held));
    if (rc == SQLITE_OK)
        rc = sqlite_copy_pages(src, held, err, errlen);
    sqlite3_close(src);
    return rc == SQLITE_OK ? 0 : -1;
}

/* No database there (or not a SQLite file): the copy is renamed into place,
 * after any -wal and -shm left beside the name (they would be replayed into
 * it). */
static int restore_fresh(const char *tmp, const char *db, char *err, size_t errlen)
{
    file_adopt_owner(tmp, db);
    remove_leftovers(db);
    if (file_publish(tmp, db) == 0)
        return 0;
    snprintf(err, errlen, "cannot put the database at %s: %s", db, strerror(errno));
    return -1;
}

/* The backup is copied into a temp file beside db and checked first, so
 * nothing at db changes unless the whole copy is good. */
static int restore_db(sqlite3 *src, const char *db, sqlite3 *held, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 16];
    int rc = sqlite_copy_to_temp(src, db, "PRAGMA quick_check", tmp, sizeof tmp, err, errlen);
    if (rc == 0)
        rc = held ? restore_in_place(tmp, held, err, errlen) : restore_fresh(tmp, db, err, errlen);
    if (held && sqlite3_close(held) != SQLITE_OK && rc == 0) {
        snprintf(err, errlen, "cannot close %s", db);
        rc = -1;
    }
    if (rc != 0 || held)
        unlink(tmp);
    return rc;
}

int cmd_restore(app_t *app, int argc, char **argv)
{
    cli_t cli = {0};
    char db[PATH_MAX], key_from[PATH_MAX + 16], key_to[PATH_MAX + 16], err[ERR_LEN];
    int rc = parse_cli(argc, argv, "from", RESTORE_USAGE, &cli);
    if (rc == 0)
        rc = sqlite_file(app, "restore", db, sizeof db);
    if (rc != 0)
        return rc;
    with_suffix(key_from, sizeof key_from, cli.file, KEY_SUFFIX);
    with_suffix(key_to, sizeof key_to, db, KEY_SUFFIX);
    sqlite3 *src = open_backup(cli.file, err, sizeof err);
    if (!src) {
        fprintf(stderr, "loopin restore: %s\n", err);
        return EXIT_REFUSED;
    }
    sqlite3 *held = NULL;
    rc = claim_target(db, &cli, key_from, key_to, &held);
    if (rc == 0) {
        default_signals();
        if (restore_db(src, db, held, err, sizeof err) != 0 ||
            (path_exists(key_from) &&
             key_file_copy(key_from, key_to, true, err, sizeof err) != 0)) {
            fprintf(stderr, "loopin restore: %s\n", err);
            rc = EXIT_REFUSED;
        }
    }
    sqlite3_close(src);
    if (rc != 0)
        return rc;
    printf("restored: %s from %s\n", db, cli.file);
    if (path_exists(key_from))
        printf("secret key: %s from %s\n", key_to, key_from);
    else
        printf("secret key: no %s; tickets verify only under the key the backup was made "
               "with (LOOPIN_SECRET_KEY)\n",
               key_from);
    return 0;
}
