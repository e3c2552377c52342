/* The API's known refusals: the api_key_id floor read from the API's own
 * message (the LangWatch fixture's wording, reference 2026-11 section 4),
 * the pieces a refused window is cut into, and the user_id/project_id
 * combination. */
#include "oaiusage/refusal.h"
#include "test.h"

#define D 86400LL
#define FLOOR 1764979200LL /* 2025-12-06T00:00:00Z */

static struct api_error refused(long status, const char *param,
                                const char *message)
{
    struct api_error e;

    memset(&e, 0, sizeof(e));
    e.status = status;
    e.has_message = message != NULL;
    snprintf(e.message, sizeof(e.message), "%s", message ? message : "");
    snprintf(e.param, sizeof(e.param), "%s", param);
    return e;
}

static struct query costs_by(const char *const *groups, int n, int64_t start,
                             int64_t end)
{
    struct query q;

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find("costs");
    q.width = BW_1D;
    q.start_time = start;
    q.end_time = end;
    q.limit = 180;
    for (int i = 0; i < n; i++)
        q.group[q.ngroup++] = endpoint_group_index(q.ep, groups[i]);
    return q;
}

static const char lw[] = "group_by=api_key_id is not available for this time "
                         "range. Try a start_time on or after 1764979200.";

int main(void)
{
    static const char *const key_li[] = { "api_key_id", "line_item" };
    static const char *const li[] = { "line_item" };
    struct api_error e = refused(400, "start_time", lw);
    struct query q = costs_by(key_li, 2, FLOOR - 30 * D, FLOOR + 10 * D);
    struct query p[2];

    /* The floor, from the message; only for the exact refusal. */
    CHECK(refusal_key_floor(&e, &q) == FLOOR);
    struct api_error other = refused(400, "limit", lw);
    CHECK(refusal_key_floor(&other, &q) == -1);
    other = refused(429, "start_time", lw);
    CHECK(refusal_key_floor(&other, &q) == -1);
    other = refused(400, "start_time", "Try a start_time on or after soon.");
    CHECK(refusal_key_floor(&other, &q) == -1);
    other = refused(400, "start_time",
                    "Try a start_time on or after 99999999999999999999.");
    CHECK(refusal_key_floor(&other, &q) == -1);
    other = refused(400, "start_time", NULL);
    CHECK(refusal_key_floor(&other, &q) == -1);
    struct query nokey = costs_by(li, 1, FLOOR - 30 * D, FLOOR + 10 * D);
    CHECK(refusal_key_floor(&e, &nokey) == -1);
    /* Still the floor's refusal, even when no floor can be read. */
    CHECK(refusal_is_key_floor(&e, &q));
    other = refused(400, "start_time", "Try a start_time on or after soon.");
    CHECK(refusal_is_key_floor(&other, &q));
    CHECK(!refusal_is_key_floor(&e, &nokey));
    /* A floor at or before the start: the refusal is not the floor's. */
    struct query late = costs_by(key_li, 2, FLOOR, FLOOR + 10 * D);
    CHECK(refusal_key_floor(&e, &late) == -1);
    /* A moved floor mid-day rounds up to the next whole bucket. */
    other = refused(400, "start_time",
                    "group_by=api_key_id is not available for this time "
                    "range. Try a start_time on or after 1764990000.");
    CHECK(refusal_key_floor(&other, &q) == FLOOR + D);

    /* Two pieces meeting at the floor; the first without api_key_id. */
    CHECK(refusal_split(&q, FLOOR, 0, p) == 2);
    CHECK(p[0].start_time == q.start_time && p[0].end_time == FLOOR);
    CHECK(p[1].start_time == FLOOR && p[1].end_time == q.end_time);
    CHECK(p[0].ngroup == 1 &&
          p[0].group[0] == endpoint_group_index(q.ep, "line_item"));
    CHECK(p[1].ngroup == 2 && p[1].group[0] == q.group[0] &&
          p[1].group[1] == q.group[1]);
    /* A window ending before the floor: one piece, no api_key_id. */
    struct query early = costs_by(key_li, 2, FLOOR - 30 * D, FLOOR - 10 * D);
    CHECK(refusal_split(&early, FLOOR, 0, p) == 1);
    CHECK(p[0].end_time == early.end_time && p[0].ngroup == 1);
    /* No end_time: now bounds the window. */
    struct query open = costs_by(key_li, 1, FLOOR - 30 * D, -1);
    CHECK(refusal_split(&open, FLOOR, FLOOR + D, p) == 2);
    CHECK(p[0].end_time == FLOOR && p[1].end_time == -1 && p[0].ngroup == 0);
    CHECK(refusal_split(&open, FLOOR, FLOOR - D, p) == 1);

    /* user_id with project_id: grouping or the project_ids filter. */
    static const char *const up[] = { "user_id", "project_id" };
    static const char *const u[] = { "user_id" };
    struct api_error bad = refused(400, "", "Unsupported group_by.");
    struct query quser = costs_by(up, 2, 0, D);
    CHECK(refusal_user_project(&bad, &quser));
    quser = costs_by(u, 1, 0, D);
    CHECK(!refusal_user_project(&bad, &quser));
    static const char *const proj[] = { "proj_1" };
    quser.filters[0] = (struct filter_values){
        endpoint_filter(quser.ep, "project"), proj, 1, false
    };
    quser.nfilters = 1;
    CHECK(refusal_user_project(&bad, &quser));
    bad.status = 500;
    CHECK(!refusal_user_project(&bad, &quser));
    TEST_END();
}
