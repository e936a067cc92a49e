/* Tail Loss Probe (RFC 8985 section 7), the timer profile's `tlp`, as
 * Linux 6.x runs it (tcp_schedule_loss_probe and tcp_send_loss_probe in
 * tcp_output.c, tcp_process_tlp_ack in tcp_input.c).
 *
 * A loss at the end of a flight leaves no later segment to produce
 * duplicate ACKs or SACKs, so only the RTO repairs it.  With SACK, out
 * of recovery and after no timeout (Linux: congestion state Open or CWR,
 * so neither with duplicate ACKs nor SACKed bytes outstanding either),
 * each send of new data and each ACK of new data with data still out
 * puts the retransmission timer at the probe timeout (PTO) instead:
 *   PTO = 2 SRTT, plus rto_min when one segment is out (the peer's
 *         delayed ACK, Linux's tcp_rto_min_us; RFC 8985's WCDelAckT),
 *         plus 2 ms with more (TCP_TIMEOUT_MIN_US); rto_initial (1 s,
 *         TCP_TIMEOUT_INIT) before any RTT sample;
 *   never later than the RTO would fire.
 * When it fires, one segment goes, whatever cwnd says: the next new one
 * if there is one and the peer's window takes it whole, else the last
 * segment sent again (a retransmission, counted as one).  The probe's
 * SND.NXT is TLP.end_seq (Linux's tlp_high_seq); while it is set no other
 * probe goes (a PTO then only gives way to the RTO), and the RTO is
 * restarted from the probe.  A timeout or the start of fast recovery
 * ends the episode.
 *
 * Detection of a loss the probe repaired (RFC 8985 7.4): once an ACK
 * reaches TLP.end_seq, a probe of new data ends the episode; for a
 * retransmission, a D-SACK of the probe's bytes or a duplicate ACK at
 * TLP.end_seq (no data, no window update, nothing newly SACKed) says both
 * copies arrived, and the episode ends with no response; an ACK beyond
 * TLP.end_seq says only the probe arrived: the original was lost, and
 * congestion control reduces cwnd as for ECN (Linux enters CWR:
 * tcp_init_cwnd_reduction, tcp_end_cwnd_reduction, so ssthresh from the
 * algorithm and cwnd = ssthresh, no fast recovery). */

#include "config.h"

#include "tcp_priv.h"

#define PTO_MULTI (2 * SY_MS)  /* Linux's TCP_TIMEOUT_MIN_US */

bool sy_tlp_schedule(sy_tcb *c)
{
	const sy_timer_limits *lim = limits(c);
	uint32_t flight = sy_tcb_flight(c);
	sy_time now = now_of(c), pto;

	if (!lim->tlp || !c->sack_ok || !flight || !can_output(c) ||
	    !sy_tcb_syn_acked(c) || c->in_recovery || c->after_rto ||
	    c->dupacks || sy_ranges_count(sy_tcb_sb(c)))
		return false;
	if (c->rtt.samples) {
		bool one = flight <= sy_tcb_cur_mss(c) + c->fin_sent;

		pto = 2 * c->rtt.srtt + (one ? lim->rto_min : PTO_MULTI);
	} else {
		pto = lim->rto_initial;
	}
	/* no later than the RTO, armed before this */
	if (timer_on(c, SY_TCP_T_RETRANS) && sy_tcb_rto_due(c) > now && sy_tcb_rto_due(c) - now < pto)
		pto = sy_tcb_rto_due(c) - now;
	if (!sy_loss(c))
		return false;
	c->lr->pto_armed = true;
	c->lr->pto_due = now + pto;
	if (timer_on(c, SY_TCP_T_RETRANS) &&
	    sy_sim_due(c->ep->sim, sy_tcb_timer_id(c, SY_TCP_T_RETRANS)) <= c->lr->pto_due)
		return true; /* moved on when it fires (sy_tlp_timeout) */
	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, pto);
	return true;
}

