/* The TCP data path's input: the ACK field of an acceptable segment
 * (RFC 9293 3.10.7.4, fifth step) and the segment text (seventh).
 *
 * Receiving.  In-order text is delivered (counted, and passed on with its
 * bytes when they are real); segments past a gap wait in a sorted queue,
 * trimmed against what is there, and are delivered when the gap fills.
 * The advertised window is the free receive buffer; its right edge never
 * moves back, and moves forward only by at least min(rcvbuf/2, MSS)
 * (receiver-side silly-window avoidance, RFC 9293 3.8.6.2.2); scaled, it
 * is rounded up to the scale's unit within the free buffer.  ACKs are
 * delayed (RFC 1122 4.2.3.2, RFC 5681 4.2): at least every second
 * full-sized segment (the largest seen so far), else after the profile's
 * delack time; at once for a segment out of order, one that fills a gap,
 * a FIN, and a duplicate.  Under the profile's ack_on_read a read sends
 * a delayed ACK at once when more than a receive MSS waits for it, or
 * when the read empties the buffer and short segments do (Linux). */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

/* Drops n acknowledged bytes from the head of the queue: they were all
 * queued, and the queue is empty exactly when nothing is unacknowledged. */
static void sq_drop(sy_tcb *c, uint64_t n)
{
	while (n && sy_sq_head(c)) {
		sy_chunk *k = sy_sq_head(c);
		uint64_t left = k->len - k->off;

		if (n < left) {
			k->off += n;
			n = 0;
			break;
		}
		n -= left;
		sy_sq_unlink_head(c, k);
		sy_pool_free(c->ep->pool, k);
	}
	SY_INVARIANT(n == 0);
	SY_INVARIANT((sy_sq_head(c) == NULL) == (sy_tcp_unacked(c) == 0));
}

/* ------------------------------------------------------------ ACK */

static void notify_sent(sy_tcb *c)
{
	c->t_all_acked = now_of(c);
	if (c->cb && c->cb->sent)
		c->cb->sent(c->cb_ctx, c);
	if (c->want_data && c->ep->dobs)
		c->ep->dobs(c->ep->obs_ctx, c, 0, NULL);
}

static void rtt_take(sy_tcb *c, sy_time r)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	if (r < 0)
		return;
	t->rtt_sample(st, &c->rtt, r);
	if (!c->cc.min_rtt || r < c->cc.min_rtt)
		c->cc.min_rtt = r;
	c->cc.latest_rtt = r;
}

/* The ACK just taken moved SND.UNA up to a SACKed byte: the peer has
 * dropped what it SACKed, which its cumulative ACK would otherwise have
 * covered (RFC 2018 8 allows it; the profile's sack_reneg). */
static bool sack_reneged(const sy_tcb *c)
{
	return limits(c)->sack_reneg && sy_ranges_count(sy_tcb_sb(c)) &&
	       sy_ranges_at(sy_tcb_sb(c), 0)->l == c->snd_una;
}

/* Linux's tcp_check_sack_reneging: the retransmission timer at
 * max(SRTT / 2, 10 ms), each in whole jiffies, in place of the RTO or a
 * probe; if no ACK restores the scoreboard meanwhile, the timeout goes
 * back to SND.UNA and drops the SACK marks (sy_rack_rto, or the
 * scoreboard cleared without RACK). */
static void arm_reneg(sy_tcb *c)
{
	sy_time half = c->rtt.samples ? sy_tcp_jiffies(c->rtt.srtt / 2) : 0;
	sy_time least = sy_tcp_jiffies(10 * SY_MS);

	sy_tcb_arm_retrans(c, half > least ? half : least);
}

