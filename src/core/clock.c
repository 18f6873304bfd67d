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

/* The proleptic Gregorian date of a day count since 1970-01-01 (the
 * era-based conversion: 400-year eras of 146097 days). Pure arithmetic:
 * gmtime_r takes glibc's time zone lock on every call, and hot responses
 * print several times each. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n decimal digits of v (modulo 10^n) at p; returns the end. */
static char *digits(char *p, unsigned long v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

/* YYYY-MM-DDTHH:MM:SS[.ffffff]Z */
static void format_iso(int64_t usec, char out[32], bool micro)
{
    time_t sec;
    long frac;
    split_usec(usec, &sec, &frac);
    int64_t days = (int64_t)sec / 86400, rem = (int64_t)sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = digits(out, (unsigned long)(y < 0 ? 0 : y), 4);
    *p++ = '-';
    p = digits(p, m, 2);
    *p++ = '-';
    p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, (unsigned long)(rem / 3600), 2);
    *p++ = ':';
    p = digits(p, (unsigned long)(rem / 60 % 60), 2);
    *p++ = ':';
    p = digits(p, (unsigned long)(rem % 60), 2);
    if (micro) {
        *p++ = '.';
        p = digits(p, (unsigned long)frac, 6);
    }
    *p++ = 'Z';
    *p = '\0';
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

void clock_civil(int64_t usec, int *y, int *m, int *d)
{
    int64_t secs = usec / USEC_PER_SEC - (usec % USEC_PER_SEC < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0), yy;
    unsigned mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    *y = (int)yy;
    *m = (int)mm;
    *d = (int)dd;
}

int64_t clock_from_civil(int y, int m, int d)
{
    int64_t months = (int64_t)y * 12 + (m - 1); /* months may run over: 2026-13 is 2027-01 */
    int64_t yy = months / 12 - (months % 12 < 0);
    int mm = (int)(months - yy * 12) + 1;
    return (days_from_civil(yy, mm, 1) + d - 1) * 86400 * USEC_PER_SEC;
}
