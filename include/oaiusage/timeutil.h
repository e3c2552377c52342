/* timeutil.h - UTC calendar arithmetic and the WHEN syntax. Pure functions.
 *
 * All times are Unix seconds (int64, UTC). No use of the C library's
 * timezone-dependent functions.
 */
#ifndef OAIUSAGE_TIMEUTIL_H
#define OAIUSAGE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TU_RFC3339_LEN 21          /* "2025-01-11T17:31:00Z" + NUL */
#define TU_MAX_TIME 253402300799LL /* 9999-12-31T23:59:59Z */

enum tu_period {
    TU_PER_NONE = 0,
    TU_PER_DAY,
    TU_PER_WEEK,
    TU_PER_MONTH,
    TU_PER_BUCKET
};

/* Parse WHEN: Unix seconds (9 digits or more: "1736616660"), a date
 * ("2025-01-11" or "20250111", 00:00 UTC), a month ("2025-01", its first
 * day), RFC 3339 ("2025-01-11T17:31:00Z", "...+02:00", fractional seconds
 * dropped), or, given now (>= 0), a calendar word: now, today, yesterday,
 * this-week, last-week (ISO weeks, from Monday), this-month, last-month
 * (each the start of that day, week or month, UTC). Returns false and a
 * reason in why (static text) on failure. tu_parse_when() has no now. */
bool tu_parse_when_at(const char *s, int64_t now, int64_t *out,
                      const char **why);
bool tu_parse_when(const char *s, int64_t *out, const char **why);
/* The same, saying whether *out is a calendar time (a date, a month, a
 * word: civil, to be read in a zone, see zone.h) or an instant (Unix
 * seconds, RFC 3339 with its zone). */
bool tu_parse_when_civil(const char *s, int64_t now, int64_t *out, bool *civil,
                         const char **why);

int64_t tu_days_from_civil(int64_t y, unsigned m, unsigned d);
void tu_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DDTHH:MM:SSZ" into buf (>= TU_RFC3339_LEN). */
void tu_format_rfc3339(int64_t t, char *buf);
/* "YYYY-MM-DD" into buf (>= 11). */
void tu_format_date(int64_t t, char *buf);

int64_t tu_floor(int64_t t, int64_t step); /* floor to a multiple */
/* A duration: seconds, or a number with s, m, h or d ("6h"), from 0 to
 * 366 days, into *out seconds. */
bool tu_parse_duration(const char *s, int64_t *out);
int64_t tu_floor_day(int64_t t);
int64_t tu_floor_week(int64_t t); /* Monday 00:00 UTC */
int64_t tu_floor_month(int64_t t);
/* Start of the period containing t; TU_PER_BUCKET and NONE return t. */
int64_t tu_period_start(enum tu_period p, int64_t t);

/* The window to compare [start, end) with (--compare previous): moved
 * back by whole months when it starts on the first of a month, whole
 * weeks when it starts on a Monday (both only when it is longer than a
 * day), whole days when it starts at midnight, else by its own length; by as few units as put it wholly
 * before start. So this month so far (Nov 1 to Nov 30 04:38) is compared
 * with Oct 1 to Oct 30 04:38, this week so far with the same weekdays of
 * last week, today so far with yesterday to the same time, and 7 days
 * with the 7 before. A month end that the earlier
 * month lacks (Mar 31) becomes that month's end. */
void tu_previous_window(int64_t start, int64_t end, int64_t *pstart,
                        int64_t *pend);

/* The same dates a year earlier (--compare year): each edge moved back 12
 * months, a February 29 becoming March 1; a window that would then be
 * empty (February 29 alone) keeps its length. */
void tu_year_before_window(int64_t start, int64_t end, int64_t *pstart,
                           int64_t *pend);

/* Width in seconds of "1m"/"1h"/"1d", or 0 if unknown. */
int64_t tu_width_seconds(const char *width);

#endif
