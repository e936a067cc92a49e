/* NewReno: the standard TCP congestion control, RFC 5681 (slow start and
 * congestion avoidance) with the loss response of RFC 6582.
 *
 * All windows are in bytes.  On each ACK of `acked` new bytes (outside
 * loss recovery, see cc.h):
 *
 *   slow start (cwnd < ssthresh), RFC 5681 3.1:
 *	cwnd += min(acked, L)
 *     with L = abc_limit * SMSS.  RFC 5681 allows L = 1 SMSS (the default
 *     here); RFC 3465 2.2 allows L = 2 SMSS experimentally, which lets a
 *     receiver that delays its ACKs still double cwnd per RTT.  A step
 *     that starts below ssthresh is taken whole, so cwnd may end above
 *     ssthresh by less than one step; the next ACK is in congestion
 *     avoidance.
 *
 *   congestion avoidance (cwnd >= ssthresh), RFC 5681 3.1 with the byte
 *   counting of RFC 3465 2.1: instead of adding SMSS*SMSS/cwnd per ACK
 *   and losing the fractions, acknowledged bytes are summed in
 *   bytes_acked; once bytes_acked reaches cwnd it is reduced by cwnd and
 *   cwnd grows by one SMSS.  So cwnd grows by exactly one SMSS per cwnd of
 *   bytes acknowledged, whatever the sizes of the ACKs, and by at most one
 *   SMSS per ACK (what is left over counts towards the next SMSS).
 *
 * On a congestion signal, RFC 5681 equation (4) (section 3.1 for a
 * timeout, 3.2 for fast retransmit, as RFC 6582 3.2 keeps it):
 *	ssthresh = max(FlightSize / 2, 2 * SMSS)
 * then, for a loss found by duplicate ACKs or SACK, cwnd = ssthresh: the
 * endpoint runs fast recovery by RFC 6675's pipe, so the window is not
 * inflated by three segments nor by each duplicate ACK as RFC 6582 does;
 * and for a retransmission timeout, cwnd = 1 SMSS (the loss window, RFC
 * 5681 3.1).  When recovery ends cwnd = ssthresh (the second of the two
 * choices RFC 6582 3.2 gives on a full acknowledgment).
 *
 * After an idle period longer than the RTO, RFC 5681 4.1:
 *	cwnd = min(cwnd, RW)
 * with RW the restart window the endpoint gives (its initial window);
 * ssthresh is left as it is.
 *
 * An ECN-Echo is answered as a loss found by duplicate ACKs (RFC 3168
 * 6.1.2); a timeout found spurious is undone (cwnd and ssthresh back to
 * at least what they were before it).  Duplicate and partial ACKs change
 * nothing: the endpoint's recovery sends by pipe.
 *
 * The rules are the library's (cc.h: sy_cc_slow_start, ...), which other
 * plugins reuse.  The initial window and ssthresh ("infinity") are the
 * endpoint's. */
#include <stddef.h>
#include <stdint.h>

#include "cc.h"
#include "plugin.h"

struct newreno {
	int64_t abc_limit;  /* parameter: L in slow start, in SMSS; 1 or 2 */
};

/* Per connection (zeroed by the endpoint). */
struct newreno_conn {
	/* Congestion avoidance: bytes acknowledged towards the next SMSS. */
	uint64_t bytes_acked;
};

static void newreno_init(const void *st, sy_cc_conn *cc)
{
	struct newreno_conn *c = cc->priv;

	c->bytes_acked = 0;
}

static void newreno_ack(const void *st, sy_cc_conn *cc, const sy_cc_ack *a)
{
	const struct newreno *g = st;
	struct newreno_conn *c = cc->priv;

	if (a->type != SY_CC_ACK_NEW || a->acked == 0)
		return;
	if (cc->cwnd < cc->ssthresh) {
		sy_cc_slow_start(cc, a->acked, (uint32_t)g->abc_limit);
		c->bytes_acked = 0;
		return;
	}
	sy_cc_congestion_avoidance(cc, &c->bytes_acked, a->acked);
}

static void newreno_congestion(const void *st, sy_cc_conn *cc,
			       sy_cc_signal sig)
{
	struct newreno_conn *c = cc->priv;

	sy_cc_newreno_congestion(cc, sig);
	c->bytes_acked = 0;
}

static void newreno_recovery_exit(const void *st, sy_cc_conn *cc)
{
	struct newreno_conn *c = cc->priv;

	sy_cc_recovery_exit(cc);
	c->bytes_acked = 0;
}

static void newreno_idle_restart(const void *st, sy_cc_conn *cc,
				 uint32_t restart_window)
{
	struct newreno_conn *c = cc->priv;

	sy_cc_idle_restart(cc, restart_window);
	c->bytes_acked = 0;
}

static const sy_cc_ops ops = {
	SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops),
	.conn_size = sizeof(struct newreno_conn),
	.init = newreno_init,
	.destroy = NULL,
	.ack = newreno_ack,
	.congestion = newreno_congestion,
	.recovery_exit = newreno_recovery_exit,
	.idle_restart = newreno_idle_restart,
};

static const sy_param params[] = {
	{ .name = "abc_limit", .type = SY_PT_INT,
	  .offset = offsetof(struct newreno, abc_limit),
	  .def = "1", .min = "1", .max = "2",
	  .doc = "slow start: most segments one ACK may add to cwnd "
		 "(RFC 3465's L; RFC 5681 says 1)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "cc",
	.name = "newreno",
	.summary = "NewReno (RFC 5681, RFC 6582)",
	.state_size = sizeof(struct newreno),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
