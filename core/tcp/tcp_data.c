/* The TCP data path, shared by the state machines.
 *
 * Sending.  The user's bytes wait in a chunk list (real or virtual) from
 * SND.UNA on; bytes past the send buffer wait there too, as if the
 * writer were blocked, so the send buffer bounds only what is in flight.
 * Output sends while the usable window min(cwnd, SND.WND, sndbuf) allows:
 * full segments at once; a short one only when it empties the queue and
 * nothing is unacknowledged (Nagle, RFC 896) or Nagle is off, or when it
 * is at least half the largest window the peer offered (sender-side
 * silly-window avoidance, RFC 9293 3.8.6.2.1).  A window too small to
 * send into, with data waiting and nothing in flight, starts the persist
 * timer: for a zero window its probes are ACKs one below SND.UNA (the
 * receiver answers them with its window), backed off like the RTO and
 * never given up while answered (RFC 1122 4.2.2.17); for a small one it
 * sends what fits (the override timeout of 3.8.6.2.1).
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
 * a FIN, and a duplicate.
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
#define WND_MAX 0x40000000u    /* 2^30: the largest window RFC 7323 allows */

static sy_time now_of(const sy_tcb *c)
{
	return sy_sim_now(c->ep->sim);
}

static bool timer_on(const sy_tcb *c, int which)
{
	return sy_sim_pending(c->ep->sim, c->timer[which]);
}

static const sy_timer_limits *limits(const sy_tcb *c)
{
	return sy_tcb_limits(c);
}

uint32_t sy_tcb_smss(const sy_tcb *c)
{
	uint32_t m = c->mss_peer < c->mss_local ? c->mss_peer : c->mss_local;

	if (c->ts_ok)
		m -= 12;
	return m ? m : 1;
}

/* Bytes queued and not acknowledged; the sequence number of the first of
 * them (SND.UNA, or the one after it while our SYN is unacknowledged);
 * and the sequence number after the last of them (at most 2^30 ahead:
 * the rest waits outside sequence space, however many there are). */
uint64_t sy_tcp_unacked(const sy_tcb *c)
{
	return c->snd_queued - c->st.bytes_acked;
}

static uint32_t data_seq(const sy_tcb *c)
{
	return c->snd_una + !sy_tcb_syn_acked(c);
}

static uint32_t data_end(const sy_tcb *c)
{
	uint64_t u = sy_tcp_unacked(c);

	return data_seq(c) + (uint32_t)(u > WND_MAX ? WND_MAX : u);
}

/* The send side's invariants, whatever the state machine and the peer
 * do: no more bytes acknowledged than sent, nor sent than queued (so the
 * unacknowledged count cannot wrap), SND.UNA <= SND.NXT <= SND.MAX, and
 * nothing sent beyond the queued bytes and a FIN (so the flight is the
 * bytes queued, at most 2^30, plus the SYN or the FIN). */
static void send_check(const sy_tcb *c)
{
	SY_INVARIANT(c->st.bytes_acked <= c->snd_sent);
	SY_INVARIANT(c->snd_sent <= c->snd_queued);
	if (!c->data_started)
		return;
	SY_INVARIANT(sy_seq_le(c->snd_una, c->snd_nxt));
	SY_INVARIANT(sy_seq_le(c->snd_nxt, c->snd_max));
	SY_INVARIANT(sy_seq_le(c->snd_max, data_end(c) + c->fin_sent));
	SY_INVARIANT(sy_tcb_flight(c) <= WND_MAX + 1);
	SY_INVARIANT(!c->fin_sent || sy_seq_le(c->fin_seq, c->snd_max - 1));
#ifdef SY_DEEP_CHECKS
	/* the SACK scoreboard: sorted, disjoint, not touching, above
	 * SND.UNA and at most SND.MAX */
	for (int i = 0; i < c->nsb; i++) {
		SY_INVARIANT(sy_seq_lt(c->sb[i][0], c->sb[i][1]));
		SY_INVARIANT(sy_seq_le(c->snd_una, c->sb[i][0]));
		SY_INVARIANT(sy_seq_le(c->sb[i][1], c->snd_max));
		SY_INVARIANT(i == 0 || sy_seq_lt(c->sb[i - 1][1], c->sb[i][0]));
	}
#endif
}

/* The receive side's: RCV.NXT never passes the right edge advertised,
 * and (walking the queue: sanitizer and fuzzing builds) the reassembly
 * queue holds sorted, disjoint, non-empty pieces past RCV.NXT. */
static void recv_check(const sy_tcb *c)
{
	SY_INVARIANT(!c->data_started || sy_seq_le(c->rcv_nxt, c->rcv_adv));
#ifdef SY_DEEP_CHECKS
	for (const sy_ooo *q = c->ooo; q; q = q->next) {
		SY_INVARIANT(q->len > 0);
		SY_INVARIANT(sy_seq_gt(q->seq, c->rcv_nxt));
		SY_INVARIANT(!q->next || sy_seq_le(q->seq + q->len, q->next->seq));
	}
#endif
}

