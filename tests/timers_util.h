/* The harness of the timer-profile tests (check_timers, check_timers_rtt):
 * a profile loaded, configured and initialized as an instance of its own,
 * driven through its ops. */
#ifndef SY_TEST_TIMERS_UTIL_H
#define SY_TEST_TIMERS_UTIL_H

#include <check.h>

#include "plugin.h"
#include "timers.h"
#include "vtime.h"
#include "testutil.h"

#define MS SY_MS
#define SEC SY_SEC

/* A failing check only, for loops. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

struct prof {
	sy_instance in;
	const sy_timers_ops *ops;
	const void *st;
	const sy_timer_limits *lim;
};

/* Loads, configures (set ends at a NULL key; may be NULL) and inits. */
void prof_open(struct prof *t, const char *name,
	       const struct sy_test_setting *set);
void prof_close(struct prof *t);
/* The init error of a configuration that must be refused; its message
 * must name the profile and the parameters a and b. */
void init_fails(const char *name, const struct sy_test_setting *set,
		const char *a, const char *b);
/* Sum of the timeouts of a connection that retries n times from a fresh
 * estimator and then gives up: n + 1 RTOs, backing off after each. */
sy_time give_up_time(const struct prof *t, int n);

static inline void sample(const struct prof *t, sy_rtt *r, sy_time rtt)
{
	t->ops->rtt_sample(t->st, r, rtt);
}

static inline sy_time rto(const struct prof *t, const sy_rtt *r)
{
	return t->ops->rto(t->st, r);
}

#endif
