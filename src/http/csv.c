/*
 * csv.c: CSV answers (csv.h).
 */
#include "http/csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"

/* One cell: quoted when it holds a comma, quote or line break, or when it
 * needs the apostrophe against formulas. */
static void cell(strbuf_t *sb, json_t *v)
{
    char num[32];
    const char *s = "";
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), s = num;
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.10g", json_real_value(v)), s = num;
    else if (json_is_boolean(v))
        s = json_is_true(v) ? "true" : "false";
    bool formula = json_is_string(v) && s[0] && strchr("=+-@\t\r", s[0]);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        sb_puts(sb, s);
        return;
    }
    sb_putc(sb, '"');
    if (formula)
        sb_putc(sb, '\'');
    for (; *s; s++) {
        if (*s == '"')
            sb_putc(sb, '"');
        sb_putc(sb, *s);
    }
    sb_putc(sb, '"');
}

static void line(strbuf_t *sb, const char *const *columns, json_t *row)
{
    for (int k = 0; columns[k]; k++) {
        if (k)
            sb_putc(sb, ',');
        if (row)
            cell(sb, json_object_get(row, columns[k]));
        else
            sb_puts(sb, columns[k]);
    }
    sb_puts(sb, "\r\n");
}

void http_reply_csv(http_req_t *req, const char *name, const char *const *columns, json_t *rows,
                    int64_t total)
{
    strbuf_t sb;
    sb_init(&sb);
    line(&sb, columns, NULL);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        line(&sb, columns, row);
    }
    char disposition[160], count[24];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.csv\"", name);
    snprintf(count, sizeof count, "%lld", (long long)total);
    http_set_header(req, "Content-Disposition", disposition);
    http_set_header(req, "X-Total-Count", count);
    http_set_header(req, "Cache-Control", "no-store");
    http_reply_raw(req, 200, "text/csv; charset=utf-8", sb.data ? sb.data : "", sb.len, false);
    sb_free(&sb);
}
