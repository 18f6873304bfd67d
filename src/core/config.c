/*
 * config.c: effective configuration from the environment, falling back to an
 * optional KEY=VALUE file (LOOPIN_CONFIG_FILE, else ./.env, else
 * ./loopin.conf). Every value is validated here so the rest of the server can
 * trust it; the first bad one is reported by name.
 */
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cidr.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "db/db.h"

#define MAX_FILE_VARS 128

typedef struct {
    char key[64];
    char *value;
} file_var_t;

static file_var_t file_vars[MAX_FILE_VARS];
static int file_var_count;

static void strip(char **s, char **end)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    while (*end > *s &&
           ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r' || (*end)[-1] == '\n'))
        (*end)--;
}

static void free_file_vars(void)
{
    for (int i = 0; i < file_var_count; i++)
        free(file_vars[i].value);
    file_var_count = 0;
}

/* Reads KEY=VALUE lines; '#' starts a comment line; values may be quoted;
 * an optional leading "export " is ignored. */
static int read_config_file(const char *path, bool required, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (required)
            return errbuf(-1, err, errlen, "LOOPIN_CONFIG_FILE: cannot open %s", path);
        return 0;
    }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line, *end = line + strlen(line);
        strip(&s, &end);
        *end = '\0';
        if (*s == '\0' || *s == '#')
            continue;
        if (strncmp(s, "export ", 7) == 0)
            s += 7;
        char *eq = strchr(s, '=');
        if (!eq || eq == s || (size_t)(eq - s) >= sizeof file_vars[0].key ||
            file_var_count == MAX_FILE_VARS) {
            fclose(f);
            return errbuf(-1, err, errlen, "%s:%d: expected KEY=VALUE", path, lineno);
        }
        char *k = s, *kend = eq, *v = eq + 1, *vend = end;
        strip(&k, &kend);
        strip(&v, &vend);
        if (vend - v >= 2 && (*v == '"' || *v == '\'') && vend[-1] == *v) {
            v++;
            vend--;
        }
        file_var_t *fv = &file_vars[file_var_count++];
        snprintf(fv->key, sizeof fv->key, "%.*s", (int)(kend - k), k);
        fv->value = strndup(v, (size_t)(vend - v));
    }
    fclose(f);
    return 0;
}

/* Environment first, then the config file, where the last line naming a
 * variable wins (as systemd reads an EnvironmentFile, so the service and a
 * command run by hand with the same file agree). NULL when unset or empty. */
static const char *cfg_get(const char *name)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    for (int i = file_var_count - 1; i >= 0; i--)
        if (strcmp(file_vars[i].key, name) == 0 && file_vars[i].value[0])
            return file_vars[i].value;
    return NULL;
}

static int get_int(const char *name, int def, int lo, int hi, int *out, char *err, size_t errlen)
{
    const char *v = cfg_get(name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < lo || n > hi)
        return errbuf(-1, err, errlen, "%s: expected an integer from %d to %d, got \"%s\"", name,
                      lo, hi, v);
    *out = (int)n;
    return 0;
}

static int get_bool(const char *name, bool def, bool *out, char *err, size_t errlen)
{
    const char *v = cfg_get(name);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
             !strcasecmp(v, "off"))
        *out = false;
    else
        return errbuf(-1, err, errlen, "%s: expected 1/0, true/false, yes/no or on/off, got \"%s\"",
                      name, v);
    return 0;
}

static int get_str(const char *name, const char *def, char *out, size_t outlen, char *err,
                   size_t errlen)
{
    const char *v = cfg_get(name);
    if (!v)
        v = def;
    if (strlen(v) >= outlen)
        return errbuf(-1, err, errlen, "%s: value longer than %zu characters", name, outlen - 1);
    snprintf(out, outlen, "%s", v);
    return 0;
}

const char *config_env_name(loopin_env_t env)
{
    return env == ENV_PRODUCTION ? "production" : env == ENV_TEST ? "test" : "development";
}

