/* CUBIC, RFC 9438.
 *
 * cwnd and ssthresh are in bytes, as everywhere in the endpoint; the cubic
 * function is evaluated in segments (W, in units of SMSS) with time in
 * seconds, as the RFC writes it.
 *
 * Slow start (cwnd < ssthresh) is RFC 5681's, as in newreno: cwnd +=
 * min(acked, SMSS) per ACK (RFC 9438 4.10).  Where it ends is the
 * parameter hystart's (below: off, RFC 9406's HyStart++, or Linux's own
 * HyStart).
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
 * the flight stays below it: with cwnd_limited = linux (the default under
 * the linux timer profile) cwnd grows only while the endpoint reports it
 * cwnd-limited (cc.h, Linux 6.18's tcp_is_cwnd_limited: cwnd was full
 * within the current window, or in slow start below twice the most in
 * flight); off, the default otherwise, grows it on every ACK as RFC 5681
 * and RFC 9438 write it.  (RFC 7661's and Linux's decay of an unused cwnd
 * are not modelled.)  A loss
 * found by duplicate ACKs or SACK sets cwnd = ssthresh (the endpoint
 * recovers by pipe, without inflation); a retransmission timeout sets cwnd
 * = 1 SMSS (4.8, following RFC 5681).  Either ends the epoch.  When fast
 * recovery ends, cwnd = ssthresh.
 *
 * After an idle period longer than the RTO, cwnd = min(cwnd, restart
 * window) (RFC 5681 4.1), or with idle_restart = linux (the default under
 * the linux timer profile) Linux 6.18's tcp_cwnd_restart
 * (tcp_slow_start_after_idle = 1): ssthresh = max(ssthresh, 3/4 cwnd) and
 * cwnd halved once per RTO of idle time after the first, not below
 * min(cwnd, restart window).  Either way the epoch ends: the next ACK in
 * congestion avoidance starts a new one from the current cwnd and W_max.
 * (Linux instead moves t_epoch forward by the idle time, keeping the curve
 * where it was.)
 *
 * Slow-start exit (parameter hystart).  Both searches count rounds of the
 * ACK clock: a round ends when delivered passes the value sent had at its
 * start (cc.h; RFC 9406's windowEnd = SND.NXT, acknowledged by an ACK
 * beyond it), the ACK that passes it the first of the next round, and
 * look at the RTT samples the ACKs give.
 *
 *   off      slow start ends at the first congestion signal (RFC 5681).
 *   rfc9406  HyStart++ (RFC 9406 4.2), in the initial slow start only
 *            (4.3: later slow starts end at the ssthresh found).  Each
 *            round keeps its smallest RTT sample; once a round has
 *            N_RTT_SAMPLE = 8 samples and the previous round had any, a
 *            minimum of at least lastRoundMinRTT + RttThresh, RttThresh =
 *            clamp(lastRoundMinRTT / 8, 4 ms, 16 ms), ends slow start and
 *            starts Conservative Slow Start with that minimum as its
 *            baseline.  In CSS cwnd grows by a quarter of slow start's
 *            increment (CSS_GROWTH_DIVISOR 4); a round whose minimum, after
 *            8 samples, falls below the baseline shows the exit was
 *            spurious and slow start resumes; after CSS_ROUNDS = 5 rounds
 *            (the partial round of the entry counting as one) ssthresh =
 *            cwnd and congestion avoidance starts.  A congestion signal in
 *            slow start or CSS ends HyStart++: the reduction above sets
 *            ssthresh and congestion avoidance follows.  RFC 9406 lets an
 *            unpaced sender add up to L = 8 SMSS per ACK; this plugin
 *            keeps RFC 5681's one SMSS in every mode, so that the modes
 *            differ only in where slow start ends.
 *   linux    HyStart as tcp_cubic.c of Linux 6.18 has it (hystart=1,
 *            hystart_detect=3).  A round starts when an ACK in slow start
 *            passes the end of the previous one (delivered > its end); no
 *            detection below hystart_low_window (16) segments.  ACK train:
 *            an ACK within hystart_ack_delta (2 ms) of the train's last
 *            extends the train, and a train longer than (delay_min +
 *            ack_delay) / 2 since the round's start ends slow start
 *            (ack_delay = min(1 ms, 4 * 64 KB / pacing rate), the pacing
 *            rate 2 cwnd / srtt; the unpaced case halves the threshold).
 *            Delay: the smallest of the round's first 8 samples
 *            (HYSTART_MIN_SAMPLES) above delay_min + clamp(delay_min / 8,
 *            4 ms, 16 ms) ends slow start.  delay_min is the smallest
 *            sample of the connection, samples within 1 s of the start of
 *            a congestion-avoidance epoch left out.  Either exit sets
 *            ssthresh = cwnd.  A retransmission timeout arms the search
 *            again and forgets delay_min (Linux's TCP_CA_Loss).
 *   auto     (the default) linux when the connection's timer profile is
 *            `linux`, off otherwise: a `linux` host runs its own HyStart,
 *            and RFC 9438 4.10 leaves HyStart++ optional.
 *
 * The cube root is computed here (Newton's method) so that the module
 * does not depend on libm. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "cc.h"
#include "plugin.h"

/* The RTT used for the target before the connection has any sample. */
#define CUBIC_DEFAULT_RTT (100 * SY_MS)

