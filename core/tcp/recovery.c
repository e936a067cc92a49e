/* The TCP data path's loss recovery: the retransmission timer, the
 * SACK scoreboard, fast retransmit and recovery.
 *
 * Retransmission.  One timer per connection (RFC 6298 5.1-5.3), the RTO
 * from the timer profile's estimator; samples from timestamps when they
 * were negotiated (RFC 7323 4.1), else from one timed segment at a time
 * with Karn's rule.  A timeout backs the RTO off, tells congestion control,
 * and goes back to SND.UNA (go-back-N; SACK information is dropped, as
 * RFC 6675 5.1 permits).  With RACK (rack.c) it keeps the SACK
 * scoreboard instead, as Linux's tcp_enter_loss: what is not SACKed is
 * marked lost, cwnd is what is still in flight plus a segment, and until
 * the recovery point is acknowledged the lost segments go first, then
 * new data, while cwnd - pipe allows.  With the profile's dsack_undo, as
 * Linux's tcp_enter_loss, a timeout during fast recovery before its
 * recovery point does not reduce again: ssthresh, the values an undo
 * restores and the D-SACK undo's episode (dsack.c) stay the recovery's.
 * After the data retry limit or the user timeout
 * the connection is closed with a "timeout" error.  The limit is a count
 * of retransmissions, or (the profile's retries_by_time, as Linux) the
 * time that many timeouts backing off from rto_min would take, counted
 * from the first retransmission of the series; a set
 * user timeout then replaces it, and the timer is shortened so that it
 * fires at that deadline.  An orphan has its own limit (orphan_retries).
 *
 * Loss recovery.  The third duplicate ACK starts fast recovery (RFC 5681
 * 3.2): the first unacknowledged segment is retransmitted and congestion
 * control sets cwnd.  In recovery the sender keeps RFC 6675's pipe (the
 * bytes it believes are in the network) and sends while cwnd - pipe is a
 * segment or more, lost segments first, then new data.  With SACK, a hole
 * is lost when more than two segments' worth of bytes above it are SACKed
 * (IsLost of RFC 6675 4); without SACK, each duplicate ACK stands for one
 * segment that has left the network, and the segment at SND.UNA is the
 * lost one, retransmitted again after each partial ACK (RFC 6582), which
 * is the same arithmetic as NewReno's window inflation.  Recovery ends
 * when an ACK covers the highest sequence number sent when it began; after
 * a timeout, duplicate ACKs below that point do not start a fast
 * retransmit (RFC 6582 4.1).  With SACK, recovery also starts when more
 * than two segments' worth of bytes are SACKed above SND.UNA (RFC 6675 5,
 * step 2).  Limited transmit (RFC 3042) sends a new segment on each of the
 * first two duplicate ACKs, unless turned off.  RFC 6675's rules 3 and 4
 * of NextSeg (the rescue retransmission) are not implemented. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

#define MAX_SB 1024            /* SACK scoreboard ranges kept, at most */

/* ------------------------------------------------------------ scoreboard */

/* The scoreboard is a range set (ranges.h): the SACKed total is a
 * running count, the lost holes and the bytes retransmitted below
 * high_rxt are found by bisection, and only the few ranges within the
 * top two segments' worth of SACKed bytes are walked; nothing per ACK
 * grows with the number of holes. */

uint32_t sy_tcb_sb_total(const sy_tcb *c)
{
	return (uint32_t)sy_ranges_total(sy_tcb_sb(c));
}

/* Drops ranges at or below SND.UNA. */
void sy_tcb_sb_trim(sy_tcb *c)
{
	if (c->tx)
		sy_ranges_trim(&c->tx->sb, c->snd_una);
}

/* Adds [l, r) and merges what touches it.  At most MAX_SB ranges: when
 * full, a range that would be new is dropped if it is the highest, or
 * else replaces the highest. */
