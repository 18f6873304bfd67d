/*
 * test_auth_sms.c: auth/sms through sms.h: the log backend, the outbox file
 * (exact JSON lines, 4 threads x 50 sends without a torn line, unopenable
 * paths) and the twilio backend against a fake Twilio started here with
 * libmicrohttpd on 127.0.0.1 (request shape, auth, form fields, answers);
 * WhatsApp through each backend (Content template fields, masked log).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/sms.h"
#include "core/clock.h"
#include "core/rand.h"
#include "fake_http.h"
#include "fixture.h"

#define SID           "AC123"
#define TOKEN         "tok-secret"
#define FROM          "+15005550006"
#define BASIC_AUTH    "Basic QUMxMjM6dG9rLXNlY3JldA==" /* base64("AC123:tok-secret") */
#define MESSAGES_PATH "/2010-04-01/Accounts/AC123/Messages.json"
#define WA_FROM       "+14155238886"
#define WA_VARS       "{\"1\":\"Asha\",\"2\":\"Host & earn 100% \\\"now\\\"\"}"

static char tmp_dir[400];

/* ---- helpers ------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    return fixture_mkdtemp(tmp_dir, sizeof tmp_dir, "sms") ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    rmdir(tmp_dir);
    return 0;
}

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmp_dir, name);
    unlink(out);
}

static void base_config(config_t *cfg, const char *backend)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->sms_backend, sizeof cfg->sms_backend, "%s", backend);
}

/* ---- construction and the log backend ------------------------------------ */

static void test_backend_names(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "log");
    sms_t *s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(sms_backend_name(s), "log");
    sms_free(s);

    base_config(&cfg, "file");
    tmp_path(cfg.sms_outbox, sizeof cfg.sms_outbox, "names.jsonl");
    s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(sms_backend_name(s), "file");
    sms_free(s);
    unlink(cfg.sms_outbox);

    base_config(&cfg, "twilio");
    snprintf(cfg.twilio_account_sid, sizeof cfg.twilio_account_sid, SID);
    snprintf(cfg.twilio_auth_token, sizeof cfg.twilio_auth_token, TOKEN);
    snprintf(cfg.twilio_from, sizeof cfg.twilio_from, FROM);
    snprintf(cfg.twilio_api_base, sizeof cfg.twilio_api_base, "https://api.twilio.com");
    s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(sms_backend_name(s), "twilio");
    sms_free(s);
}

static void test_unknown_backend_is_refused(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "carrier-pigeon");
    assert_null(sms_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_SMS_BACKEND"));
}

static void test_log_backend_writes_one_warn_line(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "log");
    sms_t *s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = sms_send(s, "+919876543210", "Your code is 4321", err, sizeof err);
    char *out = fixture_capture_end(&cap);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *line = json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(line, "msg")), "sms (log backend)");
    assert_string_equal(json_string_value(json_object_get(line, "to")), "+919876543210");
    assert_string_equal(json_string_value(json_object_get(line, "body")), "Your code is 4321");
    json_decref(line);
    free(out);
    sms_free(s);
}

static void test_send_needs_recipient_and_body(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "log");
    sms_t *s = sms_new(&cfg, err, sizeof err);
    assert_int_equal(sms_send(s, "", "x", err, sizeof err), -1);
    assert_int_equal(sms_send(s, "+15550001", NULL, err, sizeof err), -1);
    assert_int_equal(sms_send(s, NULL, "x", NULL, 0), -1);
    sms_free(s);
}

/* ---- file backend ---------------------------------------------------------- */

static sms_t *file_backend(config_t *cfg, const char *name)
{
    char err[256] = "";
    base_config(cfg, "file");
    tmp_path(cfg->sms_outbox, sizeof cfg->sms_outbox, name);
    sms_t *s = sms_new(cfg, err, sizeof err);
    if (!s)
        fail_msg("sms_new(file): %s", err);
    return s;
}

static int is_iso_seconds(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    return 1;
}

/* One outbox line against the expected fields and the exact byte layout. */
static void check_line(const char *line, const char *to, const char *body, const char *raw_body)
{
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    if (!o)
        fail_msg("line is not JSON (%s): %s", jerr.text, line);
    assert_int_equal(json_object_size(o), 3);
    assert_string_equal(json_string_value(json_object_get(o, "to")), to);
    assert_string_equal(json_string_value(json_object_get(o, "body")), body);
    const char *sent_at = json_string_value(json_object_get(o, "sent_at"));
    assert_non_null(sent_at);
    assert_true(is_iso_seconds(sent_at));
    int64_t when;
    assert_true(clock_parse_iso(sent_at, &when));
    int64_t now = clock_now_us();
    assert_true(when <= now && when > now - 5 * USEC_PER_SEC);
    char expect[1024];
    snprintf(expect, sizeof expect, "{\"to\":\"%s\",\"body\":\"%s\",\"sent_at\":\"%s\"}", to,
             raw_body, sent_at);
    assert_string_equal(line, expect);
    json_decref(o);
}

