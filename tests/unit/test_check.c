/* Completeness checks: every rule of check.h, each by a case that breaks
 * only that rule next to a case that keeps it. A case is a query, the plan
 * plan_windows() makes of it (or sub-windows given by hand), and the pages
 * of buckets each sub-window receives; the outcome is OK (with the span
 * worked out by hand) or OU_E_DATA with a part of the message. Times are
 * offsets from 2025-01-01T00:00:00Z. */
#include <stdlib.h>
#include <string.h>

#include "oaiusage/check.h"
#include "oaiusage/timeutil.h"
#include "test.h"

#define M 60LL
#define H 3600LL
#define D 86400LL
#define T0 1735689600LL     /* 2025-01-01T00:00:00Z */
#define FAR (T0 + 3650 * D) /* a client clock long after every window */

/* One entry of a page: the bucket [s, e), or, with rep > 1, rep buckets
 * [s + i*(e-s), s + (i+1)*(e-s)). */
struct bk {
    int64_t s;
    int64_t e;
    int rep;
};

#define MAXB 6
#define MAXP 6
#define MAXW 4

struct pg {
    struct bk b[MAXB]; /* ends at the first {0, 0} */
};

struct swdata {
    int npages;
    struct pg p[MAXP];
};

struct span_want {
    int pages;
    int64_t buckets;
    int64_t first_start;
    int64_t last_end;
};

struct ccase {
    const char *name;
    const char *ep;
    enum bucket_width w;
    int limit;          /* 0: the endpoint's maximum */
    int64_t start, end; /* end < 0: no end_time */
    int64_t now;
    int nwin;                 /* the plan's sub-windows (checked) */
    struct subwin hand[MAXW]; /* when hand[0].end_sent: use these instead */
    struct swdata sw[MAXW];
    int rc;                /* 0 or OU_E_DATA */
    const char *msg;       /* a part of the message */
    struct span_want span; /* when rc == 0 */
};

/* A table, laid out by hand. */
/* clang-format off */
#define PAGE(...)       \
    {                   \
        {               \
            __VA_ARGS__ \
        }               \
    }
#define B(s, e)     \
    {               \
        (s), (e), 1 \
    }
#define RUN(s, w, n)        \
    {                       \
        (s), (s) + (w), (n) \
    }

