/* Explicit Congestion Notification on the endpoint (RFC 3168 6.1), as
 * the profile's ecn asks: "off" never; "accept" on a passive open whose
 * SYN asks for it (Linux's default, net.ipv4.tcp_ecn = 2); "on" also
 * asked for on active opens (tcp_ecn = 1).
 *
 * Negotiation (6.1.1): an ECN-setup SYN carries ECE and CWR, and its
 * SYN-ACK ECE alone; a SYN itself is never ECN-capable, and one that
 * arrives ECT is answered without ECN (Linux's tcp_ecn_create_request).
 * A retransmitted SYN goes without ECE and CWR (6.1.1.1's MAY, Linux's
 * tcp_ecn_fallback, on by default), yet a SYN-ACK with ECE alone still
 * completes the negotiation, as Linux takes it.  A SYN cookie keeps no
 * trace of the SYN's flags: such a connection has no ECN.
 *
 * Data (6.1.4, 6.1.5): new data goes out ECT(0); SYNs, pure ACKs,
 * window probes and retransmissions Not-ECT (Linux's tcp_ecn_send).
 *
 * Receiver (6.1.3): a CE-marked data segment, in order or not, makes
 * every segment sent carry ECE until a data segment with CWR arrives.
 * Under a profile with quick ACKs (Linux's tcp_ecn_check_ce and
 * tcp_ecn_accept_cwr) the first CE, and a Not-ECT segment after ECT
 * ones, enter quick-ACK mode for at most two ACKs, and a data segment
 * with CWR is acknowledged at once.
 *
 * Sender (6.1.2): an ACK with ECE outside loss recovery and outside the
 * window of an earlier reduction makes the cc respond (SY_CC_ECN) and
 * the next new data segment carry CWR; the window ends once SND.UNA
 * passes SND.MAX of the reduction (Linux's CWR state and high_seq).
 * With the profile's prr the cc's cwnd is not taken at once: PRR brings
 * cwnd down ACK by ACK as in fast recovery (RFC 9937 applies it to ECN;
 * Linux's tcp_cwnd_reduction in CWR), the cc does not grow it, and at the
 * window's end cwnd = ssthresh; a loss within the window starts fast
 * recovery without a second reduction, a timeout within it keeps
 * ssthresh (recovery.c), and nothing of it may be undone.  Without prr,
 * cwnd = ssthresh at once and the cc may grow it again.
 * Entering fast recovery is a reduction too: CWR is queued and ECE
 * brings no second one until the recovery point; so is a timeout, of
 * data or of our SYN (Linux's tcp_enter_loss): the next new data carries
 * CWR.  Not modelled: 6.1.2's "a cwnd of one segment waits for the
 * retransmission timer". */

#include "config.h"

#include "tcp_priv.h"

#define ECN_MASK 0x03
#define ECN_ECT0 0x02
#define ECN_CE 0x03

/* The ECN of a connection from the peer's SYN or SYN-ACK s; a segment
 * without SYN (a SYN cookie's ACK) leaves it off. */
void sy_ecn_negotiate(sy_tcb *c, const sy_seg *s)
{
	uint8_t f = s ? s->flags & (SY_TCP_ECE | SY_TCP_CWR) : 0;
	bool ok;

	if (!s || !(s->flags & SY_TCP_SYN))
		ok = false;
	else if (s->flags & SY_TCP_ACK)
		ok = (c->ecn & SY_ECN_REQ) && f == SY_TCP_ECE;
	else if (c->ecn & SY_ECN_REQ)  /* a simultaneous open */
		ok = f == (SY_TCP_ECE | SY_TCP_CWR);
	else
		ok = limits(c)->ecn != SY_TCP_ECN_OFF &&
		     f == (SY_TCP_ECE | SY_TCP_CWR) && !(s->tos & ECN_MASK);
	if (ok)
		c->ecn |= SY_ECN_OK;
	else
		c->ecn &= (uint8_t)~SY_ECN_OK;
}

