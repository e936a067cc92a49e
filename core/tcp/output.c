/* The TCP data path's output: the send queue, segments and their
 * options, the advertised window, ACKs, and the sending loop.
 *
 * Sending.  The user's bytes wait in a chunk list (real or virtual) from
 * SND.UNA on; bytes past the send buffer wait there too, as if the
 * writer were blocked, so the send buffer bounds only what is in flight.
 * Output sends while the usable window min(cwnd, SND.WND, sndbuf) allows:
 * full segments at once; a short one only when it empties the queue and
 * nothing is unacknowledged (Nagle, RFC 896; under the profile's
 * nagle_minshall, no short segment is: Minshall's variant, as Linux) or
 * Nagle is off, or when it
 * is at least half the largest window the peer offered (sender-side
 * silly-window avoidance, RFC 9293 3.8.6.2.1).  A window too small to
 * send into, with data waiting and nothing in flight, starts the persist
 * timer: for a zero window its probes are ACKs one below SND.UNA (the
 * receiver answers them with its window), backed off like the RTO and
 * never given up while answered (RFC 1122 4.2.2.17); for a small one it
 * sends what fits (the override timeout of 3.8.6.2.1).  PSH marks a
 * segment that ends the queued data; under the profile's retx_psh that
 * position is remembered in the queue and a retransmission covering it
 * carries PSH again, as Linux's does. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

/* ------------------------------------------------------------ send queue */

int sy_tcp_send(sy_tcb *c, const void *bytes, uint64_t n, sy_err *err)
{
	sy_tcb_tx *tx;

	if (c->fin_pending)
		return sy_err_set(err, "send: the connection was shut down for sending (%s)",
				  sy_tcp_state_name(c->state));
	/* a state with no capability at all is not open (CLOSED,
	 * LISTEN); one that no longer takes data is closing */
	if (!c->caps)
		return sy_err_set(err, "send: the connection is not open (%s)",
				  sy_tcp_state_name(c->state));
	if (!(c->caps & SY_TCP_CAP_QUEUE))
		return sy_err_set(err, "send: the connection is closing (%s)",
				  sy_tcp_state_name(c->state));
	if (n == 0)
		return 0;
	if (bytes && n > UINT32_MAX)
		return sy_err_set(err, "send: at most 4 GiB of real bytes at once");
	/* the count stays a signed 64-bit integer (the bytes_queued
	 * statistic), so it never wraps */
	if (n > (uint64_t)INT64_MAX - sy_tcb_snd_queued(c))
		return sy_err_set(err, "send: %llu more bytes would take the bytes queued "
				  "on this connection past 2^63 - 1 (%llu so far)",
				  (unsigned long long)n, (unsigned long long)sy_tcb_snd_queued(c));
	if (!(tx = sy_tx(c, NULL)))
		return sy_err_set(err, "send: out of memory");
	if (!bytes && tx->sq && !tx->sq->bytes && !tx->sq->pushed) {
		/* virtual bytes after virtual bytes: one chunk */
		tx->sq->len += n;
	} else {
		sy_chunk *k = sy_pool_alloc(c->ep->pool, sizeof *k + (bytes ? n : 0));

		if (!k) {
			sy_tx_release(c);  /* as it was */
			return sy_err_set(err, "send: out of memory");
		}
		k->len = n;
		k->off = 0;
		k->pushed = false;
		k->bytes = bytes ? (unsigned char *)(k + 1) : NULL;
		if (bytes)
			memcpy(k->bytes, bytes, n);
		/* k becomes the last, its next the first */
		k->next = tx->sq ? tx->sq->next : k;
		if (tx->sq)
			tx->sq->next = k;
		tx->sq = k;
	}
	tx->snd_queued += n;
	send_check(c);
	if (can_output(c))
		sy_tcb_output(c);
	return 0;
}

/* The payload of [off, off + len) from the first unacknowledged byte to
 * *out: NULL when every byte of it is virtual, else the bytes (virtual
 * ones as zeros) in the endpoint's scratch buffer.  -1 when that buffer
 * cannot grow (the run has failed). */
