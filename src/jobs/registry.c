/*
 * registry.c: every job kind the server knows, with its handler and, for
 * periodic kinds, the period. Adding a job kind means adding a line here.
 */
#include "jobs/handlers.h"

const job_kind_t job_kinds[] = {
    {"purge_expired", job_purge_expired, 600, 5},
};
const int job_kinds_count = (int)(sizeof job_kinds / sizeof job_kinds[0]);
