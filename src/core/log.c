/*
 * log.c: one JSON object per line on stderr. Lines are built in memory and
 * written with a single write(2) so lines from concurrent threads never
 * interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/strbuf.h"

static _Atomic int log_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level_t level)
{
    atomic_store(&log_level, (int)level);
}

bool log_enabled(log_level_t level)
{
    return (int)level >= atomic_load(&log_level);
}

int log_parse_level(const char *s, log_level_t *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (log_level_t)i;
            return 0;
        }
    return -1;
}

static void write_line(const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, s, len);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

void log_msg(log_level_t level, const char *msg, ...)
{
    if ((int)level < atomic_load(&log_level))
        return;
    char ts[32];
    clock_format_iso(clock_now_us(), ts);
    strbuf_t sb;
    sb_init(&sb);
    sb_printf(&sb, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[level]);
    sb_json_string(&sb, msg);
    va_list ap;
    va_start(ap, msg);
    const char *key;
    while ((key = va_arg(ap, const char *)) != NULL) {
        const char *val = va_arg(ap, const char *);
        sb_putc(&sb, ',');
        sb_json_string(&sb, key);
        sb_putc(&sb, ':');
        sb_json_string(&sb, val ? val : "");
    }
    va_end(ap);
    sb_puts(&sb, "}\n");
    write_line(sb.data, sb.len);
    sb_free(&sb);
}

void log_json_line(const char *json)
{
    size_t n = strlen(json);
    char nl = '\n';
    if (n && json[n - 1] == '\n') {
        write_line(json, n);
        return;
    }
    /* one write: copy into a buffer with the newline */
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, json, n);
    sb_append(&sb, &nl, 1);
    write_line(sb.data, sb.len);
    sb_free(&sb);
}
