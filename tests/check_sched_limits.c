#include "config.h"

/* The limits of the scheduler plugins: every size parameter has a maximum
 * that can be allocated; a size in range whose allocation fails makes init
 * say so; and a simulator whose scheduler runs out of memory inserting
 * says so, keeps every event it accepted and runs them all in order.  The
 * last is a loop test over the configurations of sched_util.c. */

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
#include "sim.h"
#include "vtime.h"
#include "sched_util.h"
#include "testutil.h"

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

static Suite *sched_limits_suite(void)
{
	Suite *s = suite_create("sched_limits");
	TCase *lim = tcase_create("limits");

	/* Generous: the sanitizer build is several times slower. */
	tcase_set_timeout(lim, 120);
	tcase_add_test(lim, calendar_buckets_power_of_two);
	tcase_add_test(lim, size_params_have_maxima);
#ifndef NO_RLIMIT_AS
	tcase_add_loop_test(lim, init_allocation_failure, 0, 2);
	tcase_add_loop_test(lim, insert_allocation_failure, 0, NCONFS);
#endif
	suite_add_tcase(s, lim);
	return s;
}

int main(void)
{
	return sy_test_main(sched_limits_suite());
}
