/* status.c - the error record. */
#include "oaiusage/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ou_err_set(struct ou_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void ou_err_prefix(struct ou_err *err, const char *fmt, ...)
{
    char pre[256];
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t plen = strlen(pre);
    size_t mlen = strnlen(err->msg, sizeof(err->msg) - 1);
    if (plen + mlen >= sizeof(err->msg))
        mlen = sizeof(err->msg) - 1 - plen;
    memmove(err->msg + plen, err->msg, mlen);
    memcpy(err->msg, pre, plen);
    err->msg[plen + mlen] = '\0';
}
