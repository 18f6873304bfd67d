/*
 * test_core_config.c: core/config: defaults, every validated variable
 * refused by name when bad, the optional KEY=VALUE file (.env, loopin.conf or
 * LOOPIN_CONFIG_FILE) and its precedence below the environment, the secret
 * key rules per environment, the notification settings (push backend,
 * campaign limits, WhatsApp sender) and masked printing. Each test runs in a fresh
 * temporary working directory with every LOOPIN_* variable unset.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "fixture.h"
#include "core/rand.h"

static const char *const all_vars[] = {
    "LOOPIN_CONFIG_FILE",
    "LOOPIN_ENV",
    "LOOPIN_DATABASE_URL",
    "LOOPIN_HOST",
    "LOOPIN_PORT",
    "LOOPIN_SECRET_KEY",
    "LOOPIN_MEDIA_DIR",
    "LOOPIN_PUBLIC_URL",
    "LOOPIN_CORS_ORIGINS",
    "LOOPIN_WORKERS",
    "LOOPIN_DB_POOL",
    "LOOPIN_TEST_MODE",
    "LOOPIN_REQUEST_TIMEOUT",
    "LOOPIN_MAX_CONNECTIONS",
    "LOOPIN_SHUTDOWN_GRACE",
    "LOOPIN_JOBS_POLL_MS",
    "LOOPIN_JOBS_IN_SERVE",
    "LOOPIN_LOG_LEVEL",
    "LOOPIN_API_DOCS",
    "LOOPIN_API_DOCS_DIR",
    "LOOPIN_SMS_BACKEND",
    "LOOPIN_TWILIO_AUTH_TOKEN",
    "LOOPIN_TWILIO_WHATSAPP_FROM",
    "LOOPIN_TWILIO_CONTENT_SID",
    "LOOPIN_PUSH_BACKEND",
    "LOOPIN_PUSH_OUTBOX",
    "LOOPIN_ONESIGNAL_APP_ID",
    "LOOPIN_ONESIGNAL_API_KEY",
    "LOOPIN_ONESIGNAL_API_BASE",
    "LOOPIN_CAMPAIGN_MAX_USERS",
    "LOOPIN_CAMPAIGN_BATCH_SIZE",
    "LOOPIN_DISABLE_CAMPAIGNS",
};

#define SECRET_40 "0123456789abcdef0123456789abcdef01234567"

typedef struct {
    char old_cwd[PATH_MAX];
    char dir[PATH_MAX];
    config_t cfg;
    char err[512];
} fixture_t;

static void unset_all(void)
{
    for (size_t i = 0; i < sizeof all_vars / sizeof all_vars[0]; i++)
        unsetenv(all_vars[i]);
}

static int cfg_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || !getcwd(f->old_cwd, sizeof f->old_cwd))
        return -1;
    if (!fixture_mkdtemp(f->dir, sizeof f->dir, "test_core_config") || chdir(f->dir) != 0)
        return -1;
    unset_all();
    *state = f;
    return 0;
}

static int cfg_teardown(void **state)
{
    fixture_t *f = *state;
    unset_all();
    if (chdir(f->old_cwd) != 0)
        return -1;
    fixture_remove_tree(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static void load_ok(fixture_t *f)
{
    if (config_load(&f->cfg, f->err, sizeof f->err) != 0)
        fail_msg("config_load failed: %s", f->err);
}

/* The load fails and the one-line message starts with the variable name. */
static void load_fails_naming(fixture_t *f, const char *var)
{
    f->err[0] = '\0';
    if (config_load(&f->cfg, f->err, sizeof f->err) != -1)
        fail_msg("expected config_load to fail naming %s", var);
    size_t n = strlen(var);
    if (strncmp(f->err, var, n) != 0 || f->err[n] != ':')
        fail_msg("message should start with \"%s:\", got \"%s\"", var, f->err);
    assert_null(strchr(f->err, '\n'));
}

static void fails_with(fixture_t *f, const char *var, const char *value)
{
    setenv(var, value, 1);
    load_fails_naming(f, var);
    unsetenv(var);
}

/* ---- defaults and environment ---------------------------------------------- */

