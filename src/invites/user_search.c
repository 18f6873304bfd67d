/*
 * user_search.c: the people a host can invite (the app's invite screen):
 * active accounts other than the caller and staff, by name (a part of it,
 * LIKE wildcards literal) or by phone number. A phone number matches only
 * whole (E.164, or the last 10+ digits as people type a national number),
 * never a fragment, so a host cannot read numbers out digit by digit.
 */
#include <ctype.h>
#include <string.h>

#include "core/text.h"
#include "invites/invites.h"

#define SQL_WHERE                                                                                  \
    "FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.is_active = $3 AND "       \
    "u.is_staff = $4 AND u.id <> $2 AND COALESCE(p.name, '') <> '' AND ((CAST($5 AS TEXT) IS "     \
    "NULL AND CAST($8 AS TEXT) IS NULL) OR p.name @ILIKE $5 ESCAPE '\\' OR u.phone = $8 OR "       \
    "(length(CAST($8 AS TEXT)) >= 11 AND u.phone LIKE '%' || substr($8, 2))) "

static const char SQL_COUNT[] = "SELECT count(*) " SQL_WHERE "AND $1 = $1 AND $6 = $6 AND $7 = $7";
static const char SQL_PAGE[] =
    "SELECT u.id, p.name, p.profile_pictures, EXISTS (SELECT 1 FROM event_invites i WHERE "
    "i.event_id = $1 AND i.invited_user_id = u.id) " SQL_WHERE
    "ORDER BY lower(p.name), u.id LIMIT $6 OFFSET $7";

/* "+<digits>" when search reads as a phone number (an optional '+', then 8
 * to 15 digits with spaces, dashes, dots or brackets between; without '+' a
 * national trunk prefix 0 is dropped), else NULL. */
static const char *phone_of(arena_t *a, const char *search)
{
    char digits[16];
    size_t n = 0;
    bool plus = *search == '+';
    for (const char *s = search + plus; *s; s++) {
        if (isdigit((unsigned char)*s) && n < sizeof digits - 1) {
            if (n || *s != '0' || plus)
                digits[n++] = *s;
        } else if (isdigit((unsigned char)*s) || !strchr(" -.()", *s)) {
            return NULL;
        }
    }
    digits[n] = '\0';
    return n >= 8 && digits[0] != '0' ? arena_printf(a, "+%s", digits) : NULL;
}

err_t *invite_user_search(op_t *op, int64_t event_id, const char *search, int64_t offset,
                          int64_t limit, json_t **out)
{
    bool any = search && *search;
    const char *like = any ? text_like_pattern(op->arena, search) : NULL;
    const char *phone = any ? phone_of(op->arena, search) : NULL;
    int64_t total = 0;
    bool found = false;
    db_rows_t *rows;
    json_t *data = json_array();
    int rc =
        db_query_int(op->db, SQL_COUNT,
                     DB_ARGS(db_int(event_id), db_int(op->actor.id), db_bool(true), db_bool(false),
                             db_text(like), db_int(limit), db_int(offset), db_text(phone)),
                     &total, &found);
    if (rc == DB_OK)
        rc = db_query(op->db, SQL_PAGE,
                      DB_ARGS(db_int(event_id), db_int(op->actor.id), db_bool(true), db_bool(false),
                              db_text(like), db_int(limit), db_int(offset), db_text(phone)),
                      &rows);
    while (rc == DB_OK && db_next(rows))
        json_array_append_new(
            data, json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)db_col_int(rows, 0),
                            "full_name", db_col_text(rows, 1), "username", db_col_text(rows, 1),
                            "profile_picture_url", text_json_first_string(db_col_text(rows, 2)),
                            "already_invited", db_col_bool(rows, 3)));
    if (rc == DB_OK) {
        rc = db_rows_status(rows);
        db_rows_free(rows);
    }
    if (rc != DB_OK) {
        json_decref(data);
        return op_db_fail(op, rc);
    }
    *out = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
                     (json_int_t)offset, "limit", (json_int_t)limit, "data", data);
    return NULL;
}
