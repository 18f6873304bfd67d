/*
 * push.c: outbound push behind push.h: "none" (push off), the JSON-lines
 * outbox file (exactly once per key, across processes) and OneSignal's REST
 * API over libcurl. Neither credentials nor message text ever reach a log:
 * failures are logged with the backend and the HTTP status or transport error.
 */
#include "notifications/push.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/curl_util.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"

#ifndef LOOPIN_VERSION
#define LOOPIN_VERSION "dev"
#endif

/* Room for about 1,500 invalid player ids in one answer; more than one
 * person's devices ever are. A longer answer is cut and then unreadable. */
#define PUSH_RESPONSE_MAX (64 * 1024)
#define PUSH_CONNECT_MS   5000L
#define PUSH_TOTAL_MS     10000L
#define PUSH_SCAN_CHUNK   8192 /* outbox bytes read at a time (a thread's stack holds it) */
#define PUSH_ERROR_CLIP   80   /* provider error text kept in err */

typedef enum { PUSH_NONE, PUSH_FILE, PUSH_ONESIGNAL } push_kind_t;

struct push {
    push_kind_t kind;
    char *outbox;     /* file: the outbox path (owned) */
    char *url;        /* onesignal: the notifications endpoint (owned) */
    char app_id[128]; /* onesignal */
    char auth[320];   /* onesignal: the whole Authorization header */
    long connect_ms;  /* onesignal timeouts (push_set_timeouts) */
    long total_ms;
};

static const char *const kind_names[] = {"none", "file", "onesignal"};

/* ---- the message -----------------------------------------------------------
 * Both backends send the same parts; a message that cannot be encoded (no
 * recipients, text that is not UTF-8, data that is not a JSON object) fails
 * for good, since sending it again cannot help. */

static int msg_check(const push_msg_t *m, char *err, size_t errlen)
{
    if (!m->idempotency_key || !m->idempotency_key[0] || !m->title || !m->body)
        return errbuf(PUSH_FAIL, err, errlen, "push needs a key, a title and a body");
    if (m->nplayers < 1 || m->nplayers > PUSH_MAX_PLAYERS || !m->player_ids)
        return errbuf(PUSH_FAIL, err, errlen, "push needs 1 to %d player ids", PUSH_MAX_PLAYERS);
    for (int i = 0; i < m->nplayers; i++)
        if (!m->player_ids[i] || !m->player_ids[i][0])
            return errbuf(PUSH_FAIL, err, errlen, "push player id %d is empty", i);
    return 0;
}

