/*
 * db_jsonw.c: row columns as JSON members (db_jsonw.h).
 */
#include "db/db_jsonw.h"

#include "core/clock.h"

void jw_col_text(jw_t *w, const char *key, db_rows_t *r, int col)
{
    jw_key(w, key);
    jw_str(w, db_col_text(r, col));
}

void jw_col_int(jw_t *w, const char *key, db_rows_t *r, int col)
{
    jw_key(w, key);
    if (db_col_isnull(r, col))
        jw_null(w);
    else
        jw_int(w, db_col_int(r, col));
}

void jw_col_bool(jw_t *w, const char *key, db_rows_t *r, int col)
{
    jw_key(w, key);
    if (db_col_isnull(r, col))
        jw_null(w);
    else
        jw_bool(w, db_col_bool(r, col));
}

void jw_col_real(jw_t *w, const char *key, db_rows_t *r, int col)
{
    jw_key(w, key);
    if (db_col_isnull(r, col))
        jw_null(w);
    else
        jw_real(w, db_col_real(r, col));
}

void jw_col_time(jw_t *w, const char *key, db_rows_t *r, int col)
{
    char iso[32];
    jw_key(w, key);
    if (db_col_isnull(r, col)) {
        jw_null(w);
        return;
    }
    clock_format_iso(db_col_time(r, col), iso);
    jw_str(w, iso);
}

void jw_col_array(jw_t *w, const char *key, db_rows_t *r, int col)
{
    const char *text = db_col_text(r, col);
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    jw_key(w, key);
    if (json_is_array(v)) {
        jw_json(w, v);
    } else {
        jw_arr(w);
        jw_arr_end(w);
    }
    json_decref(v);
}