static int sq_gather(sy_tcb *c, uint32_t off, uint32_t len,
		     const unsigned char **out)
{
	sy_tcp_ep *ep = c->ep;
	const sy_chunk *k = sy_sq_head(c);
	bool real = false;
	uint64_t o = off;

	while (k && o >= k->len - k->off) {
		o -= k->len - k->off;
		k = sy_sq_next(c, k);
	}
	for (const sy_chunk *x = k; x; x = sy_sq_next(c, x)) {
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
			sy_tcb_oom(c, "gathering a segment's payload");
			return -1;
		}
		ep->scratch = b;
		ep->scratch_len = len;
	}
	for (uint32_t got = 0; got < len && k; k = sy_sq_next(c, k), o = 0) {
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

/* Whether a segment first sent with PSH ended within (off, off + len]
 * from the first unacknowledged byte (the profile's retx_psh). */
static bool sq_pushed(const sy_tcb *c, uint32_t off, uint32_t len)
{
	uint64_t end = 0;

	for (const sy_chunk *k = sy_sq_head(c); k; k = sy_sq_next(c, k)) {
		end += k->len - k->off;
		if (end > (uint64_t)off + len)
			return false;
		if (k->pushed && end > off)
			return true;
	}
	return false;
}

/* A segment with PSH ends at the end of the queue: the tail chunk's end
 * is marked, so that a retransmission of those bytes carries PSH again.
 * Past 2^30 queued bytes the data_end a segment ends at is not the
 * queue's end, and nothing is marked. */
static void sq_mark_push(sy_tcb *c, uint32_t seq, uint32_t len)
{
	if (c->tx && c->tx->sq && seq + len - data_seq(c) == sy_tcp_unacked(c))
		c->tx->sq->pushed = true;
}

/* ------------------------------------------------------------ receive window */

/* The receive buffer's memory is rcvbuf (Linux's sk_rcvbuf: twice what
 * SO_RCVBUF asks, which a socket layer doubles); the window may offer a
 * share of it: 256ths rcv_ratio_initial until a full-sized segment
 * arrived, rcv_ratio after (Linux's tcp_win_from_space).  At 256 the
 * window is the buffer. */
static uint64_t rcv_mem(const sy_tcb *c)
{
	return c->rcvbuf;
}

static uint32_t rcv_share(const sy_tcb *c, uint64_t mem)
{
	uint64_t r = c->rcv_ratio ? c->rcv_ratio : (uint64_t)limits(c)->rcv_ratio_initial;
	uint64_t w = mem * r / 256;

	return w > WND_MAX ? WND_MAX : (uint32_t)w;
}

/* The largest window the buffer allows (Linux's tcp_full_space). */
uint32_t sy_tcb_rcv_full(const sy_tcb *c)
{
	return rcv_share(c, rcv_mem(c));
}

/* The window the free memory allows (Linux's tcp_space): each unread
 * byte costs 256 / rcv_ratio bytes of memory (the segments' overhead). */
uint32_t sy_tcb_rcv_free(const sy_tcb *c)
{
	uint64_t mem = rcv_mem(c);
	uint64_t used = (uint64_t)c->rcv_unread * 256 / (uint64_t)limits(c)->rcv_ratio;

	return used >= mem ? 0 : rcv_share(c, mem - used);
}

/* The window offered in a SYN or SYN-ACK: the buffer's share, under
 * rcv_grow a multiple of our MSS (Linux's tcp_select_initial_window),
 * unscaled. */
uint32_t sy_tcb_syn_wnd(const sy_tcb *c)
{
	uint32_t w = sy_tcb_rcv_full(c);

	if (limits(c)->rcv_grow && w > c->mss_local)
		w -= w % c->mss_local;
	return w < 65535 ? w : 65535;
}

/* rcv_grow: the window Linux's __tcp_select_window offers now, before
 * the rule that the right edge never moves back; *low when the free
 * space is under half the largest window (quick ACKs end then). */
uint32_t sy_tcb_rcv_select(const sy_tcb *c, bool *low)
{
	uint32_t allowed = sy_tcb_rcv_full(c), free = sy_tcb_rcv_free(c);
	uint32_t full = c->rcv_clamp < allowed ? c->rcv_clamp : allowed;
	uint32_t unit = (uint32_t)1 << c->rcv_wscale, mss = c->rcv_mss;
	int64_t wnd;

	*low = false;
	if (mss > full) {
		mss = full;
		if (!mss)
			return 0;
	}
	if (free < full / 2) {
		*low = true;
		free &= ~(unit - 1);
		/* a window under an MSS (or a sixteenth of the buffer)
		 * would only invite small segments: zero */
		if (free < allowed / 16 || free < mss)
			return 0;
	}
	if (free > c->rcv_ssthresh)
		free = c->rcv_ssthresh;
	if (c->rcv_wscale)
		return free > WND_MAX - unit ? WND_MAX : (free + unit - 1) & ~(unit - 1);
	/* unscaled: whole MSSs, the previous window kept while within an
	 * MSS of the free space */
	wnd = (int64_t)(c->rcv_adv - c->rcv_wup);
	if (wnd <= (int64_t)free - mss || wnd > (int64_t)free)
		wnd = free - free % mss;
	else if (mss == full && free > wnd + full / 2)
		wnd = free;
	return (uint32_t)wnd;
}

/* rcv_grow: the right edge of the window to advertise now. */
static uint32_t grow_edge(const sy_tcb *c)
{
	uint32_t unit = (uint32_t)1 << c->rcv_wscale, maxw = (uint32_t)65535 << c->rcv_wscale;
	uint32_t cur = sy_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	bool low;
	uint32_t wnd = sy_tcb_rcv_select(c, &low);

	if (wnd < cur)
		wnd = cur > maxw - (unit - 1) ? maxw : (cur + unit - 1) & ~(unit - 1);
	if (wnd > maxw)
		wnd = maxw;
	return c->rcv_nxt + wnd;
}

/* The right edge of the window to advertise now: the free receive
 * buffer, its right edge never moved back and moved forward only in steps
 * of at least min(rcvbuf/2, MSS), as the window field will carry it
 * (under rcv_grow, Linux's selection: grow_edge).  Changes nothing, so
 * that a window update can ask first whether it would say anything new. */
uint32_t sy_tcb_adv_edge(const sy_tcb *c)
{
	uint32_t space, right, step, maxw, adv = c->rcv_adv, wnd;

	if (limits(c)->rcv_grow)
		return grow_edge(c);
	space = sy_tcb_rcv_free(c);
	maxw = (uint32_t)65535 << c->rcv_wscale;
	if (space > maxw)
		space = maxw;
	right = c->rcv_nxt + space;
	step = c->rcvbuf / 2 < c->mss_local ? c->rcvbuf / 2 : c->mss_local;
	if (sy_seq_gt(right, adv) &&
	    (right - adv >= step || adv == c->rcv_nxt))
		adv = right;
	/* The window field counts units of 2^wscale.  Rounded down, a
	 * window below one unit would go out as zero and nothing would
	 * reopen it; so it is rounded up (the right edge moving to what the
	 * field says) as long as that stays within the free buffer rounded
	 * up, and down otherwise: the buffer is overrun by less than a
	 * unit at most. */
	wnd = adv - c->rcv_nxt;
	if (c->rcv_wscale) {
		uint32_t unit = (uint32_t)1 << c->rcv_wscale, mask = unit - 1;
		uint32_t up = wnd > maxw - mask ? maxw : (wnd + mask) & ~mask;
		uint32_t cap = space > maxw - mask ? maxw : (space + mask) & ~mask;

		wnd = up <= cap ? up : wnd & ~mask;
		adv = c->rcv_nxt + wnd;
	}
	return adv;
}

/* The window to advertise now (sy_tcb_adv_edge), taken. */
static uint32_t advertise(sy_tcb *c)
{
	if (!c->data_started)
		return c->rcv_wnd;
	if (limits(c)->rcv_grow) {
		bool low;

		/* Linux's __tcp_select_window ends quick-ACK mode when
		 * the free space is low */
		sy_tcb_rcv_select(c, &low);
		if (low)
			c->quick = 0;
	}
	c->rcv_adv = sy_tcb_adv_edge(c);
	c->rcv_wup = c->rcv_nxt;
	c->rcv_wnd = c->rcv_adv - c->rcv_nxt;
	return c->rcv_wnd;
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

/* The effective MSS counts the timestamps every segment carries
 * (sy_tcb_smss); SACK blocks come and go, so a data segment sent while
 * some are due carries that much less data (RFC 9293 3.7.1: the sender
 * decreases its data by the option length); those sy_tcb_send adds. */
uint32_t sy_tcb_cur_mss(const sy_tcb *c)
{
	uint32_t m = sy_tcb_smss(c), extra;
	sy_tcp_opts o = { 0 };
	uint8_t buf[40];
	unsigned base;

	if (!c->sack_ok || (!sy_tcb_ooo(c) && !sy_loss_ro(c)->dsack_due))
		return m;
	o.has_ts = c->ts_ok;
	base = sy_tcp_write_options(&o, buf);
	sy_tcb_sack_fill(c, &o);
	extra = sy_tcp_write_options(&o, buf) - base;
	return m > extra ? m - extra : 1;
}

void sy_tcb_send(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len)
{
	sy_ipv4 ip = {
		.src = c->laddr, .dst = c->raddr, .proto = SY_IPPROTO_TCP,
		.ttl = 64, .id = sy_node_next_ip_id(c->ep->node), .df = true,
	};
	uint32_t wnd;

	flags = sy_ecn_out(c, flags, seq, len, &ip.tos); /* ecn.c */
	if ((flags & SY_TCP_SYN) && !c->data_started) {
		c->rcv_wnd = sy_tcb_syn_wnd(c);
		/* rcv_grow: with a receive buffer set on the connection,
		 * a scale no larger than the buffer's share needs (Linux's
		 * tcp_select_initial_window under SOCK_RCVBUF_LOCK, whose
		 * window_clamp is that share) */
		if (limits(c)->rcv_grow && c->rcvbuf_set && c->rcv_wscale) {
			uint32_t full = sy_tcb_rcv_full(c), fit = 0;

			while (fit < 14 && (full >> (fit + 16)))
				fit++;
			if (fit < c->rcv_wscale)
				c->rcv_wscale = (uint8_t)fit;
		}
	}
	wnd = (flags & SY_TCP_SYN) ? c->rcv_wnd : advertise(c) >> c->rcv_wscale;
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
		if (c->lr) {
			o.has_tfo = c->lr->tfo;
			o.tfo_len = c->lr->tfo_len;
			memcpy(o.tfo_cookie, c->lr->tfo_cookie, c->lr->tfo_len);
		}
	} else if (c->ts_ok) {
		/* resets too: RFC 7323 3.2 (SHOULD), and Linux's
		 * tcp_send_active_reset (tcp_transmit_skb adds the
		 * option); TSecr only with ACK */
		o.has_ts = true;
	}
	if (o.has_ts) {
		o.tsval = sy_tcb_ts_now(c);
		o.tsecr = (flags & SY_TCP_ACK) ? c->ts_recent : 0;
	}
	if ((flags & SY_TCP_ACK) && !(flags & (SY_TCP_SYN | SY_TCP_RST)))
		sy_tcb_sack_out(c, &o); /* and a D-SACK block, once (dsack.c) */
	t.optlen = (uint8_t)sy_tcp_write_options(&o, t.opt);
	if (flags & SY_TCP_RST)
		sy_rare(c)->rsts_sent++;
	if (flags & SY_TCP_ACK)
		c->last_ack_sent = c->rcv_nxt;
	if ((flags & SY_TCP_ACK) && !(flags & SY_TCP_RST)) {
		/* this carries every ACK that was due; in quick-ACK mode it
		 * is one of the quick ones if one was due */
		if (c->quick && (c->ack_now || c->rcv_unacked || timer_on(c, SY_TCP_T_DELACK)))
			c->quick--;
		c->ack_now = false;
		c->rcv_unacked = 0;
		c->rcv_pushed = 0;
		if (timer_on(c, SY_TCP_T_DELACK))
			sy_tcb_timer_cancel(c, SY_TCP_T_DELACK);
	}
	/* Rather nothing than zeros in place of real bytes.  A SYN's text
	 * follows its sequence number. */
	if (len && (c->data_started || (flags & SY_TCP_SYN)) &&
	    sq_gather(c, seq + !!(flags & SY_TCP_SYN) - data_seq(c), len, &bytes) < 0)
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
		if (now < sy_loss_ro(c)->invalid_ack_next) {
			sy_rare(c)->invalid_acks_suppressed++;
			return;
		}
		if (!sy_loss(c))
			return;
		c->lr->invalid_ack_next = now + gap;
	} else if (s->len && !(s->flags & SY_TCP_SYN) && sy_seq_le(s->seq + s->len, c->rcv_nxt))
		sy_dsack_note(c, s->seq, s->seq + s->len); /* old data again */
	sy_tcb_ack_now(c);
}

