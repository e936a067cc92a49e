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
 * throttle); by default the timer profile's limit and rules apply (1000
 * a second under `rfc`, none but the per-connection one under `linux`).
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
	sy_tcp_sm_common common;     /* parameters: options, data defaults */
};

static void send_ack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, sy_tcb_vars(c)->snd_nxt, 0);
}

/* What this endpoint offers in its SYN (or may accept in a SYN-ACK). */
static void offer(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);

	sy_tcp_sm_common_offer(c, &m->common);
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

/* RFC 9293 3.10.7.2: the library's step (tcp_sm.h). */
static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	const struct sm *m = sy_tcp_ep_sm_state(sy_tcp_listener_ep(l));
	sy_tcb *c = sy_tcp_rfc9293_listen(l, s, &m->common);

	if (c)
		sy_tcp_rfc9293_synack(c);
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

	sy_tcp_sm_common_defaults(&m->common, o);
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
		SY_TCP_RFC9293_SYNCED_CAPS,
	},
};

static const sy_param params[] = {
	{ .name = "challenge_ack_limit", .type = SY_PT_INT,
	  .offset = offsetof(struct sm, challenge_ack_limit),
	  .def = "-1", .min = "-1", .max = "1000000000",
	  .doc = "challenge ACKs per second per endpoint (RFC 5961 7); 0: no limit; "
		 "-1: the timer profile's challenge_ack_limit" },
	SY_TCP_SM_COMMON_PARAMS(struct sm, common),
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
