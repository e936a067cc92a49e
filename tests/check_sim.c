/* The simulator's contract (sim.h): ordering, ties, handles, cancellation,
 * run limits, stop, and errors.  Runs on the default heap scheduler; the
 * scheduler-independence of all this is check_sched's business. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"
#include "sim.h"
#include "testutil.h"

static sy_sim *new_sim(uint64_t seed)
{
	const sy_plugin *p;
	sy_instance in;
	sy_err err;
	sy_sim *sim;

	p = sy_plugin_load("scheduler", "heap", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(sy_instance_new(&in, p, &err), 0);
	sim = sy_sim_new(seed, &in, &err);
	ck_assert_msg(sim != NULL, "%s", err.msg);
	return sim;
}

/* A log of fired events: (time, data). */
struct log {
	sy_time t[20000];
	uint64_t d[20000];
	int n;
};

static void record(sy_sim *sim, void *arg, uint64_t data)
{
	struct log *l = arg;

	ck_assert_int_lt(l->n, 20000);
	l->t[l->n] = sy_sim_now(sim);
	l->d[l->n] = data;
	l->n++;
}

static struct log *log_new(void)
{
	return calloc(1, sizeof(struct log));
}

START_TEST(order_and_ties)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();
	sy_time when[500];
	sy_rng r;

	sy_rng_stream(&r, 1, "test", 0);
	/* Few distinct times, so most events tie. */
	for (int i = 0; i < 500; i++) {
		when[i] = (sy_time)sy_rng_below(&r, 20) * SY_MS;
		ck_assert_int_eq(sy_sim_at(sim, when[i], record, l, (uint64_t)i, NULL, NULL), 0);
	}
	ck_assert_uint_eq(sy_sim_size(sim), 500);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_int_eq(l->n, 500);
	for (int k = 0; k < 500; k++)
		ck_assert_int_eq(l->t[k], when[l->d[k]]);
	for (int k = 1; k < 500; k++) {
		ck_assert_int_le(l->t[k - 1], l->t[k]);
		if (l->t[k - 1] == l->t[k])
			ck_assert_uint_lt(l->d[k - 1], l->d[k]); /* FIFO */
	}
	ck_assert_uint_eq(sy_sim_fired(sim), 500);
	ck_assert_uint_eq(sy_sim_size(sim), 0);
	free(l);
	sy_sim_free(sim);
}
END_TEST

/* An event scheduled for "now" from a callback runs after the events
 * already queued for the same time. */
static void at_now(sy_sim *sim, void *arg, uint64_t data)
{
	record(sim, arg, data);
	if (data == 1)
		sy_sim_after(sim, 0, record, arg, 99, NULL, NULL);
}

START_TEST(same_time_from_callback)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();

	for (uint64_t i = 0; i < 4; i++)
		sy_sim_at(sim, SY_SEC, at_now, l, i, NULL, NULL);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(l->n, 5);
	ck_assert_uint_eq(l->d[0], 0);
	ck_assert_uint_eq(l->d[3], 3);
	ck_assert_uint_eq(l->d[4], 99);
	ck_assert_int_eq(l->t[4], SY_SEC);
	free(l);
	sy_sim_free(sim);
}
END_TEST

START_TEST(past_and_negative_refused)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();
	sy_err err;

	sy_sim_at(sim, 2 * SY_SEC, record, l, 0, NULL, NULL);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(sy_sim_at(sim, SY_SEC, record, l, 0, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "before the current time 2s"), "%s", err.msg);
	ck_assert_int_eq(sy_sim_after(sim, -1, record, l, 0, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "negative delay"), "%s", err.msg);
	ck_assert_int_eq(sy_sim_after(sim, SY_TIME_NEVER, record, l, 0, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "overflows"), "%s", err.msg);
	/* Scheduling at exactly now is fine. */
	ck_assert_int_eq(sy_sim_at(sim, 2 * SY_SEC, record, l, 0, NULL, &err), 0);
	ck_assert_uint_eq(sy_sim_size(sim), 1);
	free(l);
	sy_sim_free(sim);
}
END_TEST

