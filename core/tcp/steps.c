/* RFC 9293's processing of the states from SYN-RECEIVED on (3.10.7.4),
 * with RFC 5961's defences, its user calls and its timers, as library
 * functions (tcp_sm.h) that the state-machine plugins call: tcp/rfc9293
 * is made of them, and the machines that differ from it only in places
 * (the handshake, data on the SYN) take the rest from here. */
#include "config.h"

#include "tcp.h"
#include "tcp_priv.h"
#include "tcp_sm.h"

static void send_ack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, sy_tcb_vars(c)->snd_nxt, 0);
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

void sy_tcp_rfc9293_close(sy_tcb *c)
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

/* The flags of an abort's reset: RFC 9293 3.10.4's bare RST, or RST,ACK
 * as Linux sends it (the profile's rst_ack). */
static uint8_t abort_rst(const sy_tcb *c)
{
	return sy_tcb_limits(c)->rst_ack ? SY_TCP_RST | SY_TCP_ACK : SY_TCP_RST;
}

void sy_tcp_rfc9293_abort(sy_tcb *c)
{
	switch (sy_tcb_state(c)) {
	case SY_TCP_SYN_RECEIVED:
	case SY_TCP_ESTABLISHED:
	case SY_TCP_FIN_WAIT_1:
	case SY_TCP_FIN_WAIT_2:
	case SY_TCP_CLOSE_WAIT:
		sy_tcb_send(c, abort_rst(c), sy_tcb_vars(c)->snd_nxt, 0);
		break;
	default:
		break;
	}
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
}

/* ------------------------------------------------------------ timers */

/* Under syn_retries_by_time, whether an active open has spent its time
 * budget (Linux's tcp_write_timeout, retransmits_timed_out): the time
 * syn_retries timeouts doubling from rto_initial take, without the
 * linear ones (tcp_model_timeout with tcp_timeout_init), counted from
 * the first SYN (retrans_stamp, set by tcp_connect), once a SYN went
 * again.  The count still applies: whichever comes first. */
static bool syn_timed_out(sy_tcb *c, const sy_timer_limits *lim)
{
	if (!lim->syn_retries_by_time || !c->retries)
		return false;
	return sy_sim_now(c->ep->sim) - c->rtt_start >=
	       sy_tcb_model_timeout(lim, lim->rto_initial, lim->syn_retries);
}

void sy_tcp_rfc9293_timeout(sy_tcb *c, int which)
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
	/* the linear SYN timeouts come on top of the SYN retries */
	limit = state == SY_TCP_SYN_SENT ? lim->syn_retries + lim->syn_linear_timeouts :
		state == SY_TCP_SYN_RECEIVED ? lim->synack_retries :
		lim->data_retries;
	if ((int64_t)sy_tcb_vars(c)->retries >= limit ||
	    (state == SY_TCP_SYN_SENT && syn_timed_out(c, lim))) {
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

void sy_tcp_rfc9293_give_up(sy_tcb *c, int which)
{
	sy_tcb_notify(c, SY_TCP_CAUSE_TIMEOUT);
	if (which == SY_TCP_T_KEEPALIVE) {
		sy_tcb_send(c, abort_rst(c), sy_tcb_vars(c)->snd_nxt, 0);
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_KEEPALIVE_TIMEOUT);
		return;
	}
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_TIMEOUT);
}

/* ------------------------------------------------------------ the steps */

bool sy_tcp_rfc9293_acceptable(sy_tcb *c, const sy_seg *s)
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

bool sy_tcp_rfc9293_rst_step(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit)
{
	sy_tcp_state state = sy_tcb_state(c);

	if (!(s->flags & SY_TCP_RST))
		return false;
	if (s->seq != sy_tcb_vars(c)->rcv_nxt) {
		sy_tcb_challenge_ack(c, challenge_ack_limit);
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

bool sy_tcp_rfc9293_syn_step(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit)
{
	if (!(s->flags & SY_TCP_SYN))
		return false;
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED && sy_tcb_passive(c)) {
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN);
		return true;
	}
	sy_tcb_challenge_ack(c, challenge_ack_limit);
	return true;
}

bool sy_tcp_rfc9293_syn_acked(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	/* SND.NXT is past any data sent before the handshake completed */
	if (!sy_seq_lt(v->snd_una, s->ack) || !sy_seq_le(s->ack, v->snd_nxt)) {
		sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
		return true;
	}
	/* a full accept queue drops the final ACK: the SYN-ACK timer goes
	 * on and the peer tries again */
	if (sy_tcb_accept_full(c))
		return true;
	v->snd_una = v->iss + 1;
	v->snd_wnd = sy_tcb_seg_wnd(c, s);
	sy_tcb_rtt_syn(c);
	v->retries = 0;
	sy_tcb_timer_cancel(c, SY_TCP_T_SYN_RECEIVED);
	return false;
}