bool sy_tcb_synack_again(sy_tcb *c)
{
	sy_time now = now_of(c), gap = limits(c)->invalid_ack_ratelimit;

	if (gap > 0) {
		if (now < sy_loss_ro(c)->invalid_ack_next) {
			sy_rare(c)->invalid_acks_suppressed++;
			return false;
		}
		if (!sy_loss(c))
			return false;
		c->lr->invalid_ack_next = now + gap;
	}
	sy_tcb_send_syn(c, true);
	sy_rare(c)->retransmissions++;
	if (sy_loss(c))
		c->lr->synack_again = true;
	return true;
}

/* The challenge ACKs a second of this endpoint allows: the limit, or
 * under challenge_ack_random a number drawn uniformly from [h, limit + h
 * - 1], h = ceil(limit / 2), as Linux draws it for each second, from the
 * endpoint's own stream so that nothing else's draws change. */
static int64_t chal_budget(sy_tcp_ep *ep, const sy_timer_limits *l, int64_t limit)
{
	int64_t half = (limit + 1) / 2;

	if (!l->challenge_ack_random)
		return limit;
	if (!ep->chal_rng_ok) {
		sy_sim_stream(ep->sim, &ep->chal_rng, "tcp-challenge-ack",
			      sy_node_index(ep->node));
		ep->chal_rng_ok = true;
	}
	return half + (int64_t)sy_rng_below(&ep->chal_rng, (uint64_t)limit);
}

