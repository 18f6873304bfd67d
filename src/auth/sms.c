/*
 * sms.c: outbound SMS and WhatsApp behind sms.h: the development log
 * backend, the JSON-lines outbox file (tests read codes from it) and Twilio's
 * Messages API over libcurl. The log backend is the only place an SMS body may
 * reach a log (WhatsApp: the masked number and template only); failures are
 * logged with status and provider code only.
 */
#include "auth/sms.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/curl_util.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/strbuf.h"

#ifndef LOOPIN_VERSION
#define LOOPIN_VERSION "dev"
#endif

#define SMS_RESPONSE_MAX (16 * 1024) /* provider answer kept for the error code */
#define SMS_CONNECT_MS   5000L
#define SMS_TOTAL_MS     10000L
#define WA_PREFIX        "whatsapp:"

typedef enum { SMS_LOG, SMS_FILE, SMS_TWILIO } sms_kind_t;

struct sms {
    sms_kind_t kind;
    int fd;               /* file: the outbox, opened O_APPEND */
    pthread_mutex_t lock; /* file: one writer at a time */
    char *url;            /* twilio: the Messages endpoint (owned) */
    char sid[128];
    char token[128];
    char from[32];
    char wa_from[32]; /* twilio: the WhatsApp sender; empty: WhatsApp sends fail */
};

static const char *const kind_names[] = {"log", "file", "twilio"};

/* ---- file backend ----------------------------------------------------------
 * One JSON object per line, written with one write(2) under the lock, so
 * concurrent senders never interleave and a reader never sees half a line
 * from a successful send. */

static int file_open(sms_t *s, const config_t *cfg, char *err, size_t errlen)
{
    s->fd = open(cfg->sms_outbox, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s->fd < 0)
        return errbuf(-1, err, errlen, "LOOPIN_SMS_OUTBOX: cannot open %s for appending: %s",
                      cfg->sms_outbox, strerror(errno));
    return 0;
}

static void file_format_line(strbuf_t *sb, const char *to, const char *body)
{
    char ts[32];
    clock_format_iso_seconds(clock_now_us(), ts);
    sb_puts(sb, "{\"to\":");
    sb_json_string(sb, to);
    sb_puts(sb, ",\"body\":");
    sb_json_string(sb, body);
    sb_puts(sb, ",\"sent_at\":");
    sb_json_string(sb, ts);
    sb_puts(sb, "}\n");
}

static int file_write(sms_t *s, const char *line, size_t len, char *err, size_t errlen)
{
    ssize_t n;
    pthread_mutex_lock(&s->lock);
    do
        n = write(s->fd, line, len);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    pthread_mutex_unlock(&s->lock);
    if (n == (ssize_t)len)
        return 0;
    log_msg(LOG_WARN, "sms outbox write failed", "error", n < 0 ? strerror(saved) : "short write",
            NULL);
    return errbuf(-1, err, errlen, "SMS outbox unavailable");
}

static int file_send(sms_t *s, const char *to, const char *body, char *err, size_t errlen)
{
    strbuf_t sb;
    sb_init(&sb);
    file_format_line(&sb, to, body);
    int rc = file_write(s, sb.data, sb.len, err, errlen);
    sb_free(&sb);
    return rc;
}

/* ---- twilio backend --------------------------------------------------------
 * A fresh easy handle per send keeps sending thread-safe without a shared
 * handle or lock (core/curl_util.h has what every outbound call shares). */

static int copy_field(char *dst, size_t cap, const char *src)
{
    return snprintf(dst, cap, "%s", src) >= (int)cap ? -1 : 0;
}

/* {api_base}/2010-04-01/Accounts/{sid}/Messages.json, the sid escaped. The
 * handle argument of curl_easy_escape is ignored since libcurl 7.82. */
static char *twilio_url(const config_t *cfg)
{
    char *sid = curl_easy_escape(NULL, cfg->twilio_account_sid, 0);
    if (!sid)
        return NULL;
    size_t base = strlen(cfg->twilio_api_base);
    while (base > 0 && cfg->twilio_api_base[base - 1] == '/')
        base--;
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, cfg->twilio_api_base, base);
    sb_printf(&sb, "/2010-04-01/Accounts/%s/Messages.json", sid);
    curl_free(sid);
    return sb_steal(&sb, NULL);
}

