/* msg.h - diagnostics on stderr. stdout is for data only.
 *
 * msg_error always prints; msg_warn and msg_note are silenced by --quiet;
 * msg_verbose prints only with --verbose. Every line starts "oaiusage: ".
 *
 * This is the one way to stderr, and its choke point: every line, the -v
 * log included, is scrubbed of the key registered with msg_set_secret()
 * (see secret_scrub), cut between characters and cleaned for a terminal
 * (text_terminal), whatever a server put in it.
 */
#ifndef OAIUSAGE_MSG_H
#define OAIUSAGE_MSG_H

#include <stdbool.h>

enum msg_level { MSG_QUIET = 0, MSG_NORMAL = 1, MSG_VERBOSE = 2 };

void msg_set_level(enum msg_level level);
/* The key to scrub from every line (copied; NULL wipes the copy). */
void msg_set_secret(const char *key);
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
void msg_progress_end(void);

#endif
