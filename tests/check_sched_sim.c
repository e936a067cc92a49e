#include "config.h"

/* Every scheduler plugin under the simulator (sim.h), where the traces of a
 * randomized event program must be identical for every scheduler and equal
 * to those of a reference simulator written here; and the simulator's
 * cancel, run limits and stop on each.
 *
 * Each test is a loop test over the configurations of sched_util.c, but
 * for the one that compares them all in one process. */

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "plugin.h"
#include "rng.h"
#include "sim.h"
#include "vtime.h"
#include "sched_util.h"
#include "testutil.h"

static sy_sim *conf_sim(int i, uint64_t seed)
{
	sy_instance in;
	sy_err err;
	sy_sim *sim;

	conf_instance(i, &in);
	sim = sy_sim_new(seed, &in, &err);
	ck_assert_msg(sim != NULL, "%s: %s", confs[i].label, err.msg);
	return sim;
}

/* A trace: what happened, in order. */
enum { T_FIRE, T_CANCEL, T_DUE };

struct rec {
	int kind;
	sy_time now;
	uint64_t id;
	int64_t value; /* cancel: 0/1; due: the time */
};

struct trace {
	struct rec *r;
	size_t n, cap;
};

static void trace_add(struct trace *t, int kind, sy_time now, uint64_t id,
		      int64_t value)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->r = realloc(t->r, t->cap * sizeof *t->r);
		MUST(t->r, "out of memory");
	}
	t->r[t->n++] = (struct rec){ kind, now, id, value };
}

static void trace_same(const struct trace *a, const struct trace *b,
		       const char *what)
{
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		const struct rec *x = &a->r[i], *y = &b->r[i];

		MUST(x->kind == y->kind && x->now == y->now &&
		     x->id == y->id && x->value == y->value,
		     "%s: traces part at record %zu: (%d, %lld, %llu, %lld) "
		     "vs (%d, %lld, %llu, %lld)",
		     what, i, x->kind, (long long)x->now,
		     (unsigned long long)x->id, (long long)x->value, y->kind,
		     (long long)y->now, (unsigned long long)y->id,
		     (long long)y->value);
	}
	ck_assert_msg(a->n == b->n, "%s: traces of %zu and %zu records", what,
		      a->n, b->n);
}

/* The event program runs on an engine: the simulator, or the reference
 * below.  Events are numbered in the order they are scheduled, which is
 * also the simulator's seq order. */
struct engine {
	uint64_t (*after)(void *ctx, sy_time dt);
	bool (*cancel)(void *ctx, uint64_t id);
	sy_time (*due)(void *ctx, uint64_t id);
	sy_time (*now)(void *ctx);
	size_t (*size)(void *ctx);
};

#define P_IDS 40000     /* events the program schedules in all */
#define P_SEED 200
#define P_FAR 3000      /* far events, most of them cancelled at once */
#define P_FAR_CUT 5000  /* ... when this many events have fired */

struct prog {
	const struct engine *eng;
	void *ctx;
	sy_rng rng;
	uint64_t nids, fired;
	struct trace tr;
};

static uint64_t prog_after(struct prog *p, sy_time dt)
{
	uint64_t id = p->eng->after(p->ctx, dt);

	MUST(id == p->nids, "event numbered %llu, want %llu",
	     (unsigned long long)id, (unsigned long long)p->nids);
	p->nids++;
	return id;
}

static void prog_cancel(struct prog *p, uint64_t id)
{
	bool ok = p->eng->cancel(p->ctx, id);

	trace_add(&p->tr, T_CANCEL, p->eng->now(p->ctx), id, ok);
}

static void prog_start(struct prog *p, const struct engine *eng, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->eng = eng;
	p->ctx = ctx;
	sy_rng_stream(&p->rng, 99, "program", 0);
	for (int i = 0; i < P_SEED; i++)
		prog_after(p, (sy_time)sy_rng_below(&p->rng, 10 * SY_US));
	/* Far events, three to a time. */
	for (int i = 0; i < P_FAR; i++)
		prog_after(p, 10 * SY_SEC + (sy_time)(i / 3) * SY_US);
}

/* Event `id` fires: record it, schedule children at random delays
 * (zero included), cancel random events (pending, fired, or cancelled
 * already), the child just made, or itself (already fired), and query a
 * random event's due time. */