bool sy_tcp_rfc9293_syn_received_ack(sy_tcb *c, const sy_seg *s)
{
	if (sy_tcp_rfc9293_syn_acked(c, s))
		return true;
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_ACK);
	sy_tcb_keepalive_restart(c);
	if (sy_tcb_passive(c))
		sy_tcp_accept_ready(c);
	if (sy_tcb_state(c) == SY_TCP_ESTABLISHED && sy_tcb_fin_queued(c))
		sy_tcb_set_state(c, SY_TCP_FIN_WAIT_1, SY_TCP_CAUSE_CLOSE);
	return sy_tcb_state(c) == SY_TCP_CLOSED;
}

bool sy_tcp_rfc9293_fin_acked(sy_tcb *c)
{
	if (!sy_tcb_fin_acked(c))
		return false;
	switch (sy_tcb_state(c)) {
	case SY_TCP_FIN_WAIT_1:
		/* only an orphan times out (Linux's tcp_fin_timeout): an
		 * application that shut down for writing still reads */
		if (sy_tcb_limits(c)->fin_wait2 > 0 && sy_tcp_orphaned(c))
			sy_tcb_timer_set(c, SY_TCP_T_FIN_WAIT_2, sy_tcb_limits(c)->fin_wait2);
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
	return false;
}

void sy_tcp_rfc9293_text_and_fin(sy_tcb *c, const sy_seg *s)
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

/* Fifth: the ACK field.  Returns true when the segment is consumed. */
static bool ack_step(sy_tcb *c, const sy_seg *s, sy_tcp_ack_hook syn_received_ack)
{
	if (!(s->flags & SY_TCP_ACK))
		return true;
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED && syn_received_ack(c, s))
		return true;
	/* SND.UNA, the window, recovery (RFC 5961 5.2 included) */
	if (sy_tcb_ack_in(c, s))
		return true;
	return sy_tcp_rfc9293_fin_acked(c);
}

/* TIME_WAIT under the profile's Linux rules (tcp_timewait_state_process,
 * Linux 6.18).  Only a segment exactly at RCV.NXT (a bare one, or a
 * reset) that PAWS does not reject counts as in the window: a reset ends
 * the TIME_WAIT unless tw_rfc1337, anything else restarts the wait,
 * unanswered.  A reset that is not exact is dropped (tw_rst_exact); any
 * other segment but a SYN gets the rate-limited ACK and, when it carries
 * ACK or fails PAWS, restarts the wait (tw_ack_restart).  The SYNs go on
 * to the SYN rule below once the wait is restarted.  Returns true when
 * the segment is consumed; false leaves it to 3.10.7.4. */
static bool time_wait_input(sy_tcb *c, const sy_seg *s)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	bool paws = c->ts_ok && s->opts.has_ts && sy_seq_lt(s->opts.tsval, c->ts_recent);
	bool at = s->seq == c->rcv_nxt;

	if (s->flags & SY_TCP_RST) {
		if (lim->tw_rst_exact && paws)
			at = false;
		if (at && lim->tw_rfc1337)
			return true;
		return !at && lim->tw_rst_exact;
	}
	if (!lim->tw_ack_restart)
		return false;
	if (at && !paws && sy_seg_len(s) == 0) {
		if (c->ts_ok && s->opts.has_ts)
			c->ts_recent = s->opts.tsval;
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, lim->time_wait);
		return true;
	}
	if ((s->flags & SY_TCP_ACK) || paws)
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, lim->time_wait);
	if (s->flags & SY_TCP_SYN)
		return false;
	sy_tcb_ack_invalid(c, s);
	return true;
}