/* The player ids as a JSON array; NULL when one is not UTF-8. */
static json_t *msg_players(const push_msg_t *m)
{
    json_t *a = json_array();
    for (int i = 0; a && i < m->nplayers; i++)
        if (json_array_append_new(a, json_string(m->player_ids[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

/* data_json parsed; NULL when it is not a JSON object. */
static json_t *msg_data(const push_msg_t *m)
{
    json_t *d = json_loads(m->data_json ? m->data_json : "{}", 0, NULL);
    if (!json_is_object(d)) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/* Sets every key/value pair given (NULL-terminated); the values are stolen
 * even on failure. -1 when one is NULL (a string that was not UTF-8). */
static int put_all(json_t *obj, ...) __attribute__((sentinel));
static int put_all(json_t *obj, ...)
{
    va_list ap;
    va_start(ap, obj);
    int rc = obj ? 0 : -1;
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        json_t *v = va_arg(ap, json_t *);
        if (!v || json_object_set_new(obj, k, v) != 0)
            rc = -1; /* set_new took v (or v is NULL); keep consuming the rest */
    }
    va_end(ap);
    return rc;
}

/* ---- file backend ----------------------------------------------------------
 * Several processes append to one outbox, and one may be killed between
 * sending and recording the send. So every append happens under flock on a
 * descriptor opened for that send (flock is per open file description: a
 * shared descriptor would not exclude threads or forked children), as one
 * write(2); a retry that may have been sent (maybe_sent) first looks for its
 * key under the same lock and appends nothing when it is there, as OneSignal
 * does with idempotency_key. The lock also makes a torn line impossible to
 * keep: a tail without its newline can only be the remains of a writer that
 * died mid-write, and is cut before the next append. */

static int file_init(push_t *p, const config_t *cfg, char *err, size_t errlen)
{
    int fd = open(cfg->push_outbox, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return errbuf(-1, err, errlen, "LOOPIN_PUSH_OUTBOX: cannot open %s for appending: %s",
                      cfg->push_outbox, strerror(errno));
    close(fd);
    p->outbox = strdup(cfg->push_outbox);
    return p->outbox ? 0 : errbuf(-1, err, errlen, "LOOPIN_PUSH_BACKEND: out of memory");
}

/* The line with its newline, and the prefix `{"key":"<key>",` every line of that key starts
 * with (jansson writes members in insertion order, key first). */
static int file_line(const push_msg_t *m, char **line, char **prefix)
{
    char ts[32];
    clock_format_iso_seconds(clock_now_us(), ts);
    json_t *o = json_object();
    if (put_all(o, "key", json_string(m->idempotency_key), "player_ids", msg_players(m), "title",
                json_string(m->title), "body", json_string(m->body), "data", msg_data(m), "sent_at",
                json_string(ts), NULL) != 0) {
        json_decref(o);
        return -1;
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *key = json_dumps(json_object_get(o, "key"), JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(o);
    *line = *prefix = NULL;
    if (text && key) {
        strbuf_t sb;
        sb_init(&sb);
        sb_printf(&sb, "%s\n", text);
        *line = sb_steal(&sb, NULL);
        sb_printf(&sb, "{\"key\":%s,", key);
        *prefix = sb_steal(&sb, NULL);
    }
    free(text);
    free(key);
    return *line && *prefix ? 0 : -1;
}

/* Whether a line of the outbox starts with prefix: a streaming match, so the
 * outbox is never read into memory whole. -1 on a read error. */
static int outbox_has(int fd, const char *prefix, bool *found)
{
    char buf[PUSH_SCAN_CHUNK];
    size_t plen = strlen(prefix), matched = 0;
    bool live = true; /* the current line still matches */
    off_t off = 0;
    *found = false;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : 0;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                matched = 0;
                live = true;
            } else if (live && buf[i] == prefix[matched]) {
                if (++matched == plen) {
                    *found = true;
                    return 0;
                }
            } else {
                live = false;
            }
        }
        off += n;
    }
}

/* Cuts a last line without its newline (see above). *size gets the length
 * of the outbox that remains. -1 on an I/O error. */
static int outbox_cut_torn_tail(int fd, off_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    *size = S_ISREG(st.st_mode) ? st.st_size : 0;
    off_t end = *size;
    char buf[PUSH_SCAN_CHUNK];
    while (end > 0) {
        off_t from = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
        ssize_t n = pread(fd, buf, (size_t)(end - from), from);
        if (n != end - from)
            return -1;
        for (ssize_t i = n; i-- > 0;)
            if (buf[i] == '\n') {
                off_t keep = from + i + 1;
                if (keep == *size)
                    return 0; /* the usual case: the file ends with a newline */
                log_msg(LOG_WARN, "push outbox: cut a torn last line", NULL);
                *size = keep;
                return ftruncate(fd, keep);
            }
        end = from;
    }
    if (*size > 0)
        log_msg(LOG_WARN, "push outbox: cut a torn last line", NULL);
    *size = 0;
    return S_ISREG(st.st_mode) ? ftruncate(fd, 0) : 0;
}

/* Under the lock: cut a torn tail, look for the key when asked, append. */
static int outbox_append(int fd, const char *line, const char *prefix, bool look, bool *dup)
{
    off_t size = 0;
    if (outbox_cut_torn_tail(fd, &size) != 0 || (look && outbox_has(fd, prefix, dup) != 0))
        return -1;
    if (*dup)
        return 0;
    size_t len = strlen(line);
    ssize_t n;
    do
        n = write(fd, line, len); /* one system call: the whole line or an error */
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return 0;
    int saved = n < 0 ? errno : ENOSPC;
    if (n > 0 && ftruncate(fd, size) != 0) /* a short write (disk full): no half line kept */
        log_msg(LOG_WARN, "push outbox: could not cut a partial line", NULL);
    errno = saved;
    return -1;
}

static int file_send(push_t *p, const push_msg_t *m, push_result_t *out, char *err, size_t errlen)
{
    char *line = NULL, *prefix = NULL;
    if (file_line(m, &line, &prefix) != 0) {
        free(line);
        free(prefix);
        return errbuf(PUSH_FAIL, err, errlen,
                      "push message is not UTF-8 text or its data is not a JSON object");
    }
    int rc = -1;
    bool dup = false;
    int fd = open(p->outbox, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
            ;
        if (rc == 0)
            rc = outbox_append(fd, line, prefix, m->maybe_sent, &dup);
        int saved = errno;
        close(fd); /* releases the lock */
        errno = saved;
    }
    free(line);
    free(prefix);
    if (rc != 0) {
        log_msg(LOG_WARN, "push outbox write failed", "error", strerror(errno), NULL);
        return errbuf(PUSH_RETRY, err, errlen, "push outbox unavailable");
    }
    snprintf(out->provider_id, sizeof out->provider_id, "%s", m->idempotency_key);
    out->duplicate = dup;
    return 0;
}

/* ---- onesignal backend -----------------------------------------------------
 * A fresh easy handle per send keeps sending thread-safe without a shared
 * handle or lock (core/curl_util.h has what every outbound call shares). */

static int onesignal_init(push_t *p, const config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->onesignal_app_id[0] || !cfg->onesignal_api_key[0])
        return errbuf(-1, err, errlen,
                      "LOOPIN_PUSH_BACKEND: the onesignal backend needs LOOPIN_ONESIGNAL_APP_ID "
                      "and LOOPIN_ONESIGNAL_API_KEY");
    const char *base =
        cfg->onesignal_api_base[0] ? cfg->onesignal_api_base : "https://onesignal.com";
    if (strncmp(base, "https://", 8) && strncmp(base, "http://", 7))
        return errbuf(-1, err, errlen, "LOOPIN_ONESIGNAL_API_BASE: expected an http(s) URL");
    int n = snprintf(p->auth, sizeof p->auth, "Authorization: Basic %s", cfg->onesignal_api_key);
    if (n >= (int)sizeof p->auth ||
        snprintf(p->app_id, sizeof p->app_id, "%s", cfg->onesignal_app_id) >= (int)sizeof p->app_id)
        return errbuf(-1, err, errlen, "LOOPIN_ONESIGNAL_*: value too long");
    if (curl_ready() != 0)
        return errbuf(-1, err, errlen, "LOOPIN_PUSH_BACKEND: libcurl failed to initialise");
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, base, len);
    sb_puts(&sb, "/api/v1/notifications");
    p->url = sb_steal(&sb, NULL);
    return p->url ? 0 : errbuf(-1, err, errlen, "LOOPIN_PUSH_BACKEND: out of memory");
}

/* API.md 14.10's body plus idempotency_key; NULL when the message cannot be
 * encoded. */
static char *onesignal_body(const push_t *p, const push_msg_t *m)
{
    json_t *o = json_object(), *headings = json_object(), *contents = json_object();
    int rc = put_all(headings, "en", json_string(m->title), NULL);
    rc |= put_all(contents, "en", json_string(m->body), NULL);
    rc |= put_all(o, "app_id", json_string(p->app_id), "include_player_ids", msg_players(m),
                  "headings", headings, "contents", contents, "data", msg_data(m),
                  "idempotency_key", json_string(m->idempotency_key), NULL);
    char *text = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

static void onesignal_setopts(CURL *h, const push_t *p, const char *body,
                              struct curl_slist *headers, curl_sink_t *sink)
{
    curl_easy_setopt(h, CURLOPT_URL, p->url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_base_opts(h, p->connect_ms, p->total_ms);
    curl_set_sink(h, sink);
}

/* errors.invalid_player_ids into out (strings only; the rest is skipped). */
static void take_invalid_ids(json_t *errors, push_result_t *out)
{
    json_t *ids = json_is_object(errors) ? json_object_get(errors, "invalid_player_ids") : NULL;
    size_t n = json_is_array(ids) ? json_array_size(ids) : 0;
    if (n == 0 || !(out->invalid_ids = calloc(n, sizeof *out->invalid_ids)))
        return;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        char *copy = id ? strdup(id) : NULL;
        if (copy)
            out->invalid_ids[out->ninvalid++] = copy;
    }
}

/* A 2xx answer: {"id": "...", "errors": {"invalid_player_ids": [...]}} or,
 * when nobody was subscribed, {"id": "", "errors": ["All included players
 * are not subscribed"]}: a success that reached no one. */
static int onesignal_answer(const strbuf_t *resp, push_result_t *out, char *err, size_t errlen)
{
    json_t *root = resp->len ? json_loadb(resp->data, resp->len, 0, NULL) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        log_msg(LOG_WARN, "push send failed", "backend", "onesignal", "error", "unreadable answer",
                NULL);
        return errbuf(PUSH_FAIL, err, errlen, "push provider: unreadable answer");
    }
    const char *id = json_string_value(json_object_get(root, "id"));
    snprintf(out->provider_id, sizeof out->provider_id, "%s", id ? id : "");
    take_invalid_ids(json_object_get(root, "errors"), out);
    json_decref(root);
    return 0;
}

/* The first of a refusal's errors (["Invalid app_id"] or {"errors": [...]}),
 * clipped: it says what is wrong without echoing the message. */
static void refusal_reason(const strbuf_t *resp, char *out, size_t cap)
{
    json_t *root = resp->len ? json_loadb(resp->data, resp->len, 0, NULL) : NULL;
    json_t *errors = json_object_get(root, "errors");
    const char *first = json_string_value(json_array_get(errors, 0));
    snprintf(out, cap, "%.*s", PUSH_ERROR_CLIP, first ? first : "");
    json_decref(root);
}

static int onesignal_result(CURLcode rc, long status, const strbuf_t *resp, push_result_t *out,
                            char *err, size_t errlen)
{
    if (rc != CURLE_OK) {
        log_msg(LOG_WARN, "push send failed", "backend", "onesignal", "error",
                curl_easy_strerror(rc), NULL);
        return errbuf(PUSH_RETRY, err, errlen, "push provider %s",
                      rc == CURLE_OPERATION_TIMEDOUT ? "timed out" : "unreachable");
    }
    if (status >= 200 && status < 300)
        return onesignal_answer(resp, out, err, errlen);
    char st[24];
    snprintf(st, sizeof st, "%ld", status);
    log_msg(LOG_WARN, "push send failed", "backend", "onesignal", "status", st, NULL);
    /* 408 is a timeout too; 429 and 5xx pass. Another answer will not change. */
    if (status == 408 || status == 429 || status >= 500)
        return errbuf(PUSH_RETRY, err, errlen, "push provider busy (HTTP %ld)", status);
    char reason[PUSH_ERROR_CLIP + 1];
    refusal_reason(resp, reason, sizeof reason);
    return errbuf(PUSH_FAIL, err, errlen, "push provider refused the notification (HTTP %ld%s%s)",
                  status, reason[0] ? ": " : "", reason);
}

static int onesignal_send(push_t *p, const push_msg_t *m, push_result_t *out, char *err,
                          size_t errlen)
{
    char *body = onesignal_body(p, m);
    if (!body)
        return errbuf(PUSH_FAIL, err, errlen,
                      "push message is not UTF-8 text or its data is not a JSON object");
    CURL *h = curl_easy_init();
    struct curl_slist *auth = h ? curl_slist_append(NULL, p->auth) : NULL;
    struct curl_slist *headers =
        auth ? curl_slist_append(auth, "Content-Type: application/json; charset=utf-8") : NULL;
    strbuf_t resp;
    sb_init(&resp);
    curl_sink_t sink = {.sb = &resp, .max = PUSH_RESPONSE_MAX};
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    long status = 0;
    if (headers) {
        onesignal_setopts(h, p, body, headers, &sink);
        rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    }
    int ret = onesignal_result(rc, status, &resp, out, err, errlen);
    sb_free(&resp);
    curl_slist_free_all(headers ? headers : auth);
    if (h)
        curl_easy_cleanup(h);
    free(body);
    return ret;
}

/* ---- public face ------------------------------------------------------- */

push_t *push_new(const config_t *cfg, char *err, size_t errlen)
{
    int kind = -1;
    const char *name = cfg->push_backend[0] ? cfg->push_backend : "none";
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, kind_names[i]))
            kind = i;
    if (kind < 0) {
        errbuf(-1, err, errlen, "LOOPIN_PUSH_BACKEND: expected none, file or onesignal, got \"%s\"",
               name);
        return NULL;
    }
    push_t *p = calloc(1, sizeof *p);
    if (!p) {
        errbuf(-1, err, errlen, "LOOPIN_PUSH_BACKEND: out of memory");
        return NULL;
    }
    p->kind = (push_kind_t)kind;
    p->connect_ms = PUSH_CONNECT_MS;
    p->total_ms = PUSH_TOTAL_MS;
    int rc = kind == PUSH_FILE        ? file_init(p, cfg, err, errlen)
             : kind == PUSH_ONESIGNAL ? onesignal_init(p, cfg, err, errlen)
                                      : 0;
    if (rc != 0) {
        push_free(p);
        return NULL;
    }
    return p;
}

void push_free(push_t *p)
{
    if (!p)
        return;
    free(p->outbox);
    free(p->url);
    explicit_bzero(p->auth, sizeof p->auth);
    free(p);
}

const char *push_backend_name(const push_t *p)
{
    return kind_names[p->kind];
}

bool push_enabled(const push_t *p)
{
    return p && p->kind != PUSH_NONE;
}

void push_set_timeouts(push_t *p, long connect_ms, long total_ms)
{
    p->connect_ms = connect_ms;
    p->total_ms = total_ms;
}

int push_send(push_t *p, const push_msg_t *m, push_result_t *out, char *err, size_t errlen)
{
    push_result_t local = {0};
    push_result_t *r = out ? out : &local;
    memset(r, 0, sizeof *r);
    if (!p || !m)
        return errbuf(PUSH_FAIL, err, errlen, "push adapter not started");
    if (p->kind == PUSH_NONE)
        return 0;
    int rc = msg_check(m, err, errlen);
    if (rc == 0)
        rc = p->kind == PUSH_FILE ? file_send(p, m, r, err, errlen)
                                  : onesignal_send(p, m, r, err, errlen);
    if (!out)
        push_result_free(&local);
    return rc;
}

void push_result_free(push_result_t *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->ninvalid; i++)
        free(r->invalid_ids[i]);
    free(r->invalid_ids);
    r->invalid_ids = NULL;
    r->ninvalid = 0;
}
