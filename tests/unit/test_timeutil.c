/* Time parsing and calendar arithmetic, checked against libc's timegm()
 * and gmtime_r() as an independent implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "oaiusage/timeutil.h"
#include "test.h"

static int64_t when(const char *s)
{
    int64_t t = -1;
    const char *why;
    if (!tu_parse_when(s, &t, &why))
        return -1;
    return t;
}

static int64_t libc_time(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = { 0 };
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static void check_previous(int64_t s, int64_t e, int64_t ws, int64_t we)
{
    int64_t ps = -1, pe = -1;
    char a[TU_RFC3339_LEN], b[TU_RFC3339_LEN];
    tu_previous_window(s, e, &ps, &pe);
    tu_format_rfc3339(ps, a);
    tu_format_rfc3339(pe, b);
    if (ps != ws || pe != we)
        fprintf(stderr, "previous window: got %s to %s\n", a, b);
    CHECK(ps == ws);
    CHECK(pe == we);
}

static void test_previous_window(void)
{
    /* this month so far: the same days and time of last month */
    check_previous(libc_time(2026, 11, 1, 0, 0, 0),
                   libc_time(2026, 11, 30, 4, 38, 0),
                   libc_time(2026, 10, 1, 0, 0, 0),
                   libc_time(2026, 10, 30, 4, 38, 0));
    /* a whole month: the whole month before, whatever its length */
    check_previous(libc_time(2026, 10, 1, 0, 0, 0),
                   libc_time(2026, 11, 1, 0, 0, 0),
                   libc_time(2026, 9, 1, 0, 0, 0),
                   libc_time(2026, 10, 1, 0, 0, 0));
    /* March to the 31st at noon: February has no 31st, so all of it */
    check_previous(libc_time(2026, 3, 1, 0, 0, 0),
                   libc_time(2026, 3, 31, 12, 0, 0),
                   libc_time(2026, 2, 1, 0, 0, 0),
                   libc_time(2026, 3, 1, 0, 0, 0));
    /* across a year, two months */
    check_previous(libc_time(2026, 1, 1, 0, 0, 0),
                   libc_time(2026, 2, 10, 0, 0, 0),
                   libc_time(2025, 11, 1, 0, 0, 0),
                   libc_time(2025, 12, 10, 0, 0, 0));
    /* a leap day */
    check_previous(libc_time(2024, 3, 1, 0, 0, 0),
                   libc_time(2024, 3, 30, 0, 0, 0),
                   libc_time(2024, 2, 1, 0, 0, 0),
                   libc_time(2024, 3, 1, 0, 0, 0));
    /* this week so far (Monday 2026-11-23): last week's same days */
    check_previous(libc_time(2026, 11, 23, 0, 0, 0),
                   libc_time(2026, 11, 25, 13, 0, 0),
                   libc_time(2026, 11, 16, 0, 0, 0),
                   libc_time(2026, 11, 18, 13, 0, 0));
    /* 7 whole days from a Tuesday: the 7 before */
    check_previous(libc_time(2026, 11, 17, 0, 0, 0),
                   libc_time(2026, 11, 24, 0, 0, 0),
                   libc_time(2026, 11, 10, 0, 0, 0),
                   libc_time(2026, 11, 17, 0, 0, 0));
    /* --days 7 ending now (6 days and a part): 7 days back */
    check_previous(libc_time(2026, 11, 24, 0, 0, 0),
                   libc_time(2026, 11, 30, 4, 38, 0),
                   libc_time(2026, 11, 17, 0, 0, 0),
                   libc_time(2026, 11, 23, 4, 38, 0));
    /* today so far: yesterday to the same time */
    check_previous(libc_time(2026, 11, 30, 0, 0, 0),
                   libc_time(2026, 11, 30, 4, 38, 0),
                   libc_time(2026, 11, 29, 0, 0, 0),
                   libc_time(2026, 11, 29, 4, 38, 0));
    /* today so far on the first of a month, a Monday: still yesterday */
    check_previous(libc_time(2027, 3, 1, 0, 0, 0),
                   libc_time(2027, 3, 1, 9, 0, 0),
                   libc_time(2027, 2, 28, 0, 0, 0),
                   libc_time(2027, 2, 28, 9, 0, 0));
    /* --compare year: the same dates a year earlier */
    int64_t ys = -1, ye = -1;
    tu_year_before_window(libc_time(2026, 11, 1, 0, 0, 0),
                          libc_time(2026, 11, 30, 4, 38, 0), &ys, &ye);
    CHECK(ys == libc_time(2025, 11, 1, 0, 0, 0));
    CHECK(ye == libc_time(2025, 11, 30, 4, 38, 0));
    /* a leap day alone: March 1 of the year before, a day long */
    tu_year_before_window(libc_time(2024, 2, 29, 0, 0, 0),
                          libc_time(2024, 3, 1, 0, 0, 0), &ys, &ye);
    CHECK(ys == libc_time(2023, 3, 1, 0, 0, 0));
    CHECK(ye == libc_time(2023, 3, 2, 0, 0, 0));
    /* February of a leap year: February of the year before */
    tu_year_before_window(libc_time(2024, 2, 1, 0, 0, 0),
                          libc_time(2024, 3, 1, 0, 0, 0), &ys, &ye);
    CHECK(ys == libc_time(2023, 2, 1, 0, 0, 0));
    CHECK(ye == libc_time(2023, 3, 1, 0, 0, 0));
    /* a window starting mid-day: its own length back */
    check_previous(libc_time(2026, 11, 29, 6, 0, 0),
                   libc_time(2026, 11, 29, 18, 0, 0),
                   libc_time(2026, 11, 28, 18, 0, 0),
                   libc_time(2026, 11, 29, 6, 0, 0));
}