static void sb_add(sy_tcb *c, uint32_t l, uint32_t r)
{
	/* (the block is there while something is outstanding) */
	sy_tcb_tx *tx = sy_tx(c, "keeping the SACK scoreboard");
	sy_ranges *s;

	if (!tx)
		return;
	s = &tx->sb;
	if (!sy_ranges_touches(s, l, r)) {
		if (sy_ranges_count(s) >= MAX_SB) {
			if (sy_ranges_upper(s, l) == sy_ranges_count(s))
				return;
			sy_ranges_drop_last(s);
		}
		if ((sy_ranges_full(s) && SY_FAULT(SY_FAULT_SACK)) ||
		    !sy_ranges_reserve(s, MAX_SB)) {
			sy_tcb_oom(c, "growing the SACK scoreboard");
			return;
		}
	}
	sy_ranges_add(s, l, r, NULL);
}

void sy_tcb_sb_update(sy_tcb *c, const sy_seg *s)
{
	uint32_t dl, dr;

	for (unsigned i = 0; i < s->opts.nsack; i++) {
		uint32_t l = s->opts.sack[i][0], r = s->opts.sack[i][1];

		/* only blocks within what is outstanding (a D-SACK or a
		 * bogus block is ignored) */
		if (!sy_seq_lt(l, r) || !sy_seq_lt(c->snd_una, r) ||
		    sy_seq_gt(r, c->snd_max)) {
			if (!sy_seq_lt(l, r) || sy_seq_gt(r, c->snd_max))
				sy_rare(c)->bad_options++;
			continue;
		}
		if (sy_seq_lt(l, c->snd_una))
			l = c->snd_una;
		/* the segments it completes; the first block may be a
		 * D-SACK (rack.c) */
		sy_rack_sack(c, l, r, i == 0 && sy_dsack_block(s, &dl, &dr));
		sb_add(c, l, r);
	}
}

/* The hole below range i of the scoreboard: [*a, return). */
static uint32_t sb_hole(const sy_tcb *c, unsigned i, uint32_t *a)
{
	*a = i ? sy_ranges_at(sy_tcb_sb(c), i - 1)->r : c->snd_una;
	return sy_ranges_at(sy_tcb_sb(c), i)->l;
}

/* The holes below ranges 0 .. return - 1 are lost: more than two
 * segments' worth of bytes above them are SACKed.  The walk goes from
 * the highest range down, summing what is SACKed above, and stops at
 * the first lost hole (all below it are lost too); *kept (if not NULL)
 * gets the bytes of the holes above it, those not lost. */
static unsigned sb_lost_below(const sy_tcb *c, uint32_t *kept)
{
	uint32_t mss = sy_tcb_smss(c), above = 0, a, b;

	if (kept)
		*kept = 0;
	for (unsigned i = sy_ranges_count(sy_tcb_sb(c)); i-- > 0;) {
		const sy_range *g = sy_ranges_at(sy_tcb_sb(c), i);

		above += g->r - g->l;
		if (above > 2 * mss)
			return i + 1;
		b = sb_hole(c, i, &a);
		if (kept)
			*kept += b - a;
	}
	return 0;
}

/* The top of the bytes deemed lost: the left edge of the highest range
 * with a lost hole below it, or SND.UNA. */
uint32_t sy_tcb_lost_top(const sy_tcb *c)
{
	unsigned k = c->sack_ok ? sb_lost_below(c, NULL) : 0;

	/* RACK's marks (rack.c) need not be a prefix of the holes: the
	 * count of bytes marked so far, which moves when a loss is newly
	 * marked, as PRR asks of it */
	if (sy_rack_on(c))
		return c->rk ? c->rk->rk_marked : 0;
	return k ? sy_ranges_at(sy_tcb_sb(c), k - 1)->l : c->snd_una;
}

/* RFC 6675's pipe: bytes outstanding that are neither SACKed nor lost,
 * plus those retransmitted in this recovery. */