/* Fails the run: memory for c's `what` could not be allocated, and going
 * on without it would give wrong results. */
static void conn_oom(sy_tcb *c, const char *what)
{
	char l[16], r[16];

	sy_ipv4_format(c->laddr, l);
	sy_ipv4_format(c->raddr, r);
	sy_sim_fail(c->ep->sim, "out of memory %s (connection %s:%u -> %s:%u on node %s)",
		    what, l, c->lport, r, c->rport, sy_node_name(c->ep->node));
}

static bool synchronized(const sy_tcb *c)
{
	return c->state >= SY_TCP_ESTABLISHED;
}

/* States from which data and a FIN may go out. */
static bool can_output(const sy_tcb *c)
{
	switch (c->state) {
	case SY_TCP_ESTABLISHED:
	case SY_TCP_CLOSE_WAIT:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_CLOSING:
	case SY_TCP_LAST_ACK:
		return sy_tcb_syn_acked(c);
	default:
		return false;
	}
}

static uint32_t tcb_pipe(const sy_tcb *c);

static void cc_sync(sy_tcb *c)
{
	c->cc.mss = sy_tcb_smss(c);
	c->cc.flight = sy_tcb_flight(c);
	c->cc.now = now_of(c);
	c->cc.srtt = c->rtt.samples ? c->rtt.srtt : 0;
}

void sy_tcb_info_get(const sy_tcb *c, sy_tcb_info *i)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	i->cwnd = c->cc.cwnd;
	i->ssthresh = c->cc.ssthresh;
	i->snd_wnd = c->snd_wnd;
	i->rcv_wnd = c->rcv_wnd;
	i->flight = synchronized(c) ? sy_tcb_flight(c) : 0;
	i->pipe = synchronized(c) ? tcb_pipe(c) : 0;
	i->srtt = c->rtt.samples ? c->rtt.srtt : 0;
	i->rttvar = c->rtt.samples ? c->rtt.rttvar : 0;
	i->rto = t->rto(st, &c->rtt);
	i->in_recovery = c->in_recovery;
}

/* ------------------------------------------------------------ set-up */

void sy_tcb_data_start(sy_tcb *c)
{
	const sy_cc_ops *o = c->cco;
	uint32_t mss = sy_tcb_smss(c);

	if (c->data_started)
		return;
	c->data_started = true;
	c->snd_max = c->snd_nxt;
	c->snd_wl1 = c->rcv_nxt - 1;
	c->snd_wl2 = c->snd_una;
	c->max_wnd = c->snd_wnd;
	c->rcv_adv = c->rcv_nxt + c->rcv_wnd;
	c->rcv_mss = mss < 536 ? mss : 536;
	c->tx_head = c->last_send = now_of(c);
	c->iw_bytes = c->iw_segs * mss;
	c->cc.cwnd = c->iw_bytes;
	/* RFC 6298 5.7: after a SYN (or SYN-ACK) timeout and without an RTT
	 * sample, data starts from an RTO of 3 s (Linux does the same) */
	if (c->syn_timed_out && !c->rtt.samples) {
		c->rtt.backoff = 0;
		if (c->rtt.rto < 3 * SY_SEC)
			c->rtt.rto = 3 * SY_SEC;
	}
	c->cc.ssthresh = UINT32_MAX;
	if (o && !c->cc.priv && o->conn_size)
		c->cc.priv = SY_FAULT(SY_FAULT_CC) ? NULL : calloc(1, o->conn_size);
	if (o && (c->cc.priv || !o->conn_size)) {
		cc_sync(c);
		o->init(c->ccst, &c->cc);
	} else if (o) {
		/* A fixed window would give wrong results: the run fails
		 * (the connection keeps a window meanwhile). */
		c->cco = NULL;
		conn_oom(c, "allocating the congestion-control state");
	}
}

void sy_tcb_data_free(sy_tcb *c)
{
	while (c->sq_head) {
		sy_chunk *k = c->sq_head;

		c->sq_head = k->next;
		free(k);
	}
	c->sq_tail = NULL;
	while (c->ooo) {
		sy_ooo *q = c->ooo;

		c->ooo = q->next;
		free(q);
	}
	free(c->sb);
	c->sb = NULL;
	free(c->cc.priv);
	c->cc.priv = NULL;
}

/* ------------------------------------------------------------ send queue */

