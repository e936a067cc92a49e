#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "outfile.h"

int sy_buf_add(sy_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int sy_buf_str(sy_buf *b, const char *s)
{
	return sy_buf_add(b, s, strlen(s));
}

int sy_buf_printf(sy_buf *b, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return sy_buf_add(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -1;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = sy_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

void sy_buf_free(sy_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int sy_csv_field(sy_buf *b, const char *s, int first)
{
	if (!first && sy_buf_add(b, ",", 1) < 0)
		return -1;
	if (!s[strcspn(s, ",\"\r\n")])
		return sy_buf_str(b, s);
	if (sy_buf_add(b, "\"", 1) < 0)
		return -1;
	for (const char *q; (q = strchr(s, '"')); s = q + 1)
		if (sy_buf_add(b, s, (size_t)(q - s) + 1) < 0 ||
		    sy_buf_add(b, "\"", 1) < 0)
			return -1;
	return sy_buf_str(b, s) < 0 ? -1 : sy_buf_add(b, "\"", 1);
}

int sy_csv_end(sy_buf *b)
{
	return sy_buf_add(b, "\n", 1);
}

static int rec_push(sy_csv_rec *rec, const char *s, size_t n)
{
	char *f;

	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? 2 * rec->cap : 16;
		char **p = realloc(rec->f, cap * sizeof *p);

		if (!p)
			return -1;
		rec->f = p;
		rec->cap = cap;
	}
	f = malloc(n + 1);
	if (!f)
		return -1;
	memcpy(f, s, n);
	f[n] = 0;
	rec->f[rec->n++] = f;
	return 0;
}

static void rec_clear(sy_csv_rec *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free(rec->f[i]);
	rec->n = 0;
}

void sy_csv_rec_free(sy_csv_rec *rec)
{
	rec_clear(rec);
	free(rec->f);
	rec->f = NULL;
	rec->cap = 0;
}

int sy_csv_next(const char *s, size_t n, size_t *pos, size_t *line,
		sy_csv_rec *rec, int *terminated, sy_err *err)
{
	size_t i = *pos;
	sy_buf field = { 0 };

	rec_clear(rec);
	*terminated = 0;
	if (i >= n)
		return 0;
	rec->line = *line;
	for (;;) {
		field.len = 0;
		if (sy_buf_add(&field, "", 0) < 0)
			goto oom;
		if (i < n && s[i] == '"') {
			size_t start_line = *line;

			for (i++;; i++) {
				if (i >= n) {
					sy_buf_free(&field);
					return sy_err_set(err, "line %zu: a quoted field is not closed",
							  start_line);
				}
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				} else if (s[i] == '\n') {
					(*line)++;
				}
				if (sy_buf_add(&field, s + i, 1) < 0)
					goto oom;
			}
			if (i < n && s[i] != ',' && s[i] != '\n' &&
			    !(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {
				sy_buf_free(&field);
				return sy_err_set(err, "line %zu: text after a closing quote",
						  *line);
			}
		} else {
			size_t j = i;

			while (j < n && s[j] != ',' && s[j] != '\n' &&
			       !(s[j] == '\r' && j + 1 < n && s[j + 1] == '\n'))
				j++;
			if (sy_buf_add(&field, s + i, j - i) < 0)
				goto oom;
			i = j;
		}
		if (rec_push(rec, field.p, field.len) < 0)
			goto oom;
		if (i >= n)
			break;
		if (s[i] == ',') {
			i++;
			continue;
		}
		i += s[i] == '\r' ? 2 : 1;
		(*line)++;
		*terminated = 1;
		break;
	}
	sy_buf_free(&field);
	*pos = i;
	return 1;
oom:
	sy_buf_free(&field);
	return sy_err_set(err, "out of memory reading CSV");
}

int sy_read_file(const char *path, char **data, size_t *len, sy_err *err)
{
	return sy_read_bounded(path, SY_CSV_MAX, "a CSV file", data, len, err);
}

void sy_csv_number(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, n, "%.17g", v);
}
