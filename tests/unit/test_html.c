/* The HTML report from hand-built aggregates: money per currency (tables
 * and charts), exact totals, 64-bit overflow as a data error, and a
 * well-formed document. Expected values are worked out by hand here. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "oaiusage/agg.h"
#include "oaiusage/html.h"
#include "oaiusage/names.h"
#include "oaiusage/record.h"
#include "oaiusage/svg.h"
#include "test.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define NDAYS 3

struct use_rec {
    int day;
    const char *model;
    const char *project;
    int64_t req, in, out;
};

struct cost_rec {
    int day;
    const char *item;
    const char *project;
    const char *amount;
    const char *cur;
};

/* The report's aggregates: completions by model and project, per day (or
 * per hourly bucket); costs by line item, project and the model derived
 * from the line item, per day. */
static struct agg *new_agg(const char *command, const char *key0, bool hourly)
{
    const struct endpoint *ep = endpoint_find(command);
    bool costs = strcmp(command, "costs") == 0;
    struct agg_spec spec = { ep,
                             costs ? 3 : 2,
                             { endpoint_group_index(ep, key0),
                               endpoint_group_index(ep, "project_id"),
                               endpoint_group_index(ep, "model") },
                             hourly ? TU_PER_BUCKET : TU_PER_DAY,
                             false,
                             NULL };
    struct agg *a = agg_new(&spec);
    struct ou_err err;
    int64_t step = hourly ? 3600 : DAY;
    int n = hourly ? 24 : NDAYS;
    for (int d = 0; a != NULL && d < n; d++)
        CHECK(agg_bucket(a, T0 + d * step, T0 + (d + 1) * step, &err) == 0);
    return a;
}

static void start_record(const struct endpoint *ep, struct record *r, int day,
                         const char *key0, const char *key0_value,
                         const char *project)
{
    memset(r, 0, sizeof(*r));
    r->start_time = T0 + (int64_t)day * DAY;
    r->end_time = r->start_time + DAY;
    r->group[endpoint_group_index(ep, key0)] = key0_value;
    r->group[endpoint_group_index(ep, "project_id")] = project;
}

/* With hourly, a record's day is its hour. */
static struct agg *usage_agg_at(const struct use_rec *in, int n, bool hourly)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct agg *a = new_agg("completions", "model", hourly);
    struct ou_err err;
    struct record r;

    for (int i = 0; i < n; i++) {
        start_record(ep, &r, in[i].day, "model", in[i].model, in[i].project);
        if (hourly) {
            r.start_time = T0 + (int64_t)in[i].day * 3600;
            r.end_time = r.start_time + 3600;
        }
        r.ival[endpoint_metric_index(ep, "num_model_requests")] = in[i].req;
        r.ival[endpoint_metric_index(ep, "input_tokens")] = in[i].in;
        r.ival[endpoint_metric_index(ep, "output_tokens")] = in[i].out;
        CHECK(agg_add(a, &r, &err) == 0);
    }
    CHECK(agg_finish(a, &err) == 0);
    return a;
}

static struct agg *usage_agg(const struct use_rec *in, int n)
{
    return usage_agg_at(in, n, false);
}

static struct agg *costs_agg(const struct cost_rec *in, int n)
{
    const struct endpoint *ep = endpoint_find("costs");
    struct agg *a = new_agg("costs", "line_item", false);
    int m_amt = endpoint_metric_index(ep, "amount");
    struct ou_err err;
    struct record r;
    struct buf scratch;

    buf_init(&scratch, 0);
    for (int i = 0; i < n; i++) {
        start_record(ep, &r, in[i].day, "line_item", in[i].item, in[i].project);
        CHECK(record_derive(ep, &r, &scratch) == 0); /* the model */
        CHECK(dec_parse(in[i].amount, strlen(in[i].amount), &r.dval[m_amt]) ==
              DEC_OK);
        r.present[m_amt] = true;
        r.text[endpoint_metric_index(ep, "currency")] = in[i].cur;
        CHECK(agg_add(a, &r, &err) == 0);
    }
    buf_release(&scratch);
    CHECK(agg_finish(a, &err) == 0);
    return a;
}