static void test_defaults(void **state)
{
    fixture_t *f = *state;
    load_ok(f);
    assert_int_equal(f->cfg.env, ENV_DEVELOPMENT);
    assert_string_equal(f->cfg.database_url, "sqlite://loopin.db");
    assert_string_equal(f->cfg.host, "127.0.0.1");
    assert_int_equal(f->cfg.port, 8000);
    assert_string_equal(f->cfg.secret_key, "");
    assert_string_equal(f->cfg.secret_source, "");
    assert_false(f->cfg.secret_generated);
    assert_string_equal(f->cfg.media_dir, "media");
    assert_string_equal(f->cfg.public_url, "http://127.0.0.1:8000");
    assert_string_equal(f->cfg.cors_origins, "");
    assert_false(f->cfg.test_mode);
    assert_int_equal(f->cfg.request_timeout_s, 30);
    assert_int_equal(f->cfg.max_connections, 1024);
    assert_int_equal(f->cfg.shutdown_grace_s, 30);
    assert_int_equal(f->cfg.jobs_poll_ms, 1000);
    assert_true(f->cfg.jobs_in_serve);
    assert_string_equal(f->cfg.log_level, "info");
}

static void test_default_workers_and_pool_are_twice_the_cores(void **state)
{
    fixture_t *f = *state;
    load_ok(f);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores > 0 ? (int)(cores * 2) : 4;
    assert_int_equal(f->cfg.workers, want);
    assert_int_equal(f->cfg.db_pool, want);
}

static void test_environment_values_are_used(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "test", 1);
    setenv("LOOPIN_DATABASE_URL", "postgresql://u:p@db:5432/loopin", 1);
    setenv("LOOPIN_HOST", "0.0.0.0", 1);
    setenv("LOOPIN_PORT", "9001", 1);
    setenv("LOOPIN_MEDIA_DIR", "/srv/media", 1);
    setenv("LOOPIN_CORS_ORIGINS", "https://a.example,https://b.example", 1);
    setenv("LOOPIN_WORKERS", "3", 1);
    setenv("LOOPIN_DB_POOL", "5", 1);
    setenv("LOOPIN_TEST_MODE", "1", 1);
    setenv("LOOPIN_REQUEST_TIMEOUT", "60", 1);
    setenv("LOOPIN_MAX_CONNECTIONS", "50", 1);
    setenv("LOOPIN_SHUTDOWN_GRACE", "0", 1);
    setenv("LOOPIN_JOBS_POLL_MS", "250", 1);
    setenv("LOOPIN_JOBS_IN_SERVE", "false", 1);
    setenv("LOOPIN_LOG_LEVEL", "debug", 1);
    load_ok(f);
    assert_int_equal(f->cfg.env, ENV_TEST);
    assert_string_equal(f->cfg.database_url, "postgresql://u:p@db:5432/loopin");
    assert_string_equal(f->cfg.host, "0.0.0.0");
    assert_int_equal(f->cfg.port, 9001);
    assert_string_equal(f->cfg.media_dir, "/srv/media");
    assert_string_equal(f->cfg.cors_origins, "https://a.example,https://b.example");
    assert_int_equal(f->cfg.workers, 3);
    assert_int_equal(f->cfg.db_pool, 5);
    assert_true(f->cfg.test_mode);
    assert_int_equal(f->cfg.request_timeout_s, 60);
    assert_int_equal(f->cfg.max_connections, 50);
    assert_int_equal(f->cfg.shutdown_grace_s, 0);
    assert_int_equal(f->cfg.jobs_poll_ms, 250);
    assert_false(f->cfg.jobs_in_serve);
    assert_string_equal(f->cfg.log_level, "debug");
}

static void test_default_public_url_follows_host_and_port(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_HOST", "10.0.0.7", 1);
    setenv("LOOPIN_PORT", "8443", 1);
    load_ok(f);
    assert_string_equal(f->cfg.public_url, "http://10.0.0.7:8443");
}

static void test_public_url_trailing_slashes_are_removed(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_PUBLIC_URL", "https://loopin.example/app//", 1);
    load_ok(f);
    assert_string_equal(f->cfg.public_url, "https://loopin.example/app");
}

static void test_environment_names(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    load_ok(f);
    assert_int_equal(f->cfg.env, ENV_PRODUCTION);
    setenv("LOOPIN_ENV", "development", 1);
    load_ok(f);
    assert_int_equal(f->cfg.env, ENV_DEVELOPMENT);
    assert_string_equal(config_env_name(ENV_PRODUCTION), "production");
    assert_string_equal(config_env_name(ENV_DEVELOPMENT), "development");
    assert_string_equal(config_env_name(ENV_TEST), "test");
}

static void test_empty_environment_value_means_unset(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_PORT", "", 1);
    setenv("LOOPIN_HOST", "", 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 8000);
    assert_string_equal(f->cfg.host, "127.0.0.1");
}