static int twilio_init(sms_t *s, const config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->twilio_account_sid[0] || !cfg->twilio_auth_token[0] || !cfg->twilio_from[0])
        return errbuf(-1, err, errlen,
                      "LOOPIN_SMS_BACKEND: the twilio backend needs LOOPIN_TWILIO_ACCOUNT_SID, "
                      "LOOPIN_TWILIO_AUTH_TOKEN and LOOPIN_TWILIO_FROM");
    if (strncmp(cfg->twilio_api_base, "https://", 8) && strncmp(cfg->twilio_api_base, "http://", 7))
        return errbuf(-1, err, errlen, "LOOPIN_TWILIO_API_BASE: expected an http(s) URL");
    if (copy_field(s->sid, sizeof s->sid, cfg->twilio_account_sid) ||
        copy_field(s->token, sizeof s->token, cfg->twilio_auth_token) ||
        copy_field(s->from, sizeof s->from, cfg->twilio_from) ||
        copy_field(s->wa_from, sizeof s->wa_from, cfg->twilio_whatsapp_from))
        return errbuf(-1, err, errlen, "LOOPIN_TWILIO_*: value too long");
    if (curl_ready() != 0)
        return errbuf(-1, err, errlen, "LOOPIN_SMS_BACKEND: libcurl failed to initialise");
    s->url = twilio_url(cfg);
    if (!s->url)
        return errbuf(-1, err, errlen, "LOOPIN_SMS_BACKEND: out of memory");
    return 0;
}

/* name=value&... from NULL-terminated name, value pairs, each value
 * percent-encoded; NULL on failure. */
static char *twilio_form(CURL *h, const char *const *fields)
{
    strbuf_t sb;
    sb_init(&sb);
    for (int i = 0; fields[i]; i += 2) {
        char *v = curl_easy_escape(h, fields[i + 1], 0);
        if (!v) {
            sb_free(&sb);
            return NULL;
        }
        sb_printf(&sb, "%s%s=%s", i ? "&" : "", fields[i], v);
        curl_free(v);
    }
    return sb_steal(&sb, NULL);
}

static void twilio_setopts(CURL *h, const sms_t *s, const char *form, curl_sink_t *sink)
{
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, s->sid);
    curl_easy_setopt(h, CURLOPT_PASSWORD, s->token);
    curl_base_opts(h, SMS_CONNECT_MS, SMS_TOTAL_MS);
    curl_set_sink(h, sink);
}

/* Twilio's error answers carry {"code": 21211, "message": ...}; 0 if absent. */
static long provider_code(const strbuf_t *resp)
{
    if (!resp || resp->len == 0)
        return 0;
    json_t *root = json_loadb(resp->data, resp->len, 0, NULL);
    json_t *code = json_is_object(root) ? json_object_get(root, "code") : NULL;
    long out = json_is_integer(code) ? (long)json_integer_value(code) : 0;
    json_decref(root);
    return out;
}

/* The message sid of a 2xx answer ({"sid": "SM..."}) into sid_out. */
static void twilio_sid(const strbuf_t *resp, char *sid_out, size_t sid_cap)
{
    json_t *root = resp->len ? json_loadb(resp->data, resp->len, 0, NULL) : NULL;
    const char *sid = json_string_value(json_object_get(root, "sid"));
    if (sid_out && sid_cap)
        snprintf(sid_out, sid_cap, "%s", sid ? sid : "");
    json_decref(root);
}

/* channel names the failure for people: "SMS" or "WhatsApp". */
static int twilio_result(const char *channel, CURLcode rc, long status, const strbuf_t *resp,
                         char *err, size_t errlen)
{
    if (rc != CURLE_OK) {
        log_msg(LOG_WARN, "sms send failed", "backend", "twilio", "channel", channel, "error",
                curl_easy_strerror(rc), NULL);
        return errbuf(-1, err, errlen, "%s provider unreachable", channel);
    }
    if (status >= 200 && status < 300)
        return 0;
    long code = provider_code(resp);
    char st[24], pc[24] = "";
    snprintf(st, sizeof st, "%ld", status);
    if (code)
        snprintf(pc, sizeof pc, "%ld", code);
    log_msg(LOG_WARN, "sms send failed", "backend", "twilio", "channel", channel, "status", st,
            "provider_code", pc, NULL);
    if (code)
        return errbuf(-1, err, errlen, "%s provider rejected the message (code %ld)", channel,
                      code);
    return errbuf(-1, err, errlen, "%s provider error (HTTP %ld)", channel, status);
}