int sy_tcp_send(sy_tcb *c, const void *bytes, uint64_t n, sy_err *err)
{
	if (c->fin_pending)
		return sy_err_set(err, "send: the connection was shut down for sending (%s)",
				  sy_tcp_state_name(c->state));
	switch (c->state) {
	case SY_TCP_SYN_SENT:
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
	case SY_TCP_CLOSE_WAIT:
		break;
	case SY_TCP_LISTEN:
	case SY_TCP_CLOSED:
		return sy_err_set(err, "send: the connection is not open (%s)",
				  sy_tcp_state_name(c->state));
	default:
		return sy_err_set(err, "send: the connection is closing (%s)",
				  sy_tcp_state_name(c->state));
	}
	if (n == 0)
		return 0;
	if (bytes && n > UINT32_MAX)
		return sy_err_set(err, "send: at most 4 GiB of real bytes at once");
	/* the count stays a signed 64-bit integer (the bytes_queued
	 * statistic), so it never wraps */
	if (n > (uint64_t)INT64_MAX - c->snd_queued)
		return sy_err_set(err, "send: %llu more bytes would take the bytes queued "
				  "on this connection past 2^63 - 1 (%llu so far)",
				  (unsigned long long)n, (unsigned long long)c->snd_queued);
	if (!bytes && c->sq_tail && !c->sq_tail->bytes) {
		/* virtual bytes after virtual bytes: one chunk */
		c->sq_tail->len += n;
	} else {
		sy_chunk *k = malloc(sizeof *k + (bytes ? n : 0));

		if (!k)
			return sy_err_set(err, "send: out of memory");
		k->next = NULL;
		k->len = n;
		k->off = 0;
		k->bytes = bytes ? (unsigned char *)(k + 1) : NULL;
		if (bytes)
			memcpy(k->bytes, bytes, n);
		if (c->sq_tail)
			c->sq_tail->next = k;
		else
			c->sq_head = k;
		c->sq_tail = k;
	}
	c->snd_queued += n;
	send_check(c);
	if (can_output(c))
		sy_tcb_output(c);
	return 0;
}

/* Drops n acknowledged bytes from the head of the queue: they were all
 * queued, and the queue is empty exactly when nothing is unacknowledged. */
static void sq_drop(sy_tcb *c, uint64_t n)
{
	while (n && c->sq_head) {
		sy_chunk *k = c->sq_head;
		uint64_t left = k->len - k->off;

		if (n < left) {
			k->off += n;
			n = 0;
			break;
		}
		n -= left;
		c->sq_head = k->next;
		if (!c->sq_head)
			c->sq_tail = NULL;
		free(k);
	}
	SY_INVARIANT(n == 0);
	SY_INVARIANT((c->sq_head == NULL) == (sy_tcp_unacked(c) == 0));
}

/* The payload of [off, off + len) from the first unacknowledged byte to
 * *out: NULL when every byte of it is virtual, else the bytes (virtual
 * ones as zeros) in the endpoint's scratch buffer.  -1 when that buffer
 * cannot grow (the run has failed). */
static int sq_gather(sy_tcb *c, uint32_t off, uint32_t len,
		     const unsigned char **out)
{
	sy_tcp_ep *ep = c->ep;
	const sy_chunk *k = c->sq_head;
	bool real = false;
	uint64_t o = off;

	while (k && o >= k->len - k->off) {
		o -= k->len - k->off;
		k = k->next;
	}
	for (const sy_chunk *x = k; x; x = x->next) {
		if (x->bytes) {
			real = true;
			break;
		}
		if (x->len - x->off - (x == k ? o : 0) >= len)
			break;
	}
	*out = NULL;
	if (!real)
		return 0;
	if (ep->scratch_len < len) {
		unsigned char *b = SY_FAULT(SY_FAULT_SCRATCH) ? NULL :
				   realloc(ep->scratch, len);

		if (!b) {
			conn_oom(c, "gathering a segment's payload");
			return -1;
		}
		ep->scratch = b;
		ep->scratch_len = len;
	}
	for (uint32_t got = 0; got < len && k; k = k->next, o = 0) {
		uint64_t left = k->len - k->off - o;
		uint32_t n = left > len - got ? len - got : (uint32_t)left;

		if (k->bytes)
			memcpy(ep->scratch + got, k->bytes + k->off + o, n);
		else
			memset(ep->scratch + got, 0, n);
		got += n;
	}
	*out = ep->scratch;
	return 0;
}

/* ------------------------------------------------------------ receive window */

/* The window to advertise now: the free receive buffer, its right edge
 * never moved back and moved forward only in steps of at least
 * min(rcvbuf/2, MSS). */
static uint32_t advertise(sy_tcb *c)
{
	uint32_t space, right, step, maxw;

	if (!c->data_started)
		return c->rcv_wnd;
	space = c->rcvbuf > c->rcv_unread ? c->rcvbuf - c->rcv_unread : 0;
	maxw = (uint32_t)65535 << c->rcv_wscale;
	if (space > maxw)
		space = maxw;
	right = c->rcv_nxt + space;
	step = c->rcvbuf / 2 < c->mss_local ? c->rcvbuf / 2 : c->mss_local;
	if (sy_seq_gt(right, c->rcv_adv) &&
	    (right - c->rcv_adv >= step || c->rcv_adv == c->rcv_nxt))
		c->rcv_adv = right;
	/* The window field counts units of 2^wscale.  Rounded down, a
	 * window below one unit would go out as zero and nothing would
	 * reopen it; so it is rounded up (the right edge moving to what the
	 * field says) as long as that stays within the free buffer rounded
	 * up, and down otherwise: the buffer is overrun by less than a
	 * unit at most. */
	c->rcv_wnd = c->rcv_adv - c->rcv_nxt;
	if (c->rcv_wscale) {
		uint32_t unit = (uint32_t)1 << c->rcv_wscale, mask = unit - 1;
		uint32_t up = c->rcv_wnd > maxw - mask ? maxw : (c->rcv_wnd + mask) & ~mask;
		uint32_t cap = space > maxw - mask ? maxw : (space + mask) & ~mask;

		c->rcv_wnd = up <= cap ? up : c->rcv_wnd & ~mask;
		c->rcv_adv = c->rcv_nxt + c->rcv_wnd;
	}
	return c->rcv_wnd;
}

