/* NewReno's rules as library functions (cc.h), shared by the
 * congestion-control plugins. */
#include "config.h"

#include "cc.h"

static uint32_t add_sat(uint32_t a, uint64_t b)
{
	uint64_t s = (uint64_t)a + b;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

void sy_cc_slow_start(sy_cc_conn *cc, uint32_t acked, uint32_t limit_segments)
{
	uint64_t limit = (uint64_t)limit_segments * cc->mss;

	cc->cwnd = add_sat(cc->cwnd, acked < limit ? acked : limit);
}

void sy_cc_congestion_avoidance(sy_cc_conn *cc, uint64_t *counter,
				uint32_t acked)
{
	*counter += acked;
	if (*counter >= cc->cwnd) {
		*counter -= cc->cwnd;
		cc->cwnd = add_sat(cc->cwnd, cc->mss);
	}
}

void sy_cc_newreno_congestion(sy_cc_conn *cc, sy_cc_signal sig)
{
	uint64_t least = 2 * (uint64_t)cc->mss;
	uint32_t half = cc->flight / 2;

	if (sig == SY_CC_RTO_SPURIOUS) {
		sy_cc_undo(cc);
		return;
	}
	cc->ssthresh = half > least ? half : (uint32_t)least;
	cc->cwnd = sig == SY_CC_RTO ? cc->mss : cc->ssthresh;
}

void sy_cc_undo(sy_cc_conn *cc)
{
	if (cc->cwnd < cc->prior_cwnd)
		cc->cwnd = cc->prior_cwnd;
	if (cc->ssthresh < cc->prior_ssthresh)
		cc->ssthresh = cc->prior_ssthresh;
}

void sy_cc_recovery_exit(sy_cc_conn *cc)
{
	cc->cwnd = cc->ssthresh;
}

void sy_cc_idle_restart(sy_cc_conn *cc, uint32_t restart_window)
{
	if (cc->cwnd > restart_window)
		cc->cwnd = restart_window;
}

void sy_cc_idle_restart_linux(sy_cc_conn *cc, uint32_t restart_window)
{
	uint32_t cwnd = cc->cwnd, least;
	uint32_t three_q = cwnd / 2 + cwnd / 4;
	sy_time left = cc->idle;

	least = cwnd < restart_window ? cwnd : restart_window;
	if (!cc->in_recovery && cc->ssthresh < three_q)
		cc->ssthresh = three_q;
	if (cc->rto > 0)
		while ((left -= cc->rto) > 0 && cwnd > least)
			cwnd /= 2;
	cc->cwnd = cwnd > least ? cwnd : least;
}
