/* D-SACK (RFC 2883): the receiver's reports of segments that arrived
 * again, the timer profile's `dsack` (Linux's tcp_dsack, 1 by default),
 * and the sender's use of them, the profile's `dsack_undo` (RFC 3708, as
 * Linux 6.x's tcp_check_dsack, undo_retrans and tcp_try_undo_dsack in
 * tcp_input.c).
 *
 * The receiver.  Data that arrives again, below RCV.NXT or within what
 * the reassembly queue holds, is named in the first SACK block of the
 * next ACK (which goes at once), before the blocks of the queue (RFC 2883
 * 4); a second duplicate before that ACK extends the block when it
 * touches it, else the first one stays (Linux's tcp_dsack_extend).
 *
 * The sender.  A first block below the cumulative ACK, or within the
 * second block, is a D-SACK (RFC 2883 4, shared with the tail loss
 * probe's detection in tlp.c); each ACK with one is counted
 * (dsacks_received).  From the start of a fast recovery the bytes it
 * retransmits are counted (with a tail loss probe's retransmission still
 * unresolved then, as Linux's tcp_init_undo counts retrans_out), and the
 * D-SACKed bytes at or above SND.UNA as it began; once every
 * retransmitted byte has been D-SACKed both copies arrived, so the loss
 * was not one (reordering, a delayed segment): the
 * reduction is undone with the cc's SY_CC_RTO_SPURIOUS (cwnd and ssthresh
 * at least what they were before it) and a recovery still under way
 * ends, as Linux's tcp_try_undo_dsack and tcp_try_to_open.  Any other
 * reduction (ECN, a tail loss probe's) ends the episode: cc_signal
 * clears undo_on.  A timeout (recovery.c, as Linux's tcp_enter_loss)
 * during a fast recovery, before its recovery point, keeps the episode
 * and the recovery's reduction, and the timeout's retransmissions count
 * among the episode's; any other first timeout reduces and starts an
 * episode of its own at SND.UNA.  After a timeout, until the recovery
 * point, the undo waits for an ACK of new data (frto.c's sy_undo_check,
 * as Linux's tcp_process_loss and tcp_try_undo_loss), which ends the going
 * back as F-RTO's undo does.  Counted in dsack_undos.
 *
 * Not done: Linux also raises its reordering degree (tp->reordering, the
 * duplicate-ACK threshold, up to tcp_max_reordering) from D-SACKs and
 * from SACKs that fill holes below the highest SACKed byte, and undoes on
 * timestamps (tcp_may_undo's Eifel check, RFC 3522); the duplicate-ACK
 * threshold here stays three segments. */

#include "config.h"

#include "tcp_priv.h"

bool sy_dsack_block(const sy_seg *s, uint32_t *l, uint32_t *r)
{
	if (!s->opts.nsack)
		return false;
	*l = s->opts.sack[0][0];
	*r = s->opts.sack[0][1];
	if (!sy_seq_lt(*l, *r))
		return false;
	return sy_seq_le(*r, s->ack) ||
	       (s->opts.nsack > 1 && sy_seq_ge(*l, s->opts.sack[1][0]) &&
		sy_seq_le(*r, s->opts.sack[1][1]));
}

/* ------------------------------------------------------------ receiver */

void sy_dsack_note(sy_tcb *c, uint32_t l, uint32_t r)
{
	sy_tcb_loss *x;

	if (!c->sack_ok || !limits(c)->dsack || !sy_seq_lt(l, r))
		return;
	x = sy_loss(c);
	if (!x)
		return;
	if (x->dsack_due) {
		/* extended when it touches the block due, else that stays */
		if (sy_seq_gt(l, x->dsack_r) || sy_seq_lt(r, x->dsack_l))
			return;
		if (sy_seq_lt(l, x->dsack_l))
			x->dsack_l = l;
		if (sy_seq_gt(r, x->dsack_r))
			x->dsack_r = r;
		return;
	}
	x->dsack_due = true;
	x->dsack_l = l;
	x->dsack_r = r;
}

void sy_tcb_sack_fill(const sy_tcb *c, sy_tcp_opts *o)
{
	unsigned max = o->has_ts ? 3 : 4;
	sy_tcp_opts rest = { 0 };
	const sy_tcb_loss *x = sy_loss_ro(c);

	o->nsack = 0;
	if (!c->sack_ok)
		return;
	if (!x->dsack_due) {
		if (sy_tcb_ooo(c))
			sy_tcb_sack_blocks(c, o, max);
		return;
	}
	o->sack[0][0] = x->dsack_l;
	o->sack[0][1] = x->dsack_r;
	o->nsack = 1;
	if (sy_tcb_ooo(c))
		sy_tcb_sack_blocks(c, &rest, max - 1);
	for (unsigned i = 0; i < rest.nsack; i++) {
		o->sack[o->nsack][0] = rest.sack[i][0];
		o->sack[o->nsack][1] = rest.sack[i][1];
		o->nsack++;
	}
}

void sy_tcb_sack_out(sy_tcb *c, sy_tcp_opts *o)
{
	sy_tcb_sack_fill(c, o);
	if (c->lr)
		c->lr->dsack_due = false; /* reported once */
}

/* ------------------------------------------------------------ sender */

void sy_undo_start(sy_tcb *c, uint32_t outstanding)
{
	if (!sy_loss(c))
		return;
	c->undo_on = true;
	c->lr->undo_marker = c->snd_una;
	c->lr->undo_rtx0 = sy_rare_ro(c)->bytes_retransmitted - outstanding;
	c->lr->undo_dsacked = 0;
}

bool sy_dsack_all(const sy_tcb *c)
{
	uint64_t rtx;

	if (!c->undo_on || !c->lr || !limits(c)->dsack_undo)
		return false;
	rtx = sy_rare_ro(c)->bytes_retransmitted - c->lr->undo_rtx0;
	return rtx && c->lr->undo_dsacked >= rtx;
}

bool sy_dsack_ack(sy_tcb *c, const sy_seg *s)
{
	uint32_t l, r;

	if (!sy_dsack_block(s, &l, &r))
		return false;
	sy_rare(c)->dsacks_received++;
	if (!c->undo_on || !c->lr || !limits(c)->dsack_undo ||
	    !sy_seq_gt(r, c->lr->undo_marker) || sy_seq_gt(r, c->snd_max))
		return true;
	if (sy_seq_lt(l, c->lr->undo_marker))
		l = c->lr->undo_marker;
	c->lr->undo_dsacked += r - l;
	/* after a timeout the undo waits for an ACK of new data
	 * (sy_undo_check, as Linux's tcp_process_loss) */
	if (!sy_dsack_all(c) || c->after_rto)
		return true;
	/* every retransmission arrived twice: none was needed */
	c->undo_on = false;
	sy_rare(c)->dsack_undos++;
	if (c->in_recovery) {
		c->in_recovery = false;
		if (c->tx)
			c->tx->reno_sacked = 0;
	}
	if (sy_cco(c))
		cc_signal(c, SY_CC_RTO_SPURIOUS);
	return true;
}
