/*
 * module.h: what a module is. Each module (auth, profile, events, ...)
 * publishes one module_t naming its routes, its job kinds and the rows its
 * periodic purge removes; src/modules.c lists every module once, and
 * nothing else in the code base keeps a central list. How to add a module:
 * docs/ARCHITECTURE.md, "How to add a module".
 */
#ifndef LOOPIN_MODULE_H
#define LOOPIN_MODULE_H

#include <stdint.h>

#include "http/route.h"
#include "jobs/jobs.h"

struct router;
struct app;

typedef struct module {
    const char *name;
    const route_def_t *routes; /* ROUTES_END-terminated, or NULL */
    const job_kind_t *jobs;    /* terminated by {NULL}, or NULL */
    const purge_def_t *purges; /* terminated by {NULL}, or NULL */
    /* Per-process state the module keeps in app (caches): made before the
     * server starts (0, or -1 stops start-up), freed after it stops. */
    int (*start)(struct app *app);
    void (*stop)(struct app *app);
} module_t;

/* Every module, NULL-terminated (modules.c). */
extern const module_t *const loopin_modules[];

#endif
