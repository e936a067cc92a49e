/* synack summarize: statistics of a batch's CSV per group of rows.
 *
 * Rows are grouped by the values of the --by columns (groups in the order
 * in which they first appear); for each metric column, each group gets the
 * count of values, their mean, the sample standard deviation and the 95%
 * confidence interval of the mean from Student's t distribution.  Only rows
 * with status ok count when there is a status column; empty fields are
 * missing values.  Without --metrics, the metrics are the numeric columns
 * other than the --by columns, the batch's own (point, rep, seed, wall_s)
 * and those holding one value in every row (parameters the grid does not
 * vary).  Statistics print with --digits significant digits (default 4:
 * a 95% interval rarely supports more; 17 gives every double back
 * exactly). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "csv.h"
#include "outfile.h"

#define EXIT_USAGE 2

static const char summarize_usage[] =
	"usage: synack summarize RESULTS.csv [--by COL,...] [--metrics COL,...] [--digits N] [-o FILE]\n";

#define DIGITS_DEFAULT 4

/* Student's t quantile 0.975 for df degrees of freedom: a table up to 30,
 * then the Cornish-Fisher expansion around the normal quantile (error
 * below 1e-6 from df = 30 on). */
static double t975(double df)
{
	static const double table[30] = {
		12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
		2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
		2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
		2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
		2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
		2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
	};
	double z = 1.959963984540054, z3 = z * z * z, z5 = z3 * z * z,
	       z7 = z5 * z * z, z9 = z7 * z * z;

	if (df <= 30)
		return table[(int)df - 1];
	return z + (z3 + z) / 4 / df +
	       (5 * z5 + 16 * z3 + 3 * z) / 96 / (df * df) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384 / (df * df * df) +
	       (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160 /
		       (df * df * df * df);
}

typedef struct stat1 {
	size_t n;
	double mean, m2; /* Welford */
} stat1;

typedef struct group {
	char **key; /* values of the --by columns */
	stat1 *st;  /* one per metric */
} group;

/* Splits "a,b,c" into the column indices of `head`; -1 and a message when
 * a name is not a column. */
static int columns(const char *file, const char *list, const sy_csv_rec *head,
		   size_t **out, size_t *n)
{
	char *copy = strdup(list), *save = NULL;

	*n = 0;
	*out = calloc(strlen(list) + 1, sizeof **out);
	if (!copy || !*out) {
		free(copy);
		fprintf(stderr, "synack: out of memory\n");
		return -1;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < head->n && strcmp(head->f[i], t) != 0)
			i++;
		if (i == head->n) {
			fprintf(stderr, "synack: %s has no column '%s'; its columns:", file, t);
			for (size_t j = 0; j < head->n; j++)
				fprintf(stderr, "%s %s", j ? "," : "", head->f[j]);
			fprintf(stderr, "\n");
			free(copy);
			return -1;
		}
		(*out)[(*n)++] = i;
	}
	free(copy);
	return 0;
}

static int number(const char *s, double *v)
{
	char *end;

	if (!*s)
		return 0;
	*v = strtod(s, &end);
	return !*end && isfinite(*v) ? 1 : -1;
}

static void fmt(sy_buf *o, double v, int digits)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.*g", digits, v);
	sy_csv_field(o, buf, 0);
}

