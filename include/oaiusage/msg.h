/* msg.h - diagnostics on stderr. stdout is for data only.
 *
 * msg_error always prints; msg_warn and msg_note are silenced by --quiet;
 * msg_verbose prints only with --verbose. Every line starts "oaiusage: ".
 *
 * This is the one way to stderr, and its choke point: every line, the -v
 * log included, is scrubbed of every key registered with msg_set_secret()
 * or msg_add_secret() (see secret_scrub), cut between characters and
 * cleaned for a terminal (text_terminal), whatever a server put in it.
 *
 * Safe from several threads (a run over several organizations, one
 * thread each): lines never interleave. A thread may name its
 * organization (msg_set_context): its lines then say which one.
 */
#ifndef OAIUSAGE_MSG_H
#define OAIUSAGE_MSG_H

#include <stdatomic.h>
#include <stdbool.h>

enum msg_level { MSG_QUIET = 0, MSG_NORMAL = 1, MSG_VERBOSE = 2 };

void msg_set_level(enum msg_level level);
/* The key to scrub from every line (copied): the only one; NULL wipes
 * every copy. */
void msg_set_secret(const char *key);
/* One more key to scrub (copied; a run over several organizations has
 * one per organization). */
void msg_add_secret(const char *key);
/* This thread's lines start with "name: " (NULL: none), and fall silent
 * once *mute is non-zero (NULL: never), as when another organization's
 * failure called the run off. */
void msg_set_context(const char *name, const atomic_int *mute);
enum msg_level msg_get_level(void);
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A progress line, redrawn in place ("\r", erase to the end): only once
 * enabled (stderr is a terminal) and at the normal level (not with -q,
 * nor with -v, whose log has a line per request). Any other message
 * wipes it first; msg_progress_end() wipes it for good. Our own numbers
 * only: never text from a server. */
void msg_progress_enable(bool on);
void msg_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, without this thread's "name: " (a line over every
 * organization of a run). */
void msg_progress_all(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void msg_progress_end(void);

#endif
