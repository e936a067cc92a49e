/* Spurious retransmissions detected and undone: F-RTO after a timeout
 * (RFC 5682, the SACK-enhanced variant as Linux 6.x runs it with
 * tcp_frto = 2: tcp_enter_loss, tcp_process_loss, tcp_try_undo_loss) and
 * the Eifel detection with timestamps (RFC 3522, the response of RFC
 * 4015 as Linux's tcp_packet_delayed, tcp_try_undo_recovery,
 * tcp_try_undo_partial and tcp_try_undo_loss); the timer profile's `frto`
 * and `ts_undo`.
 *
 * F-RTO.  A timeout out of loss recovery (or one that repeats a timeout
 * with no ACK of new data in between: RFC 5682 3.2) retransmits the
 * first segment as usual, remembers SND.MAX (RFC 5682's "recover", Linux's
 * high_seq) and keeps the SACK scoreboard.  The first ACK that advances
 * SND.UNA below recover (step 2b) sends up to two segments of new data
 * instead of going back, and recover becomes where they begin; if there
 * is none to send, or the peer's window has no room, the usual recovery
 * follows (go-back-N from SND.UNA, SACK information dropped).  At any
 * step an ACK that acknowledges or newly SACKs data below recover that
 * was never retransmitted (Linux's FLAG_ORIG_SACK_ACKED) shows that the
 * originals arrived: the timeout was spurious (step 3b).  The reduction
 * is undone (the cc's SY_CC_RTO_SPURIOUS: cwnd and ssthresh at least what
 * they were before the timeout, as tcp_undo_cwnd_reduction), nothing more
 * is retransmitted and new data follows; counted in frto_spurious.  After
 * the new data, a duplicate ACK or one that SACKs anything new (step
 * 3a) shows the loss was real: go-back-N from SND.UNA, or with RACK the
 * segments the timeout marked lost go while cwnd - pipe allows, the new
 * ones not SACKed (nor marked lost by RACK) counting as in flight, as in
 * Linux.  An ACK covering recover ends F-RTO as well (step 2a).
 *
 * Eifel.  With timestamps, the TSval of the first retransmission of a
 * fast recovery or of a timeout's series is kept (Linux's
 * retrans_stamp); an ACK of new data during the recovery, or up to the
 * recovery point after the timeout, whose TSecr is older (below it,
 * modulo 2^32) was sent for an original transmission: the
 * retransmission was not needed and the reduction is undone in the same
 * way, the recovery ends, and after a timeout the going back stops.
 * During a fast recovery a partial ACK undoes only when no
 * retransmission above it is outstanding (Linux's tcp_try_undo_partial
 * waits for retrans_out to drain); the ACK that ends the recovery always
 * may (tcp_try_undo_recovery).  Counted in ts_undos.  Any other
 * reduction (ECN, a tail loss probe's) ends the chance (cc_signal).
 *
 * The D-SACK undo (dsack.c) of a timeout is taken here too: with every
 * retransmission since the reduction D-SACKed, an ACK of new data undoes
 * it in the same way (Linux's tcp_try_undo_loss with undo_retrans at 0),
 * counted in dsack_undos.
 *
 * Not modelled: after step 3a
 * without RACK, Linux's count of the new segments not yet SACKed among
 * those in flight (going back here sends up to cwnd at once); the
 * reordering degree
 * a partial undo raises (tcp_check_sack_reordering). */

#include "config.h"

#include "tcp_priv.h"

/* ------------------------------------------------------------ Eifel */

void sy_ts_undo_start(sy_tcb *c)
{
	if (!sy_loss(c))
		return;
	c->lr->ts_undo_on = limits(c)->ts_undo && c->ts_ok;
	/* the first retransmission goes now, with this TSval */
	c->lr->rtx_ts = c->lr->ts_undo_on ? sy_tcb_ts_now(c) : 0;
}

/* The reduction was not needed: cwnd and ssthresh come back, the
 * recovery or the going back after the timeout ends. */
static void undo(sy_tcb *c)
{
	if (c->lr) {
		c->lr->ts_undo_on = false;
		c->lr->frto = SY_FRTO_OFF;
	}
	c->undo_on = false;
	if (c->in_recovery) {
		c->in_recovery = false;
		if (c->tx)
			c->tx->reno_sacked = 0;
	}
	if (c->after_rto) {
		/* the originals are in flight: nothing more goes again */
		c->after_rto = false;
		c->snd_nxt = c->snd_max;
		c->retries = 0;
		if (sy_rack_on(c))
			sy_rack_unmark(c);
	}
	if (sy_cco(c))
		cc_signal(c, SY_CC_RTO_SPURIOUS);
}

/* Eifel: an ACK of new data echoing a TSval older than the first
 * retransmission was sent for an original. */
static bool ts_delayed(const sy_tcb *c, const sy_seg *s)
{
	if (!c->lr || !c->lr->ts_undo_on || !(c->in_recovery || c->after_rto) ||
	    !sy_seq_gt(s->ack, c->snd_una) ||
	    !s->opts.has_ts || !s->opts.tsecr || !sy_seq_lt(s->opts.tsecr, c->lr->rtx_ts))
		return false;
	/* a partial ACK with retransmissions above it still out waits */
	return !(c->in_recovery && sy_seq_lt(s->ack, c->recover) &&
		 sy_seq_gt(sy_tcb_high_rxt(c), s->ack));
}

/* ------------------------------------------------------------ F-RTO */

