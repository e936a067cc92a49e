/* A teaching state machine: the two-way handshake.  The server is
 * ESTABLISHED as soon as it has answered a SYN, and the client sends no
 * third segment: its first data segment acknowledges the server's SYN.
 * Nothing then tells the server that a SYN was an old duplicate: the
 * experiment that shows why TCP needs the third segment.
 *
 * Beyond the handshake it is RFC 9293 without its refinements: a reset is
 * accepted when its sequence number is RCV.NXT and ignored otherwise, a
 * SYN in a synchronized state is answered with a plain ACK, there is no
 * simultaneous open, no SYN_RECEIVED timeout and no SYN cookie.  The data
 * path, keepalive and the closing sequence are the endpoint's services
 * (tcp_sm.h), as for tcp/rfc9293; so are the sequence check, the closing
 * states' steps, the timers and giving up (sy_tcp_rfc9293_*), which this
 * machine shares with tcp/rfc9293 (it never arms the SYN_RECEIVED timer,
 * and its SYN-RECEIVED lasts only until the SYN-ACK has gone). */
#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "tcp.h"
#include "tcp_sm.h"

/* Per endpoint (the instance's state): parameters as tcp/rfc9293's. */
struct sm {
	sy_tcp_sm_common common;
};

static void offer(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);

	sy_tcp_sm_common_offer(c, &m->common);
}

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
	sy_tcp_state s = sy_tcb_state(c);

	if (s == SY_TCP_SYN_SENT) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_CLOSE);
	} else if (s == SY_TCP_ESTABLISHED || s == SY_TCP_CLOSE_WAIT) {
		sy_tcb_queue_fin(c);
		sy_tcb_set_state(c, s == SY_TCP_ESTABLISHED ? SY_TCP_FIN_WAIT_1 :
				 SY_TCP_LAST_ACK, SY_TCP_CAUSE_CLOSE);
		sy_tcb_output(c);
	}
}

static void sm_abort(sy_tcb *c)
{
	sy_tcp_state s = sy_tcb_state(c);

	if (s >= SY_TCP_ESTABLISHED && s <= SY_TCP_CLOSE_WAIT)
		sy_tcb_send(c, SY_TCP_RST, sy_tcb_vars(c)->snd_nxt, 0);
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
}

/* A SYN makes a connection, ESTABLISHED once the SYN-ACK has gone. */
static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcp_vars *v;
	sy_tcb *c;

	if (s->flags & SY_TCP_RST)
		return;
	if (s->flags & SY_TCP_ACK) {
		sy_tcp_send_reset(sy_tcp_listener_ep(l), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	if (!(s->flags & SY_TCP_SYN) || !(c = sy_tcp_accept_new(l, s)))
		return;
	v = sy_tcb_vars(c);
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->snd_wnd = s->win; /* never scaled in a SYN */
	offer(c);
	sy_tcb_negotiate(c, &s->opts);
	v->retries = 0;
	sy_tcb_send_syn(c, true);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_TWOWAY);
	sy_tcp_accept_ready(c);
}

/* SYN_SENT: a SYN-ACK that acknowledges our SYN establishes, with no
 * third segment; a reset with an acceptable ACK refuses. */
static void syn_sent_input(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);
	bool ack = s->flags & SY_TCP_ACK;

	if (ack && (sy_seq_le(s->ack, v->iss) || sy_seq_gt(s->ack, v->snd_nxt))) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	if (s->flags & SY_TCP_RST) {
		if (ack) {
			sy_tcb_notify(c, SY_TCP_CAUSE_REFUSED);
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		}
		return;
	}
	if (!ack || !(s->flags & SY_TCP_SYN))
		return;
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_wnd = s->win;
	sy_tcb_negotiate(c, &s->opts);
	v->snd_una = s->ack;
	sy_tcb_rtt_syn(c);
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_ACK);
	if (sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	sy_tcb_keepalive_restart(c);
	sy_tcb_output(c);
}

static void sm_input(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_state st = sy_tcb_state(c);

	if (st == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	/* TIME_WAIT: the peer's FIN again is acknowledged, the wait restarts */
	if (st == SY_TCP_TIME_WAIT && (s->flags & SY_TCP_FIN) && !(s->flags & SY_TCP_RST) &&
	    s->seq + sy_seg_len(s) == sy_tcb_vars(c)->rcv_nxt) {
		sy_tcb_ack_now(c);
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
		return;
	}
	if (!sy_tcp_rfc9293_acceptable(c, s)) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcb_ack_invalid(c, s);
		return;
	}
	sy_tcb_keepalive_restart(c);
	sy_tcb_ts_update(c, s);
	if (s->flags & SY_TCP_RST) {
		if (s->seq != sy_tcb_vars(c)->rcv_nxt)
			return;
		if (st != SY_TCP_CLOSING && st != SY_TCP_LAST_ACK && st != SY_TCP_TIME_WAIT)
			sy_tcb_notify(c, SY_TCP_CAUSE_RESET);
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		return;
	}
	if (s->flags & SY_TCP_SYN) {
		sy_tcb_ack_now(c);
		return;
	}
	if (!(s->flags & SY_TCP_ACK) || sy_tcb_ack_in(c, s))
		return;
	/* our FIN acknowledged, then the text and the peer's FIN */
	if (sy_tcp_rfc9293_fin_acked(c))
		return;
	sy_tcp_rfc9293_text_and_fin(c, s);
	if (sy_tcb_state(c) != SY_TCP_CLOSED)
		sy_tcb_output(c);
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
	.close = sm_close,
	.abort = sm_abort,
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
	SY_TCP_SM_COMMON_PARAMS(struct sm, common),
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "tcp",
	.name = "twoway",
	.summary = "teaching: a two-way handshake (server ESTABLISHED on the SYN)",
	.state_size = sizeof(struct sm),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
