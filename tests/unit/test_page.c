/* Page parsing: the spec's own examples, the quirks of the reference
 * (string amounts, nulls, missing counters, "result"), and every kind of
 * malformed page, which must fail with a message naming where. */
#include <stdlib.h>

#include "oaiusage/apierror.h"
#include "oaiusage/page.h"
#include "test.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

struct got {
    int buckets;
    int records;
    struct record last;
    char model[64];
    char amount[DEC_FMT_MAX];
    char currency[16];
    char unit[16];
    int64_t in_tokens;
    char unknown[256]; /* "field=number;" for each unknown member */
    char keep[2][EP_MAX_GROUPS][64]; /* copies of last's strings */
};

/* A record's strings live as long as the parse: keep copies. */
static void keep_last(struct got *g, const struct record *r)
{
    g->last = *r;
    for (int k = 0; k < EP_MAX_GROUPS; k++) {
        const char **s[2] = { &g->last.group[k], &g->last.hint[k] };
        for (int j = 0; j < 2; j++) {
            if (*s[j] == NULL)
                continue;
            snprintf(g->keep[j][k], sizeof(g->keep[j][k]), "%s", *s[j]);
            *s[j] = g->keep[j][k];
        }
    }
}

static int on_bucket(void *ctx, int64_t s, int64_t e, struct ou_err *err)
{
    (void)s;
    (void)e;
    (void)err;
    ((struct got *)ctx)->buckets++;
    return 0;
}

static int on_record(void *ctx, const struct record *r, struct ou_err *err)
{
    struct got *g = ctx;
    (void)err;
    g->records++;
    keep_last(g, r);
    g->in_tokens += r->ival[0];
    snprintf(g->model, sizeof(g->model), "%s",
             r->group[3] ? r->group[3] : "(null)");
    return 0;
}

static int on_unknown(void *ctx, const char *field, const char *number,
                      struct ou_err *err)
{
    struct got *g = ctx;
    size_t n = strlen(g->unknown);
    (void)err;
    snprintf(g->unknown + n, sizeof(g->unknown) - n, "%s=%s;", field,
             number != NULL ? number : "-");
    return 0;
}

static int on_cost(void *ctx, const struct record *r, struct ou_err *err)
{
    struct got *g = ctx;
    (void)err;
    g->records++;
    keep_last(g, r);
    dec_format(&r->dval[0], g->amount, sizeof(g->amount));
    snprintf(g->currency, sizeof(g->currency), "%s",
             r->text[1] ? r->text[1] : "(null)");
    snprintf(g->unit, sizeof(g->unit), "%s",
             r->text[3] ? r->text[3] : "(null)");
    return 0;
}

/* Parse text (copied, since parsing writes into the buffer). */
static int parse(const char *ep_name, const char *text, struct got *g,
                 struct page_info *info, struct ou_err *err)
{
    const struct endpoint *ep = endpoint_find(ep_name);
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    struct page_sink sink = { on_bucket,
                              strcmp(ep_name, "costs") == 0 ? on_cost
                                                            : on_record,
                              g, on_unknown };
    memcpy(copy, text, n + 1);
    memset(g, 0, sizeof(*g));
    err->cat = 0;
    err->msg[0] = '\0';
    int rc = page_parse(copy, n, ep, &sink, info, err);
    free(copy);
    return rc;
}

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Expect a parse failure whose message contains want. */
static void expect_fail(const char *ep, const char *text, const char *want)
{
    struct got g;
    struct page_info info;
    struct ou_err err;
    int rc = parse(ep, text, &g, &info, &err);
    free(info.next_page);
    CHECK(rc == OU_E_DATA);
    if (strstr(err.msg, want) == NULL) {
        CHECK(!"error message lacks the expected text");
        fprintf(stderr, "  message: %s\n  wanted:  %s\n", err.msg, want);
    }
}

#define PAGE(results)                                                         \
    "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\",\"start_time\":1," \
    "\"end_time\":2,\"results\":[" results "]}],\"has_more\":false,"          \
    "\"next_page\":null}"
#define CR(fields) \
    "{\"object\":\"organization.usage.completions.result\"" fields "}"

