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

/* One line: text from the API can hold control characters (escape
 * sequences, newlines); they never reach the terminal as such. */
__attribute__((format(printf, 2, 0))) static void
emit(const char *kind, const char *fmt, va_list ap)
{
    char line[4096];

    vsnprintf(line, sizeof(line), fmt, ap);
    for (char *p = line; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    fprintf(stderr, "oaiusage: %s%s\n", kind != NULL ? kind : "", line);
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
