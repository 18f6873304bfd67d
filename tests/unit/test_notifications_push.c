/*
 * test_notifications_push.c: notifications/push through push.h: the "none"
 * backend, the outbox file (exact JSON lines and their escaping, a repeated
 * key suppressed when maybe_sent, a torn tail cut, two forked processes
 * appending at once: whole lines and each key exactly once) and the onesignal
 * backend against a fake OneSignal started here with libmicrohttpd (request
 * shape, answers, retryable and permanent failures, timeouts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "fake_http.h"
#include "fixture.h"
#include "notifications/push.h"

#define APP_ID     "app-123"
#define API_KEY    "os-key-secret"
#define NOTIF_PATH "/api/v1/notifications"

static char tmp_dir[400];

/* ---- helpers ------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    return fixture_mkdtemp(tmp_dir, sizeof tmp_dir, "push") ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    fixture_remove_tree(tmp_dir);
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
    snprintf(cfg->push_backend, sizeof cfg->push_backend, "%s", backend);
}

/* The outbox's lines, each parsed (a torn line fails the test). */
static json_t *read_lines(const char *path)
{
    char *text = fixture_read_file(path, NULL), *save = NULL;
    size_t len = strlen(text);
    assert_true(len == 0 || text[len - 1] == '\n');
    json_t *lines = json_array();
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *o = json_loads(l, 0, &jerr);
        if (!json_is_object(o))
            fail_msg("not a JSON line (%s): %.80s", jerr.text, l);
        json_array_append_new(lines, o);
    }
    free(text);
    return lines;
}

static const char *const two_players[] = {"player-1", "player-2"};

static push_msg_t message(const char *key, const char *title, const char *body, const char *data)
{
    return (push_msg_t){.idempotency_key = key,
                        .player_ids = two_players,
                        .nplayers = 2,
                        .title = title,
                        .body = body,
                        .data_json = data};
}

/* ---- construction and the none backend ----------------------------------- */

static void test_none_is_the_default_and_does_nothing(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "");
    push_t *p = push_new(&cfg, err, sizeof err);
    assert_non_null(p);
    assert_string_equal(push_backend_name(p), "none");
    assert_false(push_enabled(p));
    assert_false(push_enabled(NULL));
    push_msg_t m = message("k", "t", "b", NULL);
    push_result_t r = {0};
    assert_int_equal(push_send(p, &m, &r, err, sizeof err), 0);
    assert_string_equal(r.provider_id, "");
    push_result_free(&r);
    push_free(p);

    base_config(&cfg, "none");
    p = push_new(&cfg, err, sizeof err);
    assert_non_null(p);
    assert_false(push_enabled(p));
    push_free(p);
}

static void test_unknown_backend_is_refused(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "carrier-pigeon");
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_PUSH_BACKEND"));
}

/* ---- file backend ---------------------------------------------------------- */

static push_t *file_backend(config_t *cfg, const char *name)
{
    char err[256] = "";
    base_config(cfg, "file");
    tmp_path(cfg->push_outbox, sizeof cfg->push_outbox, name);
    push_t *p = push_new(cfg, err, sizeof err);
    if (!p)
        fail_msg("push_new(file): %s", err);
    assert_true(push_enabled(p));
    assert_string_equal(push_backend_name(p), "file");
    return p;
}

static int send_file(push_t *p, const char *key, bool maybe_sent, bool *dup)
{
    char err[256] = "";
    push_msg_t m = message(key, "T", "B", "{}");
    m.maybe_sent = maybe_sent;
    push_result_t r = {0};
    int rc = push_send(p, &m, &r, err, sizeof err);
    if (rc == 0)
        assert_string_equal(r.provider_id, key);
    if (dup)
        *dup = r.duplicate;
    push_result_free(&r);
    return rc;
}