static int render_with(const struct agg *u, const struct agg *c,
                       const struct names *names, int64_t step, struct buf *out,
                       struct ou_err *err)
{
    struct html_input in = { u,
                             c,
                             names,
                             T0,
                             T0 + (step == DAY ? NDAYS * DAY : DAY),
                             T0 + 5 * DAY,
                             "http://127.0.0.1:9/v1?a&b",
                             NULL,
                             step,
                             false };
    buf_init(out, 0);
    memset(err, 0, sizeof(*err));
    return html_report(&in, out, err);
}

static int render(const struct agg *u, const struct agg *c, struct buf *out,
                  struct ou_err *err)
{
    return render_with(u, c, NULL, DAY, out, err);
}

static int count(const char *doc, const char *s)
{
    int n = 0;
    for (const char *p = doc; (p = strstr(p, s)) != NULL; p += strlen(s))
        n++;
    return n;
}

/* The text of <section id="ID"> (a copy, "" when absent). */
static char *section(const char *doc, const char *id)
{
    char open[64];
    snprintf(open, sizeof(open), "<section id=\"%s\">", id);
    const char *p = strstr(doc, open);
    const char *e = p ? strstr(p, "</section>") : NULL;
    size_t n = p && e ? (size_t)(e - p) : 0;
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p ? p : "", n);
        s[n] = '\0';
    }
    return s;
}

static bool section_has(const char *doc, const char *id, const char *s)
{
    char *sec = section(doc, id);
    bool has = sec != NULL && strstr(sec, s) != NULL;
    free(sec);
    return has;
}

/* The document parses as XML (xmllint), when xmllint is installed. */
static void well_formed(const char *doc)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        printf("xmllint not found: well-formedness not checked\n");
        return;
    }
    char path[] = "/tmp/test_html_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    size_t n = strlen(doc);
    CHECK(write(fd, doc, n) == (ssize_t)n);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
    CHECK(system(cmd) == 0);
    unlink(path);
}

static const struct use_rec use_rows[] = {
    { 0, "gpt-4o", "proj_a", 10, 1000, 200 },
    { 0, "o3-mini", "proj_b", 5, 500, 50 },
    { 1, "gpt-4o", "proj_b", 3, 300, 30 },
    { 2, "o3-mini", "proj_a", 7, 700, 70 },
};

/* usd: web search 0.333, gpt-4o input 0.1 + 0.2 = 0.3; total 0.633.
 * eur: file storage 12345678901234567.01 (beyond a double's precision),
 * web search 10, gpt-4o input 2.5; total 12345678901234579.51. */
static const struct cost_rec cost_rows[] = {
    { 0, "gpt-4o, input", "proj_a", "0.1", "usd" },
    { 1, "gpt-4o, input", "proj_a", "0.2", "usd" },
    { 0, "gpt-4o, input", "proj_b", "2.5", "eur" },
    { 1, "web search", "proj_a", "0.333", "usd" },
    { 2, "web search", "proj_b", "10", "eur" },
    { 2, "file storage", "proj_a", "12345678901234567.01", "eur" },
};

/* The report of the sample completions and these costs, checked to
 * render and to parse as XML; free() it. */
static char *report(const struct cost_rec *costs, int n)
{
    struct agg *u = usage_agg(use_rows, 4);
    struct agg *c = costs_agg(costs, n);
    struct buf out;
    struct ou_err err;
    size_t len;

    CHECK(render(u, c, &out, &err) == 0);
    char *doc = out.data ? buf_detach(&out, &len) : strdup("");
    well_formed(doc);
    agg_free(u);
    agg_free(c);
    return doc;
}