bool sy_tcb_ack_in(sy_tcb *c, const sy_seg *s)
{
	sy_time now = now_of(c);
	uint32_t wnd = sy_tcb_seg_wnd(c, s), old_wnd = c->snd_wnd;
	uint32_t mss = sy_tcb_smss(c), una0 = c->snd_una, sacked0, dups0 = sy_rare_ro(c)->dupacks_in;
	bool rec0 = c->in_recovery, dsack = false, reneged = false;

	/* RFC 5961 5.2: an ACK for what was never sent, or below
	 * SND.UNA - MAX.SND.WND (the largest window the peer has offered)
	 * in a synchronized state, is answered and the segment dropped,
	 * its text too: a blind injection must guess the ACK within a
	 * window as well as the sequence number. */
	if (sy_seq_gt(s->ack, c->snd_max) ||
	    (synchronized(c) && sy_seq_lt(s->ack, c->snd_una - c->max_wnd))) {
		sy_tcb_ack_invalid(c, s);
		return true;
	}
	sacked0 = sy_tcb_sacked(c);
	if (c->sack_ok && s->opts.nsack) {
		sy_tcb_sb_update(c, s);
		dsack = sy_dsack_ack(c, s); /* D-SACKs, the undo (dsack.c) */
	}
	/* the send window (RFC 9293 3.10.7.4, fifth, SND.WL1 and WL2); the
	 * profile's wnd_no_shrink takes it as Linux does: from a segment
	 * that acknowledges new data or is newer than the last update, or
	 * else only a wider or a zero window, so that a duplicate ACK never
	 * shrinks it */
	if (limits(c)->wnd_no_shrink ?
	    (sy_seq_gt(s->ack, c->snd_una) || sy_seq_lt(c->snd_wl1, s->seq) ||
	     (c->snd_wl1 == s->seq && (wnd > c->snd_wnd || wnd == 0))) :
	    (sy_seq_lt(c->snd_wl1, s->seq) ||
	     (c->snd_wl1 == s->seq && sy_seq_le(c->snd_wl2, s->ack)))) {
		if (sy_seq_ge(s->ack, c->snd_una)) {
			c->snd_wnd = wnd;
			c->snd_wl1 = s->seq;
			c->snd_wl2 = s->ack;
			if (wnd > c->max_wnd)
				c->max_wnd = wnd;
		}
	}
	if (c->snd_wnd && timer_on(c, SY_TCP_T_PERSIST)) {
		sy_tcb_timer_cancel(c, SY_TCP_T_PERSIST);
		if (c->lr)
			c->lr->persist_shift = 0;
	}
	/* the tail loss probe's episode (RFC 8985 7.4), before SND.UNA
	 * moves */
	if (c->lr && c->lr->tlp_out)
		sy_tlp_ack(c, s, wnd != old_wnd);
	/* the timestamp echoed (Eifel) or F-RTO may show that the
	 * retransmissions were not needed: undone (frto.c) */
	sy_undo_check(c, s);
	if (sy_seq_gt(s->ack, c->snd_una)) {
		uint32_t acked = s->ack - c->snd_una, data = acked;
		sy_time r = -1;

		/* the SYN and the FIN take a sequence number each, and no
		 * byte of data */
		if (!sy_tcb_syn_acked(c))
			data--;
		if (c->fin_sent && s->ack == c->fin_seq + 1)
			data--;
		SY_INVARIANT(data <= acked);
		if (sy_seq_gt(s->ack, c->snd_nxt))
			c->snd_nxt = s->ack;
		if (c->ts_ok && s->opts.has_ts && s->opts.tsecr) {
			/* the echo's age in the TS clock (offset or not),
			 * modulo 2^32; one from the future gives none */
			uint32_t age = sy_tcb_ts_now(c) - s->opts.tsecr;

			if (age < 0x80000000u)
				r = (sy_time)age * SY_MS + now % SY_MS;
		} else if (c->rtt_timing && sy_seq_ge(s->ack, c->tx->rtt_seq))
			r = now - c->rtt_start;
		if (!c->ts_ok && c->rtt_timing && sy_seq_ge(s->ack, c->tx->rtt_seq))
			c->rtt_timing = false;
		if (r >= 0 && (c->retries == 0 || c->ts_ok))
			rtt_take(c, r);
		c->retries = 0;
		c->snd_una = s->ack;
		c->st.bytes_acked += data;
		sq_drop(c, data);
		sy_tcb_sb_trim(c);
		if (c->tx)
			c->tx->tx_head = now;
		c->dupacks = 0;
		c->limited = 0;
		if (c->in_recovery) {
			if (sy_seq_ge(s->ack, c->recover)) {
				c->in_recovery = false;
				if (c->tx) {
					c->tx->reno_sacked = 0;
					sy_ranges_clear(&c->tx->sb);
				}
				if (sy_cco(c)) {
					sy_cc_conn k;

					cc_load(c, &k);
					sy_cco(c)->recovery_exit(sy_ccst(c), &k);
					cc_store(c, &k);
				}
			} else if (!c->sack_ok) {
				/* partial ACK (RFC 6582): the bytes acknowledged
				 * beyond one segment were among those the
				 * duplicate ACKs stood for; the new first
				 * segment is lost */
				uint32_t gone = acked > mss ? acked - mss : 0;
				sy_tcb_tx *tx = c->tx;

				/* (short of the recovery point: some is in
				 * flight, in the block) */
				tx->reno_sacked -= gone < tx->reno_sacked ? gone : tx->reno_sacked;
				tx->high_rxt = c->snd_una;
			} else if (sy_seq_lt(c->tx->high_rxt, c->snd_una)) {
				c->tx->high_rxt = c->snd_una;
			}
			if (c->in_recovery && sy_cco(c))
				cc_ack(c, SY_CC_ACK_PARTIAL, data, r, s);
		} else {
			if (c->after_rto && sy_seq_ge(s->ack, c->recover))
				c->after_rto = false;
			/* an ECN reduction by PRR ends or begins (ecn.c):
			 * meanwhile cwnd does not grow */
			sy_ecn_cwr_ack(c, s);
			if (sy_cco(c) && data)
				cc_ack(c, sy_ecn_in_cwr(c) ? SY_CC_ACK_PARTIAL : SY_CC_ACK_NEW,
				       data, r, s);
		}
		if (c->snd_una == c->snd_max) {
			sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
			sy_tx_release(c);
		} else if (sack_reneged(c)) {
			reneged = true;
			arm_reneg(c);
		} else {
			sy_tcb_arm_rto(c);
			/* or the probe timeout before it (RFC 8985 7.2) */
			sy_tlp_schedule(c);
		}
		if (data && sy_tcp_unacked(c) == 0)
			notify_sent(c);
	} else if (s->ack == c->snd_una && s->len == 0 &&
		   !(s->flags & (SY_TCP_SYN | SY_TCP_FIN)) && wnd == old_wnd &&
		   c->snd_una != c->snd_max && sy_tcb_syn_acked(c) &&
		   !(dsack && sy_tcb_sacked(c) == sacked0)) {
		/* a duplicate ACK (RFC 5681 2); none while our SYN is
		 * what is outstanding: no data has gone, nor for a D-SACK
		 * that SACKs nothing new (RFC 6675 2: DupAcks carry new
		 * SACK information; Linux stays Open) */
		sy_rare(c)->dupacks_in++;
		c->dupacks++;
		if (sy_cco(c))
			cc_ack(c, SY_CC_ACK_DUP, 0, -1, s);
		if (c->in_recovery) {
			if (!c->sack_ok && c->tx->reno_sacked < sy_tcb_flight(c))
				c->tx->reno_sacked += mss;
		} else if (c->after_rto && sy_seq_lt(s->ack, c->recover)) {
			/* RFC 6582 4.1: no fast retransmit for duplicates
			 * of what the timeout sent again */
		} else if (!sy_rack_on(c) &&
			   (c->dupacks >= 3 ||
			    (c->sack_ok && sy_tcb_sb_total(c) > 2 * mss))) {
			/* the third duplicate ACK, or RFC 6675 5 (2): more
			 * than two segments SACKed above SND.UNA (with RACK
			 * its loss marks alone start recovery, below) */
			c->limited = 0;
			sy_tcb_enter_recovery(c);
		} else if (c->dupacks <= 2 && c->limited_transmit) {
			/* RFC 3042: a new segment for each of the first two */
			c->limited = (uint8_t)c->dupacks;
		}
	}
	sy_rack_ack(c, s, dsack, rec0, reneged);
	/* ... or an echo on an ACK of no new data begins one */
	sy_ecn_cwr_ack(c, s);
	/* RFC 9937's DeliveredData: what SND.UNA and the SACKed bytes
	 * moved, one segment for the duplicate ACK that began recovery
	 * without SACK, or for one during an ECN reduction (Linux counts
	 * it SACKed, tcp_add_reno_sack) (prr.c) */
	if (c->in_recovery || sy_ecn_in_cwr(c))
		sy_prr_ack(c, !c->sack_ok && ((!rec0 && c->in_recovery) ||
					     (!c->in_recovery && sy_rare_ro(c)->dupacks_in != dups0)) ? mss :
			   (int64_t)(c->snd_una - una0) + sy_tcb_sacked(c) - (int64_t)sacked0,
			   c->snd_una != una0, !rec0 && c->in_recovery);
	sy_ecn_ack_in(c, s);
	/* F-RTO's steps after a timeout (frto.c) */
	sy_frto_ack(c, una0, sy_rare_ro(c)->dupacks_in != dups0, sy_tcb_sacked(c) > sacked0);
	send_check(c);
	return false;
}