static void test_file_writes_exact_json_lines(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    push_t *p = file_backend(&cfg, "exact.jsonl");
    const char *title = "Say \"hi\" \\ \xe2\x9c\x93"; /* quote, backslash, ✓ */
    const char *body =
        "line one\nline two\t\xe0\xa4\xa8\xe0\xa4\xae"; /* newline, tab, Devanagari */
    push_msg_t m = message("uuid-1", title, body, "{\"type\":\"system\",\"n\":{\"id\":7}}");
    push_result_t r = {0};
    assert_int_equal(push_send(p, &m, &r, err, sizeof err), 0);
    assert_string_equal(r.provider_id, "uuid-1");
    assert_false(r.duplicate);
    push_result_free(&r);
    push_free(p);

    char *text = fixture_read_file(cfg.push_outbox, NULL);
    assert_int_equal(strchr(text, '\n') - text + 1, (long)strlen(text)); /* one line */
    assert_memory_equal(text, "{\"key\":\"uuid-1\",\"player_ids\":[\"player-1\",\"player-2\"],",
                        53);
    assert_non_null(strstr(text, "\"title\":\"Say \\\"hi\\\" \\\\ \xe2\x9c\x93\""));
    assert_non_null(strstr(text, "\"body\":\"line one\\nline two\\t\xe0\xa4\xa8\xe0\xa4\xae\""));
    assert_non_null(strstr(text, "\"data\":{\"type\":\"system\",\"n\":{\"id\":7}},\"sent_at\":\""));
    free(text);

    json_t *lines = read_lines(cfg.push_outbox);
    json_t *o = json_array_get(lines, 0);
    assert_int_equal(json_object_size(o), 6);
    assert_string_equal(json_string_value(json_object_get(o, "title")), title);
    assert_string_equal(json_string_value(json_object_get(o, "body")), body);
    int64_t when;
    assert_true(clock_parse_iso(json_string_value(json_object_get(o, "sent_at")), &when));
    assert_true(when <= clock_now_us() && when > clock_now_us() - 5 * USEC_PER_SEC);
    json_decref(lines);

    struct stat st;
    assert_int_equal(stat(cfg.push_outbox, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_file_maybe_sent_suppresses_a_repeated_key(void **state)
{
    (void)state;
    config_t cfg;
    push_t *p = file_backend(&cfg, "dup.jsonl");
    bool dup = true;
    assert_int_equal(send_file(p, "abcd", false, &dup), 0);
    assert_false(dup);
    assert_int_equal(send_file(p, "abcd", true, &dup), 0); /* the retry of a sent one */
    assert_true(dup);
    assert_int_equal(send_file(p, "abc", true, &dup), 0); /* a prefix is another key */
    assert_false(dup);
    assert_int_equal(send_file(p, "bcd", true, &dup), 0);
    assert_false(dup);
    assert_int_equal(send_file(p, "abc", true, &dup), 0);
    assert_true(dup);
    push_free(p);
    json_t *lines = read_lines(cfg.push_outbox);
    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 2), "key")), "bcd");
    json_decref(lines);
}

static void test_file_torn_tail_is_cut_and_does_not_count(void **state)
{
    (void)state;
    config_t cfg;
    push_t *p = file_backend(&cfg, "torn.jsonl");
    assert_int_equal(send_file(p, "k1", false, NULL), 0);
    FILE *f = fopen(cfg.push_outbox, "a"); /* a writer killed in the middle of its line */
    assert_non_null(f);
    fputs("{\"key\":\"k2\",\"player_ids\":[\"pl", f);
    fclose(f);
    bool dup = true;
    assert_int_equal(send_file(p, "k2", true, &dup), 0);
    assert_false(dup);
    push_free(p);
    json_t *lines = read_lines(cfg.push_outbox);
    assert_int_equal(json_array_size(lines), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 1), "key")), "k2");
    json_decref(lines);
}

#define CHILD_SENDS 80

static int send_one(push_t *p, const char *key, const char *body, bool maybe_sent)
{
    char err[256];
    push_msg_t m = message(key, "t", body, NULL);
    m.maybe_sent = maybe_sent;
    push_result_t r = {0};
    int rc = push_send(p, &m, &r, err, sizeof err);
    push_result_free(&r);
    return rc != 0;
}

/* One child, once the parent lets both go: its own keys, long lines (torn
 * easily), each followed by a shared key sent as a retry that may have been
 * sent (the other child races for it); the exit status counts failures. */
static int child_sends(const config_t *cfg, int id, int go)
{
    char err[256], c;
    push_t *p = push_new(cfg, err, sizeof err);
    if (!p || read(go, &c, 1) != 0)
        return 100;
    static char body[3000];
    memset(body, 'a' + id, sizeof body - 1);
    int failures = 0;
    for (int i = 0; i < CHILD_SENDS; i++) {
        char key[32];
        snprintf(key, sizeof key, "c%d-%d", id, i);
        failures += send_one(p, key, body, false);
        snprintf(key, sizeof key, "shared-%d", i);
        failures += send_one(p, key, body, true);
    }
    push_free(p);
    return failures;
}

