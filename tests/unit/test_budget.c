/* Budget lines: the period's clock, the numbers of budget_finish() (the
 * expected values computed with Python's decimal and datetime), and the
 * budgets file. */
#include <stdio.h>
#include <string.h>

#include "oaiusage/budget.h"
#include "oaiusage/json.h"
#include "oaiusage/spendlimit.h"
#include "test.h"

static const char *fmt(const struct dec *d)
{
    static char out[4][DEC_FMT_MAX];
    static int k;
    k = (k + 1) % 4;
    dec_format(d, out[k], sizeof(out[k]));
    return out[k];
}

static void check_clock(void)
{
    struct budget_clock c;

    /* 2024-02-29T23:59:59Z: a leap-year February. */
    budget_clock_at(BP_MONTH, 1709251199, 3 * 86400, &c);
    CHECK(c.start == 1706745600 && c.end == 1709251200);
    CHECK(c.rate_end == 1709164800 && c.rate_start == 1708560000);
    CHECK(c.fetch_start == 1706745600);
    /* December rolls into January. */
    budget_clock_at(BP_MONTH, 1735639200, 0, &c);
    CHECK(c.start == 1733011200 && c.end == 1735689600);
    /* Sunday 2025-03-16 23:00: the ISO week began Monday the 10th. */
    budget_clock_at(BP_WEEK, 1742166000, 0, &c);
    CHECK(c.start == 1741564800 && c.end == 1742169600);
    CHECK(c.rate_start == 1741478400 && c.fetch_start == 1741478400);
    /* Monday 00:00 is the new week's first second. */
    budget_clock_at(BP_WEEK, 1742169600, 0, &c);
    CHECK(c.start == 1742169600 && c.end == 1742774400);
    budget_clock_at(BP_DAY, 1742166000, 3600, &c);
    CHECK(c.start == 1742083200 && c.end == 1742169600);
    CHECK(c.settled_end == 1742166000 - 3600);
    CHECK(strcmp(budget_period_name(BP_WEEK), "week") == 0);
}

/* March 2025 at 2025-03-20T12:00Z: day i (1..20) spent i * 1.5 + 0.001. */
static void fill(struct budget_line *l, const struct budget_clock *c,
                 const char *budget)
{
    struct dec b, a;
    struct ou_err err;
    char tmp[32];

    dec_parse(budget, strlen(budget), &b);
    budget_line_init(l, &b);
    for (int i = 1; i <= 20; i++) {
        snprintf(tmp, sizeof(tmp), "%d.%03d", i * 3 / 2, i % 2 ? 501 : 1);
        dec_parse(tmp, strlen(tmp), &a);
        CHECK(budget_add_day(l, c, c->start + (int64_t)(i - 1) * 86400, &a,
                             &err) == 0);
    }
    /* Outside the period and the rate days: ignored. */
    CHECK(budget_add_day(l, c, c->start - 86400, &a, &err) == 0);
    CHECK(budget_add_day(l, c, c->end, &a, &err) == 0);
}

static void check_finish(void)
{
    struct budget_clock c;
    struct budget_line l;
    struct budget_rules r = { 80, false };
    struct ou_err err;

    budget_clock_at(BP_MONTH, 1742472000, 3 * 86400, &c);
    fill(&l, &c, "250");
    CHECK(budget_finish(&l, &c, &r, &err) == 0);
    CHECK_STR(fmt(&l.spent), "315.02");
    CHECK_STR(fmt(&l.rate_sum), "168.007");
    CHECK_STR(fmt(&l.provisional), "111.004");
    CHECK(l.any_provisional);
    CHECK_STR(fmt(&l.percent), "126.01");
    CHECK_STR(fmt(&l.remaining), "-65.02");
    CHECK_STR(fmt(&l.projected), "591.03");
    CHECK_STR(fmt(&l.daily_rate), "24");
    CHECK(l.state == BS_OVER && l.runs_out == 1742256000);

    /* 400: 78.76% used (no warning at 80), runs out on 2025-03-24. */
    fill(&l, &c, "400");
    CHECK(budget_finish(&l, &c, &r, &err) == 0);
    CHECK_STR(fmt(&l.percent), "78.76");
    CHECK(l.state == BS_OK && l.runs_out == 1742774400);
    r.warn_on_projection = true; /* 591.03 >= 400 */
    CHECK(budget_finish(&l, &c, &r, &err) == 0);
    CHECK(l.state == BS_WARN && !l.warn_percent);
    r = (struct budget_rules){ 78, false };
    CHECK(budget_finish(&l, &c, &r, &err) == 0);
    CHECK(l.state == BS_WARN && l.warn_percent);

    /* Far from the budget: no run-out day within the period. */
    fill(&l, &c, "100000");
    CHECK(budget_finish(&l, &c, &r, &err) == 0);
    CHECK(l.state == BS_OK && l.runs_out == -1);
}

