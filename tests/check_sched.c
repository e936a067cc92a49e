#include "config.h"

/* Every scheduler plugin against the contract of scheduler.h, through its
 * ops table, and then under the simulator (sim.h), where the traces of a
 * randomized event program must be identical for every scheduler and equal
 * to those of a reference simulator written here.
 *
 * Each test is a loop test over `confs`: the plugins with their defaults,
 * and configurations that push a plugin onto its rarer paths (a binary
 * heap; calendars with a fixed, far too short year, which exercise the
 * wrap-around, the overflow and the direct search, one of them with days
 * of 1 ns so that the last day is INT64_MAX itself; a calendar started
 * with a width far too wide, which must re-estimate it; ladders with tiny
 * thresholds, so that buckets and the bottom list spill into new rungs all
 * the time, one allowed a single rung (every spill is refused and sorted
 * instead) and one allowed 64). */

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "vtime.h"
#include "testutil.h"

/* Check records the place of every passing ck_assert (a write to its
 * channel each time), which in the loops below would cost more than the
 * schedulers; MUST says nothing unless it fails. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

/* ---------------------------------------------------------------- configs */

struct setting {
	const char *key;
	sy_value v;
};

struct conf {
	const char *plugin;
	const char *label;
	struct setting set[4]; /* ends at a NULL key */
};

#define V_INT(x) { .type = SY_V_INT, .u.i = (x) }
#define V_BOOL(x) { .type = SY_V_BOOL, .u.b = (x) }
#define V_STR(x) { .type = SY_V_STRING, .u.s = (x) }

static const struct conf confs[] = {
	{ "heap", "heap", { { NULL } } },
	{ "heap", "heap arity=2", { { "arity", V_INT(2) }, { NULL } } },
	{ "calendar", "calendar", { { NULL } } },
	{ "calendar", "calendar fixed 64 x 16ns",
	  { { "resize", V_BOOL(false) }, { "buckets", V_INT(64) },
	    { "width", V_STR("16ns") }, { NULL } } },
	{ "calendar", "calendar fixed 64 x 1ns",
	  { { "resize", V_BOOL(false) }, { "buckets", V_INT(64) },
	    { "width", V_STR("1ns") }, { NULL } } },
	{ "calendar", "calendar from 2 x 1s",
	  { { "buckets", V_INT(2) }, { "width", V_STR("1s") }, { NULL } } },
	{ "ladder", "ladder", { { NULL } } },
	{ "ladder", "ladder threshold=2 rungs=1",
	  { { "threshold", V_INT(2) }, { "rungs", V_INT(1) }, { NULL } } },
	{ "ladder", "ladder threshold=3 rungs=64",
	  { { "threshold", V_INT(3) }, { "rungs", V_INT(64) }, { NULL } } },
};

#define NCONFS ((int)(sizeof confs / sizeof confs[0]))

static void conf_instance(int i, sy_instance *in)
{
	const struct conf *c = &confs[i];
	const sy_plugin *p;
	sy_err err;

	p = sy_plugin_load("scheduler", c->plugin, &err);
	ck_assert_msg(p != NULL, "%s: %s", c->label, err.msg);
	ck_assert_msg(sy_instance_new(in, p, &err) == 0, "%s: %s", c->label,
		      err.msg);
	for (const struct setting *s = c->set; s->key; s++)
		ck_assert_msg(sy_instance_set(in, s->key, &s->v, "check_sched",
					      &err) == 0,
			      "%s: %s", c->label, err.msg);
}

/* A scheduler on its own, outside any simulator. */
struct sched {
	sy_instance in;
	const sy_sched_ops *ops;
	void *st;
	const char *label;
};

static void sched_open(struct sched *s, int i)
{
	sy_err err;

	conf_instance(i, &s->in);
	ck_assert_msg(sy_instance_init(&s->in, NULL, &err) == 0, "%s: %s",
		      confs[i].label, err.msg);
	s->ops = s->in.plugin->ops;
	s->st = s->in.state;
	s->label = confs[i].label;
}

static void sched_close(struct sched *s)
{
	sy_instance_free(&s->in);
}

