/* zone.c - the report's time zone (see zone.h). */
#include "oaiusage/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400LL
#define ZONE_NAME_MAX 128

static bool utc = true;
static char name_buf[ZONE_NAME_MAX] = "UTC";

static bool is_utc_name(const char *n)
{
    static const char *const names[] = {
        "UTC",       "Etc/UTC",       "Etc/UCT",       "UCT",       "Etc/GMT",
        "GMT",       "Etc/Universal", "Universal",     "Etc/Zulu",  "Zulu",
        "Etc/GMT0",  "GMT0",          "Etc/Greenwich", "Greenwich", "Etc/GMT+0",
        "Etc/GMT-0", "GMT+0",         "GMT-0",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(n, names[i]) == 0)
            return true;
    }
    return false;
}

/* A name the database could hold: letters, digits, '/', '_', '+', '-';
 * no empty, "." or ".." component. */
static bool well_formed(const char *n)
{
    size_t len = strlen(n);

    if (len == 0 || len >= ZONE_NAME_MAX || n[0] == '/' || n[len - 1] == '/')
        return false;
    for (const char *p = n; *p != '\0'; p++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789/_+-",
                   *p) == NULL)
            return false;
    }
    return strstr(n, "//") == NULL;
}

/* Is dir/name a TZif file? */
static bool in_database(const char *dir, const char *n)
{
    char path[4096];
    char magic[4];
    FILE *f;
    bool ok;

    snprintf(path, sizeof(path), "%s/%s", dir, n);
    f = fopen(path, "rb");
    if (f == NULL)
        return false;
    ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    (void)fclose(f);
    return ok;
}

int zone_set(const char *n, struct ou_err *err)
{
    const char *dir = getenv("TZDIR");

    if (dir == NULL || dir[0] == '\0')
        dir = "/usr/share/zoneinfo";
    if (is_utc_name(n)) {
        zone_reset();
        return 0;
    }
    if (!well_formed(n) || !in_database(dir, n))
        return ou_fail(err, OU_E_USAGE,
                       "option '--tz': '%s' is not a time zone of %s (an "
                       "IANA name such as Europe/Berlin, America/New_York "
                       "or Asia/Kolkata%s)",
                       n, dir,
                       in_database(dir, "Europe/Berlin")
                           ? ""
                           : "; is the tzdata package installed?");
    snprintf(name_buf, sizeof(name_buf), "%s", n);
    if (setenv("TZ", n, 1) != 0)
        return ou_nomem(err);
    tzset();
    utc = false;
    return 0;
}

void zone_reset(void)
{
    utc = true;
    snprintf(name_buf, sizeof(name_buf), "UTC");
}

bool zone_is_utc(void)
{
    return utc;
}

const char *zone_name(void)
{
    return name_buf;
}

int32_t zone_offset(int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (utc || localtime_r(&tt, &tm) == NULL)
        return 0;
    return (int32_t)tm.tm_gmtoff;
}

int64_t zone_wall(int64_t t)
{
    return t + zone_offset(t);
}

int64_t zone_from_wall(int64_t w)
{
    /* The offsets on either side of any transition near w (zones change
     * their offset at most once in a few days). */
    int64_t before = zone_offset(w - 2 * DAY);
    int64_t after = zone_offset(w + 2 * DAY);
    int64_t c0 = w - before, c1 = w - after;
    bool ok0 = zone_wall(c0) == w, ok1 = zone_wall(c1) == w;

    if (ok0 && ok1)
        return c0 < c1 ? c0 : c1; /* repeated: the first */
    if (ok1)
        return c1;
    return c0; /* valid, or in a gap: the instant after it */
}

int64_t zone_floor(enum tu_period p, int64_t t)
{
    if (utc)
        return tu_period_start(p, t);
    if (p != TU_PER_DAY && p != TU_PER_WEEK && p != TU_PER_MONTH)
        return t;
    return zone_from_wall(tu_period_start(p, zone_wall(t)));
}

int64_t zone_next(enum tu_period p, int64_t t0)
{
    int64_t w = tu_period_start(p, zone_wall(t0));

    switch (p) {
    case TU_PER_DAY:
        w += DAY;
        break;
    case TU_PER_WEEK:
        w += 7 * DAY;
        break;
    case TU_PER_MONTH:
        w = tu_floor_month(w + 32 * DAY);
        break;
    default:
        return t0;
    }
    return utc ? w : zone_from_wall(w);
}

bool zone_whole_hours(int64_t start, int64_t end)
{
    if (utc)
        return true;
    /* Offsets change at most every few hours: an hourly walk sees each. */
    for (int64_t t = start;; t += 3600) {
        if (t > end)
            t = end;
        if (zone_offset(t) % 3600 != 0)
            return false;
        if (t == end)
            return true;
    }
}

bool zone_parse_when(const char *s, int64_t now, int64_t *out, const char **why)
{
    bool civil;
    int64_t t;

    if (utc || strcmp(s, "now") == 0)
        return tu_parse_when_at(s, now, out, why);
    if (!tu_parse_when_civil(s, now < 0 ? now : zone_wall(now), &t, &civil,
                             why))
        return false;
    *out = civil ? zone_from_wall(t) : t;
    if (*out < 0) {
        *why = "time out of range";
        return false;
    }
    return true;
}

void zone_format_rfc3339(int64_t t, char *buf)
{
    char tmp[TU_RFC3339_LEN];
    int32_t off = zone_offset(t);
    int32_t a = off < 0 ? -off : off;

    if (utc) {
        tu_format_rfc3339(t, buf);
        return;
    }
    tu_format_rfc3339(t + off, tmp);
    tmp[19] = '\0'; /* drop the Z */
    if (a % 60 == 0 && a < 24 * 3600) {
        memcpy(buf, tmp, 19);
        buf[19] = off < 0 ? '-' : '+';
        buf[20] = (char)('0' + a / 36000);
        buf[21] = (char)('0' + a / 3600 % 10);
        buf[22] = ':';
        buf[23] = (char)('0' + a / 600 % 6);
        buf[24] = (char)('0' + a / 60 % 10);
        buf[25] = '\0';
    } else /* seconds in an offset (local mean time of old dates): UTC */
        tu_format_rfc3339(t, buf);
}

void zone_format_date(int64_t t, char *buf)
{
    tu_format_date(utc ? t : zone_wall(t), buf);
}