static const struct ccase cases[] = {
    /* ---- sequences that are complete ---- */
    { "good: one page",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1,
          { PAGE(B(T0, T0 + D), B(T0 + D, T0 + 2 * D),
                 B(T0 + 2 * D, T0 + 3 * D)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 3 * D } },
    { "good: pages and sub-windows",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 40 * D,
      FAR,
      2,
      { { 0 } },
      { { 2, { PAGE(RUN(T0, D, 20)), PAGE(RUN(T0 + 20 * D, D, 11)) } },
        { 1, { PAGE(RUN(T0 + 31 * D, D, 9)) } } },
      0,
      NULL,
      { 3, 40, T0, T0 + 40 * D } },
    { "good: empty last page counted",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 4,
          { PAGE(B(T0, T0 + D)), PAGE(B(T0 + D, T0 + 2 * D)),
            PAGE(B(T0 + 2 * D, T0 + 3 * D)), PAGE({ 0, 0, 0 }) } } },
      0,
      NULL,
      { 4, 3, T0, T0 + 3 * D } },
    { "good: 1h truncated at end_time",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 2 * H + 30 * M,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, H, 2), B(T0 + 2 * H, T0 + 2 * H + 30 * M)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 2 * H + 30 * M } },
    { "good: 1h 30 days, 5 sub-windows",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 30 * D,
      FAR,
      5,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, H, 168)) } },
        { 2,
          { PAGE(RUN(T0 + 168 * H, H, 100)), PAGE(RUN(T0 + 268 * H, H, 68)) } },
        { 1, { PAGE(RUN(T0 + 336 * H, H, 168)) } },
        { 1, { PAGE(RUN(T0 + 504 * H, H, 168)) } } },
      /* the fifth sub-window is filled in by fill_last() below */
      0,
      NULL,
      { 7, 720, T0, T0 + 720 * H } },
    /* ---- gap, overlap, order ---- */
    { "gap",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + D), B(T0 + 2 * D, T0 + 3 * D)) } } },
      OU_E_DATA,
      "buckets have a gap: expected one starting at 2025-01-02T00:00:00Z, "
      "got 2025-01-03T00:00:00Z",
      { 0 } },
    { "gap across pages",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 2, { PAGE(B(T0, T0 + D)), PAGE(B(T0 + 2 * D, T0 + 3 * D)) } } },
      OU_E_DATA,
      "buckets have a gap",
      { 0 } },
    { "overlap",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + D), B(T0 + 12 * H, T0 + D + 12 * H)) } } },
      OU_E_DATA,
      "buckets overlap or are out of order: expected one starting at "
      "2025-01-02T00:00:00Z, got 2025-01-01T12:00:00Z",
      { 0 } },
    { "repeated bucket",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1,
          { PAGE(B(T0, T0 + D), B(T0 + D, T0 + 2 * D),
                 B(T0 + D, T0 + 2 * D)) } } },
      OU_E_DATA,
      "buckets overlap or are out of order",
      { 0 } },
    { "out of order",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 2,
          { PAGE(B(T0, T0 + D), B(T0 + D, T0 + 2 * D)),
            PAGE(B(T0, T0 + D)) } } },
      OU_E_DATA,
      "buckets overlap or are out of order",
      { 0 } },
    /* ---- width ---- */
    { "bucket too long",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 3 * H,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + 2 * H)) } } },
      OU_E_DATA,
      "bucket 2025-01-01T00:00:00Z..2025-01-01T02:00:00Z is not a 1h bucket",
      { 0 } },
    { "bucket one second too long",
      "completions",
      BW_1M,
      0,
      T0,
      T0 + 3 * M,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + M + 1)) } } },
      OU_E_DATA,
      "is not a 1m bucket",
      { 0 } },
    { "zero-length bucket",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 3 * H,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0)) } } },
      OU_E_DATA,
      "is not a 1h bucket",
      { 0 } },
    { "bucket ending before it starts",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0 + D, T0)) } } },
      OU_E_DATA,
      "is not a 1d bucket",
      { 0 } },
    /* ---- the first bucket ---- */
    { "first bucket after the window start",
      "completions",
      BW_1D,
      0,
      T0 + D,
      T0 + 4 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0 + 2 * D, T0 + 3 * D), B(T0 + 3 * D, T0 + 4 * D)) } } },
      OU_E_DATA,
      "the first bucket starts at 2025-01-03T00:00:00Z, but the window starts "
      "at 2025-01-02T00:00:00Z",
      { 0 } },
    { "first bucket before the window start",
      "completions",
      BW_1D,
      0,
      T0 + D,
      T0 + 4 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 4)) } } },
      OU_E_DATA,
      "the first bucket starts at 2025-01-01T00:00:00Z",
      { 0 } },
    { "mid-bucket start: first bucket at the window start",
      "completions",
      BW_1D,
      0,
      T0 + 12 * H,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0 + 12 * H, T0 + D), RUN(T0 + D, D, 2)) } } },
      0,
      NULL,
      { 1, 3, T0 + 12 * H, T0 + 3 * D } },
    { "mid-bucket start: first bucket at the floor boundary",
      "completions",
      BW_1D,
      0,
      T0 + 12 * H,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 3 * D } },
    { "mid-bucket start: first bucket a boundary too early",
      "completions",
      BW_1D,
      0,
      T0 + 12 * H,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0 - D, D, 4)) } } },
      OU_E_DATA,
      "the first bucket starts at 2024-12-31T00:00:00Z",
      { 0 } },
    { "mid-bucket start: plan's second sub-window must start exactly",
      "completions",
      BW_1D,
      0,
      T0 + 12 * H,
      T0 + 40 * D,
      FAR,
      2,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + D), RUN(T0 + D, D, 30)) } },
        { 1, { PAGE(RUN(T0 + 32 * D, D, 8)) } } },
      OU_E_DATA,
      "the first bucket starts at 2025-02-02T00:00:00Z, but the window starts "
      "at 2025-02-01T00:00:00Z",
      { 0 } },
    { "costs: first bucket floored to the day",
      "costs",
      BW_1D,
      0,
      T0 + 12 * H,
      T0 + 2 * D + 12 * H,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 3 * D } },
    /* ---- the window's end ---- */
    { "bucket starting at the window end",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 2 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      OU_E_DATA,
      "a bucket starts at 2025-01-03T00:00:00Z, at or after the window's end "
      "2025-01-03T00:00:00Z",
      { 0 } },
    { "1h bucket ending after a mid-hour end_time",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + H + 30 * M,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, H, 3)) } } },
      OU_E_DATA,
      "ends at 2025-01-01T02:00:00Z, after the window's end "
      "2025-01-01T01:30:00Z",
      { 0 } },
    { "usage bucket ending after end_time",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 2 * D + 12 * H,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      OU_E_DATA,
      "a bucket ends at 2025-01-04T00:00:00Z, after the window's end "
      "2025-01-03T12:00:00Z",
      { 0 } },
    { "bucket ending one second after end_time",
      "completions",
      BW_1M,
      0,
      T0,
      T0 + 90,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + M), B(T0 + M, T0 + 91)) } } },
      OU_E_DATA,
      "a bucket ends at 2025-01-01T00:01:31Z, after the window's "
      "end 2025-01-01T00:01:30Z",
      { 0 } },
    { "bucket ending at end_time",
      "completions",
      BW_1M,
      0,
      T0,
      T0 + 90,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, T0 + M), B(T0 + M, T0 + 90)) } } },
      0,
      NULL,
      { 1, 2, T0, T0 + 90 } },
    { "costs bucket ending on the day after end_time",
      "costs",
      BW_1D,
      0,
      T0,
      T0 + 2 * D + 12 * H,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 3 * D } },
    { "costs bucket starting at the window end",
      "costs",
      BW_1D,
      0,
      T0,
      T0 + 2 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      OU_E_DATA,
      "at or after the window's end",
      { 0 } },
    { "open: 1h up to now + skew",
      "completions",
      BW_1H,
      0,
      T0 + 2 * D,
      -1,
      T0 + 2 * D + 5 * H + 10 * M,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0 + 2 * D, H, 6)) } } },
      /* [5h, 6h) ends 50 min after now: within CHECK_CLOCK_SKEW */
      0,
      NULL,
      { 1, 6, T0 + 2 * D, T0 + 2 * D + 6 * H } },
    { "open: 1h starting after now + skew",
      "completions",
      BW_1H,
      0,
      T0 + 2 * D,
      -1,
      T0 + 2 * D + 5 * H,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0 + 2 * D, H, 7)) } } },
      OU_E_DATA,
      "a bucket starts at 2025-01-03T06:00:00Z, at or after the window's end "
      "2025-01-03T06:00:00Z",
      { 0 } },
    { "open: 1h ending after now + skew",
      "completions",
      BW_1H,
      0,
      T0 + 2 * D,
      -1,
      T0 + 2 * D + 4 * H + 30 * M,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0 + 2 * D, H, 6)) } } },
      OU_E_DATA,
      "a bucket ends at 2025-01-03T06:00:00Z, after the window's end "
      "2025-01-03T05:30:00Z",
      { 0 } },
    { "open: 1h truncated at the API's now",
      "completions",
      BW_1H,
      0,
      T0 + 2 * D,
      -1,
      T0 + 2 * D + 4 * H + 30 * M,
      1,
      { { 0 } },
      { { 1,
          { PAGE(RUN(T0 + 2 * D, H, 5),
                 B(T0 + 2 * D + 5 * H, T0 + 2 * D + 5 * H + 20 * M)) } } },
      0,
      NULL,
      { 1, 6, T0 + 2 * D, T0 + 2 * D + 5 * H + 20 * M } },
    { "open: usage 1d ending after now + skew",
      "completions",
      BW_1D,
      0,
      T0,
      -1,
      T0 + 2 * D + 12 * H,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      OU_E_DATA,
      "a bucket ends at 2025-01-04T00:00:00Z",
      { 0 } },
    { "open: costs 1d ending on the day after now",
      "costs",
      BW_1D,
      0,
      T0,
      -1,
      T0 + 2 * D + 12 * H,
      1,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 3)) } } },
      0,
      NULL,
      { 1, 3, T0, T0 + 3 * D } },
    /* ---- truncated buckets ---- */
    { "truncated bucket followed by another",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 3 * H,
      FAR,
      1,
      { { 0 } },
      { { 1,
          { PAGE(B(T0, T0 + H), B(T0 + H, T0 + H + 30 * M),
                 B(T0 + H + 30 * M, T0 + 2 * H)) } } },
      OU_E_DATA,
      "a bucket starting at 2025-01-01T01:30:00Z follows the window's last "
      "(truncated) bucket",
      { 0 } },
    { "truncated bucket followed by a full-width one",
      "completions",
      BW_1H,
      0,
      T0,
      T0 + 3 * H,
      FAR,
      1,
      { { 0 } },
      { { 2,
          { PAGE(B(T0, T0 + 20 * M)), PAGE(B(T0 + 20 * M, T0 + 80 * M)) } } },
      OU_E_DATA,
      "follows the window's last (truncated) bucket",
      { 0 } },
    /* ---- pages ---- */
    { "pages: buckets + 1 is the most",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 5,
          { PAGE(B(T0, T0 + D)), PAGE(B(T0 + D, T0 + 2 * D)),
            PAGE(B(T0 + 2 * D, T0 + 3 * D)), PAGE({ 0, 0, 0 }),
            PAGE({ 0, 0, 0 }) } } },
      OU_E_DATA,
      "more pages than the window can need (4)",
      { 0 } },
    { "pages: endless empty pages",
      "costs",
      BW_1D,
      0,
      T0,
      T0 + D,
      FAR,
      1,
      { { 0 } },
      { { 3, { PAGE(B(T0, T0 + D)), PAGE({ 0, 0, 0 }), PAGE({ 0, 0, 0 }) } } },
      OU_E_DATA,
      "more pages than the window can need (2)",
      { 0 } },
    /* ---- times out of range ---- */
    { "negative start",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(-D, 0)) } } },
      OU_E_DATA,
      "a bucket has a time out of range",
      { 0 } },
    { "negative end",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, -1)) } } },
      OU_E_DATA,
      "a bucket has a time out of range",
      { 0 } },
    { "end past 9999-12-31",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(T0, 253402300800LL)) } } },
      OU_E_DATA,
      "a bucket has a time out of range",
      { 0 } },
    { "start past 9999-12-31",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE(B(INT64_MAX - D, INT64_MAX)) } } },
      OU_E_DATA,
      "a bucket has a time out of range",
      { 0 } },
    /* ---- seams between sub-windows ---- */
    { "seams: a gap between sub-windows",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 5 * D,
      FAR,
      2,
      { { T0, T0 + 2 * D, true }, { T0 + 3 * D, T0 + 5 * D, true } },
      { { 1, { PAGE(RUN(T0, D, 2)) } },
        { 1, { PAGE(RUN(T0 + 3 * D, D, 2)) } } },
      OU_E_DATA,
      "completions: buckets have a gap: data stops at 2025-01-03T00:00:00Z, "
      "then resumes later",
      { 0 } },
    { "seams: data stops, then resumes",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 70 * D,
      FAR,
      3,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 31)) } },
        { 1, { PAGE({ 0, 0, 0 }) } },
        { 1, { PAGE(RUN(T0 + 62 * D, D, 8)) } } },
      OU_E_DATA,
      "completions: buckets have a gap: data stops, then resumes at "
      "2025-03-04T00:00:00Z",
      { 0 } },
    { "seams: truncated sub-window, then data",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 40 * D,
      FAR,
      2,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 20)) } },
        { 1, { PAGE(RUN(T0 + 31 * D, D, 9)) } } },
      OU_E_DATA,
      "data stops, then resumes at 2025-02-01T00:00:00Z",
      { 0 } },
    { "seams: the first sub-window empty",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 40 * D,
      FAR,
      2,
      { { 0 } },
      { { 1, { PAGE({ 0, 0, 0 }) } }, { 1, { PAGE(RUN(T0 + 31 * D, D, 9)) } } },
      OU_E_DATA,
      "completions: the API returned no buckets for the window",
      { 0 } },
    { "seams: a one-window query without buckets",
      "costs",
      BW_1D,
      0,
      T0,
      T0 + 3 * D,
      FAR,
      1,
      { { 0 } },
      { { 1, { PAGE({ 0, 0, 0 }) } } },
      OU_E_DATA,
      "costs: the API returned no buckets for the window",
      { 0 } },
    { "seams: data ends early (truncated, later sub-windows empty)",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 70 * D,
      FAR,
      3,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 20), B(T0 + 20 * D, T0 + 20 * D + 5 * H)) } },
        { 1, { PAGE({ 0, 0, 0 }) } },
        { 1, { PAGE({ 0, 0, 0 }) } } },
      0,
      NULL,
      { 3, 21, T0, T0 + 20 * D + 5 * H } },
    { "seams: data ends on the sub-window boundary",
      "completions",
      BW_1D,
      0,
      T0,
      T0 + 70 * D,
      FAR,
      3,
      { { 0 } },
      { { 2, { PAGE(RUN(T0, D, 16)), PAGE(RUN(T0 + 16 * D, D, 15)) } },
        { 1, { PAGE(RUN(T0 + 31 * D, D, 31)) } },
        { 1, { PAGE({ 0, 0, 0 }) } } },
      0,
      NULL,
      { 4, 62, T0, T0 + 62 * D } },
    { "seams: open last sub-window",
      "completions",
      BW_1D,
      0,
      T0 + 12 * H,
      -1,
      T0 + 33 * D + 2 * H,
      2,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 31)) } },
        { 1,
          { PAGE(RUN(T0 + 31 * D, D, 2),
                 B(T0 + 33 * D, T0 + 33 * D + 2 * H)) } } },
      0,
      NULL,
      { 2, 34, T0, T0 + 33 * D + 2 * H } },
    { "seams: costs 400 days",
      "costs",
      BW_1D,
      0,
      T0,
      T0 + 400 * D,
      FAR,
      3,
      { { 0 } },
      { { 1, { PAGE(RUN(T0, D, 180)) } },
        { 2,
          { PAGE(RUN(T0 + 180 * D, D, 90)), PAGE(RUN(T0 + 270 * D, D, 90)) } },
        { 1, { PAGE(RUN(T0 + 360 * D, D, 40)) } } },
      0,
      NULL,
      { 4, 400, T0, T0 + 400 * D } },
};
/* clang-format on */