START_TEST(cancel_semantics)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();
	sy_event_id a, b, c;

	sy_sim_at(sim, 10, record, l, 1, &a, NULL);
	sy_sim_at(sim, 20, record, l, 2, &b, NULL);
	ck_assert(sy_sim_pending(sim, a));
	ck_assert_int_eq(sy_sim_due(sim, a), 10);
	ck_assert(sy_sim_cancel(sim, a));
	ck_assert(!sy_sim_cancel(sim, a));
	ck_assert(!sy_sim_pending(sim, a));
	ck_assert_int_eq(sy_sim_due(sim, a), SY_TIME_NEVER);
	ck_assert(!sy_sim_cancel(sim, SY_EVENT_NONE));
	/* c reuses a's slot; a's handle must not reach it. */
	sy_sim_at(sim, 30, record, l, 3, &c, NULL);
	ck_assert_uint_eq(c.slot, a.slot);
	ck_assert(!sy_sim_cancel(sim, a));
	ck_assert(sy_sim_pending(sim, c));
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(l->n, 2);
	ck_assert_uint_eq(l->d[0], 2);
	ck_assert_uint_eq(l->d[1], 3);
	/* Fired events cannot be cancelled. */
	ck_assert(!sy_sim_cancel(sim, b));
	ck_assert(!sy_sim_cancel(sim, c));
	free(l);
	sy_sim_free(sim);
}
END_TEST

/* Cancelling the event that is running (its own handle) is harmless, and
 * cancelling another event due at the same time prevents it. */
static sy_event_id self_id, victim_id;

static void canceller(sy_sim *sim, void *arg, uint64_t data)
{
	ck_assert(!sy_sim_cancel(sim, self_id));
	ck_assert(sy_sim_cancel(sim, victim_id));
	record(sim, arg, data);
}

START_TEST(cancel_from_callback)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();

	sy_sim_at(sim, 5, canceller, l, 1, &self_id, NULL);
	sy_sim_at(sim, 5, record, l, 2, &victim_id, NULL);
	sy_sim_at(sim, 6, record, l, 3, NULL, NULL);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(l->n, 2);
	ck_assert_uint_eq(l->d[0], 1);
	ck_assert_uint_eq(l->d[1], 3);
	free(l);
	sy_sim_free(sim);
}
END_TEST

/* Many cancellations trigger compaction; the survivors still fire in
 * order and the cancelled never do. */
START_TEST(mass_cancel)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();
	static sy_event_id ids[12000];
	static sy_time when[12000];
	static char dead[12000];
	int live = 0;
	sy_rng r;

	sy_rng_stream(&r, 5, "mass", 0);
	for (int i = 0; i < 12000; i++) {
		when[i] = (sy_time)sy_rng_below(&r, 1000000);
		sy_sim_at(sim, when[i], record, l, (uint64_t)i, &ids[i], NULL);
	}
	for (int i = 0; i < 12000; i++) {
		dead[i] = sy_rng_below(&r, 10) != 0; /* cancel ~90% */
		if (dead[i])
			ck_assert(sy_sim_cancel(sim, ids[i]));
		else
			live++;
	}
	ck_assert_uint_eq(sy_sim_size(sim), (size_t)live);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(l->n, live);
	for (int k = 0; k < l->n; k++) {
		ck_assert(!dead[l->d[k]]);
		ck_assert_int_eq(l->t[k], when[l->d[k]]);
		if (k)
			ck_assert(l->t[k - 1] < l->t[k] ||
				  (l->t[k - 1] == l->t[k] && l->d[k - 1] < l->d[k]));
	}
	free(l);
	sy_sim_free(sim);
}
END_TEST

START_TEST(run_until)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();

	sy_sim_at(sim, 1 * SY_SEC, record, l, 1, NULL, NULL);
	sy_sim_at(sim, 2 * SY_SEC, record, l, 2, NULL, NULL);
	sy_sim_at(sim, 3 * SY_SEC, record, l, 3, NULL, NULL);
	/* Events at exactly the limit run; the clock stops at the limit. */
	ck_assert_int_eq(sy_sim_run(sim, 2 * SY_SEC), SY_RUN_UNTIL);
	ck_assert_int_eq(l->n, 2);
	ck_assert_int_eq(sy_sim_now(sim), 2 * SY_SEC);
	ck_assert_int_eq(sy_sim_run(sim, 2500 * SY_MS), SY_RUN_UNTIL);
	ck_assert_int_eq(sy_sim_now(sim), 2500 * SY_MS);
	ck_assert_int_eq(l->n, 2);
	/* The queue empties before the limit: the clock still reaches it. */
	ck_assert_int_eq(sy_sim_run(sim, 10 * SY_SEC), SY_RUN_EMPTY);
	ck_assert_int_eq(l->n, 3);
	ck_assert_int_eq(sy_sim_now(sim), 10 * SY_SEC);
	/* Without a limit the clock stays at the last event. */
	sy_sim_after(sim, SY_SEC, record, l, 4, NULL, NULL);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_int_eq(sy_sim_now(sim), 11 * SY_SEC);
	free(l);
	sy_sim_free(sim);
}
END_TEST

