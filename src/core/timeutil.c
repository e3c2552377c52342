/* timeutil.c - UTC calendar arithmetic and the WHEN syntax. */
#include "oaiusage/timeutil.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400LL

/* Howard Hinnant's days_from_civil / civil_from_days (public domain). */
int64_t tu_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void tu_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int64_t tu_floor(int64_t t, int64_t step)
{
    int64_t r = t % step;
    return r < 0 ? t - r - step : t - r;
}

bool tu_parse_duration(const char *s, int64_t *out)
{
    int64_t v = 0;
    int64_t unit = 1;
    int digits = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 9)
            return false;
        v = v * 10 + (*p - '0');
    }
    if (digits == 0)
        return false;
    switch (*p) {
    case '\0':
        break;
    case 's':
        unit = 1;
        p++;
        break;
    case 'm':
        unit = 60;
        p++;
        break;
    case 'h':
        unit = 3600;
        p++;
        break;
    case 'd':
        unit = DAY;
        p++;
        break;
    default:
        return false;
    }
    if (*p != '\0' || v * unit > 366 * DAY)
        return false;
    *out = v * unit;
    return true;
}

int64_t tu_floor_day(int64_t t)
{
    return tu_floor(t, DAY);
}

int64_t tu_floor_week(int64_t t)
{
    /* 1970-01-01 was a Thursday; Monday 1969-12-29 is day -3. */
    return tu_floor(t + 3 * DAY, 7 * DAY) - 3 * DAY;
}

int64_t tu_floor_month(int64_t t)
{
    int64_t y;
    unsigned m;
    unsigned d;

    tu_civil_from_days(tu_floor_day(t) / DAY, &y, &m, &d);
    return tu_days_from_civil(y, m, 1) * DAY;
}

int64_t tu_period_start(enum tu_period p, int64_t t)
{
    switch (p) {
    case TU_PER_DAY:
        return tu_floor_day(t);
    case TU_PER_WEEK:
        return tu_floor_week(t);
    case TU_PER_MONTH:
        return tu_floor_month(t);
    case TU_PER_BUCKET:
    case TU_PER_NONE:
    default:
        return t;
    }
}

int64_t tu_width_seconds(const char *w)
{
    if (w == NULL)
        return 0;
    if (strcmp(w, "1m") == 0)
        return 60;
    if (strcmp(w, "1h") == 0)
        return 3600;
    if (strcmp(w, "1d") == 0)
        return DAY;
    return 0;
}

void tu_format_rfc3339(int64_t t, char *buf)
{
    int64_t days = tu_floor_day(t) / DAY;
    int64_t sec = t - days * DAY;
    int64_t y;
    unsigned m;
    unsigned d;

    char tmp[64];

    tu_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999; /* outside RFC 3339; never a real bucket */
    snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
    memcpy(buf, tmp, TU_RFC3339_LEN - 1);
    buf[TU_RFC3339_LEN - 1] = '\0';
}