static void test_bool_spellings(void **state)
{
    fixture_t *f = *state;
    static const char *yes[] = {"1", "true", "TRUE", "yes", "Yes", "on", "ON"};
    static const char *no[] = {"0", "false", "False", "no", "NO", "off", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        setenv("LOOPIN_JOBS_IN_SERVE", no[i], 1);
        setenv("LOOPIN_TEST_MODE", yes[i], 1);
        load_ok(f);
        assert_true(f->cfg.test_mode);
        assert_false(f->cfg.jobs_in_serve);
    }
}

static void test_secret_from_environment_records_source(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_SECRET_KEY", SECRET_40, 1);
    load_ok(f);
    assert_string_equal(f->cfg.secret_key, SECRET_40);
    assert_string_equal(f->cfg.secret_source, "LOOPIN_SECRET_KEY");
}

static void test_integer_bounds_are_inclusive(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_PORT", "1", 1);
    setenv("LOOPIN_WORKERS", "256", 1);
    setenv("LOOPIN_JOBS_POLL_MS", "10", 1);
    setenv("LOOPIN_REQUEST_TIMEOUT", "3600", 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 1);
    assert_int_equal(f->cfg.workers, 256);
    assert_int_equal(f->cfg.jobs_poll_ms, 10);
    assert_int_equal(f->cfg.request_timeout_s, 3600);
    setenv("LOOPIN_PORT", "65535", 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 65535);
}

/* ---- bad values are refused by name ---------------------------------------- */

static void test_bad_port_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_PORT", "abc");
    fails_with(f, "LOOPIN_PORT", "0");
    fails_with(f, "LOOPIN_PORT", "65536");
    fails_with(f, "LOOPIN_PORT", "-1");
    fails_with(f, "LOOPIN_PORT", "80x");
    fails_with(f, "LOOPIN_PORT", "8000 ");
    fails_with(f, "LOOPIN_PORT", "99999999999999999999");
    fails_with(f, "LOOPIN_PORT", "1e3");
}

static void test_bad_port_message_quotes_the_value(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_PORT", "eighty", 1);
    load_fails_naming(f, "LOOPIN_PORT");
    assert_non_null(strstr(f->err, "\"eighty\""));
}

static void test_bad_env_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_ENV", "staging");
    fails_with(f, "LOOPIN_ENV", "Production");
}

static void test_bad_bool_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_TEST_MODE", "maybe");
    fails_with(f, "LOOPIN_TEST_MODE", "2");
    fails_with(f, "LOOPIN_JOBS_IN_SERVE", "y");
}

static void test_bad_database_url_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_DATABASE_URL", "mysql://localhost/loopin");
    fails_with(f, "LOOPIN_DATABASE_URL", "loopin.db");
    fails_with(f, "LOOPIN_DATABASE_URL", "sqlite://");
    fails_with(f, "LOOPIN_DATABASE_URL", "sqlite:///var/lib/");
}

static void test_database_url_variants_are_accepted(void **state)
{
    fixture_t *f = *state;
    static const char *ok[] = {"sqlite:///var/lib/loopin.db", "sqlite://rel.db",
                               "postgres://u@h/db", "postgresql://u:p@h:5432/db"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        setenv("LOOPIN_DATABASE_URL", ok[i], 1);
        load_ok(f);
        assert_string_equal(f->cfg.database_url, ok[i]);
    }
}

static void test_bad_ranges_are_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_WORKERS", "0");
    fails_with(f, "LOOPIN_WORKERS", "257");
    fails_with(f, "LOOPIN_DB_POOL", "0");
    fails_with(f, "LOOPIN_REQUEST_TIMEOUT", "0");
    fails_with(f, "LOOPIN_REQUEST_TIMEOUT", "3601");
    fails_with(f, "LOOPIN_MAX_CONNECTIONS", "100001");
    fails_with(f, "LOOPIN_SHUTDOWN_GRACE", "-1");
    fails_with(f, "LOOPIN_JOBS_POLL_MS", "9");
    fails_with(f, "LOOPIN_JOBS_POLL_MS", "600001");
}

static void test_bad_public_url_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_PUBLIC_URL", "loopin.example");
    fails_with(f, "LOOPIN_PUBLIC_URL", "ftp://loopin.example");
    fails_with(f, "LOOPIN_PUBLIC_URL", "HTTP//x");
}

static void test_bad_log_level_is_refused(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_LOG_LEVEL", "verbose");
    fails_with(f, "LOOPIN_LOG_LEVEL", "INFO");
}

