/* Helpers shared by the Check test programs. */
#ifndef SY_TESTUTIL_H
#define SY_TESTUTIL_H

#include <check.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcp.h"

/* A parameter as a user would write it. */
struct sy_test_setting {
	const char *key;
	const char *val;
};

/* Loads KIND/NAME (failing the test if it is missing or declares itself
 * otherwise), creates an instance and applies the settings, which end at
 * a NULL key (set may be NULL).  Returns 0, or -1 with the message of the
 * first setting refused.  The instance is not initialized. */
int sy_test_configure(sy_instance *in, const char *kind, const char *name,
		      const struct sy_test_setting *set, sy_err *err);

/* Loads KIND/NAME and checks that it describes itself: this ABI, its
 * kind and name, a one-line summary, an operations table, and every
 * parameter documented and defaulted.  Returns the descriptor. */
const sy_plugin *sy_test_descriptor(const char *kind, const char *name);

/* The usual TCP fixture: a simulator (heap scheduler, seed 1) with a
 * network of two nodes "a" and "b" joined by a 10 Mbit/s, 1 ms duplex
 * link, and a TCP endpoint with the defaults on each.  Free with
 * sy_sim_free and then sy_net_free. */
void sy_test_tcp_pair(sy_sim **sim, sy_net **net, sy_node **a, sy_node **b,
		      sy_tcp_ep **ea, sy_tcp_ep **eb);

/* Runs the suite, unloads the plugins, and returns main's exit status. */
int sy_test_main(Suite *s);

#endif