void tu_format_date(int64_t t, char *buf)
{
    int64_t y;
    unsigned m;
    unsigned d;

    char tmp[48];

    tu_civil_from_days(tu_floor_day(t) / DAY, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", (int)y, m, d);
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}

/* Read exactly n digits at s into *v. */
static bool digits(const char *s, size_t n, int *v)
{
    int r = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

static bool fail(const char **why, const char *reason)
{
    *why = reason;
    return false;
}

/* Unix seconds: digits only. */
static bool parse_unix(const char *s, size_t n, int64_t *out, const char **why)
{
    int64_t v = 0;

    if (n > 12)
        return fail(why, "Unix time out of range");
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    if (v > TU_MAX_TIME)
        return fail(why, "Unix time out of range");
    *out = v;
    return true;
}

/* YYYY-MM-DD at s (n >= 10) as 00:00 UTC of that day. */
static bool parse_date(const char *s, size_t n, int64_t *t, const char **why)
{
    int y, mo, d;

    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return fail(why, "expected Unix seconds, YYYY-MM-DD or RFC 3339 "
                         "(2025-01-11T17:31:00Z)");
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
        return fail(why, "no such calendar date");
    if (y < 1970)
        return fail(why, "dates before 1970 are not supported");
    *t = tu_days_from_civil(y, (unsigned)mo, (unsigned)d) * DAY;
    return true;
}

/* "Thh:mm[:ss[.fff]]" from s[*i]; adds the seconds of the day to *t. */
static bool parse_clock(const char *s, size_t n, size_t *i, int64_t *t,
                        const char **why)
{
    int hh = 0, mi = 0, ss = 0;

    if (s[*i] != 'T' && s[*i] != 't' && s[*i] != ' ')
        return fail(why, "expected 'T' after the date");
    (*i)++;
    if (n < *i + 5 || !digits(s + *i, 2, &hh) || s[*i + 2] != ':' ||
        !digits(s + *i + 3, 2, &mi))
        return fail(why, "expected HH:MM after the date");
    *i += 5;
    if (*i < n && s[*i] == ':') {
        if (n < *i + 3 || !digits(s + *i + 1, 2, &ss))
            return fail(why, "expected two digits of seconds");
        *i += 3;
        if (*i < n && s[*i] == '.') {
            size_t k = *i + 1;
            while (k < n && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k == *i + 1)
                return fail(why, "expected digits after the decimal point");
            *i = k; /* fractions of a second are dropped */
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return fail(why, "time of day out of range");
    *t += hh * 3600 + mi * 60 + ss;
    return true;
}

/* The zone at s[i..n): "Z" or +HH:MM / -HH:MM; shifts *t to UTC. */
static bool parse_zone(const char *s, size_t n, size_t i, int64_t *t,
                       const char **why)
{
    int oh, om;

    if (i == n)
        return fail(why, "RFC 3339 needs a zone: 'Z' or an offset like "
                         "+02:00");
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
        return true;
    if (s[i] != '+' && s[i] != '-')
        return fail(why, "unexpected text after the time");
    if (n != i + 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
        !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
        return fail(why, "bad UTC offset (expected +HH:MM or -HH:MM)");
    int64_t off = oh * 3600 + om * 60;
    *t += s[i] == '+' ? -off : off;
    return true;
}

/* YYYYMMDD (8 digits) as 00:00 UTC of that day. */
static bool parse_compact_date(const char *s, int64_t *t, const char **why)
{
    char d[11];

    snprintf(d, sizeof(d), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    return parse_date(d, 10, t, why);
}

/* YYYY-MM (7 characters) as 00:00 UTC of the month's first day. */
static bool parse_month(const char *s, int64_t *t, const char **why)
{
    char d[11];

    snprintf(d, sizeof(d), "%.7s-01", s);
    return parse_date(d, 10, t, why);
}

/* A calendar word, from now: the start of that day, week or month. */
static bool parse_word(const char *s, int64_t now, int64_t *t, bool *word)
{
    static const char *const words[] = { "now",       "today",     "yesterday",
                                         "this-week", "last-week", "this-month",
                                         "last-month" };
    int k = 0;

    while (k < (int)(sizeof(words) / sizeof(words[0])) &&
           strcmp(s, words[k]) != 0)
        k++;
    *word = k < (int)(sizeof(words) / sizeof(words[0]));
    if (!*word || now < 0)
        return false;
    switch (k) {
    case 0:
        *t = now;
        break;
    case 1:
        *t = tu_floor_day(now);
        break;
    case 2:
        *t = tu_floor_day(now) - DAY;
        break;
    case 3:
        *t = tu_floor_week(now);
        break;
    case 4:
        *t = tu_floor_week(now) - 7 * DAY;
        break;
    case 5:
        *t = tu_floor_month(now);
        break;
    default:
        *t = tu_floor_month(tu_floor_month(now) - 1);
        break;
    }
    return true;
}

bool tu_parse_when(const char *s, int64_t *out, const char **why)
{
    return tu_parse_when_at(s, -1, out, why);
}

bool tu_parse_when_at(const char *s, int64_t now, int64_t *out,
                      const char **why)
{
    bool civil;

    return tu_parse_when_civil(s, now, out, &civil, why);
}

bool tu_parse_when_civil(const char *s, int64_t now, int64_t *out, bool *civil,
                         const char **why)
{
    size_t n = strlen(s);
    size_t i = 10;
    int64_t t;
    bool word;

    *why = NULL;
    *civil = true;
    if (n == 0)
        return fail(why, "empty time");
    if (parse_word(s, now, out, &word))
        return true;
    if (word)
        return fail(why, "a calendar word needs the current time");
    if (strspn(s, "0123456789") == n) {
        if (n == 8)
            return parse_compact_date(s, out, why);
        if (n < 9)
            return fail(why, "Unix seconds have 9 digits or more here "
                             "(1730419200); a date is YYYY-MM-DD or "
                             "YYYYMMDD");
        *civil = false;
        return parse_unix(s, n, out, why);
    }
    if (n == 7 && s[4] == '-' && strspn(s, "0123456789-") == n) {
        if (!parse_month(s, &t, why))
            return false;
        *out = t;
        return true;
    }
    if (!parse_date(s, n, &t, why))
        return false;
    *civil = n <= 10;
    if (n > 10 &&
        (!parse_clock(s, n, &i, &t, why) || !parse_zone(s, n, i, &t, why)))
        return false;
    if (t < 0 || t > TU_MAX_TIME)
        return fail(why, "time out of range");
    *out = t;
    return true;
}

/* t moved back n months: the same day and time, or, where that month is
 * too short for the day, the first second of the month after it. */
static int64_t months_back(int64_t t, int n)
{
    int64_t day = tu_floor_day(t);
    int64_t y, ny, nm;
    unsigned m, d;

    tu_civil_from_days(day / DAY, &y, &m, &d);
    nm = (int64_t)m - 1 - n;
    ny = y + (nm >= 0 ? nm / 12 : -((-nm + 11) / 12));
    nm -= (ny - y) * 12;
    int64_t first = tu_days_from_civil(ny, (unsigned)nm + 1, 1);
    int64_t next = nm == 11 ? tu_days_from_civil(ny + 1, 1, 1)
                            : tu_days_from_civil(ny, (unsigned)nm + 2, 1);
    if (first + (int64_t)d - 1 >= next)
        return next * DAY;
    return (first + (int64_t)d - 1) * DAY + (t - day);
}

void tu_previous_window(int64_t start, int64_t end, int64_t *pstart,
                        int64_t *pend)
{
    int64_t len = end - start;
    int64_t unit;

    if (start % DAY == 0 && len > DAY && tu_floor_month(start) == start) {
        int n = 0;
        while (months_back(end, n) > start)
            n++;
        *pstart = months_back(start, n);
        *pend = months_back(end, n);
        return;
    }
    if (start % DAY == 0)
        unit = len > DAY && tu_floor_week(start) == start ? 7 * DAY : DAY;
    else
        unit = len;
    int64_t shift = (len + unit - 1) / unit * unit;
    *pstart = start - shift;
    *pend = end - shift;
}

void tu_year_before_window(int64_t start, int64_t end, int64_t *pstart,
                           int64_t *pend)
{
    *pstart = months_back(start, 12);
    *pend = months_back(end, 12);
    if (*pend <= *pstart)
        *pend = *pstart + (end - start);
}
