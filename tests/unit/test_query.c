/* Query encoding: the official SDKs' bracket form, percent-encoded. */
#include "oaiusage/query.h"
#include "test.h"

int main(void)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct query q = { 0 };
    struct buf b;
    static const char *const projects[] = { "proj_a", "proj b&c=d/é" };
    static const char *const models[] = { "gpt-4o" };

    buf_init(&b, 0);
    q.ep = ep;
    q.start_time = 1730419200;
    q.end_time = -1;
    q.width = BW_1D;
    q.limit = 31;
    CHECK(query_url(&q, "http://h/v1", NULL, &b) == 0);
    CHECK_STR(b.data, "http://h/v1/organization/usage/completions"
                      "?start_time=1730419200&bucket_width=1d&limit=31");

    buf_reset(&b);
    q.end_time = 1730505600;
    q.width = BW_1M;
    q.limit = 1440;
    q.filters[0] = (struct filter_values){ endpoint_filter(ep, "project"),
                                           projects, 2, false };
    q.filters[1] = (struct filter_values){ endpoint_filter(ep, "model"), models,
                                           1, false };
    q.filters[2] = (struct filter_values){ endpoint_filter(ep, "batch"), NULL,
                                           0, false };
    q.nfilters = 3;
    q.group[0] = endpoint_group_index(ep, "model");
    q.group[1] = endpoint_group_index(ep, "project_id");
    q.ngroup = 2;
    CHECK(query_url(&q, "https://api.openai.com/v1", "page_AAAA+/=", &b) == 0);
    CHECK_STR(b.data,
              "https://api.openai.com/v1/organization/usage/completions"
              "?start_time=1730419200&end_time=1730505600&bucket_width=1m"
              "&project_ids%5B%5D=proj_a"
              "&project_ids%5B%5D=proj%20b%26c%3Dd%2F%C3%A9"
              "&models%5B%5D=gpt-4o&batch=false"
              "&group_by%5B%5D=model&group_by%5B%5D=project_id"
              "&limit=1440&page=page_AAAA%2B%2F%3D");

    buf_reset(&b);
    CHECK(url_encode(&b, "A-Za-z0-9._~ :?#") == 0);
    CHECK_STR(b.data, "A-Za-z0-9._~%20%3A%3F%23");
    buf_release(&b);
    TEST_END();
}