/* ------------------------------------------------------------ text */

/* In-order text: RCV.NXT advances past it. */
static void advance(sy_tcb *c, uint32_t len)
{
	if (c->t_first_rx < 0)
		c->t_first_rx = now_of(c);
	c->rcv_nxt += len;
	c->rcv_wnd = sy_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	c->st.bytes_received += len;
	if (!c->autoread && !c->shut_rd)
		c->rcv_unread += len;
}

/* ... and goes to the user.  The ACK policy has been applied by then, so
 * that a segment the user sends from its callback carries the ACK. */
static void deliver(sy_tcb *c, uint32_t len, const unsigned char *bytes)
{
	if (c->shut_rd)
		return;  /* shut for reading: acknowledged and discarded */
	if (!c->autoread)
		sy_tcb_rq_add(c, len, bytes);
	if (c->cb && c->cb->data)
		c->cb->data(c->cb_ctx, c, len, bytes);
	if (c->want_data && c->ep->dobs)
		c->ep->dobs(c->ep->obs_ctx, c, len, bytes);
}

/* Queues [seq, seq + len) past a gap, trimmed against what is queued.
 * The blocks of contiguous segments (rx->ooo_blocks) find where each new
 * piece goes by bisection: the piece follows the last segment of the
 * block below it, so nothing walks the queue. */
