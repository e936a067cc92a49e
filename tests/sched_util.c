#include "config.h"

/* The scheduler configurations of the scheduler tests: the plugins with
 * their defaults, and configurations that push a plugin onto its rarer
 * paths (a binary heap; calendars with a fixed, far too short year, which
 * exercise the wrap-around, the overflow and the direct search, one of
 * them with days of 1 ns so that the last day is INT64_MAX itself; a
 * calendar started with a width far too wide, which must re-estimate it;
 * ladders with tiny thresholds, so that buckets and the bottom list spill
 * into new rungs all the time, one allowed a single rung (every spill is
 * refused and sorted instead) and one allowed 64). */

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "param.h"
#include "plugin.h"
#include "sched_util.h"

const struct conf confs[] = {
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

_Static_assert(sizeof confs / sizeof confs[0] == NCONFS,
	       "NCONFS in sched_util.h counts the configurations");

void conf_instance(int i, sy_instance *in)
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