/* The probe: true if a segment went. */
static bool probe(sy_tcb *c, sy_time now)
{
	uint32_t end = data_end(c), seg = sy_tcb_cur_mss(c), seq, len, dend;
	uint32_t wnd = c->snd_wnd < c->sndbuf ? c->snd_wnd : c->sndbuf;
	bool fin;

	c->lr->tlp_retrans = false;
	if (c->snd_nxt == c->snd_max &&
	    (sy_seq_lt(c->snd_nxt, end) || (c->fin_pending && !c->fin_sent))) {
		/* new data, if the window takes the whole segment
		 * (tcp_snd_wnd_test); neither cwnd nor Nagle holds it */
		len = sy_seq_lt(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		if (len > seg)
			len = seg;
		if (sy_seq_le(c->snd_nxt + len, c->snd_una + wnd)) {
			fin = c->fin_pending && !c->fin_sent && c->snd_nxt + len == end;
			if (!len && !fin)
				return false;
			c->lr->tlp_seq = c->snd_nxt;
			sy_tcb_send_data(c, c->snd_nxt, len, fin, now);
			return true;
		}
	}
	/* the last segment sent, again: from where it began (clamped to
	 * what is unacknowledged), at most a segment, with the FIN if
	 * that was sent */
	fin = c->fin_sent;
	dend = sent_end(c);
	seq = c->tx->last_seg; /* (the flight has the block) */
	if (sy_seq_lt(seq, c->snd_una) || sy_seq_gt(seq, dend))
		seq = c->snd_una;
	if (sy_seq_lt(seq, data_seq(c)))
		seq = data_seq(c);
	if (sy_seq_gt(seq, dend))
		return false;
	len = dend - seq;
	if (len > seg) {
		seq = dend - seg;
		len = seg;
	}
	if (!len && !fin)
		return false;
	c->lr->tlp_seq = seq;
	c->lr->tlp_retrans = true;
	sy_tcb_send_data(c, seq, len, fin, now);
	return true;
}

bool sy_tlp_timeout(sy_tcb *c)
{
	sy_time now = now_of(c);

	if (now < c->lr->pto_due) {
		sy_tcb_timer_set(c, SY_TCP_T_RETRANS, c->lr->pto_due - now);
		return true;
	}
	c->lr->pto_armed = false;
	if (!can_output(c) || c->snd_una == c->snd_max)
		return true;
	/* at most one probe per episode; none in recovery or after a
	 * timeout: the RTO where it was due */
	if (c->lr->tlp_out || c->in_recovery || c->after_rto || !probe(c, now)) {
		sy_tcb_timer_set(c, SY_TCP_T_RETRANS, sy_tcb_rto_due(c) > now ? sy_tcb_rto_due(c) - now : 0);
		return true;
	}
	c->lr->tlp_out = true;
	c->lr->tlp_high = c->snd_nxt;
	sy_rare(c)->tlp_probes++;
	/* the RTO from the probe */
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_arm_rto(c);
	return true;
}

/* A D-SACK block (dsack.c) that ends within the probe's bytes. */
static bool dsack_of_probe(const sy_tcb *c, const sy_seg *s)
{
	uint32_t l, r;

	return sy_dsack_block(s, &l, &r) && sy_seq_gt(r, c->lr->tlp_seq) &&
	       sy_seq_le(r, c->lr->tlp_high);
}

bool sy_tlp_dsack_of_probe(const sy_tcb *c, const sy_seg *s)
{
	return c->lr && c->lr->tlp_out && c->lr->tlp_retrans && dsack_of_probe(c, s);
}

/* A SACK block of bytes above SND.UNA that is no D-SACK. */
static bool sacks_data(const sy_tcb *c, const sy_seg *s)
{
	for (unsigned i = 0; i < s->opts.nsack; i++) {
		uint32_t l = s->opts.sack[i][0], r = s->opts.sack[i][1];

		if (i == 0 && dsack_of_probe(c, s))
			continue;
		if (sy_seq_lt(l, r) && sy_seq_gt(r, s->ack) && sy_seq_gt(r, c->snd_una))
			return true;
	}
	return false;
}

void sy_tlp_ack(sy_tcb *c, const sy_seg *s, bool win_update)
{
	if (!c->lr->tlp_out || sy_seq_lt(s->ack, c->lr->tlp_high))
		return;
	if (!c->lr->tlp_retrans || dsack_of_probe(c, s)) {
		/* new data acknowledged, or both copies arrived */
		c->lr->tlp_out = false;
	} else if (sy_seq_gt(s->ack, c->lr->tlp_high)) {
		/* only the probe arrived: the original was lost */
		c->lr->tlp_out = false;
		sy_rare(c)->tlp_recoveries++;
		if (sy_cco(c))
			cc_signal(c, SY_CC_ECN);
	} else if (s->ack == c->snd_una && !s->len && !win_update && !sacks_data(c, s)) {
		/* a duplicate ACK at TLP.end_seq: both arrived */
		c->lr->tlp_out = false;
	}
}