uint32_t sy_tcb_pipe(const sy_tcb *c)
{
	uint32_t flight = sy_tcb_flight(c), mss = sy_tcb_smss(c), p, kept, top;
	unsigned n = sy_ranges_count(sy_tcb_sb(c));

	if (!sy_tcb_by_pipe(c))
		return flight;
	if (sy_rack_on(c))
		return sy_rack_pipe(c);
	if (!c->sack_ok) {
		uint32_t head = flight < mss ? flight : mss;

		p = flight - (sy_tcb_reno_sacked(c) < flight - head ? sy_tcb_reno_sacked(c) : flight - head);
		if (!sy_seq_gt(sy_tcb_high_rxt(c), c->snd_una))
			p -= head < p ? head : p; /* lost, not yet resent */
		return p;
	}
	if (!n)
		return flight;
	/* above the highest range, and the holes not lost */
	p = c->snd_max - sy_ranges_at(sy_tcb_sb(c), n - 1)->r;
	sb_lost_below(c, &kept);
	p += kept;
	/* the holes' bytes below high_rxt, lost or not: retransmitted */
	if (sy_seq_gt(sy_tcb_high_rxt(c), c->snd_una)) {
		top = sy_ranges_at(sy_tcb_sb(c), n - 1)->l;
		if (sy_seq_lt(sy_tcb_high_rxt(c), top))
			top = sy_tcb_high_rxt(c);
		p += (top - c->snd_una) - (uint32_t)sy_ranges_below(sy_tcb_sb(c), top);
	}
	return p;
}

bool sy_tcb_by_pipe(const sy_tcb *c)
{
	/* and with SACK during an ECN reduction by PRR (ecn.c): as Linux's
	 * in_flight, SACKed bytes have left the network */
	return c->in_recovery || (c->after_rto && sy_rack_on(c)) ||
	       (c->sack_ok && sy_ecn_in_cwr(c));
}

/* The next lost bytes not yet retransmitted in this recovery, at most a
 * segment: true with *seq and *len set. */
bool sy_tcb_next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin)
{
	uint32_t seg = sy_tcb_cur_mss(c), a, b, from;
	unsigned k;

	*fin = false;
	if (sy_rack_on(c))
		return sy_rack_next_lost(c, seq, len, fin);
	if (!c->sack_ok || !sy_ranges_count(sy_tcb_sb(c))) {
		if (sy_seq_gt(sy_tcb_high_rxt(c), c->snd_una) || c->snd_una == c->snd_max)
			return false;
		/* the first segment: data sent up to a segment, and the
		 * FIN when it follows within the segment */
		*seq = c->snd_una;
		*len = sent_end(c) - c->snd_una;
		if (*len > seg)
			*len = seg;
		*fin = c->fin_sent && *seq + *len == c->fin_seq;
		return true;
	}
	/* the lowest lost hole with bytes at or above high_rxt: the hole
	 * below the first range starting past both high_rxt and SND.UNA */
	from = sy_seq_gt(sy_tcb_high_rxt(c), c->snd_una) ? sy_tcb_high_rxt(c) : c->snd_una;
	k = sy_ranges_after(sy_tcb_sb(c), from);
	if (k >= sb_lost_below(c, NULL))
		return false;
	b = sb_hole(c, k, &a);
	from = sy_seq_gt(sy_tcb_high_rxt(c), a) ? sy_tcb_high_rxt(c) : a;
	*seq = from;
	*len = b - from < seg ? b - from : seg;
	return true;
}

/* ------------------------------------------------------------ output */

/* The retransmission timer: the RTO, or sooner when the user timeout
 * (RFC 9293 3.8.3, RFC 5482) runs out first: counted from the oldest
 * unacknowledged send, or with retries_by_time (Linux's
 * tcp_clamp_rto_to_user_timeout) only once a retransmission went, from
 * rtx_stamp. */
void sy_tcb_arm_rto(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	const sy_timer_limits *lim = limits(c);
	sy_time after = t->rto(st, &c->rtt), uto = lim->user_timeout;
	sy_time from = lim->retries_by_time ? sy_loss_ro(c)->rtx_stamp : c->tx->tx_head;

	if (uto > 0 && c->data_started && (!lim->retries_by_time || c->retries)) {
		sy_time left = from + uto - now_of(c);

		if (left < after)
			after = left > 0 ? left : 0;
	}
	sy_tcb_arm_retrans(c, after);
}

/* The retransmission timeout `after` from now (the RTO, or the SACK
 * reneging timer: input.c).  Every ACK of new data restarts the timer
 * (RFC 6298 5.3).  A timer already due no later than the new deadline is
 * left in place and moved on when it fires (sy_tcb_data_timeout): one
 * event per RTO instead of a cancel and an insert per ACK. */
