/*
 * doctor.h: `loopin doctor`, a report an operator reads before (or instead
 * of) opening a ticket: the configuration, the database and its migrations,
 * media storage, the SMS, push and payment settings (the providers asked
 * whether the credentials work), clock skew against the database, the job
 * queue and free disk. Exit 0 when nothing failed (warnings allowed), 1
 * otherwise.
 */
#ifndef LOOPIN_DOCTOR_H
#define LOOPIN_DOCTOR_H

#include "app.h"

#define DOCTOR_USAGE "loopin doctor [--offline]"

int doctor_cmd(app_t *app, int argc, char **argv);

#endif
