/* handlers.h: the job handlers registered in registry.c. */
#ifndef LOOPIN_JOB_HANDLERS_H
#define LOOPIN_JOB_HANDLERS_H

#include "jobs/jobs.h"

int job_purge_expired(app_t *app, db_conn_t *c, json_t *payload, char *err, size_t errlen);

#endif
