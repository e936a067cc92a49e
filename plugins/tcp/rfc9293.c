/* The TCP state machine of RFC 9293, with RFC 5961's defences.
 *
 * Segment arrival follows RFC 9293 3.10.7 step by step: LISTEN
 * (3.10.7.2), SYN-SENT (3.10.7.3), then for the other states (3.10.7.4)
 * the sequence check, RST, SYN, ACK, text and FIN, each in its own
 * function named after its step.  RFC 5961 replaces three rules: a reset is
 * accepted only when its sequence number is exactly RCV.NXT (an in-window
 * one gets a challenge ACK, 3.2), any SYN in a synchronized state gets a
 * challenge ACK (4.2), and an ACK beyond what was sent is answered and
 * dropped (5.2).
 *
 * The data path (the ACK field's processing, the segment text and
 * output) is the endpoint's, shared with other state machines
 * (tcp_data.c); its buffer sizes, the initial window and Nagle's default
 * are parameters of this plugin.
 *
 * Challenge ACKs are limited to `challenge_ack_limit` per second of
 * virtual time per endpoint (RFC 5961 section 7 asks for a configurable
 * throttle; 1000 per second is Linux's former host-wide default).
 *
 * Built with SY_TWOWAY, the same file is the teaching plugin `twoway`: a
 * two-way handshake, in which the server is ESTABLISHED as soon as it has
 * answered a SYN and the client sends no third segment.  Nothing then tells
 * the server that a SYN was an old duplicate: the experiment that shows why
 * TCP needs the third segment. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "tcp.h"

/* ------------------------------------------------------------ sending */

static void arm_retransmit(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, t->rto(st, &c->rtt));
}

static void send_syn(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_SYN, c->iss, 0);
	c->st.syns_sent++;
}

static void send_synack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_SYN | SY_TCP_ACK, c->iss, 0);
	c->st.synacks_sent++;
}

static void send_ack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, c->snd_nxt, 0);
}

/* Per endpoint (the instance's state). */
struct sm {
	int64_t challenge_ack_limit; /* parameter; 0: no limit */
	int64_t mss;                 /* parameter: MSS we announce */
	bool window_scaling;         /* parameter */
	int64_t wscale;              /* parameter: our shift count */
	bool timestamps;             /* parameter */
	bool sack;                   /* parameter: offer SACK-permitted */
	int64_t sndbuf, rcvbuf;      /* parameters: bytes */
	int64_t initial_window;      /* parameter: segments */
	bool nagle;                  /* parameter */
	bool limited_transmit;       /* parameter */
	sy_time window;              /* the current whole second */
	int64_t sent;                /* challenge ACKs sent in it */
};

static sy_time sim_now(sy_tcb *c);

static void challenge_ack(sy_tcb *c)
{
	struct sm *m = sy_tcb_sm_state(c);
	sy_time second = sim_now(c) / SY_SEC;

	if (second != m->window) {
		m->window = second;
		m->sent = 0;
	}
	if (m->challenge_ack_limit && m->sent >= m->challenge_ack_limit) {
		c->st.challenge_acks_suppressed++;
		return;
	}
	m->sent++;
	c->st.challenge_acks++;
	send_ack(c);
}

/* What this endpoint offers in its SYN (or may accept in a SYN-ACK). */
static void offer(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);

	c->mss_local = (uint16_t)m->mss;
	c->ws_ok = m->window_scaling;
	c->rcv_wscale = m->window_scaling ? (uint8_t)m->wscale : 0;
	c->ts_ok = m->timestamps;
	c->sack_ok = m->sack;
}

/* Keeps what both sides offered (RFC 9293 3.7.1 for the MSS, 536 when
 * absent; RFC 7323 2.2 and 3.2; RFC 2018). */
static void negotiate(sy_tcb *c, const sy_tcp_opts *o)
{
	c->mss_peer = o->has_mss ? o->mss : 536;
	c->ws_ok = c->ws_ok && o->has_ws;
	c->snd_wscale = c->ws_ok ? (uint8_t)(o->ws > 14 ? 14 : o->ws) : 0;
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->ts_ok = c->ts_ok && o->has_ts;
	if (c->ts_ok)
		c->ts_recent = o->tsval;
	c->sack_ok = c->sack_ok && o->sack_ok;
}

