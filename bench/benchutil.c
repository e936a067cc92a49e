#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

const char *bench_prog = "bench";

_Noreturn void bench_die(const char *what, const sy_err *err)
{
	fprintf(stderr, "%s: %s: %s\n", bench_prog, what, err->msg);
	exit(1);
}

double bench_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sy_instance bench_plugin(const char *kind, const char *name)
{
	sy_instance in;
	sy_err err;
	const sy_plugin *p = sy_plugin_load(kind, name, &err);

	if (!p || sy_instance_new(&in, p, &err) < 0)
		bench_die(name, &err);
	return in;
}

void bench_set_int(sy_instance *in, const char *key, int64_t v)
{
	sy_value x = { .type = SY_V_INT, .u.i = v };
	sy_err err;

	if (sy_instance_set(in, key, &x, "bench", &err) < 0)
		bench_die(key, &err);
}

sy_link *bench_link(sy_net *net, sy_node *a, sy_node *b, int64_t rate,
		    sy_time delay, long limit)
{
	sy_link_opts o;
	sy_link *l;
	sy_err err;

	memset(&o, 0, sizeof o);
	for (int d = 0; d < 2; d++) {
		o.dir[d] = (sy_dir_opts){ .rate = rate, .delay = delay, .mtu = 1500,
					  .queue = bench_plugin("queue", "droptail") };
		if (limit > 0)
			bench_set_int(&o.dir[d].queue, "limit", limit);
	}
	if (!(l = sy_net_link(net, a, b, &o, &err)))
		bench_die("link", &err);
	return l;
}