/* The ECN flags and the IP ECN field of a segment about to go. */
uint8_t sy_ecn_out(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len, uint8_t *tos)
{
	*tos = 0;
	if (flags & SY_TCP_SYN) {
		flags &= (uint8_t)~(SY_TCP_ECE | SY_TCP_CWR);
		if (flags & SY_TCP_ACK) {
			if (c->ecn & SY_ECN_OK)
				flags |= SY_TCP_ECE;
		} else if (limits(c)->ecn == SY_TCP_ECN_ON) {
			c->ecn |= SY_ECN_REQ;
			/* only the first SYN asks (the fallback) */
			if (!c->st.syns_sent)
				flags |= SY_TCP_ECE | SY_TCP_CWR;
		}
		return flags;
	}
	if (!(c->ecn & SY_ECN_OK))
		return flags;
	if (len && !sy_seq_lt(seq, c->snd_max)) {
		/* a timeout, of data or of our SYN, reduced cwnd too
		 * (Linux's tcp_enter_loss queues CWR) */
		uint32_t rtos = sy_rare_ro(c)->timeouts + (c->st.syns_sent > 1 ? c->st.syns_sent - 1 : 0);

		/* (a timeout was a loss: the block of loss recovery
		 * holds the count, zero before) */
		if (rtos != sy_loss_ro(c)->ecn_rtos && sy_loss(c)) {
			c->lr->ecn_rtos = rtos;
			c->ecn |= SY_ECN_QUEUE_CWR;
		}
		*tos = ECN_ECT0;
		if (c->ecn & SY_ECN_QUEUE_CWR) {
			c->ecn &= (uint8_t)~SY_ECN_QUEUE_CWR;
			flags |= SY_TCP_CWR;
			sy_rare(c)->ecn_cwr_sent++;
		}
	}
	if (c->ecn & SY_ECN_DEMAND_CWR)
		flags |= SY_TCP_ECE;
	return flags;
}

/* Linux's tcp_enter_quickack_mode(sk, 2): at most two ACKs at once,
 * interactive mode left. */
static void quick_two(sy_tcb *c)
{
	uint32_t n;

	if (!limits(c)->quickack || !c->rcv_mss)
		return;
	n = (c->rcv_adv - c->rcv_wup) / (2 * c->rcv_mss);
	if (n == 0 || n > 2)
		n = 2;
	if ((uint64_t)n > (uint64_t)limits(c)->quickack)
		n = (uint32_t)limits(c)->quickack;
	if (n > c->quick)
		c->quick = (uint16_t)n; /* at most 2 */
	c->pingpong = 0;
}

/* A data segment s arrived (any, before its sequence number is
 * checked): CWR ends the echo. */
void sy_ecn_cwr_in(sy_tcb *c, const sy_seg *s)
{
	if (!(c->ecn & SY_ECN_OK) || !s->len || !(s->flags & SY_TCP_CWR))
		return;
	c->ecn &= (uint8_t)~SY_ECN_DEMAND_CWR;
	/* the sender's cwnd may be a segment: the ACK goes now */
	if (limits(c)->quickack)
		c->ack_now = true;
}

/* A data segment s within the window (in order or not): its ECN field. */
void sy_ecn_ce_in(sy_tcb *c, const sy_seg *s)
{
	if (!(c->ecn & SY_ECN_OK))
		return;
	switch (s->tos & ECN_MASK) {
	case 0:
		/* the marks may have stopped at a path change */
		if (c->ecn & SY_ECN_SEEN)
			quick_two(c);
		break;
	case ECN_CE:
		sy_rare(c)->ecn_ce_received++;
		if (!(c->ecn & SY_ECN_DEMAND_CWR)) {
			/* the sender's cwnd may be small: no delayed ACK */
			quick_two(c);
			c->ecn |= SY_ECN_DEMAND_CWR;
		}
		c->ecn |= SY_ECN_SEEN;
		break;
	default:
		c->ecn |= SY_ECN_SEEN;
		break;
	}
}

/* The cc's response to an ECN-Echo, and the window of the reduction:
 * no other until SND.UNA passes SND.MAX of now, and CWR on the next new
 * data.  With the profile's prr, as Linux's tcp_enter_cwr and
 * tcp_init_cwnd_reduction: ssthresh from the cc, but cwnd stays and PRR
 * (prr.c) brings it down on each ACK, from prior_cwnd; the reduction
 * leaves nothing to undo (Linux's prior_ssthresh = 0, undo_marker = 0). */