void sy_tcb_arm_retrans(sy_tcb *c, sy_time after)
{
	c->tx->rto_due = now_of(c) + after;
	if (c->lr)
		c->lr->pto_armed = false; /* the RTO, not a probe timeout (tlp.c) */
	if (c->rk)
		c->rk->reo_armed = false; /* ... nor a reordering timeout (rack.c) */
	if (timer_on(c, SY_TCP_T_RETRANS) &&
	    sy_sim_due(c->ep->sim, sy_tcb_timer_id(c, SY_TCP_T_RETRANS)) <= c->tx->rto_due)
		return;
	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, after);
}

void sy_tcb_enter_recovery(sy_tcb *c)
{
	uint32_t seq, len;
	bool fin;

	/* a probe sent again and still unresolved counts among this
	 * recovery's retransmissions for the undo (dsack.c) */
	uint32_t probe = c->lr && c->lr->tlp_out && c->lr->tlp_retrans ? c->lr->tlp_high - c->lr->tlp_seq : 0;
	/* within an ECN reduction by PRR (ecn.c), as Linux's
	 * tcp_enter_recovery in CWR: no second reduction, PRR's counts
	 * and the recovery point (high_seq) are the reduction's; the
	 * undo episode begins, with nothing to restore */
	bool cwr = sy_ecn_in_cwr(c) && c->lr;
	uint64_t sent0 = c->st.bytes_sent;

	sy_rare(c)->fast_retransmits++;
	c->in_recovery = true;
	if (c->lr)
		c->lr->tlp_out = false; /* the tail loss probe's episode ends */
	c->recover = cwr ? c->lr->ecn_high : c->snd_max;
	/* (a duplicate ACK or a loss found: something is in flight) */
	c->tx->high_rxt = c->snd_una;
	c->tx->reno_sacked = c->sack_ok ? 0 : 3 * sy_tcb_smss(c);
	c->rtt_timing = false;
	if (sy_cco(c) && !cwr)
		cc_signal(c, SY_CC_FAST_RETRANSMIT);
	if (!cwr)
		sy_prr_start(c);
	sy_ecn_recovery(c, cwr);
	sy_undo_start(c, probe);
	sy_ts_undo_start(c);
	/* RACK's first lost segment (rack.c) goes at once */
	if (sy_rack_on(c)) {
		if (sy_rack_next_lost(c, &seq, &len, &fin))
			sy_tcb_send_data(c, seq, len, fin, now_of(c));
		if (c->lr)
			c->lr->prr_first = (uint32_t)(c->st.bytes_sent - sent0);
		return;
	}
	/* the first unacknowledged segment goes at once, whatever pipe
	 * says: what was sent of it, not bytes queued since */
	seq = c->snd_una;
	len = sent_end(c) - seq;
	if (c->sack_ok && sy_ranges_count(sy_tcb_sb(c)) &&
	    sy_seq_lt(sy_ranges_at(sy_tcb_sb(c), 0)->l, seq + len))
		len = sy_ranges_at(sy_tcb_sb(c), 0)->l - seq;
	if (len > sy_tcb_cur_mss(c))
		len = sy_tcb_cur_mss(c);
	fin = c->fin_sent && seq + len == c->fin_seq;
	sy_tcb_send_data(c, seq, len, fin, now_of(c));
	c->tx->high_rxt = seq + len + fin;
	if (c->lr)
		c->lr->prr_first = (uint32_t)(c->st.bytes_sent - sent0);
}

/* ------------------------------------------------------------ timers */

/* The time n retransmissions and the timeout after the last take (n + 1
 * timeouts) when the first timeout is `base` long (rto_min for data,
 * rto_initial for a SYN) and each next one twice the last, at most
 * rto_max (Linux's tcp_model_timeout): the doubling goes on for
 * floor(log2(rto_max / base)) timeouts, then every timeout is rto_max;
 * 15 from 200 ms with 120 s: 1023 * 0.2 s + 6 * 120 s = 924.6 s.
 * Bounded (n <= 255, durations <= a day), so no overflow. */
