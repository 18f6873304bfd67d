/*
 * storage_s3.c: objects in an S3-compatible bucket (AWS S3, MinIO, R2, ...)
 * over libcurl, which signs each request with AWS Signature Version 4
 * (CURLOPT_AWS_SIGV4): no signing code of our own. Every request carries
 * x-amz-content-sha256, the payload's hash, which S3 checks against the
 * bytes it received, so a corrupted upload is refused rather than stored.
 * Objects are named by content hash, so a put first asks whether the object
 * is there (HEAD) and sends nothing when it is.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/curl_util.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "media/storage_internal.h"

#define S3_CONNECT_MS 5000
#define S3_TOTAL_MS   30000
#define S3_ERROR_MAX  2048 /* of an error answer, enough for its <Code> */

typedef struct {
    CURLSH *share; /* connections, TLS sessions and DNS reused across requests */
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    char *base;       /* everything before the key, ending in '/' */
    char *bucket_url; /* the bucket itself (HEAD for storage_check) */
    char *access_key, *secret_key;
    char sigv4[96]; /* "aws:amz:<region>:s3" */
} s3_t;

/* libcurl's share interface: one mutex per kind of shared data. */
static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userptr)
{
    (void)h;
    (void)access;
    s3_t *s = userptr;
    pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
    (void)h;
    s3_t *s = userptr;
    pthread_mutex_unlock(&s->locks[data]);
}

/* Without it every /media read opened a new connection (and TLS handshake)
 * to the bucket. */
static int share_open(s3_t *s)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&s->locks[i], NULL);
    s->share = curl_share_init();
    if (!s->share)
        return -1;
    curl_share_setopt(s->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(s->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(s->share, CURLSHOPT_USERDATA, s);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    return 0;
}

static void s3_free(void *impl)
{
    s3_t *s = impl;
    if (!s)
        return;
    if (s->share) {
        curl_share_cleanup(s->share);
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
            pthread_mutex_destroy(&s->locks[i]);
    }
    free(s->base);
    free(s->bucket_url);
    if (s->secret_key)
        sodium_memzero(s->secret_key, strlen(s->secret_key));
    free(s->access_key);
    free(s->secret_key);
    free(s);
}

/* Path style: http://host:port/bucket/key. Virtual-hosted style (AWS's
 * default): https://bucket.host/key. */
static int s3_urls(s3_t *s, const storage_s3_opts_t *o)
{
    size_t n = strlen(o->endpoint);
    while (n > 0 && o->endpoint[n - 1] == '/')
        n--;
    const char *sep = strstr(o->endpoint, "://");
    if (!sep || (size_t)(sep - o->endpoint) + 3 >= n)
        return -1;
    strbuf_t sb;
    sb_init(&sb);
    if (o->path_style) {
        sb_printf(&sb, "%.*s/%s", (int)n, o->endpoint, o->bucket);
    } else {
        size_t scheme = (size_t)(sep - o->endpoint) + 3;
        sb_printf(&sb, "%.*s%s.%.*s", (int)scheme, o->endpoint, o->bucket, (int)(n - scheme),
                  o->endpoint + scheme);
    }
    s->bucket_url = strdup(sb.data ? sb.data : "");
    sb_putc(&sb, '/');
    s->base = sb_steal(&sb, NULL);
    return s->base && s->bucket_url ? 0 : -1;
}

void *storage_s3_open(const storage_s3_opts_t *o, char *err, size_t errlen)
{
    if (!o || !o->bucket || !o->bucket[0] || !o->access_key || !o->access_key[0] ||
        !o->secret_key || !o->secret_key[0] || !o->region || !o->endpoint) {
        snprintf(err, errlen, "S3 media needs a bucket, a region, an endpoint and credentials");
        return NULL;
    }
    if (curl_ready() != 0) {
        snprintf(err, errlen, "LOOPIN_MEDIA_BACKEND: libcurl failed to initialise");
        return NULL;
    }
    s3_t *s = calloc(1, sizeof *s);
    if (!s || share_open(s) != 0 || s3_urls(s, o) != 0 ||
        !(s->access_key = strdup(o->access_key)) || !(s->secret_key = strdup(o->secret_key)) ||
        snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", o->region) >= (int)sizeof s->sigv4) {
        s3_free(s);
        snprintf(err, errlen,
                 "LOOPIN_S3_ENDPOINT: expected http(s)://host[:port] (or out of memory)");
        return NULL;
    }
    return s;
}

/* ---- one signed request ------------------------------------------------------- */

typedef struct {
    const char *method; /* GET, HEAD or PUT */
    const char *url;
    const unsigned char *body; /* PUT */
    size_t len;
    const char *mime; /* PUT */
    strbuf_t *resp;
    size_t max; /* of the answer kept; a GET past it is stopped */
    /* out */
    long status;
    bool overflow;
    char error[CURL_ERROR_SIZE];
} s3_call_t;

static struct curl_slist *call_headers(const s3_call_t *c)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], line[128];
    crypto_hash_sha256(hash, c->body ? c->body : (const unsigned char *)"", c->len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(line, sizeof line, "x-amz-content-sha256: %s", hex);
    struct curl_slist *h = curl_slist_append(NULL, line);
    if (h && c->mime) {
        snprintf(line, sizeof line, "Content-Type: %s", c->mime);
        struct curl_slist *more = curl_slist_append(h, line);
        if (!more) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = more;
    }
    return h;
}