static void prog_fire(struct prog *p, uint64_t id)
{
	sy_rng *r = &p->rng;
	sy_time now = p->eng->now(p->ctx);
	uint64_t child = UINT64_MAX, q;
	int children;

	trace_add(&p->tr, T_FIRE, now, id, 0);
	p->fired++;
	if (p->fired == P_FAR_CUT)
		for (uint64_t f = P_SEED; f < P_SEED + P_FAR; f++)
			if (f % 10)
				prog_cancel(p, f);

	children = p->eng->size(p->ctx) < 800 ? 2 :
		   (int)sy_rng_below(r, 2);
	for (int c = 0; c < children && p->nids < P_IDS; c++) {
		sy_time dt;

		switch (sy_rng_below(r, 10)) {
		case 0:
		case 1:
			dt = 0;
			break;
		case 2:
		case 3:
		case 4:
			dt = (sy_time)sy_rng_below(r, 1000);
			break;
		case 9:
			dt = (sy_time)sy_rng_below(r, SY_MS);
			break;
		default:
			dt = (sy_time)sy_rng_exponential(r, 2000);
		}
		child = prog_after(p, dt);
	}
	if (sy_rng_bernoulli(r, 0.3))
		prog_cancel(p, sy_rng_below(r, p->nids));
	if (child != UINT64_MAX && sy_rng_bernoulli(r, 0.05))
		prog_cancel(p, child);
	if (sy_rng_bernoulli(r, 0.02))
		prog_cancel(p, id);
	q = sy_rng_below(r, p->nids);
	trace_add(&p->tr, T_DUE, now, q, p->eng->due(p->ctx, q));
}

/* The program on the simulator. */
struct simctx {
	sy_sim *sim;
	struct prog *prog;
	sy_event_id *ids; /* by program id */
};

static void sim_event(sy_sim *sim, void *arg, uint64_t data)
{
	struct simctx *x = arg;

	prog_fire(x->prog, data);
}

static uint64_t sim_after(void *ctx, sy_time dt)
{
	struct simctx *x = ctx;
	uint64_t id = x->prog->nids;
	sy_err err;

	MUST(id < P_IDS + P_SEED + P_FAR, "too many events");
	MUST(sy_sim_after(x->sim, dt, sim_event, x, id, &x->ids[id],
			  &err) == 0, "%s", err.msg);
	return id;
}

static bool sim_cancel(void *ctx, uint64_t id)
{
	struct simctx *x = ctx;

	return sy_sim_cancel(x->sim, x->ids[id]);
}

static sy_time sim_due(void *ctx, uint64_t id)
{
	struct simctx *x = ctx;

	MUST(sy_sim_pending(x->sim, x->ids[id]) ==
	     (sy_sim_due(x->sim, x->ids[id]) != SY_TIME_NEVER),
	     "pending and due disagree");
	return sy_sim_due(x->sim, x->ids[id]);
}

static sy_time sim_now(void *ctx)
{
	return sy_sim_now(((struct simctx *)ctx)->sim);
}

static size_t sim_size(void *ctx)
{
	return sy_sim_size(((struct simctx *)ctx)->sim);
}

static const struct engine sim_engine = {
	sim_after, sim_cancel, sim_due, sim_now, sim_size,
};

/* Runs the program on configuration `conf`, in one run when step is 0,
 * else in runs of `step` ns of virtual time. */
static void sim_program(int conf, sy_time step, struct trace *out)
{
	struct prog *p = malloc(sizeof *p);
	struct simctx x;
	sy_run_end end;
	sy_time until = 0;

	ck_assert_ptr_nonnull(p);
	x.sim = conf_sim(conf, 5);
	x.prog = p;
	x.ids = calloc(P_IDS + P_SEED + P_FAR, sizeof *x.ids);
	ck_assert_ptr_nonnull(x.ids);
	prog_start(p, &sim_engine, &x);
	if (step == 0) {
		end = sy_sim_run(x.sim, SY_TIME_NEVER);
	} else {
		do {
			until += step;
			end = sy_sim_run(x.sim, until);
			MUST(sy_sim_now(x.sim) <= until, "clock past the limit");
			MUST(end != SY_RUN_UNTIL || sy_sim_now(x.sim) == until,
			     "clock not at the limit");
		} while (end == SY_RUN_UNTIL);
	}
	ck_assert_int_eq(end, SY_RUN_EMPTY);
	ck_assert_uint_eq(sy_sim_size(x.sim), 0);
	ck_assert_uint_eq(p->nids, P_IDS);
	*out = p->tr;
	sy_sim_free(x.sim);
	free(x.ids);
	free(p);
}

/* The reference simulator: an array of events and a linear search for the
 * least pending (time, id). */
enum { R_PENDING, R_DONE };

