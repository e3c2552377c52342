/* status.h - what went wrong, as a category, and the record every module
 * fills.
 *
 * Modules never print and never exit. A function that can fail returns 0
 * on success or a category (enum ou_status, never 0) and, on failure, fills
 * the caller's struct ou_err with the category and one line of text. The
 * error travels up unchanged (callers may prefix context) to main(), which
 * prints the line and maps the category to the process exit code in one
 * place (ou_exit_code). Nothing below main() knows exit numbers.
 */
#ifndef OAIUSAGE_STATUS_H
#define OAIUSAGE_STATUS_H

#include <stddef.h>

enum ou_status {
    OU_OK = 0,
    OU_E_API,       /* the API or the network failed (after retries) */
    OU_E_USAGE,     /* the command line is wrong */
    OU_E_AUTH,      /* no usable key, or the API refused it (401/403) */
    OU_E_DATA,      /* the API sent something malformed or inconsistent */
    OU_E_IO,        /* a local file could not be read or written */
    OU_E_NOMEM,     /* out of memory */
    OU_E_BUSY,      /* the store is locked by another sync (--lock-timeout) */
    OU_E_UNCOVERED, /* the store does not hold the window asked for */
    /* Not failures: outcomes a budget check reports through the exit code,
     * after its output was written in full. */
    OU_ALERT_WARN, /* a budget crossed its warning threshold */
    OU_ALERT_OVER  /* a budget is used up */
};

/* Is a status one of the alert outcomes (not an error)? */
#define OU_IS_ALERT(st) ((st) == OU_ALERT_WARN || (st) == OU_ALERT_OVER)

/* The documented process exit codes (README "Exit codes"). */
enum ou_exit {
    OU_EXIT_OK = 0,
    OU_EXIT_API = 1,
    OU_EXIT_USAGE = 2,
    OU_EXIT_AUTH = 3,
    OU_EXIT_DATA = 4,
    OU_EXIT_IO = 5,
    OU_EXIT_NOMEM = 6,
    OU_EXIT_BUSY = 7,
    OU_EXIT_UNCOVERED = 8,
    OU_EXIT_BUDGET_WARN = 10,
    OU_EXIT_BUDGET_OVER = 11
};

#define OU_ERR_MSG_MAX 1024

struct ou_err {
    enum ou_status cat;       /* OU_OK = no error */
    char msg[OU_ERR_MSG_MAX]; /* one line, no trailing newline */
};

/* Record an error: sets the category and formats msg. Returns cat, so
 * callers can write `return ou_fail(err, OU_E_DATA, "...", ...);`. err may
 * be NULL. */
int ou_fail(struct ou_err *err, enum ou_status cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The one out-of-memory error. Returns OU_E_NOMEM. */
int ou_nomem(struct ou_err *err);

/* Prefix the existing message with more context ("page 3: " + old msg). */
void ou_err_prefix(struct ou_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The process exit code for a status (the only place they are mapped). */
int ou_exit_code(int status);

#endif
