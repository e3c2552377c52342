/* http.c - GET requests over one reused libcurl handle. */
#include "oaiusage/http.h"

#include "oaiusage/clock.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One transfer slot. */
struct slot {
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    int64_t retry_after; /* parsed by the header callback */
    struct buf *body;    /* the caller's */
    void *tag;           /* the caller's */
    bool busy;
};

struct http_client {
    CURLM *multi;
    struct slot *slots;
    int nslots;
    int inflight;
    struct curl_slist *headers; /* holds the Authorization header */
    char *auth;                 /* "Authorization: Bearer ..." (wiped) */
    long timeout_ms;            /* the configured per-request timeout */
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

static void http_cancel_all(struct http_client *c);

void http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    http_cancel_all(c);
    for (int i = 0; i < c->nslots; i++) {
        if (c->slots[i].curl != NULL)
            curl_easy_cleanup(c->slots[i].curl);
    }
    free(c->slots);
    if (c->multi != NULL)
        curl_multi_cleanup(c->multi);
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
    struct slot *s = userdata;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";

    if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0)
        s->retry_after = parse_retry_after(ptr + sizeof(name) - 1,
                                           n - (sizeof(name) - 1));
    else if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0)
        s->retry_after = -1; /* a new response (e.g. after 100-continue) */
    return n;
}

static CURLcode setup_slot(struct http_client *c, struct slot *s,
                           const struct http_config *cfg)
{
    CURL *h = s->curl;
    CURLcode rc = CURLE_OK;

    rc |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    rc |= curl_easy_setopt(h, CURLOPT_USERAGENT, cfg->user_agent);
    rc |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                           cfg->timeout_ms < 30000 ? cfg->timeout_ms : 30000L);
    rc |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    rc |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    rc |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    rc |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    rc |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    rc |= curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
    rc |= curl_easy_setopt(h, CURLOPT_PRIVATE, s);
    if (cfg->max_body > 0)
        rc |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                               (curl_off_t)cfg->max_body);
    if (cfg->cacert != NULL)
        rc |= curl_easy_setopt(h, CURLOPT_CAINFO, cfg->cacert);
    return rc;
}

struct http_client *http_client_new(const struct http_config *cfg, int parallel,
                                    struct ou_err *err)
{
    struct http_client *c = calloc(1, sizeof(*c));
    static const char prefix[] = "Authorization: Bearer ";

    if (parallel < 1)
        parallel = 1;
    if (c == NULL)
        goto nomem;
    c->multi = curl_multi_init();
    c->slots = calloc((size_t)parallel, sizeof(*c->slots));
    c->auth = malloc(sizeof(prefix) + strlen(cfg->bearer));
    if (c->multi == NULL || c->slots == NULL || c->auth == NULL)
        goto nomem;
    c->timeout_ms = cfg->timeout_ms;
    memcpy(c->auth, prefix, sizeof(prefix) - 1);
    memcpy(c->auth + sizeof(prefix) - 1, cfg->bearer, strlen(cfg->bearer) + 1);
    c->headers = curl_slist_append(NULL, c->auth);
    if (c->headers == NULL)
        goto nomem;
    c->headers = curl_slist_append(c->headers, "Accept: application/json");
    if (c->headers == NULL)
        goto nomem;
    curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
    c->nslots = parallel;
    for (int i = 0; i < c->nslots; i++) {
        c->slots[i].curl = curl_easy_init();
        if (c->slots[i].curl == NULL)
            goto nomem;
        if (setup_slot(c, &c->slots[i], cfg) != CURLE_OK) {
            ou_fail(err, OU_E_API, "cannot configure libcurl");
            http_client_free(c);
            return NULL;
        }
    }
    return c;
nomem:
    ou_nomem(err);
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

static int start_in(struct http_client *c, int i, const char *url,
                    struct buf *body, long timeout_ms, void *tag)
{
    struct slot *s = &c->slots[i];
    CURL *h = s->curl;

    buf_reset(body);
    s->errbuf[0] = '\0';
    s->retry_after = -1;
    s->body = body;
    s->tag = tag;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     timeout_ms > 0 && timeout_ms < c->timeout_ms
                         ? timeout_ms
                         : c->timeout_ms);
    /* Plain http is allowed only to loopback (http_check_base_url): never
     * through a proxy, which would see the key in clear text. https may use
     * the standard proxy variables (a CONNECT tunnel keeps TLS end to end). */
    curl_easy_setopt(h, CURLOPT_PROXY,
                     strncmp(url, "http://", 7) == 0 ? "" : NULL);
    if (curl_multi_add_handle(c->multi, h) != CURLM_OK)
        return -1;
    s->busy = true;
    c->inflight++;
    return i;
}