static void test_file_two_processes_append_whole_lines_once(void **state)
{
    (void)state;
    config_t cfg;
    push_free(file_backend(&cfg, "forked.jsonl"));
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(go[1]);
            _exit(child_sends(&cfg, k, go[0]));
        }
    }
    close(go[0]);
    close(go[1]); /* both start now */
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    json_t *lines = read_lines(cfg.push_outbox);
    assert_int_equal(json_array_size(lines), 3 * CHILD_SENDS);
    int shared[CHILD_SENDS] = {0}, own[2] = {0};
    size_t i;
    json_t *o;
    json_array_foreach(lines, i, o)
    {
        const char *key = json_string_value(json_object_get(o, "key"));
        const char *body = json_string_value(json_object_get(o, "body"));
        assert_int_equal(strlen(body), 2999);
        assert_int_equal(strspn(body, body[0] == 'a' ? "a" : "b"), 2999); /* one sender's */
        int n, c;
        if (sscanf(key, "shared-%d", &n) == 1)
            shared[n]++;
        else if (sscanf(key, "c%d-", &c) == 1)
            own[c]++;
    }
    assert_int_equal(own[0], CHILD_SENDS);
    assert_int_equal(own[1], CHILD_SENDS);
    for (int k = 0; k < CHILD_SENDS; k++)
        assert_int_equal(shared[k], 1); /* exactly once, whoever came first */
    json_decref(lines);
}

static void test_file_bad_messages_fail_for_good(void **state)
{
    (void)state;
    config_t cfg;
    char err[256];
    push_t *p = file_backend(&cfg, "bad.jsonl");
    push_msg_t m = message("k", "t", "b", "[1,2]");
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m = message("k", "t", "b", "{not json");
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m = message("k", "bad \xff utf-8", "b", NULL);
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m = message("", "t", "b", NULL);
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m = message("k", "t", "b", NULL);
    m.nplayers = 0;
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m.nplayers = PUSH_MAX_PLAYERS + 1;
    assert_int_equal(push_send(p, &m, NULL, err, sizeof err), PUSH_FAIL);
    m = message("k", "t", "b", NULL);
    assert_int_equal(push_send(NULL, &m, NULL, err, sizeof err), PUSH_FAIL);
    push_free(p);
    char *text = fixture_read_file(cfg.push_outbox, NULL);
    assert_string_equal(text, "");
    free(text);
}

static void test_file_unopenable_outbox_is_refused(void **state)
{
    (void)state;
    config_t cfg;
    char err[512] = "";
    base_config(&cfg, "file");
    snprintf(cfg.push_outbox, sizeof cfg.push_outbox, "%s/no-such-dir/push.jsonl", tmp_dir);
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_PUSH_OUTBOX"));
    err[0] = '\0';
    snprintf(cfg.push_outbox, sizeof cfg.push_outbox, "%s", tmp_dir); /* a directory */
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_PUSH_OUTBOX"));
}

static void test_file_write_failure_is_retryable(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    base_config(&cfg, "file");
    snprintf(cfg.push_outbox, sizeof cfg.push_outbox, "/dev/full"); /* every write: ENOSPC */
    push_t *p = push_new(&cfg, err, sizeof err);
    if (!p)
        skip();
    push_msg_t m = message("k", "t", "secret body 7777", NULL);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = push_send(p, &m, NULL, err, sizeof err);
    char *log = fixture_capture_end(&cap);
    push_free(p);
    assert_int_equal(rc, PUSH_RETRY);
    assert_string_equal(err, "push outbox unavailable");
    assert_non_null(strstr(log, "push outbox write failed"));
    assert_null(strstr(log, "7777"));
    free(log);
}

/* ---- a fake OneSignal: tests/unit/fake_http.h ----------------------------- */

static void onesignal_config(config_t *cfg, unsigned port)
{
    base_config(cfg, "onesignal");
    snprintf(cfg->onesignal_app_id, sizeof cfg->onesignal_app_id, APP_ID);
    snprintf(cfg->onesignal_api_key, sizeof cfg->onesignal_api_key, API_KEY);
    snprintf(cfg->onesignal_api_base, sizeof cfg->onesignal_api_base, "http://127.0.0.1:%u/", port);
}

/* Sends m through a fresh onesignal backend on port, capturing the log. */
static int onesignal_send(unsigned port, const push_msg_t *m, push_result_t *r, char *err,
                          size_t errlen, char **log_out)
{
    config_t cfg;
    onesignal_config(&cfg, port);
    push_t *p = push_new(&cfg, err, errlen);
    if (!p)
        fail_msg("push_new(onesignal): %s", err);
    assert_true(push_enabled(p));
    assert_string_equal(push_backend_name(p), "onesignal");
    push_set_timeouts(p, 1000, 2000); /* a test should not wait 10 s */
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int rc = push_send(p, m, r, err, errlen);
    char *log = fixture_capture_end(&cap);
    push_free(p);
    if (log_out)
        *log_out = log;
    else
        free(log);
    return rc;
}