/* 0 when an HTTP answer came back (c->status says which); -1 on a transport
 * failure (c->error says why). */
static int s3_call(const s3_t *s, s3_call_t *c)
{
    CURL *h = curl_easy_init();
    struct curl_slist *headers = h ? call_headers(c) : NULL;
    if (!h || !headers) {
        snprintf(c->error, sizeof c->error, "out of memory");
        curl_slist_free_all(headers);
        curl_easy_cleanup(h);
        return -1;
    }
    curl_sink_t sink = {.sb = c->resp, .max = c->max, .abort_on_overflow = true};
    curl_base_opts(h, S3_CONNECT_MS, S3_TOTAL_MS);
    curl_set_sink(h, &sink);
    curl_easy_setopt(h, CURLOPT_SHARE, s->share);
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
    curl_easy_setopt(h, CURLOPT_USERNAME, s->access_key);
    curl_easy_setopt(h, CURLOPT_PASSWORD, s->secret_key);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->error);
    if (!strcmp(c->method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(c->method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? (const char *)c->body : "");
    }
    c->error[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    c->overflow = sink.overflow;
    if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && sink.overflow))
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
    else if (!c->error[0])
        snprintf(c->error, sizeof c->error, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && sink.overflow) ? 0 : -1;
}

/* The <Code> of an S3 error answer ("SignatureDoesNotMatch"), or "". */
static void s3_error_code(const strbuf_t *resp, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = resp && resp->data ? strstr(resp->data, "<Code>") : NULL;
    const char *e = p ? strstr(p, "</Code>") : NULL;
    if (p && e && e - p - 6 < 64)
        snprintf(out, outlen, "%.*s", (int)(e - p - 6), p + 6);
}

/* Logs a failed call: method, key, status or transport error, S3's code.
 * Never the URL's credentials (there are none) nor the signature. */
static void s3_log_failure(const s3_call_t *c, const char *key)
{
    char status[16], code[64];
    snprintf(status, sizeof status, "%ld", c->status);
    s3_error_code(c->resp, code, sizeof code);
    log_msg(LOG_ERROR, "s3 request failed", "method", c->method, "key", key, "status",
            c->status ? status : "none", "error", c->error[0] ? c->error : code, NULL);
}

/* ---- the backend ---------------------------------------------------------------- */