/* The payload must travel with its entry.  It is derived from seq, so
 * that each entry's is distinct and checkable; the function is never
 * called. */
static void payload_fn(sy_sim *sim, void *arg, uint64_t data)
{
	ck_abort_msg("a scheduler called an event function");
}

static void *payload_arg(uint64_t seq)
{
	return (void *)(uintptr_t)(seq * 2 + 1);
}

/* An entry without its payload, for the reference and expectations. */
static sy_sched_entry ent(sy_time t, uint64_t seq, uint32_t slot)
{
	return (sy_sched_entry){ .time = t, .seq = seq, .slot = slot };
}

/* Inserts (t, seq, slot) with its payload.  As in a simulator, slots are
 * unique among the pending entries (a scheduler may index side tables by
 * slot); each test keeps them so. */
static void put(struct sched *s, sy_time t, uint64_t seq, uint32_t slot)
{
	sy_sched_entry e = {
		.time = t, .seq = seq, .slot = slot,
		.fn = payload_fn, .arg = payload_arg(seq), .data = ~seq,
	};

	MUST(s->ops->insert(s->st, &e) == 0, "%s: insert failed", s->label);
}

/* Pops the least entry and checks it is `want`; peek must be repeatable. */
static void take(struct sched *s, const sy_sched_entry *want, long at)
{
	const sy_sched_entry *e = s->ops->peek(s->st), *again;

	MUST(e != NULL, "%s: empty at %ld", s->label, at);
	MUST(e->time == want->time && e->seq == want->seq &&
	     e->slot == want->slot,
	     "%s: at %ld got (%lld, %llu, %u), want (%lld, %llu, %u)",
	     s->label, at, (long long)e->time, (unsigned long long)e->seq,
	     e->slot, (long long)want->time, (unsigned long long)want->seq,
	     want->slot);
	MUST(e->fn == payload_fn && e->arg == payload_arg(want->seq) &&
	     e->data == ~want->seq,
	     "%s: at %ld the payload of seq %llu is not its own", s->label, at,
	     (unsigned long long)want->seq);
	again = s->ops->peek(s->st);
	MUST(again && again->time == want->time && again->seq == want->seq,
	     "%s: a second peek disagrees", s->label);
	s->ops->pop(s->st);
}

static void take_ent(struct sched *s, sy_sched_entry want, long at)
{
	take(s, &want, at);
}

static int entry_cmp(const void *a, const void *b)
{
	const sy_sched_entry *x = a, *y = b;

	return sy_entry_before(x, y) ? -1 : sy_entry_before(y, x) ? 1 : 0;
}

/* ---------------------------------------------------------------- reference */

/* A plain binary heap: the reference priority queue. */
struct ref {
	sy_sched_entry *v;
	size_t n, cap;
};

static void ref_push(struct ref *r, sy_sched_entry e)
{
	size_t i;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->v = realloc(r->v, r->cap * sizeof *r->v);
		MUST(r->v, "out of memory");
	}
	for (i = r->n++; i > 0; i = (i - 1) / 2) {
		if (!sy_entry_before(&e, &r->v[(i - 1) / 2]))
			break;
		r->v[i] = r->v[(i - 1) / 2];
	}
	r->v[i] = e;
}

static void ref_pop(struct ref *r)
{
	sy_sched_entry e = r->v[--r->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < r->n) {
		if (c + 1 < r->n && sy_entry_before(&r->v[c + 1], &r->v[c]))
			c++;
		if (!sy_entry_before(&r->v[c], &e))
			break;
		r->v[i] = r->v[c];
		i = c;
	}
	if (r->n)
		r->v[i] = e;
}

/* Slot numbers as a simulator hands them out: unique among the pending
 * entries, reused once released. */
struct slots {
	uint32_t *free;
	size_t n, cap;
	uint32_t next;
};

static uint32_t slot_get(struct slots *p)
{
	return p->n ? p->free[--p->n] : p->next++;
}

