/* What the files of `synack batch` share (batch.h has the command):
 *   batch.c       the command: options, the run loop's driver, progress,
 *                 the report
 *   experiment.c  the Lua side: checks every point before the first run,
 *                 runs one in a worker
 *   pool.c        local worker processes, each running many runs
 *   worker.c      one run in a child (MPI ranks), and the rows of
 *                 results and failures
 *   output.c      the CSV output: header, rows, rewrites
 *   resume.c      reading the rows of an interrupted batch (--resume)
 *   mpi.c         the runs spread over mpirun's ranks (--with-mpi only) */
#ifndef SY_BATCH_PRIV_H
#define SY_BATCH_PRIV_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "csv.h"
#include "sweep.h"

#define EXIT_USAGE 2

enum { ST_OK, ST_ERROR, ST_TIMEOUT, ST_CRASH, ST_N };
extern const char *const status_names[ST_N];

typedef struct metric {
	char *name, *value;
} metric;

typedef struct run {
	size_t pt; /* index into batch.pts */
	uint64_t rep, seed;
	int done, status;
	char *msg;
	double wall;
	metric *m;
	size_t nm;
} run;

/* A point of the grid that passed the filter. */
typedef struct point {
	uint64_t index;	   /* in the whole grid: the seed depends on it */
	const char **over; /* the sweep's values for sw->names */
	char **cols;	   /* the parameter columns, as the contract made them */
} point;

typedef struct batch {
	sy_sweep *sw;
	const char *sweep_path, *config, *output;
	long jobs;
	int resume, force, quiet, list;
	char **pcols; /* parameter columns: the grid's, then the others sorted */
	size_t npcols;
	point *pts;
	size_t npts;
	run *runs;
	size_t nruns;
	char **mnames; /* metric columns, sorted */
	size_t nmnames;
	FILE *out; /* appends; NULL once a write failed (and was reported) */
	size_t ndone, nresumed, nran, count[ST_N];
	double t0, last_draw;
	int tty, last_tenth, drawn;
	int rank, nranks; /* MPI; 0 and 1 otherwise */
	int mpi_stuck;	  /* rank 0 left workers waiting: abort, not finalize */
	sy_buf chunk;	  /* the script, compiled (lua_dump) by batch_prepare */
} batch;

/* The signal that interrupts the batch, 0 until one comes. */
extern volatile sig_atomic_t got_signal;

/* A worker: a child with a pipe, killed with its process group. */
typedef struct slot {
	pid_t pid; /* 0: free */
	int fd;
	size_t run;
	double start;
	int timed_out;
	sy_buf buf;
} slot;

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "synack: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return p;
}

static inline char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fprintf(stderr, "synack: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return p;
}

/* batch.c */
void batch_progress(batch *b, int last);

/* experiment.c */
int batch_prepare(batch *b);
void batch_execute(const batch *b, const run *r, sy_buf *rec);
void batch_describe_point(const batch *b, const char **over, char *buf, size_t n);

/* worker.c */
int slot_start(const batch *b, slot *s, size_t ri);
void slot_kill(slot *s);
void slot_finish(const batch *b, slot *s, sy_buf *res);
int batch_result_ok(sy_buf *res, const char *p, size_t len, double wall);
void batch_result_failed(const batch *b, sy_buf *res, int ws, int timed_out,
			 const char *why, double wall);
int batch_write_all(int fd, const char *p, size_t n);
void batch_child_setup(pid_t parent);

/* pool.c */
int batch_run_local(batch *b);

/* output.c */
int batch_close_append(batch *b);
int batch_rewrite(batch *b, int append);
int batch_add_metric_names(batch *b, const run *r);
int batch_store(batch *b, size_t ri, const char *res, size_t len, int flush);
int batch_flush(batch *b);
int batch_open_output(batch *b);

/* resume.c */
int batch_load_previous(batch *b);

#ifdef SY_MPI
/* mpi.c */
int batch_under_mpi(void);
int batch_mpi_worker(batch *b);
int batch_mpi_master(batch *b);
#endif

#endif