static void ooo_insert(sy_tcb *c, uint32_t seq, uint32_t len, const unsigned char *bytes)
{
	static const char what[] = "queueing an out-of-order segment";
	sy_tcb_rx *rx = sy_rx(c, what);
	sy_ranges *rs;

	if (!rx)
		return;
	rs = &rx->ooo_blocks;
	if (!rx->ooo) {
		/* The SACK order starts afresh: the arrivals before the
		 * queue last emptied all lie below RCV.NXT, where no block
		 * is (until 2 GiB or more have arrived in order since, when
		 * such a start may fall in a new block by the wrap of
		 * sequence numbers: a coincidence, not a recent arrival). */
		rx->recent_ooo[0] = rx->recent_ooo[1] = seq;
	} else if (seq != rx->last_ooo) {
		rx->recent_ooo[1] = rx->recent_ooo[0];
		rx->recent_ooo[0] = rx->last_ooo;
	}
	rx->last_ooo = seq;
	while (len) {
		unsigned i = sy_ranges_upper(rs, seq);
		const sy_range *g = i < sy_ranges_count(rs) ? sy_ranges_at(rs, i) : NULL;
		sy_ooo *n, *prev;
		uint32_t take;

		/* trim what is covered */
		if (g && sy_seq_le(g->l, seq)) {
			uint32_t d = g->r - seq;

			sy_dsack_note(c, seq, seq + (d < len ? d : len));
			if (d >= len)
				return;
			seq += d;
			len -= d;
			if (bytes)
				bytes += d;
			continue;
		}
		/* a piece before block i (or at the end) */
		take = g && sy_seq_lt(g->l, seq + len) ? g->l - seq : len;
		if (!sy_ranges_touches(rs, seq, seq + take) && !sy_ranges_reserve(rs, 0))
			n = NULL;
		else
			n = SY_FAULT(SY_FAULT_OOO) ? NULL :
			    sy_pool_alloc(c->ep->pool, sizeof *n + (bytes ? take : 0));
		if (!n) {
			sy_tcb_oom(c, what);
			sy_rx_release(c);
			return;
		}
		n->seq = seq;
		n->len = take;
		n->bytes = bytes ? (unsigned char *)(n + 1) : NULL;
		if (bytes)
			memcpy(n->bytes, bytes, take);
		prev = i ? sy_ranges_at(rs, i - 1)->tag : NULL;
		n->next = prev ? prev->next : rx->ooo;
		if (prev)
			prev->next = n;
		else
			rx->ooo = n;
		sy_ranges_add(rs, seq, seq + take, n);
		seq += take;
		len -= take;
		if (bytes)
			bytes += take;
	}
}