/* One send against the fake answering status/reply: the return code. */
static int answer_gives(fake_http_t *f, unsigned status, const char *reply, char *err,
                        size_t errlen)
{
    f->status = status;
    f->reply = reply;
    push_msg_t m = message("uuid-9", "Event Cancelled", "secret body 8888", NULL);
    char *log = NULL;
    int rc = onesignal_send(f->port, &m, NULL, err, errlen, &log);
    assert_null(strstr(log, API_KEY));
    assert_null(strstr(log, "8888"));
    assert_null(strstr(err, API_KEY));
    assert_null(strstr(err, "8888"));
    free(log);
    return rc;
}

/* ---- onesignal backend ----------------------------------------------------- */

static void test_onesignal_needs_its_settings(void **state)
{
    (void)state;
    config_t cfg;
    char err[256] = "";
    onesignal_config(&cfg, 1);
    cfg.onesignal_api_key[0] = '\0';
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_ONESIGNAL_API_KEY"));
    onesignal_config(&cfg, 1);
    cfg.onesignal_app_id[0] = '\0';
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_ONESIGNAL_APP_ID"));
    onesignal_config(&cfg, 1);
    snprintf(cfg.onesignal_api_base, sizeof cfg.onesignal_api_base, "ftp://127.0.0.1/");
    assert_null(push_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "LOOPIN_ONESIGNAL_API_BASE"));
}

static void test_onesignal_posts_the_notification(void **state)
{
    fake_http_t *f = *state;
    f->status = 200;
    f->reply = "{\"id\":\"b98881cc-1e94-4366-bbd9-db8f3429292b\",\"recipients\":2}";
    const char *body = "The event \"Jam\" is off \xe2\x9c\x93";
    push_msg_t m = message("6f1b2c3d-uuid", "Event Cancelled", body,
                           "{\"type\":\"event_cancelled\",\"reference_id\":42}");
    m.maybe_sent = true; /* changes nothing on the wire: OneSignal de-duplicates */
    push_result_t r = {0};
    char err[256] = "";
    assert_int_equal(onesignal_send(f->port, &m, &r, err, sizeof err, NULL), 0);
    assert_string_equal(r.provider_id, "b98881cc-1e94-4366-bbd9-db8f3429292b");
    assert_int_equal(r.ninvalid, 0);
    assert_false(r.duplicate);
    push_result_free(&r);

    assert_int_equal(f->requests, 1);
    assert_string_equal(f->method, "POST");
    assert_string_equal(f->url, NOTIF_PATH);
    assert_string_equal(f->auth, "Basic " API_KEY);
    assert_string_equal(f->ctype, "application/json; charset=utf-8");
    json_error_t jerr;
    json_t *sent = json_loads(f->body, 0, &jerr);
    if (!sent)
        fail_msg("body is not JSON (%s): %s", jerr.text, f->body);
    json_t *want =
        json_pack("{s:s, s:[s,s], s:{s:s}, s:{s:s}, s:{s:s, s:i}, s:s}", "app_id", APP_ID,
                  "include_player_ids", "player-1", "player-2", "headings", "en", "Event Cancelled",
                  "contents", "en", body, "data", "type", "event_cancelled", "reference_id", 42,
                  "idempotency_key", "6f1b2c3d-uuid");
    assert_true(json_equal(sent, want));
    json_decref(want);
    json_decref(sent);
}

static void test_onesignal_returns_invalid_player_ids(void **state)
{
    fake_http_t *f = *state;
    f->status = 200;
    f->reply = "{\"id\":\"n-2\",\"recipients\":1,\"errors\":{\"invalid_player_ids\":"
               "[\"player-2\",\"gone-3\",7]}}";
    push_msg_t m = message("k", "t", "b", NULL);
    push_result_t r = {0};
    char err[256] = "";
    assert_int_equal(onesignal_send(f->port, &m, &r, err, sizeof err, NULL), 0);
    assert_string_equal(r.provider_id, "n-2");
    assert_int_equal(r.ninvalid, 2); /* the number is skipped */
    assert_string_equal(r.invalid_ids[0], "player-2");
    assert_string_equal(r.invalid_ids[1], "gone-3");
    push_result_free(&r);
    assert_null(r.invalid_ids);
    assert_int_equal(r.ninvalid, 0);
}

