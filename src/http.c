/* http.c - GET requests over one reused libcurl handle. */
#include "oaiusage/http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http_client {
    CURL *curl;
    long timeout_ms;              /* the configured per-request timeout */
    struct curl_slist *headers;   /* holds the Authorization header */
    char *auth;                   /* "Authorization: Bearer ..." (wiped) */
    char errbuf[CURL_ERROR_SIZE];
    int64_t retry_after;          /* parsed by the header callback */
};

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

static void wipe(char *s)
{
    if (s == NULL)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
}

void http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    if (c->curl != NULL)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    wipe(c->auth);
    free(c->auth);
    free(c);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
    size_t n = size * nmemb;

    if (buf_append(b, ptr, n) != 0)
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    return n;
}

/* Retry-After: delay-seconds or an HTTP-date. */
static int64_t parse_retry_after(const char *v, size_t n)
{
    char tmp[128];
    size_t i = 0;

    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    while (n > i && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n - i == 0 || n - i >= sizeof(tmp))
        return -1;
    memcpy(tmp, v + i, n - i);
    tmp[n - i] = '\0';
    if (strspn(tmp, "0123456789") == strlen(tmp)) {
        if (strlen(tmp) > 9)
            return 999999999;
        return strtoll(tmp, NULL, 10);
    }
    time_t when = curl_getdate(tmp, NULL);
    if (when == (time_t)-1)
        return -1;
    int64_t d = (int64_t)when - (int64_t)time(NULL);
    return d < 0 ? 0 : d;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct http_client *c = userdata;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";

    if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0)
        c->retry_after = parse_retry_after(ptr + sizeof(name) - 1,
                                           n - (sizeof(name) - 1));
    else if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0)
        c->retry_after = -1; /* a new response (e.g. after 100-continue) */
    return n;
}

struct http_client *http_client_new(const struct http_config *cfg,
                                    struct ou_err *err)
{
    struct http_client *c = calloc(1, sizeof(*c));
    static const char prefix[] = "Authorization: Bearer ";
    CURLcode rc = CURLE_OK;

    if (c == NULL)
        goto nomem;
    c->curl = curl_easy_init();
    c->auth = malloc(sizeof(prefix) + strlen(cfg->bearer));
    if (c->curl == NULL || c->auth == NULL)
        goto nomem;
    c->timeout_ms = cfg->timeout_ms;
    memcpy(c->auth, prefix, sizeof(prefix) - 1);
    strcpy(c->auth + sizeof(prefix) - 1, cfg->bearer);
    c->headers = curl_slist_append(NULL, c->auth);
    if (c->headers == NULL)
        goto nomem;
    c->headers = curl_slist_append(c->headers, "Accept: application/json");
    if (c->headers == NULL)
        goto nomem;

    CURL *h = c->curl;
    rc |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    rc |= curl_easy_setopt(h, CURLOPT_USERAGENT, cfg->user_agent);
    rc |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    rc |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                           cfg->timeout_ms < 30000 ? cfg->timeout_ms : 30000L);
    rc |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    rc |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    rc |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    rc |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    rc |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    rc |= curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    if (cfg->max_body > 0)
        rc |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                               (curl_off_t)cfg->max_body);
    if (cfg->cacert != NULL)
        rc |= curl_easy_setopt(h, CURLOPT_CAINFO, cfg->cacert);
    if (rc != CURLE_OK) {
        ou_err_set(err, OU_EXIT_API, "cannot configure libcurl");
        http_client_free(c);
        return NULL;
    }
    return c;
nomem:
    ou_err_set(err, OU_EXIT_IO, "out of memory");
    http_client_free(c);
    return NULL;
}

static enum http_result classify(CURLcode cc, const struct buf *body)
{
    switch (cc) {
    case CURLE_OK:
        return HTTP_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return HTTP_E_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return HTTP_E_CONNECT;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return body->toobig || cc == CURLE_FILESIZE_EXCEEDED ? HTTP_E_TOOBIG
                                                             : HTTP_E_OTHER;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return HTTP_E_TRANSFER;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return HTTP_E_TLS;
    default:
        return HTTP_E_OTHER;
    }
}

enum http_result http_get(struct http_client *c, const char *url,
                          struct buf *body, struct http_response *resp,
                          long timeout_ms)
{
    CURLcode cc;
    curl_off_t us = 0;

    buf_reset(body);
    c->errbuf[0] = '\0';
    c->retry_after = -1;
    memset(resp, 0, sizeof(*resp));
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS,
                     timeout_ms > 0 && timeout_ms < c->timeout_ms
                         ? timeout_ms
                         : c->timeout_ms);
    /* Plain http is allowed only to loopback (http_check_base_url): never
     * through a proxy, which would see the key in clear text. https may use
     * the standard proxy variables (a CONNECT tunnel keeps TLS end to end). */
    curl_easy_setopt(c->curl, CURLOPT_PROXY,
                     strncmp(url, "http://", 7) == 0 ? "" : NULL);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, body);
    cc = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us);
    resp->elapsed_ms = (long)(us / 1000);
    resp->retry_after = c->retry_after;
    resp->result = classify(cc, body);
    if (resp->result != HTTP_OK)
        snprintf(resp->error, sizeof(resp->error), "%s",
                 c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
    return resp->result;
}

const char *http_result_text(enum http_result r)
{
    switch (r) {
    case HTTP_OK:
        return "ok";
    case HTTP_E_TIMEOUT:
        return "timed out";
    case HTTP_E_CONNECT:
        return "cannot connect";
    case HTTP_E_TRANSFER:
        return "connection broke off (truncated response)";
    case HTTP_E_TOOBIG:
        return "response larger than the size cap";
    case HTTP_E_TLS:
        return "TLS failure";
    case HTTP_E_OTHER:
    default:
        return "transfer failed";
    }
}

static bool is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
        strcmp(host, "[::1]") == 0)
        return true;
    /* 127.0.0.0/8 written as a dotted quad */
    unsigned a, b, cc, d;
    char extra;
    if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &cc, &d, &extra) == 4)
        return a == 127 && b < 256 && cc < 256 && d < 256;
    return false;
}

int http_check_base_url(const char *url, bool allow_insecure,
                        struct ou_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL;
    char *host = NULL;
    char *query = NULL;
    int rc = 0;

    if (u == NULL)
        return ou_err_set(err, OU_EXIT_IO, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = ou_err_set(err, OU_EXIT_USAGE,
                        "invalid base URL '%s' (expected "
                        "https://host/v1 or http://127.0.0.1:PORT/v1)",
                        url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
        rc = ou_err_set(err, OU_EXIT_USAGE,
                        "base URL '%s' must not have a query string", url);
        goto out;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        rc = ou_err_set(err, OU_EXIT_USAGE,
                        "base URL '%s': only http and https are supported",
                        url);
        goto out;
    }
    if (strcmp(scheme, "http") == 0 && !is_loopback(host) && !allow_insecure)
        rc = ou_err_set(err, OU_EXIT_USAGE,
                        "refusing to send the admin key over plain http to "
                        "'%s' (not a loopback host); use https, or "
                        "--allow-insecure-http if you really mean it",
                        host);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}
