/* RACK time-based loss detection (RFC 8985 6), the timer profile's
 * `rack`, as Linux 6.x runs it with tcp_recovery = 1 (net/ipv4/
 * tcp_recovery.c: tcp_rack_advance, tcp_rack_detect_loss,
 * tcp_rack_mark_lost, tcp_rack_reo_wnd, tcp_rack_update_reo_wnd,
 * tcp_rack_reo_timeout; tcp_input.c's tcp_check_sack_reordering,
 * tcp_dsack_seen, tcp_time_to_recover).  Only with SACK: without it the
 * duplicate ACKs count as before (Linux's tcp_newreno_mark_lost).
 *
 * The sender keeps each segment out, as first sent, with the time of its
 * latest transmission (Linux's skb timestamps): sy_rack_seg, in sequence
 * order.  RACK.xmit_ts and RACK.end_seq are the send time and end of the
 * most recently sent segment that was delivered (cumulatively ACKed or
 * SACKed; a retransmission delivered sooner than min_rtt after it went
 * is ambiguous and ignored), RACK.rtt the time since it was sent.  On
 * each ACK that moved them, a segment neither delivered nor marked lost
 * and waiting to go again, and sent before RACK.xmit_ts, is
 *
 *   lost      when now >= its send time + RACK.rtt + reo_wnd,
 *   else the reordering timer waits for the latest such deadline.
 *
 * reo_wnd is min_rtt / 4 times reo_wnd_steps, at most SRTT; 0 while no
 * reordering has been seen and the sender is in recovery or has three or
 * more segments SACKed, which makes RACK as quick as the duplicate-ACK
 * threshold then.  Reordering is seen when a segment never sent again is
 * SACKed or cumulatively ACKed below the highest SACKed byte (counted in
 * rack_reord_seen).  A D-SACK, once reordering has been seen and unless
 * it reports a tail loss probe's bytes, raises reo_wnd_steps by one on
 * the next ACK that delivers data sent after the last raise (so at most
 * once a round trip; counted in rack_reo_wnd_grown); the steps then stay
 * for 16 recoveries (one less per recovery that ends without an undo,
 * one more, at most 16, per D-SACK undo) and go back to one after.
 *
 * Segments marked lost (rack_lost) are sent again in recovery, before new
 * data; RFC 6675's pipe becomes Linux's packets in flight: the flight
 * less the SACKed and lost bytes plus those sent again.  The first loss
 * marked outside recovery starts fast recovery (Linux: lost_out > 0 is
 * tcp_time_to_recover's only rule with RACK).
 *
 * The reordering timer shares the retransmission timer's slot, as
 * Linux's ICSK_TIME_REO_TIMEOUT: it replaces the RTO (or probe timeout)
 * while pending, at most one RTO away, rounded up to whole jiffies with
 * Linux's slack of two more (TCP_TIMEOUT_MIN), the jiffy 4 ms (HZ = 250,
 * as the kernel these were checked on; 1 ms at HZ = 1000), and the RTO
 * comes back when it fires (counted in rack_reo_timeouts) or an ACK of
 * new data rearms it.
 *
 * A timeout (Linux's tcp_enter_loss, tcp_timeout_mark_lost) keeps the
 * SACK marks unless the peer reneged (the first segment out SACKed: all
 * marks and the scoreboard go) and marks every segment not SACKed lost,
 * but those sent within RACK.rtt other than the first; until the
 * timeout's recovery point is acknowledged (Linux's Loss state) the lost
 * segments go again while cwnd - pipe allows, SACKed ones skipped, and
 * RACK goes on marking with no reordering window, but no fast recovery
 * starts (Linux moves to Recovery when a retransmission is lost again:
 * not modelled).  An undone timeout drops the lost marks.
 *
 * Costs: a segment's record is found by bisection; the walk of an ACK
 * that moved RACK.xmit_ts jumps over runs of SACKed records and stops at
 * the first record first sent after RACK.xmit_ts (Linux walks its
 * time-sorted list of segments not SACKed up to the first sent after). */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

