/*
 * clock.c: wall-clock time with a process-wide test offset, plus ISO 8601
 * formatting and parsing. The offset is an atomic so request threads read it
 * without locks; only test mode ever changes it.
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t clock_offset;

static int64_t real_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

int64_t clock_now_us(void)
{
    return real_now_us() + atomic_load_explicit(&clock_offset, memory_order_relaxed);
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

void clock_advance_us(int64_t delta)
{
    atomic_fetch_add(&clock_offset, delta);
}

void clock_set_us(int64_t when)
{
    atomic_store(&clock_offset, when - real_now_us());
}

int64_t clock_offset_us(void)
{
    return atomic_load(&clock_offset);
}

/* Floor division so times before 1970 still split into a valid second and
 * microsecond pair. */
static void split_usec(int64_t usec, time_t *sec, long *frac)
{
    int64_t s = usec / USEC_PER_SEC, f = usec % USEC_PER_SEC;
    if (f < 0) {
        f += USEC_PER_SEC;
        s -= 1;
    }
    *sec = (time_t)s;
    *frac = (long)f;
}

/* YYYY-MM-DDTHH:MM:SS[.ffffff]Z */
static void format_iso(int64_t usec, char out[32], bool micro)
{
    time_t sec;
    long frac;
    struct tm tm;
    split_usec(usec, &sec, &frac);
    gmtime_r(&sec, &tm);
    /* The modulo bounds tell the compiler each field's width. */
    int n = snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u",
                     (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
                     (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
                     (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
    if (micro)
        snprintf(out + n, (size_t)(32 - n), ".%06luZ", (unsigned long)frac % 1000000ul);
    else
        snprintf(out + n, (size_t)(32 - n), "Z");
}

void clock_format_iso(int64_t usec, char out[32])
{
    format_iso(usec, out, true);
}

void clock_format_iso_seconds(int64_t usec, char out[32])
{
    format_iso(usec, out, false);
}

/* Reads exactly n decimal digits. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool parse_time_of_day(const char **pp, int *hh, int *mi, int *ss, long *frac)
{
    const char *p = *pp;
    if (!read_digits(&p, 2, hh) || *p++ != ':' || !read_digits(&p, 2, mi))
        return false;
    if (*p == ':') {
        p++;
        if (!read_digits(&p, 2, ss))
            return false;
        if (*p == '.' || *p == ',') {
            p++;
            int n = 0;
            long scale = 100000;
            while (*p >= '0' && *p <= '9') {
                if (n < 6)
                    *frac += (*p - '0') * scale;
                scale /= 10;
                p++;
                n++;
            }
            if (n == 0)
                return false;
        }
    }
    *pp = p;
    return *hh <= 23 && *mi <= 59 && *ss <= 60;
}

static bool parse_zone(const char *p, int *offset_min)
{
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
        *offset_min = 0;
        return true;
    }
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
    if (!read_digits(&p, 2, &oh))
        return false;
    bool colon = *p == ':';
    if (colon)
        p++;
    /* minutes are optional ("+05"), but required after a colon ("+05:") */
    if ((*p || colon) && !read_digits(&p, 2, &om))
        return false;
    if (*p != '\0' || oh > 23 || om > 59)
        return false;
    *offset_min = sign * (oh * 60 + om);
    return true;
}

bool clock_parse_iso(const char *s, int64_t *usec)
{
    if (!s)
        return false;
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0, off = 0;
    long frac = 0;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
        !read_digits(&p, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!parse_time_of_day(&p, &hh, &mi, &ss, &frac))
            return false;
        if (!parse_zone(p, &off))
            return false;
    } else if (*p != '\0') {
        return false;
    }
    if (ss == 60)
        ss = 59; /* leap second: clamp rather than reject */
    int64_t secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off * 60;
    *usec = secs * USEC_PER_SEC + frac;
    return true;
}