/* The last (fifth) sub-window of "good: 1h 30 days": 48 hourly buckets in
 * two pages; the table's four-entry array is filled here. */
static void fill_last(struct swdata *sw)
{
    memset(sw, 0, sizeof(*sw));
    sw->npages = 2;
    sw->p[0].b[0] = (struct bk){ T0 + 672 * H, T0 + 673 * H, 24 };
    sw->p[1].b[0] = (struct bk){ T0 + 696 * H, T0 + 697 * H, 24 };
}

static struct query make_query(const struct ccase *k)
{
    struct query q;

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find(k->ep);
    q.width = k->w;
    q.start_time = k->start;
    q.end_time = k->end;
    q.limit = k->limit > 0 ? k->limit : q.ep->limit_max[k->w];
    return q;
}

/* Run one case; returns the outcome, err filled on failure. */
static int run_case(const struct ccase *k, struct check_span *span,
                    struct ou_err *err)
{
    struct query q = make_query(k);
    struct subwin *sw = NULL;
    struct check c[MAXW + 1];
    struct swdata extra;
    int n = 0;
    int rc = 0;

    if (k->hand[0].end_sent) {
        n = k->nwin;
        sw = calloc((size_t)n, sizeof(*sw));
        if (sw == NULL)
            return -1;
        memcpy(sw, k->hand, sizeof(*sw) * (size_t)n);
    } else if (plan_windows(&q, k->now, &sw, &n) != 0) {
        return -1;
    }
    CHECK(n == k->nwin);
    if (n != k->nwin || n > MAXW + 1) {
        free(sw);
        return -1;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        const struct swdata *d = &k->sw[i];
        if (i == MAXW) {
            fill_last(&extra);
            d = &extra;
        }
        check_init(&c[i], &q, &sw[i], i == 0, k->now);
        for (int p = 0; p < d->npages && rc == 0; p++) {
            rc = check_page(&c[i], err);
            for (int j = 0; j < MAXB && rc == 0; j++) {
                const struct bk *b = &d->p[p].b[j];
                if (b->s == 0 && b->e == 0)
                    break;
                for (int r = 0; r < (b->rep > 1 ? b->rep : 1) && rc == 0; r++)
                    rc = check_bucket(&c[i], b->s + r * (b->e - b->s),
                                      b->s + (r + 1) * (b->e - b->s), err);
            }
        }
    }
    if (rc == 0)
        rc = check_seams(c, n, k->ep, span, err);
    free(sw);
    return rc;
}