sy_time sy_tcb_model_timeout(const sy_timer_limits *lim, sy_time base, int64_t n)
{
	sy_time ratio;
	int64_t doublings = 0;

	if (base <= 0)
		base = 1;
	ratio = lim->rto_max / base;

	while (ratio > 1) {
		ratio >>= 1;
		doublings++;
	}
	if (n <= doublings)
		return (((sy_time)2 << n) - 1) * base;
	return (((sy_time)2 << doublings) - 1) * base + (n - doublings) * lim->rto_max;
}

/* R2 of RFC 1122 4.2.3.5: whether this timeout ends the connection
 * instead of retransmitting again. */
static bool retries_exhausted(sy_tcb *c, const sy_timer_limits *lim, sy_time now)
{
	int64_t n = lim->data_retries;
	sy_time uto = lim->user_timeout;

	if (c->orphan && lim->orphan_retries >= 0) {
		const void *st;
		const sy_timers_ops *t = sy_tcb_timers(c, &st);
		/* Linux's tcp_orphan_retries: the default 0 is 8 (over 100 s
		 * from a 200 ms RTO) while the backed-off RTO is below
		 * rto_max, and 0 once it reached it */
		bool alive = t->rto(st, &c->rtt) < lim->rto_max;

		n = lim->orphan_retries ? lim->orphan_retries : alive ? 8 : 0;
	}
	if (!lim->retries_by_time)
		return (int64_t)c->retries >= n || (uto > 0 && now - c->tx->tx_head >= uto);
	/* Linux's retransmits_timed_out: never before a retransmission */
	if (!c->retries)
		return false;
	return now - sy_loss_ro(c)->rtx_stamp >= (uto > 0 ? uto : sy_tcb_model_timeout(lim, lim->rto_min, n));
}

/* SY_TCP_T_RETRANS in synchronized states, SY_TCP_T_DELACK and
 * SY_TCP_T_PERSIST. */