/* Delivers queued segments that the gap's filling made in order.  The
 * block is looked up again after each delivery, which may read what is
 * unread (and so free the block once the queue is empty). */
static void ooo_pull(sy_tcb *c)
{
	sy_tcb_rx *rx;

	while ((rx = c->rx) && rx->ooo && sy_seq_le(rx->ooo->seq, c->rcv_nxt)) {
		sy_ooo *q = rx->ooo;
		uint32_t d = c->rcv_nxt - q->seq;

		rx->ooo = q->next;
		sy_ranges_trim(&rx->ooo_blocks, q->seq + q->len);
		if (d < q->len) {
			advance(c, q->len - d);
			c->ack_now = true;
			deliver(c, q->len - d, q->bytes ? q->bytes + d : NULL);
		}
		sy_pool_free(c->ep->pool, q);
		sy_rx_release(c);
		if (c->state == SY_TCP_CLOSED)
			return;
	}
}

/* Quick-ACK mode (the profile's quickack, Linux's tcp_incr_quickack):
 * the next ACKs go at once, as many as half the window last advertised
 * in segments (2 when that is none) and at most quickack. */
static void quick_enter(sy_tcb *c)
{
	uint32_t q = (uint32_t)limits(c)->quickack, n;

	if (!q)
		return;
	n = (c->rcv_adv - c->rcv_wup) / (2 * c->rcv_mss);
	if (n == 0)
		n = 2;
	if (n > q)
		n = q;
	if (n > UINT16_MAX)
		n = UINT16_MAX; /* the count saturates (tcb.h) */
	if (n > c->quick)
		c->quick = (uint16_t)n;
}

/* The profile's ack_on_read counts the short in-order segments since the
 * last ACK, as Linux's tcp_measure_rcv_mss sets ICSK_ACK_PUSHED and
 * PUSHED2: one shorter than the receive MSS estimate, unless it has the
 * size of the segment before it and that size can be a path's MSS (536
 * bytes with the header, or 88 without PSH, FIN, SYN or URG). */
static void measure_pushed(sy_tcb *c, const sy_seg *s)
{
	uint32_t prev = c->rcv_last_size, extra, len = s->len;

	c->rcv_last_size = 0;
	if (len >= c->rcv_mss)
		return;
	/* the header beyond the 20 bytes and the timestamps every
	 * segment carries: SACK blocks, as NOP, NOP, kind, length */
	extra = s->opts.nsack ? 4 + 8 * (uint32_t)s->opts.nsack : 0;
	if (len + extra + 20 >= 536 + 20 ||
	    (len + extra + 20 >= 88 + 20 &&
	     !(s->flags & (SY_TCP_PSH | SY_TCP_FIN | SY_TCP_SYN | SY_TCP_URG)))) {
		c->rcv_last_size = len + extra;
		if (len + extra == prev)
			return;
	}
	if (c->rcv_pushed < 2)
		c->rcv_pushed++;
}

/* A full-sized segment tells the memory a segment costs (rcv_ratio,
 * Linux's tcp_measure_rcv_mss updating scaling_ratio): the window's
 * share of the buffer changes, and under rcv_grow its clamp with it
 * (tcp_set_window_clamp). */
static void ratio_take(sy_tcb *c)
{
	const sy_timer_limits *l = limits(c);
	uint32_t old = c->rcv_ratio ? c->rcv_ratio : (uint32_t)l->rcv_ratio_initial, clamp;

	c->rcv_ratio = (uint32_t)l->rcv_ratio;
	if (!l->rcv_grow || c->rcv_ratio == old || !c->data_started)
		return;
	clamp = sy_tcb_rcv_full(c);
	if (clamp < c->rcv_clamp) {
		c->rcv_clamp = clamp;
	} else if (clamp > c->rcv_clamp) {
		uint32_t last = c->rcv_adv - c->rcv_wup;

		c->rcv_clamp = clamp;
		if (last > clamp)
			last = clamp;
		if (last > c->rcv_ssthresh)
			c->rcv_ssthresh = last;
	}
	if (c->rcv_ssthresh > c->rcv_clamp)
		c->rcv_ssthresh = c->rcv_clamp;
}

