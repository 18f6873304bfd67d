/*
 * ics.h: the RFC 5545 iCalendar text of one event (a VCALENDAR with one
 * VEVENT), for GET /api/events/{event_id}/calendar.ics. Pure text building:
 * CRLF line endings, content lines folded at 75 octets without splitting a
 * UTF-8 sequence, TEXT values escaped (backslash, ';', ',', newlines).
 */
#ifndef LOOPIN_ICS_H
#define LOOPIN_ICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

#define ICS_LINE_OCTETS 75 /* RFC 5545 3.1: lines SHOULD NOT be longer */

typedef struct {
    const char *uuid;        /* UID is "<uuid>@loopin" */
    int64_t dtstamp;         /* usec; when the calendar object was made */
    int64_t start, end;      /* usec, written in UTC */
    const char *summary;     /* TEXT */
    const char *description; /* TEXT; NULL or "": left out */
    const char *location;    /* TEXT; NULL or "": left out */
    const char *url;         /* URI, absolute; NULL or "": left out */
    const char *status;      /* the event status (published, cancelled, ...) */
} ics_event_t;

/* The whole calendar object (malloc'd, NUL-terminated; the caller frees it)
 * and its length in *len. */
char *ics_build(const ics_event_t *ev, size_t *len);

/* ---- the pieces, exposed for the unit tests ------------------------------ */

/* Appends s escaped as an RFC 5545 TEXT value: '\' ';' ',' get a backslash,
 * a line break (CRLF, LF or CR) becomes "\n", other control characters
 * except TAB are dropped. */
void ics_escape_text(strbuf_t *out, const char *s);

/* Appends one content line (name and value already joined, no line break)
 * folded at ICS_LINE_OCTETS octets: each continuation line starts with one
 * space and a fold never falls inside a UTF-8 sequence. Ends with CRLF. */
void ics_fold_line(strbuf_t *out, const char *line, size_t len);

/* "YYYYMMDDTHHMMSSZ" (UTC) into out. */
void ics_format_utc(int64_t usec, char out[20]);

/* STATUS of a VEVENT for an event status: CANCELLED for cancelled,
 * TENTATIVE for draft and postponed, CONFIRMED otherwise. */
const char *ics_status(const char *event_status);

#endif
