/*
 * db_jsonw.h: a result row's columns written as members of a JSON object
 * (core/jsonw), for responses written straight from their rows. Each writes
 * `"key":value`; a NULL column is null.
 */
#ifndef LOOPIN_DB_JSONW_H
#define LOOPIN_DB_JSONW_H

#include "core/jsonw.h"
#include "db/db.h"

void jw_col_text(jw_t *w, const char *key, db_rows_t *r, int col);
void jw_col_int(jw_t *w, const char *key, db_rows_t *r, int col);
void jw_col_bool(jw_t *w, const char *key, db_rows_t *r, int col);
void jw_col_real(jw_t *w, const char *key, db_rows_t *r, int col);
/* A timestamp column as ISO 8601 UTC with microseconds. */
void jw_col_time(jw_t *w, const char *key, db_rows_t *r, int col);
/* A JSON array held as text (jsonb on PostgreSQL), printed compactly; []
 * when it is NULL or not an array. */
void jw_col_array(jw_t *w, const char *key, db_rows_t *r, int col);

#endif
