/* purge.h: the periodic purge job and the queue's own purges (purge.c). */
#ifndef LOOPIN_PURGE_H
#define LOOPIN_PURGE_H

#include "jobs/jobs.h"

err_t *jobs_purge_expired(op_t *op, json_t *payload);

extern const purge_def_t jobs_purges[];
extern const job_kind_t jobs_kinds[];

#endif
