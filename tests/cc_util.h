/* The harness of the congestion-control tests (check_cc, check_cubic):
 * one connection of a cc plugin instance of its own, driven through its
 * ops as the endpoint would, and an ACK clock at a fixed RTT. */
#ifndef SY_TEST_CC_UTIL_H
#define SY_TEST_CC_UTIL_H

#include <check.h>
#include <stdint.h>

#include "cc.h"
#include "plugin.h"
#include "testutil.h"

/* A failing check only, for loops. */
#define MUST(cond, ...)                                                 \
	do {                                                            \
		if (!(cond))                                            \
			ck_abort_msg(__VA_ARGS__);                      \
	} while (0)

#define MSS 1000u
#define INF UINT32_MAX

/* One connection of a plugin instance of its own, and the state of the
 * ACK clock (clock_until). */
struct conn {
	sy_instance in;
	const sy_cc_ops *ops;
	const void *st;
	sy_cc_conn cc;
	uint32_t left;   /* ACKs left in the current round */
	sy_time step;    /* time between two ACKs of the round */
};

/* Loads and configures (set ends at a NULL key; may be NULL), then opens
 * a connection with initial window iw and the given mss. */
void conn_open(struct conn *k, const char *name,
	       const struct sy_test_setting *set, uint32_t mss, uint32_t iw);
/* The same under the named timer profile (sy_cc_conn.timers; conn_open's
 * is "rfc"). */
void conn_open_profile(struct conn *k, const char *name,
		       const struct sy_test_setting *set, uint32_t mss,
		       uint32_t iw, const char *timers);
void conn_close(struct conn *k);
/* An ACK of new data outside recovery, without an RTT sample. */
void ack(struct conn *k, uint32_t bytes);
/* An ACK of the given type. */
void ack_typed(struct conn *k, sy_cc_ack_type type, uint32_t bytes);
/* A signal at this flight size; before a reduction, the prior window is
 * kept as the endpoint keeps it. */
void congestion(struct conn *k, uint32_t flight, sy_cc_signal sig);
void recovery_exit(struct conn *k);
void idle_restart(struct conn *k, uint32_t rw);
/* ACK clocking at a fixed RTT: a round delivers as many one-segment ACKs
 * as cwnd held segments when it began, spread evenly over the RTT.  Runs
 * until now reaches `until`, possibly in the middle of a round. */
void clock_until(struct conn *k, sy_time rtt, sy_time until);
/* A configuration that must be refused, when set or at init. */
void refused(const char *name, const char *key, const char *val);
double segs(const struct conn *k);

#endif
