/*
 * ics.c: the iCalendar (RFC 5545) text of one event: TEXT escaping, line
 * folding at 75 octets on UTF-8 character boundaries, UTC date-times, and
 * the VCALENDAR/VEVENT frame. No I/O and no database.
 */
#include "seo/ics.h"

#include <stdbool.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

#define CRLF "\r\n"

void ics_escape_text(strbuf_t *out, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\' || c == ';' || c == ',') {
            sb_putc(out, '\\');
            sb_putc(out, (char)c);
        } else if (c == '\r' || c == '\n') {
            sb_puts(out, "\\n");
            if (c == '\r' && p[1] == '\n')
                p++; /* CRLF is one line break */
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            continue; /* CONTROL is not allowed in TEXT (RFC 5545 3.3.11) */
        } else {
            sb_putc(out, (char)c);
        }
    }
}

/* True for the second and later bytes of a UTF-8 sequence. */
static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

void ics_fold_line(strbuf_t *out, const char *line, size_t len)
{
    size_t pos = 0, room = ICS_LINE_OCTETS;
    while (len - pos > room) {
        size_t cut = pos + room;
        /* back up to the start of the character the limit falls in */
        while (cut > pos && is_continuation((unsigned char)line[cut]))
            cut--;
        if (cut == pos) /* not UTF-8 at all: never loop forever */
            cut = pos + room;
        sb_append(out, line + pos, cut - pos);
        sb_puts(out, CRLF " ");
        pos = cut;
        room = ICS_LINE_OCTETS - 1; /* the leading space counts */
    }
    sb_append(out, line + pos, len - pos);
    sb_puts(out, CRLF);
}

void ics_format_utc(int64_t usec, char out[20])
{
    time_t secs = (time_t)(usec / USEC_PER_SEC);
    if (usec < 0 && usec % USEC_PER_SEC != 0)
        secs--;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

const char *ics_status(const char *event_status)
{
    if (!event_status)
        return "CONFIRMED";
    if (!strcmp(event_status, "cancelled"))
        return "CANCELLED";
    if (!strcmp(event_status, "draft") || !strcmp(event_status, "postponed"))
        return "TENTATIVE";
    return "CONFIRMED";
}

/* "NAME:value", folded; the value escaped as TEXT when escape is set. */
static void put_line(strbuf_t *out, const char *name, const char *value, bool escape)
{
    strbuf_t line;
    sb_init(&line);
    sb_puts(&line, name);
    sb_putc(&line, ':');
    if (escape)
        ics_escape_text(&line, value);
    else
        sb_puts(&line, value);
    ics_fold_line(out, line.data, line.len);
    sb_free(&line);
}

/* The value taken as is (already escaped or not TEXT). */
static void put_raw(strbuf_t *out, const char *name, const char *value)
{
    put_line(out, name, value, false);
}

/* The value escaped as TEXT; nothing when it is empty. */
static void put_text(strbuf_t *out, const char *name, const char *value)
{
    if (value && *value)
        put_line(out, name, value, true);
}

static void put_time(strbuf_t *out, const char *name, int64_t usec)
{
    char buf[20];
    ics_format_utc(usec, buf);
    put_raw(out, name, buf);
}

char *ics_build(const ics_event_t *ev, size_t *len)
{
    strbuf_t out;
    sb_init(&out);
    sb_puts(&out, "BEGIN:VCALENDAR" CRLF "VERSION:2.0" CRLF "PRODID:-//Loopin//Events//EN" CRLF
                  "CALSCALE:GREGORIAN" CRLF "METHOD:PUBLISH" CRLF "BEGIN:VEVENT" CRLF);
    strbuf_t uid;
    sb_init(&uid);
    sb_puts(&uid, ev->uuid ? ev->uuid : "");
    sb_puts(&uid, "@loopin");
    put_raw(&out, "UID", uid.data);
    sb_free(&uid);
    put_time(&out, "DTSTAMP", ev->dtstamp);
    put_time(&out, "DTSTART", ev->start);
    put_time(&out, "DTEND", ev->end);
    put_text(&out, "SUMMARY", ev->summary);
    put_text(&out, "DESCRIPTION", ev->description);
    put_text(&out, "LOCATION", ev->location);
    if (ev->url && *ev->url)
        put_raw(&out, "URL", ev->url);
    put_raw(&out, "STATUS", ics_status(ev->status));
    sb_puts(&out, "END:VEVENT" CRLF "END:VCALENDAR" CRLF);
    return sb_steal(&out, len);
}