/* The next block of contiguous queued segments from *q on: [l, r). */
static const sy_ooo *ooo_block(const sy_ooo *q, uint32_t *l, uint32_t *r)
{
	*l = q->seq;
	*r = q->seq + q->len;
	for (q = q->next; q && q->seq == *r; q = q->next)
		*r += q->len;
	return q;
}

/* Fills o with SACK blocks from the reassembly queue: the block holding
 * the latest segment to arrive, then those holding the arrivals before
 * it (RFC 2018 4: the most recent first), then the others in sequence
 * order, as many as fit. */
static void sack_blocks(const sy_tcb *c, sy_tcp_opts *o, unsigned max)
{
	uint32_t want[3] = { c->last_ooo, c->recent_ooo[0], c->recent_ooo[1] };
	uint32_t l, r;
	const sy_ooo *q;

	o->nsack = 0;
	for (int k = 0; k < 3 && o->nsack < max; k++) {
		for (q = c->ooo; q;) {
			bool dup = false;

			q = ooo_block(q, &l, &r);
			if (!sy_seq_le(l, want[k]) || !sy_seq_lt(want[k], r))
				continue;
			for (unsigned i = 0; i < o->nsack; i++)
				dup = dup || o->sack[i][0] == l;
			if (!dup) {
				o->sack[o->nsack][0] = l;
				o->sack[o->nsack][1] = r;
				o->nsack++;
			}
			break;
		}
	}
	for (q = c->ooo; q && o->nsack < max;) {
		bool dup = false;

		q = ooo_block(q, &l, &r);
		for (unsigned i = 0; i < o->nsack; i++)
			dup = dup || o->sack[i][0] == l;
		if (dup)
			continue;
		o->sack[o->nsack][0] = l;
		o->sack[o->nsack][1] = r;
		o->nsack++;
	}
}

static uint32_t ts_now(const sy_tcb *c)
{
	return (uint32_t)(now_of(c) / SY_MS);
}

int sy_tcp_ep_send_bytes(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
			 uint32_t len, const unsigned char *bytes, sy_err *err)
{
	sy_packet *p = sy_packet_new(sy_net_pool(ep->net));

	if (!p)
		return sy_err_set(err, "out of memory sending a segment");
	p->hdr_len = (uint16_t)(40 + t->optlen);
	if (sy_packet_set_payload(sy_net_pool(ep->net), p, bytes, len, err) < 0) {
		sy_net_release(ep->net, p);
		return -1;
	}
	sy_tcp_build(p, ip, t);
	ep->st.segments_out++;
	if (t->flags & SY_TCP_RST)
		ep->st.rst_out++;
	sy_node_send(ep->node, p);
	return 0;
}

void sy_tcb_send(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len)
{
	sy_ipv4 ip = {
		.src = c->laddr, .dst = c->raddr, .proto = SY_IPPROTO_TCP,
		.ttl = 64, .id = sy_node_next_ip_id(c->ep->node), .df = true,
	};
	uint32_t wnd = (flags & SY_TCP_SYN) ? c->rcv_wnd : advertise(c) >> c->rcv_wscale;
	sy_tcp t = {
		.sport = c->lport, .dport = c->rport, .seq = seq,
		.ack = (flags & SY_TCP_ACK) ? c->rcv_nxt : 0, .flags = flags,
		.window = (uint16_t)(wnd > 65535 ? 65535 : wnd),
	};
	sy_tcp_opts o = { 0 };
	const unsigned char *bytes = NULL;

	if (flags & SY_TCP_SYN) {
		/* what we offer, or (SYN-ACK) what the peer offered too */
		o.has_mss = true;
		o.mss = c->mss_local;
		o.has_ws = c->ws_ok;
		o.ws = c->rcv_wscale;
		o.sack_ok = c->sack_ok;
		o.has_ts = c->ts_ok;
	} else if (c->ts_ok && !(flags & SY_TCP_RST)) {
		o.has_ts = true;
	}
	if (o.has_ts) {
		o.tsval = ts_now(c);
		o.tsecr = (flags & SY_TCP_ACK) ? c->ts_recent : 0;
	}
	if (c->sack_ok && c->ooo && (flags & SY_TCP_ACK) && !(flags & (SY_TCP_SYN | SY_TCP_RST)))
		sack_blocks(c, &o, o.has_ts ? 3 : 4);
	t.optlen = (uint8_t)sy_tcp_write_options(&o, t.opt);
	if (flags & SY_TCP_RST)
		c->st.rsts_sent++;
	if (flags & SY_TCP_ACK)
		c->last_ack_sent = c->rcv_nxt;
	if ((flags & SY_TCP_ACK) && !(flags & SY_TCP_RST)) {
		/* this carries every ACK that was due */
		c->ack_now = false;
		c->rcv_unacked = 0;
		if (timer_on(c, SY_TCP_T_DELACK))
			sy_tcb_timer_cancel(c, SY_TCP_T_DELACK);
	}
	/* Rather nothing than zeros in place of real bytes. */
	if (len && synchronized(c) &&
	    sq_gather(c, seq - data_seq(c), len, &bytes) < 0)
		return;
	c->st.segments_out++;
	sy_tcp_ep_send_bytes(c->ep, &ip, &t, len, bytes, NULL);
}