static int load_env_kind(config_t *cfg, char *err, size_t errlen)
{
    const char *v = cfg_get("LOOPIN_ENV");
    if (!v || !strcmp(v, "development"))
        cfg->env = ENV_DEVELOPMENT;
    else if (!strcmp(v, "production"))
        cfg->env = ENV_PRODUCTION;
    else if (!strcmp(v, "test"))
        cfg->env = ENV_TEST;
    else
        return errbuf(-1, err, errlen,
                      "LOOPIN_ENV: expected development, production or test, got \"%s\"", v);
    return 0;
}

static int check_database_url(const config_t *cfg, char *err, size_t errlen)
{
    char path[1024];
    if (db_url_dialect(cfg->database_url, path, sizeof path) == 0)
        return errbuf(-1, err, errlen,
                      "LOOPIN_DATABASE_URL: expected sqlite:///abs/path.db, sqlite://relative.db "
                      "or postgresql://user:pass@host:port/db");
    return 0;
}

static int check_public_url(config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->public_url[0]) {
        snprintf(cfg->public_url, sizeof cfg->public_url, "http://%s:%d", cfg->host, cfg->port);
        return 0;
    }
    const char *rest = !strncmp(cfg->public_url, "http://", 7)    ? cfg->public_url + 7
                       : !strncmp(cfg->public_url, "https://", 8) ? cfg->public_url + 8
                                                                  : NULL;
    if (!rest || !*rest || *rest == '/')
        return errbuf(-1, err, errlen,
                      "LOOPIN_PUBLIC_URL: expected an http:// or https:// URL with a host");
    size_t n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';
    return 0;
}

/* Money: reservation and order lifetimes, the payment provider. Production
 * needs PayU credentials; elsewhere the built-in test provider is the
 * default, so a developer can click through a purchase locally. */
static int load_payments(config_t *cfg, char *err, size_t errlen)
{
    if (get_int("LOOPIN_RESERVATION_MINUTES", 1440, 1, 100000, &cfg->reservation_minutes, err,
                errlen) ||
        get_int("LOOPIN_ORDER_MINUTES", 10, 1, 1440, &cfg->order_minutes, err, errlen) ||
        get_str("LOOPIN_PAYMENT_PROVIDER", cfg->env == ENV_PRODUCTION ? "payu" : "test",
                cfg->payment_provider, sizeof cfg->payment_provider, err, errlen) ||
        get_str("LOOPIN_PAYU_KEY", "", cfg->payu_key, sizeof cfg->payu_key, err, errlen) ||
        get_str("LOOPIN_PAYU_SALT", "", cfg->payu_salt, sizeof cfg->payu_salt, err, errlen) ||
        get_str("LOOPIN_PAYU_URL", "https://test.payu.in/_payment", cfg->payu_url,
                sizeof cfg->payu_url, err, errlen) ||
        get_str("LOOPIN_PAYU_ALLOWED_IPS", "", cfg->payu_allowed_ips, sizeof cfg->payu_allowed_ips,
                err, errlen) ||
        get_str("LOOPIN_PAYMENT_RETURN_URL", "", cfg->payment_return_url,
                sizeof cfg->payment_return_url, err, errlen))
        return -1;
    if (strcmp(cfg->payment_provider, "payu") && strcmp(cfg->payment_provider, "test"))
        return errbuf(-1, err, errlen, "LOOPIN_PAYMENT_PROVIDER: expected payu or test, got \"%s\"",
                      cfg->payment_provider);
    if (cfg->env == ENV_PRODUCTION && !strcmp(cfg->payment_provider, "test"))
        return errbuf(-1, err, errlen, "LOOPIN_PAYMENT_PROVIDER=test is refused in production");
    return 0;
}