/* RFC 5961 7: under challenge_ack_per_conn the connection's limit comes
 * first (the one of sy_tcb_ack_invalid, whatever the segment carried), and
 * a challenge ACK it holds back takes nothing from the endpoint's budget;
 * then the budget of the current second of virtual time.  per_second < 0:
 * the profile's challenge_ack_limit. */
void sy_tcb_challenge_ack(sy_tcb *c, int64_t per_second)
{
	sy_tcp_ep *ep = c->ep;
	const sy_timer_limits *l = limits(c);
	sy_time now = now_of(c), second = now / SY_SEC;

	if (l->challenge_ack_per_conn && l->invalid_ack_ratelimit > 0) {
		if (now < sy_loss_ro(c)->invalid_ack_next) {
			sy_rare(c)->challenge_acks_suppressed++;
			sy_tcp_note_drop(ep, SY_TCP_DROP_CHALLENGE_LIMIT);
			return;
		}
		if (!sy_loss(c))
			return;
		c->lr->invalid_ack_next = now + l->invalid_ack_ratelimit;
	}
	if (per_second < 0)
		per_second = l->challenge_ack_limit;
	if (per_second > 0) {
		if (!ep->chal_started || second != ep->chal_second) {
			ep->chal_started = true;
			ep->chal_second = second;
			ep->chal_sent = 0;
			ep->chal_budget = chal_budget(ep, l, per_second);
		}
		if (ep->chal_sent >= ep->chal_budget) {
			sy_rare(c)->challenge_acks_suppressed++;
			sy_tcp_note_drop(ep, SY_TCP_DROP_CHALLENGE_LIMIT);
			return;
		}
		ep->chal_sent++;
	}
	sy_rare(c)->challenge_acks++;
	sy_tcb_send(c, SY_TCP_ACK, c->snd_nxt, 0);
	sy_tcb_note(c, SY_TCP_EV_CHALLENGE_ACK, c->snd_nxt, false);
}

