/* synack batch, the output: the file always holds a header and every run
 * finished so far (local workers: every run whose result the parent took,
 * which it does at least every TAKE_S, see pool.c).  Rows are appended and
 * flushed as runs finish (those taken together, with one flush), and the
 * file is rewritten (to a temporary file, then renamed, when it is a
 * regular file: see outfile.h) when a new metric column appears and at the
 * end, in point order.  A failed write (a full disk) stops the batch with
 * the rows written so far intact. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch_priv.h"
#include "csv.h"
#include "outfile.h"

static void add_row(const batch *b, sy_buf *o, const run *r)
{
	const point *p = &b->pts[r->pt];
	char num[32];

	snprintf(num, sizeof num, "%" PRIu64, p->index);
	sy_csv_field(o, num, 1);
	snprintf(num, sizeof num, "%" PRIu64, r->rep);
	sy_csv_field(o, num, 0);
	snprintf(num, sizeof num, "%" PRIu64, r->seed);
	sy_csv_field(o, num, 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(o, p->cols[i], 0);
	for (size_t i = 0; i < b->nmnames; i++) {
		const char *v = "";

		for (size_t j = 0; j < r->nm; j++)
			if (strcmp(r->m[j].name, b->mnames[i]) == 0)
				v = r->m[j].value;
		sy_csv_field(o, v, 0);
	}
	sy_csv_field(o, status_names[r->status], 0);
	sy_csv_field(o, r->msg ? r->msg : "", 0);
	snprintf(num, sizeof num, "%.3f", r->wall);
	sy_csv_field(o, num, 0);
	sy_csv_end(o);
}

static void add_header(const batch *b, sy_buf *o)
{
	sy_csv_field(o, "point", 1);
	sy_csv_field(o, "rep", 0);
	sy_csv_field(o, "seed", 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(o, b->pcols[i], 0);
	for (size_t i = 0; i < b->nmnames; i++)
		sy_csv_field(o, b->mnames[i], 0);
	sy_csv_field(o, "status", 0);
	sy_csv_field(o, "error", 0);
	sy_csv_field(o, "wall_s", 0);
	sy_csv_end(o);
}

/* Closes the handle rows are appended through. */
int batch_close_append(batch *b)
{
	int rc = 0;

	if (b->out && fclose(b->out) != 0) {
		fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
		rc = -1;
	}
	b->out = NULL;
	return rc;
}

/* Writes the header and every finished row, in point order, over the
 * output: a regular file is replaced only once all of it is written, so a
 * failure (a full disk) leaves the rows it held.  With `append`, rows are
 * then appended to it.  On failure nothing more is appended. */
int batch_rewrite(batch *b, int append)
{
	sy_buf o = { 0 };
	sy_out *f;
	sy_err err;
	int rc = batch_close_append(b);

	add_header(b, &o);
	for (size_t i = 0; i < b->nruns; i++)
		if (b->runs[i].done)
			add_row(b, &o, &b->runs[i]);
	if ((f = sy_out_open(b->output, &err)) && sy_out_write(f, o.p, o.len, &err) < 0) {
		sy_out_abandon(f);
		f = NULL;
	}
	if (!f || sy_out_close(f, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		rc = -1;
	} else if (rc == 0 && append && !(b->out = fopen(b->output, "a"))) {
		fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
		rc = -1;
	}
	sy_buf_free(&o);
	return rc;
}

/* Adds metric names not yet in the columns; returns 1 if any was new. */
int batch_add_metric_names(batch *b, const run *r)
{
	int added = 0;

	for (size_t j = 0; j < r->nm; j++) {
		size_t i = 0;

		while (i < b->nmnames && strcmp(b->mnames[i], r->m[j].name) < 0)
			i++;
		if (i < b->nmnames && strcmp(b->mnames[i], r->m[j].name) == 0)
			continue;
		b->mnames = realloc(b->mnames, (b->nmnames + 1) * sizeof *b->mnames);
		if (!b->mnames) {
			fprintf(stderr, "synack: out of memory\n");
			exit(EXIT_FAILURE);
		}
		memmove(b->mnames + i + 1, b->mnames + i, (b->nmnames - i) * sizeof *b->mnames);
		b->mnames[i] = xstrdup(r->m[j].name);
		b->nmnames++;
		added = 1;
	}
	return added;
}

/* Flushes the rows appended since the last flush.  Returns 0, or -1 (said)
 * when they could not be written: nothing more is appended. */
int batch_flush(batch *b)
{
	if (!b->out)
		return -1; /* an earlier write failed and said so */
	if (fflush(b->out) != 0) {
		fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
		/* What reached the file ends in a row cut short, which
		 * --resume drops; append nothing after it. */
		fclose(b->out);
		b->out = NULL;
		return -1;
	}
	return 0;
}

/* Stores the result record of run ri (as slot_finish makes it) and
 * writes its row; with `flush`, flushes it (else batch_flush does, soon). */
int batch_store(batch *b, size_t ri, const char *res, size_t len, int flush)
{
	run *r = &b->runs[ri];
	sy_csv_rec rec = { 0 };
	size_t pos = 0, line = 1;
	int term, rc = 0;

	if (sy_csv_next(res, len, &pos, &line, &rec, &term, NULL) != 1 || rec.n < 3) {
		sy_csv_rec_free(&rec);
		return -1;
	}
	r->status = ST_CRASH;
	for (int s = 0; s < ST_N; s++)
		if (strcmp(rec.f[0], status_names[s]) == 0)
			r->status = s;
	r->msg = xstrdup(rec.f[1]);
	r->wall = strtod(rec.f[2], NULL);
	r->nm = (rec.n - 3) / 2;
	r->m = xcalloc(r->nm, sizeof *r->m);
	for (size_t i = 0; i < r->nm; i++) {
		r->m[i].name = xstrdup(rec.f[3 + 2 * i]);
		r->m[i].value = xstrdup(rec.f[4 + 2 * i]);
	}
	sy_csv_rec_free(&rec);
	r->done = 1;
	b->ndone++;
	b->nran++;
	b->count[r->status]++;
	if (!b->out) {
		rc = -1; /* an earlier write failed and said so */
	} else if (batch_add_metric_names(b, r)) {
		rc = batch_rewrite(b, 1);
	} else {
		sy_buf o = { 0 };

		add_row(b, &o, r);
		if (fwrite(o.p, 1, o.len, b->out) != o.len) {
			fprintf(stderr, "synack: cannot write %s: %s\n", b->output, strerror(errno));
			fclose(b->out); /* as in batch_flush */
			b->out = NULL;
			rc = -1;
		} else if (flush) {
			rc = batch_flush(b);
		}
		sy_buf_free(&o);
	}
	return rc;
}

/* Checks the output before any run: an earlier batch's file is completed
 * (--resume), replaced (--force) or refused; the file is (re)written at
 * once, so an unwritable path fails here.  Something else than a regular
 * file (a device, a FIFO) holds no rows to keep or to resume from: it is
 * written through. */
int batch_open_output(batch *b)
{
	struct stat st;
	int exists = stat(b->output, &st) == 0;

	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "synack: cannot write %s: it is a directory\n", b->output);
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		if (b->resume) {
			fprintf(stderr, "synack: cannot resume from %s: not a regular file\n",
				b->output);
			return -1;
		}
	} else if (exists && !b->resume && !b->force) {
		fprintf(stderr, "synack: %s exists: --resume completes it, --force starts again\n",
			b->output);
		return -1;
	} else if (exists && b->resume && batch_load_previous(b) < 0) {
		return -1;
	}
	return batch_rewrite(b, 1);
}