static storage_rc_t s3_head(const s3_t *s, arena_t *a, const char *key)
{
    strbuf_t resp;
    sb_init(&resp);
    s3_call_t c = {.method = "HEAD",
                   .url = arena_printf(a, "%s%s", s->base, key),
                   .resp = &resp,
                   .max = S3_ERROR_MAX};
    storage_rc_t rc = STORAGE_ERROR;
    if (s3_call(s, &c) == 0 && (c.status == 200 || c.status == 404))
        rc = c.status == 200 ? STORAGE_OK : STORAGE_NOT_FOUND;
    else
        s3_log_failure(&c, key);
    sb_free(&resp);
    return rc;
}

static int s3_put(void *impl, arena_t *a, const char *key, const unsigned char *data, size_t len,
                  const char *mime)
{
    const s3_t *s = impl;
    storage_rc_t there = s3_head(s, a, key);
    if (there != STORAGE_NOT_FOUND)
        return there == STORAGE_OK ? 0 : -1;
    strbuf_t resp;
    sb_init(&resp);
    s3_call_t c = {.method = "PUT",
                   .url = arena_printf(a, "%s%s", s->base, key),
                   .body = data,
                   .len = len,
                   .mime = mime,
                   .resp = &resp,
                   .max = S3_ERROR_MAX};
    int rc = s3_call(s, &c) == 0 && c.status == 200 ? 0 : -1;
    if (rc)
        s3_log_failure(&c, key);
    sb_free(&resp);
    return rc;
}

static storage_rc_t s3_get(void *impl, arena_t *a, const char *key, unsigned char **data,
                           size_t *len)
{
    const s3_t *s = impl;
    strbuf_t resp;
    sb_init(&resp);
    s3_call_t c = {.method = "GET",
                   .url = arena_printf(a, "%s%s", s->base, key),
                   .resp = &resp,
                   .max = MEDIA_MAX_IMAGE_BYTES};
    storage_rc_t rc = STORAGE_ERROR;
    if (s3_call(s, &c) != 0) {
        s3_log_failure(&c, key);
    } else if (c.status == 404) {
        rc = STORAGE_NOT_FOUND;
    } else if (c.status == 200 && c.overflow) {
        rc = STORAGE_TOO_LARGE;
    } else if (c.status == 200) {
        *data = arena_alloc(a, resp.len ? resp.len : 1);
        if (resp.len)
            memcpy(*data, resp.data, resp.len);
        *len = resp.len;
        rc = STORAGE_OK;
    } else {
        s3_log_failure(&c, key);
    }
    sb_free(&resp);
    return rc;
}

static storage_rc_t s3_exists(void *impl, const char *key)
{
    arena_t a;
    arena_init(&a);
    storage_rc_t rc = s3_head(impl, &a, key);
    arena_free(&a);
    return rc;
}

/* The bucket answers a signed HEAD: credentials, region, endpoint and
 * bucket are all right. */
static int s3_check(void *impl, char *err, size_t errlen)
{
    const s3_t *s = impl;
    strbuf_t resp;
    sb_init(&resp);
    s3_call_t c = {.method = "HEAD", .url = s->bucket_url, .resp = &resp, .max = S3_ERROR_MAX};
    int rc = s3_call(s, &c);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", s->bucket_url, c.error);
    else if (c.status == 403)
        snprintf(err, errlen, "%s: access denied (check the credentials and region)",
                 s->bucket_url);
    else if (c.status == 404)
        snprintf(err, errlen, "%s: no such bucket", s->bucket_url);
    else if (c.status != 200)
        snprintf(err, errlen, "%s: answered %ld", s->bucket_url, c.status);
    sb_free(&resp);
    return rc == 0 && c.status == 200 ? 0 : -1;
}

const storage_backend_t storage_s3_backend = {
    .name = "s3",
    .put = s3_put,
    .get = s3_get,
    .exists = s3_exists,
    .check = s3_check,
    .free = s3_free,
};