void sy_tcb_ack_soon(sy_tcb *c)
{
	c->ack_now = true;
}

void sy_tcb_ack_now(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, c->snd_nxt, 0);
}

void sy_tcb_ack_invalid(sy_tcb *c, const sy_seg *s)
{
	sy_time now = now_of(c), gap = limits(c)->invalid_ack_ratelimit;

	if (gap > 0 && (sy_seg_len(s) == 0 || (s->flags & SY_TCP_SYN))) {
		if (now < c->invalid_ack_next) {
			c->st.invalid_acks_suppressed++;
			return;
		}
		c->invalid_ack_next = now + gap;
	}
	sy_tcb_ack_now(c);
}

/* ------------------------------------------------------------ scoreboard */

static uint32_t sb_total(const sy_tcb *c)
{
	uint32_t n = 0;

	for (int i = 0; i < c->nsb; i++)
		n += c->sb[i][1] - c->sb[i][0];
	return n;
}

/* Drops ranges at or below SND.UNA. */
static void sb_trim(sy_tcb *c)
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
			conn_oom(c, "growing the SACK scoreboard");
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

static void sb_update(sy_tcb *c, const sy_seg *s)
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
static uint32_t tcb_pipe(const sy_tcb *c)
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
static bool next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin)
{
	uint32_t mss = sy_tcb_smss(c), above = 0;
	bool found = false;

	*fin = false;
	if (!c->sack_ok || !c->nsb) {
		if (sy_seq_gt(c->high_rxt, c->snd_una) || c->snd_una == c->snd_max)
			return false;
		/* the first segment: data up to a segment, and the FIN when
		 * it follows within the segment */
		*seq = c->snd_una;
		*len = data_end(c) - c->snd_una;
		if (*len > mss)
			*len = mss;
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
			*len = b - from < mss ? b - from : mss;
			found = true;
		}
	}
	return found;
}

/* ------------------------------------------------------------ output */

/* The retransmission timer: the RTO, or sooner when the user timeout
 * (RFC 9293 3.8.3, RFC 5482) runs out first. */
static void arm_rto(sy_tcb *c)
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