/* The user closed: the FIN goes after the queued data (output sends
 * it); the state changes now. */
static void start_fin(sy_tcb *c, sy_tcp_state next)
{
	c->fin_pending = true;
	sy_tcb_set_state(c, next, "close");
	sy_tcb_output(c);
}

/* An RTT sample from the SYN or SYN-ACK timed at rtt_start, unless it
 * was retransmitted (Karn). */
static void rtt_sample(sy_tcb *c, sy_time now)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	if (c->retries == 0)
		t->rtt_sample(st, &c->rtt, now - c->rtt_start);
}

/* Keepalive (RFC 1122 4.2.3.6), when the profile enables it: after
 * keepalive_time without a segment from the peer, probes
 * <SEQ=SND.NXT-1><ACK=RCV.NXT> every keepalive_intvl; keepalive_probes
 * unanswered ones abort the connection.  Any segment from the peer starts
 * the idle time again. */
static void keepalive_restart(sy_tcb *c)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);

	if (!lim->keepalive || c->state != SY_TCP_ESTABLISHED)
		return;
	c->probes = 0;
	sy_tcb_timer_set(c, SY_TCP_T_KEEPALIVE, lim->keepalive_time);
}

static void enter_time_wait(sy_tcb *c, const char *cause)
{
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_timer_cancel(c, SY_TCP_T_FIN_WAIT_2);
	sy_tcb_timer_cancel(c, SY_TCP_T_PERSIST);
	sy_tcb_timer_cancel(c, SY_TCP_T_KEEPALIVE);
	sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
	sy_tcb_set_state(c, SY_TCP_TIME_WAIT, cause);
}

/* ------------------------------------------------------------ user calls */

static sy_time sim_now(sy_tcb *c)
{
	return sy_sim_now(sy_net_sim(sy_tcp_ep_net(c->ep)));
}

static void sm_connect(sy_tcb *c)
{
	offer(c);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->retries = 0;
	c->rtt_start = sim_now(c);
	send_syn(c);
	arm_retransmit(c);
	sy_tcb_set_state(c, SY_TCP_SYN_SENT, "connect");
}

static void sm_close(sy_tcb *c)
{
	switch (c->state) {
	case SY_TCP_SYN_SENT:
		sy_tcb_set_state(c, SY_TCP_CLOSED, "close");
		break;
	case SY_TCP_SYN_RECEIVED:
		/* RFC 9293 3.10.4: queued until ESTABLISHED */
		c->fin_pending = true;
		break;
	case SY_TCP_ESTABLISHED:
		start_fin(c, SY_TCP_FIN_WAIT_1);
		break;
	case SY_TCP_CLOSE_WAIT:
		start_fin(c, SY_TCP_LAST_ACK);
		break;
	default:
		break; /* closing already */
	}
}

static void sm_abort(sy_tcb *c)
{
	switch (c->state) {
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_FIN_WAIT_2:
	case SY_TCP_CLOSE_WAIT:
		sy_tcb_send(c, SY_TCP_RST, c->snd_nxt, 0);
		break;
	default:
		break;
	}
	sy_tcb_set_state(c, SY_TCP_CLOSED, "abort");
}

/* ------------------------------------------------------------ timers */

