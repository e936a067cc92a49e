#include "config.h"

/* The classic hold model (Jones, CACM 1986; Brown 1988): N events are
 * pending; firing one schedules one more at now + exponential(1 ms), so the
 * queue size stays at N and every event costs one pop and one insert.
 *
 * For each scheduler plugin and each N it measures
 *   - the simulator: events fired per second through sy_sim_run (peek,
 *     pop, slot bookkeeping, the callback, sy_sim_after, insert);
 *   - the scheduler alone: the same hold loop driven straight through the
 *     ops table, which separates the queue's cost from the simulator's;
 *   - bytes per pending event: the simulator's (sy_sim_memory, which
 *     includes its scheduler) and the scheduler's alone (memory());
 * and, as a second workload, the simulator with one cancelled timer per
 * ten events, which adds dead entries, their skipping and compaction.
 *
 * Only the steady state is timed: the queue is filled and then run for N
 * more events (at least 10^5) before the clock starts.
 *
 * Figures depend on the machine and on what else runs on it; the README
 * says how to read them. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "plugin.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "vtime.h"

#define MEAN_NS 1e6             /* mean increment: 1 ms */
#define SEED 1
#define CANCEL_P 0.1            /* timers armed per fired event */
#define TIMER_DELAY (100 * SY_MS)
#define TIMER_RING 1024         /* armed timers; the oldest is cancelled */
#define FAR_DELAY (60 * SY_SEC)   /* -f: a far event, as TIME_WAIT under linux */

static const char *const default_schedulers[] = { "heap", "calendar",
						"ladder", NULL };
static const long default_sizes[] = { 1000, 10000, 100000, 1000000, 0 };

struct opts {
	const char *sched;      /* NULL: all of default_schedulers */
	long n;                 /* 0: all of default_sizes */
	bool quick;
	bool cpu;               /* -c: process CPU time, not wall time */
	double far;             /* -f: share of events scheduled FAR_DELAY ahead */
};

