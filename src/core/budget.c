/* budget.c - budget lines and the budgets file (see budget.h). */
#include "oaiusage/budget.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/timeutil.h"

#define DAY_S 86400LL
#define RATE_SPAN_S ((uint32_t)(BUDGET_RATE_DAYS * DAY_S))

void budget_clock_at(enum budget_period p, int64_t now, int64_t settle,
                     struct budget_clock *c)
{
    int64_t today = tu_floor_day(now);

    c->now = now;
    switch (p) {
    case BP_DAY:
        c->start = today;
        c->end = today + DAY_S;
        break;
    case BP_WEEK:
        c->start = tu_floor_week(now);
        c->end = c->start + 7 * DAY_S;
        break;
    case BP_MONTH:
    default:
        c->start = tu_floor_month(now);
        /* The first of the next month: a day past the 28th, floored. */
        c->end = tu_floor_month(c->start + 32 * DAY_S);
        break;
    }
    c->rate_end = today;
    c->rate_start = today - (int64_t)BUDGET_RATE_DAYS * DAY_S;
    c->fetch_start = c->rate_start < c->start ? c->rate_start : c->start;
    c->settled_end = now - settle;
}

const char *budget_period_name(enum budget_period p)
{
    return p == BP_DAY ? "day" : p == BP_WEEK ? "week" : "month";
}

const char *budget_state_name(enum budget_state s)
{
    return s == BS_OVER ? "over" : s == BS_WARN ? "warn" : "ok";
}

void budget_line_init(struct budget_line *l, const struct dec *budget)
{
    memset(l, 0, sizeof(*l));
    l->budget = *budget;
    l->runs_out = -1;
}

static int too_big(struct ou_err *err)
{
    return ou_fail(err, OU_E_DATA, "a budget value does not fit");
}

int budget_add_day(struct budget_line *l, const struct budget_clock *c,
                   int64_t day, const struct dec *amount, struct ou_err *err)
{
    if (day >= c->rate_start && day < c->rate_end &&
        dec_add(&l->rate_sum, amount) != DEC_OK)
        return too_big(err);
    if (day < c->start || day >= c->end || day >= c->now)
        return 0;
    if (dec_add(&l->spent, amount) != DEC_OK ||
        dec_add(&l->day[(day - c->start) / DAY_S], amount) != DEC_OK)
        return too_big(err);
    if (day + DAY_S > c->settled_end) {
        l->any_provisional = true;
        if (dec_add(&l->provisional, amount) != DEC_OK)
            return too_big(err);
    }
    return 0;
}

/* The day the cumulative spend first reached the budget. */
static int64_t day_reached(const struct budget_line *l,
                           const struct budget_clock *c)
{
    struct dec cum = DEC_ZERO;

    for (int i = 0; i < BUDGET_MAX_DAYS; i++) {
        int64_t day = c->start + (int64_t)i * DAY_S;
        if (day >= c->end || day >= c->now)
            break;
        if (dec_add(&cum, &l->day[i]) != DEC_OK)
            return -1;
        if (dec_cmp(&cum, &l->budget) >= 0)
            return day;
    }
    return -1;
}

/* When, at the run rate, the remaining budget is used up: a day within
 * the period, or -1. */
static int64_t run_out_day(const struct budget_line *l,
                           const struct budget_clock *c)
{
    struct dec num, secs;
    int64_t s;
    int64_t left = c->end - c->now;

    if (dec_is_zero(&l->rate_sum) || l->rate_sum.neg || left <= 0)
        return -1;
    if (dec_mul_u32(&l->remaining, RATE_SPAN_S, &num) != DEC_OK ||
        dec_div(&num, &l->rate_sum, 0, &secs) != DEC_OK ||
        !dec_to_int64(&secs, &s) || s >= left)
        return -1;
    return tu_floor_day(c->now + s);
}

int budget_finish(struct budget_line *l, const struct budget_clock *c,
                  const struct budget_rules *r, struct ou_err *err)
{
    int64_t left = c->end > c->now ? c->end - c->now : 0;
    struct dec hundred_spent, warn_line, to_come, num, span;
    bool over, warn_pct, warn_proj;

    l->remaining = l->budget;
    if (dec_sub(&l->remaining, &l->spent) != DEC_OK)
        return too_big(err);
    /* percent = spent * 100 / budget */
    if (dec_mul_u32(&l->spent, 100, &hundred_spent) != DEC_OK ||
        dec_div(&hundred_spent, &l->budget, BUDGET_PERCENT_SCALE,
                &l->percent) != DEC_OK)
        return too_big(err);
    /* projected = spent + rate_sum * left / RATE_SPAN_S, rounded once:
     * (spent * RATE_SPAN_S + rate_sum * left) / RATE_SPAN_S. */
    span = dec_from_int64(RATE_SPAN_S);
    if (dec_mul_u32(&l->rate_sum, (uint32_t)left, &to_come) != DEC_OK ||
        dec_mul_u32(&l->spent, RATE_SPAN_S, &num) != DEC_OK ||
        dec_add(&num, &to_come) != DEC_OK ||
        dec_div(&num, &span, BUDGET_PROJECTION_SCALE, &l->projected) != DEC_OK)
        return too_big(err);
    struct dec ndays = dec_from_int64(BUDGET_RATE_DAYS);
    if (dec_div(&l->rate_sum, &ndays, BUDGET_PROJECTION_SCALE,
                &l->daily_rate) != DEC_OK)
        return too_big(err);
    /* The state, from exact comparisons (never the rounded values). */
    over = dec_cmp(&l->spent, &l->budget) >= 0;
    if (dec_mul_u32(&l->budget, (uint32_t)r->warn_at, &warn_line) != DEC_OK)
        return too_big(err);
    warn_pct = dec_cmp(&hundred_spent, &warn_line) >= 0;
    /* projected >= budget  <=>  remaining * RATE_SPAN_S <= rate_sum * left */
    struct dec rem_span;
    if (dec_mul_u32(&l->remaining, RATE_SPAN_S, &rem_span) != DEC_OK)
        return too_big(err);
    warn_proj = r->warn_on_projection && dec_cmp(&rem_span, &to_come) <= 0;
    l->warn_percent = warn_pct;
    l->state = over ? BS_OVER : warn_pct || warn_proj ? BS_WARN : BS_OK;
    l->runs_out = over ? day_reached(l, c) : run_out_day(l, c);
    return 0;
}

