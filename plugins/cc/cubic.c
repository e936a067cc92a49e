/* CUBIC, RFC 9438.
 *
 * cwnd and ssthresh are in bytes, as everywhere in the endpoint; the cubic
 * function is evaluated in segments (W, in units of SMSS) with time in
 * seconds, as the RFC writes it.
 *
 * Slow start (cwnd < ssthresh) is RFC 5681's, as in newreno: cwnd +=
 * min(acked, SMSS) per ACK (RFC 9438 4.10; HyStart++ is not implemented).
 * An ECN-Echo is a congestion event as a loss is (4.6); a timeout found
 * spurious restores cwnd, ssthresh, W_max and cwnd_prior as they were
 * before it (4.9).
 *
 * Congestion avoidance runs in epochs.  An epoch starts at the first ACK
 * in congestion avoidance after a congestion event, an idle restart, or
 * the start of the connection, and records (4.2):
 *
 *	t_epoch = now,  cwnd_epoch = cwnd,  W_est = cwnd_epoch
 *	K = cbrt((W_max - cwnd_epoch) / C)       if cwnd_epoch < W_max
 *	K = 0 and W_max = cwnd_epoch             otherwise
 *
 * (Figure 2 of RFC 9438 uses cwnd_epoch; after a fast retransmit cwnd_epoch
 * = beta * W_max and K is RFC 8312's cbrt(W_max (1 - beta) / C).)  The
 * first epoch after a retransmission timeout takes K = 0 and W_max =
 * cwnd_epoch whatever W_max was (4.8): the window grows convexly from where
 * slow start left it.  On each ACK of `acked` bytes in the epoch, with t
 * the time since t_epoch and RTT the smoothed RTT (else the smallest
 * sample, else 100 ms):
 *
 *	W_cubic(t) = C (t - K)^3 + W_max                              (4.2)
 *	target     = W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd]
 *	cwnd      += (target - cwnd) / cwnd  segments per segment acked
 *
 * that is, (target - cwnd) / cwnd * acked bytes: the concave region below
 * W_max and the convex one above it (4.4, 4.5) are the same rule.  The
 * increments are real numbers of bytes; their fractions are kept in a
 * per-connection credit and added to cwnd once they make whole bytes, so
 * that no growth is lost to rounding however small the steps.
 *
 * With tcp_friendliness, the Reno-friendly region (4.3): W_est, the window
 * Reno would have, grows by
 *
 *	W_est += alpha_cubic * segments_acked / cwnd,
 *	alpha_cubic = 3 (1 - beta) / (1 + beta)
 *
 * with alpha_cubic = 1 once W_est has reached cwnd_prior (the cwnd just
 * before the last reduction; 0 before the first, so 1 until then).  When
 * W_cubic(t) < W_est, cwnd is set to W_est if that is larger: RFC 9438
 * sets cwnd = W_est there; cwnd is never lowered on an ACK, so when it is
 * already above W_est the cubic rule above goes on.
 *
 * On a congestion signal, fast convergence (4.7), with cwnd in segments:
 *
 *	W_max = cwnd (1 + beta) / 2   if fast_convergence and cwnd < W_max
 *	W_max = cwnd                  otherwise
 *	cwnd_prior = cwnd
 *
 * then multiplicative decrease (4.6):
 *
 *	ssthresh = max(cwnd * beta, 2 SMSS)
 *
 * Figure 5 of RFC 9438 writes flight_size * beta; the RFC allows cwnd
 * instead (as Linux does), and this plugin uses cwnd.  Unlike flight_size
 * it does not shrink when the sender was application-limited; RFC 9438
 * then asks for other means (RFC 7661) to keep cwnd from growing while
 * the flight stays below it, which this plugin does not have.  A loss
 * found by duplicate ACKs or SACK sets cwnd = ssthresh (the endpoint
 * recovers by pipe, without inflation); a retransmission timeout sets cwnd
 * = 1 SMSS (4.8, following RFC 5681).  Either ends the epoch.  When fast
 * recovery ends, cwnd = ssthresh.
 *
 * After an idle period longer than the RTO, cwnd = min(cwnd, restart
 * window) (RFC 5681 4.1) and the epoch ends: the next ACK in congestion
 * avoidance starts a new one from the current cwnd and W_max.  (Linux
 * instead moves t_epoch forward by the idle time, keeping the curve where
 * it was.)
 *
 * The cube root is computed here (Newton's method) so that the module
 * does not depend on libm. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cc.h"
#include "plugin.h"

/* The RTT used for the target before the connection has any sample. */
#define CUBIC_DEFAULT_RTT (100 * SY_MS)