static void table(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct ccase *k = &cases[i];
        struct ou_err err = { OU_OK, "" };
        struct check_span span;
        int bad = test_fail;

        memset(&span, 0xa5, sizeof(span));
        int rc = run_case(k, &span, &err);
        CHECK(rc == k->rc);
        if (k->rc == 0 && rc == 0) {
            CHECK(span.pages == k->span.pages);
            CHECK(span.buckets == k->span.buckets);
            CHECK(span.first_start == k->span.first_start);
            CHECK(span.last_end == k->span.last_end);
        } else if (k->rc != 0 && rc != 0) {
            CHECK((int)err.cat == k->rc);
            CHECK(strstr(err.msg, k->msg) != NULL);
            CHECK(strchr(err.msg, '\n') == NULL);
        }
        if (test_fail != bad)
            fprintf(stderr, "  (in check case '%s': rc %d, msg [%s])\n",
                    k->name, rc, err.msg);
    }
}

/* Only the plan's first sub-window may start at the floor of its start. */
static void first_allowance(void)
{
    struct query q;
    struct subwin win = { T0 + 12 * H, T0 + 3 * D, true };
    struct check c;
    struct ou_err err = { OU_OK, "" };

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find("completions");
    q.width = BW_1D;
    q.start_time = win.start;
    q.end_time = win.end;
    q.limit = 31;

    check_init(&c, &q, &win, true, FAR);
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, T0, T0 + D, &err) == 0);

    check_init(&c, &q, &win, false, FAR);
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, T0, T0 + D, &err) == OU_E_DATA);
    CHECK(strstr(err.msg,
                 "the first bucket starts at 2025-01-01T00:00:00Z, "
                 "but the window starts at 2025-01-01T12:00:00Z") != NULL);

    /* Both may start at the window start itself. */
    check_init(&c, &q, &win, false, FAR);
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, T0 + 12 * H, T0 + D, &err) == 0);
    CHECK(check_bucket(&c, T0 + D, T0 + 2 * D, &err) == 0);
}

