/* status.c - the error record and the exit code of each category. */
#include "oaiusage/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ou_fail(struct ou_err *err, enum ou_status cat, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return (int)cat;
    err->cat = cat;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return (int)cat;
}

int ou_nomem(struct ou_err *err)
{
    return ou_fail(err, OU_E_NOMEM, "out of memory");
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

int ou_exit_code(int status)
{
    static const int codes[] = {
        [OU_OK] = OU_EXIT_OK,
        [OU_E_API] = OU_EXIT_API,
        [OU_E_USAGE] = OU_EXIT_USAGE,
        [OU_E_AUTH] = OU_EXIT_AUTH,
        [OU_E_DATA] = OU_EXIT_DATA,
        [OU_E_IO] = OU_EXIT_IO,
        [OU_E_NOMEM] = OU_EXIT_NOMEM,
        [OU_E_BUSY] = OU_EXIT_BUSY,
        [OU_E_UNCOVERED] = OU_EXIT_UNCOVERED,
        [OU_ALERT_WARN] = OU_EXIT_BUDGET_WARN,
        [OU_ALERT_OVER] = OU_EXIT_BUDGET_OVER,
    };

    if (status < 0 || (size_t)status >= sizeof(codes) / sizeof(codes[0]))
        return OU_EXIT_API;
    return codes[status];
}
