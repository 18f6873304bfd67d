/*
 * migrate.h: numbered schema migrations, one SQL file per dialect
 * (src/db/migrations/NNNN_name.{pg,sqlite}.sql), embedded in the binary at
 * build time. Applied in order, one transaction each, recorded in
 * schema_migrations with a checksum; on PostgreSQL under an advisory lock so
 * several processes starting together migrate exactly once.
 */
#ifndef LOOPIN_MIGRATE_H
#define LOOPIN_MIGRATE_H

#include "db/db.h"

typedef struct {
    int version;        /* NNNN */
    const char *name;   /* "core_accounts" */
    const char *pg;     /* SQL text for PostgreSQL */
    const char *sqlite; /* SQL text for SQLite */
} migration_t;

/* The migrations compiled into this binary, sorted by version (generated). */
extern const migration_t loopin_migrations[];
extern const int loopin_migrations_count;

/* Applies every migration of list[0..n) not yet recorded. *applied (may be
 * NULL) gets how many ran now. Refuses (DB_ERROR, message in err) when the
 * database records a version this binary does not know or a checksum that
 * differs from the embedded file: that means a newer or edited schema. */
int migrate_apply(db_pool_t *pool, const migration_t *list, int n, int *applied, char *err,
                  size_t errlen);

/* Which migrations of list are applied (applied[i], may be NULL) and how
 * many are not; checks the record as migrate_apply does. */
int migrate_status(db_pool_t *pool, const migration_t *list, int n, bool *applied, int *pending,
                   char *err, size_t errlen);
/* Number of migrations of list not yet applied. */
int migrate_pending(db_pool_t *pool, const migration_t *list, int n, int *pending, char *err,
                    size_t errlen);

#endif
