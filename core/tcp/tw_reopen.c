/* TIME_WAIT reopened: a connect taking over a TIME_WAIT's 4-tuple, and the
 * SYN that reopens one (the profiles' tw_reuse and tw_syn_accept), for full
 * and compact records alike. */

#include "config.h"

#include "tw_priv.h"

static const sy_timer_limits *ep_limits(const sy_tcp_ep *ep)
{
	return ep->tmo->limits(ep->timers.state);
}

/* The ISS that follows a TIME_WAIT: beyond anything the old connection
 * sent (SND.NXT + 65535 + 2, never 0), as Linux picks it for both ways
 * of reopening (tw_snd_nxt in tcp_timewait_state_process and
 * tcp_twsk_unique). */
static uint32_t tw_next_iss(const sy_tcb *tw)
{
	uint32_t isn = tw->snd_nxt + 65535 + 2;

	return isn ? isn : 1;
}

static bool own_address(const sy_tcp_ep *ep, uint32_t addr)
{
	for (size_t i = 0; i < sy_node_ifaces(ep->node); i++)
		if (sy_node_addr(ep->node, i) == addr)
			return true;
	return false;
}

/* May a connect take over tw's 4-tuple (the profile's tw_reuse, Linux's
 * tcp_twsk_unique)?  Only a TIME_WAIT whose peer sent timestamps, whose
 * old segments PAWS will tell apart; an explicitly chosen port takes it
 * at once, an ephemeral one under 1 (2: towards the node itself, Linux's
 * loopback) once tw_reuse_delay has passed. */
static bool reusable(const sy_tcp_ep *ep, bool ts_ok, uint32_t raddr, sy_time since,
		     bool bound)
{
	const sy_timer_limits *lim = ep_limits(ep);

	if (!ts_ok || lim->tw_reuse == 0)
		return false;
	if (bound)
		return true;
	if (lim->tw_reuse == 2 && !own_address(ep, raddr))
		return false;
	return sy_sim_now(ep->sim) > since + lim->tw_reuse_delay;
}

/* A new connection on tw's 4-tuple, tw closed; its ISS follows tw's. */
static sy_tcb *tw_take_over(sy_tcp_ep *ep, sy_tcb *tw)
{
	uint32_t iss = tw_next_iss(tw);
	sy_tcb *c;

	sy_tcb_set_state(tw, SY_TCP_CLOSED, SY_TCP_CAUSE_CONNECT);
	c = sy_tcb_new(ep, tw->laddr, tw->lport, tw->raddr, tw->rport);
	if (c)
		c->iss = c->snd_una = c->snd_nxt = iss;
	return c;
}

/* A connect on (raddr, lport, rport): -1 when no record holds the
 * 4-tuple, 0 when one does that may not be taken over, 1 when a
 * TIME_WAIT was (*out the new connection, NULL if out of memory). */
int sy_tw_reuse(sy_tcp_ep *ep, uint32_t raddr, uint16_t lport, uint16_t rport,
		bool bound, sy_tcb **out)
{
	sy_tcb *c = sy_tcp_lookup(ep, raddr, lport, rport);
	struct sy_tw *w;

	if (c) {
		if (c->state != SY_TCP_TIME_WAIT ||
		    !reusable(ep, c->ts_ok, c->raddr, c->tw_since, bound))
			return 0;
	} else if ((w = sy_tw_find(ep, raddr, lport, rport))) {
		if (!reusable(ep, SEQF_FLAGS(w) & F_TS_OK, w->raddr, w->tw_since, bound))
			return 0;
		if (!(c = sy_tw_wake(ep, raddr, lport, rport))) {
			*out = NULL;
			return 1;
		}
	} else {
		return -1;
	}
	*out = tw_take_over(ep, c);
	return 1;
}

/* A SYN for a connection in TIME_WAIT, under a profile with
 * tw_syn_accept (Linux's tcp_timewait_state_process and tcp_v4_rcv): one
 * without ACK or RST whose sequence number is after RCV.NXT, or whose
 * TSval is newer than TS.Recent, and that PAWS does not reject, ends the
 * TIME_WAIT and goes to the port's listener, which opens a connection
 * with the ISS that follows the old one; with no listener it is ACKed.
 * Returns false to let the state machine have the segment (the rest get
 * the TIME_WAIT's rate-limited ACK there). */
bool sy_tw_syn(sy_tcp_ep *ep, sy_tcb *tw, const sy_seg *s)
{
	bool ts = tw->ts_ok && s->opts.has_ts;
	sy_tcp_listener *l;

	if (tw->state != SY_TCP_TIME_WAIT || !sy_tcb_limits(tw)->tw_syn_accept ||
	    (s->flags & (SY_TCP_SYN | SY_TCP_ACK | SY_TCP_RST)) != SY_TCP_SYN)
		return false;
	if (ts && sy_seq_lt(s->opts.tsval, tw->ts_recent))
		return false; /* PAWS: an old duplicate */
	if (!sy_seq_gt(s->seq, tw->rcv_nxt) &&
	    !(ts && sy_seq_gt(s->opts.tsval, tw->ts_recent)))
		return false;
	if (!(l = sy_tcp_find_listener(ep, s->dport))) {
		sy_tcb_ack_now(tw);
		return true;
	}
	ep->tw_isn = tw_next_iss(tw);
	sy_tcb_set_state(tw, SY_TCP_CLOSED, SY_TCP_CAUSE_SYN);
	ep->smo->listen_input(l, s);
	ep->tw_isn = 0;
	return true;
}
