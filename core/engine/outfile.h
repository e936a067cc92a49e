/* Output files that never lose or destroy what was there.
 *
 * A file synack writes whole (a ladder, a plot, a CSV, a summary) is
 * written to a temporary file in the same directory and renamed over its
 * path when everything was written, so a run that fails half-way (full
 * disk, I/O error, a script error) leaves the old file as it was.  That is
 * done only when the path is a regular file or does not exist: anything
 * else (a symbolic link, a device such as /dev/null or /dev/stdout, a
 * FIFO) is written through, never replaced or deleted.  A directory is an
 * error.
 *
 * Every write is checked: sy_out_close reports a failed write, flush or
 * close with the path and the system's reason, and then the path keeps
 * its old contents (or does not exist). */
#ifndef SY_OUTFILE_H
#define SY_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "errors.h"

typedef struct sy_out sy_out;

/* Opens path for writing; NULL with a message naming path on failure. */
sy_out *sy_out_open(const char *path, sy_err *err);
/* The stream to write to (any stdio call; errors are caught at close). */
FILE *sy_out_file(sy_out *o);
/* Writes n bytes; -1 with a message naming the path on failure (the
 * handle must still be closed or abandoned). */
int sy_out_write(sy_out *o, const void *p, size_t n, sy_err *err);
/* Flushes to the device (fsync), closes and, for a regular file, renames
 * the temporary file over the path.  On failure returns -1 with a message
 * naming the path and removes the temporary file.  Frees o either way. */
int sy_out_close(sy_out *o, sy_err *err);
/* Discards what was written (the temporary file is removed; a path
 * written through keeps what reached it) and frees o.  NULL is a no-op. */
void sy_out_abandon(sy_out *o);
/* The path given to sy_out_open. */
const char *sy_out_path(const sy_out *o);

/* Writes n bytes to path through the above in one call. */
int sy_out_whole(const char *path, const void *p, size_t n, sy_err *err);

/* Reads a whole input file of at most max bytes into a NUL-terminated
 * buffer (free it).  A directory, or a file (a device such as /dev/zero,
 * a FIFO) longer than max, is an error naming path, so reading is always
 * bounded.  With text ("a CSV file"), a NUL byte is an error naming the
 * line ("PATH:LINE: a NUL byte: not a CSV file") as soon as it is read:
 * /dev/zero is refused after its first block. */
int sy_read_bounded(const char *path, size_t max, const char *text, char **data,
		    size_t *len, sy_err *err);

/* A string argument with an embedded NUL would be cut short by every C
 * call it reaches: -1 with "what: contains a NUL byte" when s[0..n) has
 * one. */
int sy_check_no_nul(const char *s, size_t n, const char *what, sy_err *err);

#endif