/* Accounts: token lifetime, waitlist window, OTP limits and SMS delivery. */
static int load_accounts(config_t *cfg, char *err, size_t errlen)
{
    if (get_int("LOOPIN_TOKEN_TTL_SECONDS", 30 * 86400, 60, 365 * 86400, &cfg->token_ttl_s, err,
                errlen) ||
        get_int("LOOPIN_WAITLIST_MIN_MINUTES", 210, 0, 100000, &cfg->waitlist_min_minutes, err,
                errlen) ||
        get_int("LOOPIN_WAITLIST_MAX_MINUTES", 240, 0, 100000, &cfg->waitlist_max_minutes, err,
                errlen) ||
        get_int("LOOPIN_OTP_PER_PHONE_HOUR", 5, 1, 1000, &cfg->otp_per_phone_hour, err, errlen) ||
        get_int("LOOPIN_OTP_PER_IP_HOUR", 30, 1, 100000, &cfg->otp_per_ip_hour, err, errlen) ||
        get_int("LOOPIN_OTP_COOLDOWN_SECONDS", 30, 0, 3600, &cfg->otp_cooldown_s, err, errlen) ||
        get_str("LOOPIN_SMS_BACKEND", "", cfg->sms_backend, sizeof cfg->sms_backend, err, errlen) ||
        get_str("LOOPIN_SMS_OUTBOX", "sms-outbox.jsonl", cfg->sms_outbox, sizeof cfg->sms_outbox,
                err, errlen) ||
        get_str("LOOPIN_TWILIO_ACCOUNT_SID", "", cfg->twilio_account_sid,
                sizeof cfg->twilio_account_sid, err, errlen) ||
        get_str("LOOPIN_TWILIO_AUTH_TOKEN", "", cfg->twilio_auth_token,
                sizeof cfg->twilio_auth_token, err, errlen) ||
        get_str("LOOPIN_TWILIO_FROM", "", cfg->twilio_from, sizeof cfg->twilio_from, err, errlen) ||
        get_str("LOOPIN_TWILIO_API_BASE", "https://api.twilio.com", cfg->twilio_api_base,
                sizeof cfg->twilio_api_base, err, errlen) ||
        get_str("LOOPIN_TWILIO_WHATSAPP_FROM", "", cfg->twilio_whatsapp_from,
                sizeof cfg->twilio_whatsapp_from, err, errlen) ||
        get_str("LOOPIN_TWILIO_CONTENT_SID", "", cfg->twilio_content_sid,
                sizeof cfg->twilio_content_sid, err, errlen))
        return -1;
    if (cfg->waitlist_max_minutes < cfg->waitlist_min_minutes)
        return errbuf(-1, err, errlen,
                      "LOOPIN_WAITLIST_MAX_MINUTES: must not be below "
                      "LOOPIN_WAITLIST_MIN_MINUTES");
    if (!cfg->sms_backend[0])
        snprintf(cfg->sms_backend, sizeof cfg->sms_backend, "%s",
                 cfg->env == ENV_PRODUCTION ? "twilio" : "log");
    if (strcmp(cfg->sms_backend, "log") && strcmp(cfg->sms_backend, "file") &&
        strcmp(cfg->sms_backend, "twilio"))
        return errbuf(-1, err, errlen,
                      "LOOPIN_SMS_BACKEND: expected log, file or twilio, got \"%s\"",
                      cfg->sms_backend);
    if (!strcmp(cfg->sms_backend, "log") && cfg->env == ENV_PRODUCTION)
        return errbuf(-1, err, errlen,
                      "LOOPIN_SMS_BACKEND: the log backend writes codes to the log "
                      "and is refused in production");
    return 0;
}

/* Notifications: the push adapter (off unless chosen: a development server
 * should not need OneSignal) and the campaign limits of API.md 16. */