/* Sends [seq, seq + len) of the queue, with a FIN after it if fin. */
static void send_data(sy_tcb *c, uint32_t seq, uint32_t len, bool fin, sy_time now)
{
	bool retx = sy_seq_lt(seq, c->snd_max);
	uint8_t flags = SY_TCP_ACK;

	if (len && seq + len == data_end(c))
		flags |= SY_TCP_PSH;
	if (fin)
		flags |= SY_TCP_FIN;
	if (!retx && c->snd_una == c->snd_max)
		c->tx_head = now;
	sy_tcb_send(c, flags, seq, len);
	c->st.bytes_sent += len;
	if (retx) {
		c->st.retransmissions++;
		c->st.bytes_retransmitted += len;
		if (c->rtt_timing && sy_seq_lt(seq, c->rtt_seq))
			c->rtt_timing = false; /* Karn */
	} else if (!c->rtt_timing && !c->ts_ok) {
		c->rtt_timing = true;
		c->rtt_seq = seq + len + fin;
		c->rtt_start = now;
	}
	if (sy_seq_gt(seq + len, c->snd_max))
		c->snd_sent += seq + len - c->snd_max;
	if (fin) {
		c->fin_seq = seq + len;
		c->fin_sent = true;
	}
	if (seq == c->snd_nxt)
		c->snd_nxt += len + fin;
	if (sy_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	c->last_send = now;
	if (!timer_on(c, SY_TCP_T_RETRANS))
		arm_rto(c);
	send_check(c);
}

void sy_tcb_output(sy_tcb *c)
{
	sy_time now = now_of(c);
	uint32_t mss = sy_tcb_smss(c);

	if (!can_output(c)) {
		if (c->ack_now && synchronized(c) && c->state != SY_TCP_CLOSED)
			sy_tcb_ack_now(c);
		return;
	}
	/* RFC 5681 4.1: after an idle period longer than the RTO, start
	 * again from at most the initial window. */
	if (c->snd_una == c->snd_max && c->cco && sy_seq_lt(c->snd_nxt, data_end(c))) {
		const void *st;
		const sy_timers_ops *t = sy_tcb_timers(c, &st);

		if (now - c->last_send > t->rto(st, &c->rtt)) {
			cc_sync(c);
			c->cco->idle_restart(c->ccst, &c->cc, c->iw_bytes);
		}
	}
	for (;;) {
		uint32_t end = data_end(c), wnd, usable, len, room;
		bool fin, retx;

		if (c->in_recovery) {
			uint32_t p = tcb_pipe(c), seq;
			bool lfin;

			if (p + mss > c->cc.cwnd)
				break;
			room = c->cc.cwnd - p;
			if (next_lost(c, &seq, &len, &lfin)) {
				send_data(c, seq, len, lfin, now);
				c->high_rxt = seq + len + lfin;
				continue;
			}
		} else {
			room = UINT32_MAX;
		}
		wnd = c->snd_wnd < c->sndbuf ? c->snd_wnd : c->sndbuf;
		if (!c->in_recovery) {
			/* limited transmit lets FlightSize reach cwnd plus
			 * a segment per duplicate ACK, up to two */
			uint32_t cw = c->cc.cwnd + c->limited * mss;

			if (cw < wnd)
				wnd = cw;
		}
		usable = sy_seq_lt(c->snd_nxt, c->snd_una + wnd) ? c->snd_una + wnd - c->snd_nxt : 0;
		if (usable > room)
			usable = room;
		len = sy_seq_lt(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		if (len > mss)
			len = mss;
		if (len > usable)
			len = usable;
		retx = sy_seq_lt(c->snd_nxt, c->snd_max);
		fin = c->fin_pending && c->snd_nxt + len == end &&
		      (!c->fin_sent || c->fin_seq == end) &&
		      (!c->fin_sent || retx);
		if (!len && !fin)
			break;
		if (len && len < mss && !fin && !retx && !c->force) {
			bool all = c->snd_nxt + len == end;
			bool ok = (all && (!c->nagle || c->snd_nxt == c->snd_una)) ||
				  len >= c->max_wnd / 2;

			if (!ok)
				break;
		}
		c->force = false;
		send_data(c, c->snd_nxt, len, fin, now);
	}
	/* Nothing in flight, something to send, and the window too small
	 * for it (zero, or short of what silly-window avoidance waits
	 * for): the persist timer probes a zero window and, for a small
	 * one, sends what fits when it fires (the override timeout of RFC
	 * 9293 3.8.6.2.1). */
	if (c->snd_una == c->snd_max &&
	    (sy_seq_lt(c->snd_nxt, data_end(c)) || (c->fin_pending && !c->fin_sent)) &&
	    !timer_on(c, SY_TCP_T_PERSIST) && !timer_on(c, SY_TCP_T_RETRANS)) {
		const void *st;
		const sy_timers_ops *t = sy_tcb_timers(c, &st);

		sy_tcb_timer_set(c, SY_TCP_T_PERSIST, t->rto(st, &c->rtt));
	}
	if (c->ack_now)
		sy_tcb_ack_now(c);
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
}

static void enter_recovery(sy_tcb *c)
{
	uint32_t seq, len;
	bool fin;

	c->st.fast_retransmits++;
	c->in_recovery = true;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	c->reno_sacked = c->sack_ok ? 0 : 3 * sy_tcb_smss(c);
	c->rtt_timing = false;
	if (c->cco) {
		cc_sync(c);
		c->cco->congestion(c->ccst, &c->cc, SY_CC_FAST_RETRANSMIT);
	}
	/* the first unacknowledged segment goes at once, whatever pipe says */
	seq = c->snd_una;
	len = data_end(c) - seq;
	if (c->sack_ok && c->nsb && sy_seq_lt(c->sb[0][0], seq + len))
		len = c->sb[0][0] - seq;
	if (len > sy_tcb_smss(c))
		len = sy_tcb_smss(c);
	fin = c->fin_sent && seq + len == c->fin_seq;
	send_data(c, seq, len, fin, now_of(c));
	c->high_rxt = seq + len + fin;
}

bool sy_tcb_ack_in(sy_tcb *c, const sy_seg *s)
{
	sy_time now = now_of(c);
	uint32_t wnd = (uint32_t)s->win << c->snd_wscale, old_wnd = c->snd_wnd;
	uint32_t mss = sy_tcb_smss(c);

	/* RFC 5961 5.2: an ACK for what was never sent is answered and
	 * dropped. */
	if (sy_seq_gt(s->ack, c->snd_max)) {
		sy_tcb_ack_invalid(c, s);
		return true;
	}
	if (c->sack_ok && s->opts.nsack)
		sb_update(c, s);
	/* the send window (RFC 9293 3.10.7.4, fifth, SND.WL1 and WL2) */
	if (sy_seq_lt(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && sy_seq_le(c->snd_wl2, s->ack))) {
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
		c->persist_shift = 0;
	}
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
		if (c->ts_ok && s->opts.has_ts && s->opts.tsecr)
			r = now - (sy_time)s->opts.tsecr * SY_MS;
		else if (c->rtt_timing && sy_seq_ge(s->ack, c->rtt_seq))
			r = now - c->rtt_start;
		if (!c->ts_ok && c->rtt_timing && sy_seq_ge(s->ack, c->rtt_seq))
			c->rtt_timing = false;
		if (r >= 0 && (c->retries == 0 || c->ts_ok))
			rtt_take(c, r);
		c->retries = 0;
		c->snd_una = s->ack;
		c->st.bytes_acked += data;
		sq_drop(c, data);
		sb_trim(c);
		c->tx_head = now;
		c->dupacks = 0;
		c->limited = 0;
		if (c->in_recovery) {
			if (sy_seq_ge(s->ack, c->recover)) {
				c->in_recovery = false;
				c->reno_sacked = 0;
				c->nsb = 0;
				if (c->cco) {
					cc_sync(c);
					c->cco->recovery_exit(c->ccst, &c->cc);
				}
			} else if (!c->sack_ok) {
				/* partial ACK (RFC 6582): the bytes acknowledged
				 * beyond one segment were among those the
				 * duplicate ACKs stood for; the new first
				 * segment is lost */
				uint32_t gone = acked > mss ? acked - mss : 0;

				c->reno_sacked -= gone < c->reno_sacked ? gone : c->reno_sacked;
				c->high_rxt = c->snd_una;
			} else if (sy_seq_lt(c->high_rxt, c->snd_una)) {
				c->high_rxt = c->snd_una;
			}
		} else {
			if (c->after_rto && sy_seq_ge(s->ack, c->recover))
				c->after_rto = false;
			if (c->cco && data) {
				cc_sync(c);
				c->cco->ack(c->ccst, &c->cc, data, r);
			}
		}
		if (c->snd_una == c->snd_max) {
			sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
		} else {
			arm_rto(c);
		}
		if (data && sy_tcp_unacked(c) == 0)
			notify_sent(c);
	} else if (s->ack == c->snd_una && s->len == 0 &&
		   !(s->flags & (SY_TCP_SYN | SY_TCP_FIN)) && wnd == old_wnd &&
		   c->snd_una != c->snd_max && sy_tcb_syn_acked(c)) {
		/* a duplicate ACK (RFC 5681 2); none while our SYN is
		 * what is outstanding: no data has gone */
		c->st.dupacks_in++;
		c->dupacks++;
		if (c->in_recovery) {
			if (!c->sack_ok && c->reno_sacked < sy_tcb_flight(c))
				c->reno_sacked += mss;
		} else if (c->after_rto && sy_seq_lt(s->ack, c->recover)) {
			/* RFC 6582 4.1: no fast retransmit for duplicates
			 * of what the timeout sent again */
		} else if (c->dupacks >= 3 ||
			   (c->sack_ok && sb_total(c) > 2 * mss)) {
			/* the third duplicate ACK, or RFC 6675 5 (2): more
			 * than two segments SACKed above SND.UNA */
			c->limited = 0;
			enter_recovery(c);
		} else if (c->dupacks <= 2 && c->limited_transmit) {
			/* RFC 3042: a new segment for each of the first two */
			c->limited = (uint8_t)c->dupacks;
		}
	}
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
	if (!c->autoread)
		c->rcv_unread += len;
}

/* ... and goes to the user.  The ACK policy has been applied by then, so
 * that a segment the user sends from its callback carries the ACK. */
static void deliver(sy_tcb *c, uint32_t len, const unsigned char *bytes)
{
	if (c->cb && c->cb->data)
		c->cb->data(c->cb_ctx, c, len, bytes);
	if (c->want_data && c->ep->dobs)
		c->ep->dobs(c->ep->obs_ctx, c, len, bytes);
}

/* Queues [seq, seq + len) past a gap, trimmed against what is queued. */
static void ooo_insert(sy_tcb *c, uint32_t seq, uint32_t len, const unsigned char *bytes)
{
	sy_ooo **pp = &c->ooo;

	if (seq != c->last_ooo) {
		c->recent_ooo[1] = c->recent_ooo[0];
		c->recent_ooo[0] = c->last_ooo;
	}
	c->last_ooo = seq;
	while (len) {
		sy_ooo *q = *pp, *n;
		uint32_t take;

		/* skip what ends before seq; trim what is covered */
		if (q && sy_seq_le(q->seq + q->len, seq)) {
			pp = &q->next;
			continue;
		}
		if (q && sy_seq_le(q->seq, seq)) {
			uint32_t d = q->seq + q->len - seq;

			if (d >= len)
				return;
			seq += d;
			len -= d;
			if (bytes)
				bytes += d;
			pp = &q->next;
			continue;
		}
		/* a piece before q (or at the end) */
		take = q && sy_seq_lt(q->seq, seq + len) ? q->seq - seq : len;
		n = SY_FAULT(SY_FAULT_OOO) ? NULL :
		    malloc(sizeof *n + (bytes ? take : 0));
		if (!n) {
			conn_oom(c, "queueing an out-of-order segment");
			return;
		}
		n->seq = seq;
		n->len = take;
		n->bytes = bytes ? (unsigned char *)(n + 1) : NULL;
		if (bytes)
			memcpy(n->bytes, bytes, take);
		n->next = q;
		*pp = n;
		pp = &n->next;
		seq += take;
		len -= take;
		if (bytes)
			bytes += take;
	}
}

/* Delivers queued segments that the gap's filling made in order. */
static void ooo_pull(sy_tcb *c)
{
	while (c->ooo && sy_seq_le(c->ooo->seq, c->rcv_nxt)) {
		sy_ooo *q = c->ooo;
		uint32_t d = c->rcv_nxt - q->seq;

		c->ooo = q->next;
		if (d < q->len) {
			advance(c, q->len - d);
			c->ack_now = true;
			deliver(c, q->len - d, q->bytes ? q->bytes + d : NULL);
		}
		free(q);
		if (c->state == SY_TCP_CLOSED)
			return;
	}
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
	uint32_t seq = s->seq, len = s->len, right;
	const unsigned char *b = s->data;

	if (!len || c->state < SY_TCP_ESTABLISHED || c->state > SY_TCP_FIN_WAIT_2 ||
	    c->state == SY_TCP_CLOSE_WAIT)
		return;
	if (sy_seq_lt(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		if (d >= len) {
			c->st.bytes_duplicate += len;
			c->ack_now = true;
			return;
		}
		c->st.bytes_duplicate += d;
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
	if (s->len > c->rcv_mss)
		c->rcv_mss = s->len;
	if (seq != c->rcv_nxt) {
		c->st.segments_ooo++;
		ooo_insert(c, seq, len, b);
		c->ack_now = true;
		return;
	}
	advance(c, len);
	if (c->ooo) {
		c->ack_now = true;
		deliver(c, len, b);
		if (c->state != SY_TCP_CLOSED)
			ooo_pull(c);
		return;
	}
	c->rcv_unacked += len;
	if (c->rcv_unacked >= 2 * c->rcv_mss || limits(c)->delack == 0)
		c->ack_now = true;
	else if (!timer_on(c, SY_TCP_T_DELACK))
		sy_tcb_timer_set(c, SY_TCP_T_DELACK, limits(c)->delack);
	deliver(c, len, b);
}

uint32_t sy_tcp_consume(sy_tcb *c, uint32_t n)
{
	uint32_t before, after;

	if (n > c->rcv_unread)
		n = c->rcv_unread;
	if (!n)
		return 0;
	before = c->rcv_adv - c->rcv_nxt;
	c->rcv_unread -= n;
	if (!synchronized(c) || c->state == SY_TCP_TIME_WAIT)
		return n;
	/* a window update when the window opens by a step (RFC 1122
	 * 4.2.3.3) */
	after = c->rcvbuf > c->rcv_unread ? c->rcvbuf - c->rcv_unread : 0;
	if (after > before && (after - before >= 2 * c->mss_local ||
			       after - before >= c->rcvbuf / 2))
		sy_tcb_ack_now(c);
	return n;
}

/* ------------------------------------------------------------ timers */

void sy_tcb_data_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = limits(c);
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	sy_time now = now_of(c);

	switch (which) {
	case SY_TCP_T_DELACK:
		if (synchronized(c) && c->state != SY_TCP_TIME_WAIT)
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
		 * 4.2.3.5): the connection goes, without a reset */
		sy_tcb_notify(c, "timeout");
		sy_tcb_set_state(c, SY_TCP_CLOSED, "timeout");
		return;
	}
	c->retries++;
	c->st.timeouts++;
	t->rtt_backoff(st, &c->rtt);
	if (c->cco && c->retries == 1) {
		cc_sync(c);
		c->cco->congestion(c->ccst, &c->cc, SY_CC_RTO);
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
		arm_rto(c);
}

/* ------------------------------------------------------------ options */

int sy_tcp_set_data_opts(sy_tcb *c, const sy_tcp_data_opts *o, sy_err *err)
{
	if (o->sndbuf < 1 || o->rcvbuf < 1)
		return sy_err_set(err, "buffers must hold at least one byte");
	if (o->initial_window < 1)
		return sy_err_set(err, "initial_window must be at least one segment");
	c->sndbuf = o->sndbuf;
	c->rcvbuf = o->rcvbuf;
	c->nagle = o->nagle;
	if (c->autoread != o->autoread && o->autoread) {
		c->autoread = true;
		sy_tcp_consume(c, c->rcv_unread);
	}
	c->autoread = o->autoread;
	if (c->iw_segs != o->initial_window) {
		if (synchronized(c) && c->snd_max != c->iss + 1)
			return sy_err_set(err, "initial_window: data has been sent already");
		c->iw_segs = o->initial_window;
		c->iw_bytes = o->initial_window * sy_tcb_smss(c);
		if (synchronized(c))
			c->cc.cwnd = c->iw_bytes;
	}
	return 0;
}

void sy_tcp_set_callbacks(sy_tcb *c, const sy_tcp_cb *cb, void *ctx)
{
	c->cb = cb;
	c->cb_ctx = ctx;
}

void sy_tcp_ep_observe_data(sy_tcp_ep *ep, sy_tcp_data_observer fn)
{
	ep->dobs = fn;
}
