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
 * The data path (the ACK field's processing from SND.UNA on, the segment
 * text, output, delayed ACKs, the persist timer, keepalive probes and
 * retransmission once synchronized) is the endpoint's, shared with other
 * state machines (tcp_sm.h); this plugin tells it what it may do in each
 * state (the caps table) and decides how a connection ends when its
 * retries run out.  The buffer sizes, the initial window and Nagle's
 * default are parameters of this plugin.
 *
 * Challenge ACKs are limited to `challenge_ack_limit` per second of
 * virtual time per endpoint (RFC 5961 section 7 asks for a configurable
 * throttle; 1000 per second is Linux's former host-wide default).
 */
#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "tcp.h"
#include "tcp_sm.h"

/* ------------------------------------------------------------ sending */

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
};

static void send_ack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, sy_tcb_vars(c)->snd_nxt, 0);
}

static void challenge_ack(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);

	sy_tcb_challenge_ack(c, m->challenge_ack_limit);
}

/* What this endpoint offers in its SYN (or may accept in a SYN-ACK). */
static void offer(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);
	sy_tcp_offer o = {
		.mss = (uint16_t)m->mss, .window_scaling = m->window_scaling,
		.wscale = (uint8_t)m->wscale, .timestamps = m->timestamps,
		.sack = m->sack,
	};

	sy_tcb_offer(c, &o);
}

/* The user closed: the FIN goes after the queued data (output sends
 * it); the state changes now. */
static void start_fin(sy_tcb *c, sy_tcp_state next)
{
	sy_tcb_queue_fin(c);
	sy_tcb_set_state(c, next, SY_TCP_CAUSE_CLOSE);
	sy_tcb_output(c);
}

/* ------------------------------------------------------------ user calls */

static void sm_connect(sy_tcb *c)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	offer(c);
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->retries = 0;
	sy_tcb_time_syn(c);
	sy_tcb_send_syn(c, false);
	sy_tcb_arm_retransmit(c);
	sy_tcb_set_state(c, SY_TCP_SYN_SENT, SY_TCP_CAUSE_CONNECT);
}

static void sm_close(sy_tcb *c)
{
	switch (sy_tcb_state(c)) {
	case SY_TCP_SYN_SENT:
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_CLOSE);
		break;
	case SY_TCP_SYN_RECEIVED:
		/* RFC 9293 3.10.4: queued until ESTABLISHED */
		sy_tcb_queue_fin(c);
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
	switch (sy_tcb_state(c)) {
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_FIN_WAIT_2:
	case SY_TCP_CLOSE_WAIT:
		sy_tcb_send(c, SY_TCP_RST, sy_tcb_vars(c)->snd_nxt, 0);
		break;
	default:
		break;
	}
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
}

/* ------------------------------------------------------------ timers */

/* This state machine's timers: the handshake's retransmissions, the
 * SYN_RECEIVED, FIN_WAIT_2 and TIME_WAIT timeouts. */
static void sm_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	sy_tcp_state state = sy_tcb_state(c);
	int64_t limit;

	if (which == SY_TCP_T_TIME_WAIT) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIME_WAIT);
		return;
	}
	if (which == SY_TCP_T_FIN_WAIT_2) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT);
		return;
	}
	if (which == SY_TCP_T_SYN_RECEIVED) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN_RECEIVED_TIMEOUT);
		return;
	}
	if (which != SY_TCP_T_RETRANS)
		return;
	limit = state == SY_TCP_SYN_SENT ? lim->syn_retries :
		state == SY_TCP_SYN_RECEIVED ? lim->synack_retries :
		lim->data_retries;
	if ((int64_t)sy_tcb_vars(c)->retries >= limit) {
		sy_tcb_notify(c, SY_TCP_CAUSE_TIMEOUT);
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIMEOUT);
		return;
	}
	sy_tcb_syn_backoff(c);
	switch (state) {
	case SY_TCP_SYN_SENT:
		sy_tcb_send_syn(c, false);
		break;
	case SY_TCP_SYN_RECEIVED:
		sy_tcb_send_syn(c, true);
		break;
	default:
		return;
	}
	sy_tcb_arm_retransmit(c);
}

/* The data path's retries ran out: after the retransmissions (or the
 * user timeout) the connection goes without a reset; after unanswered
 * keepalive probes with one. */
static void sm_give_up(sy_tcb *c, int which)
{
	sy_tcb_notify(c, SY_TCP_CAUSE_TIMEOUT);
	if (which == SY_TCP_T_KEEPALIVE) {
		sy_tcb_send(c, SY_TCP_RST, sy_tcb_vars(c)->snd_nxt, 0);
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_KEEPALIVE_TIMEOUT);
		return;
	}
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIMEOUT);
}

/* ------------------------------------------------------------ LISTEN */