static int load_notifications(config_t *cfg, char *err, size_t errlen)
{
    if (get_str("LOOPIN_PUSH_BACKEND", "none", cfg->push_backend, sizeof cfg->push_backend, err,
                errlen) ||
        get_str("LOOPIN_PUSH_OUTBOX", "push-outbox.jsonl", cfg->push_outbox,
                sizeof cfg->push_outbox, err, errlen) ||
        get_str("LOOPIN_ONESIGNAL_APP_ID", "", cfg->onesignal_app_id, sizeof cfg->onesignal_app_id,
                err, errlen) ||
        get_str("LOOPIN_ONESIGNAL_API_KEY", "", cfg->onesignal_api_key,
                sizeof cfg->onesignal_api_key, err, errlen) ||
        get_str("LOOPIN_ONESIGNAL_API_BASE", "https://onesignal.com", cfg->onesignal_api_base,
                sizeof cfg->onesignal_api_base, err, errlen) ||
        get_int("LOOPIN_CAMPAIGN_MAX_USERS", 10000, 1, 1000000, &cfg->campaign_max_users, err,
                errlen) ||
        get_int("LOOPIN_CAMPAIGN_BATCH_SIZE", 100, 1, 1000, &cfg->campaign_batch_size, err,
                errlen) ||
        get_bool("LOOPIN_DISABLE_CAMPAIGNS", false, &cfg->campaigns_disabled, err, errlen))
        return -1;
    if (strcmp(cfg->push_backend, "none") && strcmp(cfg->push_backend, "file") &&
        strcmp(cfg->push_backend, "onesignal"))
        return errbuf(-1, err, errlen,
                      "LOOPIN_PUSH_BACKEND: expected none, file or onesignal, got \"%s\"",
                      cfg->push_backend);
    if (strncmp(cfg->onesignal_api_base, "https://", 8) &&
        strncmp(cfg->onesignal_api_base, "http://", 7))
        return errbuf(-1, err, errlen, "LOOPIN_ONESIGNAL_API_BASE: expected an http(s) URL");
    return 0;
}

/* S3 bucket names (the rules every S3-compatible store accepts): 3-63 of
 * [a-z0-9.-], starting and ending with a letter or digit. */
static bool bucket_name_valid(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63 || b[0] == '.' || b[0] == '-' || b[n - 1] == '.' || b[n - 1] == '-')
        return false;
    return strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

/* Operations: where media lives, which proxies are believed, who may read
 * /metrics. The S3 credentials fall back to the AWS SDK's variable names. */
static int load_ops(config_t *cfg, char *err, size_t errlen)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    if (get_str("LOOPIN_MEDIA_BACKEND", "local", cfg->media_backend, sizeof cfg->media_backend, err,
                errlen) ||
        get_str("LOOPIN_S3_BUCKET", "", cfg->s3_bucket, sizeof cfg->s3_bucket, err, errlen) ||
        get_str("LOOPIN_S3_REGION", "us-east-1", cfg->s3_region, sizeof cfg->s3_region, err,
                errlen) ||
        get_str("LOOPIN_S3_ENDPOINT", "", cfg->s3_endpoint, sizeof cfg->s3_endpoint, err, errlen) ||
        get_bool("LOOPIN_S3_PATH_STYLE", false, &cfg->s3_path_style, err, errlen) ||
        get_str("LOOPIN_S3_ACCESS_KEY", ak ? ak : "", cfg->s3_access_key, sizeof cfg->s3_access_key,
                err, errlen) ||
        get_str("LOOPIN_S3_SECRET_KEY", sk ? sk : "", cfg->s3_secret_key, sizeof cfg->s3_secret_key,
                err, errlen) ||
        get_str("LOOPIN_TRUSTED_PROXIES", "", cfg->trusted_proxies, sizeof cfg->trusted_proxies,
                err, errlen) ||
        get_str("LOOPIN_METRICS_TOKEN", "", cfg->metrics_token, sizeof cfg->metrics_token, err,
                errlen))
        return -1;
    if (strcmp(cfg->media_backend, "local") && strcmp(cfg->media_backend, "s3"))
        return errbuf(-1, err, errlen, "LOOPIN_MEDIA_BACKEND: expected local or s3, got \"%s\"",
                      cfg->media_backend);
    if (!cfg->s3_endpoint[0])
        snprintf(cfg->s3_endpoint, sizeof cfg->s3_endpoint, "https://s3.%s.amazonaws.com",
                 cfg->s3_region);
    if (strncmp(cfg->s3_endpoint, "https://", 8) && strncmp(cfg->s3_endpoint, "http://", 7))
        return errbuf(-1, err, errlen, "LOOPIN_S3_ENDPOINT: expected an http(s) URL");
    if (strspn(cfg->s3_region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(cfg->s3_region) ||
        !cfg->s3_region[0])
        return errbuf(-1, err, errlen,
                      "LOOPIN_S3_REGION: expected a region name such as eu-west-1");
    if (cfg->s3_bucket[0] && !bucket_name_valid(cfg->s3_bucket))
        return errbuf(-1, err, errlen,
                      "LOOPIN_S3_BUCKET: 3-63 lower-case letters, digits, dots and hyphens");
    cidr_list_t l;
    char why[200];
    if (cidr_list_parse(cfg->trusted_proxies, &l, why, sizeof why) != 0)
        return errbuf(-1, err, errlen, "LOOPIN_TRUSTED_PROXIES: %s", why);
    if (cidr_list_parse(cfg->payu_allowed_ips, &l, why, sizeof why) != 0)
        return errbuf(-1, err, errlen, "LOOPIN_PAYU_ALLOWED_IPS: %s", why);
    return 0;
}

