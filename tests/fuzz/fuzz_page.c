/* libFuzzer target: any bytes as an API page (usage, costs or an
 * organization list), folded into an aggregate and rendered in every
 * format. The first byte picks the endpoint and the report shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/agg.h"
#include "oaiusage/fmt.h"
#include "oaiusage/json.h"
#include "oaiusage/listpage.h"
#include "oaiusage/msg.h"
#include "oaiusage/page.h"
#include "oaiusage/report.h"

static int on_bucket(void *ctx, int64_t s, int64_t e, struct ou_err *err)
{
    return agg_bucket(ctx, s, e, err);
}

static int on_record(void *ctx, const struct record *r, struct ou_err *err)
{
    return agg_add(ctx, r, err);
}

static int on_item(void *ctx, const struct list_value *v, struct ou_err *err)
{
    (void)ctx;
    (void)v;
    (void)err;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ou_err err = { OU_OK, "" };
    int nep = 0;

    msg_set_level(MSG_QUIET);
    if (size < 1)
        return 0;
    while (endpoint_at(nep) != NULL)
        nep++;
    uint8_t sel = data[0];
    char *body = malloc(size);
    if (body == NULL)
        return 0;
    memcpy(body, data + 1, size - 1);
    body[size - 1] = '\0';

    if (sel == 0xff) {
        static const char *const paths[] = { "id", "name", "owner.user.email" };
        struct list_info li;
        page_parse_list(body, size - 1, paths, 3, on_item, NULL, &li, &err);
        free(li.last_id);
        free(body);
        return 0;
    }
    const struct endpoint *ep = endpoint_at(sel % nep);
    struct agg_spec spec = { ep, 0, { 0 }, TU_PER_NONE, false, NULL };
    for (int g = 0; g < ep->ngroups && g < 3; g++) {
        if (sel & (0x10 << g))
            spec.group[spec.ngroup++] = g;
    }
    spec.per = (enum tu_period)((sel >> 6) & 3);
    spec.records = spec.per == TU_PER_NONE && (sel & 0x80);
    struct agg *a = agg_new(&spec);
    struct page_sink sink = { on_bucket, on_record, a, NULL };
    struct page_info info;
    if (a != NULL && page_parse(body, size - 1, ep, &sink, &info, &err) == 0 &&
        agg_finish(a, &err) == 0) {
        for (int k = 0; k < 4; k++) {
            struct grid g;
            struct buf out;
            struct report_meta m = { 0, 86400, "1d", 0 };
            grid_init(&g, "oaiusage.report");
            buf_init(&out, 0);
            if (report_grid(a, NULL, &m, &g, &err) == 0)
                fmt_grid(&g, (enum fmt_kind)k, true, &out, &err);
            buf_release(&out);
            grid_release(&g);
        }
    }
    free(info.next_page);
    agg_free(a);
    free(body);
    return 0;
}
