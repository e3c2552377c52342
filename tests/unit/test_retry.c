/* The retry policy: what is retried, and how long to wait. */
#include "oaiusage/retry.h"
#include "test.h"

int main(void)
{
    struct retry_policy p = RETRY_POLICY_DEFAULT;

    /* Classification. */
    CHECK(retry_classify(HTTP_OK, 200) == RETRY_NO);
    static const long final[] = { 200, 201, 400, 401, 403, 404, 405, 422 };
    for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
        CHECK(retry_classify(HTTP_OK, final[i]) == RETRY_NO);
    static const long again[] = { 408, 409, 429, 500, 502, 503, 504, 599 };
    for (size_t i = 0; i < sizeof(again) / sizeof(again[0]); i++)
        CHECK(retry_classify(HTTP_OK, again[i]) == RETRY_STATUS);
    CHECK(retry_classify(HTTP_E_CONNECT, 0) == RETRY_CONNECT);
    CHECK(retry_classify(HTTP_E_TIMEOUT, 0) == RETRY_TIMEOUT);
    CHECK(retry_classify(HTTP_E_TRANSFER, 200) == RETRY_TRANSFER);
    CHECK(retry_classify(HTTP_E_TLS, 0) == RETRY_NO);
    CHECK(retry_classify(HTTP_E_TOOBIG, 200) == RETRY_NO);
    CHECK(retry_classify(HTTP_E_OTHER, 0) == RETRY_NO);

    /* Exponential backoff without jitter: 0.5, 1, 2, 4, 8, 8 s. */
    static const long want[] = { 500, 1000, 2000, 4000, 8000, 8000, 8000 };
    for (int a = 0; a < 7; a++)
        CHECK(retry_delay_ms(&p, a, -1, 0.0) == want[a]);
    /* Jitter shortens by at most a quarter, never lengthens. */
    for (int a = 0; a < 7; a++) {
        for (double j = 0; j < 1; j += 0.125) {
            long d = retry_delay_ms(&p, a, -1, j);
            CHECK(d <= want[a] && d >= want[a] * 3 / 4);
        }
    }
    CHECK(retry_delay_ms(&p, 2, -1, 0.5) == 2000 - 250);
    CHECK(retry_delay_ms(&p, 1000000, -1, 0.0) == 8000); /* no overflow */

    /* Retry-After wins over backoff, exactly, up to the cap. */
    CHECK(retry_delay_ms(&p, 0, 7, 0.9) == 7000);
    CHECK(retry_delay_ms(&p, 5, 0, 0.9) == 0);
    CHECK(retry_delay_ms(&p, 0, 120, 0.0) == 120000);
    CHECK(retry_delay_ms(&p, 0, 121, 0.0) == -1);
    CHECK(retry_delay_ms(&p, 0, 999999999, 0.0) == -1);
    struct retry_policy tight = { 3, 100, 250, 2000 };
    CHECK(retry_delay_ms(&tight, 0, -1, 0) == 100);
    CHECK(retry_delay_ms(&tight, 1, -1, 0) == 200);
    CHECK(retry_delay_ms(&tight, 2, -1, 0) == 250);
    CHECK(retry_delay_ms(&tight, 0, 3, 0) == -1);

    char b[32];
    CHECK_STR(retry_reason_text(RETRY_STATUS, 503, b, sizeof(b)), "HTTP 503");
    CHECK_STR(retry_reason_text(RETRY_TIMEOUT, 0, b, sizeof(b)), "timed out");
    TEST_END();
}