static void stopper(sy_sim *sim, void *arg, uint64_t data)
{
	record(sim, arg, data);
	sy_sim_stop(sim);
}

START_TEST(stop_and_resume)
{
	sy_sim *sim = new_sim(1);
	struct log *l = log_new();

	sy_sim_at(sim, 1, record, l, 1, NULL, NULL);
	sy_sim_at(sim, 2, stopper, l, 2, NULL, NULL);
	sy_sim_at(sim, 2, record, l, 3, NULL, NULL);
	sy_sim_at(sim, 3, record, l, 4, NULL, NULL);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_STOPPED);
	ck_assert_int_eq(l->n, 2);
	ck_assert_int_eq(sy_sim_now(sim), 2);
	/* A stop requested outside a run does not end the next one. */
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_int_eq(l->n, 4);
	ck_assert_uint_eq(l->d[2], 3);
	ck_assert_uint_eq(l->d[3], 4);
	free(l);
	sy_sim_free(sim);
}
END_TEST

/* A chain of events each scheduling the next: slots are recycled, so a
 * long run needs only a handful of them. */
static void chain(sy_sim *sim, void *arg, uint64_t data)
{
	int *left = arg;

	if (--*left > 0)
		ck_assert_int_eq(sy_sim_after(sim, (sy_time)data, chain, arg, data, NULL, NULL), 0);
}

START_TEST(long_chain)
{
	sy_sim *sim = new_sim(1);
	int left = 100000;

	sy_sim_at(sim, 0, chain, &left, 7, NULL, NULL);
	sy_sim_run(sim, SY_TIME_NEVER);
	ck_assert_int_eq(left, 0);
	ck_assert_uint_eq(sy_sim_fired(sim), 100000);
	ck_assert_int_eq(sy_sim_now(sim), (sy_time)7 * 99999);
	sy_sim_free(sim);
}
END_TEST

START_TEST(streams_follow_seed)
{
	sy_sim *sim = new_sim(77);
	sy_rng a, b;

	ck_assert_uint_eq(sy_sim_seed(sim), 77);
	sy_sim_stream(sim, &a, "x", 2);
	sy_rng_stream(&b, 77, "x", 2);
	ck_assert_uint_eq(sy_rng_next(&a), sy_rng_next(&b));
	ck_assert_str_eq(sy_sim_scheduler(sim)->name, "heap");
	sy_sim_free(sim);
}
END_TEST

/* ------------------------------------------------------------ real time
 *
 * Timing on a loaded machine: events must never run before their time and
 * must keep their order; how late they run is only reported (lag), never
 * bounded tightly here. */

struct rt_log {
	sy_time wall0;
	sy_time wall[8];
	sy_time due[8];
	int n;
};

static void rt_record(sy_sim *sim, void *arg, uint64_t data)
{
	struct rt_log *l = arg;

	l->wall[l->n] = sy_wall_ns() - l->wall0;
	l->due[l->n] = sy_sim_now(sim);
	l->n++;
}

START_TEST(realtime_follows_wall_clock)
{
	sy_sim *sim = new_sim(1);
	struct rt_log l = { 0 };
	sy_lag g;
	sy_err err;

	sy_sim_set_realtime(sim, true);
	ck_assert(sy_sim_realtime(sim));
	for (int i = 3; i >= 1; i--)
		ck_assert_int_eq(sy_sim_at(sim, i * 20 * SY_MS, rt_record, &l, 0, NULL, &err), 0);
	l.wall0 = sy_wall_ns();
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_int_eq(l.n, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(l.due[i], (i + 1) * 20 * SY_MS);
		ck_assert_int_ge(l.wall[i], l.due[i]);  /* never early */
		if (i)
			ck_assert_int_ge(l.wall[i], l.wall[i - 1]);
	}
	sy_sim_lag(sim, &g);
	ck_assert_uint_eq(g.events, 3);
	ck_assert_int_ge(g.max, 0);
	ck_assert_int_ge(g.total, g.max);
	/* A limit with nothing to wait for ends at once, clock at the limit. */
	ck_assert_int_eq(sy_sim_run(sim, SY_SEC), SY_RUN_EMPTY);
	ck_assert_int_eq(sy_sim_now(sim), SY_SEC);
	sy_sim_free(sim);
}
END_TEST

struct rt_pipe {
	int fd[2];
	sy_time read_at;
	char got[16];
};