/* RFC 9406 4.3's constants. */
#define HSPP_MIN_RTT_THRESH (4 * SY_MS)
#define HSPP_MAX_RTT_THRESH (16 * SY_MS)
#define HSPP_MIN_RTT_DIVISOR 8
#define HSPP_N_RTT_SAMPLE 8
#define HSPP_CSS_GROWTH_DIVISOR 4
#define HSPP_CSS_ROUNDS 5

/* Linux's HyStart (tcp_cubic.c, Linux 6.18). */
#define HS_ACK_TRAIN 1
#define HS_DELAY 2
#define HS_MIN_SAMPLES 8
#define HS_DELAY_MIN (4 * SY_MS)
#define HS_DELAY_MAX (16 * SY_MS)
#define HS_GSO_BYTES 65536        /* the device's GSO size (legacy max) */
#define HS_ACK_DELAY_MAX SY_MS
#define HS_EPOCH_QUIET SY_SEC      /* no samples this long into an epoch */

#define RTT_INF INT64_MAX

enum { HS_AUTO, HS_OFF, HS_RFC9406, HS_LINUX };
enum { IR_AUTO, IR_RFC5681, IR_LINUX };
enum { CL_AUTO, CL_OFF, CL_LINUX };
static const char *const limited_modes[] = { "auto", "off", "linux", NULL };
static const char *const idle_modes[] = { "auto", "rfc5681", "linux", NULL };
static const char *const hystart_modes[] = {
	"auto", "off", "rfc9406", "linux", NULL
};

/* Where the slow-start exit search is. */
enum { SS_SEARCH, SS_CSS, SS_DONE };

struct cubic {
	/* parameters */
	double c;
	double beta;
	bool fast_convergence;
	bool tcp_friendliness;
	int hystart;
	int64_t hystart_detect;
	int64_t hystart_low_window;
	sy_time hystart_ack_delta;
	int idle_restart;
	int cwnd_limited;
};