static void sm_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);
	int64_t limit;

	if (which == SY_TCP_T_TIME_WAIT) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, "time_wait");
		return;
	}
	if (which == SY_TCP_T_FIN_WAIT_2) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, "fin_wait_2 timeout");
		return;
	}
	if (which == SY_TCP_T_SYN_RECEIVED) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, "syn_received timeout");
		return;
	}
	if (which == SY_TCP_T_DELACK || which == SY_TCP_T_PERSIST ||
	    (which == SY_TCP_T_RETRANS && c->state >= SY_TCP_ESTABLISHED)) {
		sy_tcb_data_timeout(c, which);
		return;
	}
	if (which == SY_TCP_T_KEEPALIVE) {
		if (c->state != SY_TCP_ESTABLISHED)
			return;
		if ((int64_t)c->probes >= lim->keepalive_probes) {
			sy_tcb_notify(c, "timeout");
			sy_tcb_send(c, SY_TCP_RST, c->snd_nxt, 0);
			sy_tcb_set_state(c, SY_TCP_CLOSED, "keepalive timeout");
			return;
		}
		c->probes++;
		sy_tcb_send(c, SY_TCP_ACK, c->snd_nxt - 1, 0);
		sy_tcb_timer_set(c, SY_TCP_T_KEEPALIVE, lim->keepalive_intvl);
		return;
	}
	limit = c->state == SY_TCP_SYN_SENT ? lim->syn_retries :
		c->state == SY_TCP_SYN_RECEIVED ? lim->synack_retries :
		lim->data_retries;
	if ((int64_t)c->retries >= limit) {
		sy_tcb_notify(c, "timeout");
		sy_tcb_set_state(c, SY_TCP_CLOSED, "timeout");
		return;
	}
	c->retries++;
	c->st.retransmissions++;
	t->rtt_backoff(st, &c->rtt);
	c->syn_timed_out = true;
	switch (c->state) {
	case SY_TCP_SYN_SENT:
		send_syn(c);
		break;
	case SY_TCP_SYN_RECEIVED:
		send_synack(c);
		break;
	default:
		return;
	}
	arm_retransmit(c);
}

/* ------------------------------------------------------------ LISTEN */

/* RFC 9293 3.10.7.2. */
static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcb *c;

	if (s->flags & SY_TCP_RST)
		return;
	if (s->flags & SY_TCP_ACK) {
		/* the final ACK of a cookie handshake, or a stray ACK; with
		 * the accept queue full it is dropped */
		if (sy_tcp_accept_full(l))
			return;
		if (!sy_tcp_cookie_accept(l, s))
			sy_tcp_send_reset(sy_tcp_listener_ep(l), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	if (!(s->flags & SY_TCP_SYN))
		return;
	if (sy_tcp_cookie_wanted(l)) {
		sy_tcp_cookie_synack(l, s);
		return;
	}
	c = sy_tcp_accept_new(l, s);
	if (!c)
		return; /* backlog full: dropped and counted */
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_wnd = s->win; /* never scaled in a SYN */
	offer(c);
	negotiate(c, &s->opts);
	c->retries = 0;
	c->rtt_start = sim_now(c);
	send_synack(c);
#ifdef SY_TWOWAY
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, "syn");
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, "syn (two-way handshake)");
	sy_tcp_accept_ready(c);
#else
	arm_retransmit(c);
	/* A SYN_RECEIVED timeout shorter than the SYN-ACK retries frees
	 * the slot sooner: a defence against SYN floods (RFC 4987 3.2). */
	if (sy_tcb_limits(c)->syn_received > 0)
		sy_tcb_timer_set(c, SY_TCP_T_SYN_RECEIVED, sy_tcb_limits(c)->syn_received);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, "syn");
#endif
}

/* ------------------------------------------------------------ SYN-SENT */