static void slot_put(struct slots *p, uint32_t slot)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->free = realloc(p->free, p->cap * sizeof *p->free);
		MUST(p->free, "out of memory");
	}
	p->free[p->n++] = slot;
}

/* Times of every kind the contract allows: ties with now, near, far,
 * huge gaps, the end of time, and (for a bare priority queue) the past. */
static sy_time draw_time(sy_rng *r, sy_time now)
{
	switch (sy_rng_below(r, 10)) {
	case 0:
		return now;
	case 1:
		return now + (sy_time)sy_rng_below(r, 100);
	case 2:
	case 3:
	case 4:
		return now + (sy_time)sy_rng_exponential(r, 1e6);
	case 5:
		return now + (sy_time)sy_rng_below(r, SY_SEC);
	case 6:
		return INT64_MAX - (sy_time)sy_rng_below(r, 1000);
	case 7:
		return now + ((sy_time)sy_rng_below(r, 1 << 20) << 20);
	case 8:
		return (sy_time)sy_rng_below(r, (uint64_t)now + 1);
	default:
		return now + (sy_time)sy_rng_below(r, 10 * SY_US);
	}
}

/* ---------------------------------------------------------------- ops tests */

START_TEST(sorts_random_entries)
{
	enum { N = 20000 };
	sy_sched_entry *v = malloc(N * sizeof *v);
	struct sched s;
	sy_rng r;

	ck_assert_ptr_nonnull(v);
	sched_open(&s, _i);
	sy_rng_stream(&r, 11, "sorts", 0);
	/* Few distinct times (many ties), inserted in an order unrelated to
	 * seq: the order must come from (time, seq) alone. */
	for (int i = 0; i < N; i++) {
		v[i].time = (sy_time)sy_rng_below(&r, 2000) * 997;
		v[i].seq = (uint64_t)i * 7 + 1;
		v[i].slot = (uint32_t)i;
	}
	for (int i = N - 1; i > 0; i--) {
		int j = (int)sy_rng_below(&r, (uint64_t)i + 1);
		sy_sched_entry t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	for (int i = 0; i < N; i++) {
		put(&s, v[i].time, v[i].seq, v[i].slot);
		MUST(s.ops->size(s.st) == (size_t)i + 1, "%s: size %zu",
		     s.label, s.ops->size(s.st));
	}
	qsort(v, N, sizeof *v, entry_cmp);
	for (int i = 0; i < N; i++)
		take(&s, &v[i], i);
	ck_assert_ptr_null(s.ops->peek(s.st));
	ck_assert_uint_eq(s.ops->size(s.st), 0);
	sched_close(&s);
	free(v);
}
END_TEST

START_TEST(ties_in_seq_order)
{
	enum { N = 30000 };
	struct sched s;
	int k = 0;

	sched_open(&s, _i);
	/* Long runs of equal times (0, and 5 ms) interleaved, seq increasing
	 * with insertion as the simulator makes them. */
	for (int i = 0; i < N; i++)
		put(&s, (i % 3) ? 0 : 5 * SY_MS, (uint64_t)i + 1, (uint32_t)i);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < N; i++) {
			sy_sched_entry want = ent((i % 3) ? 0 : 5 * SY_MS,
						  (uint64_t)i + 1, (uint32_t)i);

			if ((pass == 0) == (i % 3 != 0))
				take(&s, &want, k++);
		}
	ck_assert_int_eq(k, N);
	ck_assert_ptr_null(s.ops->peek(s.st));
	sched_close(&s);
}
END_TEST

/* Random interleaved inserts and pops against the reference, in phases
 * that grow and shrink the queue (a calendar resizes), with a clock that
 * follows the pops as a simulator's does. */
