/*
 * backup.h: `loopin backup --to FILE` and `loopin restore --from FILE` for a
 * SQLite install (docs/backup.md): a consistent copy of the live database
 * through SQLite's online backup API, with the secret key file beside it
 * (FILE.secret_key), and its way back. PostgreSQL installs are pointed to
 * pg_dump / pg_restore.
 *
 * Exit codes: 0 done; 1 refused or failed (nothing at the destination was
 * replaced); 2 usage, configuration, or a PostgreSQL database.
 */
#ifndef LOOPIN_BACKUP_H
#define LOOPIN_BACKUP_H

#include "app.h"

#define BACKUP_USAGE  "loopin backup --to FILE [--force]"
#define RESTORE_USAGE "loopin restore --from FILE [--force]"

int cmd_backup(app_t *app, int argc, char **argv);
int cmd_restore(app_t *app, int argc, char **argv);

#endif
