/* Formats: CSV quoting and columns, JSON types, the table's layout. The
 * expected texts are written out by hand from the output contract. */
#include "oaiusage/fmt.h"
#include "oaiusage/report.h"
#include "test.h"

static struct agg *completions_agg(bool records, enum tu_period per)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct agg_spec spec = { ep, 2, { 0 }, per, records, NULL };
    struct ou_err err;
    struct record r;
    static const struct {
        const char *model;
        const char *batch;
        int64_t in, out, req;
    } rows[] = {
        { "gpt-4o", "true", 1234567, 890, 12 },
        { "a \"quoted\", model", "false", 5, 6, 1 },
        { NULL, NULL, 1000, 0, 3 },
    };

    spec.group[0] = endpoint_group_index(ep, "model");
    spec.group[1] = endpoint_group_index(ep, "batch");
    struct agg *a = agg_new(&spec);
    agg_bucket(a, 1736553600, 1736640000, &err);
    for (size_t i = 0; i < 3; i++) {
        memset(&r, 0, sizeof(r));
        r.start_time = 1736553600;
        r.end_time = 1736640000;
        r.group[spec.group[0]] = rows[i].model;
        r.group[spec.group[1]] = rows[i].batch;
        r.ival[0] = rows[i].in;
        r.ival[endpoint_metric_index(ep, "output_tokens")] = rows[i].out;
        r.ival[endpoint_metric_index(ep, "num_model_requests")] = rows[i].req;
        agg_add(a, &r, &err);
    }
    agg_finish(a, &err);
    return a;
}

static struct buf rendered;

static const char *render(struct agg *a, enum fmt_kind kind, bool header)
{
    struct report_meta m = { 1736553600, 1736640000, "1d", 0 };
    struct ou_err err;
    struct grid g;
    int rc;

    buf_release(&rendered);
    grid_init(&g, "oaiusage.report");
    rc = report_grid(a, NULL, &m, &g, &err);
    if (rc == 0)
        rc = fmt_grid(&g, kind, header, &rendered, &err);
    grid_release(&g);
    return rc == 0 ? rendered.data : "RENDER FAILED";
}

/* --csv-safe: text cells that a spreadsheet would run as formulas get a
 * leading quote; numbers (also negative ones) and empty cells do not. */
static void csv_safe(void)
{
    static const char *const names[] = { "=HYPERLINK(\"http://x\",\"c\")",
                                         "+1",
                                         "-2",
                                         "@cmd",
                                         "\tx",
                                         "\rx",
                                         "plain",
                                         "a=b" };
    static const char *const want[] = {
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"c\"\")\"",
        "'+1",
        "'-2",
        "'@cmd",
        "'\tx",
        "\"'\rx\"",
        "plain",
        "a=b"
    };
    struct ou_err err;
    struct grid g;
    struct buf out;

    for (int safe = 0; safe < 2; safe++) {
        grid_init(&g, "oaiusage.list");
        grid_add_col(&g, &(struct grid_col){ "name", true, false, false, false,
                                             NULL, false });
        grid_add_col(&g, &(struct grid_col){ "n", true, false, false, false,
                                             NULL, false });
        for (size_t i = 0; i < 8; i++) {
            struct cell *row = grid_add_row(&g, false);
            row[0].kind = CELL_TEXT;
            row[0].s = names[i];
            row[1].kind = CELL_INT;
            row[1].s = "-5";
        }
        g.csv_safe = safe != 0;
        buf_init(&out, 0);
        CHECK(fmt_grid(&g, FMT_CSV, false, &out, &err) == 0);
        const char *line = out.data;
        for (size_t i = 0; i < 8 && line != NULL; i++) {
            struct buf w;
            buf_init(&w, 0);
            if (safe)
                buf_printf(&w, "%s,-5\r\n", want[i]);
            else
                fmt_csv_field(&w, names[i]), buf_puts(&w, ",-5\r\n");
            CHECK(strncmp(line, w.data, w.len) == 0);
            line += w.len;
            buf_release(&w);
        }
        buf_release(&out);
        grid_release(&g);
    }
}