/* Set from the options before any run. */
static bool use_cpu_time;
static double far_share;

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(use_cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC,
		      &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long ops_for(const struct opts *o, long n)
{
	if (o->quick)
		return n > 100000 ? n : 100000;
	return 10 * n > 2000000 ? 10 * n : 2000000;
}

static long warmup_for(long n)
{
	return n > 100000 ? n : 100000;
}

static void die(const char *what, const sy_err *err)
{
	fprintf(stderr, "hold: %s: %s\n", what, err->msg);
	exit(1);
}

/* The delay of the event that replaces a fired one: with -f, FAR_DELAY
 * for a share of them, as if those were TIME_WAIT timers. */
static sy_time draw(sy_rng *r)
{
	if (far_share > 0 && sy_rng_bernoulli(r, far_share))
		return FAR_DELAY;
	return (sy_time)sy_rng_exponential(r, MEAN_NS);
}

/* The delay of an event of the initial fill, drawn from the steady state
 * so that filling at time 0 starts there: a pending event is far with
 * probability share * FAR_DELAY / (share * FAR_DELAY + (1 - share) * mean)
 * (time spent pending, weighted by how often each kind is scheduled), and
 * a far one is then uniformly spread over the next FAR_DELAY. */
static sy_time draw_initial(sy_rng *r)
{
	if (far_share > 0) {
		double far = far_share * (double)FAR_DELAY;
		double q = far / (far + (1 - far_share) * MEAN_NS);

		if (sy_rng_bernoulli(r, q))
			return (sy_time)(sy_rng_uniform(r) * (double)FAR_DELAY);
	}
	return (sy_time)sy_rng_exponential(r, MEAN_NS);
}

/* ---------------------------------------------------------------- simulator */

struct world {
	sy_rng rng;
	long left;              /* events to fire before stopping */
	bool cancel;            /* the cancel workload */
	sy_event_id ring[TIMER_RING];
	unsigned head, count;   /* armed timers, oldest at head */
};

static void fail_schedule(const sy_err *err)
{
	die("scheduling", err);
}

static void timer_event(sy_sim *sim, void *arg, uint64_t data)
{
	/* Reached only when a timer outlives its place in the ring, which
	 * takes fewer than about 10^3 pending events; nothing to do. */
}

static void hold_event(sy_sim *sim, void *arg, uint64_t data)
{
	struct world *w = arg;
	sy_err err;

	if (sy_sim_after(sim, draw(&w->rng), hold_event, w, 0, NULL,
			 &err) < 0)
		fail_schedule(&err);
	if (w->cancel && sy_rng_bernoulli(&w->rng, CANCEL_P)) {
		unsigned tail;

		if (w->count == TIMER_RING) {
			sy_sim_cancel(sim, w->ring[w->head]);
			w->head = (w->head + 1) % TIMER_RING;
			w->count--;
		}
		tail = (w->head + w->count) % TIMER_RING;
		if (sy_sim_after(sim, TIMER_DELAY, timer_event, w, 0,
				 &w->ring[tail], &err) < 0)
			fail_schedule(&err);
		w->count++;
	}
	if (--w->left == 0)
		sy_sim_stop(sim);
}

/* Runs the hold model on a simulator; returns seconds for `ops` events and
 * stores sy_sim_memory() at the end in *bytes. */
static double run_sim(const sy_plugin *p, long n, long ops, bool cancel,
		      size_t *bytes)
{
	struct world *w = calloc(1, sizeof *w);
	sy_instance in;
	sy_sim *sim;
	sy_err err;
	double t0, t;

	if (!w) {
		fprintf(stderr, "hold: out of memory\n");
		exit(1);
	}
	if (sy_instance_new(&in, p, &err) < 0)
		die(p->name, &err);
	sim = sy_sim_new(SEED, &in, &err);
	if (!sim)
		die(p->name, &err);
	sy_sim_stream(sim, &w->rng, "hold", 0);
	w->cancel = cancel;
	for (long i = 0; i < n; i++)
		if (sy_sim_after(sim, draw_initial(&w->rng), hold_event, w, 0, NULL,
				 &err) < 0)
			fail_schedule(&err);

	w->left = warmup_for(n);
	if (sy_sim_run(sim, SY_TIME_NEVER) != SY_RUN_STOPPED)
		goto broken;
	w->left = ops;
	t0 = now_sec();
	if (sy_sim_run(sim, SY_TIME_NEVER) != SY_RUN_STOPPED)
		goto broken;
	t = now_sec() - t0;
	*bytes = sy_sim_memory(sim);
	sy_sim_free(sim);
	free(w);
	return t;
broken:
	fprintf(stderr, "hold: %s: the run ended early\n", p->name);
	exit(1);
}

/* ---------------------------------------------------------------- alone */

/* The same loop straight through the ops table.  Returns seconds for
 * `ops` pop+insert pairs and stores the scheduler's memory() in *bytes.
 * Slots are used as the simulator uses them, unique among pending entries
 * and reused at once by the event that replaces a fired one, since a
 * scheduler may index side tables by slot. */
static double run_alone(const sy_plugin *p, long n, long ops, size_t *bytes)
{
	const sy_sched_ops *so = p->ops;
	sy_instance in;
	sy_rng rng;
	sy_err err;
	uint64_t seq = 1;
	double t0, t;
	void *st;

	if (sy_instance_new(&in, p, &err) < 0 ||
	    sy_instance_init(&in, NULL, &err) < 0)
		die(p->name, &err);
	st = in.state;
	sy_rng_stream(&rng, SEED, "hold", 0);

	for (long i = 0; i < n; i++) {
		sy_sched_entry e = {
			.time = draw_initial(&rng), .seq = seq++,
			.slot = (uint32_t)i,
		};

		if (so->insert(st, &e) < 0)
			goto oom;
	}
	for (int phase = 0; phase < 2; phase++) {
		long k = phase ? ops : warmup_for(n);

		t0 = now_sec();
		for (long i = 0; i < k; i++) {
			sy_sched_entry e = *so->peek(st);

			so->pop(st);
			e.time += draw(&rng);
			e.seq = seq++;
			if (so->insert(st, &e) < 0)
				goto oom;
		}
	}
	t = now_sec() - t0;
	*bytes = so->memory(st);
	sy_instance_free(&in);
	return t;
oom:
	fprintf(stderr, "hold: %s: out of memory\n", p->name);
	exit(1);
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hold [-cq] [-f SHARE] [-n N] [-s SCHEDULER]\n"
		"  -n N     only N pending events (default: 10^3 .. 10^6)\n"
		"  -s NAME  only this scheduler plugin (default: heap, calendar, "
		"ladder)\n"
		"  -q       quick: fewer operations, for a smoke test\n"
		"  -f SHARE schedule this share (0 to 1) of the events 60 s "
		"ahead\n"
		"  -c       time with the process's CPU time, not wall time\n");
}

