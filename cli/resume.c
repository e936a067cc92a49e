/* synack batch --resume: the rows of an earlier batch with status ok are
 * kept, the others run again; a row that does not fit the sweep (it
 * changed since) stops the batch before any run. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_priv.h"
#include "csv.h"

static size_t find_point(const batch *b, uint64_t index)
{
	size_t lo = 0, hi = b->npts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->pts[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->npts && b->pts[lo].index == index ? lo : SIZE_MAX;
}

static int resume_error(const batch *b, const char *what, size_t line)
{
	if (line)
		fprintf(stderr, "synack: %s:%zu: %s; the sweep changed since it was written: write to another file (-o) or start again (--force)\n",
			b->output, line, what);
	else
		fprintf(stderr, "synack: %s: %s; write to another file (-o) or start again (--force)\n",
			b->output, what);
	return -1;
}

/* Reads the rows of an earlier batch: those with status ok are kept, the
 * others will run again.  A last row cut short (no newline) is dropped. */
int batch_load_previous(batch *b)
{
	char *data;
	size_t len, pos = 0, line = 1, ncols, nm;
	sy_csv_rec head = { 0 }, rec = { 0 };
	sy_err err;
	int term, rc = -1, got;

	if (sy_read_file(b->output, &data, &len, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		return -1;
	}
	got = sy_csv_next(data, len, &pos, &line, &head, &term, &err);
	if (got < 0) {
		fprintf(stderr, "synack: %s:%s\n", b->output, err.msg + 4);
		goto out;
	}
	if (got == 0 || !term) { /* empty: nothing done yet */
		rc = 0;
		goto out;
	}
	ncols = head.n;
	if (ncols < 6 + b->npcols || strcmp(head.f[0], "point") || strcmp(head.f[1], "rep") ||
	    strcmp(head.f[2], "seed") || strcmp(head.f[ncols - 3], "status") ||
	    strcmp(head.f[ncols - 2], "error") || strcmp(head.f[ncols - 1], "wall_s")) {
		resume_error(b, "not the output of a batch (its header is not point, rep, seed, ..., status, error, wall_s)", 0);
		goto out;
	}
	for (size_t i = 0; i < b->npcols; i++)
		if (strcmp(head.f[3 + i], b->pcols[i]) != 0) {
			char what[512];

			snprintf(what, sizeof what, "column %zu is '%s', this sweep's parameter there is '%s'",
				 4 + i, head.f[3 + i], b->pcols[i]);
			resume_error(b, what, 1);
			goto out;
		}
	nm = ncols - 6 - b->npcols;
	for (;;) {
		size_t pi, start = line;
		uint64_t pidx, rep;
		char *end;
		run *r;

		got = sy_csv_next(data, len, &pos, &line, &rec, &term, &err);
		if (got < 0) {
			if (pos < len && !memchr(data + pos, '\n', len - pos))
				break; /* a quoted field cut short at the end */
			fprintf(stderr, "synack: %s:%s\n", b->output, err.msg + 4);
			goto out;
		}
		if (got == 0 || !term)
			break;
		if (rec.n != ncols) {
			char what[128];

			snprintf(what, sizeof what, "%zu fields where the header has %zu", rec.n, ncols);
			resume_error(b, what, start);
			goto out;
		}
		pidx = strtoull(rec.f[0], &end, 10);
		if (*end || (pi = find_point(b, pidx)) == SIZE_MAX) {
			resume_error(b, "a point that is not in this sweep", start);
			goto out;
		}
		rep = strtoull(rec.f[1], &end, 10);
		if (*end || rep >= b->sw->replications) {
			resume_error(b, "a replication that is not in this sweep", start);
			goto out;
		}
		r = &b->runs[pi * (size_t)b->sw->replications + (size_t)rep];
		{
			char seed[32];
			int same = 1;

			snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
			same = strcmp(seed, rec.f[2]) == 0;
			for (size_t i = 0; same && i < b->npcols; i++)
				same = strcmp(rec.f[3 + i], b->pts[pi].cols[i]) == 0;
			if (!same) {
				resume_error(b, "a row whose seed or parameters differ from this sweep's", start);
				goto out;
			}
		}
		if (strcmp(rec.f[ncols - 3], "ok") != 0 || r->done)
			continue;
		r->done = 1;
		r->status = ST_OK;
		r->wall = strtod(rec.f[ncols - 1], NULL);
		r->m = xcalloc(nm, sizeof *r->m);
		for (size_t i = 0; i < nm; i++) {
			const char *v = rec.f[3 + b->npcols + i];

			if (!*v)
				continue;
			r->m[r->nm].name = xstrdup(head.f[3 + b->npcols + i]);
			r->m[r->nm++].value = xstrdup(v);
		}
		batch_add_metric_names(b, r);
		b->ndone++;
		b->nresumed++;
		b->count[ST_OK]++;
	}
	rc = 0;
out:
	sy_csv_rec_free(&head);
	sy_csv_rec_free(&rec);
	free(data);
	return rc;
}