/* A sub-window holds at most max_buckets buckets. With the other rules
 * (contiguous, full-width, aligned, inside the window) no sequence can
 * exceed the bound plan_max_buckets() gives, so the rule is reached here
 * by lowering the bound the struct carries. */
static void too_many_buckets(void)
{
    struct query q;
    struct subwin win = { T0, T0 + 10 * D, true };
    struct check c;
    struct ou_err err = { OU_OK, "" };

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find("completions");
    q.width = BW_1D;
    q.start_time = win.start;
    q.end_time = win.end;
    q.limit = 31;

    check_init(&c, &q, &win, true, FAR);
    CHECK(c.max_buckets == 10); /* whole days in [T0, T0 + 10d) */
    c.max_buckets = 2;
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, T0, T0 + D, &err) == 0);
    CHECK(check_bucket(&c, T0 + D, T0 + 2 * D, &err) == 0);
    CHECK(check_bucket(&c, T0 + 2 * D, T0 + 3 * D, &err) == OU_E_DATA);
    CHECK(strstr(err.msg, "more buckets than the window can hold (2)") != NULL);

    /* A sub-window without end_time: now + one day bounds it. */
    struct subwin open = { T0, 0, false };
    q.end_time = -1;
    check_init(&c, &q, &open, true, T0 + 5 * D);
    CHECK(c.max_buckets == 6);
    CHECK(c.pages == 0 && c.buckets == 0);
    CHECK(c.first_start == -1 && c.last_end == -1);
}