/* Money for people: rounded once to the cent, half away from zero. */
static void money(void)
{
    static const struct {
        const char *amount, *currency, *want;
    } cases[] = {
        { "5698.505", "usd", "$5,698.51" },
        { "5698.5049999", "usd", "$5,698.50" },
        { "-3.195", "usd", "-$3.20" },
        { "0.009", "usd", "<$0.01" },
        { "0.004", "usd", "<$0.01" },
        { "-0.004", "usd", "-<$0.01" },
        { "0", "usd", "$0.00" },
        { "0.01", "usd", "$0.01" },
        { "1200.5", "eur",
          "\xE2\x82\xAC"
          "1,200.50" },
        { "7", "gbp",
          "\xC2\xA3"
          "7.00" },
        { "12", "chf", "12.00 CHF" },
        { "12", NULL, "12.00" },
        { "1234567890123.994", "usd", "$1,234,567,890,123.99" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dec d;
        char out[MONEY_FMT_MAX];
        dec_parse(cases[i].amount, strlen(cases[i].amount), &d);
        money_format(&d, cases[i].currency, out, sizeof(out));
        CHECK_STR(out, cases[i].want);
    }
}

/* The title: the window as people read it (the last day included), the
 * grouping, the period; a period the window cuts marked '*'. The bucket
 * of the aggregate is 2025-01-11 (a Saturday: ISO week from 01-06). */
static void title(void)
{
    struct agg *a = completions_agg(false, TU_PER_WEEK);
    struct report_meta m = { 1736553600, 1736640000, "1d", 0 };
    struct grid g;
    struct ou_err err;

    grid_init(&g, "oaiusage.report");
    CHECK(report_grid(a, NULL, &m, &g, &err) == 0);
    CHECK(report_title(a, &m, "project p1, p2", &g) == 0);
    CHECK_STR(g.title, "completions, 2025-01-11 UTC, by model, batch, per "
                       "week; project p1, p2; * a period the window does "
                       "not cover whole");
    CHECK(g.nrows > 0 && g.cells[0].display != NULL &&
          strcmp(g.cells[0].display, "2025-01-06*") == 0);
    grid_release(&g);
    /* A window of whole days ending at midnight: the last day included. */
    struct report_meta m2 = { 1736553600, 1736812800, "1d", 0 };
    grid_init(&g, "oaiusage.report");
    CHECK(report_grid(a, NULL, &m2, &g, &err) == 0);
    CHECK(report_title(a, &m2, NULL, &g) == 0);
    CHECK(strncmp(g.title, "completions, 2025-01-11 to 2025-01-13 UTC", 41) ==
          0);
    grid_release(&g);
    /* Ending mid-day: the time. */
    struct report_meta m3 = { 1736553600, 1736600000, "1d", 0 };
    grid_init(&g, "oaiusage.report");
    CHECK(report_grid(a, NULL, &m3, &g, &err) == 0);
    CHECK(report_title(a, &m3, NULL, &g) == 0);
    CHECK(strncmp(g.title, "completions, 2025-01-11 to 2025-01-11 12:53 UTC",
                  47) == 0);
    grid_release(&g);
    agg_free(a);
}

int main(void)
{
    money();
    title();
    csv_safe();
    struct buf b;

    buf_init(&b, 0);
    fmt_csv_field(&b, "plain");
    buf_putc(&b, '|');
    fmt_csv_field(&b, "a,b");
    buf_putc(&b, '|');
    fmt_csv_field(&b, "say \"hi\"");
    buf_putc(&b, '|');
    fmt_csv_field(&b, "two\nlines\r");
    CHECK_STR(b.data, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\r\"");
    buf_release(&b);

    struct agg *a = completions_agg(false, TU_PER_NONE);
    CHECK_STR(
        render(a, FMT_CSV, true),
        "model,batch,input_tokens,input_cached_tokens,"
        "input_cache_write_tokens,input_cache_write_12h_tokens,"
        "input_uncached_tokens,output_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,"
        "input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,"
        "input_image_tokens,input_cached_image_tokens,output_image_tokens,"
        "num_model_requests\r\n"
        "gpt-4o,true,1234567,0,0,0,0,890,0,0,0,0,0,0,0,0,0,12\r\n"
        ",,1000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3\r\n"
        "\"a \"\"quoted\"\", model\",false,5,0,0,0,0,6,0,0,0,0,0,0,0,0,0,1\r\n");
    /* Expected layout generated by an independent Python rendering of the
     * contract (ljust text, rjust numbers, two-space gaps, rules). */
    CHECK_STR(
        render(a, FMT_TABLE, true),
        "model              batch   total_tokens  input_tokens  input_cached_tokens  output_tokens  num_model_requests\n"
        "-----------------  ------  ------------  ------------  -------------------  -------------  ------------------\n"
        "gpt-4o             true       1,235,457     1,234,567                    0            890                  12\n"
        "(none)             (none)         1,000         1,000                    0              0                   3\n"
        "a \"quoted\", model  false             11             5                    0              6                   1\n"
        "-----------------  ------  ------------  ------------  -------------------  -------------  ------------------\n"
        "TOTAL                         1,236,468     1,235,572                    0            896                  16\n");
    CHECK_STR(render(a, FMT_NDJSON, true),
              "{\"model\":\"gpt-4o\",\"batch\":true,\"input_tokens\":1234567,"
              "\"input_cached_tokens\":0,\"input_cache_write_tokens\":0,"
              "\"input_cache_write_12h_tokens\":0,"
              "\"input_uncached_tokens\":0,\"output_tokens\":890,"
              "\"input_text_tokens\":0,\"output_text_tokens\":0,"
              "\"input_cached_text_tokens\":0,\"input_audio_tokens\":0,"
              "\"input_cached_audio_tokens\":0,\"output_audio_tokens\":0,"
              "\"input_image_tokens\":0,\"input_cached_image_tokens\":0,"
              "\"output_image_tokens\":0,\"num_model_requests\":12}\n"
              "{\"model\":null,\"batch\":null,\"input_tokens\":1000,"
              "\"input_cached_tokens\":0,\"input_cache_write_tokens\":0,"
              "\"input_cache_write_12h_tokens\":0,"
              "\"input_uncached_tokens\":0,\"output_tokens\":0,"
              "\"input_text_tokens\":0,\"output_text_tokens\":0,"
              "\"input_cached_text_tokens\":0,\"input_audio_tokens\":0,"
              "\"input_cached_audio_tokens\":0,\"output_audio_tokens\":0,"
              "\"input_image_tokens\":0,\"input_cached_image_tokens\":0,"
              "\"output_image_tokens\":0,\"num_model_requests\":3}\n"
              "{\"model\":\"a \\\"quoted\\\", model\",\"batch\":false,"
              "\"input_tokens\":5,\"input_cached_tokens\":0,"
              "\"input_cache_write_tokens\":0,"
              "\"input_cache_write_12h_tokens\":0,\"input_uncached_tokens\":0,"
              "\"output_tokens\":6,\"input_text_tokens\":0,"
              "\"output_text_tokens\":0,\"input_cached_text_tokens\":0,"
              "\"input_audio_tokens\":0,\"input_cached_audio_tokens\":0,"
              "\"output_audio_tokens\":0,\"input_image_tokens\":0,"
              "\"input_cached_image_tokens\":0,\"output_image_tokens\":0,"
              "\"num_model_requests\":1}\n");
    const char *json = render(a, FMT_JSON, true);
    static const char want_head[] =
        "{\"object\":\"oaiusage.report\",\"endpoint\":\"completions\","
        "\"start_time\":\"2025-01-11T00:00:00Z\",\"end_time\":"
        "\"2025-01-12T00:00:00Z\",\"bucket_width\":\"1d\","
        "\"group_by\":[\"model\",\"batch\"],\"per\":null,"
        "\"records\":false,\"names\":false,\"data\":[\n{\"model\":\"gpt-4o\"";
    CHECK(strncmp(json, want_head, sizeof(want_head) - 1) == 0);
    agg_free(a);

    a = completions_agg(true, TU_PER_NONE);
    const char *csv = render(a, FMT_CSV, false);
    /* Records: by bucket, then group values (nulls last). */
    CHECK(strncmp(csv,
                  "2025-01-11T00:00:00Z,2025-01-12T00:00:00Z,"
                  "\"a \"\"quoted\"\", model\",false,5,",
                  68) == 0);
    CHECK(
        strstr(csv, "\r\n2025-01-11T00:00:00Z,2025-01-12T00:00:00Z,,,1000,") !=
        NULL);
    agg_free(a);

    a = completions_agg(false, TU_PER_DAY);
    csv = render(a, FMT_CSV, true);
    CHECK(strncmp(csv, "period_start,model,batch,input_tokens", 37) == 0);
    CHECK(strstr(csv, "\r\n2025-01-11T00:00:00Z,gpt-4o,true,1234567,") != NULL);
    agg_free(a);

    /* Costs: exact decimals, an empty quantity column hidden in the table. */
    const struct endpoint *ep = endpoint_find("costs");
    const int li_col = endpoint_group_index(ep, "line_item");
    struct agg_spec spec = { ep, 1, { li_col }, TU_PER_NONE, false, NULL };
    struct ou_err err;
    struct record r;
    a = agg_new(&spec);
    static const char *const li[] = { "gpt-4o, input", "Web search",
                                      "gpt-4o, input" };
    static const char *const am[] = { "1234.5", "0.000035", "0.25" };
    for (int i = 0; i < 3; i++) {
        memset(&r, 0, sizeof(r));
        r.group[li_col] = li[i];
        dec_parse(am[i], strlen(am[i]), &r.dval[0]);
        r.present[0] = true;
        r.text[1] = "usd";
        agg_add(a, &r, &err);
    }
    agg_finish(a, &err);
    CHECK_STR(render(a, FMT_CSV, true),
              "line_item,amount,currency,quantity,quantity_unit\r\n"
              "\"gpt-4o, input\",1234.75,usd,,\r\n"
              "Web search,0.000035,usd,,\r\n");
    CHECK_STR(render(a, FMT_TABLE, true),
              "line_item            amount  currency\n"
              "-------------  ------------  --------\n"
              "gpt-4o, input      1,234.75  usd\n"
              "Web search         0.000035  usd\n"
              "-------------  ------------  --------\n"
              "TOTAL          1,234.750035  usd\n");
    agg_free(a);
    buf_release(&rendered);
    TEST_END();
}