static int http_start(struct http_client *c, const char *url, struct buf *body,
                      long timeout_ms, void *tag)
{
    for (int i = 0; i < c->nslots; i++) {
        if (!c->slots[i].busy)
            return start_in(c, i, url, body, timeout_ms, tag);
    }
    return -1;
}

static void http_cancel_all(struct http_client *c)
{
    for (int i = 0; i < c->nslots; i++) {
        if (c->slots[i].busy) {
            curl_multi_remove_handle(c->multi, c->slots[i].curl);
            c->slots[i].busy = false;
        }
    }
    c->inflight = 0;
}

/* Collect one finished transfer, if any. */
static int collect(struct http_client *c, struct http_response *resp,
                   void **tag)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *h = msg->easy_handle;
        CURLcode cc = msg->data.result;
        struct slot *s = NULL;
        curl_off_t us = 0;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
        memset(resp, 0, sizeof(*resp));
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
        curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
        resp->elapsed_ms = (long)(us / 1000);
        resp->retry_after = s->retry_after;
        resp->result = classify(cc, s->body);
        if (resp->result != HTTP_OK)
            snprintf(resp->error, sizeof(resp->error), "%s",
                     s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc));
        curl_multi_remove_handle(c->multi, h);
        s->busy = false;
        c->inflight--;
        if (tag != NULL)
            *tag = s->tag;
        return (int)(s - c->slots);
    }
    return -1;
}

static int http_poll(struct http_client *c, long wait_ms,
                     struct http_response *resp, void **tag)
{
    int running = 0;
    int done;

    curl_multi_perform(c->multi, &running);
    if ((done = collect(c, resp, tag)) >= 0)
        return done;
    /* With nothing in flight this only lets the time pass, unless
     * http_wakeup ends it early (a worker finished a page). */
    curl_multi_poll(c->multi, NULL, 0, (int)(wait_ms > 0 ? wait_ms : 0), NULL);
    if (c->inflight == 0)
        return -1;
    curl_multi_perform(c->multi, &running);
    return collect(c, resp, tag);
}

/* ---- the client as a transport (transport.h) ------------------------------ */

static int tp_start(void *ctx, const char *url, struct buf *body,
                    long timeout_ms, void *tag)
{
    return http_start(ctx, url, body, timeout_ms, tag);
}

static int tp_poll(void *ctx, long wait_ms, struct http_response *resp,
                   void **tag)
{
    return http_poll(ctx, wait_ms, resp, tag);
}

static void tp_cancel_all(void *ctx)
{
    http_cancel_all(ctx);
}

static int64_t tp_clock_ms(void *ctx)
{
    (void)ctx;
    return clock_ms();
}

static void tp_wakeup(void *ctx)
{
    struct http_client *c = ctx;
    (void)curl_multi_wakeup(c->multi); /* thread-safe */
}

void http_transport(struct http_client *c, struct transport *tp)
{
    tp->ctx = c;
    tp->start = tp_start;
    tp->poll = tp_poll;
    tp->cancel_all = tp_cancel_all;
    tp->clock_ms = tp_clock_ms;
    tp->wakeup = tp_wakeup;
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
    unsigned char addr[4];
    return inet_pton(AF_INET, host, addr) == 1 && addr[0] == 127;
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
        return ou_nomem(err);
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = ou_fail(err, OU_E_USAGE,
                     "invalid base URL '%s' (expected "
                     "https://host/v1 or http://127.0.0.1:PORT/v1)",
                     url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
        rc = ou_fail(err, OU_E_USAGE,
                     "base URL '%s' must not have a query string", url);
        goto out;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        rc = ou_fail(err, OU_E_USAGE,
                     "base URL '%s': only http and https are supported", url);
        goto out;
    }
    if (strcmp(scheme, "http") == 0 && !is_loopback(host) && !allow_insecure)
        rc = ou_fail(err, OU_E_USAGE,
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

const char *http_lib_version(void)
{
    static char v[96];
    const curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);

    snprintf(v, sizeof(v), "libcurl %s%s%s%s", d->version,
             d->ssl_version != NULL ? " (" : "",
             d->ssl_version != NULL ? d->ssl_version : "",
             d->ssl_version != NULL ? ")" : "");
    return v;
}
