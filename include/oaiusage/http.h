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

struct http_client *http_client_new(const struct http_config *cfg,
                                    struct ou_err *err);
void http_client_free(struct http_client *c);

/* GET url into body (reset first), within timeout_ms (0 = the client's
 * configured timeout). Returns resp->result. */
enum http_result http_get(struct http_client *c, const char *url,
                          struct buf *body, struct http_response *resp,
                          long timeout_ms);

/* Check a base URL: http or https with a host; plain http only to a
 * loopback host unless allow_insecure. Returns 0 or OU_EXIT_USAGE. */
int http_check_base_url(const char *url, bool allow_insecure,
                        struct ou_err *err);

const char *http_result_text(enum http_result r);

#endif