/* The slow-start exit search of one connection. */
struct hystart {
	int mode;           /* HS_OFF, HS_RFC9406 or HS_LINUX */
	int phase;          /* SS_SEARCH, SS_CSS, SS_DONE */
	bool in_round;      /* a round has started */
	uint64_t round_end; /* cc->sent at the round's start */
	sy_time cur_min;    /* the round's smallest sample, or RTT_INF */
	uint32_t samples;   /* the round's samples */
	/* rfc9406 */
	sy_time last_min;   /* the previous round's, or RTT_INF */
	sy_time css_base;   /* cssBaselineMinRtt */
	uint32_t css_rounds;
	uint32_t css_acked; /* bytes acked in CSS, not yet a whole quarter */
	/* linux */
	sy_time round_start, last_ack;
	sy_time delay_min;  /* 0 before the first sample */
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
	struct hystart hs;
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

/* ------------------------------------------------------------ HyStart */

static bool is_linux(const sy_cc_conn *cc)
{
	return cc->timers && strcmp(cc->timers, "linux") == 0;
}

static int hystart_mode(const struct cubic *g, const sy_cc_conn *cc)
{
	if (g->hystart != HS_AUTO)
		return g->hystart;
	return is_linux(cc) ? HS_LINUX : HS_OFF;
}

static void round_start(struct hystart *h, const sy_cc_conn *cc)
{
	h->in_round = true;
	h->round_end = cc->sent;
	h->cur_min = RTT_INF;
	h->samples = 0;
	h->round_start = h->last_ack = cc->now;
}

/* The search starts afresh (a new connection; Linux: after a timeout). */
static void hystart_reset(struct hystart *h, int mode, const sy_cc_conn *cc)
{
	memset(h, 0, sizeof *h);
	h->mode = mode;
	h->phase = mode == HS_OFF ? SS_DONE : SS_SEARCH;
	h->last_min = h->css_base = RTT_INF;
	round_start(h, cc);
	h->in_round = false;
}

/* Slow start ends: congestion avoidance from the current window. */
static void hystart_exit(struct hystart *h, sy_cc_conn *cc)
{
	h->phase = SS_DONE;
	cc->ssthresh = cc->cwnd;
}

/* RFC 9406 4.2, on an ACK of new data in slow start; returns the bytes
 * that count for slow start's increase (fewer in CSS). */
static uint32_t hspp_ack(struct hystart *h, sy_cc_conn *cc, uint32_t acked,
			 sy_time rtt)
{
	uint32_t grow = acked < cc->mss ? acked : cc->mss;

	if (!h->in_round || cc->delivered > h->round_end) {
		h->last_min = h->in_round ? h->cur_min : RTT_INF;
		round_start(h, cc);
		if (h->phase == SS_CSS && ++h->css_rounds >= HSPP_CSS_ROUNDS) {
			hystart_exit(h, cc);
			return 0;
		}
	}
	if (h->phase == SS_CSS) {
		h->css_acked += grow;
		grow = h->css_acked / HSPP_CSS_GROWTH_DIVISOR;
		h->css_acked %= HSPP_CSS_GROWTH_DIVISOR;
	}
	if (rtt < 0)
		return grow;
	if (rtt < h->cur_min)
		h->cur_min = rtt;
	h->samples++;
	if (h->samples < HSPP_N_RTT_SAMPLE)
		return grow;
	if (h->phase == SS_SEARCH && h->last_min != RTT_INF) {
		sy_time th = h->last_min / HSPP_MIN_RTT_DIVISOR;

		if (th > HSPP_MAX_RTT_THRESH)
			th = HSPP_MAX_RTT_THRESH;
		if (th < HSPP_MIN_RTT_THRESH)
			th = HSPP_MIN_RTT_THRESH;
		if (h->cur_min >= h->last_min + th) {
			h->css_base = h->cur_min;
			h->phase = SS_CSS;
			h->css_rounds = 0;
			h->css_acked = 0;
		}
	} else if (h->phase == SS_CSS && h->cur_min < h->css_base) {
		/* the delay went back down: the exit was spurious */
		h->css_base = RTT_INF;
		h->phase = SS_SEARCH;
	}
	return grow;
}

/* Linux's hystart_update, on an RTT sample in slow start. */
static void linux_hystart(const struct cubic *g, struct hystart *h,
			  sy_cc_conn *cc, sy_time delay)
{
	uint64_t segs = cc->mss ? cc->cwnd / cc->mss : 0;

	if (!h->in_round || cc->delivered > h->round_end)
		round_start(h, cc);
	if (segs < (uint64_t)g->hystart_low_window)
		return;
	if ((g->hystart_detect & HS_ACK_TRAIN) &&
	    cc->now - h->last_ack <= g->hystart_ack_delta) {
		sy_time th = h->delay_min, ack_delay = 0;

		if (cc->srtt > 0 && cc->cwnd > 0) {
			/* pacing rate 2 cwnd / srtt, in bytes per second */
			double rate = 2.0 * cc->cwnd * SY_SEC / (double)cc->srtt;
			double d = 4.0 * HS_GSO_BYTES / rate * SY_SEC;

			ack_delay = d < HS_ACK_DELAY_MAX ? (sy_time)d :
				    HS_ACK_DELAY_MAX;
		}
		h->last_ack = cc->now;
		th = (th + ack_delay) / 2;
		if (cc->now - h->round_start > th) {
			hystart_exit(h, cc);
			return;
		}
	}
	if (g->hystart_detect & HS_DELAY) {
		if (delay < h->cur_min)
			h->cur_min = delay;
		if (h->samples < HS_MIN_SAMPLES) {
			h->samples++;
		} else {
			sy_time th = h->delay_min / 8;

			if (th < HS_DELAY_MIN)
				th = HS_DELAY_MIN;
			if (th > HS_DELAY_MAX)
				th = HS_DELAY_MAX;
			if (h->cur_min > h->delay_min + th)
				hystart_exit(h, cc);
		}
	}
}

/* Linux's cubictcp_acked: every RTT sample, before the window grows. */
static void linux_sample(const struct cubic *g, struct cubic_conn *c,
			 sy_cc_conn *cc, sy_time rtt)
{
	struct hystart *h = &c->hs;

	if (rtt < 0)
		return;
	if (c->in_epoch && cc->now - c->t_epoch < HS_EPOCH_QUIET)
		return;
	if (rtt == 0)
		rtt = 1;
	if (h->delay_min == 0 || rtt < h->delay_min)
		h->delay_min = rtt;
	if (h->phase == SS_SEARCH && cc->cwnd < cc->ssthresh)
		linux_hystart(g, h, cc, rtt);
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
	hystart_reset(&c->hs, hystart_mode(st, cc), cc);
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
	bool held;

	if (c->hs.mode == HS_LINUX)
		linux_sample(g, c, cc, a->rtt);
	if (a->type != SY_CC_ACK_NEW || acked == 0 || cc->mss == 0)
		return;
	/* Linux grows cwnd only while it limits the sender */
	held = !cc->cwnd_limited && (g->cwnd_limited == CL_LINUX ||
				     (g->cwnd_limited == CL_AUTO && is_linux(cc)));
	if (cc->cwnd < cc->ssthresh) {
		uint32_t grow = acked;

		if (c->hs.mode == HS_RFC9406 && c->hs.phase != SS_DONE)
			grow = hspp_ack(&c->hs, cc, acked, a->rtt);
		if (grow && !held && cc->cwnd < cc->ssthresh)
			sy_cc_slow_start(cc, grow, 1);
		return;
	}
	if (held)
		return;

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

	/* HyStart++ serves the initial slow start only (RFC 9406 4.3);
	 * Linux searches again after a timeout, from a new delay_min. */
	if (c->hs.mode == HS_LINUX && sig == SY_CC_RTO)
		hystart_reset(&c->hs, HS_LINUX, cc);
	else
		c->hs.phase = SS_DONE;
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
	const struct cubic *g = st;
	struct cubic_conn *c = cc->priv;
	bool lx = g->idle_restart == IR_LINUX ||
		  (g->idle_restart == IR_AUTO && is_linux(cc));

	if (lx)
		sy_cc_idle_restart_linux(cc, restart_window);
	else
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
	{ .name = "hystart", .type = SY_PT_ENUM,
	  .offset = offsetof(struct cubic, hystart),
	  .def = "auto", .choices = hystart_modes,
	  .doc = "where slow start ends: off (at a loss, RFC 5681), rfc9406 "
		 "(HyStart++), linux (Linux 6.18's HyStart), auto (linux "
		 "under the linux timer profile, else off)" },
	{ .name = "hystart_detect", .type = SY_PT_INT,
	  .offset = offsetof(struct cubic, hystart_detect),
	  .def = "3", .min = "1", .max = "3",
	  .doc = "linux HyStart's detectors: 1 ACK train, 2 delay, 3 both "
		 "(hystart_detect)" },
	{ .name = "hystart_low_window", .type = SY_PT_INT,
	  .offset = offsetof(struct cubic, hystart_low_window),
	  .def = "16", .min = "2", .max = "1000000",
	  .doc = "linux HyStart: no detection below this cwnd, in segments "
		 "(hystart_low_window)" },
	{ .name = "hystart_ack_delta", .type = SY_PT_DURATION,
	  .offset = offsetof(struct cubic, hystart_ack_delta),
	  .def = "2ms", .min = "1us", .max = "1s",
	  .doc = "linux HyStart: largest gap between two ACKs of a train "
		 "(hystart_ack_delta_us)" },
	{ .name = "idle_restart", .type = SY_PT_ENUM,
	  .offset = offsetof(struct cubic, idle_restart),
	  .def = "auto", .choices = idle_modes,
	  .doc = "after an idle period longer than the RTO: rfc5681 (cwnd at "
		 "most the initial window), linux (Linux 6.18's "
		 "tcp_cwnd_restart: cwnd halved per RTO idle, ssthresh at "
		 "least 3/4 cwnd), auto (linux under the linux timer profile)" },
	{ .name = "cwnd_limited", .type = SY_PT_ENUM,
	  .offset = offsetof(struct cubic, cwnd_limited),
	  .def = "auto", .choices = limited_modes,
	  .doc = "off (cwnd grows on every ACK), linux (only while cwnd "
		 "limits the sender: Linux 6.18's tcp_is_cwnd_limited), auto "
		 "(linux under the linux timer profile)" },
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
