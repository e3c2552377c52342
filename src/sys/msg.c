/* msg.c - diagnostics on stderr. */
#include "oaiusage/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/buf.h"
#include "oaiusage/secret.h"
#include "oaiusage/text.h"

#define MSG_LINE_MAX 4096

static enum msg_level current_level = MSG_NORMAL;
static char *secret; /* a copy of the key, wiped when replaced */

void msg_set_level(enum msg_level level)
{
    current_level = level;
}

enum msg_level msg_get_level(void)
{
    return current_level;
}

void msg_set_secret(const char *key)
{
    if (secret != NULL) {
        volatile char *p = secret;
        while (*p)
            *p++ = '\0';
        free(secret);
    }
    secret = key != NULL ? strdup(key) : NULL;
}

static bool progress_on;    /* msg_progress may draw */
static bool progress_shown; /* a progress line is on the terminal */

void msg_progress_enable(bool on)
{
    progress_on = on;
}

/* Wipe the progress line so that a message starts on a clean line. */
static void progress_wipe(void)
{
    if (progress_shown)
        fputs("\r\033[K", stderr);
    progress_shown = false;
}

void msg_progress(const char *fmt, ...)
{
    char line[160];
    va_list ap;

    if (!progress_on || current_level != MSG_NORMAL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "\roaiusage: %s\033[K", line);
    (void)fflush(stderr); /* a progress line lost is no loss */
    progress_shown = true;
}

void msg_progress_end(void)
{
    progress_wipe();
    (void)fflush(stderr);
}

/* The choke point: every line on stderr is formatted whole, scrubbed of
 * the key, cut between characters, and made safe for a terminal (no
 * control, escape or bidi character reaches it). */
__attribute__((format(printf, 2, 0))) static void
emit(const char *kind, const char *fmt, va_list ap)
{
    char line[MSG_LINE_MAX];
    struct buf raw;
    struct buf safe;

    buf_init(&raw, 0);
    buf_init(&safe, 0);
    if (buf_vprintf(&raw, fmt, ap) != 0)
        snprintf(line, sizeof(line), "(a message was lost: out of memory)");
    else
        secret_scrub(raw.data, secret, line, sizeof(line));
    progress_wipe();
    if (text_terminal(&safe, line) == 0)
        fprintf(stderr, "oaiusage: %s%s\n", kind != NULL ? kind : "",
                safe.data != NULL ? safe.data : "");
    buf_release(&raw);
    buf_release(&safe);
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