/* The span is the sum over the sub-windows, computed here from checks fed
 * directly (not through the table). */
static void span_sums(void)
{
    struct query q;
    struct subwin *sw = NULL;
    int n = 0;
    struct check c[3];
    struct check_span span;
    struct ou_err err = { OU_OK, "" };
    int pages = 0;
    int64_t buckets = 0;

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find("costs");
    q.width = BW_1D;
    q.start_time = T0 + 6 * H;
    q.end_time = T0 + 7 * D + 6 * H;
    q.limit = 3;
    CHECK(plan_windows(&q, FAR, &sw, &n) == 0);
    CHECK(n == 3); /* [6h, 3d) [3d, 6d) [6d, 7d 6h) */
    if (n != 3) {
        free(sw);
        return;
    }
    int64_t t = T0;
    for (int i = 0; i < n; i++) {
        check_init(&c[i], &q, &sw[i], i == 0, FAR);
        /* i + 1 pages per sub-window, one bucket in the first of them */
        for (int p = 0; p <= i; p++) {
            CHECK(check_page(&c[i], &err) == 0);
            pages++;
            if (p == 0) {
                int nb = i < 2 ? 3 : 2; /* the last: 6d and 7d (costs) */
                for (int b = 0; b < nb; b++, t += D, buckets++)
                    CHECK(check_bucket(&c[i], t, t + D, &err) == 0);
            }
        }
    }
    CHECK(check_seams(c, n, "costs", &span, &err) == 0);
    CHECK(pages == 6 && buckets == 8);
    CHECK(span.pages == pages);
    CHECK(span.buckets == buckets);
    CHECK(span.first_start == T0);
    CHECK(span.last_end == T0 + 8 * D);
    free(sw);
}

