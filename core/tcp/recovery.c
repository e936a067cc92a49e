/* The TCP data path's loss recovery: the retransmission timer, the
 * SACK scoreboard, fast retransmit and recovery.
 *
 * Retransmission.  One timer per connection (RFC 6298 5.1-5.3), the RTO
 * from the timer profile's estimator; samples from timestamps when they
 * were negotiated (RFC 7323 4.1), else from one timed segment at a time
 * with Karn's rule.  A timeout backs the RTO off, tells congestion control,
 * and goes back to SND.UNA (go-back-N; SACK information is dropped, as
 * RFC 6675 5.1 permits); after the data retry limit or the user timeout
 * the connection is closed with a "timeout" error.
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

uint32_t sy_tcb_sb_total(const sy_tcb *c)
{
	uint32_t n = 0;

	for (int i = 0; i < c->nsb; i++)
		n += c->sb[i][1] - c->sb[i][0];
	return n;
}

/* Drops ranges at or below SND.UNA. */
void sy_tcb_sb_trim(sy_tcb *c)
{
	int k = 0;

	for (int i = 0; i < c->nsb; i++) {
		if (sy_seq_le(c->sb[i][1], c->snd_una))
			continue;
		if (sy_seq_lt(c->sb[i][0], c->snd_una))
			c->sb[i][0] = c->snd_una;
		c->sb[k][0] = c->sb[i][0];
		c->sb[k][1] = c->sb[i][1];
		k++;
	}
	c->nsb = (uint16_t)k;
}

/* Adds [l, r) and merges what touches it. */
static void sb_add(sy_tcb *c, uint32_t l, uint32_t r)
{
	int i, j;

	if (c->nsb == c->sb_cap && c->sb_cap < MAX_SB) {
		unsigned cap = c->sb_cap ? 2u * c->sb_cap : 8;
		uint32_t (*sb)[2] = SY_FAULT(SY_FAULT_SACK) ? NULL :
				    realloc(c->sb, cap * sizeof *sb);

		if (!sb) {
			sy_tcb_oom(c, "growing the SACK scoreboard");
			return;
		}
		c->sb = sb;
		c->sb_cap = (uint16_t)cap;
	}
	if (!c->sb)
		return;
	for (i = 0; i < c->nsb && sy_seq_lt(c->sb[i][1], l); i++)
		;
	/* ranges i.. that overlap or touch [l, r) merge into it */
	for (j = i; j < c->nsb && sy_seq_le(c->sb[j][0], r); j++) {
		if (sy_seq_lt(c->sb[j][0], l))
			l = c->sb[j][0];
		if (sy_seq_gt(c->sb[j][1], r))
			r = c->sb[j][1];
	}
	if (j == i && c->nsb == c->sb_cap) {
		if (i == c->nsb)
			return; /* full: the highest range is dropped */
		c->nsb--;
	}
	memmove(c->sb + i + 1, c->sb + j, (size_t)(c->nsb - j) * sizeof *c->sb);
	c->nsb = (uint16_t)(c->nsb - (j - i) + 1);
	c->sb[i][0] = l;
	c->sb[i][1] = r;
}

void sy_tcb_sb_update(sy_tcb *c, const sy_seg *s)
{
	for (unsigned i = 0; i < s->opts.nsack; i++) {
		uint32_t l = s->opts.sack[i][0], r = s->opts.sack[i][1];

		/* only blocks within what is outstanding (a D-SACK or a
		 * bogus block is ignored) */
		if (!sy_seq_lt(l, r) || !sy_seq_lt(c->snd_una, r) ||
		    sy_seq_gt(r, c->snd_max)) {
			if (!sy_seq_lt(l, r) || sy_seq_gt(r, c->snd_max))
				c->st.bad_options++;
			continue;
		}
		if (sy_seq_lt(l, c->snd_una))
			l = c->snd_una;
		sb_add(c, l, r);
	}
}

/* RFC 6675's pipe: bytes outstanding that are neither SACKed nor lost,
 * plus those retransmitted in this recovery.  A hole is lost when more
 * than two segments' worth of bytes above it are SACKed; the walk goes
 * from the highest range down, summing what is SACKed above. */
uint32_t sy_tcb_pipe(const sy_tcb *c)
{
	uint32_t flight = sy_tcb_flight(c), mss = sy_tcb_smss(c), p, above = 0;

	if (!c->in_recovery)
		return flight;
	if (!c->sack_ok) {
		uint32_t head = flight < mss ? flight : mss;

		p = flight - (c->reno_sacked < flight - head ? c->reno_sacked : flight - head);
		if (!sy_seq_gt(c->high_rxt, c->snd_una))
			p -= head < p ? head : p; /* lost, not yet resent */
		return p;
	}
	if (!c->nsb)
		return flight;
	p = c->snd_max - c->sb[c->nsb - 1][1];
	for (int i = c->nsb - 1; i >= 0; i--) {
		uint32_t a = i ? c->sb[i - 1][1] : c->snd_una, b = c->sb[i][0];

		above += c->sb[i][1] - c->sb[i][0];
		if (above <= 2 * mss)
			p += b - a;
		if (sy_seq_gt(c->high_rxt, a))
			p += (sy_seq_lt(c->high_rxt, b) ? c->high_rxt : b) - a;
	}
	return p;
}

/* The next lost bytes not yet retransmitted in this recovery, at most a
 * segment: true with *seq and *len set. */
