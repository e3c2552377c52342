/* msg.h - diagnostics on stderr. stdout is for data only.
 *
 * msg_error always prints; msg_warn and msg_note are silenced by --quiet;
 * msg_verbose prints only with --verbose. Every line starts "oaiusage: ".
 */
#ifndef OAIUSAGE_MSG_H
#define OAIUSAGE_MSG_H

enum msg_level { MSG_QUIET = 0, MSG_NORMAL = 1, MSG_VERBOSE = 2 };

void msg_set_level(enum msg_level level);
enum msg_level msg_get_level(void);
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