/* The earliest and latest bucket times that are in range. */
static void range_edges(void)
{
    struct query q;
    struct subwin win = { 0, 3 * D, true };
    struct check c;
    struct ou_err err = { OU_OK, "" };

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find("completions");
    q.width = BW_1D;
    q.start_time = 0;
    q.end_time = 3 * D;
    q.limit = 31;
    check_init(&c, &q, &win, true, FAR);
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, 0, D, &err) == 0); /* 1970-01-01 is fine */

    int64_t last = TU_MAX_TIME + 1 - D; /* 9999-12-31T00:00:00Z */
    struct subwin w2 = { last, TU_MAX_TIME, true };
    q.start_time = last;
    q.end_time = TU_MAX_TIME;
    check_init(&c, &q, &w2, true, FAR);
    CHECK(check_page(&c, &err) == 0);
    CHECK(check_bucket(&c, last, TU_MAX_TIME, &err) == 0);
}

/* check_complete: a past window needs every bucket; one ending at the
 * API's now may lack its last bucket, by no more than CHECK_LAG. */
static void completeness(void)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct query q;
    struct check_span sp = { 1, 2, T0, T0 + 2 * D };
    struct ou_err err;
    int64_t now = T0 + 30 * D;

    memset(&q, 0, sizeof(q));
    q.ep = ep;
    q.width = BW_1D;
    q.start_time = T0;
    q.end_time = T0 + 2 * D;
    CHECK(check_complete(&q, &sp, now, &err) == 0);
    q.end_time = T0 + 4 * D; /* two days missing from a past window */
    CHECK(check_complete(&q, &sp, now, &err) == OU_E_DATA);
    CHECK(strstr(err.msg, "the buckets after it are missing") != NULL);
    /* ending at the API's now: the last bucket may be missing ... */
    q.end_time = -1;
    CHECK(check_complete(&q, &sp, T0 + 3 * D, &err) == 0);
    CHECK(check_complete(&q, &sp, T0 + 3 * D + CHECK_LAG, &err) == 0);
    /* ... but not more than that */
    CHECK(check_complete(&q, &sp, T0 + 3 * D + CHECK_LAG + 1, &err) ==
          OU_E_DATA);
    /* an end_time within the lag counts as the API's now */
    q.end_time = T0 + 3 * D;
    CHECK(check_complete(&q, &sp, T0 + 3 * D + 10, &err) == 0);
    CHECK(check_complete(&q, &sp, T0 + 3 * D + CHECK_LAG + 1, &err) ==
          OU_E_DATA);
}

int main(void)
{
    completeness();
    table();
    first_allowance();
    too_many_buckets();
    span_sums();
    range_edges();
    TEST_END();
}