static void test_file_writes_exact_json_lines(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    sms_t *s = file_backend(&cfg, "exact.jsonl");
    assert_int_equal(sms_send(s, "+919876543210", "Your code is 1234", err, sizeof err), 0);
    assert_int_equal(sms_send(s, "+15550001", "say \"hi\"\\\n\xe2\x9c\x93", err, sizeof err), 0);
    sms_free(s);

    char *text = fixture_read_file(cfg.sms_outbox, NULL);
    char *second = strchr(text, '\n');
    assert_non_null(second);
    *second++ = '\0';
    char *end = strchr(second, '\n');
    assert_non_null(end);
    *end = '\0';
    assert_string_equal(end + 1, "");
    check_line(text, "+919876543210", "Your code is 1234", "Your code is 1234");
    check_line(second, "+15550001", "say \"hi\"\\\n\xe2\x9c\x93",
               "say \\\"hi\\\"\\\\\\n\xe2\x9c\x93");
    free(text);

    struct stat st;
    assert_int_equal(stat(cfg.sms_outbox, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    unlink(cfg.sms_outbox);
}

static void test_file_appends_to_existing_outbox(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "file");
    tmp_path(cfg.sms_outbox, sizeof cfg.sms_outbox, "append.jsonl");
    FILE *f = fopen(cfg.sms_outbox, "w");
    assert_non_null(f);
    fputs("{\"earlier\":true}\n", f);
    fclose(f);
    sms_t *s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(sms_send(s, "+15550002", "later", err, sizeof err), 0);
    sms_free(s);
    char *text = fixture_read_file(cfg.sms_outbox, NULL);
    assert_memory_equal(text, "{\"earlier\":true}\n{\"to\":\"+15550002\"", 33);
    free(text);
    unlink(cfg.sms_outbox);
}

#define THREADS          4
#define SENDS_PER_THREAD 50

typedef struct {
    sms_t *s;
    int id;
    int failures;
} sender_t;

static void *send_many(void *arg)
{
    sender_t *t = arg;
    char body[3000], err[256];
    for (int i = 0; i < SENDS_PER_THREAD; i++) {
        int n = snprintf(body, sizeof body, "t%d-m%d ", t->id, i);
        memset(body + n, 'a' + t->id, sizeof body - (size_t)n - 1); /* long lines tear easily */
        body[sizeof body - 1] = '\0';
        if (sms_send(t->s, "+15550003", body, err, sizeof err) != 0)
            t->failures++;
    }
    return NULL;
}

static void check_concurrent_line(const char *line, int seen[THREADS][SENDS_PER_THREAD])
{
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    if (!o)
        fail_msg("torn line (%s)", jerr.text);
    int t, i;
    const char *body = json_string_value(json_object_get(o, "body"));
    assert_non_null(body);
    assert_int_equal(sscanf(body, "t%d-m%d ", &t, &i), 2);
    assert_true(t >= 0 && t < THREADS && i >= 0 && i < SENDS_PER_THREAD);
    for (const char *p = strchr(body, ' ') + 1; *p; p++)
        assert_int_equal(*p, 'a' + t); /* the padding belongs to the same send */
    seen[t][i]++;
    json_decref(o);
}

static void test_file_concurrent_sends_keep_lines_intact(void **state)
{
    (void)state;
    config_t cfg;
    sms_t *s = file_backend(&cfg, "concurrent.jsonl");
    pthread_t th[THREADS];
    sender_t senders[THREADS];
    for (int i = 0; i < THREADS; i++) {
        senders[i] = (sender_t){.s = s, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, send_many, &senders[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(senders[i].failures, 0);
    }
    sms_free(s);

    char *text = fixture_read_file(cfg.sms_outbox, NULL);
    int seen[THREADS][SENDS_PER_THREAD] = {{0}};
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        check_concurrent_line(line, seen);
        lines++;
    }
    assert_int_equal(lines, THREADS * SENDS_PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < SENDS_PER_THREAD; i++)
            assert_int_equal(seen[t][i], 1);
    free(text);
    unlink(cfg.sms_outbox);
}

static void test_file_unopenable_outbox_is_refused(void **state)
{
    (void)state;
    config_t cfg;
    char err[512] = "";
    base_config(&cfg, "file");
    snprintf(cfg.sms_outbox, sizeof cfg.sms_outbox, "%s/no-such-dir/outbox.jsonl", tmp_dir);
    assert_null(sms_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_SMS_OUTBOX"));

    /* A directory cannot be opened for writing, even by root. */
    err[0] = '\0';
    snprintf(cfg.sms_outbox, sizeof cfg.sms_outbox, "%s", tmp_dir);
    assert_null(sms_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_SMS_OUTBOX"));
}

static void test_file_write_failure_is_reported(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "file");
    snprintf(cfg.sms_outbox, sizeof cfg.sms_outbox, "/dev/full"); /* every write: ENOSPC */
    sms_t *s = sms_new(&cfg, err, sizeof err);
    if (!s)
        skip();
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = sms_send(s, "+15550005", "code 7777", err, sizeof err);
    char *log = fixture_capture_end(&cap);
    sms_free(s);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "SMS outbox unavailable");
    assert_non_null(strstr(log, "sms outbox write failed"));
    assert_null(strstr(log, "7777"));
    free(log);
}

/* ---- a fake Twilio: tests/unit/fake_http.h -------------------------------- */

static void twilio_config(config_t *cfg, unsigned port)
{
    base_config(cfg, "twilio");
    snprintf(cfg->twilio_account_sid, sizeof cfg->twilio_account_sid, SID);
    snprintf(cfg->twilio_auth_token, sizeof cfg->twilio_auth_token, TOKEN);
    snprintf(cfg->twilio_from, sizeof cfg->twilio_from, FROM);
    snprintf(cfg->twilio_api_base, sizeof cfg->twilio_api_base, "http://127.0.0.1:%u", port);
}

/* Sends one message through a fresh twilio backend, capturing the log. */
static int twilio_send_once(unsigned port, const char *body, char *err, size_t errlen,
                            char **log_out)
{
    config_t cfg;
    twilio_config(&cfg, port);
    sms_t *s = sms_new(&cfg, err, errlen);
    if (!s)
        fail_msg("sms_new(twilio): %s", err);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = sms_send(s, "+919876543210", body, err, errlen);
    char *log = fixture_capture_end(&cap);
    sms_free(s);
    if (log_out)
        *log_out = log;
    else
        free(log);
    return rc;
}

/* ---- twilio backend -------------------------------------------------------- */

static void test_twilio_needs_credentials_and_http_base(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    twilio_config(&cfg, 1);
    cfg.twilio_auth_token[0] = '\0';
    assert_null(sms_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_TWILIO_AUTH_TOKEN"));

    twilio_config(&cfg, 1);
    snprintf(cfg.twilio_api_base, sizeof cfg.twilio_api_base, "ftp://127.0.0.1/");
    assert_null(sms_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_TWILIO_API_BASE"));
}

static void test_twilio_posts_the_messages_form(void **state)
{
    fake_http_t *f = *state;
    f->status = 201;
    f->reply = "{\"sid\":\"SM1\",\"status\":\"queued\"}";
    const char *body = "Code 1234 & more+stuff = 100% sure?";
    char err[256] = "";
    assert_int_equal(twilio_send_once(f->port, body, err, sizeof err, NULL), 0);
    assert_int_equal(f->requests, 1);
    assert_string_equal(f->method, "POST");
    assert_string_equal(f->url, MESSAGES_PATH);
    assert_string_equal(f->auth, BASIC_AUTH);
    assert_memory_equal(f->ctype, "application/x-www-form-urlencoded", 33);
    assert_string_equal(fake_http_form(f, "To"), "+919876543210");
    assert_string_equal(fake_http_form(f, "From"), FROM);
    assert_string_equal(fake_http_form(f, "Body"), body);
}

static void test_twilio_base_with_trailing_slash(void **state)
{
    fake_http_t *f = *state;
    f->status = 201;
    f->reply = "{}";
    config_t cfg;
    char err[256] = "";
    twilio_config(&cfg, f->port);
    strcat(cfg.twilio_api_base, "/");
    sms_t *s = sms_new(&cfg, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(sms_send(s, "+15550004", "hi", err, sizeof err), 0);
    sms_free(s);
    assert_string_equal(f->url, MESSAGES_PATH);
}

static void test_twilio_rejection_names_the_code_only(void **state)
{
    fake_http_t *f = *state;
    f->status = 400;
    f->reply = "{\"code\":21211,\"message\":\"Invalid 'To' Phone Number\",\"status\":400}";
    char err[256] = "", *log = NULL;
    const char *body = "Your Loopin verification code is: 9876.";
    assert_int_equal(twilio_send_once(f->port, body, err, sizeof err, &log), -1);
    assert_string_equal(err, "SMS provider rejected the message (code 21211)");
    assert_non_null(strstr(log, "\"status\":\"400\""));
    assert_non_null(strstr(log, "\"provider_code\":\"21211\""));
    assert_null(strstr(log, "Invalid 'To'"));
    assert_null(strstr(log, "9876"));
    assert_null(strstr(log, TOKEN));
    free(log);
}

static void test_twilio_server_error_fails(void **state)
{
    fake_http_t *f = *state;
    f->status = 500;
    f->reply = "<html>oops</html>";
    char err[256] = "", *log = NULL;
    assert_int_equal(twilio_send_once(f->port, "code 5555", err, sizeof err, &log), -1);
    assert_string_equal(err, "SMS provider error (HTTP 500)");
    assert_non_null(strstr(log, "\"status\":\"500\""));
    assert_null(strstr(log, "oops"));
    assert_null(strstr(log, "5555"));
    free(log);
}

static void test_twilio_redirect_is_not_followed(void **state)
{
    fake_http_t *f = *state;
    f->status = 302;
    f->reply = "";
    f->location = "/elsewhere";
    char err[256] = "";
    assert_int_equal(twilio_send_once(f->port, "hi", err, sizeof err, NULL), -1);
    assert_int_equal(f->requests, 1);
    assert_string_equal(f->url, MESSAGES_PATH);
}

static void test_twilio_long_success_answer_is_fine(void **state)
{
    fake_http_t *f = *state;
    char *big = malloc(64 * 1024);
    memset(big, ' ', 64 * 1024 - 1);
    big[64 * 1024 - 1] = '\0';
    f->status = 200;
    f->reply = big;
    char err[256] = "";
    assert_int_equal(twilio_send_once(f->port, "hi", err, sizeof err, NULL), 0);
    free(big);
}

static void test_twilio_unreachable_fails_fast(void **state)
{
    (void)state;
    char err[256] = "", *log = NULL;
    int64_t start = clock_mono_us();
    assert_int_equal(twilio_send_once(fake_http_free_port(), "code 4444", err, sizeof err, &log),
                     -1);
    assert_true(clock_mono_us() - start < 6 * USEC_PER_SEC);
    assert_string_equal(err, "SMS provider unreachable");
    assert_null(strstr(log, "4444"));
    assert_null(strstr(log, TOKEN));
    free(log);
}

/* ---- WhatsApp ---------------------------------------------------------------- */

/* One WhatsApp message through a fresh twilio backend, capturing the log. */
static int whatsapp_once(unsigned port, const char *wa_from, char *sid, char *err, char **log_out)
{
    config_t cfg;
    twilio_config(&cfg, port);
    snprintf(cfg.twilio_whatsapp_from, sizeof cfg.twilio_whatsapp_from, "%s", wa_from);
    sms_t *s = sms_new(&cfg, err, 256); /* no sender is not a start-up error */
    assert_non_null(s);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = sms_send_whatsapp(s, "+919876543210", "HXabc", WA_VARS, sid, 64, err, 256);
    *log_out = fixture_capture_end(&cap);
    sms_free(s);
    return rc;
}

static void test_whatsapp_twilio_posts_the_content_template(void **state)
{
    fake_http_t *f = *state;
    f->status = 201;
    f->reply = "{\"sid\":\"MM0123\",\"status\":\"queued\"}";
    char sid[64] = "old", err[256] = "", *log;
    assert_int_equal(whatsapp_once(f->port, "whatsapp:" WA_FROM, sid, err, &log), 0);
    free(log);
    assert_string_equal(sid, "MM0123");
    assert_int_equal(f->requests, 1);
    assert_string_equal(f->url, MESSAGES_PATH);
    assert_string_equal(f->auth, BASIC_AUTH);
    assert_string_equal(fake_http_form(f, "To"), "whatsapp:+919876543210");
    assert_string_equal(fake_http_form(f, "From"),
                        "whatsapp:" WA_FROM); /* the prefix is not doubled */
    assert_string_equal(fake_http_form(f, "ContentSid"), "HXabc");
    assert_string_equal(fake_http_form(f, "ContentVariables"), WA_VARS);
    assert_string_equal(fake_http_form(f, "Body"), "");
}

static void test_whatsapp_twilio_failures(void **state)
{
    fake_http_t *f = *state;
    char sid[64] = "old", err[256] = "", *log;
    assert_int_equal(whatsapp_once(f->port, "", sid, err, &log), -1); /* no sender: no request */
    assert_non_null(strstr(err, "LOOPIN_TWILIO_WHATSAPP_FROM"));
    assert_int_equal(f->requests, 0);
    assert_string_equal(sid, "");
    free(log);
    f->status = 400;
    f->reply = "{\"code\":63016,\"message\":\"Failed to send freeform message\"}";
    assert_int_equal(whatsapp_once(f->port, WA_FROM, sid, err, &log), -1);
    assert_string_equal(err, "WhatsApp provider rejected the message (code 63016)");
    assert_non_null(strstr(log, "\"provider_code\":\"63016\""));
    assert_null(strstr(log, "Asha"));
    assert_null(strstr(log, TOKEN));
    free(log);
}

static void test_whatsapp_file_and_log_backends(void **state)
{
    (void)state;
    config_t cfg;
    char sid[64] = "", err[256] = "";
    sms_t *s = file_backend(&cfg, "whatsapp.jsonl");
    assert_int_equal(
        sms_send_whatsapp(s, "+919876543210", "HXabc", WA_VARS, sid, sizeof sid, err, sizeof err),
        0);
    assert_int_equal(strlen(sid), 34);
    assert_memory_equal(sid, "MM", 2);
    assert_int_equal(
        sms_send_whatsapp(s, "+9198", "HXabc", "[1]", sid, sizeof sid, err, sizeof err),
        -1); /* variables must be an object */
    assert_int_equal(sms_send_whatsapp(s, "+9198", "", "{}", NULL, 0, err, sizeof err), -1);
    assert_int_equal(sms_send_whatsapp(NULL, "+9198", "HX", "{}", NULL, 0, err, sizeof err), -1);
    sms_free(s);
    char *text = fixture_read_file(cfg.sms_outbox, NULL);
    json_t *line = json_loads(text, 0, NULL), *want = json_loads(WA_VARS, 0, NULL);
    assert_non_null(line);
    assert_memory_equal(text, "{\"channel\":\"whatsapp\",\"to\":\"+919876543210\",", 43);
    assert_string_equal(json_string_value(json_object_get(line, "content_sid")), "HXabc");
    assert_true(json_equal(json_object_get(line, "variables"), want));
    assert_true(is_iso_seconds(json_string_value(json_object_get(line, "sent_at"))));
    json_decref(line);
    json_decref(want);
    free(text);
    unlink(cfg.sms_outbox);

    base_config(&cfg, "log");
    s = sms_new(&cfg, err, sizeof err);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    assert_int_equal(
        sms_send_whatsapp(s, "+919876543210", "HXabc", WA_VARS, sid, sizeof sid, err, sizeof err),
        0);
    char *log = fixture_capture_end(&cap);
    sms_free(s);
    assert_non_null(strstr(log, "\"to\":\"+91*******210\""));
    assert_non_null(strstr(log, "\"content_sid\":\"HXabc\""));
    assert_null(strstr(log, "Asha"));
    free(log);
}

int main(void)
{
    if (rand_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_names),
        cmocka_unit_test(test_unknown_backend_is_refused),
        cmocka_unit_test(test_log_backend_writes_one_warn_line),
        cmocka_unit_test(test_send_needs_recipient_and_body),
        cmocka_unit_test(test_file_writes_exact_json_lines),
        cmocka_unit_test(test_file_appends_to_existing_outbox),
        cmocka_unit_test(test_file_concurrent_sends_keep_lines_intact),
        cmocka_unit_test(test_file_unopenable_outbox_is_refused),
        cmocka_unit_test(test_file_write_failure_is_reported),
        cmocka_unit_test(test_twilio_needs_credentials_and_http_base),
        cmocka_unit_test_setup_teardown(test_twilio_posts_the_messages_form, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_twilio_base_with_trailing_slash, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_twilio_rejection_names_the_code_only, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_twilio_server_error_fails, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_twilio_redirect_is_not_followed, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_twilio_long_success_answer_is_fine, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test(test_twilio_unreachable_fails_fast),
        cmocka_unit_test_setup_teardown(test_whatsapp_twilio_posts_the_content_template,
                                        fake_http_setup, fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_whatsapp_twilio_failures, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test(test_whatsapp_file_and_log_backends),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