/* rcv_grow: an in-order segment of at least 128 bytes lets the window
 * grow by two MSS (or twice its length) towards what the clamp and the
 * free memory allow, and its ACK goes at once (Linux's tcp_grow_window:
 * icsk_ack.quick |= 1, which also keeps an even count of quick ACKs
 * from falling).  Growth needs segments that cost no more memory than
 * the window's share assumes. */
static void window_grow(sy_tcb *c, uint32_t len)
{
	const sy_timer_limits *l = limits(c);
	uint32_t free = sy_tcb_rcv_free(c), cap, incr;
	uint32_t r = c->rcv_ratio ? c->rcv_ratio : (uint32_t)l->rcv_ratio_initial;

	cap = c->rcv_clamp < free ? c->rcv_clamp : free;
	if (len < 128 || cap <= c->rcv_ssthresh || r > (uint32_t)l->rcv_ratio)
		return;
	incr = 2 * c->mss_local > 2 * len ? 2 * c->mss_local : 2 * len;
	c->rcv_ssthresh += cap - c->rcv_ssthresh < incr ? cap - c->rcv_ssthresh : incr;
	c->quick |= 1;
}

/* rcv_grow: whether the ACK goes now (Linux's __tcp_ack_snd_check):
 * more than a receive MSS unacknowledged and a window that would not
 * shrink, or quick-ACK mode, which a low window has ended; else the
 * delayed ACK. */
static void grow_ack_check(sy_tcb *c)
{
	bool low = false;

	if (c->rcv_nxt - c->rcv_wup > c->rcv_mss &&
	    sy_tcb_rcv_select(c, &low) >= c->rcv_adv - c->rcv_wup)
		c->ack_now = true;
	if (low)
		c->quick = 0;
	if (limits(c)->delack == 0 || (c->quick && !in_pingpong(c)))
		c->ack_now = true;
	if (!c->ack_now && !timer_on(c, SY_TCP_T_DELACK))
		sy_tcb_timer_set(c, SY_TCP_T_DELACK, limits(c)->delack);
}

static void text_in(sy_tcb *c, const sy_seg *s);

void sy_tcb_text_in(sy_tcb *c, const sy_seg *s)
{
	text_in(c, s);
	if (c->state != SY_TCP_CLOSED)
		recv_check(c);
}