/* RFC 9293 3.10.7.3. */
static void syn_sent_input(sy_tcb *c, const sy_seg *s)
{
	bool ack = s->flags & SY_TCP_ACK;

	/* first: the ACK bit */
	if (ack && (sy_seq_le(s->ack, c->iss) || sy_seq_gt(s->ack, c->snd_nxt))) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcp_send_reset(c->ep, s, s->ack, 0, SY_TCP_RST);
		return;
	}
	/* second: the RST bit; acceptable only with an acceptable ACK */
	if (s->flags & SY_TCP_RST) {
		if (ack) {
			sy_tcb_notify(c, "refused");
			sy_tcb_set_state(c, SY_TCP_CLOSED, "reset");
		}
		return;
	}
	/* fourth: the SYN bit */
	if (!(s->flags & SY_TCP_SYN))
		return;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->snd_wnd = s->win;
	negotiate(c, &s->opts);
	if (ack)
		c->snd_una = s->ack;
	if (sy_seq_gt(c->snd_una, c->iss)) {
		rtt_sample(c, sim_now(c));
		sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
		if (c->ts_ok) /* timestamps are in use from here on */
			c->ts_recent = s->opts.tsval;
		sy_tcb_data_start(c);
#ifndef SY_TWOWAY
		send_ack(c); /* the third segment */
#endif
		sy_tcb_set_state(c, SY_TCP_ESTABLISHED, "syn-ack");
		if (c->state == SY_TCP_CLOSED)
			return;
		keepalive_restart(c);
		sy_tcb_output(c);
	} else {
		/* simultaneous open */
		send_synack(c);
		sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, "syn");
	}
}

/* ------------------------------------------------------------ the others */

/* First: is the segment acceptable (RFC 9293 3.10.7.4, the four cases)? */
static bool acceptable(const sy_tcb *c, const sy_seg *s)
{
	uint32_t len = sy_seg_len(s), wnd = c->rcv_wnd;
	bool first = sy_seq_le(c->rcv_nxt, s->seq) && sy_seq_lt(s->seq, c->rcv_nxt + wnd);

	if (len == 0)
		return wnd == 0 ? s->seq == c->rcv_nxt : first;
	if (wnd == 0)
		return false;
	return first || (sy_seq_le(c->rcv_nxt, s->seq + len - 1) &&
			 sy_seq_lt(s->seq + len - 1, c->rcv_nxt + wnd));
}

/* Second: the RST bit, with RFC 5961 3.2: exactly RCV.NXT resets, anything
 * else in the window gets a challenge ACK.  Returns true when the segment
 * is consumed. */
static bool rst_step(sy_tcb *c, const sy_seg *s)
{
	if (!(s->flags & SY_TCP_RST))
		return false;
	if (s->seq != c->rcv_nxt) {
		challenge_ack(c);
		return true;
	}
	if (c->state == SY_TCP_SYN_RECEIVED && c->listener) {
		/* a passive open returns to LISTEN: this record goes */
		sy_tcb_set_state(c, SY_TCP_CLOSED, "reset");
		return true;
	}
	if (c->state != SY_TCP_CLOSING && c->state != SY_TCP_LAST_ACK &&
	    c->state != SY_TCP_TIME_WAIT)
		sy_tcb_notify(c, c->state == SY_TCP_SYN_RECEIVED ? "refused" : "reset");
	sy_tcb_set_state(c, SY_TCP_CLOSED, "reset");
	return true;
}

/* Fourth: the SYN bit.  In SYN-RECEIVED after a passive open the record
 * goes (back to LISTEN); in a synchronized state RFC 5961 4.2 answers any
 * SYN with a challenge ACK. */
static bool syn_step(sy_tcb *c, const sy_seg *s)
{
	if (!(s->flags & SY_TCP_SYN))
		return false;
	if (c->state == SY_TCP_SYN_RECEIVED && c->listener) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, "syn");
		return true;
	}
	challenge_ack(c);
	return true;
}