static void test_log_levels_are_accepted(void **state)
{
    fixture_t *f = *state;
    static const char *levels[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < 4; i++) {
        setenv("LOOPIN_LOG_LEVEL", levels[i], 1);
        load_ok(f);
        assert_string_equal(f->cfg.log_level, levels[i]);
    }
}

/* The docs viewers are on by default except in production, where they
 * must be asked for. */
static void test_api_docs_default_follows_environment(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), 0);
    assert_true(f->cfg.api_docs);
    assert_string_equal(f->cfg.api_docs_dir, LOOPIN_DEFAULT_DOCS_DIR);
    setenv("LOOPIN_ENV", "production", 1);
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), 0);
    assert_false(f->cfg.api_docs);
    setenv("LOOPIN_API_DOCS", "on", 1);
    setenv("LOOPIN_API_DOCS_DIR", "/usr/share/loopin/api-docs", 1);
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), 0);
    assert_true(f->cfg.api_docs);
    assert_string_equal(f->cfg.api_docs_dir, "/usr/share/loopin/api-docs");
    fails_with(f, "LOOPIN_API_DOCS", "maybe");
}

static void test_test_mode_is_refused_in_production(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    setenv("LOOPIN_TEST_MODE", "1", 1);
    load_fails_naming(f, "LOOPIN_TEST_MODE");
}

static void test_too_long_string_is_refused(void **state)
{
    fixture_t *f = *state;
    char host[300];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    fails_with(f, "LOOPIN_HOST", host);
}

static void test_longest_string_that_fits_is_accepted(void **state)
{
    fixture_t *f = *state;
    char host[256];
    memset(host, 'h', 255);
    host[255] = '\0';
    setenv("LOOPIN_HOST", host, 1);
    setenv("LOOPIN_PUBLIC_URL", "https://x.example", 1); /* keep the default short */
    load_ok(f);
    assert_string_equal(f->cfg.host, host);
}

/* ---- notifications ---------------------------------------------------------- */

static void test_notification_defaults(void **state)
{
    fixture_t *f = *state;
    load_ok(f);
    assert_string_equal(f->cfg.push_backend, "none");
    assert_string_equal(f->cfg.push_outbox, "push-outbox.jsonl");
    assert_string_equal(f->cfg.onesignal_app_id, "");
    assert_string_equal(f->cfg.onesignal_api_key, "");
    assert_string_equal(f->cfg.onesignal_api_base, "https://onesignal.com");
    assert_int_equal(f->cfg.campaign_max_users, 10000);
    assert_int_equal(f->cfg.campaign_batch_size, 100);
    assert_false(f->cfg.campaigns_disabled);
    assert_string_equal(f->cfg.twilio_whatsapp_from, "");
    assert_string_equal(f->cfg.twilio_content_sid, "");
    assert_int_equal(config_check_push(&f->cfg, f->err, sizeof f->err), 0);
}

static void test_campaign_limits_are_inclusive_and_checked(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_CAMPAIGN_MAX_USERS", "1000000", 1);
    setenv("LOOPIN_CAMPAIGN_BATCH_SIZE", "1", 1);
    setenv("LOOPIN_DISABLE_CAMPAIGNS", "yes", 1);
    load_ok(f);
    assert_int_equal(f->cfg.campaign_max_users, 1000000);
    assert_int_equal(f->cfg.campaign_batch_size, 1);
    assert_true(f->cfg.campaigns_disabled);
    setenv("LOOPIN_CAMPAIGN_MAX_USERS", "1", 1);
    setenv("LOOPIN_CAMPAIGN_BATCH_SIZE", "1000", 1);
    setenv("LOOPIN_DISABLE_CAMPAIGNS", "0", 1);
    load_ok(f);
    assert_int_equal(f->cfg.campaign_max_users, 1);
    assert_int_equal(f->cfg.campaign_batch_size, 1000);
    assert_false(f->cfg.campaigns_disabled);
    unsetenv("LOOPIN_DISABLE_CAMPAIGNS");
    fails_with(f, "LOOPIN_CAMPAIGN_MAX_USERS", "0");
    fails_with(f, "LOOPIN_CAMPAIGN_MAX_USERS", "1000001");
    fails_with(f, "LOOPIN_CAMPAIGN_BATCH_SIZE", "0");
    fails_with(f, "LOOPIN_CAMPAIGN_BATCH_SIZE", "1001");
    fails_with(f, "LOOPIN_CAMPAIGN_BATCH_SIZE", "ten");
    fails_with(f, "LOOPIN_DISABLE_CAMPAIGNS", "maybe");
}