static void rt_write(sy_sim *sim, void *arg, uint64_t data)
{
	struct rt_pipe *p = arg;

	ck_assert_int_eq(write(p->fd[1], "hi", 2), 2);
}

static void rt_read(sy_sim *sim, void *arg, int fd)
{
	struct rt_pipe *p = arg;

	ck_assert_int_eq(read(fd, p->got, sizeof p->got - 1), 2);
	p->read_at = sy_sim_now(sim);
	sy_sim_unwatch(sim, fd);
}

START_TEST(realtime_watch)
{
	sy_sim *sim = new_sim(1);
	struct rt_pipe p = { .read_at = -1 };
	sy_lag g;
	sy_err err;

	ck_assert_int_eq(pipe(p.fd), 0);
	sy_sim_set_realtime(sim, true);
	ck_assert_int_eq(sy_sim_watch(sim, p.fd[0], true, rt_read, &p, &err), 0);
	ck_assert_int_eq(sy_sim_watch(sim, p.fd[0], true, rt_read, &p, &err), -1);
	ck_assert_int_eq(sy_sim_at(sim, 30 * SY_MS, rt_write, &p, 0, NULL, &err), 0);
	/* The holding watch keeps the run going after the last event,
	 * until its function ends it. */
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_str_eq(p.got, "hi");
	ck_assert_int_ge(p.read_at, 30 * SY_MS);
	ck_assert_uint_eq(sy_sim_watches(sim), 0);
	sy_sim_lag(sim, &g);
	ck_assert_uint_eq(g.inputs, 1);
	close(p.fd[0]);
	close(p.fd[1]);
	sy_sim_free(sim);
}
END_TEST

/* More descriptors than fit on the stack, and a watch function that
 * watches more of them while the ready ones are being served (the poll
 * array then moves): every one is served once. */
#define RT_MANY 20
#define RT_MORE 13

struct rt_many {
	int fd[RT_MANY + RT_MORE][2];
	int reads[RT_MANY + RT_MORE];
	bool added;
};

static void rt_many_read(sy_sim *sim, void *arg, int fd)
{
	struct rt_many *m = arg;
	char c;
	sy_err err;

	for (int i = 0; i < RT_MANY + RT_MORE; i++) {
		if (m->fd[i][0] != fd)
			continue;
		ck_assert_int_eq(read(fd, &c, 1), 1);
		m->reads[i]++;
	}
	sy_sim_unwatch(sim, fd);
	if (!m->added) {
		m->added = true;
		for (int i = RT_MANY; i < RT_MANY + RT_MORE; i++)
			ck_assert_int_eq(sy_sim_watch(sim, m->fd[i][0], true,
						      rt_many_read, m, &err),
					 0);
	}
}

START_TEST(realtime_many_watches)
{
	sy_sim *sim = new_sim(1);
	struct rt_many *m = calloc(1, sizeof *m);
	sy_err err;

	ck_assert_ptr_nonnull(m);
	sy_sim_set_realtime(sim, true);
	for (int i = 0; i < RT_MANY + RT_MORE; i++) {
		ck_assert_int_eq(pipe(m->fd[i]), 0);
		ck_assert_int_eq(write(m->fd[i][1], "x", 1), 1);
	}
	for (int i = 0; i < RT_MANY; i++)
		ck_assert_int_eq(sy_sim_watch(sim, m->fd[i][0], true,
					      rt_many_read, m, &err), 0);
	ck_assert_int_eq(sy_sim_run(sim, SY_TIME_NEVER), SY_RUN_EMPTY);
	ck_assert_uint_eq(sy_sim_watches(sim), 0);
	for (int i = 0; i < RT_MANY + RT_MORE; i++) {
		ck_assert_int_eq(m->reads[i], 1);
		close(m->fd[i][0]);
		close(m->fd[i][1]);
	}
	free(m);
	sy_sim_free(sim);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *t = tcase_create("core");

	tcase_add_test(t, order_and_ties);
	tcase_add_test(t, same_time_from_callback);
	tcase_add_test(t, past_and_negative_refused);
	tcase_add_test(t, cancel_semantics);
	tcase_add_test(t, cancel_from_callback);
	tcase_add_test(t, mass_cancel);
	tcase_add_test(t, run_until);
	tcase_add_test(t, stop_and_resume);
	tcase_add_test(t, long_chain);
	tcase_add_test(t, streams_follow_seed);
	suite_add_tcase(s, t);
	t = tcase_create("realtime");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, realtime_follows_wall_clock);
	tcase_add_test(t, realtime_watch);
	tcase_add_test(t, realtime_many_watches);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(sim_suite());
}
