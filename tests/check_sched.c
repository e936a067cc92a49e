#include "config.h"

/* Every scheduler plugin against the contract of scheduler.h, through its
 * ops table, compared with a reference priority queue written here.
 *
 * Each test is a loop test over the configurations of sched_util.c.  The
 * same schedulers under the simulator are tested in check_sched_sim.c,
 * their parameter limits and allocation failures in check_sched_limits.c. */

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "plugin.h"
#include "rng.h"
#include "scheduler.h"
#include "sim.h"
#include "vtime.h"
#include "sched_util.h"
#include "testutil.h"

/* ---------------------------------------------------------------- harness */

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

/* Equal times inserted rounds apart, with pops in between: the first of
 * a time may have moved on (into a finer rung, or sorted into the bottom
 * list of a ladder) when the next arrives, in Top, a bucket or the bottom
 * list itself.  Wherever they meet, equal times leave in seq order. */
START_TEST(ties_across_tiers)
{
	struct ref ref = { 0 };
	struct slots slots = { 0 };
	struct sched s;
	uint64_t seq = 1;
	sy_time now = 0;
	long at = 0;
	sy_rng r;

	sched_open(&s, _i);
	sy_rng_stream(&r, 13, "ties", 0);
	for (int round = 0; round < 40; round++) {
		for (int i = 0; i < 3000; i++) {
			/* 64 times 1 us apart from now on, and now itself. */
			sy_time t = now + (sy_time)sy_rng_below(&r, 65) * SY_US;
			sy_sched_entry e = { .time = t, .seq = seq++,
					     .slot = slot_get(&slots) };

			ref_push(&ref, e);
			put(&s, e.time, e.seq, e.slot);
		}
		for (int i = 0; i < 2500; i++) {
			take(&s, &ref.v[0], at++);
			slot_put(&slots, ref.v[0].slot);
			now = ref.v[0].time;
			ref_pop(&ref);
		}
	}
	while (ref.n) {
		take(&s, &ref.v[0], at++);
		ref_pop(&ref);
	}
	ck_assert_ptr_null(s.ops->peek(s.st));
	free(ref.v);
	free(slots.free);
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

/* ---------------------------------------------------------------- main */

static Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *ops = tcase_create("ops");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(ops, 120);
	tcase_add_loop_test(ops, sorts_random_entries, 0, NCONFS);
	tcase_add_loop_test(ops, ties_in_seq_order, 0, NCONFS);
	tcase_add_loop_test(ops, ties_across_tiers, 0, NCONFS);
	tcase_add_loop_test(ops, stress_against_reference, 0, NCONFS);
	tcase_add_loop_test(ops, filter_removes_subset, 0, NCONFS);
	tcase_add_loop_test(ops, extreme_times, 0, NCONFS);
	tcase_add_loop_test(ops, growth_and_shrink, 0, NCONFS);
	tcase_add_loop_test(ops, empty_queue, 0, NCONFS);
	suite_add_tcase(s, ops);
	return s;
}

int main(void)
{
	return sy_test_main(sched_suite());
}