bool sy_tcb_next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin)
{
	uint32_t mss = sy_tcb_smss(c), seg = sy_tcb_cur_mss(c), above = 0;
	bool found = false;

	*fin = false;
	if (!c->sack_ok || !c->nsb) {
		if (sy_seq_gt(c->high_rxt, c->snd_una) || c->snd_una == c->snd_max)
			return false;
		/* the first segment: data up to a segment, and the FIN when
		 * it follows within the segment */
		*seq = c->snd_una;
		*len = data_end(c) - c->snd_una;
		if (*len > seg)
			*len = seg;
		*fin = c->fin_sent && *seq + *len == c->fin_seq;
		return true;
	}
	/* the lowest lost hole with bytes at or above high_rxt */
	for (int i = c->nsb - 1; i >= 0; i--) {
		uint32_t a = i ? c->sb[i - 1][1] : c->snd_una, b = c->sb[i][0], from;

		above += c->sb[i][1] - c->sb[i][0];
		if (above <= 2 * mss)
			continue;
		from = sy_seq_gt(c->high_rxt, a) ? c->high_rxt : a;
		if (sy_seq_lt(from, b)) {
			*seq = from;
			*len = b - from < seg ? b - from : seg;
			found = true;
		}
	}
	return found;
}

/* ------------------------------------------------------------ output */

/* The retransmission timer: the RTO, or sooner when the user timeout
 * (RFC 9293 3.8.3, RFC 5482) runs out first. */
void sy_tcb_arm_rto(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	sy_time after = t->rto(st, &c->rtt), uto = limits(c)->user_timeout;

	if (uto > 0 && c->data_started) {
		sy_time left = c->tx_head + uto - now_of(c);

		if (left < after)
			after = left > 0 ? left : 0;
	}
	/* Every ACK of new data restarts the timer (RFC 6298 5.3).  A timer
	 * already due no later than the new deadline is left in place and
	 * moved on when it fires (sy_tcb_data_timeout): one event per RTO
	 * instead of a cancel and an insert per ACK. */
	c->rto_due = now_of(c) + after;
	if (timer_on(c, SY_TCP_T_RETRANS) &&
	    sy_sim_due(c->ep->sim, c->timer[SY_TCP_T_RETRANS]) <= c->rto_due)
		return;
	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, after);
}

void sy_tcb_enter_recovery(sy_tcb *c)
{
	uint32_t seq, len;
	bool fin;

	c->st.fast_retransmits++;
	c->in_recovery = true;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	c->reno_sacked = c->sack_ok ? 0 : 3 * sy_tcb_smss(c);
	c->rtt_timing = false;
	if (c->cco)
		cc_signal(c, SY_CC_FAST_RETRANSMIT);
	/* the first unacknowledged segment goes at once, whatever pipe says */
	seq = c->snd_una;
	len = data_end(c) - seq;
	if (c->sack_ok && c->nsb && sy_seq_lt(c->sb[0][0], seq + len))
		len = c->sb[0][0] - seq;
	if (len > sy_tcb_cur_mss(c))
		len = sy_tcb_cur_mss(c);
	fin = c->fin_sent && seq + len == c->fin_seq;
	sy_tcb_send_data(c, seq, len, fin, now_of(c));
	c->high_rxt = seq + len + fin;
}

/* ------------------------------------------------------------ timers */

/* SY_TCP_T_RETRANS in synchronized states, SY_TCP_T_DELACK and
 * SY_TCP_T_PERSIST. */
void sy_tcb_data_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = limits(c);
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	sy_time now = now_of(c);

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
			c->persist_shift = 0;
			sy_tcb_output(c);
			c->force = false;
			return;
		}
		c->st.zero_window_probes++;
		sy_tcb_send(c, SY_TCP_ACK, c->snd_una - 1, 0);
		if (c->persist_shift < 30)
			c->persist_shift++;
		for (unsigned i = 0; i < c->persist_shift && iv < lim->rto_max; i++)
			iv *= 2;
		if (iv > lim->rto_max)
			iv = lim->rto_max;
		sy_tcb_timer_set(c, SY_TCP_T_PERSIST, iv);
		return;
	}
	case SY_TCP_T_RETRANS:
		/* restarted since it was set: on to the deadline */
		if (now < c->rto_due) {
			sy_tcb_timer_set(c, SY_TCP_T_RETRANS, c->rto_due - now);
			return;
		}
		break;
	default:
		return;
	}
	if (!can_output(c) || c->snd_una == c->snd_max)
		return;
	if ((int64_t)c->retries >= lim->data_retries ||
	    (lim->user_timeout > 0 && now - c->tx_head >= lim->user_timeout)) {
		/* the retry limit, or the user timeout (R2 of RFC 1122
		 * 4.2.3.5): the state machine ends the connection */
		c->ep->smo->give_up(c, SY_TCP_T_RETRANS);
		return;
	}
	c->retries++;
	c->st.timeouts++;
	t->rtt_backoff(st, &c->rtt);
	if (c->cco && c->retries == 1) {
		cc_signal(c, SY_CC_RTO);
	} else {
		c->cc.cwnd = sy_tcb_smss(c);
	}
	c->in_recovery = false;
	c->after_rto = true;
	c->recover = c->snd_max;
	c->dupacks = 0;
	c->reno_sacked = 0;
	c->nsb = 0;
	c->rtt_timing = false;
	c->snd_nxt = c->snd_una;
	c->high_rxt = c->snd_una;
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_output(c);
	if (!timer_on(c, SY_TCP_T_RETRANS) && c->snd_una != c->snd_max)
		sy_tcb_arm_rto(c);
}
