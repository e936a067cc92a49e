/* Helpers shared by the scheduler tests (check_sched, check_sched_sim,
 * check_sched_limits): the scheduler configurations every loop test runs
 * over. */
#ifndef SY_SCHED_UTIL_H
#define SY_SCHED_UTIL_H

#include <check.h>

#include "param.h"
#include "plugin.h"

/* Check records the place of every passing ck_assert (a write to its
 * channel each time), which in the loops of these tests would cost more
 * than the schedulers; MUST says nothing unless it fails. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

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

/* The configurations, described in sched_util.c; their number is checked
 * there. */
#define NCONFS 9
extern const struct conf confs[NCONFS];

/* Loads configuration i's plugin and applies its settings to a new
 * instance, which is not initialized. */
void conf_instance(int i, sy_instance *in);

#endif