/* RFC 9293 3.10.7.2. */
static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcp_vars *v;
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
	v = sy_tcb_vars(c);
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->snd_wnd = s->win; /* never scaled in a SYN */
	offer(c);
	sy_tcb_negotiate(c, &s->opts);
	v->retries = 0;
	sy_tcb_time_syn(c);
	sy_tcb_send_syn(c, true);
	sy_tcb_arm_retransmit(c);
	/* A SYN_RECEIVED timeout shorter than the SYN-ACK retries frees
	 * the slot sooner: a defence against SYN floods (RFC 4987 3.2). */
	if (sy_tcb_limits(c)->syn_received > 0)
		sy_tcb_timer_set(c, SY_TCP_T_SYN_RECEIVED, sy_tcb_limits(c)->syn_received);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
}

/* ------------------------------------------------------------ SYN-SENT */

/* RFC 9293 3.10.7.3. */
static void syn_sent_input(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);
	bool ack = s->flags & SY_TCP_ACK;

	/* first: the ACK bit */
	if (ack && (sy_seq_le(s->ack, v->iss) || sy_seq_gt(s->ack, v->snd_nxt))) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	/* second: the RST bit; acceptable only with an acceptable ACK */
	if (s->flags & SY_TCP_RST) {
		if (ack) {
			sy_tcb_notify(c, SY_TCP_CAUSE_REFUSED);
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		}
		return;
	}
	/* fourth: the SYN bit */
	if (!(s->flags & SY_TCP_SYN))
		return;
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_wnd = s->win;
	sy_tcb_negotiate(c, &s->opts); /* timestamps in use from here on */
	if (ack)
		v->snd_una = s->ack;
	if (sy_seq_gt(v->snd_una, v->iss)) {
		sy_tcb_rtt_syn(c);
		sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
		sy_tcb_data_start(c);
		send_ack(c); /* the third segment */
		sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_ACK);
		if (sy_tcb_state(c) == SY_TCP_CLOSED)
			return;
		sy_tcb_keepalive_restart(c);
		sy_tcb_output(c);
	} else {
		/* simultaneous open */
		sy_tcb_send_syn(c, true);
		sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
	}
}

/* ------------------------------------------------------------ the others */

/* First: is the segment acceptable (RFC 9293 3.10.7.4, the four cases)? */
static bool acceptable(sy_tcb *c, const sy_seg *s)
{
	const sy_tcp_vars *v = sy_tcb_vars(c);
	uint32_t len = sy_seg_len(s), wnd = v->rcv_wnd;
	bool first = sy_seq_le(v->rcv_nxt, s->seq) && sy_seq_lt(s->seq, v->rcv_nxt + wnd);

	if (len == 0)
		return wnd == 0 ? s->seq == v->rcv_nxt : first;
	if (wnd == 0)
		return false;
	return first || (sy_seq_le(v->rcv_nxt, s->seq + len - 1) &&
			 sy_seq_lt(s->seq + len - 1, v->rcv_nxt + wnd));
}

/* Second: the RST bit, with RFC 5961 3.2: exactly RCV.NXT resets, anything
 * else in the window gets a challenge ACK.  Returns true when the segment
 * is consumed. */
static bool rst_step(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_state state = sy_tcb_state(c);

	if (!(s->flags & SY_TCP_RST))
		return false;
	if (s->seq != sy_tcb_vars(c)->rcv_nxt) {
		challenge_ack(c);
		return true;
	}
	if (state == SY_TCP_SYN_RECEIVED && sy_tcb_passive(c)) {
		/* a passive open returns to LISTEN: this record goes */
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		return true;
	}
	if (state != SY_TCP_CLOSING && state != SY_TCP_LAST_ACK &&
	    state != SY_TCP_TIME_WAIT)
		sy_tcb_notify(c, state == SY_TCP_SYN_RECEIVED ? SY_TCP_CAUSE_REFUSED :
				 SY_TCP_CAUSE_RESET);
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
	return true;
}

/* Fourth: the SYN bit.  In SYN-RECEIVED after a passive open the record
 * goes (back to LISTEN); in a synchronized state RFC 5961 4.2 answers any
 * SYN with a challenge ACK. */
static bool syn_step(sy_tcb *c, const sy_seg *s)
{
	if (!(s->flags & SY_TCP_SYN))
		return false;
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED && sy_tcb_passive(c)) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN);
		return true;
	}
	challenge_ack(c);
	return true;
}