void sy_tcp_rfc9293_input(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit,
			  sy_tcp_ack_hook syn_received_ack)
{
	sy_tcp_state state = sy_tcb_state(c);
	bool done;

	if (!syn_received_ack)
		syn_received_ack = sy_tcp_rfc9293_syn_received_ack;
	if (state == SY_TCP_TIME_WAIT && time_wait_input(c, s))
		return;
	/* TIME-WAIT: a retransmission of the peer's FIN is acknowledged and
	 * restarts the 2 MSL wait (3.10.7.4, eighth). */
	if (state == SY_TCP_TIME_WAIT && (s->flags & SY_TCP_FIN) &&
	    !(s->flags & SY_TCP_RST) && s->seq + sy_seg_len(s) == sy_tcb_vars(c)->rcv_nxt) {
		send_ack(c);
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
		return;
	}
	/* A passive open's peer sent its SYN again (its ISN, SYN without
	 * ACK or RST): under a profile with dup_syn_synack the SYN-ACK goes
	 * again at once and its timer restarts with the current timeout, as
	 * Linux does (tcp_check_req); otherwise the sequence check below
	 * answers it with an ACK (3.10.7.4 first). */
	if (state == SY_TCP_SYN_RECEIVED && sy_tcb_passive(c) &&
	    sy_tcb_limits(c)->dup_syn_synack &&
	    (s->flags & (SY_TCP_SYN | SY_TCP_ACK | SY_TCP_RST)) == SY_TCP_SYN &&
	    s->seq == sy_tcb_vars(c)->irs) {
		if (sy_tcb_synack_again(c))
			sy_tcb_arm_retransmit(c);
		return;
	}
	/* A simultaneous open's crossed SYN-ACK (the peer's SYN again, now
	 * acknowledging ours): under a profile with crossed_synack its ACK
	 * completes the handshake, as in Linux (tcp_validate_incoming) and
	 * RFC 9293's figure 7, and the duplicate SYN is acknowledged;
	 * otherwise it is one below the window and the sequence check
	 * answers it (3.10.7.4 first). */
	if (state == SY_TCP_SYN_RECEIVED && !sy_tcb_passive(c) &&
	    sy_tcb_limits(c)->crossed_synack &&
	    (s->flags & (SY_TCP_SYN | SY_TCP_ACK | SY_TCP_RST)) == (SY_TCP_SYN | SY_TCP_ACK) &&
	    s->len == 0 && s->seq + 1 == sy_tcb_vars(c)->rcv_nxt &&
	    s->ack == sy_tcb_vars(c)->snd_nxt) {
		sy_tcb_keepalive_restart(c);
		sy_tcb_ts_update(c, s);
		sy_tcb_crossed_synack(c, true);
		done = syn_received_ack(c, s);
		sy_tcb_crossed_synack(c, false); /* a closed c lives to the event's end */
		if (done)
			return;
		sy_tcb_ack_soon(c);
		sy_tcb_output(c);
		return;
	}
	/* RFC 5961 4.2: in a synchronized state a SYN gets a challenge ACK
	 * whatever its sequence number, so before the sequence check.  In
	 * TIME_WAIT, under a profile with tw_syn_accept, the SYNs that do
	 * not reopen the connection (endpoint.c) get the TIME_WAIT's ACK
	 * instead, rate limited per connection as Linux's
	 * tcp_timewait_check_oow_rate_limit does. */
	if (state >= SY_TCP_ESTABLISHED && (s->flags & SY_TCP_SYN) &&
	    !(s->flags & SY_TCP_RST)) {
		if (state == SY_TCP_TIME_WAIT && sy_tcb_limits(c)->tw_syn_accept)
			sy_tcb_ack_invalid(c, s);
		else
			sy_tcb_challenge_ack(c, challenge_ack_limit);
		return;
	}
	/* first: sequence number; the answering ACK is rate limited */
	if (!sy_tcp_rfc9293_acceptable(c, s)) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcb_ack_invalid(c, s);
		return;
	}
	sy_tcb_keepalive_restart(c); /* the peer is alive: idle time anew */
	sy_tcb_ts_update(c, s);      /* RFC 7323 4.3 */
	if (sy_tcp_rfc9293_rst_step(c, s, challenge_ack_limit) ||
	    sy_tcp_rfc9293_syn_step(c, s, challenge_ack_limit))
		return;
	if (!ack_step(c, s, syn_received_ack))
		sy_tcp_rfc9293_text_and_fin(c, s);
	if (sy_tcb_state(c) != SY_TCP_CLOSED)
		sy_tcb_output(c);
}

sy_tcb *sy_tcp_rfc9293_listen(sy_tcp_listener *l, const sy_seg *s,
			      const sy_tcp_sm_common *p)
{
	sy_tcp_vars *v;
	sy_tcb *c;

	if (s->flags & SY_TCP_RST)
		return NULL;
	if (s->flags & SY_TCP_ACK) {
		/* the final ACK of a cookie handshake, or a stray ACK; with
		 * the accept queue full it is dropped */
		if (!sy_tcp_accept_full(l) && !sy_tcp_cookie_accept(l, s))
			sy_tcp_send_reset(sy_tcp_listener_ep(l), s, s->ack, 0, SY_TCP_RST);
		return NULL;
	}
	if (!(s->flags & SY_TCP_SYN))
		return NULL;
	if (sy_tcp_cookie_wanted(l)) {
		sy_tcp_cookie_synack(l, s);
		return NULL;
	}
	c = sy_tcp_accept_new(l, s);
	if (!c)
		return NULL; /* backlog full: dropped and counted */
	v = sy_tcb_vars(c);
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->snd_wnd = s->win; /* never scaled in a SYN */
	sy_tcp_sm_common_offer(c, p);
	sy_tcb_negotiate(c, &s->opts);
	v->retries = 0;
	sy_tcb_time_syn(c);
	return c;
}

void sy_tcp_rfc9293_synack(sy_tcb *c)
{
	sy_tcb_send_syn(c, true);
	sy_tcb_arm_retransmit(c);
	/* A SYN_RECEIVED timeout shorter than the SYN-ACK retries frees
	 * the slot sooner: a defence against SYN floods (RFC 4987 3.2). */
	if (sy_tcb_limits(c)->syn_received > 0)
		sy_tcb_timer_set(c, SY_TCP_T_SYN_RECEIVED, sy_tcb_limits(c)->syn_received);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
}