int config_check_media(const config_t *cfg, char *err, size_t errlen)
{
    if (!strcmp(cfg->media_backend, "s3") &&
        (!cfg->s3_bucket[0] || !cfg->s3_access_key[0] || !cfg->s3_secret_key[0]))
        return errbuf(-1, err, errlen,
                      "LOOPIN_MEDIA_BACKEND: s3 needs LOOPIN_S3_BUCKET, LOOPIN_S3_ACCESS_KEY and "
                      "LOOPIN_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
    return 0;
}

int config_check_push(const config_t *cfg, char *err, size_t errlen)
{
    if (!strcmp(cfg->push_backend, "onesignal") &&
        (!cfg->onesignal_app_id[0] || !cfg->onesignal_api_key[0]))
        return errbuf(
            -1, err, errlen,
            "LOOPIN_PUSH_BACKEND: the onesignal backend needs LOOPIN_ONESIGNAL_APP_ID and "
            "LOOPIN_ONESIGNAL_API_KEY (or choose file or none)");
    return 0;
}

int config_check_sms(const config_t *cfg, char *err, size_t errlen)
{
    if (!strcmp(cfg->sms_backend, "twilio") &&
        (!cfg->twilio_account_sid[0] || !cfg->twilio_auth_token[0] || !cfg->twilio_from[0]))
        return errbuf(-1, err, errlen,
                      "LOOPIN_SMS_BACKEND: the twilio backend needs LOOPIN_TWILIO_ACCOUNT_SID, "
                      "LOOPIN_TWILIO_AUTH_TOKEN and LOOPIN_TWILIO_FROM (or choose file)");
    return 0;
}

int config_check_payments(const config_t *cfg, char *err, size_t errlen)
{
    if (!strcmp(cfg->payment_provider, "payu") && (!cfg->payu_key[0] || !cfg->payu_salt[0]))
        return errbuf(-1, err, errlen,
                      "LOOPIN_PAYMENT_PROVIDER: PayU needs LOOPIN_PAYU_KEY and LOOPIN_PAYU_SALT");
    return 0;
}

int config_load(config_t *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    free_file_vars();
    const char *file = getenv("LOOPIN_CONFIG_FILE");
    int rc = file                        ? read_config_file(file, true, err, errlen)
             : access(".env", R_OK) == 0 ? read_config_file(".env", false, err, errlen)
                                         : read_config_file("loopin.conf", false, err, errlen);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int def_threads = cores > 0 ? (int)(cores * 2) : 4;
    if (rc || load_env_kind(cfg, err, errlen) ||
        get_str("LOOPIN_DATABASE_URL", "sqlite://loopin.db", cfg->database_url,
                sizeof cfg->database_url, err, errlen) ||
        check_database_url(cfg, err, errlen) ||
        get_str("LOOPIN_HOST", "127.0.0.1", cfg->host, sizeof cfg->host, err, errlen) ||
        get_int("LOOPIN_PORT", 8000, 1, 65535, &cfg->port, err, errlen) ||
        get_str("LOOPIN_SECRET_KEY", "", cfg->secret_key, sizeof cfg->secret_key, err, errlen) ||
        get_str("LOOPIN_MEDIA_DIR", "media", cfg->media_dir, sizeof cfg->media_dir, err, errlen) ||
        get_str("LOOPIN_PUBLIC_URL", "", cfg->public_url, sizeof cfg->public_url, err, errlen) ||
        get_str("LOOPIN_CORS_ORIGINS", "", cfg->cors_origins, sizeof cfg->cors_origins, err,
                errlen) ||
        get_int("LOOPIN_WORKERS", def_threads, 1, 256, &cfg->workers, err, errlen) ||
        get_int("LOOPIN_DB_POOL", def_threads, 1, 256, &cfg->db_pool, err, errlen) ||
        get_bool("LOOPIN_TEST_MODE", false, &cfg->test_mode, err, errlen) ||
        get_int("LOOPIN_REQUEST_TIMEOUT", 30, 1, 3600, &cfg->request_timeout_s, err, errlen) ||
        get_int("LOOPIN_MAX_CONNECTIONS", 1024, 1, 100000, &cfg->max_connections, err, errlen) ||
        get_int("LOOPIN_SHUTDOWN_GRACE", 30, 0, 3600, &cfg->shutdown_grace_s, err, errlen) ||
        get_int("LOOPIN_JOBS_POLL_MS", 1000, 10, 600000, &cfg->jobs_poll_ms, err, errlen) ||
        get_bool("LOOPIN_JOBS_IN_SERVE", true, &cfg->jobs_in_serve, err, errlen) ||
        get_int("LOOPIN_AUTH_CACHE_SIZE", 10000, 0, 1000000, &cfg->auth_cache_size, err, errlen) ||
        get_str("LOOPIN_LOG_LEVEL", "info", cfg->log_level, sizeof cfg->log_level, err, errlen) ||
        get_bool("LOOPIN_API_DOCS", cfg->env != ENV_PRODUCTION, &cfg->api_docs, err, errlen) ||
        get_str("LOOPIN_API_DOCS_DIR", LOOPIN_DEFAULT_DOCS_DIR, cfg->api_docs_dir,
                sizeof cfg->api_docs_dir, err, errlen) ||
        load_accounts(cfg, err, errlen) || load_payments(cfg, err, errlen) ||
        load_notifications(cfg, err, errlen) || load_ops(cfg, err, errlen)) {
        free_file_vars();
        return -1;
    }
    free_file_vars();
    log_level_t lvl;
    if (log_parse_level(cfg->log_level, &lvl) != 0)
        return errbuf(-1, err, errlen, "LOOPIN_LOG_LEVEL: expected debug, info, warn or error");
    if (cfg->test_mode && cfg->env == ENV_PRODUCTION)
        return errbuf(-1, err, errlen,
                      "LOOPIN_TEST_MODE: test mode is refused when "
                      "LOOPIN_ENV=production");
    if (cfg->secret_key[0])
        snprintf(cfg->secret_source, sizeof cfg->secret_source, "LOOPIN_SECRET_KEY");
    return check_public_url(cfg, err, errlen);
}

#define MIN_SECRET_LEN 32

/* Where development keeps its generated key: beside the SQLite file, or in
 * the working directory for PostgreSQL. */
static void secret_file_path(const config_t *cfg, char *out, size_t outlen)
{
    char path[1024];
    if (db_url_dialect(cfg->database_url, path, sizeof path) == DB_DIALECT_SQLITE)
        snprintf(out, outlen, "%s.secret_key", path);
    else
        snprintf(out, outlen, ".loopin.secret_key");
}

static int read_secret_file(const char *path, config_t *cfg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errbuf(-1, err, errlen, "LOOPIN_SECRET_KEY: cannot read %s", path);
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n < MIN_SECRET_LEN)
        return errbuf(-1, err, errlen, "LOOPIN_SECRET_KEY: key file %s is too short", path);
    snprintf(cfg->secret_key, sizeof cfg->secret_key, "%s", buf);
    snprintf(cfg->secret_source, sizeof cfg->secret_source, "%s", path);
    return 0;
}

