/* retry.h - when and how long to wait before trying a request again. Pure.
 *
 * Follows the official SDKs' policy (reference section 4): connection
 * errors, timeouts, broken transfers, 408, 409, 429 and 5xx are retried;
 * every other status (400, 401, 403, 404, ...) is final. The delay honours
 * Retry-After (seconds or an HTTP date, already converted to seconds) up to
 * a cap, beyond which the request is not retried; otherwise it backs off
 * exponentially from base_ms, doubling up to cap_ms, with jitter that
 * shortens each delay by up to a quarter.
 */
#ifndef OAIUSAGE_RETRY_H
#define OAIUSAGE_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/transport.h"

enum retry_reason {
    RETRY_NO = 0,   /* final: success or a non-retryable failure */
    RETRY_CONNECT,  /* could not connect */
    RETRY_TIMEOUT,  /* the request timed out */
    RETRY_TRANSFER, /* the connection broke off mid-response */
    RETRY_STATUS    /* 408, 409, 429 or 5xx */
};

struct retry_policy {
    int max_retries;         /* retries after the first attempt */
    long base_ms;            /* first backoff (500) */
    long cap_ms;             /* backoff cap (8000) */
    long retry_after_cap_ms; /* longest Retry-After honoured (120000) */
};

#define RETRY_DEFAULT_RETRIES 4
#define RETRY_POLICY_DEFAULT                     \
    {                                            \
        RETRY_DEFAULT_RETRIES, 500, 8000, 120000 \
    }

enum retry_reason retry_classify(enum http_result result, long status);

/* Delay before retry number `attempt` (0 = the first retry). retry_after_s
 * is the server's Retry-After in seconds, or -1. jitter is a uniform random
 * number in [0, 1). Returns -1 when the server asks for a wait longer than
 * the cap (do not retry). */
long retry_delay_ms(const struct retry_policy *p, int attempt,
                    int64_t retry_after_s, double jitter);

/* "HTTP 503", "timed out", ... for announcements. */
const char *retry_reason_text(enum retry_reason r, long status, char *buf,
                              size_t size);

#endif
