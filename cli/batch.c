/* synack batch: parameter sweeps over worker processes, with a resumable
 * CSV (see batch.h and sweep.h; batch_priv.h lists the files of the
 * command).
 *
 * The parent checks everything before the first run: the sweep file, the
 * script (it is loaded once, to learn its parameters), every point's
 * parameters through the experiment contract, the filter, the output file.
 * Then each run is a child forked from the parent, which has no Lua state
 * left at that time: the child builds a fresh one, runs the experiment
 * with the run's seed and writes its result to a pipe as one CSV record.
 * A child that crashes, hangs past the timeout or exits without a result
 * takes nothing down with it: its row says what happened.
 *
 * The output file always holds a header and every run finished so far
 * (but those of the last TAKE_S, 50 ms, of local workers: see pool.c):
 * rows are appended and flushed as runs finish, and the file is rewritten
 * (to a temporary file, then renamed, when it is a regular file: see
 * outfile.h) when a new metric column appears and at the end, in point
 * order.  A failed write (a full disk) stops the batch with the rows
 * written so far intact.  `--resume` keeps the rows with status ok and
 * runs the rest again. */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef SY_MPI
#include <mpi.h>
#endif

#include "batch.h"
#include "batch_priv.h"
#include "csv.h"
#include "plugin.h"
#include "sweep.h"

const char *const status_names[ST_N] = { "ok", "error", "timeout", "crash" };

volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* ------------------------------------------------------------ progress */

