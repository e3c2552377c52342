/* pagelog.c: a page parsed into a log and replayed hands the sink the
 * same calls, in the same order, with the same values, as the parse
 * itself (compared call by call, as text written by each path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/page.h"
#include "oaiusage/pagelog.h"
#include "test.h"

struct trace {
    const struct endpoint *ep;
    struct buf b;
};

static int t_bucket(void *ctx, int64_t s, int64_t e, struct ou_err *err)
{
    struct trace *t = ctx;
    (void)err;
    return buf_printf(&t->b, "B %lld %lld\n", (long long)s, (long long)e);
}

static int t_record(void *ctx, const struct record *r, struct ou_err *err)
{
    struct trace *t = ctx;
    const struct endpoint *ep = t->ep;
    int rc = buf_printf(&t->b, "R %lld %lld", (long long)r->start_time,
                        (long long)r->end_time);

    (void)err;
    for (int g = 0; g < ep->ngroups; g++)
        rc |= buf_printf(&t->b, " g=%s h=%s",
                         r->group[g] ? r->group[g] : "(null)",
                         r->hint[g] ? r->hint[g] : "(null)");
    for (int m = 0; m < ep->nmetrics; m++) {
        char d[128];
        rc |= buf_printf(&t->b, " %d:", r->present[m]);
        if (ep->metrics[m].kind == MK_INT)
            rc |= buf_printf(&t->b, "%lld", (long long)r->ival[m]);
        if (ep->metrics[m].kind == MK_TEXT)
            rc |= buf_printf(&t->b, "%s", r->text[m] ? r->text[m] : "(null)");
        if (ep->metrics[m].kind == MK_DEC && r->present[m]) {
            dec_format(&r->dval[m], d, sizeof(d));
            rc |= buf_printf(&t->b, "%s", d);
        }
    }
    return rc | buf_puts(&t->b, "\n");
}

static int t_unknown(void *ctx, const char *f, const char *n,
                     struct ou_err *err)
{
    struct trace *t = ctx;
    (void)err;
    return buf_printf(&t->b, "U %s %s\n", f, n ? n : "(null)");
}

static void same_calls(const char *command, const char *page)
{
    const struct endpoint *ep = endpoint_find(command);
    struct trace direct = { ep, { 0 } }, replayed = { ep, { 0 } };
    struct page_sink ds = { t_bucket, t_record, &direct, t_unknown };
    struct page_sink rs = { t_bucket, t_record, &replayed, t_unknown };
    struct page_sink ls;
    struct pagelog log;
    struct page_info info;
    struct ou_err err;
    char *body = strdup(page), *body2 = strdup(page);

    buf_init(&direct.b, 0);
    buf_init(&replayed.b, 0);
    CHECK(page_parse(body, strlen(page), ep, &ds, &info, &err) == 0);
    free(info.next_page);
    pagelog_init(&log, ep);
    pagelog_sink(&log, &ls);
    CHECK(page_parse(body2, strlen(page), ep, &ls, &info, &err) == 0);
    free(info.next_page);
    CHECK(pagelog_replay(&log, &rs, &err) == 0);
    CHECK(direct.b.len > 0);
    CHECK_STR(replayed.b.data, direct.b.data);
    /* a log emptied for the next page replays nothing */
    pagelog_reset(&log);
    buf_release(&replayed.b);
    buf_init(&replayed.b, 0);
    CHECK(pagelog_replay(&log, &rs, &err) == 0 && replayed.b.len == 0);
    pagelog_release(&log);
    buf_release(&direct.b);
    buf_release(&replayed.b);
    free(body);
    free(body2);
}

int main(void)
{
    same_calls("completions",
               "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\","
               "\"start_time\":1736121600,\"end_time\":1736125200,"
               "\"results\":[{\"object\":\"organization.usage.completions."
               "result\",\"input_tokens\":9007199254740993,"
               "\"output_tokens\":7,\"num_model_requests\":2,"
               "\"project_id\":\"proj_a\",\"model\":null,\"batch\":true,"
               "\"brand_new_counter\":12},{\"object\":\"organization.usage."
               "completions.result\",\"input_tokens\":1,\"model\":\"gpt-5\","
               "\"project_id\":null}]},{\"object\":\"bucket\",\"start_time\":"
               "1736125200,\"end_time\":1736128800,\"results\":[]}],"
               "\"has_more\":false,\"next_page\":null}");
    same_calls("costs",
               "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\","
               "\"start_time\":1736121600,\"end_time\":1736208000,"
               "\"results\":[{\"object\":\"organization.costs.result\","
               "\"amount\":{\"value\":0.123456789012345678901,\"currency\":"
               "\"usd\"},\"line_item\":\"gpt-4o-2024-08-06, input\","
               "\"project_id\":\"proj_b\"},{\"object\":\"organization.costs."
               "result\",\"amount\":{\"value\":\"12.5\",\"currency\":\"eur\"},"
               "\"line_item\":null,\"project_id\":null}]}],\"has_more\":false,"
               "\"next_page\":null}");
    TEST_END();
}