int config_resolve_secret(config_t *cfg, char *err, size_t errlen)
{
    if (cfg->secret_key[0]) {
        if (strlen(cfg->secret_key) < MIN_SECRET_LEN) {
            if (cfg->env == ENV_PRODUCTION)
                return errbuf(-1, err, errlen, "LOOPIN_SECRET_KEY: must be at least %d characters",
                              MIN_SECRET_LEN);
            log_msg(LOG_WARN, "LOOPIN_SECRET_KEY is shorter than 32 characters", NULL);
        }
        return 0;
    }
    if (cfg->env == ENV_PRODUCTION)
        return errbuf(-1, err, errlen,
                      "LOOPIN_SECRET_KEY: required in production (at least %d "
                      "random characters)",
                      MIN_SECRET_LEN);
    char path[1100];
    secret_file_path(cfg, path, sizeof path);
    if (access(path, F_OK) == 0)
        return read_secret_file(path, cfg, err, errlen);
    /* Write a private temp file, then link it into place: link() fails if
     * another process won the race, and then that process's key is read. */
    char key[65], tmp[1200];
    rand_hex(key, 32);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return errbuf(-1, err, errlen, "LOOPIN_SECRET_KEY: cannot create %s: %s", tmp,
                      strerror(errno));
    ssize_t w = write(fd, key, 64);
    close(fd);
    int linked = w == 64 ? link(tmp, path) : -1;
    int link_errno = errno;
    unlink(tmp);
    if (linked != 0) {
        if (w == 64 && link_errno == EEXIST)
            return read_secret_file(path, cfg, err, errlen);
        return errbuf(-1, err, errlen, "LOOPIN_SECRET_KEY: cannot write %s", path);
    }
    snprintf(cfg->secret_key, sizeof cfg->secret_key, "%s", key);
    snprintf(cfg->secret_source, sizeof cfg->secret_source, "%s", path);
    cfg->secret_generated = true;
    log_msg(LOG_WARN, "generated a development secret key; set LOOPIN_SECRET_KEY in production",
            "file", path, NULL);
    return 0;
}