/* ---- the budgets file ------------------------------------------------- */

void budget_file_release(struct budget_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].project);
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

/* One CSV field from *p (up to the line's end e) into out (size n):
 * plain, or double-quoted with "" for a quote. false when malformed. */
static bool csv_field(const char **p, const char *e, char *out, size_t n)
{
    const char *s = *p;
    size_t o = 0;

    if (s < e && *s == '"') {
        for (s++;; s++) {
            if (s >= e)
                return false; /* no closing quote */
            if (*s == '"') {
                if (s + 1 < e && s[1] == '"')
                    s++;
                else
                    break;
            }
            if (o + 1 >= n)
                return false;
            out[o++] = *s;
        }
        s++;
        if (s < e && *s != ',')
            return false;
    } else {
        for (; s < e && *s != ','; s++) {
            if (*s == '"' || o + 1 >= n)
                return false;
            out[o++] = *s;
        }
    }
    out[o] = '\0';
    *p = s;
    return true;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    size_t i = 0;

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, n - i + 1);
}

bool budget_amount_parse(const char *s, struct dec *out)
{
    size_t n = strlen(s);
    size_t ip = strspn(s, "0123456789");
    size_t fp = s[ip] == '.' ? strspn(s + ip + 1, "0123456789") : 0;

    if (ip == 0 || ip > 12 || fp > 6 || ip + (fp > 0 ? fp + 1 : 0) != n)
        return false;
    return dec_parse(s, n, out) == DEC_OK && !dec_is_zero(out);
}

static bool same_ci(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    }
    return *a == *b;
}

static int parse_line(const char *s, const char *e, int line, bool first,
                      const char *what, struct budget_file *f,
                      struct ou_err *err)
{
    char project[512];
    char amount[128];
    const char *p = s;
    struct dec d;

    if (!csv_field(&p, e, project, sizeof(project)) || p >= e || *p != ',' ||
        (p++, !csv_field(&p, e, amount, sizeof(amount))) || p != e)
        return ou_fail(err, OU_E_USAGE, "%s line %d: expected project,amount",
                       what, line);
    trim(project);
    trim(amount);
    if (first && same_ci(project, "project") && same_ci(amount, "amount"))
        return 0; /* the header */
    if (project[0] == '\0')
        return ou_fail(err, OU_E_USAGE, "%s line %d: no project", what, line);
    if (!budget_amount_parse(amount, &d))
        return ou_fail(err, OU_E_USAGE,
                       "%s line %d: the amount \"%s\" is not a plain "
                       "decimal greater than 0 (e.g. 1500 or 99.95; at "
                       "most 12 digits and 6 decimals)",
                       what, line, amount);
    if (f->n >= BUDGET_MAX_LINES)
        return ou_fail(err, OU_E_USAGE, "%s: more than %d budgets", what,
                       BUDGET_MAX_LINES);
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->v[i].project, project) == 0)
            return ou_fail(err, OU_E_USAGE,
                           "%s line %d: %s already has a budget (line %d)",
                           what, line, project, f->v[i].line);
    }
    struct budget_entry *v = realloc(f->v, (f->n + 1) * sizeof(*v));
    if (v == NULL)
        return ou_nomem(err);
    f->v = v;
    if ((v[f->n].project = strdup(project)) == NULL)
        return ou_nomem(err);
    v[f->n].amount = d;
    v[f->n].line = line;
    f->n++;
    return 0;
}

int budget_file_parse(const char *text, size_t len, const char *what,
                      struct budget_file *f, struct ou_err *err)
{
    const char *p = text;
    const char *end = text + len;
    int line = 0;
    bool first = true;

    memset(f, 0, sizeof(*f));
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a spreadsheet's byte order mark */
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *next = e != NULL ? e + 1 : end;
        if (e == NULL)
            e = end;
        line++;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (memchr(p, '\0', (size_t)(e - p)) != NULL) {
            budget_file_release(f);
            return ou_fail(err, OU_E_USAGE, "%s line %d: a NUL byte", what,
                           line);
        }
        if (q < e && *q != '#') {
            const char *t = e;
            while (t > p && t[-1] == '\r')
                t--;
            int rc = parse_line(p, t, line, first, what, f, err);
            first = false;
            if (rc != 0) {
                budget_file_release(f);
                return rc;
            }
        }
        p = next;
    }
    if (f->n == 0)
        return ou_fail(err, OU_E_USAGE, "%s: no budgets in it", what);
    return 0;
}
