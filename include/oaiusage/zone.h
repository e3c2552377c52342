/* zone.h - the report's time zone (--tz): local calendar days, weeks and
 * months, and times written in it.
 *
 * One zone per process, chosen once (zone_set) before any use; UTC until
 * then. Offsets come from the system's time zone database (Debian's
 * tzdata, /usr/share/zoneinfo or $TZDIR) through the C library: zone_set
 * sets TZ for the process, and nothing else in oaiusage reads it.
 *
 * "Wall time" is the local clock read as if it were UTC seconds, so the
 * UTC calendar arithmetic of timeutil.h works on it unchanged. A wall time
 * a DST gap skips maps to the instant after the gap (as Python's zoneinfo
 * does with fold=0); one a fall-back repeats, to its first occurrence. So
 * a local day is [its first instant, the next day's first instant): 23,
 * 24 or 25 hours.
 */
#ifndef OAIUSAGE_ZONE_H
#define OAIUSAGE_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/status.h"
#include "oaiusage/timeutil.h"

/* "2025-01-11T17:31:00+05:30" + NUL; UTC times end in Z. */
#define ZONE_RFC3339_LEN 26

/* Use the IANA zone name (Europe/Berlin). UTC, Etc/UTC, GMT and their
 * aliases are UTC itself. OU_E_USAGE for a name the database lacks. */
int zone_set(const char *name, struct ou_err *err);
/* Back to UTC (tests). */
void zone_reset(void);

bool zone_is_utc(void);
const char *zone_name(void); /* "UTC" by default */

/* Seconds east of UTC at t. */
int32_t zone_offset(int64_t t);
int64_t zone_wall(int64_t t);
/* The instant whose wall time is w (see above for gaps and repeats). */
int64_t zone_from_wall(int64_t w);

/* The start of the local day, week (Monday) or month holding t, and of
 * the one after the period starting at t0; other periods: t itself. */
int64_t zone_floor(enum tu_period p, int64_t t);
int64_t zone_next(enum tu_period p, int64_t t0);

/* Is every offset from start to end a whole number of hours (so 1h
 * buckets never straddle a local midnight)? */
bool zone_whole_hours(int64_t start, int64_t end);

/* WHEN (timeutil.h) read in the zone: dates, months and calendar words
 * are local; Unix seconds and RFC 3339 with an offset are absolute. */
bool zone_parse_when(const char *s, int64_t now, int64_t *out,
                     const char **why);

/* RFC 3339 with the local offset ("...Z" in UTC), into buf (>=
 * ZONE_RFC3339_LEN); the local date "YYYY-MM-DD" (buf >= 11). */
void zone_format_rfc3339(int64_t t, char *buf);
void zone_format_date(int64_t t, char *buf);

#endif
