/* dryrun.c - --dry-run: the requests a command would make (see cmds.h). */
#include "oaiusage/cmds.h"

#include <stdlib.h>

#include "oaiusage/output.h"
#include "oaiusage/plan.h"

/* One query's plan: a header line, then one GET per sub-window. */
static int print_plan(const struct config *cfg, const struct query *q,
                      int64_t now, struct buf *out)
{
    struct subwin *plan = NULL;
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];
    int np = 0;
    int rc = 0;

    if (plan_windows(q, now, &plan, &np) != 0)
        return -1;
    tu_format_rfc3339(q->start_time, a);
    if (q->end_time >= 0)
        tu_format_rfc3339(q->end_time, b);
    rc |= buf_printf(out,
                     "# %s: %d request%s (%s buckets, %d per page) for %s .. "
                     "%s, at most %d at once\n",
                     q->ep->command, np, np == 1 ? "" : "s",
                     bucket_width_name(q->width), q->limit, a,
                     q->end_time >= 0 ? b : "now", cfg->concurrency);
    for (int i = 0; i < np && rc == 0; i++) {
        struct query sq = *q;
        sq.start_time = plan[i].start;
        sq.end_time = plan[i].end_sent ? plan[i].end : -1;
        rc |= buf_puts(out, "GET ");
        rc |= query_url(&sq, cfg->base_url, NULL, out);
        rc |= buf_putc(out, '\n');
    }
    free(plan);
    return rc;
}

int dry_run(const struct config *cfg, int64_t now, struct ou_err *err)
{
    struct query q[CMD_MAX_QUERIES];
    int n = cfg->cmd->plan(cfg, q);
    struct buf out;
    int rc = 0;

    buf_init(&out, 0);
    for (int k = 0; k < n && rc == 0; k++) {
        if (print_plan(cfg, &q[k], now, &out) != 0)
            rc = ou_nomem(err);
    }
    if (rc == 0)
        rc = output_write(NULL, out.data ? out.data : "", out.len, err);
    buf_release(&out);
    return rc;
}