struct cubic {
	/* parameters */
	double c;
	double beta;
	bool fast_convergence;
	bool tcp_friendliness;
};

/* Per connection (zeroed by the endpoint).  Windows in segments. */
struct cubic_conn {
	double w_max;       /* cwnd at the last loss (4.7 may lower it) */
	double cwnd_prior;  /* cwnd just before the last reduction */
	double k;           /* s: time from t_epoch to the plateau at W_max */
	double w_est;       /* Reno-friendly estimate (4.3) */
	double credit;      /* bytes of growth earned and not yet in cwnd */
	sy_time t_epoch;
	bool in_epoch;
	bool after_rto;     /* the next epoch is the first after a timeout */
	double prior_w_max, prior_cwnd_prior; /* before the latest reduction */
};

/* Cube root of x (0 for x <= 0 or NaN), by Newton's method after
 * scaling x into [1/8, 8) by powers of 8, where 1 is a good start. */
static double cube_root(double x)
{
	double scale = 1, y = 1;

	if (!(x > 0) || x - x != 0)  /* zero, negative, NaN or infinite */
		return x > 0 ? x : 0;
	while (x >= 8) {
		x /= 8;
		scale *= 2;
	}
	while (x < 0.125) {
		x *= 8;
		scale /= 2;
	}
	for (int i = 0; i < 50; i++) {
		double next = y - (y * y * y - x) / (3 * y * y);

		if (next == y)
			break;
		y = next;
	}
	return y * scale;
}

static uint32_t to_bytes(double b)
{
	if (!(b > 0))
		return 0;
	if (b >= (double)UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)b;
}

static double seconds(sy_time t)
{
	return (double)t / (double)SY_SEC;
}

/* W_cubic(t), in segments. */
static double w_cubic(const struct cubic *g, const struct cubic_conn *c,
		      double t)
{
	double d = t - c->k;

	return g->c * d * d * d + c->w_max;
}

static void cubic_init(const void *st, sy_cc_conn *cc)
{
	struct cubic_conn *c = cc->priv;

	c->w_max = 0;
	c->cwnd_prior = 0;
	c->k = 0;
	c->w_est = 0;
	c->credit = 0;
	c->t_epoch = 0;
	c->in_epoch = false;
	c->after_rto = false;
	c->prior_w_max = 0;
	c->prior_cwnd_prior = 0;
}

static void epoch_start(const struct cubic *g, struct cubic_conn *c,
			const sy_cc_conn *cc, double w)
{
	c->t_epoch = cc->now;
	c->w_est = w;
	c->credit = 0;
	if (w < c->w_max && !c->after_rto) {
		c->k = cube_root((c->w_max - w) / g->c);
	} else {
		c->k = 0;
		c->w_max = w;
	}
	c->after_rto = false;
	c->in_epoch = true;
}

static void cubic_ack(const void *st, sy_cc_conn *cc, const sy_cc_ack *a)
{
	const struct cubic *g = st;
	struct cubic_conn *c = cc->priv;
	uint32_t acked = a->acked;
	double mss = cc->mss, w, t, target;
	sy_time r;

	if (a->type != SY_CC_ACK_NEW || acked == 0 || cc->mss == 0)
		return;
	if (cc->cwnd < cc->ssthresh) {
		sy_cc_slow_start(cc, acked, 1);
		return;
	}

	w = (double)(cc->cwnd > 0 ? cc->cwnd : 1) / mss;
	if (!c->in_epoch)
		epoch_start(g, c, cc, w);
	t = cc->now > c->t_epoch ? seconds(cc->now - c->t_epoch) : 0;
	r = cc->srtt > 0 ? cc->srtt : cc->min_rtt > 0 ? cc->min_rtt :
	    CUBIC_DEFAULT_RTT;

	/* Concave and convex regions (4.4, 4.5). */
	target = w_cubic(g, c, t + seconds(r));
	if (target < w)
		target = w;
	if (target > 1.5 * w)
		target = 1.5 * w;
	c->credit += (target - w) / w * (double)acked;
	if (c->credit >= 1) {
		double whole = (double)(uint64_t)c->credit;

		if (whole > (double)UINT32_MAX)
			whole = (double)UINT32_MAX;
		cc->cwnd = to_bytes((double)cc->cwnd + whole);
		c->credit -= whole;
	}

	/* Reno-friendly region (4.3). */
	if (g->tcp_friendliness) {
		double alpha = c->w_est >= c->cwnd_prior ? 1 :
			       3 * (1 - g->beta) / (1 + g->beta);

		c->w_est += alpha * ((double)acked / mss) / w;
		if (w_cubic(g, c, t) < c->w_est &&
		    c->w_est * mss > (double)cc->cwnd) {
			cc->cwnd = to_bytes(c->w_est * mss);
			c->credit = 0;
		}
	}
}

