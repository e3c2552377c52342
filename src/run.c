/* run.c - one report: key, fetch, aggregate, render, deliver. */
#include "oaiusage/run.h"

#include "oaiusage/agg.h"
#include "oaiusage/buf.h"
#include "oaiusage/fetch.h"
#include "oaiusage/fmt.h"
#include "oaiusage/http.h"
#include "oaiusage/msg.h"
#include "oaiusage/output.h"
#include "oaiusage/secret.h"

static int sink_bucket(void *ctx, int64_t start, int64_t end,
                       struct ou_err *err)
{
    return agg_bucket(ctx, start, end, err);
}

static int sink_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    return agg_add(ctx, rec, err);
}

static void explain_window(const struct config *cfg)
{
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    tu_format_rfc3339(cfg->since, a);
    tu_format_rfc3339(cfg->until, b);
    msg_verbose("%s from %s to %s%s, %s buckets", cfg->ep->command, a, b,
                cfg->until_sent ? "" : " (now)", bucket_width_name(cfg->width));
    if (cfg->ep->day_aligned_start && tu_floor_day(cfg->since) != cfg->since) {
        tu_format_rfc3339(tu_floor_day(cfg->since), a);
        msg_note("note: %s are whole UTC days; the first day starts at %s",
                 cfg->ep->command, a);
    }
}

int run_report(const struct config *cfg, int64_t now, struct ou_err *err)
{
    struct query q;
    struct agg_spec spec;
    struct http_config hc;
    struct fetch_opts fo;
    struct fetch_stats st;
    struct http_client *http = NULL;
    struct agg *agg = NULL;
    struct buf out;
    char *key = NULL;
    const char *source = NULL;
    char mask[SECRET_MASK_MAX];
    int rc;

    buf_init(&out, 0);
    rc = http_check_base_url(cfg->base_url, cfg->allow_insecure_http, err);
    if (rc != 0)
        goto out;
    rc = secret_load(cfg->key_file, &key, &source, err);
    if (rc != 0)
        goto out;
    secret_mask(key, mask, sizeof(mask));
    msg_verbose("admin key %s from %s; base URL %s", mask, source,
                cfg->base_url);
    explain_window(cfg);

    hc.bearer = key;
    hc.user_agent = "oaiusage/" OAIUSAGE_VERSION;
    hc.timeout_ms = cfg->timeout_ms;
    hc.max_body = 0;
    hc.cacert = NULL;
    http = http_client_new(&hc, err);
    if (http == NULL) {
        rc = err->code;
        goto out;
    }

    cli_build_query(cfg, &q);
    spec.ep = cfg->ep;
    spec.ngroup = cfg->ngroup;
    for (int i = 0; i < cfg->ngroup; i++)
        spec.group[i] = cfg->group[i];
    spec.per = cfg->per;
    spec.records = cfg->records;
    agg = agg_new(&spec);
    if (agg == NULL) {
        rc = ou_err_set(err, OU_EXIT_IO, "out of memory");
        goto out;
    }

    struct page_sink sink = { sink_bucket, sink_record, agg };
    fo.q = &q;
    fo.base_url = cfg->base_url;
    fo.http = http;
    fo.now = now;
    fo.key = key;
    rc = fetch_all(&fo, &sink, &st, err);
    if (rc != 0)
        goto out;
    msg_verbose("%d page(s), %lld bucket(s)", st.pages, (long long)st.buckets);
    if (cfg->until_sent &&
        st.last_end + bucket_width_seconds(cfg->width) <= cfg->until) {
        char a[TU_RFC3339_LEN];
        tu_format_rfc3339(st.last_end, a);
        msg_warn("the data ends at %s, before the requested end", a);
    }
    rc = agg_finish(agg, err);
    if (rc != 0)
        goto out;

    struct fmt_opts fopt = {
        .kind = cfg->format,
        .header = cfg->header,
        .start_time = st.first_start >= 0 && st.first_start < cfg->since
                          ? st.first_start
                          : cfg->since,
        .end_time = cfg->until_sent ? cfg->until : st.last_end,
        .bucket_width = bucket_width_name(cfg->width),
    };
    rc = fmt_render(agg, &fopt, &out, err);
    if (rc != 0)
        goto out;
    rc = output_write(cfg->output, out.data ? out.data : "", out.len, err);
out:
    agg_free(agg);
    http_client_free(http);
    secret_free(key);
    buf_release(&out);
    return rc;
}