struct refsim {
	sy_time now;
	sy_time *time;
	unsigned char *state;
	uint64_t *pending;      /* ids, unordered */
	size_t npending;
	struct prog *prog;
};

static uint64_t rs_after(void *ctx, sy_time dt)
{
	struct refsim *s = ctx;
	uint64_t id = s->prog->nids;

	s->time[id] = s->now + dt;
	s->state[id] = R_PENDING;
	s->pending[s->npending++] = id;
	return id;
}

static bool rs_cancel(void *ctx, uint64_t id)
{
	struct refsim *s = ctx;

	if (s->state[id] != R_PENDING)
		return false;
	s->state[id] = R_DONE;
	for (size_t i = 0; i < s->npending; i++)
		if (s->pending[i] == id) {
			s->pending[i] = s->pending[--s->npending];
			break;
		}
	return true;
}

static sy_time rs_due(void *ctx, uint64_t id)
{
	struct refsim *s = ctx;

	return s->state[id] == R_PENDING ? s->time[id] : SY_TIME_NEVER;
}

static sy_time rs_now(void *ctx)
{
	return ((struct refsim *)ctx)->now;
}

static size_t rs_size(void *ctx)
{
	return ((struct refsim *)ctx)->npending;
}

static const struct engine ref_engine = {
	rs_after, rs_cancel, rs_due, rs_now, rs_size,
};

static void ref_program(struct trace *out)
{
	enum { CAP = P_IDS + P_SEED + P_FAR };
	struct prog *p = malloc(sizeof *p);
	struct refsim s = { 0 };

	s.time = calloc(CAP, sizeof *s.time);
	s.state = calloc(CAP, 1);
	s.pending = calloc(CAP, sizeof *s.pending);
	ck_assert(p && s.time && s.state && s.pending);
	s.prog = p;
	prog_start(p, &ref_engine, &s);
	while (s.npending) {
		size_t best = 0;
		uint64_t id;

		for (size_t i = 1; i < s.npending; i++) {
			uint64_t a = s.pending[i], b = s.pending[best];

			if (s.time[a] < s.time[b] ||
			    (s.time[a] == s.time[b] && a < b))
				best = i;
		}
		id = s.pending[best];
		s.pending[best] = s.pending[--s.npending];
		s.state[id] = R_DONE;
		s.now = s.time[id];
		prog_fire(p, id);
	}
	*out = p->tr;
	free(s.time);
	free(s.state);
	free(s.pending);
	free(p);
}

START_TEST(program_matches_reference)
{
	struct trace ref, one, stepped;
	size_t fires = 0, cancels = 0, hits = 0;

	ref_program(&ref);
	sim_program(_i, 0, &one);
	trace_same(&one, &ref, confs[_i].label);
	/* Runs cut at arbitrary limits (events exactly at a limit run) must
	 * not change anything. */
	sim_program(_i, 7 * SY_US + 3, &stepped);
	trace_same(&stepped, &ref, confs[_i].label);

	/* The program must have done what it is meant to exercise. */
	for (size_t i = 0; i < ref.n; i++) {
		fires += ref.r[i].kind == T_FIRE;
		if (ref.r[i].kind == T_CANCEL) {
			cancels++;
			hits += ref.r[i].value;
		}
	}
	ck_assert_uint_gt(fires, 30000);
	ck_assert_uint_gt(hits, 2000);
	ck_assert_uint_gt(cancels - hits, 1000);
	free(ref.r);
	free(one.r);
	free(stepped.r);
}
END_TEST

/* Every scheduler, in one process, gives the same trace: the comparison
 * above is against the reference; this one is direct. */
START_TEST(schedulers_agree)
{
	struct trace first, other;

	sim_program(0, 0, &first);
	for (int i = 1; i < NCONFS; i++) {
		sim_program(i, 0, &other);
		trace_same(&other, &first, confs[i].label);
		free(other.r);
	}
	free(first.r);
}
END_TEST

static void record_data(sy_sim *sim, void *arg, uint64_t data)
{
	struct trace *t = arg;

	trace_add(t, T_FIRE, sy_sim_now(sim), data, 0);
}