static void models_table(const char *doc)
{
    /* gpt-4o 13 requests, 1,300 in, 230 out; o3-mini 12, 1,200, 120. */
    CHECK(strstr(doc, "<tbody><tr><td>gpt-4o</td><td class=\"n\">13</td>"
                      "<td class=\"n\">1,300</td><td class=\"n\">230</td>"
                      "</tr><tr><td>o3-mini</td><td class=\"n\">12</td>"
                      "<td class=\"n\">1,200</td><td class=\"n\">120</td>"
                      "</tr></tbody>") != NULL);
    CHECK(strstr(doc, "<tfoot><tr><td>TOTAL</td><td class=\"n\">25</td>"
                      "<td class=\"n\">2,500</td><td class=\"n\">350</td>"
                      "</tr></tfoot>") != NULL);
}

static void two_currencies(void)
{
    char *doc = report(cost_rows, 6);

    models_table(doc);
    /* One row per line item and currency: eur first, largest first. */
    CHECK(strstr(doc,
                 "<tbody><tr><td>file storage</td>"
                 "<td class=\"n\">12,345,678,901,234,567.01</td><td>eur</td>"
                 "</tr><tr><td>web search</td><td class=\"n\">10</td>"
                 "<td>eur</td></tr><tr><td>gpt-4o, input</td>"
                 "<td class=\"n\">2.5</td><td>eur</td></tr>"
                 "<tr><td>web search</td><td class=\"n\">0.333</td>"
                 "<td>usd</td></tr><tr><td>gpt-4o, input</td>"
                 "<td class=\"n\">0.3</td><td>usd</td></tr></tbody>") != NULL);
    /* One exact TOTAL per currency, by currency code; none mixes them. */
    CHECK(strstr(doc,
                 "<tfoot><tr><td>TOTAL</td>"
                 "<td class=\"n\">12,345,678,901,234,579.51</td><td>eur</td>"
                 "</tr><tr><td>TOTAL</td><td class=\"n\">0.633</td>"
                 "<td>usd</td></tr></tfoot>") != NULL);
    /* TOTALs: completions, then per currency by project, model, line item */
    CHECK(count(doc, "<td>TOTAL</td>") == 7);
    CHECK(strstr(doc, "12,345,678,901,234,580.143") == NULL);
    CHECK(strstr(doc, "<td></td></tr></tfoot>") == NULL);
    /* Each cost chart once per currency, summed per currency. */
    CHECK(count(doc, "<title>Total cost per day (eur)</title>") == 1);
    CHECK(count(doc, "<title>Total cost per day (usd)</title>") == 1);
    CHECK(count(doc, "<title>Cost per day by line item (eur)</title>") == 1);
    CHECK(count(doc, "<title>Cost per day by line item (usd)</title>") == 1);
    CHECK(strstr(doc, "<title>Total cost per day</title>") == NULL);
    CHECK(strstr(doc, "<section id=\"cost\">") == NULL);
    CHECK(section_has(doc, "cost-usd", "cost, 2025-01-01: $0.10</title>"));
    CHECK(section_has(doc, "cost-usd", "cost, 2025-01-02: $0.53</title>"));
    CHECK(section_has(doc, "cost-usd", ">USD</text>"));
    CHECK(section_has(doc, "cost-eur", "cost, 2025-01-01: 2.5</title>"));
    CHECK(section_has(doc, "cost-eur", ">EUR</text>"));
    CHECK(!section_has(doc, "cost-eur", "$"));
    CHECK(!section_has(doc, "line-items-eur", "$"));
    CHECK(section_has(doc, "line-items-eur", "web search, 2025-01-03: 10"));
    CHECK(section_has(doc, "line-items-usd",
                      "gpt-4o, input, 2025-01-02: $0.20</title>"));
    CHECK(!section_has(doc, "line-items-usd", "file storage"));
    /* The other charts are there: four cost charts per currency. */
    CHECK(count(doc, "<svg ") == 11);
    free(doc);
}

