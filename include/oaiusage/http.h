/* http.h - GET requests over one reused libcurl handle. The only file that
 * includes <curl/curl.h> is http.c.
 *
 * The admin key given in http_config is copied into the client and wiped
 * when it is freed. It travels only in the Authorization header; it is never
 * printed (libcurl's own verbose mode is never turned on).
 */
#ifndef OAIUSAGE_HTTP_H
#define OAIUSAGE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/buf.h"
#include "oaiusage/status.h"

struct http_config {
    const char *bearer;      /* the admin key; copied */
    const char *user_agent;  /* e.g. "oaiusage/0.1.0" */
    long timeout_ms;         /* whole request */
    size_t max_body;         /* response size cap in bytes */
    const char *cacert;      /* CA bundle file, or NULL for the default */
};

enum http_result {
    HTTP_OK = 0,        /* a complete response arrived (any status) */
    HTTP_E_TIMEOUT,     /* timed out */
    HTTP_E_CONNECT,     /* could not resolve or connect */
    HTTP_E_TRANSFER,    /* connection broke, body shorter than announced */
    HTTP_E_TOOBIG,      /* body larger than max_body */
    HTTP_E_TLS,         /* certificate or TLS failure */
    HTTP_E_OTHER
};

struct http_response {
    enum http_result result;
    long status;              /* HTTP status, 0 if none */
    int64_t retry_after;      /* seconds from Retry-After, -1 if absent */
    long elapsed_ms;
    char error[256];          /* libcurl's explanation when result != OK */
    int attempts;             /* requests made (set by the retry loop) */
    bool gave_up_early;       /* a retry was due but the deadline or the
                                 Retry-After cap forbade it */
};

struct http_client;

int http_global_init(void);
void http_global_cleanup(void);

/* A client with `parallel` transfer slots over one libcurl multi handle:
 * connections are reused across slots, HTTP/2 multiplexing is used when the
 * server offers it, gzip is accepted. */
struct http_client *http_client_new(const struct http_config *cfg,
                                    int parallel, struct ou_err *err);
void http_client_free(struct http_client *c);

/* Start a GET of url into body (reset first) in a free slot, within
 * timeout_ms (0 = the configured timeout). Returns the slot, or -1 when
 * every slot is busy. body and tag are the caller's and must stay valid
 * until the transfer is collected. */
int http_start(struct http_client *c, const char *url, struct buf *body,
               long timeout_ms, void *tag);
/* Run transfers for up to wait_ms; return a finished slot with resp filled
 * in (its slot is free again), or -1 when none finished in time. */
int http_poll(struct http_client *c, long wait_ms, struct http_response *resp,
              void **tag);
/* Transfers started and not yet collected. */
int http_inflight(const struct http_client *c);
/* Abort every transfer in flight. */
void http_cancel_all(struct http_client *c);

/* One blocking GET (a slot of its own). Returns resp->result. */
enum http_result http_get(struct http_client *c, const char *url,
                          struct buf *body, struct http_response *resp,
                          long timeout_ms);

/* Check a base URL: http or https with a host; plain http only to a
 * loopback host unless allow_insecure. Returns 0 or OU_E_USAGE. */
int http_check_base_url(const char *url, bool allow_insecure,
                        struct ou_err *err);

const char *http_result_text(enum http_result r);

#endif