/* POSTs the form fields to the Messages endpoint; on success the message's
 * sid goes to sid_out (when given). */
static int twilio_post(sms_t *s, const char *channel, const char *const *fields, char *sid_out,
                       size_t sid_cap, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h)
        return twilio_result(channel, CURLE_FAILED_INIT, 0, NULL, err, errlen);
    char *form = twilio_form(h, fields);
    strbuf_t resp;
    sb_init(&resp);
    curl_sink_t sink = {.sb = &resp, .max = SMS_RESPONSE_MAX};
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    long status = 0;
    if (form) {
        twilio_setopts(h, s, form, &sink);
        rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    }
    int ret = twilio_result(channel, rc, status, &resp, err, errlen);
    if (ret == 0)
        twilio_sid(&resp, sid_out, sid_cap);
    sb_free(&resp);
    free(form);
    curl_easy_cleanup(h);
    return ret;
}

static int twilio_send(sms_t *s, const char *to, const char *body, char *err, size_t errlen)
{
    const char *fields[] = {"To", to, "From", s->from, "Body", body, NULL};
    return twilio_post(s, "SMS", fields, NULL, 0, err, errlen);
}

/* ---- WhatsApp ------------------------------------------------------------
 * Twilio sends WhatsApp through the same Messages endpoint, the numbers
 * prefixed "whatsapp:" and the text a pre-approved Content template
 * (ContentSid) filled from ContentVariables. The development backends keep
 * the template and its variables, never a rendered text. */

/* "whatsapp:+91..." or "+91..." as the bare number. */
static const char *wa_number(const char *n)
{
    return strncmp(n, WA_PREFIX, sizeof WA_PREFIX - 1) ? n : n + sizeof WA_PREFIX - 1;
}

/* "+91*******210": enough to tell numbers apart in a log, not to call one. */
static void mask_number(const char *n, char *out, size_t cap)
{
    size_t len = strlen(n), head = len >= 8 ? 3 : 0, tail = len >= 8 ? 3 : 0;
    size_t i = 0;
    for (; i < len && i + 1 < cap; i++)
        out[i] = i < head || i >= len - tail ? n[i] : '*';
    out[i] = '\0';
}

/* A made-up message sid for the development backends, shaped like Twilio's. */
static void fake_sid(char *sid_out, size_t sid_cap)
{
    char hex[33];
    rand_hex(hex, 16);
    if (sid_out && sid_cap)
        snprintf(sid_out, sid_cap, "MM%s", hex);
}

static int wa_file_send(sms_t *s, const char *to, const char *content_sid, json_t *vars,
                        char *sid_out, size_t sid_cap, char *err, size_t errlen)
{
    char ts[32];
    clock_format_iso_seconds(clock_now_us(), ts);
    json_t *line = json_pack("{s:s, s:s, s:s, s:O, s:s}", "channel", "whatsapp", "to", to,
                             "content_sid", content_sid, "variables", vars, "sent_at", ts);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(line);
    if (!text)
        return errbuf(-1, err, errlen, "WhatsApp message is not UTF-8 text");
    strbuf_t sb;
    sb_init(&sb);
    sb_printf(&sb, "%s\n", text);
    free(text);
    int rc = file_write(s, sb.data, sb.len, err, errlen);
    sb_free(&sb);
    if (rc == 0)
        fake_sid(sid_out, sid_cap);
    return rc;
}

