/* CSV (RFC 4180) for the batch runner: writing records into a growing
 * buffer and reading them back.
 *
 * Fields holding a comma, a double quote, CR or LF are written quoted, with
 * quotes doubled; records end with LF.  The reader takes LF or CRLF, quoted
 * fields spanning lines, and reports whether the last record was ended by a
 * newline (a file cut short by a crash ends with an unterminated record). */
#ifndef SY_CSV_H
#define SY_CSV_H

#include <stddef.h>

#include "errors.h"

/* A growing byte buffer, always NUL-terminated once anything was added. */
typedef struct sy_buf {
	char *p;
	size_t len, cap;
} sy_buf;

int sy_buf_add(sy_buf *b, const char *s, size_t n);
int sy_buf_str(sy_buf *b, const char *s);
int sy_buf_printf(sy_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sy_buf_free(sy_buf *b);

/* Appends one field, preceded by a comma unless `first`, quoted if needed. */
int sy_csv_field(sy_buf *b, const char *s, int first);
/* Ends the record. */
int sy_csv_end(sy_buf *b);

/* One record read back: n fields, each a NUL-terminated string. */
typedef struct sy_csv_rec {
	char **f;
	size_t n, cap;
	size_t line; /* line of the input where the record starts (from 1) */
} sy_csv_rec;

/* Reads the record starting at *pos in s[0, n) and moves *pos past it.
 * Returns 1 with a record, 0 at the end of the input, -1 on a malformed
 * record (an unterminated quote, or text after a closing quote) with a
 * message naming the line.  *terminated tells whether the record ended
 * with a newline.  `line` counts lines across calls (start it at 1). */
int sy_csv_next(const char *s, size_t n, size_t *pos, size_t *line,
		sy_csv_rec *rec, int *terminated, sy_err *err);
void sy_csv_rec_free(sy_csv_rec *rec);

/* The most a CSV input (summarize, --resume) may hold: 1 GiB, about ten
 * million rows of a batch; a bound when the path is an endless source
 * (/dev/zero, a FIFO). */
#define SY_CSV_MAX ((size_t)1 << 30)

/* Reads a whole text file of at most SY_CSV_MAX bytes into a
 * NUL-terminated buffer.  A directory, a longer input or a NUL byte (not
 * text: every C string would end there) is an error naming the file. */
int sy_read_file(const char *path, char **data, size_t *len, sy_err *err);

/* A number as text in the shortest form of %.15g / %.17g that reads back
 * to the same double (the rule of `synack run`'s rows). */
void sy_csv_number(char *buf, size_t n, double v);

#endif