int sy_summarize_main(int argc, char **argv)
{
	const char *file = NULL, *by = NULL, *metrics = NULL, *outpath = NULL,
		   *digits_arg = NULL;
	char *data = NULL;
	size_t len, pos = 0, line = 1, nby = 0, nmet = 0, ngroups = 0, nrows = 0,
		    nskipped = 0, *bycol = NULL, *metcol = NULL;
	sy_csv_rec head = { 0 }, rec = { 0 }, *rows = NULL;
	group *groups = NULL;
	long status = -1;
	sy_buf o = { 0 };
	sy_err err;
	int rc = EXIT_FAILURE, term, got, digits = DIGITS_DEFAULT;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = strcmp(a, "--by") == 0 ? &by :
				   strcmp(a, "--metrics") == 0 ? &metrics :
				   strcmp(a, "--digits") == 0 ? &digits_arg :
				   strcmp(a, "-o") == 0 ? &outpath : NULL;

		if (dst) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "synack: %s needs a value\n%s", a, summarize_usage);
				return EXIT_USAGE;
			}
			*dst = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "synack: unknown option '%s'\n%s", a, summarize_usage);
			return EXIT_USAGE;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "synack: unexpected argument '%s'\n%s", a, summarize_usage);
			return EXIT_USAGE;
		}
	}
	if (!file) {
		fprintf(stderr, "synack: summarize needs a CSV file\n%s", summarize_usage);
		return EXIT_USAGE;
	}
	if (digits_arg) {
		char *end;
		long d = strtol(digits_arg, &end, 10);

		if (*end || d < 1 || d > 17) {
			fprintf(stderr, "synack: --digits '%s': a number of significant digits from 1 to 17\n%s",
				digits_arg, summarize_usage);
			return EXIT_USAGE;
		}
		digits = (int)d;
	}
	if (sy_read_file(file, &data, &len, &err) < 0) {
		fprintf(stderr, "synack: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	if ((got = sy_csv_next(data, len, &pos, &line, &head, &term, &err)) <= 0) {
		fprintf(stderr, "synack: %s: %s\n", file, got < 0 ? err.msg : "empty file");
		goto out;
	}
	for (size_t i = 0; i < head.n; i++)
		if (strcmp(head.f[i], "status") == 0)
			status = (long)i;
	if ((by && columns(file, by, &head, &bycol, &nby) < 0) ||
	    (metrics && columns(file, metrics, &head, &metcol, &nmet) < 0))
		goto out;
	/* The rows that count. */
	while ((got = sy_csv_next(data, len, &pos, &line, &rec, &term, &err)) == 1) {
		sy_csv_rec *p;

		if (rec.n == 1 && !rec.f[0][0])
			continue; /* a blank line */
		if (rec.n != head.n) {
			fprintf(stderr, "synack: %s:%zu: %zu fields where the header has %zu\n",
				file, rec.line, rec.n, head.n);
			goto out;
		}
		if (status >= 0 && strcmp(rec.f[status], "ok") != 0) {
			nskipped++;
			continue;
		}
		p = realloc(rows, (nrows + 1) * sizeof *rows);
		if (!p)
			goto oom;
		rows = p;
		rows[nrows++] = rec;
		memset(&rec, 0, sizeof rec);
	}
	if (got < 0) {
		fprintf(stderr, "synack: %s:%s\n", file, err.msg + 4);
		goto out;
	}
	if (!metrics) {
		static const char *const own[] = { "point", "rep", "seed", "status",
						   "error", "wall_s", NULL };

		metcol = calloc(head.n + 1, sizeof *metcol);
		if (!metcol)
			goto oom;
		for (size_t c = 0; c < head.n; c++) {
			int skip = 0, numeric = 1, varies = 0;
			double v;

			for (const char *const *w = own; *w; w++)
				skip |= strcmp(head.f[c], *w) == 0;
			for (size_t j = 0; j < nby; j++)
				skip |= bycol[j] == c;
			for (size_t r = 0; !skip && numeric && r < nrows; r++) {
				numeric = number(rows[r].f[c], &v) >= 0;
				varies |= strcmp(rows[r].f[c], rows[0].f[c]) != 0;
			}
			if (!skip && numeric && varies)
				metcol[nmet++] = c;
		}
	}
	/* Groups in order of appearance. */
	for (size_t r = 0; r < nrows; r++) {
		group *g = NULL;

		for (size_t k = 0; k < ngroups && !g; k++) {
			int same = 1;

			for (size_t j = 0; j < nby && same; j++)
				same = strcmp(groups[k].key[j], rows[r].f[bycol[j]]) == 0;
			if (same)
				g = &groups[k];
		}
		if (!g) {
			group *p = realloc(groups, (ngroups + 1) * sizeof *groups);

			if (!p)
				goto oom;
			groups = p;
			g = &groups[ngroups++];
			g->key = calloc(nby + 1, sizeof *g->key);
			g->st = calloc(nmet + 1, sizeof *g->st);
			if (!g->key || !g->st)
				goto oom;
			for (size_t j = 0; j < nby; j++)
				g->key[j] = rows[r].f[bycol[j]];
		}
		for (size_t m = 0; m < nmet; m++) {
			stat1 *s = &g->st[m];
			double v, d;
			int ok = number(rows[r].f[metcol[m]], &v);

			if (ok < 0) {
				fprintf(stderr, "synack: %s:%zu: column '%s' holds '%s', not a number\n",
					file, rows[r].line, head.f[metcol[m]], rows[r].f[metcol[m]]);
				goto out;
			}
			if (!ok)
				continue;
			s->n++;
			d = v - s->mean;
			s->mean += d / (double)s->n;
			s->m2 += d * (v - s->mean);
		}
	}
	for (size_t j = 0; j < nby; j++)
		sy_csv_field(&o, head.f[bycol[j]], j == 0);
	sy_csv_field(&o, "metric", nby == 0);
	sy_csv_field(&o, "n", 0);
	sy_csv_field(&o, "mean", 0);
	sy_csv_field(&o, "sd", 0);
	sy_csv_field(&o, "ci95_half", 0);
	sy_csv_field(&o, "ci95_low", 0);
	sy_csv_field(&o, "ci95_high", 0);
	sy_csv_end(&o);
	for (size_t k = 0; k < ngroups; k++)
		for (size_t m = 0; m < nmet; m++) {
			const stat1 *s = &groups[k].st[m];
			char n[32];

			for (size_t j = 0; j < nby; j++)
				sy_csv_field(&o, groups[k].key[j], j == 0);
			sy_csv_field(&o, head.f[metcol[m]], nby == 0);
			snprintf(n, sizeof n, "%zu", s->n);
			sy_csv_field(&o, n, 0);
			if (s->n == 0) {
				sy_buf_str(&o, ",,,,,");
			} else if (s->n == 1) {
				fmt(&o, s->mean, digits);
				sy_buf_str(&o, ",,,,");
			} else {
				double sd = sqrt(s->m2 / (double)(s->n - 1)),
				       half = t975((double)(s->n - 1)) * sd / sqrt((double)s->n);

				fmt(&o, s->mean, digits);
				fmt(&o, sd, digits);
				fmt(&o, half, digits);
				fmt(&o, s->mean - half, digits);
				fmt(&o, s->mean + half, digits);
			}
			sy_csv_end(&o);
		}
	if (outpath) {
		if (sy_out_whole(outpath, o.p, o.len, &err) < 0) {
			fprintf(stderr, "synack: %s\n", err.msg);
			goto out;
		}
	} else {
		/* Checked, with every other write to stdout, at exit (main.c). */
		fwrite(o.p, 1, o.len, stdout);
	}
	if (nskipped)
		fprintf(stderr, "synack: %zu rows of %s left out: their status is not ok\n",
			nskipped, file);
	rc = EXIT_SUCCESS;
	goto out;
oom:
	fprintf(stderr, "synack: out of memory\n");
out:
	for (size_t k = 0; k < ngroups; k++) {
		free(groups[k].key);
		free(groups[k].st);
	}
	free(groups);
	for (size_t r = 0; r < nrows; r++)
		sy_csv_rec_free(&rows[r]);
	free(rows);
	sy_csv_rec_free(&rec);
	sy_csv_rec_free(&head);
	free(bycol);
	free(metcol);
	free(data);
	sy_buf_free(&o);
	return rc;
}
