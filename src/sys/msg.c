/* msg.c - diagnostics on stderr. */
#include "oaiusage/msg.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/buf.h"
#include "oaiusage/secret.h"
#include "oaiusage/text.h"

#define MSG_LINE_MAX 4096
#define MSG_MAX_SECRETS 64

/* Several threads (one per organization) write here: one lock around
 * stderr, the secrets and the progress line. The level is set once,
 * before any thread starts. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum msg_level current_level = MSG_NORMAL;
/* Copies of the keys, wiped when dropped. */
static char *secrets[MSG_MAX_SECRETS];
static int nsecrets;
static bool secrets_full; /* a key could not be kept: withhold everything */

/* This thread's organization, and when to fall silent. */
static _Thread_local const char *context;
static _Thread_local const atomic_int *context_mute;

void msg_set_level(enum msg_level level)
{
    current_level = level;
}

enum msg_level msg_get_level(void)
{
    return current_level;
}

static void wipe(char *s)
{
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    free(s);
}

void msg_add_secret(const char *key)
{
    if (key == NULL || key[0] == '\0')
        return;
    pthread_mutex_lock(&lock);
    bool known = false;
    for (int i = 0; i < nsecrets && !known; i++)
        known = strcmp(secrets[i], key) == 0;
    if (!known) {
        char *c = nsecrets < MSG_MAX_SECRETS ? strdup(key) : NULL;
        if (c != NULL)
            secrets[nsecrets++] = c;
        else
            secrets_full = true;
    }
    pthread_mutex_unlock(&lock);
}

void msg_set_secret(const char *key)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nsecrets; i++)
        wipe(secrets[i]);
    nsecrets = 0;
    secrets_full = false;
    pthread_mutex_unlock(&lock);
    msg_add_secret(key);
}

void msg_set_context(const char *name, const atomic_int *mute)
{
    context = name;
    context_mute = mute;
}

static bool progress_on;    /* msg_progress may draw */
static bool progress_shown; /* a progress line is on the terminal */

void msg_progress_enable(bool on)
{
    pthread_mutex_lock(&lock);
    progress_on = on;
    pthread_mutex_unlock(&lock);
}

/* Has this thread's run been called off (another organization failed)? */
static bool muted(void)
{
    return context_mute != NULL && atomic_load(context_mute) != 0;
}

/* Wipe the progress line so that a message starts on a clean line. */
static void progress_wipe(void)
{
    if (progress_shown)
        fputs("\r\033[K", stderr);
    progress_shown = false;
}

/* Draw the progress line; with_context: after this thread's "name: ". */
__attribute__((format(printf, 2, 0))) static void
progress_draw(bool with_context, const char *fmt, va_list ap)
{
    char line[160];
    const char *name = with_context ? context : NULL;

    if (current_level != MSG_NORMAL || muted())
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    pthread_mutex_lock(&lock);
    if (progress_on) {
        fprintf(stderr, "\roaiusage: %s%s%s\033[K", name != NULL ? name : "",
                name != NULL ? ": " : "", line);
        (void)fflush(stderr); /* a progress line lost is no loss */
        progress_shown = true;
    }
    pthread_mutex_unlock(&lock);
}

void msg_progress(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    progress_draw(true, fmt, ap);
    va_end(ap);
}

void msg_progress_all(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    progress_draw(false, fmt, ap);
    va_end(ap);
}

void msg_progress_end(void)
{
    pthread_mutex_lock(&lock);
    progress_wipe();
    (void)fflush(stderr); /* nothing to do if it fails */
    pthread_mutex_unlock(&lock);
}

/* in, scrubbed of every key, into out (size bytes). Under the lock. */
static void scrub_all(const char *in, char *out, size_t size)
{
    char tmp[MSG_LINE_MAX];

    if (secrets_full) {
        snprintf(out, size, "%s", "(message withheld)");
        return;
    }
    secret_scrub(in, nsecrets > 0 ? secrets[0] : NULL, out, size);
    for (int i = 1; i < nsecrets; i++) {
        snprintf(tmp, sizeof(tmp), "%s", out);
        secret_scrub(tmp, secrets[i], out, size);
    }
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

    if (muted())
        return;
    buf_init(&raw, 0);
    buf_init(&safe, 0);
    /* "acme: warning: ..." in a run over several organizations */
    if ((context != NULL && buf_printf(&raw, "%s: ", context) != 0) ||
        buf_puts(&raw, kind != NULL ? kind : "") != 0 ||
        buf_vprintf(&raw, fmt, ap) != 0) {
        snprintf(line, sizeof(line), "(a message was lost: out of memory)");
        pthread_mutex_lock(&lock);
    } else {
        pthread_mutex_lock(&lock);
        scrub_all(raw.data, line, sizeof(line));
    }
    progress_wipe();
    if (text_terminal(&safe, line) == 0)
        fprintf(stderr, "oaiusage: %s\n", safe.data != NULL ? safe.data : "");
    pthread_mutex_unlock(&lock);
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