START_TEST(stress_against_reference)
{
	struct ref ref = { 0 };
	struct slots slots = { 0 };
	struct sched s;
	uint64_t seq = 1;
	sy_time now = 0;
	sy_rng r;

	sched_open(&s, _i);
	sy_rng_stream(&r, 12, "stress", 0);
	for (long op = 0; op < 200000; op++) {
		/* 20000 ops of growth (70 % inserts), then of shrinking. */
		unsigned p_insert = (op / 20000) % 2 ? 30 : 70;

		if (ref.n == 0 || sy_rng_below(&r, 100) < p_insert) {
			sy_sched_entry e = {
				.time = draw_time(&r, now), .seq = seq++,
				.slot = slot_get(&slots),
			};

			ref_push(&ref, e);
			put(&s, e.time, e.seq, e.slot);
		} else {
			take(&s, &ref.v[0], op);
			slot_put(&slots, ref.v[0].slot);
			/* The past is allowed only now and then. */
			if (ref.v[0].time < INT64_MAX - 2000)
				now = ref.v[0].time;
			ref_pop(&ref);
		}
		MUST(s.ops->size(s.st) == ref.n, "%s: size %zu, want %zu",
		     s.label, s.ops->size(s.st), ref.n);
	}
	for (long i = 0; ref.n; i++) {
		take(&s, &ref.v[0], i);
		ref_pop(&ref);
	}
	ck_assert_ptr_null(s.ops->peek(s.st));
	free(ref.v);
	free(slots.free);
	sched_close(&s);
}
END_TEST

static bool keep_by_hash(void *ctx, const sy_sched_entry *e)
{
	unsigned *calls = ctx;

	(*calls)++;
	return ((e->seq * 0x9E3779B97F4A7C15ull) >> 61) < 3; /* 3 in 8 */
}

static bool keep_none(void *ctx, const sy_sched_entry *e)
{
	return false;
}

static bool keep_all(void *ctx, const sy_sched_entry *e)
{
	return true;
}

START_TEST(filter_removes_subset)
{
	enum { N = 30000 };
	struct ref ref = { 0 }, kept = { 0 };
	struct sched s;
	unsigned calls = 0;
	uint64_t seq = 1;
	sy_rng r;

	sched_open(&s, _i);
	sy_rng_stream(&r, 13, "filter", 0);
	for (int i = 0; i < N; i++) {
		sy_sched_entry e = ent(draw_time(&r, 0), seq++, (uint32_t)i);

		ref_push(&ref, e);
		put(&s, e.time, e.seq, e.slot);
	}
	/* Pop a few so that the front is somewhere in the middle. */
	for (int i = 0; i < 1000; i++) {
		take(&s, &ref.v[0], i);
		ref_pop(&ref);
	}
	s.ops->filter(s.st, keep_by_hash, &calls);
	ck_assert_uint_eq(calls, ref.n);
	for (size_t i = 0; i < ref.n; i++) {
		unsigned dummy = 0;

		if (keep_by_hash(&dummy, &ref.v[i]))
			ref_push(&kept, ref.v[i]);
	}
	ck_assert_uint_eq(s.ops->size(s.st), kept.n);

	/* The queue goes on working: more inserts, then drain. */
	for (int i = 0; i < 5000; i++) {
		sy_sched_entry e = ent(draw_time(&r, 0), seq++,
				       (uint32_t)(N + i));

		ref_push(&kept, e);
		put(&s, e.time, e.seq, e.slot);
	}
	s.ops->filter(s.st, keep_all, NULL);
	ck_assert_uint_eq(s.ops->size(s.st), kept.n);
	for (long i = 0; kept.n; i++) {
		take(&s, &kept.v[0], i);
		ref_pop(&kept);
	}

	/* Filtering everything away leaves a working, empty queue. */
	for (int i = 0; i < 3000; i++)
		put(&s, (sy_time)i, seq++, (uint32_t)i);
	s.ops->filter(s.st, keep_none, NULL);
	ck_assert_uint_eq(s.ops->size(s.st), 0);
	ck_assert_ptr_null(s.ops->peek(s.st));
	put(&s, 42, seq, 7);
	take_ent(&s, ent(42, seq, 7), 0);
	ck_assert_ptr_null(s.ops->peek(s.st));
	free(ref.v);
	free(kept.v);
	sched_close(&s);
}
END_TEST