/* One currency: the report as it always was (no suffix, TOTAL's currency
 * cell empty, dollars on the axis). */
static void one_currency(void)
{
    static const struct cost_rec usd[] = {
        { 0, "gpt-4o, input", "proj_a", "0.1", "usd" },
        { 1, "gpt-4o, input", "proj_a", "0.2", "usd" },
        { 1, "web search", "proj_a", "0.333", "usd" },
    };
    char *doc = report(usd, 3);

    models_table(doc);
    CHECK(strstr(doc, "<tfoot><tr><td>TOTAL</td><td class=\"n\">0.633</td>"
                      "<td></td></tr></tfoot>") != NULL);
    CHECK(count(doc, "<title>Total cost per day</title>") == 1);
    CHECK(count(doc, "<title>Cost per day by line item</title>") == 1);
    CHECK(section_has(doc, "cost", ">USD</text>"));
    CHECK(section_has(doc, "line-items", "$"));
    CHECK(strstr(doc, "cost-usd") == NULL);
    free(doc);

    /* No costs at all: it says so instead of an empty chart; the totals
     * table keeps its zero TOTAL. */
    doc = report(usd, 0);
    CHECK(strstr(doc, "<tbody></tbody><tfoot><tr><td>TOTAL</td>"
                      "<td class=\"n\">0</td><td></td></tr></tfoot>") != NULL);
    CHECK(strstr(doc, "<section id=\"costs\"><p class=\"empty\">No billed "
                      "cost in this window.</p></section>") != NULL);
    CHECK(count(doc, "<title>Total cost per day</title>") == 0);
    free(doc);

    /* One other currency: its own code on the axis, no "$". */
    static const struct cost_rec eur[] = {
        { 0, "web search", "proj_a", "1.5", "eur" },
    };
    doc = report(eur, 1);
    CHECK(count(doc, "<title>Total cost per day</title>") == 1);
    CHECK(section_has(doc, "cost", ">EUR</text>"));
    CHECK(!section_has(doc, "cost", "$"));
    CHECK(strstr(doc, "<td>TOTAL</td><td class=\"n\">1.5</td><td></td>") !=
          NULL);
    free(doc);
}

/* A currency code is text from the API: escaped, and a safe section id. */
static void odd_currency(void)
{
    static const struct cost_rec odd[] = {
        { 0, "web search", "proj_a", "1", "usd" },
        { 0, "web search", "proj_a", "2", "a&b <c>" },
    };
    char *doc = report(odd, 2);

    CHECK(strstr(doc, "<section id=\"cost-a_26b_20_3cc_3e\">") != NULL);
    CHECK(
        strstr(doc, "<title>Total cost per day (a&amp;b &lt;c&gt;)</title>") !=
        NULL);
    CHECK(strstr(doc, "<td>TOTAL</td><td class=\"n\">2</td>"
                      "<td>a&amp;b &lt;c&gt;</td>") != NULL);
    free(doc);
}

/* Rows whose sums stay in range for the aggregate (a negative row follows
 * each large one) but not per model, or not in the TOTAL row. */
