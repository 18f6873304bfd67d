/*
 * modules.c: the one list of modules. Adding a module means writing its
 * module_t (routes, jobs, purges) in the module's own files and naming it
 * here; main builds the router and the job tables from this list.
 */
#include "module.h"

#include "auth/auth.h"
#include "events/events.h"
#include "events/seo.h"
#include "events/venue.h"
#include "hosts/hosts.h"
#include "media/storage.h"
#include "ops/ops.h"
#include "profile/profile.h"

const module_t *const loopin_modules[] = {
    &ops_module,   &test_module,   &auth_module,   &media_module, &profile_module,
    &hosts_module, &events_module, &venues_module, &seo_module,   NULL,
};