static void hms(char *buf, size_t n, double s)
{
	long t = s < 0 || !isfinite(s) ? 0 : lround(s);

	if (t >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

void batch_progress(batch *b, int last)
{
	double t = now(), el = t - b->t0, rate = el > 0 ? (double)b->nran / el : 0;
	size_t failed = b->ndone - b->count[ST_OK];
	char eta[32];
	int tenth;

	if (b->quiet)
		return;
	hms(eta, sizeof eta, rate > 0 ? (double)(b->nruns - b->ndone) / rate : 0);
	if (b->tty) {
		char bar[31];
		size_t fill = b->nruns ? 30 * b->ndone / b->nruns : 30;

		if (!last && t - b->last_draw < 0.1)
			return;
		b->last_draw = t;
		for (size_t i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r[%s] %zu/%zu runs, %zu failed, %.1f runs/s, ETA %s\033[K%s",
			bar, b->ndone, b->nruns, failed, rate, rate > 0 ? eta : "?",
			last ? "\n" : "");
		b->drawn = !last;
		return;
	}
	tenth = b->nruns ? (int)(10 * b->ndone / b->nruns) : 10;
	if (tenth == b->last_tenth)
		return;
	b->last_tenth = tenth;
	fprintf(stderr, "synack: %zu/%zu runs (%d%%), %zu failed, %.1f runs/s, ETA %s\n",
		b->ndone, b->nruns, (int)(b->nruns ? 100 * b->ndone / b->nruns : 100),
		failed, rate, rate > 0 ? eta : "?");
}

/* ------------------------------------------------------------ command */

static const char batch_usage[] =
	"usage: synack batch SWEEP.cfg [-j N] [-o FILE] [--resume | --force]\n"
	"                    [--config FILE] [--list] [-q]\n";

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "synack: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%sTry 'synack --help'.\n", batch_usage);
	return EXIT_USAGE;
}

static void list_runs(const batch *b)
{
	sy_buf o = { 0 };

	sy_csv_field(&o, "point", 1);
	sy_csv_field(&o, "rep", 0);
	sy_csv_field(&o, "seed", 0);
	for (size_t i = 0; i < b->npcols; i++)
		sy_csv_field(&o, b->pcols[i], 0);
	sy_csv_end(&o);
	for (size_t i = 0; i < b->nruns; i++) {
		const run *r = &b->runs[i];
		char num[32];

		snprintf(num, sizeof num, "%" PRIu64, b->pts[r->pt].index);
		sy_csv_field(&o, num, 1);
		snprintf(num, sizeof num, "%" PRIu64, r->rep);
		sy_csv_field(&o, num, 0);
		snprintf(num, sizeof num, "%" PRIu64, r->seed);
		sy_csv_field(&o, num, 0);
		for (size_t j = 0; j < b->npcols; j++)
			sy_csv_field(&o, b->pts[r->pt].cols[j], 0);
		sy_csv_end(&o);
	}
	fwrite(o.p, 1, o.len, stdout);
	sy_buf_free(&o);
}

static void report(const batch *b)
{
	size_t failed = b->ndone - b->count[ST_OK], shown = 0;

	fprintf(stderr, "synack: %zu runs", b->ndone);
	if (b->nresumed)
		fprintf(stderr, " (%zu from before)", b->nresumed);
	fprintf(stderr, ": %zu ok, %zu failed", b->count[ST_OK], failed);
	/* The failures by kind, in parentheses: " (1 timeout, 2 crash)". */
	for (int s = ST_ERROR, first = 1; s < ST_N; s++)
		if (b->count[s]) {
			fprintf(stderr, "%s%zu %s", first ? " (" : ", ", b->count[s],
				status_names[s]);
			first = 0;
		}
	fprintf(stderr, "%s; results in %s\n", failed ? ")" : "", b->output);
	for (size_t i = 0; i < b->nruns && shown < 10; i++) {
		const run *r = &b->runs[i];
		char where[1024];

		if (!r->done || r->status == ST_OK)
			continue;
		batch_describe_point(b, b->pts[r->pt].over, where, sizeof where);
		fprintf(stderr, "  point %" PRIu64 " rep %" PRIu64 " (%s): %s: %s\n",
			b->pts[r->pt].index, r->rep, where, status_names[r->status], r->msg);
		shown++;
	}
	if (failed > shown)
		fprintf(stderr, "  ... and %zu more (status column of %s)\n", failed - shown,
			b->output);
}

static void batch_free(batch *b)
{
	for (size_t i = 0; i < b->nruns; i++) {
		run *r = &b->runs[i];

		for (size_t j = 0; j < r->nm; j++) {
			free(r->m[j].name);
			free(r->m[j].value);
		}
		free(r->m);
		free(r->msg);
	}
	free(b->runs);
	for (size_t i = 0; i < b->npts; i++) {
		for (size_t j = 0; j < b->npcols; j++)
			free(b->pts[i].cols[j]);
		free(b->pts[i].cols);
		free(b->pts[i].over);
	}
	free(b->pts);
	for (size_t i = 0; i < b->npcols; i++)
		free(b->pcols[i]);
	free(b->pcols);
	for (size_t i = 0; i < b->nmnames; i++)
		free(b->mnames[i]);
	free(b->mnames);
	batch_close_append(b);
	sy_buf_free(&b->chunk);
	sy_sweep_free(b->sw);
	sy_plugin_unload_all();
}

/* Parses the options; returns -1 to go on, else an exit status. */
static int parse_args(batch *b, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "-j") == 0 || strncmp(a, "-j", 2) == 0 ||
		    strncmp(a, "--jobs", 6) == 0) {
			char *end;

			if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0)
				v = i + 1 < argc ? argv[++i] : "";
			else
				v = a[1] == 'j' ? a + 2 : (a[6] == '=' ? a + 7 : "");
			b->jobs = strtol(v, &end, 10);
			if (!*v || *end || b->jobs < 1 || b->jobs > 4096)
				return usage("-j needs a number of workers from 1 to 4096, got '%s'", v);
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage("%s needs a file name", a);
			b->output = argv[++i];
		} else if (strcmp(a, "--config") == 0 || strncmp(a, "--config=", 9) == 0) {
			b->config = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!b->config || !*b->config)
				return usage("%s needs a file name", "--config");
		} else if (strcmp(a, "--resume") == 0) {
			b->resume = 1;
		} else if (strcmp(a, "--force") == 0) {
			b->force = 1;
		} else if (strcmp(a, "--list") == 0) {
			b->list = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			b->quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option '%s'", a);
		} else if (!b->sweep_path) {
			b->sweep_path = a;
		} else {
			return usage("unexpected argument '%s' (one sweep file)", a);
		}
	}
	if (!b->sweep_path)
		return usage("%s", "batch needs a SWEEP file");
	if (b->resume && b->force)
		return usage("%s", "--resume and --force exclude each other");
	return -1;
}

