/* Helpers shared by the benchmarks. */
#ifndef SY_BENCHUTIL_H
#define SY_BENCHUTIL_H

#include <stdint.h>

#include "errors.h"
#include "net.h"
#include "plugin.h"

/* The program's name in messages (set by main). */
extern const char *bench_prog;

/* Prints "PROG: WHAT: MESSAGE" and exits with status 1. */
_Noreturn void bench_die(const char *what, const sy_err *err);
/* Monotonic wall-clock time, seconds. */
double bench_wall(void);
/* An instance of KIND/NAME with its defaults (not initialized). */
sy_instance bench_plugin(const char *kind, const char *name);
void bench_set_int(sy_instance *in, const char *key, int64_t v);
/* A duplex link of `rate` and `delay` both ways, MTU 1500, droptail
 * queues of `limit` packets (0: the plugin's default). */
sy_link *bench_link(sy_net *net, sy_node *a, sy_node *b, int64_t rate,
		    sy_time delay, long limit);

#endif
