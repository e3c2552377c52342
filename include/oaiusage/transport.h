/* transport.h - what the request scheduler needs of HTTP, as a small
 * interface: start a GET, collect finished ones, cancel, tell the time.
 *
 * http.c provides the real one (libcurl, one multi handle); the unit tests
 * provide a fake with a virtual clock. The scheduler owns nothing here:
 * the transport's ctx belongs to whoever made the transport.
 */
#ifndef OAIUSAGE_TRANSPORT_H
#define OAIUSAGE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/buf.h"

enum http_result {
    HTTP_OK = 0,     /* a complete response arrived (any status) */
    HTTP_E_TIMEOUT,  /* timed out */
    HTTP_E_CONNECT,  /* could not resolve or connect */
    HTTP_E_TRANSFER, /* connection broke, body shorter than announced */
    HTTP_E_TOOBIG,   /* body larger than the size cap */
    HTTP_E_TLS,      /* certificate or TLS failure */
    HTTP_E_OTHER
};

struct http_response {
    enum http_result result;
    long status;         /* HTTP status, 0 if none */
    int64_t retry_after; /* seconds from Retry-After, -1 if absent */
    long elapsed_ms;
    char error[256]; /* the transport's explanation if result != OK */
};

struct transport {
    void *ctx;
    /* Start a GET of url into body (reset first), cut after timeout_ms
     * (0: the transport's own timeout). tag comes back from poll. Returns
     * a slot >= 0, or -1 when every slot is busy. body and tag stay the
     * caller's and must live until the transfer is collected. */
    int (*start)(void *ctx, const char *url, struct buf *body, long timeout_ms,
                 void *tag);
    /* Run transfers for up to wait_ms; a finished transfer's slot with
     * resp and *tag filled in (the slot is free again), or -1 when none
     * finished in that time. */
    int (*poll)(void *ctx, long wait_ms, struct http_response *resp,
                void **tag);
    /* Abort every transfer in flight. */
    void (*cancel_all)(void *ctx);
    /* Milliseconds on a monotonic clock. */
    int64_t (*clock_ms)(void *ctx);
    /* Optional: end a poll under way now. Safe from any thread (a worker
     * that finished parsing a page wakes the scheduler's thread). */
    void (*wakeup)(void *ctx);
};

const char *http_result_text(enum http_result r);

#endif
