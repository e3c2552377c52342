/* zone.c: local days, weeks and months in IANA zones. Every expected
 * instant below was computed with Python's zoneinfo (an independent
 * implementation of the same database): the first second whose local
 * date is the day named, found by a minute-by-minute scan. */
#include <string.h>

#include "oaiusage/zone.h"
#include "test.h"

struct day {
    const char *zone;
    const char *date; /* YYYY-MM-DD */
    int64_t start;    /* its first instant (zoneinfo) */
    int64_t next;     /* the next day's first instant */
};

static const struct day days[] = {
    /* Europe: spring forward (23 h), fall back (25 h) */
    { "Europe/Berlin", "2026-03-29", 1774738800, 1774821600 },
    { "Europe/Berlin", "2026-10-25", 1792879200, 1792969200 },
    /* the southern hemisphere: DST ends in April, starts in October */
    { "Australia/Sydney", "2026-04-05", 1775307600, 1775397600 },
    { "Australia/Sydney", "2026-10-04", 1791036000, 1791118800 },
    /* midnight itself skipped (the day starts at 01:00) and repeated */
    { "America/Santiago", "2026-09-06", 1788667200, 1788750000 },
    { "America/Santiago", "2026-04-04", 1775271600, 1775361600 },
    /* half-hour offsets */
    { "Asia/Kolkata", "2026-11-01", 1793471400, 1793471400 + 86400 },
    { "America/St_Johns", "2026-11-01", 1793500200, 1793590200 },
};

static void test_days(void)
{
    struct ou_err err;

    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        const struct day *d = &days[i];
        int64_t t;
        const char *why;
        char buf[ZONE_RFC3339_LEN];
        CHECK(zone_set(d->zone, &err) == 0);
        CHECK(!zone_is_utc());
        CHECK_STR(zone_name(), d->zone);
        /* the date as WHEN is the day's first instant */
        CHECK(zone_parse_when(d->date, -1, &t, &why));
        CHECK(t == d->start);
        /* every second of the day floors to its start */
        CHECK(zone_floor(TU_PER_DAY, d->start) == d->start);
        CHECK(zone_floor(TU_PER_DAY, d->next - 1) == d->start);
        CHECK(zone_floor(TU_PER_DAY, (d->start + d->next) / 2) == d->start);
        CHECK(zone_floor(TU_PER_DAY, d->next) == d->next);
        CHECK(zone_next(TU_PER_DAY, d->start) == d->next);
        zone_format_date(d->start, buf);
        CHECK_STR(buf, d->date);
        zone_format_date(d->next - 1, buf);
        CHECK_STR(buf, d->date);
    }
    zone_reset();
}

static void test_formats(void)
{
    struct ou_err err;
    char buf[ZONE_RFC3339_LEN];
    int64_t t;
    const char *why;

    CHECK(zone_set("Europe/Berlin", &err) == 0);
    zone_format_rfc3339(1774745999, buf);
    CHECK_STR(buf, "2026-03-29T01:59:59+01:00");
    zone_format_rfc3339(1774746000, buf);
    CHECK_STR(buf, "2026-03-29T03:00:00+02:00");
    /* a wall time the gap skips is the instant after it (fold=0) */
    CHECK(zone_parse_when("2026-03-29T02:30:00+01:00", -1, &t, &why));
    CHECK(t == 1774747800);
    /* an instant stays an instant; a word is local */
    CHECK(zone_parse_when("1793491200", -1, &t, &why) && t == 1793491200);
    CHECK(zone_parse_when("today", 1793491200, &t, &why) && t == 1793487600);
    CHECK(zone_parse_when("yesterday", 1793491200, &t, &why) &&
          t == 1793487600 - 86400); /* Oct 31 was CET too */
    CHECK(zone_parse_when("now", 1793491200, &t, &why) && t == 1793491200);
    /* months and weeks */
    CHECK(zone_floor(TU_PER_MONTH, 1793491200) == 1793487600);
    CHECK(zone_next(TU_PER_MONTH, 1793487600) == 1793487600 + 30 * 86400);
    CHECK(zone_floor(TU_PER_WEEK, 1793491200) ==
          1792969200); /* Sunday Nov 1: Monday Oct 26, CET */
    CHECK(zone_whole_hours(1774738800, 1793487600));
    CHECK(zone_set("America/St_Johns", &err) == 0);
    zone_format_rfc3339(1793491200, buf);
    CHECK_STR(buf, "2026-10-31T21:30:00-02:30");
    CHECK(!zone_whole_hours(1793491200, 1793491200 + 3600));
    /* UTC and its aliases are UTC */
    CHECK(zone_set("Etc/UTC", &err) == 0 && zone_is_utc());
    zone_format_rfc3339(1793491200, buf);
    CHECK_STR(buf, "2026-11-01T00:00:00Z");
    /* names the database lacks, and paths */
    CHECK(zone_set("Europe/Atlantis", &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "Europe/Atlantis") != NULL);
    CHECK(zone_set("../etc/passwd", &err) == OU_E_USAGE);
    CHECK(zone_set("", &err) == OU_E_USAGE);
    CHECK(zone_is_utc());
}

int main(void)
{
    test_days();
    test_formats();
    TEST_END();
}