void sy_tcb_data_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = limits(c);
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	sy_time now = now_of(c);
	bool fresh, keep;

	switch (which) {
	case SY_TCP_T_DELACK:
		/* no answer took the ACK along: not interactive after all */
		c->pingpong = 0;
		if (c->caps & SY_TCP_CAP_WINDOW)
			sy_tcb_ack_now(c);
		return;
	case SY_TCP_T_PERSIST: {
		sy_time iv = t->rto(st, &c->rtt);

		if (!can_output(c) || c->snd_una != c->snd_max)
			return;
		if (c->snd_wnd) {
			c->force = true;
			if (c->lr)
				c->lr->persist_shift = 0;
			sy_tcb_output(c);
			c->force = false;
			return;
		}
		/* Linux's tcp_probe_timer: the user timeout counts from
		 * the first probe of this closed window */
		if (lim->user_timeout_probes && lim->user_timeout > 0) {
			if (!sy_loss_ro(c)->persist_shift) {
				if (!sy_loss(c))
					return;
				c->lr->probe_stamp = now;
			} else if (now - sy_loss_ro(c)->probe_stamp >= lim->user_timeout) {
				c->ep->smo->give_up(c, SY_TCP_T_PERSIST);
				return;
			}
		}
		sy_rare(c)->zero_window_probes++;
		sy_tcb_send(c, SY_TCP_ACK, c->snd_una - 1, 0);
		sy_tcb_note(c, SY_TCP_EV_WINDOW_PROBE, c->snd_una - 1, false);
		/* (the block of loss recovery holds the backoff: a probe
		 * counted above allocated it) */
		if (sy_loss(c) && c->lr->persist_shift < 30)
			c->lr->persist_shift++;
		for (unsigned i = 0; i < sy_loss_ro(c)->persist_shift && iv < lim->rto_max; i++)
			iv *= 2;
		if (iv > lim->rto_max)
			iv = lim->rto_max;
		/* ... and the next probe comes no later than its end
		 * (tcp_clamp_probe0_to_user_timeout) */
		if (lim->user_timeout_probes && lim->user_timeout > 0 &&
		    sy_loss_ro(c)->probe_stamp + lim->user_timeout - now < iv)
			iv = sy_loss_ro(c)->probe_stamp + lim->user_timeout - now;
		sy_tcb_timer_set(c, SY_TCP_T_PERSIST, iv);
		return;
	}
	case SY_TCP_T_RETRANS:
		/* a reordering timeout (rack.c) or a tail loss probe's
		 * (tlp.c) comes first */
		if (c->rk && c->rk->reo_armed && sy_rack_timeout(c))
			return;
		if (c->lr && c->lr->pto_armed && sy_tlp_timeout(c))
			return;
		/* restarted since it was set: on to the deadline */
		if (c->tx && now < c->tx->rto_due) {
			sy_tcb_timer_set(c, SY_TCP_T_RETRANS, c->tx->rto_due - now);
			return;
		}
		break;
	default:
		return;
	}
	if (!can_output(c) || c->snd_una == c->snd_max)
		return;
	if (retries_exhausted(c, lim, now)) {
		/* the retry limit, or the user timeout (R2 of RFC 1122
		 * 4.2.3.5): the state machine ends the connection */
		c->ep->smo->give_up(c, SY_TCP_T_RETRANS);
		return;
	}
	/* Linux's retrans_stamp: when the first retransmission of the
	 * series went (tcp_retransmit_skb), not the original send */
	if (!c->retries) {
		if (!sy_loss(c))
			return;
		c->lr->rtx_stamp = now;
	}
	/* F-RTO for a timeout out of recovery, or one that repeats a
	 * timeout (RFC 5682 3.2; Linux's tcp_enter_loss) */
	fresh = (!c->in_recovery && !c->after_rto) || c->retries;
	/* with the profile's dsack_undo, as Linux's tcp_enter_loss: a
	 * timeout during a fast recovery, before its recovery point, keeps
	 * the recovery's reduction (ssthresh, and prior_cwnd and
	 * prior_ssthresh for an undo) and its undo episode, whose
	 * retransmissions now include the timeout's; any other first
	 * timeout reduces and starts an episode of its own */
	keep = lim->dsack_undo && c->in_recovery && sy_seq_lt(c->snd_una, c->recover);
	/* so does one within an ECN reduction by PRR before its window's
	 * end, as Linux's in CWR before high_seq, which ends it (ecn.c) */
	if (sy_ecn_in_cwr(c)) {
		keep = keep || sy_seq_lt(c->snd_una, sy_loss_ro(c)->ecn_high);
		c->ecn &= (uint8_t)~SY_ECN_PRR;
	}
	c->retries++;
	sy_rare(c)->timeouts++;
	t->rtt_backoff(st, &c->rtt);
	if (sy_cco(c) && c->retries == 1 && !keep) {
		cc_signal(c, SY_CC_RTO);
		sy_ts_undo_start(c);
		if (lim->dsack_undo)
			sy_undo_start(c, 0);
	} else {
		c->cc.cwnd = sy_tcb_smss(c);
	}
	c->in_recovery = false;
	c->after_rto = true;
	if (c->lr)
		c->lr->tlp_out = false;
	c->recover = c->snd_max;
	c->dupacks = 0;
	c->tx->reno_sacked = 0;
	if (sy_rack_on(c)) {
		/* RACK's marks: what is not SACKed is lost, and only that
		 * goes again (Linux's tcp_enter_loss), cwnd one segment more
		 * than what is still in flight */
		if (sy_rack_rto(c))
			sy_ranges_clear(&c->tx->sb);
		c->cc.cwnd = sy_rack_pipe(c) + sy_tcb_smss(c);
		c->snd_nxt = c->snd_max;
		sy_frto_timeout(c, fresh);
	} else {
		if (!sy_frto_timeout(c, fresh))
			sy_ranges_clear(&c->tx->sb);
		c->snd_nxt = c->snd_una;
	}
	c->rtt_timing = false;
	c->tx->high_rxt = c->snd_una;
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_output(c);
	sy_frto_sent(c);
	if (!timer_on(c, SY_TCP_T_RETRANS) && c->snd_una != c->snd_max)
		sy_tcb_arm_rto(c);
}