static int wa_twilio_send(sms_t *s, const char *to, const char *content_sid, const char *vars,
                          char *sid_out, size_t sid_cap, char *err, size_t errlen)
{
    if (!s->wa_from[0])
        return errbuf(-1, err, errlen,
                      "LOOPIN_TWILIO_WHATSAPP_FROM is not set: WhatsApp messages cannot be sent");
    char wto[64], wfrom[64];
    if (snprintf(wto, sizeof wto, WA_PREFIX "%s", to) >= (int)sizeof wto)
        return errbuf(-1, err, errlen, "WhatsApp recipient too long");
    snprintf(wfrom, sizeof wfrom, WA_PREFIX "%s", wa_number(s->wa_from));
    const char *fields[] = {"To", wto, "From", wfrom, "ContentSid", content_sid, "ContentVariables",
                            vars, NULL};
    return twilio_post(s, "WhatsApp", fields, sid_out, sid_cap, err, errlen);
}

/* ---- public face ------------------------------------------------------- */

static int parse_kind(const char *name, sms_kind_t *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (sms_kind_t)i;
            return 0;
        }
    return -1;
}

sms_t *sms_new(const config_t *cfg, char *err, size_t errlen)
{
    sms_kind_t kind;
    if (parse_kind(cfg->sms_backend, &kind) != 0) {
        errbuf(-1, err, errlen, "LOOPIN_SMS_BACKEND: expected log, file or twilio, got \"%s\"",
               cfg->sms_backend);
        return NULL;
    }
    sms_t *s = calloc(1, sizeof *s);
    if (!s) {
        errbuf(-1, err, errlen, "LOOPIN_SMS_BACKEND: out of memory");
        return NULL;
    }
    s->kind = kind;
    s->fd = -1;
    pthread_mutex_init(&s->lock, NULL);
    int rc = 0;
    if (kind == SMS_FILE)
        rc = file_open(s, cfg, err, errlen);
    else if (kind == SMS_TWILIO)
        rc = twilio_init(s, cfg, err, errlen);
    if (rc != 0) {
        sms_free(s);
        return NULL;
    }
    return s;
}

void sms_free(sms_t *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s->url);
    explicit_bzero(s->token, sizeof s->token);
    free(s);
}

int sms_send(sms_t *s, const char *to_e164, const char *body, char *err, size_t errlen)
{
    if (!s || !to_e164 || !to_e164[0] || !body)
        return errbuf(-1, err, errlen, "SMS needs a recipient and a body");
    switch (s->kind) {
    case SMS_LOG:
        log_msg(LOG_WARN, "sms (log backend)", "to", to_e164, "body", body, NULL);
        return 0;
    case SMS_FILE:
        return file_send(s, to_e164, body, err, errlen);
    case SMS_TWILIO:
        return twilio_send(s, to_e164, body, err, errlen);
    }
    return errbuf(-1, err, errlen, "SMS backend unknown");
}

int sms_send_whatsapp(sms_t *s, const char *to_e164, const char *content_sid,
                      const char *variables_json, char *sid_out, size_t sid_cap, char *err,
                      size_t errlen)
{
    if (sid_out && sid_cap)
        sid_out[0] = '\0';
    if (!s)
        return errbuf(-1, err, errlen, "WhatsApp is not available in this process");
    if (!to_e164 || !*wa_number(to_e164) || !content_sid || !content_sid[0])
        return errbuf(-1, err, errlen, "WhatsApp needs a recipient and a Content template");
    const char *to = wa_number(to_e164);
    const char *vtext = variables_json ? variables_json : "{}";
    json_t *vars = json_loads(vtext, 0, NULL);
    int rc = -1;
    if (!json_is_object(vars))
        errbuf(-1, err, errlen, "WhatsApp template variables must be a JSON object");
    else if (s->kind == SMS_TWILIO)
        rc = wa_twilio_send(s, to, content_sid, vtext, sid_out, sid_cap, err, errlen);
    else if (s->kind == SMS_FILE)
        rc = wa_file_send(s, to, content_sid, vars, sid_out, sid_cap, err, errlen);
    else {
        char masked[64];
        mask_number(to, masked, sizeof masked);
        log_msg(LOG_WARN, "whatsapp (log backend)", "to", masked, "content_sid", content_sid, NULL);
        fake_sid(sid_out, sid_cap);
        rc = 0;
    }
    json_decref(vars);
    return rc;
}

const char *sms_backend_name(const sms_t *s)
{
    return kind_names[s->kind];
}