/* Fifth: the ACK field.  Returns true when the segment is consumed. */
static bool ack_step(sy_tcb *c, const sy_seg *s)
{
	sy_time now = sim_now(c);

	if (!(s->flags & SY_TCP_ACK))
		return true;
	if (c->state == SY_TCP_SYN_RECEIVED) {
		if (sy_seq_lt(c->snd_una, s->ack) && sy_seq_le(s->ack, c->snd_nxt)) {
			/* a full accept queue drops the final ACK: the
			 * SYN-ACK timer goes on and the peer tries again */
			if (c->listener && sy_tcp_accept_full(c->listener))
				return true;
			c->snd_una = c->iss + 1;
			c->snd_wnd = (uint32_t)s->win << c->snd_wscale;
			rtt_sample(c, now);
			c->retries = 0;
			sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
			sy_tcb_timer_cancel(c, SY_TCP_T_SYN_RECEIVED);
			sy_tcb_set_state(c, SY_TCP_ESTABLISHED, "ack");
			keepalive_restart(c);
			if (c->listener)
				sy_tcp_accept_ready(c);
			if (c->state == SY_TCP_ESTABLISHED && c->fin_pending)
				sy_tcb_set_state(c, SY_TCP_FIN_WAIT_1, "close");
			if (c->state == SY_TCP_CLOSED)
				return true;
		} else {
			sy_tcp_send_reset(c->ep, s, s->ack, 0, SY_TCP_RST);
			return true;
		}
	}
	/* SND.UNA, the window, recovery (RFC 5961 5.2 included) */
	if (sy_tcb_ack_in(c, s))
		return true;
	/* Our FIN is acknowledged once SND.UNA passes it. */
	if (c->fin_sent && c->snd_una == c->fin_seq + 1) {
		switch (c->state) {
		case SY_TCP_FIN_WAIT_1:
			if (sy_tcb_limits(c)->fin_wait2 > 0)
				sy_tcb_timer_set(c, SY_TCP_T_FIN_WAIT_2,
						 sy_tcb_limits(c)->fin_wait2);
			sy_tcb_set_state(c, SY_TCP_FIN_WAIT_2, "ack of fin");
			break;
		case SY_TCP_CLOSING:
			enter_time_wait(c, "ack of fin");
			break;
		case SY_TCP_LAST_ACK:
			sy_tcb_set_state(c, SY_TCP_CLOSED, "ack of fin");
			return true;
		default:
			break;
		}
	}
	return false;
}

/* Seventh and eighth: the text (delivered or queued, the data path's
 * business) and FIN. */
static void text_and_fin(sy_tcb *c, const sy_seg *s)
{
	bool fin = s->flags & SY_TCP_FIN;

	sy_tcb_text_in(c, s);
	if (c->state == SY_TCP_CLOSED || !fin)
		return;
	if (s->seq + s->len != c->rcv_nxt) {
		sy_tcb_ack_soon(c); /* a FIN past a gap waits; say what is missing */
		return;
	}
	c->rcv_nxt++;
	c->rcv_adv++;
	sy_tcb_ack_soon(c);
	switch (c->state) {
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
		sy_tcb_set_state(c, SY_TCP_CLOSE_WAIT, "fin");
		break;
	case SY_TCP_FIN_WAIT_1:
		sy_tcb_set_state(c, SY_TCP_CLOSING, "fin");
		break;
	case SY_TCP_FIN_WAIT_2:
		enter_time_wait(c, "fin");
		break;
	default:
		break;
	}
}

static void sm_input(sy_tcb *c, const sy_seg *s)
{
	if (c->state == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	/* TIME-WAIT: a retransmission of the peer's FIN is acknowledged and
	 * restarts the 2 MSL wait (3.10.7.4, eighth). */
	if (c->state == SY_TCP_TIME_WAIT && (s->flags & SY_TCP_FIN) &&
	    !(s->flags & SY_TCP_RST) && s->seq + sy_seg_len(s) == c->rcv_nxt) {
		send_ack(c);
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
		return;
	}
	/* RFC 5961 4.2: in a synchronized state a SYN gets a challenge ACK
	 * whatever its sequence number, so before the sequence check. */
	if (c->state >= SY_TCP_ESTABLISHED && (s->flags & SY_TCP_SYN) &&
	    !(s->flags & SY_TCP_RST)) {
		challenge_ack(c);
		return;
	}
	/* first: sequence number; the answering ACK is rate limited */
	if (!acceptable(c, s)) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcb_ack_invalid(c, s);
		return;
	}
	keepalive_restart(c); /* the peer is alive: idle time anew */
	/* RFC 7323 4.3: the timestamp to echo is the one of the segment
	 * that our last ACK acknowledged (SEG.SEQ <= Last.ACK.sent), so a
	 * delayed ACK echoes the earliest of the segments it covers */
	if (c->ts_ok && s->opts.has_ts && sy_seq_le(s->seq, c->last_ack_sent) &&
	    sy_seq_ge(s->opts.tsval, c->ts_recent))
		c->ts_recent = s->opts.tsval;
	if (rst_step(c, s) || syn_step(c, s))
		return;
	if (!ack_step(c, s))
		text_and_fin(c, s);
	if (c->state != SY_TCP_CLOSED)
		sy_tcb_output(c);
}