static void cubic_congestion(const void *st, sy_cc_conn *cc,
			     sy_cc_signal sig)
{
	const struct cubic *g = st;
	struct cubic_conn *c = cc->priv;
	double w = cc->mss ? (double)cc->cwnd / (double)cc->mss : 0;
	uint64_t least = 2 * (uint64_t)cc->mss;
	uint32_t ss;

	if (sig == SY_CC_RTO_SPURIOUS) {
		/* 4.9: the state before the reduction comes back */
		sy_cc_undo(cc);
		c->w_max = c->prior_w_max;
		c->cwnd_prior = c->prior_cwnd_prior;
		c->in_epoch = false;
		c->credit = 0;
		c->after_rto = false;
		return;
	}
	c->prior_w_max = c->w_max;
	c->prior_cwnd_prior = c->cwnd_prior;
	/* Fast convergence (4.7). */
	if (g->fast_convergence && w < c->w_max)
		c->w_max = w * (1 + g->beta) / 2;
	else
		c->w_max = w;
	c->cwnd_prior = w;

	/* Multiplicative decrease (4.6), from cwnd. */
	ss = to_bytes((double)cc->cwnd * g->beta);
	cc->ssthresh = ss > least ? ss : (uint32_t)least;
	cc->cwnd = sig == SY_CC_RTO ? cc->mss : cc->ssthresh;

	c->in_epoch = false;
	c->credit = 0;
	c->after_rto = sig == SY_CC_RTO;
}

static void cubic_recovery_exit(const void *st, sy_cc_conn *cc)
{
	struct cubic_conn *c = cc->priv;

	sy_cc_recovery_exit(cc);
	c->credit = 0;
}

static void cubic_idle_restart(const void *st, sy_cc_conn *cc,
			       uint32_t restart_window)
{
	struct cubic_conn *c = cc->priv;

	sy_cc_idle_restart(cc, restart_window);
	c->in_epoch = false;
	c->credit = 0;
}

static const sy_cc_ops ops = {
	SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops),
	.conn_size = sizeof(struct cubic_conn),
	.init = cubic_init,
	.destroy = NULL,
	.ack = cubic_ack,
	.congestion = cubic_congestion,
	.recovery_exit = cubic_recovery_exit,
	.idle_restart = cubic_idle_restart,
};

static const sy_param params[] = {
	{ .name = "c", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct cubic, c),
	  .def = "0.4", .min = "0.001", .max = "100",
	  .doc = "C: aggressiveness of the cubic function, in segments/s^3" },
	{ .name = "beta", .type = SY_PT_FLOAT,
	  .offset = offsetof(struct cubic, beta),
	  .def = "0.7", .min = "0.01", .max = "0.99",
	  .doc = "multiplicative decrease factor: ssthresh = beta * cwnd "
		 "on a loss" },
	{ .name = "fast_convergence", .type = SY_PT_BOOL,
	  .offset = offsetof(struct cubic, fast_convergence),
	  .def = "true",
	  .doc = "lower W_max when a loss comes below the previous W_max "
		 "(RFC 9438 4.7)" },
	{ .name = "tcp_friendliness", .type = SY_PT_BOOL,
	  .offset = offsetof(struct cubic, tcp_friendliness),
	  .def = "true",
	  .doc = "grow at least as fast as Reno would (the Reno-friendly "
		 "region, RFC 9438 4.3)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "cc",
	.name = "cubic",
	.summary = "CUBIC (RFC 9438)",
	.state_size = sizeof(struct cubic),
	.params = params,
	.init = NULL,
	.fini = NULL,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