static void one(const sy_plugin *p, long n, const struct opts *o)
{
	long ops = ops_for(o, n);
	size_t sim_bytes = 0, alone_bytes = 0, unused;
	double ts, ta, tc;

	ts = run_sim(p, n, ops, false, &sim_bytes);
	ta = run_alone(p, n, ops, &alone_bytes);
	tc = run_sim(p, n, ops, true, &unused);
	printf("%-10s %8ld %9.2f %9.1f %9.2f %9.1f %9.1f %9.1f %9.2f\n",
	       p->name, n, ops / ts / 1e6, ts / ops * 1e9,
	       ops / ta / 1e6, ta / ops * 1e9, (double)sim_bytes / n,
	       (double)alone_bytes / n, ops / tc / 1e6);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, 0, false, false, 0 };
	const char *const *names = default_schedulers;
	const char *only[2] = { NULL, NULL };
	const long *sizes = default_sizes;
	long only_n[2] = { 0, 0 };
	int c;

	while ((c = getopt(argc, argv, "cf:n:s:qh")) != -1) {
		switch (c) {
		case 'n': {
			char *end;

			o.n = strtol(optarg, &end, 10);
			if (*end || o.n <= 0) {
				fprintf(stderr, "hold: -n wants a positive "
					"integer, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'f': {
			char *end;

			o.far = strtod(optarg, &end);
			if (*end || end == optarg || !(o.far >= 0 && o.far <= 1)) {
				fprintf(stderr, "hold: -f wants a share between "
					"0 and 1, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'c':
			o.cpu = true;
			break;
		case 's':
			o.sched = optarg;
			break;
		case 'q':
			o.quick = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	use_cpu_time = o.cpu;
	far_share = o.far;
	if (o.sched) {
		only[0] = o.sched;
		names = only;
	}
	if (o.n) {
		only_n[0] = o.n;
		sizes = only_n;
	}

	printf("hold model: N pending events, each fired event schedules one "
	       "at now + exponential(1 ms)%s\n",
	       o.quick ? " (quick mode: fewer operations)" : "");
	if (o.far > 0)
		printf("far events: a share %g of them scheduled 60 s ahead "
		       "instead\n", o.far);
	printf("times: %s\n", o.cpu ? "process CPU time" : "wall time");
	printf("sim: through sy_sim_run; alone: the scheduler's ops only; "
	       "+cancel: sim with a cancelled timer per 10 events\n");
	printf("B/event: bytes held per pending event by the simulator "
	       "(sy_sim_memory, scheduler included) and by the scheduler "
	       "alone\n\n");
	printf("%-10s %8s %9s %9s %9s %9s %9s %9s %9s\n", "scheduler", "N",
	       "sim Mev/s", "ns/event", "alone M/s", "ns/op", "sim B/ev",
	       "sch B/ev", "+cancel");
	for (const char *const *s = names; *s; s++) {
		sy_err err;
		const sy_plugin *p = sy_plugin_load("scheduler", *s, &err);

		if (!p)
			die(*s, &err);
		for (const long *n = sizes; *n; n++)
			one(p, *n, &o);
	}
	sy_plugin_unload_all();
	return 0;
}
