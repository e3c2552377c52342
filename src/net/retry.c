/* retry.c - the retry policy (see retry.h). */
#include "oaiusage/retry.h"

#include <stdio.h>

enum retry_reason retry_classify(enum http_result result, long status)
{
    switch (result) {
    case HTTP_OK:
        break;
    case HTTP_E_CONNECT:
        return RETRY_CONNECT;
    case HTTP_E_TIMEOUT:
        return RETRY_TIMEOUT;
    case HTTP_E_TRANSFER:
        return RETRY_TRANSFER;
    case HTTP_E_TOOBIG:
    case HTTP_E_TLS:
    case HTTP_E_OTHER:
    default:
        return RETRY_NO;
    }
    if (status == 408 || status == 409 || status == 429 ||
        (status >= 500 && status <= 599))
        return RETRY_STATUS;
    return RETRY_NO;
}

long retry_delay_ms(const struct retry_policy *p, int attempt,
                    int64_t retry_after_s, double jitter)
{
    if (retry_after_s >= 0) {
        if (retry_after_s * 1000 > p->retry_after_cap_ms)
            return -1;
        return (long)(retry_after_s * 1000);
    }
    long d = p->base_ms;
    for (int i = 0; i < attempt && d < p->cap_ms; i++)
        d *= 2;
    if (d > p->cap_ms)
        d = p->cap_ms;
    if (jitter < 0)
        jitter = 0;
    if (jitter >= 1)
        jitter = 0.999999;
    return d - (long)((double)d * 0.25 * jitter);
}

const char *retry_reason_text(enum retry_reason r, long status, char *buf,
                              size_t size)
{
    switch (r) {
    case RETRY_CONNECT:
        return "cannot connect";
    case RETRY_TIMEOUT:
        return "timed out";
    case RETRY_TRANSFER:
        return "connection broke off";
    case RETRY_STATUS:
        snprintf(buf, size, "HTTP %ld", status);
        return buf;
    case RETRY_NO:
    default:
        return "no retry";
    }
}