static void overflow(void)
{
    const int64_t max = INT64_MAX;
    /* gpt-4o: max + max overflows. */
    const struct use_rec per_model[] = {
        { 0, "gpt-4o", "proj_a", 2, max, 0 },
        { 0, "o3-mini", "proj_a", 1, -max, 0 },
        { 1, "gpt-4o", "proj_a", 2, max, 0 },
        { 1, "o3-mini", "proj_a", 1, -max, 0 },
    };
    /* Per model: a = max, x = -max + max + 1 = 1, b = -max - 1 = INT64_MIN,
     * all in range; TOTAL: a + x overflows. */
    const struct use_rec total[] = {
        { 0, "a", "proj_a", 2, max, 0 }, { 0, "x", "proj_a", 1, -max, 0 },
        { 1, "x", "proj_a", 2, max, 0 }, { 1, "b", "proj_a", 1, -max, 0 },
        { 2, "x", "proj_a", 2, 1, 0 },   { 2, "b", "proj_a", 1, -1, 0 },
    };
    const struct use_rec *cases[] = { per_model, total };
    const int ncase[] = { 4, 6 };
    struct agg *c = costs_agg(cost_rows, 6);

    for (int k = 0; k < 2; k++) {
        struct agg *u = usage_agg(cases[k], ncase[k]);
        struct buf out;
        struct ou_err err;
        CHECK(render(u, c, &out, &err) == OU_E_DATA);
        CHECK(err.cat == OU_E_DATA);
        CHECK_STR(err.msg, "input_tokens total overflows a 64-bit integer");
        CHECK(out.len == 0); /* nothing written before the sums are known */
        buf_release(&out);
        agg_free(u);
    }
    agg_free(c);
}

/* Cost by project and by model, exact and per currency (by hand from
 * cost_rows: the model is the line item's part before ", "). */
static void cost_groups(void)
{
    char *doc = report(cost_rows, 6);

    CHECK(strstr(doc, "<table id=\"projects-table\"><thead><tr><th>project"
                      "</th><th class=\"n\">amount</th><th>currency</th>"
                      "</tr></thead><tbody><tr><td>proj_a</td>"
                      "<td class=\"n\">12,345,678,901,234,567.01</td>"
                      "<td>eur</td></tr><tr><td>proj_b</td>"
                      "<td class=\"n\">12.5</td><td>eur</td></tr>"
                      "<tr><td>proj_a</td><td class=\"n\">0.633</td>"
                      "<td>usd</td></tr></tbody>") != NULL);
    CHECK(strstr(doc,
                 "<tbody><tr><td>(no model)</td>"
                 "<td class=\"n\">12,345,678,901,234,577.01</td>"
                 "<td>eur</td></tr><tr><td>gpt-4o</td>"
                 "<td class=\"n\">2.5</td><td>eur</td></tr>"
                 "<tr><td>(no model)</td><td class=\"n\">0.333</td>"
                 "<td>usd</td></tr><tr><td>gpt-4o</td>"
                 "<td class=\"n\">0.3</td><td>usd</td></tr></tbody>") != NULL);
    CHECK(count(doc, "<title>Cost by project (eur)</title>") == 1);
    CHECK(count(doc, "<title>Cost by model (usd)</title>") == 1);
    CHECK(section_has(doc, "project-costs-usd", "cost, proj_a: $0.63</title>"));
    CHECK(section_has(doc, "model-costs-eur", "cost, gpt-4o: 2.5</title>"));
    CHECK(
        section_has(doc, "model-costs-usd", "cost, (no model): $0.33</title>"));
    free(doc);
}

/* Two projects with one name read differently: each with the shortest
 * distinct tail of its id; the tables keep the id beside the name. */
static void same_names(void)
{
    struct names *nm = names_new();
    struct agg *u = usage_agg(use_rows, 4);
    struct agg *c = costs_agg(cost_rows, 6);
    struct buf out;
    struct ou_err err;

    CHECK(nm != NULL && names_put(nm, NK_PROJECT, "proj_a", "Same") == 0 &&
          names_put(nm, NK_PROJECT, "proj_b", "Same") == 0);
    CHECK(render_with(u, c, nm, DAY, &out, &err) == 0);
    CHECK(out.data != NULL);
    if (out.data != NULL) {
        well_formed(out.data);
        CHECK(section_has(out.data, "models", ">Same (\xe2\x80\xa6oj_a)<"));
        CHECK(section_has(out.data, "models", ">Same (\xe2\x80\xa6oj_b)<"));
        CHECK(strstr(out.data, ">Same<") == NULL);
        CHECK(strstr(out.data, ">Same (") != NULL);
        CHECK(strstr(out.data, "<td>Same (\xe2\x80\xa6oj_a) <span "
                               "class=\"id\">proj_a</span></td>") != NULL);
    }
    buf_release(&out);
    names_free(nm);
    agg_free(u);
    agg_free(c);
}