START_TEST(extreme_times)
{
	static const sy_time times[] = {
		0, 1, 2, INT64_MAX, INT64_MAX - 1, INT64_MAX - 1000,
		(sy_time)1 << 40, ((sy_time)1 << 40) + 1, (sy_time)1 << 62,
		((sy_time)1 << 62) - 1, INT64_MAX / 2, 1000000007,
		-1, INT64_MIN, INT64_MIN + 1, -((sy_time)1 << 50),
	};
	enum { NT = sizeof times / sizeof times[0], ROUNDS = 50 };
	sy_sched_entry v[NT * ROUNDS];
	struct sched s;
	int n = 0;

	sched_open(&s, _i);
	/* Each time several times over, with seq increasing per round, and
	 * the rounds interleaved so that equal times arrive far apart. */
	for (int k = 0; k < ROUNDS; k++)
		for (int i = 0; i < NT; i++) {
			v[n] = ent(times[(i + k) % NT], (uint64_t)n + 1,
				   (uint32_t)n);
			put(&s, v[n].time, v[n].seq, v[n].slot);
			n++;
		}
	qsort(v, (size_t)n, sizeof *v, entry_cmp);
	for (int i = 0; i < n; i++)
		take(&s, &v[i], i);

	/* One far event alone behind a dense cluster: the queue must jump the
	 * gap when the cluster is gone, and back again. */
	for (int round = 0; round < 3; round++) {
		sy_time base = (sy_time)round << 50;

		put(&s, INT64_MAX - round, 1000000 + (uint64_t)round, 1);
		for (int i = 0; i < 1000; i++)
			put(&s, base + i, 2000000 + (uint64_t)i,
			    (uint32_t)i + 10);
		for (int i = 0; i < 1000; i++)
			take_ent(&s, ent(base + i, 2000000 + (uint64_t)i,
					 (uint32_t)i + 10),
			     i);
		take_ent(&s, ent(INT64_MAX - round,
				 1000000 + (uint64_t)round, 1),
		     -1);
	}
	ck_assert_ptr_null(s.ops->peek(s.st));

	/* At the very end of time, with the queue's clock there too. */
	put(&s, INT64_MAX - 10, 3000000, 3);
	take_ent(&s, ent(INT64_MAX - 10, 3000000, 3), 0);
	put(&s, INT64_MAX, 3000002, 5);
	put(&s, INT64_MAX - 1, 3000001, 4);
	put(&s, INT64_MAX, 3000003, 6);
	take_ent(&s, ent(INT64_MAX - 1, 3000001, 4), 1);
	take_ent(&s, ent(INT64_MAX, 3000002, 5), 2);
	take_ent(&s, ent(INT64_MAX, 3000003, 6), 3);
	ck_assert_ptr_null(s.ops->peek(s.st));
	sched_close(&s);
}
END_TEST

/* Large growth, then shrinking, then a change of time scale with the size
 * held steady (a calendar must find a new width), compared with the
 * reference all along. */
START_TEST(growth_and_shrink)
{
	struct ref ref = { 0 };
	struct sched s;
	uint64_t seq = 1;
	sy_time now = 0;
	size_t mem_empty, mem_full;
	sy_rng r;

	sched_open(&s, _i);
	sy_rng_stream(&r, 14, "grow", 0);
	mem_empty = s.ops->memory(s.st);
	ck_assert_uint_gt(mem_empty, 0);
	for (int i = 0; i < 100000; i++) {
		sy_sched_entry e = ent((sy_time)sy_rng_exponential(&r, 1e6),
				       seq++, (uint32_t)i);

		ref_push(&ref, e);
		put(&s, e.time, e.seq, e.slot);
	}
	mem_full = s.ops->memory(s.st);
	ck_assert_uint_ge(mem_full, 100000 * sizeof(sy_sched_entry));
	for (int i = 0; i < 99000; i++) {
		take(&s, &ref.v[0], i);
		now = ref.v[0].time;
		ref_pop(&ref);
	}
	ck_assert_uint_gt(s.ops->memory(s.st), 0);
	/* Hold at about 1000 entries, the increments now 10 ns instead of
	 * 1 ms, then 1 s. */
	for (int phase = 0; phase < 2; phase++) {
		double mean = phase ? 1e9 : 10;

		for (int i = 0; i < 50000; i++) {
			sy_sched_entry e;
			uint32_t slot = ref.v[0].slot;

			take(&s, &ref.v[0], i);
			now = ref.v[0].time;
			ref_pop(&ref);
			e = ent(now + (sy_time)sy_rng_exponential(&r, mean),
				seq++, slot);
			ref_push(&ref, e);
			put(&s, e.time, e.seq, e.slot);
		}
	}
	for (long i = 0; ref.n; i++) {
		take(&s, &ref.v[0], i);
		ref_pop(&ref);
	}
	ck_assert_ptr_null(s.ops->peek(s.st));
	ck_assert_uint_eq(s.ops->size(s.st), 0);
	free(ref.v);
	sched_close(&s);
}
END_TEST