static void reduce(sy_tcb *c)
{
	cc_signal(c, SY_CC_ECN);
	sy_rare(c)->ecn_reductions++;
	c->ecn |= SY_ECN_QUEUE_CWR | SY_ECN_CWR;
	if (!sy_loss(c))
		return;
	c->lr->ecn_high = c->snd_max;
	if (!limits(c)->prr)
		return;
	c->ecn |= SY_ECN_PRR;
	c->cc.cwnd = c->cc.prior_cwnd;
	sy_prr_start(c);
	c->lr->prr_first = 0;
	c->cc.prior_cwnd = c->cc.prior_ssthresh = 0;
}

/* Whether ACK s brings a reduction: an ECN-Echo outside loss recovery,
 * outside the window of an earlier reduction, and not an old ACK (below
 * SND.UNA: it says nothing, as Linux's tcp_ack). */
static bool echo_reduces(const sy_tcb *c, const sy_seg *s)
{
	return (c->ecn & SY_ECN_OK) && (s->flags & SY_TCP_ECE) &&
	       !(s->flags & SY_TCP_SYN) && !sy_seq_lt(s->ack, c->snd_una) &&
	       !c->in_recovery && !c->after_rto && !(c->ecn & SY_ECN_CWR) && sy_cco(c);
}

/* With the profile's prr, an acceptable ACK s outside recovery, once
 * SND.UNA has moved and before the cc or PRR see it (Linux's
 * tcp_fastretrans_alert comes before tcp_cong_control): a reduction's
 * window ends once SND.UNA passes it, a gradual one with cwnd = ssthresh
 * (tcp_end_cwnd_reduction: CWR is held until something above high_seq
 * is acknowledged, so that the CWR flag has reached the receiver); an
 * ECN-Echo then starts one, this ACK's delivery its first for PRR
 * (tcp_try_to_open, tcp_enter_cwr).  While it is under way the cc does
 * not grow cwnd (sy_ecn_in_cwr). */
void sy_ecn_cwr_ack(sy_tcb *c, const sy_seg *s)
{
	if (!limits(c)->prr || c->in_recovery)
		return;
	if ((c->ecn & SY_ECN_CWR) && sy_seq_gt(c->snd_una, sy_loss_ro(c)->ecn_high)) {
		if ((c->ecn & SY_ECN_PRR) && c->cc.ssthresh != UINT32_MAX)
			c->cc.cwnd = c->cc.ssthresh;
		c->ecn &= (uint8_t)~(SY_ECN_PRR | SY_ECN_CWR);
	}
	if (echo_reduces(c, s))
		reduce(c);
}

/* Fast recovery has just begun (sy_tcb_enter_recovery): a reduction
 * too, of which the receiver is told, and an echo of the same congestion
 * brings no other until the recovery point.  from_cwr: it began within
 * a gradual ECN reduction, which it carries on (Linux's
 * tcp_enter_recovery: no tcp_init_cwnd_reduction in CWR), no CWR again. */
void sy_ecn_recovery(sy_tcb *c, bool from_cwr)
{
	c->ecn &= (uint8_t)~SY_ECN_PRR;
	if (!(c->ecn & SY_ECN_OK))
		return;
	if (!from_cwr)
		c->ecn |= SY_ECN_QUEUE_CWR;
	c->ecn |= SY_ECN_CWR;
	if (sy_loss(c))
		c->lr->ecn_high = c->recover;
}

/* An acceptable ACK s has been processed (sy_tcb_ack_in). */
void sy_ecn_ack_in(sy_tcb *c, const sy_seg *s)
{
	/* an old ACK (below SND.UNA) says nothing, as Linux's tcp_ack */
	if (!(c->ecn & SY_ECN_OK) || (s->flags & SY_TCP_SYN) ||
	    sy_seq_lt(s->ack, c->snd_una))
		return;
	if ((c->ecn & SY_ECN_CWR) && !sy_ecn_in_cwr(c) &&
	    sy_seq_gt(c->snd_una, sy_loss_ro(c)->ecn_high))
		c->ecn &= (uint8_t)~SY_ECN_CWR;
	if (!(s->flags & SY_TCP_ECE))
		return;
	sy_rare(c)->ecn_ece_received++;
	if (echo_reduces(c, s))
		reduce(c);
}
