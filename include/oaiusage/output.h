/* output.h - delivering a finished report: stdout, or a file replaced
 * atomically (atomic.h).
 *
 * A report is rendered completely first (in memory, or rows in a spill
 * file), so nothing reaches stdout or the file unless the whole run
 * succeeded. For a file, a symlink's target is replaced (not the link), an
 * existing file keeps its permissions, and anything that is not a regular
 * file is refused.
 */
#ifndef OAIUSAGE_OUTPUT_H
#define OAIUSAGE_OUTPUT_H

#include <stddef.h>

#include "oaiusage/status.h"

/* Write data to path (NULL or "-" = stdout). Returns 0 or OU_E_IO. A
 * closed pipe on stdout (EPIPE) returns 0 quietly: the reader chose to stop. */
/* The width of the terminal standard output is, in columns: 0 when it is
 * not a terminal. $COLUMNS wins when set (tmux, scripts). */
int output_terminal_width(void);

int output_write(const char *path, const char *data, size_t len,
                 struct ou_err *err);

/* The same, with the output made of head, the bytes of the spill file fd
 * (-1: none) and tail: rows streamed to a spill during the run are
 * delivered only once the run has succeeded. */
int output_write_parts(const char *path, const char *head, size_t hlen,
                       int spill, const char *tail, size_t tlen,
                       struct ou_err *err);

/* An anonymous temporary file (already unlinked) beside path, or in
 * $TMPDIR for stdout: returns its descriptor, or -1 with err. Close it
 * when done. */
int output_spill_open(const char *path, struct ou_err *err);
int output_spill_write(int fd, const char *data, size_t len,
                       struct ou_err *err);

#endif