void sy_tcb_send_syn(sy_tcb *c, bool ack)
{
	sy_tcb_send(c, ack ? SY_TCP_SYN | SY_TCP_ACK : SY_TCP_SYN, c->iss, 0);
	if (ack)
		c->st.synacks_sent++;
	else
		c->st.syns_sent++;
}

uint32_t sy_tcb_send_syn_data(sy_tcb *c, uint32_t max)
{
	uint64_t q = sy_tcp_unacked(c);
	uint32_t len = q < max ? (uint32_t)q : max;

	sy_tcb_send(c, SY_TCP_SYN, c->iss, len);
	c->st.syns_sent++;
	c->st.bytes_sent += len;
	/* (data from the queue: the block holds it) */
	if (len > sy_tcb_snd_sent(c))
		c->tx->snd_sent = len;
	return len;
}

uint32_t sy_tcb_seg_wnd(const sy_tcb *c, const sy_seg *s)
{
	return (s->flags & SY_TCP_SYN) ? s->win : (uint32_t)s->win << c->snd_wscale;
}

void sy_tcb_ts_update(sy_tcb *c, const sy_seg *s)
{
	/* the timestamp to echo is the one of the segment that our last
	 * ACK acknowledged (SEG.SEQ <= Last.ACK.sent), so a delayed ACK
	 * echoes the earliest of the segments it covers */
	if (!c->ts_ok || !s->opts.has_ts)
		return;
	/* Linux records it in tcp_ack, once the ACK is accepted: resets
	 * and SYNs are answered before, a segment without ACK is dropped,
	 * an old ACK or one of data never sent returns early */
	if (limits(c)->ts_recent_acked &&
	    ((s->flags & (SY_TCP_RST | SY_TCP_SYN)) || !(s->flags & SY_TCP_ACK) ||
	     sy_seq_lt(s->ack, c->snd_una) || sy_seq_gt(s->ack, c->snd_nxt)))
		return;
	if (sy_seq_le(s->seq, c->last_ack_sent) && sy_seq_ge(s->opts.tsval, c->ts_recent))
		c->ts_recent = s->opts.tsval;
}

