/*
 * config.h: the effective configuration, read once at start from the
 * environment, with an optional `.env` or `loopin.conf` file (KEY=VALUE lines)
 * in the working directory filling in what the environment does not set.
 * A bad value is reported as one line naming the variable; main exits 2.
 */
#ifndef LOOPIN_CONFIG_H
#define LOOPIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { ENV_DEVELOPMENT = 0, ENV_PRODUCTION, ENV_TEST } loopin_env_t;

typedef struct {
    char database_url[1024];
    char host[256];
    int port;
    loopin_env_t env;
    char secret_key[256];
    bool secret_generated;    /* development: created now beside the database */
    char secret_source[1200]; /* "LOOPIN_SECRET_KEY" or the file it came from */
    char media_dir[1024];
    char public_url[512];    /* absolute base for URLs the API returns */
    char cors_origins[2048]; /* comma-separated; empty = no CORS */
    int workers;             /* HTTP threads */
    int db_pool;             /* connections */
    bool test_mode;
    int request_timeout_s; /* per-connection idle/upload timeout */
    int max_connections;
    int shutdown_grace_s; /* how long SIGTERM waits for in-flight requests */
    int jobs_poll_ms;     /* scheduler poll interval */
    bool jobs_in_serve;   /* run the job scheduler inside serve */
    int auth_cache_size;  /* accounts (and tokens) the guard caches per process; 0: off */
    char log_level[16];
    bool api_docs;           /* serve the Swagger UI and Redoc viewers (off in production) */
    char api_docs_dir[1024]; /* where their assets are (scripts/docs-assets) */

    /* accounts (issue 4) */
    int token_ttl_s;          /* JWT lifetime, default 30 days */
    int waitlist_min_minutes; /* account waitlist window, default 210-240 */
    int waitlist_max_minutes;
    int otp_per_phone_hour; /* codes a phone may request per hour */
    int otp_per_ip_hour;    /* codes one client IP may request per hour */
    int otp_cooldown_s;     /* minimum gap between two codes for one phone */
    char sms_backend[16];   /* log | file | twilio */
    char sms_outbox[1024];  /* file backend: JSON lines appended here */
    char twilio_account_sid[128];
    char twilio_auth_token[128];
    char twilio_from[32];
    char twilio_api_base[256];     /* default https://api.twilio.com (tests point it at a fake) */
    char twilio_whatsapp_from[32]; /* WhatsApp sender (E.164); empty: WhatsApp sends fail */
    char twilio_content_sid[64]; /* default Content template of host-lead messages; may be empty */
    /* money (docs/money.md) */
    int reservation_minutes;   /* how long an accepted paid request holds its seats */
    int order_minutes;         /* how long an unpaid order stays open */
    char payment_provider[16]; /* payu | test */
    char payu_key[64];
    char payu_salt[128];
    char payu_url[256];           /* the PayU checkout the app posts the form to */
    char payu_allowed_ips[512];   /* comma-separated; empty = any (the hash is checked always) */
    char payment_return_url[512]; /* where the browser goes after paying; empty = a small page */
    /* notifications (docs/notifications.md) */
    char push_backend[16];  /* none | file | onesignal */
    char push_outbox[1024]; /* file backend: JSON lines appended here */
    char onesignal_app_id[128];
    char onesignal_api_key[256];
    char onesignal_api_base[256]; /* default https://onesignal.com (tests point it at a fake) */
    int campaign_max_users;       /* a campaign's audience may not be larger */
    int campaign_batch_size;      /* recipients per campaign batch job */
    bool campaigns_disabled;      /* the kill switch: no campaign is sent or starts */
    /* operations (docs/deploy/README.md) */
    char media_backend[8]; /* local | s3 */
    char s3_bucket[64];
    char s3_region[64];
    char s3_endpoint[256]; /* default https://s3.<region>.amazonaws.com */
    bool s3_path_style;    /* endpoint/bucket/key rather than bucket.endpoint/key */
    char s3_access_key[128];
    char s3_secret_key[256];
    char trusted_proxies[1024]; /* CIDRs whose forwarding headers are believed */
    char metrics_token[256];    /* bearer token for /metrics; empty: loopback peers only */
} config_t;

/* Reads the configuration. Returns 0, or -1 with a one-line message naming
 * the variable in err. Does not touch the filesystem except to read the
 * optional config file; see config_resolve_secret for the secret. */
int config_load(config_t *cfg, char *err, size_t errlen);

/* Fills cfg->secret_key when unset: development generates a key once and
 * keeps it in a file beside the SQLite database (mode 0600, with a warning);
 * production refuses a missing or short (< 32 chars) key. */
int config_resolve_secret(config_t *cfg, char *err, size_t errlen);

/* Serving needs a usable SMS backend: twilio needs its three settings. */
int config_check_sms(const config_t *cfg, char *err, size_t errlen);
/* Push: onesignal needs its app id and API key (checked by serve and worker, as SMS). */
int config_check_push(const config_t *cfg, char *err, size_t errlen);
/* Media on S3 needs a bucket and both credentials. */
int config_check_media(const config_t *cfg, char *err, size_t errlen);
/* Serving payments: PayU needs its key and salt (checked by serve, as SMS). */
int config_check_payments(const config_t *cfg, char *err, size_t errlen);

/* Writes the effective configuration, secrets masked, one KEY=value a line. */
void config_print(const config_t *cfg, FILE *out);

const char *config_env_name(loopin_env_t env);

#endif