static void test_push_settings_are_checked(void **state)
{
    fixture_t *f = *state;
    fails_with(f, "LOOPIN_PUSH_BACKEND", "apns");
    fails_with(f, "LOOPIN_ONESIGNAL_API_BASE", "ftp://onesignal.example");
    setenv("LOOPIN_PUSH_BACKEND", "onesignal", 1);
    setenv("LOOPIN_ONESIGNAL_APP_ID", "app-1", 1);
    load_ok(f); /* loading is fine; serving checks the credentials */
    assert_int_equal(config_check_push(&f->cfg, f->err, sizeof f->err), -1);
    assert_memory_equal(f->err, "LOOPIN_PUSH_BACKEND:", 20);
    assert_non_null(strstr(f->err, "LOOPIN_ONESIGNAL_API_KEY"));
    setenv("LOOPIN_ONESIGNAL_API_KEY", "key-1", 1);
    setenv("LOOPIN_ONESIGNAL_API_BASE", "http://127.0.0.1:9/", 1);
    setenv("LOOPIN_TWILIO_WHATSAPP_FROM", "+14155238886", 1);
    setenv("LOOPIN_TWILIO_CONTENT_SID", "HX0123", 1);
    load_ok(f);
    assert_int_equal(config_check_push(&f->cfg, f->err, sizeof f->err), 0);
    assert_string_equal(f->cfg.onesignal_api_base, "http://127.0.0.1:9/");
    assert_string_equal(f->cfg.twilio_whatsapp_from, "+14155238886");
    assert_string_equal(f->cfg.twilio_content_sid, "HX0123");
    setenv("LOOPIN_PUSH_BACKEND", "file", 1);
    setenv("LOOPIN_PUSH_OUTBOX", "/tmp/p.jsonl", 1);
    load_ok(f);
    assert_string_equal(f->cfg.push_backend, "file");
    assert_string_equal(f->cfg.push_outbox, "/tmp/p.jsonl");
}

/* ---- the config file ------------------------------------------------------- */

static void test_dotenv_file_fills_in_values(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\nLOOPIN_HOST=192.168.1.5\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9100);
    assert_string_equal(f->cfg.host, "192.168.1.5");
}

static void test_environment_beats_file(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\nLOOPIN_HOST=192.168.1.5\n");
    setenv("LOOPIN_PORT", "9200", 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 9200);
    assert_string_equal(f->cfg.host, "192.168.1.5");
}

static void test_empty_environment_value_falls_back_to_file(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\n");
    setenv("LOOPIN_PORT", "", 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 9100);
}

static void test_file_comments_blank_lines_and_export(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "# Loopin settings\n"
                       "\n"
                       "   \n"
                       "  # indented comment\n"
                       "export LOOPIN_PORT=9300\n"
                       "LOOPIN_MEDIA_DIR=/data/media\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9300);
    assert_string_equal(f->cfg.media_dir, "/data/media");
}

static void test_file_whitespace_around_key_and_value_is_stripped(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "  LOOPIN_HOST \t=  10.1.2.3  \t\n");
    load_ok(f);
    assert_string_equal(f->cfg.host, "10.1.2.3");
}

/* As systemd reads an EnvironmentFile: a variable set twice takes the last. */
static void test_file_last_line_wins(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\nLOOPIN_HOST=10.0.0.1\nLOOPIN_PORT=9400\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9400);
    assert_string_equal(f->cfg.host, "10.0.0.1");
}

static void test_file_quoted_values_are_unquoted(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_MEDIA_DIR=\"/srv/my media\"\n"
                       "LOOPIN_CORS_ORIGINS='https://a.example, https://b.example'\n"
                       "LOOPIN_HOST=\"mismatched'\n");
    load_ok(f);
    assert_string_equal(f->cfg.media_dir, "/srv/my media");
    assert_string_equal(f->cfg.cors_origins, "https://a.example, https://b.example");
    assert_string_equal(f->cfg.host, "\"mismatched'");
}

static void test_file_value_may_contain_equals(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_DATABASE_URL=postgresql://u:p@h/db?sslmode=require\n");
    load_ok(f);
    assert_string_equal(f->cfg.database_url, "postgresql://u:p@h/db?sslmode=require");
}

static void test_file_crlf_line_endings(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9400\r\nLOOPIN_LOG_LEVEL=warn\r\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9400);
    assert_string_equal(f->cfg.log_level, "warn");
}

