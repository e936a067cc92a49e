/* cc/aimd: additive increase, multiplicative decrease, without slow start.
 *
 * All windows are in bytes; SMSS is cc->mss.
 *
 *   a new connection:  cwnd = initial * SMSS
 *   each ACK of `acked` new bytes: the bytes are counted, and each time
 *                      they reach cwnd, cwnd is subtracted from the count
 *                      and cwnd grows by increase * SMSS (so cwnd grows by
 *                      `increase` segments per window of data
 *                      acknowledged, whatever the sizes of the ACKs);
 *   a loss found by duplicate ACKs or SACK:
 *                      cwnd = ssthresh = max(decrease * cwnd, min * SMSS),
 *                      rounded down to whole segments;
 *   a retransmission timeout: ssthresh as above, cwnd = min * SMSS;
 *   the end of fast recovery: cwnd = ssthresh;
 *   a restart after idle: cwnd = min(cwnd, the restart window).
 *
 * Parameters: initial (segments, default 2), increase (segments, default
 * 1), decrease (factor, default 0.5), min (segments, default 2). */
#include <stddef.h>
#include <stdint.h>

#include "cc.h"
#include "plugin.h"

/* Per instance (shared by the connections of an endpoint): parameters. */
struct aimd {
	int64_t initial;
	int64_t increase;
	double decrease;
	int64_t min;
};

/* Per connection: ops.conn_size bytes, zeroed by the endpoint. */
struct aimd_conn {
	uint64_t counted;   /* bytes acknowledged towards the next increase */
};

static int aimd_init(void *st, struct sy_sim *sim, sy_err *err)
{
	const struct aimd *g = st;

	if (g->initial < g->min)
		return sy_err_set(err, "cc/aimd: initial (%lld segments) is below min (%lld)",
				  (long long)g->initial, (long long)g->min);
	return 0;
}

static uint32_t segments(uint64_t n, uint32_t mss)
{
	uint64_t b = n * mss;

	return b > UINT32_MAX ? UINT32_MAX / mss * mss : (uint32_t)b;
}

static void aimd_conn_init(const void *st, sy_cc_conn *cc)
{
	const struct aimd *g = st;

	cc->cwnd = segments((uint64_t)g->initial, cc->mss);
}

static void aimd_ack(const void *st, sy_cc_conn *cc, const sy_cc_ack *a)
{
	const struct aimd *g = st;
	struct aimd_conn *c = cc->priv;
	uint32_t step = segments((uint64_t)g->increase, cc->mss);

	/* duplicate and partial ACKs change nothing: the endpoint's
	 * recovery sends by its estimate of the bytes in flight */
	if (a->type != SY_CC_ACK_NEW)
		return;
	c->counted += a->acked;
	while (c->counted >= cc->cwnd && cc->cwnd > 0) {
		c->counted -= cc->cwnd;
		cc->cwnd = (uint64_t)cc->cwnd + step > UINT32_MAX ?
			UINT32_MAX : cc->cwnd + step;
		if (cc->cwnd == UINT32_MAX)
			break;
	}
}

static void aimd_congestion(const void *st, sy_cc_conn *cc, sy_cc_signal sig)
{
	const struct aimd *g = st;
	uint32_t low = segments((uint64_t)g->min, cc->mss);
	uint32_t w = (uint32_t)(g->decrease * cc->cwnd) / cc->mss * cc->mss;

	if (sig == SY_CC_RTO_SPURIOUS) {
		sy_cc_undo(cc);  /* libsynack's: back to before the timeout */
		return;
	}
	cc->ssthresh = w > low ? w : low;
	cc->cwnd = sig == SY_CC_RTO ? low : cc->ssthresh;
	((struct aimd_conn *)cc->priv)->counted = 0;
}

static void aimd_recovery_exit(const void *st, sy_cc_conn *cc)
{
	sy_cc_recovery_exit(cc);
}

static void aimd_idle_restart(const void *st, sy_cc_conn *cc,
			      uint32_t restart_window)
{
	sy_cc_idle_restart(cc, restart_window);
}

static const sy_cc_ops ops = {
	SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops),
	.conn_size = sizeof(struct aimd_conn),
	.init = aimd_conn_init,
	.ack = aimd_ack,
	.congestion = aimd_congestion,
	.recovery_exit = aimd_recovery_exit,
	.idle_restart = aimd_idle_restart,
};

static const sy_param params[] = {
	{ .name = "initial", .type = SY_PT_INT,
	  .offset = offsetof(struct aimd, initial),
	  .def = "2", .min = "1", .max = "10000",
	  .doc = "initial window, in segments" },
	{ .name = "increase", .type = SY_PT_INT,
	  .offset = offsetof(struct aimd, increase),
	  .def = "1", .min = "1", .max = "100",
	  .doc = "segments added per window of data acknowledged" },
	{ .name = "decrease", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct aimd, decrease),
	  .def = "0.5", .min = "0.05", .max = "0.95",
	  .doc = "factor applied to cwnd on a loss" },
	{ .name = "min", .type = SY_PT_INT,
	  .offset = offsetof(struct aimd, min),
	  .def = "2", .min = "1", .max = "10000",
	  .doc = "smallest window after a loss, in segments" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "cc",
	.name = "aimd",
	.summary = "additive increase, multiplicative decrease (example plugin)",
	.state_size = sizeof(struct aimd),
	.params = params,
	.init = aimd_init,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