/* Fifth: the ACK field.  Returns true when the segment is consumed. */
static bool ack_step(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	if (!(s->flags & SY_TCP_ACK))
		return true;
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED) {
		if (sy_seq_lt(v->snd_una, s->ack) && sy_seq_le(s->ack, v->snd_nxt)) {
			/* a full accept queue drops the final ACK: the
			 * SYN-ACK timer goes on and the peer tries again */
			if (sy_tcb_accept_full(c))
				return true;
			v->snd_una = v->iss + 1;
			v->snd_wnd = sy_tcb_seg_wnd(c, s);
			sy_tcb_rtt_syn(c);
			v->retries = 0;
			sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
			sy_tcb_timer_cancel(c, SY_TCP_T_SYN_RECEIVED);
			sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_ACK);
			sy_tcb_keepalive_restart(c);
			if (sy_tcb_passive(c))
				sy_tcp_accept_ready(c);
			if (sy_tcb_state(c) == SY_TCP_ESTABLISHED && sy_tcb_fin_queued(c))
				sy_tcb_set_state(c, SY_TCP_FIN_WAIT_1, SY_TCP_CAUSE_CLOSE);
			if (sy_tcb_state(c) == SY_TCP_CLOSED)
				return true;
		} else {
			sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
			return true;
		}
	}
	/* SND.UNA, the window, recovery (RFC 5961 5.2 included) */
	if (sy_tcb_ack_in(c, s))
		return true;
	/* Our FIN is acknowledged once SND.UNA passes it. */
	if (sy_tcb_fin_acked(c)) {
		switch (sy_tcb_state(c)) {
		case SY_TCP_FIN_WAIT_1:
			if (sy_tcb_limits(c)->fin_wait2 > 0)
				sy_tcb_timer_set(c, SY_TCP_T_FIN_WAIT_2,
						 sy_tcb_limits(c)->fin_wait2);
			sy_tcb_set_state(c, SY_TCP_FIN_WAIT_2, SY_TCP_CAUSE_ACK_OF_FIN);
			break;
		case SY_TCP_CLOSING:
			sy_tcb_enter_time_wait(c, SY_TCP_CAUSE_ACK_OF_FIN);
			break;
		case SY_TCP_LAST_ACK:
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ACK_OF_FIN);
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
	sy_tcb_text_in(c, s);
	if (sy_tcb_state(c) == SY_TCP_CLOSED || !(s->flags & SY_TCP_FIN))
		return;
	if (!sy_tcb_fin_in(c, s))
		return; /* past a gap: it waits */
	switch (sy_tcb_state(c)) {
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
		sy_tcb_set_state(c, SY_TCP_CLOSE_WAIT, SY_TCP_CAUSE_FIN);
		break;
	case SY_TCP_FIN_WAIT_1:
		sy_tcb_set_state(c, SY_TCP_CLOSING, SY_TCP_CAUSE_FIN);
		break;
	case SY_TCP_FIN_WAIT_2:
		sy_tcb_enter_time_wait(c, SY_TCP_CAUSE_FIN);
		break;
	default:
		break;
	}
}

static void sm_input(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_state state = sy_tcb_state(c);

	if (state == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	/* TIME-WAIT: a retransmission of the peer's FIN is acknowledged and
	 * restarts the 2 MSL wait (3.10.7.4, eighth). */
	if (state == SY_TCP_TIME_WAIT && (s->flags & SY_TCP_FIN) &&
	    !(s->flags & SY_TCP_RST) && s->seq + sy_seg_len(s) == sy_tcb_vars(c)->rcv_nxt) {
		send_ack(c);
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
		return;
	}
	/* RFC 5961 4.2: in a synchronized state a SYN gets a challenge ACK
	 * whatever its sequence number, so before the sequence check. */
	if (state >= SY_TCP_ESTABLISHED && (s->flags & SY_TCP_SYN) &&
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
	sy_tcb_keepalive_restart(c); /* the peer is alive: idle time anew */
	sy_tcb_ts_update(c, s);      /* RFC 7323 4.3 */
	if (rst_step(c, s) || syn_step(c, s))
		return;
	if (!ack_step(c, s))
		text_and_fin(c, s);
	if (sy_tcb_state(c) != SY_TCP_CLOSED)
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
	SY_OPS_HEAD(SY_TCP_SM_OPS_VERSION, sy_tcp_sm_ops),
	.connect = sm_connect,
	.listen_input = sm_listen_input,
	.input = sm_input,
	.close = sm_close,
	.abort = sm_abort,
	.timeout = sm_timeout,
	.give_up = sm_give_up,
	.data_defaults = sm_data_defaults,
	.caps = {
		[SY_TCP_SYN_SENT] = SY_TCP_CAP_QUEUE,
		[SY_TCP_SYN_RECEIVED] = SY_TCP_CAP_QUEUE,
		[SY_TCP_ESTABLISHED] = SY_TCP_CAP_SYNC | SY_TCP_CAP_QUEUE | SY_TCP_CAP_SEND |
			SY_TCP_CAP_RECV | SY_TCP_CAP_WINDOW | SY_TCP_CAP_KEEPALIVE,
		[SY_TCP_FIN_WAIT_1] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_RECV |
			SY_TCP_CAP_WINDOW,
		[SY_TCP_FIN_WAIT_2] = SY_TCP_CAP_SYNC | SY_TCP_CAP_RECV | SY_TCP_CAP_WINDOW,
		[SY_TCP_CLOSE_WAIT] = SY_TCP_CAP_SYNC | SY_TCP_CAP_QUEUE | SY_TCP_CAP_SEND |
			SY_TCP_CAP_WINDOW,
		[SY_TCP_CLOSING] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_WINDOW,
		[SY_TCP_LAST_ACK] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_WINDOW,
		[SY_TCP_TIME_WAIT] = SY_TCP_CAP_SYNC,
	},
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
	.name = "rfc9293",
	.summary = "RFC 9293 state machine with RFC 5961's defences",
	.state_size = sizeof(struct sm),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