static void text_in(sy_tcb *c, const sy_seg *s)
{
	uint32_t seq = s->seq + !!(s->flags & SY_TCP_SYN), len = s->len, right;
	const unsigned char *b = s->data;

	if (!len || !(c->caps & SY_TCP_CAP_RECV) || !c->data_started)
		return;
	sy_ecn_cwr_in(c, s);
	if (sy_seq_lt(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		sy_dsack_note(c, seq, seq + (d < len ? d : len));
		if (d >= len) {
			if (len)
				sy_rare(c)->bytes_duplicate += len;
			/* our ACK was lost or late: ACK quickly again, and
			 * not as an interactive connection */
			quick_enter(c);
			c->pingpong = 0;
			if (limits(c)->rcv_grow)
				grow_ack_check(c); /* a low window holds it back */
			else
				c->ack_now = true;
			return;
		}
		sy_rare(c)->bytes_duplicate += d;
		seq += d;
		len -= d;
		if (b)
			b += d;
		c->ack_now = true;
	}
	right = c->rcv_nxt + c->rcv_wnd;
	if (!sy_seq_lt(seq, right)) {
		c->ack_now = true;
		return;
	}
	if (sy_seq_gt(seq + len, right))
		len = right - seq;
	if (sy_tcb_abort_on_data(c, s, seq, len))
		return;
	if (seq == c->rcv_nxt)
		measure_pushed(c, s);
	if (s->len > c->rcv_mss) {
		c->rcv_mss = s->len;
		ratio_take(c);
	}
	sy_ecn_ce_in(c, s);
	if (seq != c->rcv_nxt) {
		sy_rare(c)->segments_ooo++;
		ooo_insert(c, seq, len, b);
		c->ack_now = true;
		return;
	}
	advance(c, len);
	c->data_rx_at = now_of(c);
	if (sy_tcb_ooo(c)) {
		c->ack_now = true;
		deliver(c, len, b);
		if (c->state != SY_TCP_CLOSED)
			ooo_pull(c);
		return;
	}
	c->rcv_unacked += len;
	if (!c->quick_started) {
		c->quick_started = true;
		quick_enter(c);
	}
	if (limits(c)->rcv_grow) {
		window_grow(c, len);
		grow_ack_check(c);
	} else if (c->rcv_unacked >= 2 * c->rcv_mss || limits(c)->delack == 0 ||
		   (c->quick && !in_pingpong(c))) {
		c->ack_now = true;
	} else if (!timer_on(c, SY_TCP_T_DELACK)) {
		sy_tcb_timer_set(c, SY_TCP_T_DELACK, limits(c)->delack);
	}
	deliver(c, len, b);
}

bool sy_tcb_fin_in(sy_tcb *c, const sy_seg *s)
{
	const sy_timer_limits *l = limits(c);

	if (s->seq + !!(s->flags & SY_TCP_SYN) + s->len != c->rcv_nxt) {
		c->ack_now = true;
		return false; /* past a gap it waits; the ACK says what is missing */
	}
	/* fin_delack: the FIN that ends ESTABLISHED waits for a delayed ACK
	 * that the application's FIN may carry (Linux's tcp_fin) */
	if (l->fin_delack && l->delack > 0 &&
	    (c->state == SY_TCP_ESTABLISHED || c->state == SY_TCP_SYN_RECEIVED)) {
		if (!c->ack_now && !timer_on(c, SY_TCP_T_DELACK))
			sy_tcb_timer_set(c, SY_TCP_T_DELACK, l->delack);
	} else {
		c->ack_now = true;
	}
	c->rcv_nxt++;
	c->rcv_adv++;
	c->fin_rcvd = true;
	return true;
}

uint32_t sy_tcp_consume(sy_tcb *c, uint32_t n)
{
	uint32_t edge, step;

	if (n > c->rcv_unread)
		n = c->rcv_unread;
	if (!n)
		return 0;
	c->rcv_unread -= n;
	sy_tcb_rq_drop(c, n);
	if (!(c->caps & SY_TCP_CAP_WINDOW) || !c->data_started)
		return n;
	/* ack_on_read: the delayed ACK goes now if more than a receive MSS
	 * waits for it, or if the read emptied the buffer (nothing out of
	 * order either) and short segments wait: two, or one outside
	 * interactive mode (Linux's tcp_cleanup_rbuf) */
	if (limits(c)->ack_on_read && !c->shut_rd && timer_on(c, SY_TCP_T_DELACK) &&
	    (c->rcv_unacked > c->rcv_mss ||
	     (!c->rcv_unread && !sy_tcb_ooo(c) &&
	      (c->rcv_pushed >= 2 || (c->rcv_pushed && !in_pingpong(c)))))) {
		sy_tcb_ack_now(c);
		return n;
	}
	/* A window update when the right edge the next segment would
	 * advertise, as its window field encodes it, moves by at least
	 * min(RCV.BUFF/2, MSS) (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3).
	 * Free space the field cannot show (past 65535 unscaled, or within
	 * a scale unit) is no update: the ACK would repeat the previous one
	 * and count as a duplicate at the sender (RFC 5681 2). */
	if (limits(c)->rcv_grow) {
		/* Linux's tcp_cleanup_rbuf: an update when the window left
		 * is at most half the largest and the new one at least twice
		 * it */
		uint32_t left = sy_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
		bool low;

		if (!c->shut_rd && 2 * (uint64_t)left <= c->rcv_clamp) {
			uint32_t w = sy_tcb_rcv_select(c, &low);

			if (w && w >= 2 * (uint64_t)left)
				sy_tcb_ack_now(c);
		}
		return n;
	}
	edge = sy_tcb_adv_edge(c);
	step = c->rcvbuf / 2 < c->mss_local ? c->rcvbuf / 2 : c->mss_local;
	if (sy_seq_gt(edge, c->rcv_adv) && edge - c->rcv_adv >= step)
		sy_tcb_ack_now(c);
	return n;
}
