/* The TCP state machine of RFC 9293, with RFC 5961's defences.
 *
 * Segment arrival follows RFC 9293 3.10.7 step by step: LISTEN
 * (3.10.7.2) and SYN-SENT (3.10.7.3) here; for the other states
 * (3.10.7.4) the sequence check, RST, SYN, ACK, text and FIN are the
 * library's steps (sy_tcp_rfc9293_*, tcp_sm.h), shared with the state
 * machines that differ from this one only in places, and so are the
 * user's close and abort, the timers and giving up.  RFC 5961 replaces three rules: a reset is
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

/* RFC 9293 3.10.7.4, RFC 5961's rules included: the library's steps
 * (tcp_sm.h). */
static void sm_input(sy_tcb *c, const sy_seg *s)
{
	const struct sm *m = sy_tcb_sm_state(c);

	if (sy_tcb_state(c) == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	sy_tcp_rfc9293_input(c, s, m->challenge_ack_limit, NULL);
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
	.close = sy_tcp_rfc9293_close,
	.abort = sy_tcp_rfc9293_abort,
	.timeout = sy_tcp_rfc9293_timeout,
	.give_up = sy_tcp_rfc9293_give_up,
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
