/*
 * templates.h: message templates with {{name}} placeholders, used twice:
 * the fixed transactional templates of API.md 14.10 (plus our reminders and
 * event update), and the campaign templates staff write (campaigns.c).
 *
 * Rendering is strict both ways: a placeholder without an argument and an
 * argument without a placeholder are errors, never a silent blank. The old
 * backend's templates raised on a missing parameter but were never called
 * (API.md 15 item 17); ours are called by every module that notifies, and
 * tests/unit/test_notifications_templates.c renders each one.
 */
#ifndef LOOPIN_NOTIFY_TEMPLATES_H
#define LOOPIN_NOTIFY_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

#define TPL_NAME_MAX   32 /* a placeholder name: [a-z_][a-z0-9_]*, at most 32 characters */
#define TPL_MAX_PARAMS 16

typedef struct {
    const char *name, *value;
} tpl_arg_t;

/* An argument list literal: TPL_ARGS({"event_name", e->title}, ...). */
#define TPL_ARGS(...)                                                                              \
    ((const tpl_arg_t[]){__VA_ARGS__}),                                                            \
        (int)(sizeof((const tpl_arg_t[]){__VA_ARGS__}) / sizeof(tpl_arg_t))

typedef struct {
    const char *key;           /* "booking_confirmed" */
    const char *title, *body;  /* with {{placeholders}} */
    const char *type;          /* the notification type (decides the push preference) */
    const char *target_screen; /* where the app opens it */
    const char *params;        /* the placeholders, comma-separated, for the unit test */
} notify_template_t;

/* The transactional template with this key, or NULL. */
const notify_template_t *notify_template_find(const char *key);

/* Every transactional template, NULL-terminated by key. */
extern const notify_template_t notify_templates[];

/* Renders text, replacing each {{name}} (spaces inside the braces allowed)
 * by its argument's value, verbatim. 0, or -1 with a reason in err when a
 * placeholder has no argument or the braces are malformed. used[i] is set
 * for each argument that appeared (may be NULL). */
int tpl_render(arena_t *a, const char *text, const tpl_arg_t *args, int nargs, bool *used,
               char **out, char *err, size_t errlen);

/* Renders a title and a body together and fails when an argument appears in
 * neither (strict parameters). */
int tpl_render_pair(arena_t *a, const char *title, const char *body, const tpl_arg_t *args,
                    int nargs, char **title_out, char **body_out, char *err, size_t errlen);

/* The distinct placeholder names of text, in order of first use, written to
 * names (at most max). Returns how many, or -1 with a reason for malformed
 * braces, a bad name or more than max names. */
int tpl_placeholders(const char *text, char names[][TPL_NAME_MAX + 1], int max, char *err,
                     size_t errlen);

#endif