/* What `loopin config` prints after the first lines, in order: the
 * settings by where they live in config_t; a PRINT_SECRET shows only whether
 * it is set. */
typedef enum { PRINT_STR, PRINT_INT, PRINT_BOOL, PRINT_SECRET } print_kind_t;
static const struct {
    const char *name;
    print_kind_t kind;
    size_t offset;
} printed[] = {
#define S(name, field)                                                                             \
    {                                                                                              \
        name, PRINT_STR, offsetof(config_t, field)                                                 \
    }
#define I(name, field)                                                                             \
    {                                                                                              \
        name, PRINT_INT, offsetof(config_t, field)                                                 \
    }
#define B(name, field)                                                                             \
    {                                                                                              \
        name, PRINT_BOOL, offsetof(config_t, field)                                                \
    }
#define SECRET(name, field)                                                                        \
    {                                                                                              \
        name, PRINT_SECRET, offsetof(config_t, field)                                              \
    }
    S("LOOPIN_MEDIA_DIR", media_dir),
    S("LOOPIN_PUBLIC_URL", public_url),
    S("LOOPIN_CORS_ORIGINS", cors_origins),
    I("LOOPIN_WORKERS", workers),
    I("LOOPIN_DB_POOL", db_pool),
    B("LOOPIN_TEST_MODE", test_mode),
    I("LOOPIN_REQUEST_TIMEOUT", request_timeout_s),
    I("LOOPIN_MAX_CONNECTIONS", max_connections),
    I("LOOPIN_SHUTDOWN_GRACE", shutdown_grace_s),
    I("LOOPIN_JOBS_POLL_MS", jobs_poll_ms),
    B("LOOPIN_JOBS_IN_SERVE", jobs_in_serve),
    I("LOOPIN_AUTH_CACHE_SIZE", auth_cache_size),
    S("LOOPIN_LOG_LEVEL", log_level),
    B("LOOPIN_API_DOCS", api_docs),
    S("LOOPIN_API_DOCS_DIR", api_docs_dir),
    I("LOOPIN_TOKEN_TTL_SECONDS", token_ttl_s),
    I("LOOPIN_WAITLIST_MIN_MINUTES", waitlist_min_minutes),
    I("LOOPIN_WAITLIST_MAX_MINUTES", waitlist_max_minutes),
    I("LOOPIN_OTP_PER_PHONE_HOUR", otp_per_phone_hour),
    I("LOOPIN_OTP_PER_IP_HOUR", otp_per_ip_hour),
    I("LOOPIN_OTP_COOLDOWN_SECONDS", otp_cooldown_s),
    I("LOOPIN_RESERVATION_MINUTES", reservation_minutes),
    I("LOOPIN_ORDER_MINUTES", order_minutes),
    S("LOOPIN_PAYMENT_PROVIDER", payment_provider),
    S("LOOPIN_PAYU_URL", payu_url),
    S("LOOPIN_PAYU_ALLOWED_IPS", payu_allowed_ips),
    S("LOOPIN_PAYMENT_RETURN_URL", payment_return_url),
    S("LOOPIN_SMS_BACKEND", sms_backend),
    S("LOOPIN_SMS_OUTBOX", sms_outbox),
    S("LOOPIN_TWILIO_ACCOUNT_SID", twilio_account_sid),
    SECRET("LOOPIN_TWILIO_AUTH_TOKEN", twilio_auth_token),
    S("LOOPIN_TWILIO_FROM", twilio_from),
    S("LOOPIN_TWILIO_API_BASE", twilio_api_base),
    S("LOOPIN_TWILIO_WHATSAPP_FROM", twilio_whatsapp_from),
    S("LOOPIN_TWILIO_CONTENT_SID", twilio_content_sid),
    S("LOOPIN_PUSH_BACKEND", push_backend),
    S("LOOPIN_PUSH_OUTBOX", push_outbox),
    S("LOOPIN_ONESIGNAL_APP_ID", onesignal_app_id),
    SECRET("LOOPIN_ONESIGNAL_API_KEY", onesignal_api_key),
    S("LOOPIN_ONESIGNAL_API_BASE", onesignal_api_base),
    I("LOOPIN_CAMPAIGN_MAX_USERS", campaign_max_users),
    I("LOOPIN_CAMPAIGN_BATCH_SIZE", campaign_batch_size),
    B("LOOPIN_DISABLE_CAMPAIGNS", campaigns_disabled),
    S("LOOPIN_MEDIA_BACKEND", media_backend),
    S("LOOPIN_S3_BUCKET", s3_bucket),
    S("LOOPIN_S3_REGION", s3_region),
    S("LOOPIN_S3_ENDPOINT", s3_endpoint),
    B("LOOPIN_S3_PATH_STYLE", s3_path_style),
    S("LOOPIN_S3_ACCESS_KEY", s3_access_key),
    SECRET("LOOPIN_S3_SECRET_KEY", s3_secret_key),
    S("LOOPIN_TRUSTED_PROXIES", trusted_proxies),
    SECRET("LOOPIN_METRICS_TOKEN", metrics_token),
#undef S
#undef I
#undef B
#undef SECRET
};