void sy_tcb_queue_fin(sy_tcb *c)
{
	c->fin_pending = true;
}

bool sy_tcb_fin_queued(const sy_tcb *c)
{
	return c->fin_pending;
}

bool sy_tcb_fin_acked(const sy_tcb *c)
{
	return c->fin_sent && c->snd_una == c->fin_seq + 1;
}

/* ------------------------------------------------------------ output */

/* Sends [seq, seq + len) of the queue, with a FIN after it if fin. */
void sy_tcb_send_data(sy_tcb *c, uint32_t seq, uint32_t len, bool fin, sy_time now)
{
	bool retx = sy_seq_lt(seq, c->snd_max);
	uint8_t flags = SY_TCP_ACK;
	/* (data comes from the queue, which has the block; a FIN alone
	 * may be the first of it) */
	sy_tcb_tx *tx = sy_tx(c, "sending a FIN");

	if (!tx)
		return;
	/* only a segment from SND.NXT carries bytes never sent before */
	SY_DEEP_INVARIANT(seq == c->snd_nxt || sy_seq_le(seq + len, sent_end(c)));
	if (len && seq + len == data_end(c)) {
		flags |= SY_TCP_PSH;
		if (limits(c)->retx_psh)
			sq_mark_push(c, seq, len);
	} else if (len && retx && limits(c)->retx_psh &&
		   sq_pushed(c, seq - data_seq(c), len)) {
		/* the data keeps the PSH it was first sent with (Linux) */
		flags |= SY_TCP_PSH;
	}
	if (fin)
		flags |= SY_TCP_FIN;
	if (!retx && c->snd_una == c->snd_max)
		tx->tx_head = now;
	if (len) {
		/* the first data sent after data arrived, within the ACK
		 * timeout of it, is an answer: the connection counts as
		 * interactive (the profile's pingpong) */
		if (limits(c)->pingpong && c->data_rx_at >= 0 && c->data_tx_at < c->data_rx_at &&
		    now - c->data_rx_at < limits(c)->delack && c->pingpong < UINT8_MAX)
			c->pingpong++;
		c->data_tx_at = now;
	}
	sy_rack_sent(c, seq, len, fin, now); /* its send time (rack.c) */
	sy_tcb_send(c, flags, seq, len);
	c->st.bytes_sent += len;
	/* a short segment of new data: Minshall's Nagle holds the next
	 * short one until it is acknowledged */
	if (len && !retx && len < sy_tcb_smss(c) && len < sy_tcb_cur_mss(c)) {
		c->snd_sml = seq + len;
		c->sml_set = true;
	}
	if (retx) {
		sy_rare(c)->retransmissions++;
		sy_rare(c)->bytes_retransmitted += len;
		if (c->rtt_timing && sy_seq_lt(seq, tx->rtt_seq))
			c->rtt_timing = false; /* Karn */
	} else if (!c->rtt_timing && !c->ts_ok) {
		c->rtt_timing = true;
		tx->rtt_seq = seq + len + fin;
		c->rtt_start = now;
	}
	if (sy_seq_gt(seq + len, c->snd_max))
		tx->snd_sent += seq + len - c->snd_max;
	if (fin) {
		c->fin_seq = seq + len;
		c->fin_sent = true;
	}
	if (!retx && (len || fin))
		tx->last_seg = seq; /* what a tail loss probe sends again */
	if (seq == c->snd_nxt)
		c->snd_nxt += len + fin;
	if (sy_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	c->last_send = now;
	/* Data in flight: the retransmission timer takes the persist
	 * timer's slot (tcb.h), as Linux's RTO replaces its probe timer.
	 * The persist timer may still be pending when a window shorter
	 * than a segment (a small send buffer) opens without an ACK: a
	 * larger buffer set (sy_tcp_set_data_opts). */
	if (timer_on(c, SY_TCP_T_PERSIST))
		sy_tcb_timer_cancel(c, SY_TCP_T_PERSIST);
	if (!timer_on(c, SY_TCP_T_RETRANS))
		sy_tcb_arm_rto(c);
	send_check(c);
}

/* A short segment sent is not yet acknowledged (Minshall). */
static bool short_unacked(const sy_tcb *c)
{
	return c->sml_set && sy_seq_gt(c->snd_sml, c->snd_una) &&
	       sy_seq_le(c->snd_sml, c->snd_nxt);
}

void sy_tcb_output(sy_tcb *c)
{
	sy_time now = now_of(c);
	uint32_t mss = sy_tcb_smss(c), seg = sy_tcb_cur_mss(c);
	bool sent_new = false;

	if (!can_output(c)) {
		if (c->ack_now && synchronized(c))
			sy_tcb_ack_now(c);
		return;
	}
	/* RFC 5681 4.1: after an idle period longer than the RTO, start
	 * again from at most the initial window. */
	if (c->snd_una == c->snd_max && sy_cco(c) && sy_seq_lt(c->snd_nxt, data_end(c))) {
		const void *st;
		const sy_timers_ops *t = sy_tcb_timers(c, &st);

		if (now - c->last_send > t->rto(st, &c->rtt)) {
			sy_cc_conn k;

			cc_load(c, &k);
			k.idle = now - c->last_send;
			k.rto = t->rto(st, &c->rtt);
			sy_cco(c)->idle_restart(sy_ccst(c), &k, c->iw_bytes);
			cc_store(c, &k);
		}
	}
	for (;;) {
		uint32_t end = data_end(c), wnd, usable, len, room;
		bool fin, retx;

		if (sy_tcb_by_pipe(c)) {
			uint32_t p = sy_tcb_pipe(c), seq;
			bool lfin;

			if (p + mss > c->cc.cwnd)
				break;
			room = c->cc.cwnd - p;
			if (sy_tcb_next_lost(c, &seq, &len, &lfin)) {
				sy_tcb_send_data(c, seq, len, lfin, now);
				if (c->tx)
					c->tx->high_rxt = seq + len + lfin;
				continue;
			}
		} else {
			room = UINT32_MAX;
		}
		wnd = c->snd_wnd < c->sndbuf ? c->snd_wnd : c->sndbuf;
		if (!sy_tcb_by_pipe(c)) {
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
		if (len > seg)
			len = seg;
		if (len > usable)
			len = usable;
		retx = sy_seq_lt(c->snd_nxt, c->snd_max);
		fin = c->fin_pending && c->snd_nxt + len == end &&
		      (!c->fin_sent || c->fin_seq == end) &&
		      (!c->fin_sent || retx);
		if (!len && !fin)
			break;
		if (len && len < seg && !fin && !retx && !c->force) {
			bool all = c->snd_nxt + len == end;
			bool idle = c->snd_nxt == c->snd_una ||
				    (limits(c)->nagle_minshall && !short_unacked(c));
			bool ok = (all && (!c->nagle || idle)) || len >= c->max_wnd / 2;

			if (!ok || c->cork)
				break;
		}
		c->force = false;
		sent_new |= !retx;
		sy_tcb_send_data(c, c->snd_nxt, len, fin, now);
	}
	/* new data restarts the tail loss probe's timeout (RFC 8985 7.2) */
	if (sent_new)
		sy_tlp_schedule(c);
	if (sy_cco(c) && (sent_new || sy_tcb_pipe(c) + mss > c->cc.cwnd))
		cwnd_usage(c, sy_tcb_pipe(c) + mss > c->cc.cwnd);
	/* Nothing in flight, something to send, and the window too small
	 * for it (zero, or short of what silly-window avoidance waits
	 * for) or a cork holding it: the persist timer probes a zero
	 * window and, for a small one, sends what fits when it fires (the
	 * override timeout of RFC 9293 3.8.6.2.1).  A corked segment goes
	 * then too, as Linux's probe timer sends it: the ceiling on a cork
	 * that tcp(7) gives as 200 ms, the least RTO. */
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