static void check_amount(void)
{
    struct dec d;
    static const char *const good[] = {
        "1", "1500", "99.95", "0.000001", "999999999999.999999", "0.5"
    };
    static const char *const bad[] = {
        "0",   "0.0", "-1", "+1",        "1e3",           "1.", ".5",
        "1,5", "",    " 1", "1.1234567", "1000000000000", "007"
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        CHECK(budget_amount_parse(good[i], &d));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(!budget_amount_parse(bad[i], &d));
        if (budget_amount_parse(bad[i], &d))
            fprintf(stderr, "accepted amount '%s'\n", bad[i]);
    }
}

static int parse(const char *text, struct budget_file *f, struct ou_err *err)
{
    return budget_file_parse(text, strlen(text), "b.csv", f, err);
}

static void check_file(void)
{
    struct budget_file f;
    struct ou_err err;

    CHECK(parse("\xEF\xBB\xBFproject,amount\r\n# comment\r\n\r\n"
                "proj_a, 1500\r\n\"R&D, \"\"Lab\"\"\",99.95\r\n",
                &f, &err) == 0);
    CHECK(f.n == 2);
    if (f.n == 2) {
        CHECK_STR(f.v[0].project, "proj_a");
        CHECK_STR(fmt(&f.v[0].amount), "1500");
        CHECK_STR(f.v[1].project, "R&D, \"Lab\"");
        CHECK_STR(fmt(&f.v[1].amount), "99.95");
        CHECK(f.v[1].line == 5);
    }
    budget_file_release(&f);
    CHECK(parse("proj_a,10\nproj_a,20\n", &f, &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "line 2") != NULL);
    CHECK(parse("proj_a,-1\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a,0\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a,1e3\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a,1,2\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("\"proj_a,1\n", &f, &err) == OU_E_USAGE);
    /* The header after a comment, in a spreadsheet's case. */
    CHECK(parse("# budgets\nProject,Amount\nproj_a,1\n", &f, &err) == 0 &&
          f.n == 1);
    budget_file_release(&f);
    /* "project,amount" later on is a line like any other: refused. */
    CHECK(parse("proj_a,1\nproject,amount\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a,1234567890123\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("proj_a,1.1234567\n", &f, &err) == OU_E_USAGE);
    CHECK(parse("# nothing\n", &f, &err) == OU_E_USAGE);
    CHECK(strstr(err.msg, "no budgets") != NULL);
}

/* A spend limit body: cents into the currency's units, exactly. */
static const char *limit_of(const char *body, struct spend_limit *sl)
{
    static char buf[512];
    struct ou_err err;

    snprintf(buf, sizeof(buf), "%s", body);
    if (spend_limit_parse(buf, strlen(buf), sl, &err) != 0)
        return "ERR";
    return sl->set ? fmt(&sl->amount) : "unset";
}

static void check_spend_limit(void)
{
    struct spend_limit sl;

#define LIMIT(amount)                                                       \
    "{\"object\":\"organization.spend_limit\",\"threshold_amount\":" amount \
    ",\"currency\":\"USD\",\"interval\":\"month\",\"enforcement\":"         \
    "{\"status\":\"enforcing\"}}"
    CHECK_STR(limit_of(LIMIT("10000"), &sl), "100");
    CHECK_STR(sl.currency, "usd");
    CHECK_STR(sl.interval, "month");
    CHECK_STR(sl.enforcement, "enforcing");
    CHECK_STR(limit_of(LIMIT("12345"), &sl), "123.45");
    CHECK_STR(limit_of(LIMIT("10000.0"), &sl), "100");
    CHECK_STR(limit_of(LIMIT("1.5"), &sl), "0.015");
    CHECK_STR(limit_of(LIMIT("0"), &sl), "unset");
    CHECK_STR(limit_of(LIMIT("0.0"), &sl), "unset");
    CHECK_STR(limit_of(LIMIT("null"), &sl), "unset");
    CHECK_STR(limit_of("{\"object\":\"project.spend_limit\"}", &sl), "unset");
    CHECK_STR(limit_of(LIMIT("-1"), &sl), "ERR");
    CHECK_STR(limit_of(LIMIT("\"100\""), &sl), "ERR");
    CHECK_STR(limit_of("[]", &sl), "ERR");
    CHECK_STR(limit_of("{\"threshold_amount\":100}", &sl), "ERR");
#undef LIMIT
    json_release();
}

int main(void)
{
    check_clock();
    check_finish();
    check_amount();
    check_file();
    check_spend_limit();
    TEST_END();
}