static void test_onesignal_nobody_subscribed_is_a_success(void **state)
{
    fake_http_t *f = *state;
    f->status = 200;
    f->reply = "{\"id\":\"\",\"recipients\":0,\"errors\":[\"All included players are not "
               "subscribed\"]}";
    push_msg_t m = message("k", "t", "b", NULL);
    push_result_t r = {0};
    char err[256] = "";
    assert_int_equal(onesignal_send(f->port, &m, &r, err, sizeof err, NULL), 0);
    assert_string_equal(r.provider_id, "");
    assert_int_equal(r.ninvalid, 0);
    push_result_free(&r);
}

static void test_onesignal_server_errors_are_retryable(void **state)
{
    fake_http_t *f = *state;
    char err[256] = "";
    assert_int_equal(answer_gives(f, 500, "<html>oops</html>", err, sizeof err), PUSH_RETRY);
    assert_string_equal(err, "push provider busy (HTTP 500)");
    assert_int_equal(answer_gives(f, 503, "", err, sizeof err), PUSH_RETRY);
    assert_int_equal(answer_gives(f, 429, "{\"errors\":[\"rate limited\"]}", err, sizeof err),
                     PUSH_RETRY);
    assert_string_equal(err, "push provider busy (HTTP 429)");
}

static void test_onesignal_refusals_are_permanent(void **state)
{
    fake_http_t *f = *state;
    char err[256] = "";
    assert_int_equal(answer_gives(f, 400, "{\"errors\":[\"Invalid app_id\"]}", err, sizeof err),
                     PUSH_FAIL);
    assert_string_equal(err, "push provider refused the notification (HTTP 400: Invalid app_id)");
    assert_int_equal(answer_gives(f, 403, "nope", err, sizeof err), PUSH_FAIL);
    assert_string_equal(err, "push provider refused the notification (HTTP 403)");
    assert_int_equal(answer_gives(f, 200, "<html>not json</html>", err, sizeof err), PUSH_FAIL);
    assert_string_equal(err, "push provider: unreadable answer");
}

static void test_onesignal_unreachable_is_retryable(void **state)
{
    (void)state;
    push_msg_t m = message("k", "t", "b", NULL);
    char err[256] = "";
    int64_t start = clock_mono_us();
    assert_int_equal(onesignal_send(fake_http_free_port(), &m, NULL, err, sizeof err, NULL),
                     PUSH_RETRY);
    assert_true(clock_mono_us() - start < 2 * USEC_PER_SEC);
    assert_string_equal(err, "push provider unreachable");
}

static void test_onesignal_slow_server_times_out(void **state)
{
    fake_http_t *f = *state;
    f->status = 200;
    f->reply = "{\"id\":\"late\"}";
    f->delay_ms = 1500;
    config_t cfg;
    char err[256] = "";
    onesignal_config(&cfg, f->port);
    push_t *p = push_new(&cfg, err, sizeof err);
    assert_non_null(p);
    push_set_timeouts(p, 200, 300);
    push_msg_t m = message("k", "t", "b", NULL);
    fixture_capture_t cap;
    fixture_capture_stderr(&cap, tmp_dir);
    int64_t start = clock_mono_us();
    int rc = push_send(p, &m, NULL, err, sizeof err);
    int64_t took = clock_mono_us() - start;
    free(fixture_capture_end(&cap));
    push_free(p);
    assert_int_equal(rc, PUSH_RETRY);
    assert_string_equal(err, "push provider timed out");
    assert_true(took >= 250000 && took < 1200000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_is_the_default_and_does_nothing),
        cmocka_unit_test(test_unknown_backend_is_refused),
        cmocka_unit_test(test_file_writes_exact_json_lines),
        cmocka_unit_test(test_file_maybe_sent_suppresses_a_repeated_key),
        cmocka_unit_test(test_file_torn_tail_is_cut_and_does_not_count),
        cmocka_unit_test(test_file_two_processes_append_whole_lines_once),
        cmocka_unit_test(test_file_bad_messages_fail_for_good),
        cmocka_unit_test(test_file_unopenable_outbox_is_refused),
        cmocka_unit_test(test_file_write_failure_is_retryable),
        cmocka_unit_test(test_onesignal_needs_its_settings),
        cmocka_unit_test_setup_teardown(test_onesignal_posts_the_notification, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_onesignal_returns_invalid_player_ids, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_onesignal_nobody_subscribed_is_a_success,
                                        fake_http_setup, fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_onesignal_server_errors_are_retryable, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test_setup_teardown(test_onesignal_refusals_are_permanent, fake_http_setup,
                                        fake_http_teardown),
        cmocka_unit_test(test_onesignal_unreachable_is_retryable),
        cmocka_unit_test_setup_teardown(test_onesignal_slow_server_times_out, fake_http_setup,
                                        fake_http_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