START_TEST(cancel_every_position)
{
	/* (events, victim): front, middle, back of five, the only one. */
	static const int cases[][2] = { { 5, 0 }, { 5, 2 }, { 5, 4 },
					{ 1, 0 } };

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int n = cases[c][0], victim = cases[c][1];
		sy_sim *sim = conf_sim(_i, 1);
		struct trace tr = { 0 };
		sy_event_id id[5];
		sy_err err;
		size_t k = 0;

		for (int i = 0; i < n; i++)
			ck_assert_msg(sy_sim_at(sim, 10 * (i + 1), record_data,
						&tr, (uint64_t)i, &id[i],
						&err) == 0, "%s", err.msg);
		ck_assert(sy_sim_cancel(sim, id[victim]));
		ck_assert(!sy_sim_cancel(sim, id[victim]));
		ck_assert(!sy_sim_pending(sim, id[victim]));
		ck_assert_uint_eq(sy_sim_size(sim), (size_t)n - 1);
		ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
		ck_assert_uint_eq(tr.n, (size_t)n - 1);
		for (int i = 0; i < n; i++) {
			if (i == victim)
				continue;
			ck_assert_uint_eq(tr.r[k].id, (uint64_t)i);
			ck_assert_int_eq(tr.r[k].now, 10 * (i + 1));
			k++;
		}
		ck_assert_uint_eq(sy_sim_fired(sim), (uint64_t)n - 1);
		free(tr.r);
		sy_sim_free(sim);
	}
}
END_TEST

static void stop_at_two(sy_sim *sim, void *arg, uint64_t data)
{
	record_data(sim, arg, data);
	if (data == 2)
		sy_sim_stop(sim);
}

START_TEST(run_until_and_stop)
{
	sy_sim *sim = conf_sim(_i, 1);
	struct trace tr = { 0 };
	sy_err err;

	/* Events 0..5 at 10, 20, 20, 20, 30, INT64_MAX - 1. */
	static const sy_time at[] = { 10, 20, 20, 20, 30, INT64_MAX - 1 };

	for (int i = 0; i < 6; i++)
		ck_assert_msg(sy_sim_at(sim, at[i], stop_at_two, &tr,
					(uint64_t)i, NULL, &err) == 0, "%s",
			      err.msg);
	/* An event exactly at the limit runs; the clock stays at the limit. */
	ck_assert_int_eq(sy_sim_run(sim, 10), SY_RUN_UNTIL);
	ck_assert_uint_eq(tr.n, 1);
	ck_assert_int_eq(sy_sim_now(sim), 10);
	ck_assert_int_eq(sy_sim_run(sim, 15), SY_RUN_UNTIL);
	ck_assert_int_eq(sy_sim_now(sim), 15);
	ck_assert_uint_eq(tr.n, 1);
	/* Stop after event 2, the second of three at time 20. */
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_STOPPED);
	ck_assert_uint_eq(tr.n, 3);
	ck_assert_uint_eq(tr.r[2].id, 2);
	ck_assert_int_eq(sy_sim_now(sim), 20);
	/* Resuming runs the third at the same time, then 30. */
	ck_assert_int_eq(sy_sim_run(sim, 30), SY_RUN_UNTIL);
	ck_assert_uint_eq(tr.n, 5);
	ck_assert_uint_eq(tr.r[3].id, 3);
	ck_assert_int_eq(tr.r[3].now, 20);
	ck_assert_uint_eq(tr.r[4].id, 4);
	ck_assert_int_eq(sy_sim_now(sim), 30);
	/* The end of time is an event time like another. */
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_uint_eq(tr.n, 6);
	ck_assert_int_eq(sy_sim_now(sim), INT64_MAX - 1);
	ck_assert_uint_eq(sy_sim_size(sim), 0);
	free(tr.r);
	sy_sim_free(sim);

	/* An empty queue with a finite limit leaves the clock at the limit;
	 * without one, where it was. */
	sim = conf_sim(_i, 1);
	tr.n = 0;
	tr.r = NULL;
	tr.cap = 0;
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_int_eq(sy_sim_now(sim), 0);
	ck_assert_msg(sy_sim_at(sim, 5, record_data, &tr, 0, NULL, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(sy_sim_run(sim, 100), SY_RUN_EMPTY);
	ck_assert_int_eq(sy_sim_now(sim), 100);
	ck_assert_uint_eq(tr.n, 1);
	free(tr.r);
	sy_sim_free(sim);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *sched_sim_suite(void)
{
	Suite *s = suite_create("sched_sim");
	TCase *sim = tcase_create("sim");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(sim, 120);
	tcase_add_loop_test(sim, program_matches_reference, 0, NCONFS);
	tcase_add_test(sim, schedulers_agree);
	tcase_add_loop_test(sim, cancel_every_position, 0, NCONFS);
	tcase_add_loop_test(sim, run_until_and_stop, 0, NCONFS);
	suite_add_tcase(s, sim);
	return s;
}

int main(void)
{
	return sy_test_main(sched_sim_suite());
}