/* A one-day window fetched hourly: 24 slots per UTC hour. */
static void hourly(void)
{
    static const struct use_rec hours[] = {
        { 5, "gpt-4o", "proj_a", 1, 1500, 20 },
        { 23, "gpt-4o", "proj_b", 2, 700, 30 },
    };
    struct agg *u = usage_agg_at(hours, 2, true);
    struct agg *c = costs_agg(cost_rows, 6);
    struct buf out;
    struct ou_err err;

    CHECK(render_with(u, c, NULL, 3600, &out, &err) == 0);
    const char *doc = out.data != NULL ? out.data : "";
    well_formed(doc);
    CHECK(count(doc, "<title>Hourly input vs output tokens</title>") == 1);
    CHECK(section_has(doc, "tokens", "per UTC hour, 2025-01-01 to 2025-01-01"));
    CHECK(section_has(doc, "tokens",
                      "input tokens, 2025-01-01 05:00: 1.5k</title>"));
    CHECK(section_has(doc, "tokens",
                      "output tokens, 2025-01-01 23:00: 30</title>"));
    CHECK(section_has(doc, "tokens", ">2025-01-01 00:00<"));
    CHECK(count(doc, "<title>input tokens, ") == 2);
    CHECK(strstr(doc, "Window: 2025-01-01 to 2025-01-01,") != NULL);
    buf_release(&out);
    agg_free(u);
    agg_free(c);
}

/* The colour of the legend entry name in section id, into col. */
static void legend_fill(const char *doc, const char *id, const char *name,
                        char col[8])
{
    char *sec = section(doc, id);
    char want[64];
    snprintf(want, sizeof(want), ">%s</tspan>", name);
    char *at = sec != NULL ? strstr(sec, want) : NULL;
    col[0] = '\0';
    /* the swatch is the <rect> just before the entry's text */
    while (at != NULL && at > sec && strncmp(at, "<rect ", 6) != 0)
        at--;
    at = at != NULL && at > sec ? strstr(at, "fill=\"") : NULL;
    if (at != NULL)
        snprintf(col, 8, "%s", at + 6);
    free(sec);
}

/* A project keeps its colour whatever its rank: its home colour, the
 * FNV-1a hash of its id modulo 12, worked out apart (python: proj_a 6,
 * proj_b 11), as the two do not collide. */
static void stable_colors(void)
{
    static const struct use_rec swapped[] = {
        { 0, "gpt-4o", "proj_a", 1, 1000, 200 },
        { 0, "o3-mini", "proj_b", 50, 500, 50 },
    };
    const struct use_rec *cases[] = { use_rows, swapped };
    const int ncase[] = { 4, 2 };
    struct agg *c = costs_agg(cost_rows, 6);

    for (int k = 0; k < 2; k++) {
        struct agg *u = usage_agg(cases[k], ncase[k]);
        struct buf out;
        struct ou_err err;
        char a[8], b[8];
        CHECK(render_with(u, c, NULL, DAY, &out, &err) == 0);
        legend_fill(out.data ? out.data : "", "models", "proj_a", a);
        legend_fill(out.data ? out.data : "", "models", "proj_b", b);
        CHECK_STR(a, svg_color(6));
        CHECK_STR(b, svg_color(11));
        CHECK(strcmp(svg_color(6), "#F0E442") == 0);
        buf_release(&out);
        agg_free(u);
    }
    agg_free(c);
}

int main(void)
{
    cost_groups();
    same_names();
    hourly();
    stable_colors();
    two_currencies();
    one_currency();
    odd_currency();
    overflow();
    TEST_END();
}
