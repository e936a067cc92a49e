/* Proportional Rate Reduction (RFC 9937, which obsoletes RFC 6937), the
 * timer profile's `prr`, as Linux 6.x runs it (tcp_init_cwnd_reduction
 * and tcp_cwnd_reduction in tcp_input.c).
 *
 * Without it, fast recovery sends while cwnd - pipe is a segment or more
 * (RFC 6675): cwnd drops to ssthresh at once, so the sender is silent
 * until pipe has fallen below it, then sends one for one; with a burst of
 * losses pipe can fall far below ssthresh and the ACKs left are too few
 * to bring it back.  PRR spreads the reduction over the recovery: on
 * each ACK that delivered data (DeliveredData: bytes newly cumulatively
 * acknowledged plus the change in bytes SACKed; without SACK one segment
 * per duplicate ACK),
 *
 *   prr_delivered += DeliveredData
 *   if pipe > ssthresh:     (proportional part)
 *     sndcnt = ceil(prr_delivered * ssthresh / RecoverFS) - prr_out
 *   else:                   (slow-start reduction bound)
 *     sndcnt = max(prr_delivered - prr_out, DeliveredData)
 *              + one segment if the ACK advanced SND.UNA and marked
 *                nothing newly lost (RFC 9937's SafeACK)
 *     sndcnt = min(ssthresh - pipe, sndcnt)
 *   sndcnt at least one segment while nothing has been sent
 *   cwnd = pipe + sndcnt
 *
 * and the sender then sends while cwnd - pipe is a segment, as before:
 * about ssthresh / RecoverFS of what was delivered (one segment for two
 * ACKs after a halving), and once pipe is at ssthresh no more than the
 * ACKs deliver, plus a segment on a safe ACK, up to ssthresh.  prr_out
 * is what was sent in this recovery, retransmissions and new data.  At
 * the end of recovery the cc sets cwnd = ssthresh (RFC 9937: as the cc's
 * own rule; Linux's tcp_end_cwnd_reduction).  The reduction after an
 * ECN-Echo goes the same way (ecn.c; Linux's CWR state), and a fast
 * recovery that begins within it carries on its counts.  RecoverFS is cwnd before
 * the reduction, Linux's prior_cwnd; RFC 9937 takes pipe at the start of
 * recovery, the same in a sender limited by cwnd.  Linux counts in
 * segments, here in bytes. */

#include "config.h"

#include "tcp_priv.h"

uint32_t sy_tcb_sacked(const sy_tcb *c)
{
	return c->sack_ok ? sy_tcb_sb_total(c) : sy_tcb_reno_sacked(c);
}

void sy_prr_start(sy_tcb *c)
{
	if (!sy_loss(c))
		return;
	c->lr->prr_delivered = 0;
	c->lr->prr_fs = c->cc.prior_cwnd ? c->cc.prior_cwnd : c->cc.cwnd;
	c->lr->prr_out0 = c->st.bytes_sent;
	c->lr->prr_lost_top = sy_tcb_lost_top(c);
}

void sy_prr_ack(sy_tcb *c, int64_t delivered, bool advanced, bool entry)
{
	uint32_t mss = sy_tcb_smss(c), pipe, top, ss = c->cc.ssthresh, first;
	uint64_t out;
	int64_t sndcnt;
	bool lost;

	if ((!c->in_recovery && !sy_ecn_in_cwr(c)) || !limits(c)->prr || !c->lr)
		return;
	out = c->st.bytes_sent - c->lr->prr_out0;
	/* marked lost: a hole newly below the SACKed bytes that make it
	 * one, or without SACK the first segment after a partial ACK */
	top = sy_tcb_lost_top(c);
	lost = c->sack_ok ? sy_seq_gt(top, c->lr->prr_lost_top) : advanced;
	c->lr->prr_lost_top = top;
	if (delivered <= 0)
		return;
	c->lr->prr_delivered += (uint32_t)delivered;
	pipe = sy_tcb_pipe(c);
	/* the ACK that began recovery counts the fast retransmission,
	 * already gone, among what it lets out (Linux sends it after) */
	first = entry && c->lr->prr_first <= out && c->lr->prr_first <= pipe ?
		c->lr->prr_first : 0;
	pipe -= first;
	out -= first;
	if (pipe > ss) {
		uint64_t fs = c->lr->prr_fs ? c->lr->prr_fs : 1;

		/* whole segments, as Linux counts */
		sndcnt = (int64_t)(((uint64_t)c->lr->prr_delivered * ss + fs * mss - 1) / (fs * mss)) * mss -
			 (int64_t)out;
	} else {
		sndcnt = (int64_t)c->lr->prr_delivered - (int64_t)out;
		if (sndcnt < delivered)
			sndcnt = delivered;
		if (advanced && !lost)
			sndcnt += mss;
		if (sndcnt > (int64_t)(ss - pipe))
			sndcnt = ss - pipe;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (!out && sndcnt < mss)
		sndcnt = mss;
	sndcnt -= first;
	if (sndcnt < 0)
		sndcnt = 0;
	c->cc.cwnd = pipe + first + (uint32_t)sndcnt;
}
