/* output.h - delivering a finished report.
 *
 * The report is rendered completely in memory first, so nothing reaches
 * stdout or the file unless the whole run succeeded. A file is written
 * atomically: a temporary file in the same directory, flushed and synced,
 * then renamed over the target; on any failure the temporary is removed and
 * the target is left exactly as it was.
 */
#ifndef OAIUSAGE_OUTPUT_H
#define OAIUSAGE_OUTPUT_H

#include <stddef.h>

#include "oaiusage/status.h"

/* Write data to path (NULL or "-" = stdout). Returns 0 or OU_E_IO. A
 * closed pipe on stdout (EPIPE) returns 0 quietly: the reader chose to stop. */
int output_write(const char *path, const char *data, size_t len,
                 struct ou_err *err);

/* The same, with the output made of head, the bytes of the spill file fd
 * (-1: none) and tail: rows streamed to a spill during the run are
 * delivered only once the run has succeeded. */
int output_write_parts(const char *path, const char *head, size_t hlen,
                       int spill, const char *tail, size_t tlen,
                       struct ou_err *err);

/* An anonymous temporary file (already unlinked) beside path, or in
 * $TMPDIR for stdout: returns its descriptor, or a negative exit code with
 * err. Close it when done. */
int output_spill_open(const char *path, struct ou_err *err);
int output_spill_write(int fd, const char *data, size_t len,
                       struct ou_err *err);

/* Remove a temporary file left by an interrupted output_write (signal-safe). */
void output_abort_cleanup(void);

#endif