static void test_file_last_line_without_newline(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_HOST=a.example\nLOOPIN_PORT=9500");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9500);
}

static void test_file_empty_value_means_unset(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=\nLOOPIN_HOST=\"\"\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 8000);
    assert_string_equal(f->cfg.host, "127.0.0.1");
}

static void test_file_unknown_keys_are_ignored(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "SOMETHING_ELSE=1\nLOOPIN_PORT=9600\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9600);
}

static void test_file_line_without_equals_is_refused_with_line_number(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\n# fine\nLOOPIN_HOST\n");
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, ".env:3:"));
}

static void test_file_line_with_empty_key_is_refused(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "=value\n");
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, ".env:1:"));
}

static void test_file_overlong_key_is_refused(void **state)
{
    fixture_t *f = *state;
    char text[200];
    memset(text, 'K', 100);
    snprintf(text + 100, sizeof text - 100, "=1\n");
    write_file(".env", text);
    assert_int_equal(config_load(&f->cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, ".env:1:"));
}

static void test_file_bad_value_is_refused_by_variable_name(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_WORKERS=lots\n");
    load_fails_naming(f, "LOOPIN_WORKERS");
}

static void test_loopin_conf_is_used_without_dotenv(void **state)
{
    fixture_t *f = *state;
    write_file("loopin.conf", "LOOPIN_PORT=9700\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9700);
}

static void test_dotenv_is_preferred_over_loopin_conf(void **state)
{
    fixture_t *f = *state;
    write_file("loopin.conf", "LOOPIN_PORT=9700\nLOOPIN_HOST=from.conf\n");
    write_file(".env", "LOOPIN_PORT=9800\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9800);
    assert_string_equal(f->cfg.host, "127.0.0.1"); /* loopin.conf not read at all */
}

static void test_explicit_config_file_is_used_instead_of_dotenv(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(mkdir("etc", 0700), 0);
    write_file("etc/loopin.env", "LOOPIN_PORT=9900\n");
    write_file(".env", "LOOPIN_PORT=9100\nLOOPIN_HOST=from.dotenv\n");
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/etc/loopin.env", f->dir);
    setenv("LOOPIN_CONFIG_FILE", path, 1);
    load_ok(f);
    assert_int_equal(f->cfg.port, 9900);
    assert_string_equal(f->cfg.host, "127.0.0.1");
}

static void test_missing_explicit_config_file_is_refused(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_CONFIG_FILE", "does/not/exist.env", 1);
    load_fails_naming(f, "LOOPIN_CONFIG_FILE");
    assert_non_null(strstr(f->err, "does/not/exist.env"));
}

static void test_file_values_do_not_survive_into_next_load(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_PORT=9100\n");
    load_ok(f);
    assert_int_equal(f->cfg.port, 9100);
    assert_int_equal(unlink(".env"), 0);
    load_ok(f);
    assert_int_equal(f->cfg.port, 8000);
}

static void test_file_values_do_not_survive_a_failed_load(void **state)
{
    fixture_t *f = *state;
    write_file(".env", "LOOPIN_HOST=stale.example\nLOOPIN_PORT=bad\n");
    load_fails_naming(f, "LOOPIN_PORT");
    assert_int_equal(unlink(".env"), 0);
    load_ok(f);
    assert_string_equal(f->cfg.host, "127.0.0.1");
}

/* ---- the secret key ----------------------------------------------------------- */

static void resolve_ok(fixture_t *f)
{
    if (config_resolve_secret(&f->cfg, f->err, sizeof f->err) != 0)
        fail_msg("config_resolve_secret failed: %s", f->err);
}

static void resolve_fails(fixture_t *f)
{
    f->err[0] = '\0';
    assert_int_equal(config_resolve_secret(&f->cfg, f->err, sizeof f->err), -1);
    assert_int_equal(strncmp(f->err, "LOOPIN_SECRET_KEY:", 18), 0);
}

static bool is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void test_secret_given_is_kept(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    setenv("LOOPIN_SECRET_KEY", SECRET_40, 1);
    load_ok(f);
    resolve_ok(f);
    assert_string_equal(f->cfg.secret_key, SECRET_40);
    assert_false(f->cfg.secret_generated);
    assert_int_equal(access("loopin.db.secret_key", F_OK), -1);
}

static void test_short_secret_is_refused_in_production(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    setenv("LOOPIN_SECRET_KEY", "0123456789abcdef0123456789abcde", 1); /* 31 */
    load_ok(f);
    resolve_fails(f);
}

static void test_secret_of_exactly_32_is_accepted_in_production(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    setenv("LOOPIN_SECRET_KEY", "0123456789abcdef0123456789abcdef", 1);
    load_ok(f);
    resolve_ok(f);
}

static void test_short_secret_is_allowed_in_development(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_SECRET_KEY", "short", 1);
    load_ok(f);
    resolve_ok(f);
    assert_string_equal(f->cfg.secret_key, "short");
}

static void test_missing_secret_is_refused_in_production(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ENV", "production", 1);
    load_ok(f);
    resolve_fails(f);
    assert_int_equal(access("loopin.db.secret_key", F_OK), -1); /* nothing generated */
}

static void test_development_generates_key_beside_database(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_DATABASE_URL", "sqlite://data.db", 1);
    load_ok(f);
    resolve_ok(f);
    assert_true(f->cfg.secret_generated);
    assert_true(is_lower_hex(f->cfg.secret_key, 64));
    assert_string_equal(f->cfg.secret_source, "data.db.secret_key");
    struct stat st;
    assert_int_equal(stat("data.db.secret_key", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 64);
}

static void test_generated_key_is_reused_on_next_start(void **state)
{
    fixture_t *f = *state;
    load_ok(f);
    resolve_ok(f);
    char first[256];
    snprintf(first, sizeof first, "%s", f->cfg.secret_key);
    load_ok(f);
    resolve_ok(f);
    assert_false(f->cfg.secret_generated);
    assert_string_equal(f->cfg.secret_key, first);
    assert_string_equal(f->cfg.secret_source, "loopin.db.secret_key");
}

static void test_existing_key_file_newline_is_trimmed(void **state)
{
    fixture_t *f = *state;
    write_file("loopin.db.secret_key", SECRET_40 "\r\n");
    load_ok(f);
    resolve_ok(f);
    assert_string_equal(f->cfg.secret_key, SECRET_40);
    assert_false(f->cfg.secret_generated);
}

static void test_short_key_file_is_refused(void **state)
{
    fixture_t *f = *state;
    write_file("loopin.db.secret_key", "tooshort\n");
    load_ok(f);
    resolve_fails(f);
    assert_non_null(strstr(f->err, "loopin.db.secret_key"));
}

static void test_postgres_development_key_lives_in_working_directory(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_DATABASE_URL", "postgresql://u:p@localhost/loopin", 1);
    load_ok(f);
    resolve_ok(f);
    assert_string_equal(f->cfg.secret_source, ".loopin.secret_key");
    assert_int_equal(access(".loopin.secret_key", R_OK), 0);
}

static void test_key_file_in_missing_directory_is_refused(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_DATABASE_URL", "sqlite://no/such/dir/x.db", 1);
    load_ok(f);
    resolve_fails(f);
}

/* ---- printing ------------------------------------------------------------------ */

static char *print_config(const config_t *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    config_print(cfg, out);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void test_print_masks_secret_and_database_password(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_SECRET_KEY", SECRET_40, 1);
    setenv("LOOPIN_DATABASE_URL", "postgresql://loopin:hunter2@db/loopin", 1);
    load_ok(f);
    char *text = print_config(&f->cfg);
    assert_null(strstr(text, SECRET_40));
    assert_null(strstr(text, "hunter2"));
    assert_non_null(
        strstr(text, "LOOPIN_SECRET_KEY=**** (40 characters, from LOOPIN_SECRET_KEY)\n"));
    assert_non_null(strstr(text, "LOOPIN_DATABASE_URL=postgresql://loopin:****@db/loopin\n"));
    free(text);
}

static void test_print_lists_effective_values(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_PORT", "9001", 1);
    load_ok(f);
    char *text = print_config(&f->cfg);
    assert_non_null(strstr(text, "LOOPIN_ENV=development\n"));
    assert_non_null(strstr(text, "LOOPIN_PORT=9001\n"));
    assert_non_null(strstr(text, "LOOPIN_SECRET_KEY=(unset)\n"));
    assert_non_null(strstr(text, "LOOPIN_PUBLIC_URL=http://127.0.0.1:9001\n"));
    assert_non_null(strstr(text, "LOOPIN_JOBS_IN_SERVE=1\n"));
    assert_non_null(strstr(text, "LOOPIN_PUSH_BACKEND=none\n"));
    assert_non_null(strstr(text, "LOOPIN_ONESIGNAL_API_KEY=\n"));
    assert_non_null(strstr(text, "LOOPIN_CAMPAIGN_MAX_USERS=10000\n"));
    assert_non_null(strstr(text, "LOOPIN_CAMPAIGN_BATCH_SIZE=100\n"));
    assert_non_null(strstr(text, "LOOPIN_DISABLE_CAMPAIGNS=0\n"));
    assert_non_null(strstr(text, "LOOPIN_TWILIO_WHATSAPP_FROM=\n"));
    free(text);
}

static void test_print_masks_provider_credentials(void **state)
{
    fixture_t *f = *state;
    setenv("LOOPIN_ONESIGNAL_API_KEY", "os-key-hunter3", 1);
    setenv("LOOPIN_TWILIO_AUTH_TOKEN", "tw-token-hunter4", 1);
    setenv("LOOPIN_TWILIO_CONTENT_SID", "HX0123", 1);
    load_ok(f);
    char *text = print_config(&f->cfg);
    assert_null(strstr(text, "hunter3"));
    assert_null(strstr(text, "hunter4"));
    assert_non_null(strstr(text, "LOOPIN_ONESIGNAL_API_KEY=****\n"));
    assert_non_null(strstr(text, "LOOPIN_TWILIO_AUTH_TOKEN=****\n"));
    assert_non_null(strstr(text, "LOOPIN_TWILIO_CONTENT_SID=HX0123\n"));
    free(text);
}

int main(void)
{
    if (rand_init() != 0)
        return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, cfg_setup, cfg_teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults),
        T(test_default_workers_and_pool_are_twice_the_cores),
        T(test_environment_values_are_used),
        T(test_default_public_url_follows_host_and_port),
        T(test_public_url_trailing_slashes_are_removed),
        T(test_environment_names),
        T(test_empty_environment_value_means_unset),
        T(test_bool_spellings),
        T(test_secret_from_environment_records_source),
        T(test_integer_bounds_are_inclusive),
        T(test_bad_port_is_refused),
        T(test_bad_port_message_quotes_the_value),
        T(test_bad_env_is_refused),
        T(test_bad_bool_is_refused),
        T(test_bad_database_url_is_refused),
        T(test_database_url_variants_are_accepted),
        T(test_bad_ranges_are_refused),
        T(test_bad_public_url_is_refused),
        T(test_bad_log_level_is_refused),
        T(test_log_levels_are_accepted),
        T(test_api_docs_default_follows_environment),
        T(test_test_mode_is_refused_in_production),
        T(test_too_long_string_is_refused),
        T(test_longest_string_that_fits_is_accepted),
        T(test_notification_defaults),
        T(test_campaign_limits_are_inclusive_and_checked),
        T(test_push_settings_are_checked),
        T(test_dotenv_file_fills_in_values),
        T(test_environment_beats_file),
        T(test_empty_environment_value_falls_back_to_file),
        T(test_file_comments_blank_lines_and_export),
        T(test_file_whitespace_around_key_and_value_is_stripped),
        T(test_file_last_line_wins),
        T(test_file_quoted_values_are_unquoted),
        T(test_file_value_may_contain_equals),
        T(test_file_crlf_line_endings),
        T(test_file_last_line_without_newline),
        T(test_file_empty_value_means_unset),
        T(test_file_unknown_keys_are_ignored),
        T(test_file_line_without_equals_is_refused_with_line_number),
        T(test_file_line_with_empty_key_is_refused),
        T(test_file_overlong_key_is_refused),
        T(test_file_bad_value_is_refused_by_variable_name),
        T(test_loopin_conf_is_used_without_dotenv),
        T(test_dotenv_is_preferred_over_loopin_conf),
        T(test_explicit_config_file_is_used_instead_of_dotenv),
        T(test_missing_explicit_config_file_is_refused),
        T(test_file_values_do_not_survive_into_next_load),
        T(test_file_values_do_not_survive_a_failed_load),
        T(test_secret_given_is_kept),
        T(test_short_secret_is_refused_in_production),
        T(test_secret_of_exactly_32_is_accepted_in_production),
        T(test_short_secret_is_allowed_in_development),
        T(test_missing_secret_is_refused_in_production),
        T(test_development_generates_key_beside_database),
        T(test_generated_key_is_reused_on_next_start),
        T(test_existing_key_file_newline_is_trimmed),
        T(test_short_key_file_is_refused),
        T(test_postgres_development_key_lives_in_working_directory),
        T(test_key_file_in_missing_directory_is_refused),
        T(test_print_masks_secret_and_database_password),
        T(test_print_lists_effective_values),
        T(test_print_masks_provider_credentials),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