static void sm_data_defaults(const void *st, sy_tcp_data_opts *o)
{
	const struct sm *m = st;

	o->sndbuf = (uint32_t)m->sndbuf;
	o->rcvbuf = (uint32_t)m->rcvbuf;
	o->initial_window = (uint32_t)m->initial_window;
	o->nagle = m->nagle;
	o->limited_transmit = m->limited_transmit;
}

static const sy_tcp_sm_ops ops = {
	.connect = sm_connect,
	.listen_input = sm_listen_input,
	.input = sm_input,
	.close = sm_close,
	.abort = sm_abort,
	.timeout = sm_timeout,
	.data_defaults = sm_data_defaults,
};

static const sy_param params[] = {
	{ .name = "challenge_ack_limit", .type = SY_PT_INT,
	  .offset = offsetof(struct sm, challenge_ack_limit),
	  .def = "1000", .min = "0", .max = "1000000000",
	  .doc = "challenge ACKs per second per endpoint (RFC 5961 7); 0: no limit" },
	{ .name = "mss", .type = SY_PT_SIZE, .offset = offsetof(struct sm, mss),
	  .def = "1460B", .min = "88B", .max = "65495B",
	  .doc = "maximum segment size announced in the SYN (MTU 1500 minus 40)" },
	{ .name = "window_scaling", .type = SY_PT_BOOL, .offset = offsetof(struct sm, window_scaling),
	  .def = "true", .doc = "offer window scaling (RFC 7323)" },
	{ .name = "wscale", .type = SY_PT_INT, .offset = offsetof(struct sm, wscale),
	  .def = "7", .min = "0", .max = "14", .doc = "our window shift count (Linux: 7)" },
	{ .name = "timestamps", .type = SY_PT_BOOL, .offset = offsetof(struct sm, timestamps),
	  .def = "true", .doc = "offer timestamps (RFC 7323), a millisecond clock" },
	{ .name = "sack", .type = SY_PT_BOOL, .offset = offsetof(struct sm, sack),
	  .def = "true", .doc = "offer SACK-permitted (RFC 2018)" },
	{ .name = "sndbuf", .type = SY_PT_SIZE, .offset = offsetof(struct sm, sndbuf),
	  .def = "4MiB", .min = "1B", .max = "1GiB",
	  .doc = "send buffer: bounds the bytes in flight" },
	{ .name = "rcvbuf", .type = SY_PT_SIZE, .offset = offsetof(struct sm, rcvbuf),
	  .def = "4MiB", .min = "1B", .max = "1GiB",
	  .doc = "receive buffer: the largest window advertised" },
	{ .name = "initial_window", .type = SY_PT_INT, .offset = offsetof(struct sm, initial_window),
	  .def = "10", .min = "1", .max = "1000",
	  .doc = "initial congestion window in segments (RFC 6928: 10)" },
	{ .name = "nagle", .type = SY_PT_BOOL, .offset = offsetof(struct sm, nagle),
	  .def = "true", .doc = "Nagle's algorithm (RFC 896) by default" },
	{ .name = "limited_transmit", .type = SY_PT_BOOL, .offset = offsetof(struct sm, limited_transmit),
	  .def = "true", .doc = "a new segment on each of the first two duplicate ACKs (RFC 3042)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "tcp",
#ifdef SY_TWOWAY
	.name = "twoway",
	.summary = "teaching: a two-way handshake (server ESTABLISHED on the SYN)",
#else
	.name = "rfc9293",
	.summary = "RFC 9293 state machine with RFC 5961's defences",
#endif
	.state_size = sizeof(struct sm),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