int main(void)
{
    struct got g;
    struct page_info info;
    struct ou_err err;
    char *spec = slurp("spec_completions_page.json");
    char *costs = slurp("spec_costs_page.json");

    CHECK(spec != NULL && costs != NULL);
    if (spec == NULL || costs == NULL)
        TEST_END();

    /* The spec's completions example: every counter of the current set. */
    CHECK(parse("completions", spec, &g, &info, &err) == 0);
    CHECK(g.buckets == 1 && g.records == 1);
    CHECK(info.has_more);
    CHECK_STR(info.next_page, "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=");
    free(info.next_page);
    const struct endpoint *ce = endpoint_find("completions");
    /* the 2026-08 example has no 12-hour cache writes: they count 0 */
    static const int64_t want[] = { 1000, 400, 100, 0,  500, 500, 400, 400,
                                    300,  50,  50,  50, 50,  50,  50,  5 };
    for (int m = 0; m < ce->nmetrics; m++)
        CHECK(g.last.ival[m] == want[m]);
    CHECK(g.last.start_time == 1730419200 && g.last.end_time == 1730505600);
    for (int k = 0; k < ce->ngroups; k++)
        CHECK(g.last.group[k] == NULL);

    /* The spec's costs example, then with the amount as a string. */
    CHECK(parse("costs", costs, &g, &info, &err) == 0);
    free(info.next_page);
    CHECK_STR(g.amount, "0.06");
    CHECK_STR(g.currency, "usd");
    CHECK(!g.last.present[2]); /* quantity null */
    CHECK(parse("costs",
                "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\","
                "\"start_time\":1,\"end_time\":2,\"results\":[{\"object\":"
                "\"organization.costs.result\",\"amount\":{\"value\":\"12.50\","
                "\"currency\":\"usd\"},\"line_item\":\"Text tokens\","
                "\"quantity\":1.25e3,\"quantity_unit\":\"tokens\","
                "\"organization_id\":\"org-x\"}]}],\"has_more\":false,"
                "\"next_page\":null}",
                &g, &info, &err) == 0);
    free(info.next_page);
    CHECK_STR(g.amount, "12.5");
    char q[DEC_FMT_MAX];
    dec_format(&g.last.dval[2], q, sizeof(q));
    CHECK(g.last.present[2]);
    CHECK_STR(q, "1250");
    CHECK_STR(g.unit, "tokens");

    /* Missing counters count 0; unknown fields ignored; batch is a bool;
     * an exact integer beyond 2^53; "result" (old schema name) accepted. */
    CHECK(parse("completions",
                PAGE(CR(",\"input_tokens\":9007199254740993,\"batch\":true,"
                        "\"model\":\"m\",\"start_time_iso\":\"x\","
                        "\"future_field\":{\"a\":[1,2]}")),
                &g, &info, &err) == 0);
    free(info.next_page);
    CHECK(g.last.ival[0] == INT64_C(9007199254740993));
    CHECK(g.last.ival[endpoint_metric_index(ce, "num_model_requests")] == 0);
    CHECK_STR(g.last.group[4], "true");
    CHECK_STR(g.model, "m");
    CHECK(parse("completions",
                "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\","
                "\"start_time\":1,\"end_time\":2,\"result\":[" CR(
                    ",\"input_tokens\":7") "]}],\"has_more\":false}",
                &g, &info, &err) == 0);
    CHECK(g.records == 1 && g.in_tokens == 7 && info.next_page == NULL);
    free(info.next_page);
    /* Empty buckets are fine. */
    CHECK(parse("completions", PAGE(""), &g, &info, &err) == 0);
    CHECK(g.buckets == 1 && g.records == 0);
    free(info.next_page);

    /* 2026-11: the 12-hour cache-write counter and api_source are read;
     * members this version does not know are reported with their number,
     * never an error, and leave the known counters intact. */
    {
        const struct endpoint *ce2 = endpoint_find("completions");
        CHECK(parse("completions",
                    PAGE(CR(",\"input_tokens\":10,\"input_cache_write_12h_"
                            "tokens\":4,\"api_source\":\"agents_api\","
                            "\"input_video_tokens\":99,\"region\":\"eu\","
                            "\"num_model_requests\":2")),
                    &g, &info, &err) == 0);
        free(info.next_page);
        CHECK(g.last.ival[endpoint_metric_index(
                  ce2, "input_cache_write_12h_tokens")] == 4);
        CHECK(g.last.ival[endpoint_metric_index(ce2, "input_tokens")] == 10);
        CHECK_STR(g.last.group[endpoint_group_index(ce2, "api_source")],
                  "agents_api");
        CHECK_STR(g.unknown, "input_video_tokens=99;region=-;");
        /* A result object of another type: reported, still read. */
        CHECK(parse("completions",
                    PAGE("{\"object\":\"organization.usage.embeddings."
                         "result\",\"input_tokens\":3}"),
                    &g, &info, &err) == 0);
        free(info.next_page);
        CHECK(g.records == 1 && g.in_tokens == 3);
        CHECK_STR(g.unknown, "object=organization.usage.embeddings.result;");
        /* The Decisions endpoint reads its own result type. */
        CHECK(parse("decisions",
                    PAGE("{\"object\":\"organization.usage.decisions."
                         "result\",\"input_tokens\":5,\"output_tokens\":6,"
                         "\"num_model_requests\":1,\"api_source\":"
                         "\"unlabeled\"}"),
                    &g, &info, &err) == 0);
        free(info.next_page);
        CHECK(g.records == 1 && g.in_tokens == 5 && g.unknown[0] == '\0');
    }
    /* Costs: user_email names the user; model and component are derived
     * from "<model>, <component>" line items; organization_id is quiet. */
    {
        const struct endpoint *co = endpoint_find("costs");
        CHECK(parse("costs",
                    PAGE("{\"object\":\"organization.costs.result\","
                         "\"amount\":{\"value\":1,\"currency\":\"usd\"},"
                         "\"line_item\":\"gpt-5, cache writes - 12hr\","
                         "\"user_id\":\"user-1\",\"user_email\":"
                         "\"a@example.com\",\"organization_id\":\"org-1\","
                         "\"api_source\":\"agents_api\"}"),
                    &g, &info, &err) == 0);
        free(info.next_page);
        CHECK_STR(g.last.group[endpoint_group_index(co, "model")], "gpt-5");
        CHECK_STR(g.last.group[endpoint_group_index(co, "component")],
                  "cache writes - 12hr");
        CHECK_STR(g.last.group[endpoint_group_index(co, "user_id")], "user-1");
        CHECK_STR(g.last.hint[endpoint_group_index(co, "user_id")],
                  "a@example.com");
        CHECK_STR(g.last.group[endpoint_group_index(co, "api_source")],
                  "agents_api");
        CHECK(g.unknown[0] == '\0');
        CHECK(parse("costs",
                    PAGE("{\"object\":\"organization.costs.result\","
                         "\"amount\":{\"value\":1,\"currency\":\"usd\"},"
                         "\"line_item\":\"Web search tool calls\"}"),
                    &g, &info, &err) == 0);
        free(info.next_page);
        CHECK(g.last.group[endpoint_group_index(co, "model")] == NULL);
        CHECK_STR(g.last.group[endpoint_group_index(co, "component")],
                  "Web search tool calls");
    }

    /* Malformed pages name the place. */
    expect_fail("completions", PAGE(CR(",\"input_tokens\":\"abc\"")),
                "data[0].results[0].input_tokens: expected an integer, got a "
                "string");
    expect_fail("completions", PAGE(CR(",\"input_tokens\":1.5")),
                "input_tokens: expected an integer");
    expect_fail("completions", PAGE(CR(",\"model\":5")),
                "data[0].results[0].model: expected a string or null");
    expect_fail("completions", PAGE(CR(",\"batch\":\"yes\"")),
                "batch: expected a boolean or null");
    expect_fail("completions", "{\"object\":\"page\",\"has_more\":false}",
                "data: expected an array of buckets, got nothing");
    expect_fail("completions", "{\"object\":\"page\",\"data\":[]}",
                "has_more: expected a boolean");
    expect_fail("completions",
                "{\"object\":\"page\",\"data\":[{\"end_time\":2,"
                "\"results\":[]}],\"has_more\":false}",
                "data[0].start_time: expected an integer, got nothing");
    expect_fail("completions",
                "{\"object\":\"page\",\"data\":[{\"start_time\":1,"
                "\"end_time\":2}],\"has_more\":false}",
                "data[0].results: expected an array");
    expect_fail("completions", "{\"object\":\"list\",\"data\":[]}",
                "object: expected \"page\"");
    expect_fail("completions", "[1,2]", "expected a page object");
    expect_fail("completions", "<html>oops</html>",
                "not valid JSON (byte offset 0)");
    expect_fail("completions", "{\"object\":\"page\",\"data\":[{\"sta",
                "not complete JSON");
    expect_fail("completions", "{\"object\":\"page\"} trailing",
                "unexpected data after the JSON value at byte offset 18");
    expect_fail("completions", "", "empty response body");
    expect_fail("costs",
                PAGE("{\"object\":\"organization.costs.result\",\"amount\":"
                     "{\"value\":\"12,50\",\"currency\":\"usd\"}}"),
                "amount.value: \"12,50\" is not a decimal number");
    expect_fail("costs",
                PAGE("{\"object\":\"organization.costs.result\",\"amount\":"
                     "{\"value\":true}}"),
                "amount.value: expected a number or a numeric string, got a "
                "boolean");
    expect_fail("costs",
                PAGE("{\"object\":\"organization.costs.result\",\"amount\":"
                     "5}"),
                "amount: expected an object or null, got a number");
    {
        /* Nesting deeper than the cap is refused. */
        char deep[400];
        size_t n = 0;
        n += (size_t)snprintf(deep, sizeof(deep),
                              "{\"object\":\"page\",\"x\":");
        for (int i = 0; i < 100; i++)
            deep[n++] = '[';
        for (int i = 0; i < 100; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = '\0';
        expect_fail("completions", deep, "nested deeper than 64 levels");
    }

    /* Strictness the JSON grammar asks for, beyond what cJSON checks. */
    expect_fail("completions", PAGE(CR(",\"input_tokens\":01")),
                "invalid number literal '01' at byte offset");
    expect_fail("completions", PAGE(CR(",\"model\":\"a\\u0000b\"")),
                "a string holds a NUL character");
    expect_fail("completions", PAGE(CR(",\"model\":\"caf\xe9\"")),
                "invalid UTF-8 at byte offset");
    expect_fail("completions", PAGE(CR(",\"model\":\"\xc0\xaf\"")),
                "invalid UTF-8");
    expect_fail("completions",
                "{\"object\":\"page\",\"data\":[{\"object\":\"result\","
                "\"start_time\":1,\"end_time\":2,\"results\":[]}],"
                "\"has_more\":false}",
                "data[0].object: expected \"bucket\"");
    expect_fail("completions", "  \n {\"object\":\"page\",\"data\":[",
                "not complete JSON");
    CHECK(parse("completions",
                PAGE(CR(",\"model\":\"caf\xc3\xa9 \xe6\xa8\xa1\"")), &g, &info,
                &err) == 0);
    free(info.next_page);
    CHECK_STR(g.model, "caf\xc3\xa9 \xe6\xa8\xa1");
    {
        /* The spec's schema once named num_sessions "sessions" (Q12). */
        const struct endpoint *ci = endpoint_find("code-interpreter-sessions");
        const char *old_name =
            "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\","
            "\"start_time\":1,\"end_time\":2,\"results\":[{\"object\":"
            "\"organization.usage.code_interpreter_sessions.result\","
            "\"sessions\":7,\"project_id\":null}]}],\"has_more\":false}";
        char *copy = strdup(old_name);
        struct page_sink sink = { NULL, on_record, &g, NULL };
        memset(&g, 0, sizeof(g));
        CHECK(page_parse(copy, strlen(copy), ci, &sink, &info, &err) == 0);
        CHECK(g.records == 1 && g.last.ival[0] == 7);
        free(info.next_page);
        free(copy);
    }

    /* API error bodies. */
    char msg[128];
    const char *eb =
        "{\"error\":{\"message\":\"Missing scopes: api.usage.read.\","
        "\"type\":\"invalid_request_error\",\"param\":null,"
        "\"code\":null}}";
    char *ebc = strdup(eb);
    struct api_error ae;
    api_error_read(ebc, strlen(ebc), 403, &ae);
    CHECK(ae.has_message && ae.status == 403 && ae.param[0] == '\0');
    CHECK_STR(ae.message, "Missing scopes: api.usage.read.");
    free(ebc);
    char oops[] = "oops";
    api_error_read(oops, 4, 500, &ae);
    CHECK(!ae.has_message);
    char floor[] = "{\"error\":{\"message\":\"group_by=api_key_id is not "
                   "available\",\"type\":\"invalid_request_error\","
                   "\"param\":\"start_time\",\"code\":null}}";
    api_error_read(floor, strlen(floor), 400, &ae);
    CHECK_STR(ae.param, "start_time");
    (void)msg;
    free(spec);
    free(costs);
    TEST_END();
}
