/* status.h - exit codes and the error record every module fills.
 *
 * Modules never print and never exit: they return a status and, on failure,
 * fill a struct ou_err that the caller hands up to main(), which prints the
 * one message and exits with err.code.
 */
#ifndef OAIUSAGE_STATUS_H
#define OAIUSAGE_STATUS_H

#include <stddef.h>

/* Documented exit codes (README "Exit codes"). */
enum ou_exit {
    OU_EXIT_OK = 0,       /* success */
    OU_EXIT_API = 1,      /* API or network failure */
    OU_EXIT_USAGE = 2,    /* bad command line */
    OU_EXIT_AUTH = 3,     /* 401/403, missing or unusable key */
    OU_EXIT_DATA = 4,     /* malformed or unexpected response */
    OU_EXIT_IO = 5        /* local I/O error (output file, key file) */
};

#define OU_ERR_MSG_MAX 1024

struct ou_err {
    int code;                    /* an enum ou_exit value; 0 = no error */
    char msg[OU_ERR_MSG_MAX];    /* one line, no trailing newline */
};

/* Record an error: sets code and formats msg. Returns code, so callers can
 * write `return ou_err_set(err, OU_EXIT_DATA, "...", ...);`. err may be NULL. */
int ou_err_set(struct ou_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with more context ("page 3: " + old msg). */
void ou_err_prefix(struct ou_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