START_TEST(empty_queue)
{
	struct sched s;

	sched_open(&s, _i);
	ck_assert_ptr_null(s.ops->peek(s.st));
	ck_assert_uint_eq(s.ops->size(s.st), 0);
	ck_assert_uint_gt(s.ops->memory(s.st), 0);
	s.ops->filter(s.st, keep_none, NULL);
	ck_assert_ptr_null(s.ops->peek(s.st));
	/* One entry in, out, and again far away. */
	put(&s, 5, 1, 9);
	take_ent(&s, ent(5, 1, 9), 0);
	ck_assert_ptr_null(s.ops->peek(s.st));
	put(&s, INT64_MAX, 2, 8);
	take_ent(&s, ent(INT64_MAX, 2, 8), 1);
	put(&s, 3, 3, 7);
	take_ent(&s, ent(3, 3, 7), 2);
	ck_assert_uint_eq(s.ops->size(s.st), 0);
	sched_close(&s);
}
END_TEST

/* ---------------------------------------------------------------- simulator */

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

/* ---------------------------------------------------------------- params */

START_TEST(calendar_buckets_power_of_two)
{
	sy_value v = V_INT(100);
	const sy_plugin *p;
	sy_instance in;
	sy_err err;

	p = sy_plugin_load("scheduler", "calendar", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	ck_assert_int_eq(sy_instance_set(&in, "buckets", &v, "test", &err), 0);
	ck_assert_int_eq(sy_instance_init(&in, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "power of two") &&
		      strstr(err.msg, "100"), "%s", err.msg);
	sy_instance_free(&in);
}
END_TEST

/* Every size parameter has a maximum that can be allocated. */
START_TEST(size_params_have_maxima)
{
	static const struct {
		const char *plugin, *key;
		sy_value v;
		const char *phrase;
	} over[] = {
		{ "calendar", "buckets", V_INT(1 << 25),
		  "value 33554432 is above the maximum 16777216" },
		{ "calendar", "buckets", { .type = SY_V_FLOAT, .u.f = 1e15 },
		  "value 1000000000000000 is above the maximum 16777216" },
		{ "calendar", "buckets", { .type = SY_V_FLOAT, .u.f = 1e300 },
		  "integer 1e+300 is out of range" },
		{ "heap", "capacity", V_INT(16777217),
		  "value 16777217 is above the maximum 16777216" },
		{ "ladder", "threshold", V_INT(100001),
		  "value 100001 is above the maximum 100000" },
		{ "ladder", "rungs", V_INT(65),
		  "value 65 is above the maximum 64" },
	};

	for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
		const sy_plugin *p;
		sy_instance in;
		sy_err err;
		char want[128];

		p = sy_plugin_load("scheduler", over[i].plugin, &err);
		ck_assert_msg(p != NULL, "%s", err.msg);
		ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
		ck_assert_msg(sy_instance_set(&in, over[i].key, &over[i].v,
					      "run.lua:3", &err) == -1,
			      "%s %s accepted", over[i].plugin, over[i].key);
		snprintf(want, sizeof want,
			 "run.lua:3: scheduler/%s: parameter '%s': ",
			 over[i].plugin, over[i].key);
		ck_assert_msg(strstr(err.msg, want) &&
			      strstr(err.msg, over[i].phrase), "%s", err.msg);
		sy_instance_free(&in);
	}
}
END_TEST

