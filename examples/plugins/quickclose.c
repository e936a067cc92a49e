/* tcp/quickclose: RFC 9293 with RFC 5961's defences, as tcp/rfc9293,
 * except that the side that closes first skips TIME_WAIT, as some small
 * embedded stacks do to free their few records sooner: when the peer's
 * FIN reaches it in FIN_WAIT_2 it sends the final ACK and goes to CLOSED
 * at once; in CLOSING (both closed together) the ACK of its FIN ends it.
 *
 * The cost is what TIME_WAIT is for (RFC 9293 3.6): when the final ACK is
 * lost, the peer's retransmitted FIN finds no record and meets a reset,
 * and the local port can be reused while old segments may still be in
 * the network.  time_wait = true gives RFC 9293's behaviour back, to
 * compare the two with one plugin.  The options offered and the data
 * path's defaults are tcp/rfc9293's defaults, to keep the example short. */
#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "tcp.h"
#include "tcp_sm.h"

#define CHALLENGE_ACK_LIMIT 1000 /* per second per endpoint (RFC 5961 7) */

/* Per endpoint (the instance's state). */
struct sm {
	bool time_wait; /* parameter: wait in TIME_WAIT after all */
};

/* What tcp/rfc9293 offers by default. */
static const sy_tcp_offer offer = {
	.mss = 1460, .window_scaling = true, .wscale = 7, .timestamps = true, .sack = true,
};

/* Where RFC 9293 enters TIME_WAIT: the close is complete.  fin: the
 * peer's FIN has just been consumed, and its ACK, the last segment of the
 * connection, must go now, before the record does. */
static void closed_by_us(sy_tcb *c, sy_tcp_cause cause, bool fin)
{
	const struct sm *m = sy_tcb_sm_state(c);

	if (m->time_wait) {
		sy_tcb_enter_time_wait(c, cause);
		return;
	}
	if (fin)
		sy_tcb_ack_now(c);
	sy_tcb_set_state(c, SY_TCP_CLOSED, cause);
}

static void sm_connect(sy_tcb *c)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	sy_tcb_offer(c, &offer);
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
	} else if (s == SY_TCP_SYN_RECEIVED) {
		sy_tcb_queue_fin(c); /* RFC 9293 3.10.4: sent once ESTABLISHED */
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

	if (s >= SY_TCP_SYN_RECEIVED && s <= SY_TCP_CLOSE_WAIT)
		sy_tcb_send(c, SY_TCP_RST, sy_tcb_vars(c)->snd_nxt, 0);
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
}

static void sm_timeout(sy_tcb *c, int which)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	sy_tcp_state s = sy_tcb_state(c);
	int64_t limit = s == SY_TCP_SYN_SENT ? lim->syn_retries : lim->synack_retries;

	if (which == SY_TCP_T_TIME_WAIT)
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIME_WAIT);
	else if (which == SY_TCP_T_FIN_WAIT_2)
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT);
	else if (which == SY_TCP_T_SYN_RECEIVED)
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN_RECEIVED_TIMEOUT);
	else if (which != SY_TCP_T_RETRANS || (s != SY_TCP_SYN_SENT && s != SY_TCP_SYN_RECEIVED))
		return;
	else if ((int64_t)sy_tcb_vars(c)->retries >= limit) {
		sy_tcb_notify(c, SY_TCP_CAUSE_TIMEOUT);
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIMEOUT);
	} else {
		sy_tcb_syn_backoff(c);
		sy_tcb_send_syn(c, s == SY_TCP_SYN_RECEIVED);
		sy_tcb_arm_retransmit(c);
	}
}

/* Retransmissions run out: closed without a reset; keepalive: with one. */
static void sm_give_up(sy_tcb *c, int which)
{
	sy_tcb_notify(c, SY_TCP_CAUSE_TIMEOUT);
	if (which == SY_TCP_T_KEEPALIVE)
		sy_tcb_send(c, SY_TCP_RST, sy_tcb_vars(c)->snd_nxt, 0);
	sy_tcb_set_state(c, SY_TCP_CLOSED, which == SY_TCP_T_KEEPALIVE ?
			 SY_TCP_CAUSE_KEEPALIVE_TIMEOUT : SY_TCP_CAUSE_TIMEOUT);
}

static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcp_vars *v;
	sy_tcb *c;

	if (s->flags & SY_TCP_RST)
		return;
	if (s->flags & SY_TCP_ACK) {
		/* a cookie handshake's final ACK, or a stray one */
		if (!sy_tcp_accept_full(l) && !sy_tcp_cookie_accept(l, s))
			sy_tcp_send_reset(sy_tcp_listener_ep(l), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	if (!(s->flags & SY_TCP_SYN))
		return;
	if (sy_tcp_cookie_wanted(l)) {
		sy_tcp_cookie_synack(l, s);
		return;
	}
	if (!(c = sy_tcp_accept_new(l, s)))
		return; /* backlog full: dropped and counted */
	v = sy_tcb_vars(c);
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->snd_wnd = s->win; /* never scaled in a SYN */
	sy_tcb_offer(c, &offer);
	sy_tcb_negotiate(c, &s->opts);
	v->retries = 0;
	sy_tcb_time_syn(c);
	sy_tcb_send_syn(c, true);
	sy_tcb_arm_retransmit(c);
	if (sy_tcb_limits(c)->syn_received > 0)
		sy_tcb_timer_set(c, SY_TCP_T_SYN_RECEIVED, sy_tcb_limits(c)->syn_received);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
}

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
	if (!(s->flags & SY_TCP_SYN))
		return;
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_wnd = s->win;
	sy_tcb_negotiate(c, &s->opts);
	if (!ack) { /* simultaneous open */
		sy_tcb_send_syn(c, true);
		sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
		return;
	}
	v->snd_una = s->ack;
	sy_tcb_rtt_syn(c);
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_data_start(c);
	sy_tcb_send(c, SY_TCP_ACK, v->snd_nxt, 0); /* the third segment */
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_ACK);
	if (sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	sy_tcb_keepalive_restart(c);
	sy_tcb_output(c);
}

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

