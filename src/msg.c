/* msg.c - diagnostics on stderr. */
#include "oaiusage/msg.h"

#include <stdarg.h>
#include <stdio.h>

static enum msg_level current_level = MSG_NORMAL;

void msg_set_level(enum msg_level level)
{
    current_level = level;
}

enum msg_level msg_get_level(void)
{
    return current_level;
}

static void emit(const char *kind, const char *fmt, va_list ap)
{
    fputs("oaiusage: ", stderr);
    if (kind != NULL)
        fputs(kind, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
    va_list ap;

    if (current_level < MSG_NORMAL)
        return;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void msg_note(const char *fmt, ...)
{
    va_list ap;

    if (current_level < MSG_NORMAL)
        return;
    va_start(ap, fmt);
    emit(NULL, fmt, ap);
    va_end(ap);
}

void msg_verbose(const char *fmt, ...)
{
    va_list ap;

    if (current_level < MSG_VERBOSE)
        return;
    va_start(ap, fmt);
    emit(NULL, fmt, ap);
    va_end(ap);
}