/* ---------------------------------------------------------------- memory */

/* AddressSanitizer needs address space of its own as it runs and cannot
 * live under a lowered RLIMIT_AS; the memory tests run in other builds. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_RLIMIT_AS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_RLIMIT_AS 1
#endif
#endif

#ifndef NO_RLIMIT_AS
/* In a child whose address space may grow by only `headroom` bytes, runs
 * fn; a failure message from it (or a crash) fails the test. */
static void with_little_memory(const char *(*fn)(int), int arg,
			       size_t headroom)
{
	char msg[SY_ERR_MAX + 64] = "";
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsigned long pages = 0;
		struct rlimit rl;
		const char *why = NULL;
		FILE *f = fopen("/proc/self/statm", "r");

		close(fd[0]);
		if (!f || fscanf(f, "%lu", &pages) != 1)
			why = "cannot read /proc/self/statm";
		if (f)
			fclose(f);
		/* The soft limit only, which memory_back() can raise. */
		if (!why && getrlimit(RLIMIT_AS, &rl) < 0)
			why = "cannot read RLIMIT_AS";
		rl.rlim_cur = pages * (rlim_t)sysconf(_SC_PAGESIZE) + headroom;
		if (!why && setrlimit(RLIMIT_AS, &rl) < 0)
			why = "cannot lower RLIMIT_AS";
		if (!why)
			why = fn(arg);
		if (why && write(fd[1], why, strlen(why)) < 0)
			_exit(3);
		_exit(why ? 1 : 0);
	}
	close(fd[1]);
	n = read(fd[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = 0;
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the child died of signal %d",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_msg(WEXITSTATUS(status) == 0, "%s", msg);
}

/* Lifts the limit of with_little_memory again. */
static int memory_back(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_AS, &rl) < 0)
		return -1;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_AS, &rl);
}

static char child_msg[SY_ERR_MAX + 256];

/* A parameter in range whose allocation fails: init says so. */
static const char *init_too_big(int which)
{
	static const struct {
		const char *plugin, *key;
		int64_t v;
		const char *phrase;
	} big[] = {
		{ "calendar", "buckets", 1 << 24,
		  "out of memory for 16777216 buckets" },
		{ "heap", "capacity", 1 << 24,
		  "out of memory for 16777216 entries" },
	};
	sy_value v = { .type = SY_V_INT, .u.i = big[which].v };
	const sy_plugin *p;
	sy_instance in;
	sy_err err;

	p = sy_plugin_load("scheduler", big[which].plugin, &err);
	if (!p || sy_instance_new(&in, p, &err) < 0 ||
	    sy_instance_set(&in, big[which].key, &v, "test", &err) < 0) {
		snprintf(child_msg, sizeof child_msg, "%s", err.msg);
		return child_msg;
	}
	if (sy_instance_init(&in, NULL, &err) == 0)
		return "init succeeded";
	if (!strstr(err.msg, big[which].phrase)) {
		snprintf(child_msg, sizeof child_msg, "\"%s\" lacks \"%s\"",
			 err.msg, big[which].phrase);
		return child_msg;
	}
	sy_instance_free(&in);
	return NULL;
}

START_TEST(init_allocation_failure)
{
	/* The modules are loaded before the limit. */
	sy_err err;

	ck_assert_ptr_nonnull(sy_plugin_load("scheduler", "calendar", &err));
	ck_assert_ptr_nonnull(sy_plugin_load("scheduler", "heap", &err));
	with_little_memory(init_too_big, _i, 64 << 20);
}
END_TEST

struct order {
	sy_time last;
	uint64_t fired;
	bool bad;
};

static void in_order(sy_sim *sim, void *arg, uint64_t data)
{
	struct order *o = arg;

	if (sy_sim_now(sim) < o->last)
		o->bad = true;
	o->last = sy_sim_now(sim);
	o->fired++;
}

/* Schedules events until memory runs out: the simulator must say so, keep
 * every event it accepted and run them all in order. */