void config_print(const config_t *cfg, FILE *out)
{
    char url[1024];
    db_url_mask(cfg->database_url, url, sizeof url);
    fprintf(out, "LOOPIN_ENV=%s\nLOOPIN_DATABASE_URL=%s\nLOOPIN_HOST=%s\nLOOPIN_PORT=%d\n",
            config_env_name(cfg->env), url, cfg->host, cfg->port);
    if (cfg->secret_key[0])
        fprintf(out, "LOOPIN_SECRET_KEY=**** (%zu characters, from %s)\n", strlen(cfg->secret_key),
                cfg->secret_source);
    else
        fprintf(out, "LOOPIN_SECRET_KEY=(unset)\n");
    for (size_t i = 0; i < sizeof printed / sizeof printed[0]; i++) {
        const char *field = (const char *)cfg + printed[i].offset;
        if (printed[i].kind == PRINT_STR)
            fprintf(out, "%s=%s\n", printed[i].name, field);
        else if (printed[i].kind == PRINT_SECRET)
            fprintf(out, "%s=%s\n", printed[i].name, field[0] ? "****" : "");
        else if (printed[i].kind == PRINT_INT)
            fprintf(out, "%s=%d\n", printed[i].name, *(const int *)(const void *)field);
        else
            fprintf(out, "%s=%d\n", printed[i].name, *(const bool *)(const void *)field ? 1 : 0);
    }
}