/* How to complete the batch with the rows in the output. */
static void resume_hint(const batch *b)
{
	fprintf(stderr, "synack: to complete the batch: synack batch %s --resume%s%s\n",
		b->sweep_path, b->output != b->sw->output ? " -o " : "",
		b->output != b->sw->output ? b->output : "");
}

int sy_batch_main(int argc, char **argv)
{
	batch b = { 0 };
	struct sigaction sa = { 0 };
	sy_err err;
	int rc, sig = 0, bad = 0;

	b.jobs = 0;
	b.last_tenth = -1;
	b.nranks = 1;
	if ((rc = parse_args(&b, argc, argv)) >= 0)
		return rc;
#ifdef SY_MPI
	if (batch_under_mpi()) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
		MPI_Comm_size(MPI_COMM_WORLD, &b.nranks);
		/* Only rank 0 speaks: every rank checks the same files. */
		if (b.rank != 0) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0) {
				dup2(null, 2);
				close(null);
			}
		}
	}
#endif
	if (b.jobs == 0) {
		b.jobs = sysconf(_SC_NPROCESSORS_ONLN);
		if (b.jobs < 1)
			b.jobs = 1;
	}
	if (!(b.sw = sy_sweep_load(b.sweep_path, &err))) {
		fprintf(stderr, "synack: %s\n", err.msg);
		bad = 1;
	}
	if (!bad && !b.output && !(b.output = b.sw->output) && !b.list) {
		fprintf(stderr, "synack: %s: no output file: output = \"results.csv\"; or -o FILE\n",
			b.sweep_path);
		bad = 1;
	}
	if (!bad && batch_prepare(&b) < 0)
		bad = 1;
	if (!bad && b.list) {
		if (b.rank == 0)
			list_runs(&b);
		rc = EXIT_SUCCESS;
		goto done;
	}
	if (!bad && b.rank == 0 && batch_open_output(&b) < 0)
		bad = 1;
#ifdef SY_MPI
	if (b.nranks > 1) {
		int any;

		MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
		if (any && !bad && b.rank == 0)
			fprintf(stderr, "synack: another rank could not read the sweep or the script (same files on every node?)\n");
		bad = any;
	}
#endif
	if (bad) {
		rc = EXIT_FAILURE;
		goto done;
	}

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	b.tty = isatty(2);
	b.t0 = now();
	if (b.rank == 0 && !b.quiet && b.nresumed)
		fprintf(stderr, "synack: resuming: %zu of %zu runs already done\n",
			b.nresumed, b.nruns);
#ifdef SY_MPI
	if (b.nranks > 1)
		sig = b.rank == 0 ? batch_mpi_master(&b) : batch_mpi_worker(&b);
	else
#endif
		sig = batch_run_local(&b);
	if (b.rank != 0) {
		rc = sig ? 128 + sig : EXIT_SUCCESS;
		goto done;
	}
	if (b.drawn || !b.quiet)
		batch_progress(&b, 1);
	/* Whatever happened, the file ends in point order with every row
	 * (or, when that cannot be written, keeps the rows it has). */
	if (batch_rewrite(&b, 0) < 0 && sig == 0)
		sig = -1;
	if (sig > 0) {
		fprintf(stderr, "synack: interrupted by signal %d (%s): %zu of %zu runs are in %s\n",
			sig, strsignal(sig), b.ndone, b.nruns, b.output);
		resume_hint(&b);
		rc = 128 + sig;
#ifdef SY_MPI
		if (b.nranks > 1) {
			fflush(NULL);
			MPI_Abort(MPI_COMM_WORLD, rc);
		}
#endif
	} else if (sig < 0) {
		fprintf(stderr, "synack: the batch stopped: the rows written before the error are in %s\n",
			b.output);
		resume_hint(&b);
		rc = EXIT_FAILURE;
#ifdef SY_MPI
		if (b.mpi_stuck) {
			fflush(NULL);
			MPI_Abort(MPI_COMM_WORLD, rc);
		}
#endif
	} else {
		report(&b);
		rc = b.ndone == b.count[ST_OK] ? EXIT_SUCCESS : EXIT_FAILURE;
	}
done:
	batch_free(&b);
#ifdef SY_MPI
	if (batch_under_mpi())
		MPI_Finalize();
#endif
	return rc;
}