#define RK_RETRANS 0x01        /* sent more than once */
#define RK_LOST 0x02           /* marked lost, not delivered */
#define RK_RTX_OUT 0x04        /* sent again since, not delivered */
#define RK_SACKED 0x08

#define REO_SLACK (2 * SY_TCP_JIFFY) /* TCP_TIMEOUT_MIN: two jiffies */
#define PERSIST 16             /* TCP_RACK_RECOVERY_THRESH */

bool sy_rack_on(const sy_tcb *c)
{
	return c->sack_ok && limits(c)->rack;
}

static sy_rack_seg *at(sy_tcb *c, uint32_t i)
{
	return &c->rk->rk_v[c->rk->rk_off + i];
}

/* Segment (t1, e1) was sent after (t2, e2). */
static bool sent_after(sy_time t1, sy_time t2, uint32_t e1, uint32_t e2)
{
	return t1 > t2 || (t1 == t2 && sy_seq_gt(e1, e2));
}

/* The index of the first record ending after x, or rk_n. */
static uint32_t find(sy_tcb *c, uint32_t x)
{
	uint32_t lo = 0, hi = c->rk->rk_n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (sy_seq_gt(at(c, mid)->end, x))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Room for one more record at the end: false (the connection failed
 * for want of memory) if none. */
static bool reserve(sy_tcb *c)
{
	sy_rack_seg *v;
	uint32_t cap;

	if (c->rk->rk_off + c->rk->rk_n < c->rk->rk_cap)
		return true;
	if (c->rk->rk_off) {
		memmove(c->rk->rk_v, c->rk->rk_v + c->rk->rk_off, c->rk->rk_n * sizeof *c->rk->rk_v);
		c->rk->rk_off = 0;
		if (c->rk->rk_n < c->rk->rk_cap)
			return true;
	}
	cap = c->rk->rk_cap ? 2 * c->rk->rk_cap : 64;
	v = SY_FAULT(SY_FAULT_SACK) ? NULL : realloc(c->rk->rk_v, cap * sizeof *v);
	if (!v) {
		sy_tcb_oom(c, "growing RACK's record of the segments out");
		return false;
	}
	c->rk->rk_v = v;
	c->rk->rk_cap = cap;
	return true;
}

/* Splits record i at x (within it): the upper part follows as i + 1. */
static bool split(sy_tcb *c, uint32_t i, uint32_t x)
{
	sy_rack_seg *e;

	if (!reserve(c))
		return false;
	e = at(c, i);
	memmove(e + 1, e, (c->rk->rk_n - i) * sizeof *e);
	c->rk->rk_n++;
	e[0].end = x;
	e[1].seq = x;
	if (e->f & RK_SACKED)
		c->rk->rk_sacked++;
	if (c->rk->rk_hint > i)
		c->rk->rk_hint++;
	return true;
}

/* Record e leaves the bytes counted lost or sent again. */
static void uncount(sy_tcb *c, sy_rack_seg *e)
{
	uint32_t len = e->end - e->seq;

	if (e->f & RK_LOST)
		c->rk->rk_lost -= len < c->rk->rk_lost ? len : c->rk->rk_lost;
	if (e->f & RK_RTX_OUT)
		c->rk->rk_rtx -= len < c->rk->rk_rtx ? len : c->rk->rk_rtx;
	e->f &= (uint8_t)~(RK_LOST | RK_RTX_OUT);
}

/* min_rtt: the smallest sample of data, or before one the handshake's
 * (Linux's min_rtt filter takes both). */
static sy_time min_rtt(const sy_tcb *c)
{
	return c->cc.min_rtt ? c->cc.min_rtt : c->rtt.samples ? c->rtt.srtt : 0;
}

/* RFC 8985 6.2 step 2 (Linux's tcp_rack_advance): e was delivered. */
static void delivered(sy_tcb *c, sy_rack_seg *e, sy_time now)
{
	sy_time rtt = now - e->xmit;

	c->rk->rk_delivered += e->end - e->seq;
	if (e->del > c->rk->rk_prior_del)
		c->rk->rk_prior_del = e->del;
	if ((e->f & RK_RETRANS) && rtt < min_rtt(c))
		return; /* the original or the retransmission: ambiguous */
	c->rk->rk_advanced = true;
	c->rk->rk_rtt = rtt;
	if (!c->rk->rk_valid || sent_after(e->xmit, c->rk->rk_xmit, e->end, c->rk->rk_end)) {
		c->rk->rk_xmit = e->xmit;
		c->rk->rk_end = e->end;
		c->rk->rk_valid = true;
	}
}

/* ------------------------------------------------------------ sending */

/* The state, allocated with the first segment out: false (the
 * connection failed for want of memory) if it cannot be.  Until then
 * every count is zero and there is no segment, which the functions
 * below take for the state's absence.
 *
 * rk_fack starts at SND.UNA, the highest byte SACKed or acknowledged so
 * far: no segment sent from here on can be below it (a start at zero
 * took the first segments for late ones when they crossed sequence
 * number zero). */
static bool rk_get(sy_tcb *c)
{
	if (c->rk)
		return true;
	c->rk = sy_pool_zalloc(c->ep->pool, sizeof *c->rk);
	if (!c->rk) {
		sy_tcb_oom(c, "allocating RACK's state");
		return false;
	}
	c->rk->rk_fack = c->snd_una;
	return true;
}

void sy_rack_sent(sy_tcb *c, uint32_t seq, uint32_t len, bool fin, sy_time now)
{
	uint32_t end = seq + len + fin, i;

	if (!sy_rack_on(c) || seq == end || !rk_get(c))
		return;
	if (c->rk->rk_n && sy_seq_lt(c->rk->rk_v[c->rk->rk_off].seq, c->snd_una))
		sy_rack_acked(c); /* trimmed first: below SND.UNA is gone */
	/* what was sent before: its records are sent again now */
	i = find(c, seq);
	if (i < c->rk->rk_n && sy_seq_lt(at(c, i)->seq, seq) && !split(c, i, seq))
		return;
	if (i < c->rk->rk_n && sy_seq_lt(at(c, i)->seq, seq))
		i++;
	for (; i < c->rk->rk_n && sy_seq_lt(at(c, i)->seq, end); i++) {
		sy_rack_seg *e = at(c, i);

		if (sy_seq_gt(e->end, end) && !split(c, i, end))
			return;
		e = at(c, i);
		if (!(e->f & RK_RTX_OUT))
			c->rk->rk_rtx += e->end - e->seq;
		e->f |= RK_RTX_OUT | RK_RETRANS;
		e->xmit = now;
		e->del = c->rk->rk_delivered;
	}
	while (c->rk->rk_hint < c->rk->rk_n &&
	       (at(c, c->rk->rk_hint)->f & (RK_LOST | RK_RTX_OUT | RK_SACKED)) != RK_LOST)
		c->rk->rk_hint++;
	/* new bytes: a record of their own */
	if (c->rk->rk_n && sy_seq_gt(at(c, c->rk->rk_n - 1)->end, seq))
		seq = at(c, c->rk->rk_n - 1)->end;
	if (sy_seq_lt(seq, c->snd_una))
		seq = c->snd_una;
	if (!sy_seq_lt(seq, end) || !reserve(c))
		return;
	*at(c, c->rk->rk_n) = (sy_rack_seg){
		.seq = seq, .end = end, .xmit = now, .del = c->rk->rk_delivered,
	};
	c->rk->rk_n++;
}

bool sy_rack_next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin)
{
	uint32_t seg = sy_tcb_cur_mss(c), dend;

	if (!c->rk)
		return false;
	for (uint32_t i = c->rk->rk_hint; i < c->rk->rk_n; i++) {
		const sy_rack_seg *e = &c->rk->rk_v[c->rk->rk_off + i];

		if ((e->f & (RK_LOST | RK_RTX_OUT | RK_SACKED)) != RK_LOST ||
		    !sy_seq_gt(e->end, c->snd_una))
			continue;
		*seq = sy_seq_lt(e->seq, c->snd_una) ? c->snd_una : e->seq;
		*fin = c->fin_sent && e->end == c->fin_seq + 1;
		dend = e->end - *fin;
		*len = dend - *seq;
		if (*len > seg) {
			*len = seg;
			*fin = false;
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ ACKs */

/* The highest SACKed byte's end, where nothing above the first segment
 * out is SACKed: that segment's start (Linux's prior_fack is SND.UNA
 * without SACKed segments). */
static void fack_fix(sy_tcb *c)
{
	if (c->rk->rk_n && (sy_seq_lt(c->rk->rk_fack, at(c, 0)->seq) ||
			    sy_seq_gt(c->rk->rk_fack, c->snd_max)))
		c->rk->rk_fack = at(c, 0)->seq;
}

/* A segment never sent again that arrives below the highest byte
 * SACKed before this ACK (rk_fack) came late: reordering (Linux's
 * tcp_sacktag_one and tcp_clean_rtx_queue, against prior_fack).  Not
 * against what this ACK SACKed: its first ACK after a hole often
 * acknowledges the segment a delayed ACK held back below the hole and
 * SACKs the one above it. */
static bool late(const sy_tcb *c, const sy_rack_seg *e)
{
	return !(e->f & RK_RETRANS) && sy_seq_lt(e->seq, c->rk->rk_fack);
}

void sy_rack_sack(sy_tcb *c, uint32_t l, uint32_t r, bool dup)
{
	const sy_ranges *sb = sy_tcb_sb(c);
	unsigned k = sy_ranges_upper(sb, l);
	uint32_t x = l, gr;
	sy_time now = now_of(c);

	if (!sy_rack_on(c) || !c->rk)
		return;
	fack_fix(c);
	/* a D-SACK of a segment sent again and SACKed before this ACK:
	 * the original and the retransmission both arrived, the original
	 * late (Linux's tcp_sacktag_one with dup_sack) */
	if (dup && !(c->rk->rk_reord & 1)) {
		for (uint32_t i = find(c, l); i < c->rk->rk_n && sy_seq_lt(at(c, i)->seq, r); i++) {
			if ((at(c, i)->f & (RK_RETRANS | RK_SACKED)) == (RK_RETRANS | RK_SACKED)) {
				c->rk->rk_reord |= 1;
				break;
			}
		}
	}
	/* the bytes of [l, r) the scoreboard did not hold: the segments
	 * they complete are newly SACKed */
	while (sy_seq_lt(x, r)) {
		if (k < sy_ranges_count(sb) && sy_seq_le(sy_ranges_at(sb, k)->l, x)) {
			if (sy_seq_gt(sy_ranges_at(sb, k)->r, x))
				x = sy_ranges_at(sb, k)->r;
			k++;
			continue;
		}
		gr = k < sy_ranges_count(sb) && sy_seq_lt(sy_ranges_at(sb, k)->l, r) ?
		     sy_ranges_at(sb, k)->l : r;
		for (uint32_t i = find(c, x); i < c->rk->rk_n && sy_seq_lt(at(c, i)->seq, gr); i++) {
			sy_rack_seg *e = at(c, i);
			unsigned j;

			if (e->f & RK_SACKED)
				continue;
			/* whole: what lies outside [l, r) is SACKed already */
			if (sy_seq_lt(e->seq, l)) {
				j = sy_ranges_upper(sb, e->seq);
				if (j >= sy_ranges_count(sb) ||
				    sy_seq_gt(sy_ranges_at(sb, j)->l, e->seq) ||
				    sy_seq_lt(sy_ranges_at(sb, j)->r, l))
					continue;
			}
			if (sy_seq_gt(e->end, r)) {
				j = sy_ranges_upper(sb, r);
				if (j >= sy_ranges_count(sb) ||
				    sy_seq_gt(sy_ranges_at(sb, j)->l, r) ||
				    sy_seq_lt(sy_ranges_at(sb, j)->r, e->end))
					continue;
			}
			if (late(c, e))
				c->rk->rk_reord |= 1;
			uncount(c, e);
			e->f |= RK_SACKED;
			c->rk->rk_sacked++;
			delivered(c, e, now);
			if (!c->rk->rk_sfack_on || sy_seq_gt(e->end, c->rk->rk_sfack)) {
				c->rk->rk_sfack = e->end;
				c->rk->rk_sfack_on = true;
			}
		}
		x = gr;
	}
}

void sy_rack_acked(sy_tcb *c)
{
	sy_time now = now_of(c);
	uint32_t k = 0;

	if (!c->rk)
		return;
	fack_fix(c);
	while (k < c->rk->rk_n && sy_seq_le(at(c, k)->end, c->snd_una)) {
		sy_rack_seg *e = at(c, k);

		if (e->f & RK_SACKED) {
			c->rk->rk_sacked--;
		} else {
			if (late(c, e))
				c->rk->rk_reord |= 2;
			uncount(c, e);
			delivered(c, e, now);
		}
		k++;
	}
	c->rk->rk_off += k;
	c->rk->rk_n -= k;
	c->rk->rk_hint = c->rk->rk_hint > k ? c->rk->rk_hint - k : 0;
	if (!c->rk->rk_n)
		c->rk->rk_off = 0;
	/* a segment partly acknowledged keeps its part above SND.UNA */
	if (c->rk->rk_n && sy_seq_lt(at(c, 0)->seq, c->snd_una)) {
		sy_rack_seg *e = at(c, 0);
		uint32_t gone = c->snd_una - e->seq;

		if (!(e->f & RK_SACKED) && late(c, e))
			c->rk->rk_reord |= 2;
		if (e->f & RK_LOST)
			c->rk->rk_lost -= gone < c->rk->rk_lost ? gone : c->rk->rk_lost;
		if (e->f & RK_RTX_OUT)
			c->rk->rk_rtx -= gone < c->rk->rk_rtx ? gone : c->rk->rk_rtx;
		e->seq = c->snd_una;
	}
	if (sy_seq_lt(c->rk->rk_fack, c->snd_una))
		c->rk->rk_fack = c->snd_una;
}

/* Linux's tcp_rack_reo_wnd. */
static sy_time reo_wnd(const sy_tcb *c)
{
	sy_time w;

	/* (the Loss state after a timeout counts as recovery) */
	if (!c->rk->rk_reord_seen && (c->in_recovery || c->after_rto || c->rk->rk_sacked >= 3))
		return 0;
	w = min_rtt(c) / 4 * (c->rk->rk_steps ? c->rk->rk_steps : 1);
	if (c->rtt.samples && w > c->rtt.srtt)
		w = c->rtt.srtt;
	return w;
}

/* RFC 8985 6.2 step 5 (Linux's tcp_rack_detect_loss): marks the
 * segments lost; returns the time until the next would be, or 0. */
/* The index after the run of SACKed records that starts at i.  A SACKed
 * record stays SACKed, so each remembers how far its run went (skip):
 * the walks of later ACKs jump over the run instead of going through it
 * again.  A split inside a run moves the records after it one on, so a
 * skip lands at most short of the run's end, never past it. */
static uint32_t sacked_run(sy_tcb *c, uint32_t i)
{
	uint32_t j = i;

	while (j < c->rk->rk_n && (at(c, j)->f & RK_SACKED))
		j += at(c, j)->skip ? at(c, j)->skip : 1;
	if (j > c->rk->rk_n)
		j = c->rk->rk_n;
	at(c, i)->skip = j - i;
	return j;
}

static sy_time detect(sy_tcb *c, bool *marked)
{
	sy_time now = now_of(c), w = reo_wnd(c), wait = 0;

	*marked = false;
	if (!c->rk->rk_valid)
		return 0;
	for (uint32_t i = 0; i < c->rk->rk_n; i++) {
		sy_rack_seg *e = at(c, i);
		sy_time left;

		if (e->f & RK_SACKED) {
			i = sacked_run(c, i) - 1;
			continue;
		}
		/* a segment first sent after RACK's: so were all after it */
		if (!(e->f & RK_RETRANS) && !sent_after(c->rk->rk_xmit, e->xmit, c->rk->rk_end, e->end))
			break;
		if ((e->f & RK_SACKED) || (e->f & (RK_LOST | RK_RTX_OUT)) == RK_LOST ||
		    !sent_after(c->rk->rk_xmit, e->xmit, c->rk->rk_end, e->end))
			continue;
		left = e->xmit + c->rk->rk_rtt + w - now;
		if (left > 0) {
			if (left > wait)
				wait = left;
			continue;
		}
		if (e->f & RK_RTX_OUT)
			c->rk->rk_rtx -= e->end - e->seq < c->rk->rk_rtx ? e->end - e->seq : c->rk->rk_rtx;
		else
			c->rk->rk_lost += e->end - e->seq;
		e->f = (uint8_t)((e->f & ~RK_RTX_OUT) | RK_LOST);
		c->rk->rk_marked += e->end - e->seq;
		sy_rare(c)->rack_lost++;
		if (i < c->rk->rk_hint)
			c->rk->rk_hint = i;
		*marked = true;
	}
	return wait;
}

/* Puts the retransmission timer at the reordering timeout. */
static void arm_reo(sy_tcb *c, sy_time wait)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	sy_time rto = t->rto(st, &c->rtt);

	/* whole jiffies, and the slack (Linux's usecs_to_jiffies +
	 * TCP_TIMEOUT_MIN) */
	wait = sy_tcp_jiffies(wait) + REO_SLACK;
	if (wait > rto)
		wait = rto;
	c->rk->reo_armed = true;
	if (c->lr)
		c->lr->pto_armed = false;
	c->rk->reo_due = now_of(c) + wait;
	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, wait);
}

/* Linux's tcp_rack_update_reo_wnd: a D-SACK grows the window once a
 * round trip (data sent after the last growth delivered). */
static void update_reo_wnd(sy_tcb *c)
{
	if (!c->rk->rk_prior_del)
		return;
	if (c->rk->rk_prior_del < c->rk->rk_last_del)
		c->rk->rk_dsack_seen = false;
	if (c->rk->rk_dsack_seen) {
		if (c->rk->rk_steps < UINT8_MAX)
			c->rk->rk_steps = (uint8_t)((c->rk->rk_steps ? c->rk->rk_steps : 1) + 1);
		c->rk->rk_dsack_seen = false;
		c->rk->rk_last_del = c->rk->rk_delivered;
		c->rk->rk_persist = PERSIST;
		sy_rare(c)->rack_reo_wnd_grown++;
	} else if (!c->rk->rk_persist) {
		c->rk->rk_steps = 1;
	}
}

void sy_rack_ack(sy_tcb *c, const sy_seg *s, bool dsack, bool rec0,
		 bool reneged)
{
	bool marked;
	sy_time wait;

	if (!sy_rack_on(c))
		return;
	sy_rack_acked(c);
	/* what this ACK SACKed is below the highest SACKed byte from now
	 * on */
	if (!c->rk)
		return; /* nothing sent: nothing to learn */
	if (c->rk->rk_sfack_on) {
		if (sy_seq_gt(c->rk->rk_sfack, c->rk->rk_fack))
			c->rk->rk_fack = c->rk->rk_sfack;
		c->rk->rk_sfack_on = false;
	}
	/* a D-SACK counts once reordering has been seen before this ACK
	 * (Linux's tcp_dsack_seen comes before this ACK's evidence),
	 * unless it is of a tail loss probe (the timer's, not RACK's,
	 * retransmission) */
	if (dsack && c->rk->rk_reord_seen && !sy_tlp_dsack_of_probe(c, s))
		c->rk->rk_dsack_seen = true;
	/* the SACKs and the cumulative ACK are an event each, as Linux's
	 * two calls of tcp_check_sack_reordering */
	if (c->rk->rk_reord) {
		unsigned n = (c->rk->rk_reord & 1) + (c->rk->rk_reord >> 1 & 1);

		c->rk->rk_reord = 0;
		c->rk->rk_reord_seen += n;
		sy_rare(c)->rack_reord_seen += n;
	}
	update_reo_wnd(c);
	c->rk->rk_prior_del = 0;
	/* a recovery ended: the grown window persists one less, or one
	 * more when it was undone */
	if (rec0 && !c->in_recovery) {
		if (sy_rare_ro(c)->dsack_undos != c->rk->rk_undos) {
			if (c->rk->rk_persist < PERSIST)
				c->rk->rk_persist++;
		} else if (c->rk->rk_persist) {
			c->rk->rk_persist--;
		}
	}
	c->rk->rk_undos = sy_rare_ro(c)->dsack_undos;
	/* an ACK showing the peer reneged marks nothing (Linux returns
	 * from tcp_fastretrans_alert before tcp_identify_packet_loss):
	 * the reneging timer decides (input.c) */
	if (!c->rk->rk_advanced || c->after_rto || reneged)
		return;
	c->rk->rk_advanced = false;
	wait = detect(c, &marked);
	if (wait)
		arm_reo(c, wait);
	if (marked && !c->in_recovery) {
		c->limited = 0;
		sy_tcb_enter_recovery(c);
	}
}

bool sy_rack_timeout(sy_tcb *c)
{
	sy_time now = now_of(c), wait;
	bool marked;

	if (now < c->rk->reo_due) {
		if (now >= sy_tcb_rto_due(c)) {
			c->rk->reo_armed = false;
			return false; /* the RTO came first */
		}
		sy_tcb_timer_set(c, SY_TCP_T_RETRANS,
				 (c->rk->reo_due < sy_tcb_rto_due(c) ? c->rk->reo_due : sy_tcb_rto_due(c)) - now);
		return true;
	}
	c->rk->reo_armed = false;
	if (!can_output(c) || c->snd_una == c->snd_max)
		return false;
	sy_rare(c)->rack_reo_timeouts++;
	wait = detect(c, &marked);
	if (marked) {
		if (!c->in_recovery && !c->after_rto) {
			sy_tcb_enter_recovery(c);
			/* as one segment delivered (Linux's tcp_cwnd_reduction
			 * call of tcp_rack_reo_timeout) */
			sy_prr_ack(c, sy_tcb_smss(c), false, true);
		}
		sy_tcb_output(c);
	}
	if (wait) {
		arm_reo(c, wait);
	} else if (!timer_on(c, SY_TCP_T_RETRANS) && c->snd_una != c->snd_max) {
		/* the RTO where it was due */
		if (sy_tcb_rto_due(c) > now) {
			if (c->lr)
				c->lr->pto_armed = false;
			sy_tcb_timer_set(c, SY_TCP_T_RETRANS, sy_tcb_rto_due(c) - now);
		} else {
			sy_tcb_arm_rto(c);
		}
	}
	return true;
}

/* Linux's tcp_timeout_mark_lost: the SACK marks stay unless the peer
 * reneged (the first segment out SACKed: it dropped what it had
 * queued), and every segment not SACKed is lost but those sent within
 * RACK.rtt, which may still arrive (never the first, which the timeout
 * sends again); a retransmission marked lost is out no more.  Returns
 * whether the peer reneged. */
bool sy_rack_rto(sy_tcb *c)
{
	sy_time now = now_of(c);
	bool reneged;

	if (!sy_rack_on(c))
		return false;
	if (!c->rk)
		return false; /* rk_fack: rk_get */
	reneged = c->rk->rk_n && (at(c, 0)->f & RK_SACKED);
	if (c->rk->rk_n && sy_seq_lt(at(c, 0)->seq, c->snd_una)) {
		sy_rack_acked(c); /* below SND.UNA is gone */
		reneged = c->rk->rk_n && (at(c, 0)->f & RK_SACKED);
	}
	c->rk->rk_hint = c->rk->rk_n;
	for (uint32_t i = 0; i < c->rk->rk_n; i++) {
		sy_rack_seg *e = at(c, i);
		uint32_t len = e->end - e->seq;

		if (reneged) {
			e->f &= (uint8_t)~RK_SACKED;
			e->skip = 0;
		} else if ((e->f & RK_SACKED) || (i && e->xmit + c->rk->rk_rtt > now)) {
			continue;
		}
		if (e->f & RK_RTX_OUT)
			c->rk->rk_rtx -= len < c->rk->rk_rtx ? len : c->rk->rk_rtx;
		if (!(e->f & RK_LOST)) {
			c->rk->rk_lost += len;
			c->rk->rk_marked += len;
		}
		e->f = (uint8_t)((e->f & ~RK_RTX_OUT) | RK_LOST);
	}
	/* the first lost one waiting to go (an older mark may wait before
	 * a new one) */
	for (uint32_t i = 0; i < c->rk->rk_n && c->rk->rk_hint == c->rk->rk_n; i++)
		if ((at(c, i)->f & (RK_LOST | RK_RTX_OUT | RK_SACKED)) == RK_LOST)
			c->rk->rk_hint = i;
	if (reneged) {
		c->rk->rk_sacked = 0;
		c->rk->rk_fack = c->snd_una;
	}
	c->rk->reo_armed = false;
	return reneged;
}

/* An ACK after a timeout, until its recovery point: RACK goes on
 * marking (Linux's tcp_identify_packet_loss in the Loss state, after
 * F-RTO's steps), the reordering timer too; no fast recovery starts. */
void sy_rack_loss_ack(sy_tcb *c)
{
	bool marked;
	sy_time wait;

	if (!sy_rack_on(c) || !c->after_rto || !c->rk || !c->rk->rk_advanced)
		return;
	c->rk->rk_advanced = false;
	wait = detect(c, &marked);
	if (wait)
		arm_reo(c, wait);
}

/* A timeout's reduction undone (Linux's tcp_undo_cwnd_reduction with
 * unmark_loss): no segment is lost any more. */
void sy_rack_unmark(sy_tcb *c)
{
	if (!c->rk)
		return;
	for (uint32_t i = 0; i < c->rk->rk_n; i++)
		at(c, i)->f &= (uint8_t)~RK_LOST;
	c->rk->rk_lost = 0;
	c->rk->rk_hint = c->rk->rk_n;
}

uint32_t sy_rack_pipe(const sy_tcb *c)
{
	int64_t p = (int64_t)sy_tcb_flight(c) - (int64_t)sy_tcb_sb_total(c);

	if (c->rk)
		p += (int64_t)c->rk->rk_rtx - (int64_t)c->rk->rk_lost;

	if (p < 0)
		return 0;
	return p > sy_tcb_flight(c) ? sy_tcb_flight(c) : (uint32_t)p;
}

void sy_rack_free(sy_tcb *c)
{
	if (!c->rk)
		return;
	free(c->rk->rk_v);
	sy_pool_free(c->ep->pool, c->rk);
	c->rk = NULL;
}
