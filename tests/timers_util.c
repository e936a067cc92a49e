#include "config.h"

/* The harness of the timer-profile tests (timers_util.h). */

#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "timers_util.h"

/* Every setting must be accepted; init may refuse. */
static int instance(sy_instance *in, const char *name,
		    const struct sy_test_setting *set, sy_err *err)
{
	ck_assert_msg(sy_test_configure(in, "timers", name, set, err) == 0,
		      "%s", err->msg);
	return sy_instance_init(in, NULL, err);
}

void prof_open(struct prof *t, const char *name,
	       const struct sy_test_setting *set)
{
	sy_err err;

	ck_assert_msg(instance(&t->in, name, set, &err) == 0, "%s", err.msg);
	t->ops = t->in.plugin->ops;
	t->st = t->in.state;
	ck_assert_ptr_nonnull(t->ops);
	ck_assert_ptr_nonnull(t->ops->limits);
	ck_assert_ptr_nonnull(t->ops->rtt_init);
	ck_assert_ptr_nonnull(t->ops->rtt_sample);
	ck_assert_ptr_nonnull(t->ops->rtt_backoff);
	ck_assert_ptr_nonnull(t->ops->rto);
	t->lim = t->ops->limits(t->st);
	ck_assert_ptr_nonnull(t->lim);
}

void prof_close(struct prof *t)
{
	sy_instance_free(&t->in);
}

void init_fails(const char *name, const struct sy_test_setting *set,
		const char *a, const char *b)
{
	sy_instance in;
	sy_err err;
	char id[64];

	ck_assert_msg(instance(&in, name, set, &err) == -1,
		      "timers/%s accepted %s=%s", name, set->key, set->val);
	snprintf(id, sizeof id, "timers/%s", name);
	ck_assert_msg(strstr(err.msg, id), "no '%s' in: %s", id, err.msg);
	ck_assert_msg(strstr(err.msg, a), "no '%s' in: %s", a, err.msg);
	ck_assert_msg(strstr(err.msg, b), "no '%s' in: %s", b, err.msg);
	sy_instance_free(&in);
}

sy_time give_up_time(const struct prof *t, int n)
{
	sy_time sum = 0;
	sy_rtt r;

	t->ops->rtt_init(t->st, &r);
	for (int i = 0; i <= n; i++) {
		sum += rto(t, &r);
		t->ops->rtt_backoff(t->st, &r);
	}
	return sum;
}