static const char *fill_until_oom(int conf)
{
	struct order o = { 0, 0, false };
	uint64_t n = 0, lcg = 12345;
	sy_instance in;
	sy_err err;
	sy_sim *sim;

	conf_instance(conf, &in);
	sim = sy_sim_new(1, &in, &err);
	if (!sim) {
		snprintf(child_msg, sizeof child_msg, "%s", err.msg);
		return child_msg;
	}
	for (;;) {
		sy_event_id id;
		sy_time t;

		/* Times spread over 10 s, with runs of ties. */
		lcg = lcg * 6364136223846793005u + 1442695040888963407u;
		t = (sy_time)((lcg >> 33) % (10 * SY_SEC)) & ~(sy_time)0xfff;
		if (sy_sim_at(sim, t, in_order, &o, n, n % 3 ? NULL : &id,
			      &err) < 0)
			break;
		if (++n > 50000000)
			return "no allocation failure after 5e7 events";
	}
	if (!strstr(err.msg, "out of memory scheduling an event")) {
		snprintf(child_msg, sizeof child_msg, "%s: after %llu events: "
			 "%s", confs[conf].label, (unsigned long long)n,
			 err.msg);
		return child_msg;
	}
	if (sy_sim_size(sim) != n)
		return "the size does not count the events accepted";
	/* The first events still short of memory (where a scheduler may
	 * fall back to slower ways: the ladder then scans a whole bucket
	 * per event, so not too many), the rest with memory again. */
	if (sy_sim_run(sim, 10 * SY_MS) != SY_RUN_UNTIL || o.fired == 0)
		return "no event ran in the first 10 ms";
	if (memory_back() < 0)
		return "cannot raise RLIMIT_AS again";
	if (sy_sim_run(sim, SY_TIME_NEVER) != SY_RUN_EMPTY || o.fired != n ||
	    o.bad) {
		snprintf(child_msg, sizeof child_msg, "%s: %llu of %llu events "
			 "fired, %s", confs[conf].label,
			 (unsigned long long)o.fired, (unsigned long long)n,
			 o.bad ? "out of order" : "in order");
		return child_msg;
	}
	sy_sim_free(sim);
	return NULL;
}

START_TEST(insert_allocation_failure)
{
	sy_instance in;

	/* Loads the module before the limit. */
	conf_instance(_i, &in);
	sy_instance_free(&in);
	with_little_memory(fill_until_oom, _i, 8 << 20);
}
END_TEST
#endif /* NO_RLIMIT_AS */

/* ---------------------------------------------------------------- main */

static Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *ops = tcase_create("ops");
	TCase *sim = tcase_create("sim");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(ops, 120);
	tcase_set_timeout(sim, 120);
	tcase_add_loop_test(ops, sorts_random_entries, 0, NCONFS);
	tcase_add_loop_test(ops, ties_in_seq_order, 0, NCONFS);
	tcase_add_loop_test(ops, stress_against_reference, 0, NCONFS);
	tcase_add_loop_test(ops, filter_removes_subset, 0, NCONFS);
	tcase_add_loop_test(ops, extreme_times, 0, NCONFS);
	tcase_add_loop_test(ops, growth_and_shrink, 0, NCONFS);
	tcase_add_loop_test(ops, empty_queue, 0, NCONFS);
	tcase_add_loop_test(sim, program_matches_reference, 0, NCONFS);
	tcase_add_test(sim, schedulers_agree);
	tcase_add_loop_test(sim, cancel_every_position, 0, NCONFS);
	tcase_add_loop_test(sim, run_until_and_stop, 0, NCONFS);
	tcase_add_test(ops, calendar_buckets_power_of_two);
	tcase_add_test(ops, size_params_have_maxima);
#ifndef NO_RLIMIT_AS
	tcase_add_loop_test(ops, init_allocation_failure, 0, 2);
	tcase_add_loop_test(ops, insert_allocation_failure, 0, NCONFS);
#endif
	suite_add_tcase(s, ops);
	suite_add_tcase(s, sim);
	return s;
}

int main(void)
{
	return sy_test_main(sched_suite());
}