int main(void)
{
    char buf[64];
    const char *why;
    int64_t t;

    /* The forms of WHEN. */
    CHECK(when("1736616660") == 1736616660);
    CHECK(when("123456789") == 123456789); /* 9 digits: Unix seconds */
    CHECK(when("20250111") == libc_time(2025, 1, 11, 0, 0, 0));
    CHECK(when("20240229") == libc_time(2024, 2, 29, 0, 0, 0));
    CHECK(when("2025-01") == libc_time(2025, 1, 1, 0, 0, 0));
    CHECK(when("2024-12") == libc_time(2024, 12, 1, 0, 0, 0));
    CHECK(when("2025-01-11") == libc_time(2025, 1, 11, 0, 0, 0));
    CHECK(when("2025-01-11T17:31:00Z") == 1736616660);
    CHECK(when("2025-01-11t17:31:00z") == 1736616660);
    CHECK(when("2025-01-11 17:31:00Z") == 1736616660);
    CHECK(when("2025-01-11T17:31Z") == 1736616660);
    CHECK(when("2025-01-11T19:31:00+02:00") == 1736616660);
    CHECK(when("2025-01-11T12:01:00-05:30") == 1736616660);
    CHECK(when("2025-01-11T17:31:00.999Z") == 1736616660);
    CHECK(when("2024-02-29") == libc_time(2024, 2, 29, 0, 0, 0));
    CHECK(when("2000-02-29") == libc_time(2000, 2, 29, 0, 0, 0));

    /* Malformed dates are refused with a reason. */
    static const char *const bad[] = {
        "",
        "yesterday", /* no now given */
        "0",
        "1234567",
        "20250230",
        "20251301",
        "2025-13",
        "2025-00",
        "2025-1",
        "this_month",
        "2025-1-11",
        "2025-02-30",
        "2023-02-29",
        "1900-02-29",
        "2025-13-01",
        "2025-00-10",
        "2025-01-11T24:00:00Z",
        "2025-01-11T17:60:00Z",
        "2025-01-11T17:31:00",
        "2025-01-11T17:31:00+2",
        "2025-01-11T17:31:00+24:00",
        "2025-01-11T17:31:00Zjunk",
        "2025-01-11T17:31:00.Z",
        "2025-01-11X",
        "12345678901234",
        "-5",
        "2025-01-11T",
        "99999-01-01",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool ok = tu_parse_when(bad[i], &t, &why);
        CHECK(!ok);
        CHECK(ok || why != NULL);
        if (ok)
            fprintf(stderr, "accepted bad time '%s'\n", bad[i]);
    }

    /* Calendar words at Sunday 2025-03-16T23:00:00Z (ISO week from Monday
     * the 10th), and at 2025-01-01T00:00:00Z (the year turns). */
    static const struct {
        const char *word;
        int y, mo, d;
    } words[] = {
        { "today", 2025, 3, 16 },     { "yesterday", 2025, 3, 15 },
        { "this-week", 2025, 3, 10 }, { "last-week", 2025, 3, 3 },
        { "this-month", 2025, 3, 1 }, { "last-month", 2025, 2, 1 },
    };
    int64_t sunday = libc_time(2025, 3, 16, 23, 0, 0);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        CHECK(tu_parse_when_at(words[i].word, sunday, &t, &why) &&
              t == libc_time(words[i].y, words[i].mo, words[i].d, 0, 0, 0));
    }
    CHECK(tu_parse_when_at("now", sunday, &t, &why) && t == sunday);
    int64_t newyear = libc_time(2025, 1, 1, 0, 0, 0);
    CHECK(tu_parse_when_at("last-month", newyear, &t, &why) &&
          t == libc_time(2024, 12, 1, 0, 0, 0));
    CHECK(tu_parse_when_at("yesterday", newyear, &t, &why) &&
          t == libc_time(2024, 12, 31, 0, 0, 0));
    CHECK(tu_parse_when_at("last-week", newyear, &t, &why) &&
          t == libc_time(2024, 12, 23, 0, 0, 0)); /* Wednesday: from 12-30 */
    CHECK(!tu_parse_when_at("tomorrow", sunday, &t, &why) && why != NULL);

    /* Calendar arithmetic against libc for every day 1960..2100 and a
     * pseudo-random time of day. */
    unsigned seed = 12345;
    for (int64_t day = -3650; day < 47482; day++) {
        seed = seed * 1103515245u + 12345u;
        int64_t tt = day * 86400 + (int64_t)(seed % 86400);
        time_t tc = (time_t)tt;
        struct tm tm;
        gmtime_r(&tc, &tm);
        int64_t y;
        unsigned m, d;
        tu_civil_from_days(day, &y, &m, &d);
        if (y != tm.tm_year + 1900 || m != (unsigned)tm.tm_mon + 1 ||
            d != (unsigned)tm.tm_mday) {
            CHECK(!"civil_from_days disagrees with gmtime_r");
            break;
        }
        if (tu_days_from_civil(y, m, d) != day) {
            CHECK(!"days_from_civil does not invert civil_from_days");
            break;
        }
        if (tu_floor_week(tt) !=
            day * 86400 - (int64_t)((tm.tm_wday + 6) % 7) * 86400) {
            CHECK(!"floor_week is not the Monday of the ISO week");
            break;
        }
        if (tu_floor_month(tt) !=
            libc_time(tm.tm_year + 1900, tm.tm_mon + 1, 1, 0, 0, 0)) {
            CHECK(!"floor_month is not the first of the month");
            break;
        }
        if (day % 997 == 0) {
            char want[64];
            tu_format_rfc3339(tt, buf);
            strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
            CHECK_STR(buf, want);
            CHECK(tt < 0 || when(buf) == tt);
        }
    }
    CHECK(tu_floor(-1, 60) == -60);
    CHECK(tu_floor(119, 60) == 60);
    CHECK(tu_width_seconds("1m") == 60 && tu_width_seconds("1h") == 3600 &&
          tu_width_seconds("1d") == 86400 && tu_width_seconds("2d") == 0);
    tu_format_date(1736616660, buf);
    CHECK_STR(buf, "2025-01-11");
    CHECK(tu_period_start(TU_PER_DAY, 1736616660) == 1736553600);
    /* 2025-01-11 was a Saturday; its ISO week began Monday 2025-01-06. */
    CHECK(tu_period_start(TU_PER_WEEK, 1736616660) ==
          libc_time(2025, 1, 6, 0, 0, 0));
    CHECK(tu_period_start(TU_PER_MONTH, 1736616660) ==
          libc_time(2025, 1, 1, 0, 0, 0));
    test_previous_window();
    TEST_END();
}