/* SACKed bytes in [frto_rtx, frto_high): originals never retransmitted. */
static uint32_t orig_sacked(const sy_tcb *c)
{
	if (!c->sack_ok || !sy_seq_lt(c->lr->frto_rtx, c->lr->frto_high))
		return 0;
	return (uint32_t)(sy_ranges_below(sy_tcb_sb(c), c->lr->frto_high) -
			  sy_ranges_below(sy_tcb_sb(c), c->lr->frto_rtx));
}

bool sy_frto_timeout(sy_tcb *c, bool fresh)
{
	if (!limits(c)->frto || !fresh) {
		if (c->lr)
			c->lr->frto = SY_FRTO_OFF;
		return false;
	}
	if (!sy_loss(c))
		return false;
	c->lr->frto = SY_FRTO_WAIT;
	c->lr->frto_high = c->snd_max;
	return true;
}

void sy_frto_sent(sy_tcb *c)
{
	if (!c->lr || c->lr->frto == SY_FRTO_OFF)
		return;
	/* with RACK's marks the timeout's retransmission went from the
	 * lost segments (high_rxt), else from SND.NXT gone back */
	c->lr->frto_rtx = sy_rack_on(c) ? sy_tcb_high_rxt(c) : c->snd_nxt;
	c->lr->frto_sacked = orig_sacked(c);
}

/* Back to the usual recovery after a timeout: with RACK the segments
 * the timeout marked lost go (cwnd - pipe allowing, the new data among
 * what is in flight until SACKed), else go-back-N from SND.UNA without
 * the SACK information. */
static void fall_back(sy_tcb *c)
{
	c->lr->frto = SY_FRTO_OFF;
	if (sy_rack_on(c))
		return;
	c->snd_nxt = c->snd_una;
	if (c->tx)
		sy_ranges_clear(&c->tx->sb);
}

/* Step 2b: up to two segments of new data (as cwnd, grown by the ACK,
 * allows: Linux's REXMIT_NEW with cwnd 2 and nothing in flight),
 * whatever the outstanding originals take of it; true if any went. */
static bool send_new(sy_tcb *c)
{
	uint32_t end = data_end(c), seg = sy_tcb_cur_mss(c), mss = sy_tcb_smss(c);
	uint32_t wnd = c->snd_wnd < c->sndbuf ? c->snd_wnd : c->sndbuf;
	uint32_t edge = c->snd_una + wnd, n = c->cc.cwnd / mss;
	bool any = false;

	if (n > 2)
		n = 2;
	if (n < 1)
		n = 1;
	c->snd_nxt = c->snd_max;
	while (n--) {
		uint32_t len = sy_seq_lt(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		uint32_t room = sy_seq_lt(c->snd_nxt, edge) ? edge - c->snd_nxt : 0;
		bool fin;

		if (len > seg)
			len = seg;
		if (len > room)
			len = room;
		fin = c->fin_pending && !c->fin_sent && c->snd_nxt + len == end;
		if (!len && !fin)
			break;
		sy_tcb_send_data(c, c->snd_nxt, len, fin, now_of(c));
		any = true;
	}
	return any;
}

/* F-RTO, step 3b (and Linux's at step 2 too): originals never sent
 * again acknowledged cumulatively (SND.UNA moving to ack) or newly
 * SACKed. */
static bool frto_orig(sy_tcb *c, uint32_t ack)
{
	uint32_t from = sy_seq_gt(c->snd_una, c->lr->frto_rtx) ? c->snd_una : c->lr->frto_rtx;
	uint32_t to = sy_seq_lt(ack, c->lr->frto_high) ? ack : c->lr->frto_high;
	uint32_t sacked = orig_sacked(c);
	bool orig = sy_seq_lt(from, to) || sacked > c->lr->frto_sacked;

	c->lr->frto_sacked = sacked;
	return orig;
}

void sy_undo_check(sy_tcb *c, const sy_seg *s)
{
	if (ts_delayed(c, s)) {
		sy_rare(c)->ts_undos++;
		undo(c);
	} else if (c->after_rto && sy_seq_gt(s->ack, c->snd_una) && sy_dsack_all(c)) {
		/* every retransmission since the reduction D-SACKed, and
		 * an ACK of new data: Linux's tcp_try_undo_loss */
		sy_rare(c)->dsack_undos++;
		undo(c);
	} else if (c->lr && c->lr->frto != SY_FRTO_OFF && frto_orig(c, s->ack)) {
		sy_rare(c)->frto_spurious++;
		undo(c);
	}
}

static void frto_step(sy_tcb *c, uint32_t una0, bool dup, bool sacked_more)
{
	if (!c->lr || c->lr->frto == SY_FRTO_OFF)
		return;
	if (!sy_seq_lt(c->snd_una, c->lr->frto_high)) {
		/* step 2a: everything up to recover acknowledged */
		c->lr->frto = SY_FRTO_OFF;
		return;
	}
	if (c->lr->frto == SY_FRTO_NEW) {
		/* step 3a: the new data arrived, the originals did not */
		if (dup || sacked_more)
			fall_back(c);
		return;
	}
	if (c->snd_una == una0)
		return;
	/* step 2b: recover stays SND.MAX, where the new data begins */
	c->lr->frto_high = c->snd_max;
	if (send_new(c))
		c->lr->frto = SY_FRTO_NEW;
	else
		fall_back(c);
}

void sy_frto_ack(sy_tcb *c, uint32_t una0, bool dup, bool sacked_more)
{
	frto_step(c, una0, dup, sacked_more);
	/* then RACK's marks, as Linux's Loss state has them after F-RTO
	 * (rack.c) */
	sy_rack_loss_ack(c);
}
