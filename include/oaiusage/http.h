/* http.h - GET requests over one libcurl multi handle, offered to the
 * scheduler as its transport (transport.h). The only file that includes
 * <curl/curl.h> is http.c.
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
#include "oaiusage/transport.h"

struct http_config {
    const char *bearer;     /* the admin key; copied */
    const char *user_agent; /* e.g. "oaiusage/0.1.0" */
    long timeout_ms;        /* whole request */
    size_t max_body;        /* response size cap in bytes */
    const char *cacert;     /* CA bundle file, or NULL for the default */
};

struct http_client;

int http_global_init(void);
void http_global_cleanup(void);

/* A client with `parallel` transfer slots over one libcurl multi handle:
 * connections are reused across slots, HTTP/2 multiplexing is used when the
 * server offers it, gzip is accepted. */
struct http_client *http_client_new(const struct http_config *cfg, int parallel,
                                    struct ou_err *err);
void http_client_free(struct http_client *c);

/* The client as the scheduler's transport (tp->ctx = c). */
void http_transport(struct http_client *c, struct transport *tp);

/* Check a base URL: http or https with a host; plain http only to a
 * loopback host unless allow_insecure. Returns 0 or OU_E_USAGE. */
int http_check_base_url(const char *url, bool allow_insecure,
                        struct ou_err *err);

/* "libcurl 7.88.1 (OpenSSL/3.0.17)": the library linked, for --version. */
const char *http_lib_version(void);

#endif
