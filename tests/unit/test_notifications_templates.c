/*
 * test_notifications_templates.c: the transactional templates (API.md 14.10)
 * and the strict {{placeholder}} renderer: every template renders with
 * exactly its declared parameters, fails without one of them or with one it
 * does not use, keeps its type and screen, and values are inserted verbatim
 * (a value that looks like a placeholder is not expanded again).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "notifications/templates.h"

/* Splits t->params into args with value "<name>-value". */
static int declared(const notify_template_t *t, tpl_arg_t *args, char names[][TPL_NAME_MAX + 1],
                    char values[][64])
{
    int n = 0;
    const char *p = t->params;
    while (*p) {
        size_t len = strcspn(p, ",");
        snprintf(names[n], TPL_NAME_MAX + 1, "%.*s", (int)len, p);
        snprintf(values[n], 64, "%s-value", names[n]);
        args[n] = (tpl_arg_t){names[n], values[n]};
        n++;
        p += len + (p[len] == ',');
    }
    return n;
}

static void test_every_template_renders_with_its_parameters(void **state)
{
    (void)state;
    int count = 0;
    for (const notify_template_t *t = notify_templates; t->key; t++, count++) {
        arena_t a;
        arena_init(&a);
        tpl_arg_t args[TPL_MAX_PARAMS];
        char names[TPL_MAX_PARAMS][TPL_NAME_MAX + 1], values[TPL_MAX_PARAMS][64], err[160];
        int n = declared(t, args, names, values);
        char *title = NULL, *body = NULL;
        if (tpl_render_pair(&a, t->title, t->body, args, n, &title, &body, err, sizeof err))
            fail_msg("%s: %s", t->key, err);
        assert_null(strstr(title, "{{"));
        assert_null(strstr(body, "{{"));
        for (int i = 0; i < n; i++)
            assert_true(strstr(title, values[i]) || strstr(body, values[i]));
        /* the declared list is exactly the placeholders used */
        char used[TPL_MAX_PARAMS][TPL_NAME_MAX + 1];
        char both[512];
        snprintf(both, sizeof both, "%s %s", t->title, t->body);
        assert_int_equal(tpl_placeholders(both, used, TPL_MAX_PARAMS, err, sizeof err), n);
        /* each parameter left out is an error naming it */
        for (int skip = 0; skip < n; skip++) {
            tpl_arg_t fewer[TPL_MAX_PARAMS];
            int m = 0;
            for (int i = 0; i < n; i++)
                if (i != skip)
                    fewer[m++] = args[i];
            assert_int_equal(
                tpl_render_pair(&a, t->title, t->body, fewer, m, &title, &body, err, sizeof err),
                -1);
            assert_non_null(strstr(err, names[skip]));
        }
        /* an unused parameter is an error too */
        args[n] = (tpl_arg_t){"not_a_placeholder", "x"};
        assert_int_equal(
            tpl_render_pair(&a, t->title, t->body, args, n + 1, &title, &body, err, sizeof err),
            -1);
        assert_non_null(strstr(err, "not_a_placeholder"));
        assert_non_null(t->type);
        assert_non_null(t->target_screen);
        assert_true(strlen(t->title) <= 200);
        arena_free(&a);
    }
    assert_int_equal(count, 19); /* the 15 of API.md 14.10 and our four */
}

static void test_the_fifteen_keys_and_their_types(void **state)
{
    (void)state;
    static const char *const keys[][3] = {
        {"booking_confirmed", "payment_success", "ticket_detail"},
        {"payment_success", "payment_success", "event_detail"},
        {"payment_failed", "payment_failed", "payment_retry"},
        {"event_live", "event_update", "event_details"},
        {"event_cancelled", "event_cancelled", "event_detail"},
        {"event_created", "event_update", "event_detail"},
        {"event_invite", "event_invite", "event_detail"},
        {"invite_accepted", "event_invite", "event_detail"},
        {"invite_declined", "event_invite", "event_detail"},
        {"request_approved", "event_request", "event_detail"},
        {"request_declined", "event_request", "event_detail"},
        {"new_join_request", "event_request", "event_detail"},
        {"ticket_confirmed", "reminder", "ticket_detail"},
        {"check_in_started", "reminder", "check_in"},
        {"profile_completed", "system", "profile"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const notify_template_t *t = notify_template_find(keys[i][0]);
        assert_non_null(t);
        assert_string_equal(t->type, keys[i][1]);
        assert_string_equal(t->target_screen, keys[i][2]);
    }
    assert_null(notify_template_find("no_such_template"));
    assert_null(notify_template_find(NULL));
}

static void test_render_exact_text(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    const notify_template_t *t = notify_template_find("invite_accepted");
    char *title, *body, err[160];
    assert_int_equal(
        tpl_render_pair(&a, t->title, t->body,
                        TPL_ARGS({"event_name", "Jazz {{night}}"}, {"user_name", "Asha 'A' \"B\""}),
                        &title, &body, err, sizeof err),
        0);
    assert_string_equal(title, "Invitation Accepted: Jazz {{night}}");
    assert_string_equal(body, "Asha 'A' \"B\" has accepted your invitation to 'Jazz {{night}}'");
    arena_free(&a);
}

static void test_placeholder_syntax(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    char *out, err[160];
    assert_int_equal(
        tpl_render(&a, "Hi {{ name }}!", TPL_ARGS({"name", "Ravi"}), NULL, &out, err, sizeof err),
        0);
    assert_string_equal(out, "Hi Ravi!");
    assert_int_equal(tpl_render(&a, "no placeholders", NULL, 0, NULL, &out, err, sizeof err), 0);
    assert_string_equal(out, "no placeholders");
    static const char *const bad[] = {
        "{{",        "{{name", "{{Name}}",
        "{{1x}}",    "}}",     "a }} {{b}}",
        "{{na-me}}", "{{}}",   "{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char names[4][TPL_NAME_MAX + 1];
        assert_int_equal(tpl_placeholders(bad[i], names, 4, err, sizeof err), -1);
        assert_int_equal(
            tpl_render(&a, bad[i], TPL_ARGS({"name", "x"}), NULL, &out, err, sizeof err), -1);
    }
    char names[2][TPL_NAME_MAX + 1];
    assert_int_equal(tpl_placeholders("{{a}} {{b}} {{a}}", names, 2, err, sizeof err), 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    assert_int_equal(tpl_placeholders("{{a}} {{b}} {{c}}", names, 2, err, sizeof err), -1);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_template_renders_with_its_parameters),
        cmocka_unit_test(test_the_fifteen_keys_and_their_types),
        cmocka_unit_test(test_render_exact_text),
        cmocka_unit_test(test_placeholder_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
