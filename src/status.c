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
    char old[OU_ERR_MSG_MAX];
    char pre[OU_ERR_MSG_MAX];
    va_list ap;

    if (err == NULL)
        return;
    memcpy(old, err->msg, sizeof(old));
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    snprintf(err->msg, sizeof(err->msg), "%s%s", pre, old);
}