/* SYN_RECEIVED: the ACK of our SYN establishes.  Returns true when the
 * segment is consumed. */
static bool syn_received_ack(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	if (!sy_seq_lt(v->snd_una, s->ack) || !sy_seq_le(s->ack, v->snd_nxt)) {
		sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
		return true;
	}
	if (sy_tcb_accept_full(c))
		return true; /* dropped: the SYN-ACK goes again */
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
	return sy_tcb_state(c) == SY_TCP_CLOSED;
}

/* The ACK field, the text and the FIN (RFC 9293 3.10.7.4, fifth to
 * eighth steps); the data path does the rest. */
static void ack_text_fin(sy_tcb *c, const sy_seg *s)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	sy_tcp_state st;

	if (!(s->flags & SY_TCP_ACK))
		return;
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED && syn_received_ack(c, s))
		return;
	if (sy_tcb_ack_in(c, s))
		return;
	/* our FIN acknowledged (SND.UNA past it) */
	st = sy_tcb_state(c);
	if (sy_tcb_fin_acked(c) && st == SY_TCP_FIN_WAIT_1) {
		if (lim->fin_wait2 > 0)
			sy_tcb_timer_set(c, SY_TCP_T_FIN_WAIT_2, lim->fin_wait2);
		sy_tcb_set_state(c, SY_TCP_FIN_WAIT_2, SY_TCP_CAUSE_ACK_OF_FIN);
	} else if (sy_tcb_fin_acked(c) && st == SY_TCP_CLOSING) {
		closed_by_us(c, SY_TCP_CAUSE_ACK_OF_FIN, false);
	} else if (sy_tcb_fin_acked(c) && st == SY_TCP_LAST_ACK) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ACK_OF_FIN);
	}
	if (sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	sy_tcb_text_in(c, s);
	if (sy_tcb_state(c) == SY_TCP_CLOSED || !(s->flags & SY_TCP_FIN) ||
	    !sy_tcb_fin_in(c, s))
		return;
	st = sy_tcb_state(c);
	if (st == SY_TCP_SYN_RECEIVED || st == SY_TCP_ESTABLISHED)
		sy_tcb_set_state(c, SY_TCP_CLOSE_WAIT, SY_TCP_CAUSE_FIN);
	else if (st == SY_TCP_FIN_WAIT_1)
		sy_tcb_set_state(c, SY_TCP_CLOSING, SY_TCP_CAUSE_FIN);
	else if (st == SY_TCP_FIN_WAIT_2)
		closed_by_us(c, SY_TCP_CAUSE_FIN, true);
}

static void sm_input(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_state st = sy_tcb_state(c);
	sy_tcp_vars *v = sy_tcb_vars(c);

	if (st == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	/* TIME_WAIT (time_wait = true): the peer's FIN again is
	 * acknowledged and the wait restarts */
	if (st == SY_TCP_TIME_WAIT && (s->flags & SY_TCP_FIN) && !(s->flags & SY_TCP_RST) &&
	    s->seq + sy_seg_len(s) == v->rcv_nxt) {
		sy_tcb_ack_now(c);
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
		return;
	}
	/* RFC 5961 4.2: any SYN in a synchronized state, challenged */
	if (st >= SY_TCP_ESTABLISHED && (s->flags & SY_TCP_SYN) && !(s->flags & SY_TCP_RST)) {
		sy_tcb_challenge_ack(c, CHALLENGE_ACK_LIMIT);
		return;
	}
	if (!acceptable(c, s)) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcb_ack_invalid(c, s);
		return;
	}
	sy_tcb_keepalive_restart(c);
	sy_tcb_ts_update(c, s);
	if (s->flags & SY_TCP_RST) {
		/* RFC 5961 3.2: only exactly RCV.NXT resets */
		if (s->seq != v->rcv_nxt)
			sy_tcb_challenge_ack(c, CHALLENGE_ACK_LIMIT);
		else if (st == SY_TCP_SYN_RECEIVED && sy_tcb_passive(c))
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		else {
			if (st != SY_TCP_CLOSING && st != SY_TCP_LAST_ACK && st != SY_TCP_TIME_WAIT)
				sy_tcb_notify(c, st == SY_TCP_SYN_RECEIVED ?
					      SY_TCP_CAUSE_REFUSED : SY_TCP_CAUSE_RESET);
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		}
		return;
	}
	if (s->flags & SY_TCP_SYN) { /* SYN_RECEIVED */
		if (sy_tcb_passive(c))
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN);
		else
			sy_tcb_challenge_ack(c, CHALLENGE_ACK_LIMIT);
		return;
	}
	ack_text_fin(c, s);
	if (sy_tcb_state(c) != SY_TCP_CLOSED)
		sy_tcb_output(c);
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
	{ .name = "time_wait", .type = SY_PT_BOOL, .offset = offsetof(struct sm, time_wait),
	  .def = "false",
	  .doc = "the active closer waits in TIME_WAIT as RFC 9293 asks (false: CLOSED at once)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "tcp",
	.name = "quickclose",
	.summary = "RFC 9293 whose active closer skips TIME_WAIT (CLOSED on the close's last segment)",
	.state_size = sizeof(struct sm),
	.params = params,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
