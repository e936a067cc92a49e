/* What the endpoint provides a connection and its state machine: timers,
 * state changes and their reports, the profile's values, the set-up and
 * release of the data phase, and per-connection options. */

#include "config.h"

#include <assert.h>

#include <stdlib.h>
#include <string.h>

#include "sim_seq.h"
#include "tcp_priv.h"

static const char *const cause_names[SY_TCP_CAUSES] = {
	[SY_TCP_CAUSE_CONNECT] = "connect",
	[SY_TCP_CAUSE_CLOSE] = "close",
	[SY_TCP_CAUSE_ABORT] = "abort",
	[SY_TCP_CAUSE_SYN] = "syn",
	[SY_TCP_CAUSE_SYN_TWOWAY] = "syn (two-way handshake)",
	[SY_TCP_CAUSE_SYN_ACK] = "syn-ack",
	[SY_TCP_CAUSE_ACK] = "ack",
	[SY_TCP_CAUSE_ACK_OF_FIN] = "ack of fin",
	[SY_TCP_CAUSE_FIN] = "fin",
	[SY_TCP_CAUSE_RESET] = "reset",
	[SY_TCP_CAUSE_SYN_COOKIE] = "syn cookie",
	[SY_TCP_CAUSE_TIMEOUT] = "timeout",
	[SY_TCP_CAUSE_TIME_WAIT] = "time_wait",
	[SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT] = "fin_wait_2 timeout",
	[SY_TCP_CAUSE_SYN_RECEIVED_TIMEOUT] = "syn_received timeout",
	[SY_TCP_CAUSE_KEEPALIVE_TIMEOUT] = "keepalive timeout",
	[SY_TCP_CAUSE_REFUSED] = "refused",
	[SY_TCP_CAUSE_ACCEPTED] = "accepted",
	[SY_TCP_CAUSE_FREED] = "freed",
	[SY_TCP_CAUSE_CROSSED_SYNACK] = "crossed syn-ack",
};

const char *sy_tcp_cause_name(sy_tcp_cause cause)
{
	return (unsigned)cause < SY_TCP_CAUSES ? cause_names[cause] : "?";
}

/* ------------------------------------------------------------ timers */

/* Keepalive probes <SEQ=SND.NXT-1><ACK=RCV.NXT> every keepalive_intvl
 * once the idle time has passed; when keepalive_probes have gone
 * unanswered, the state machine ends the connection.  With the profile's
 * user_timeout_probes and a user timeout, the count does not matter:
 * the end comes once a probe went unanswered and the user timeout has
 * passed since the last segment received (Linux's tcp_keepalive_timer). */
static void keepalive_timeout(sy_tcb *c)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	bool by_time = lim->user_timeout_probes && lim->user_timeout > 0;

	if (!(c->caps & SY_TCP_CAP_KEEPALIVE))
		return;
	if (by_time ? c->probes > 0 &&
		      sy_sim_now(c->ep->sim) - c->ka_rx_at >= lim->user_timeout :
		      (int64_t)c->probes >= lim->keepalive_probes) {
		c->ep->smo->give_up(c, SY_TCP_T_KEEPALIVE);
		return;
	}
	c->probes++;
	sy_tcb_send(c, SY_TCP_ACK, c->snd_nxt - 1, 0);
	sy_tcb_note(c, SY_TCP_EV_KEEPALIVE_PROBE, c->snd_nxt - 1, false);
	sy_tcb_timer_set(c, SY_TCP_T_KEEPALIVE, lim->keepalive_intvl);
}

/* The data path's timers are the endpoint's; the others the state
 * machine's. */
static void timer_fire(sy_sim *sim, void *arg, uint64_t which)
{
	sy_tcb *c = arg;
	int s = sy_tcb_tslot((int)which);

	assert(c->tm_kind[s] == which);
	c->tm.low[s] = 0;
	c->tm.slot1[s] = 0;
	switch (which) {
	case SY_TCP_T_DELACK:
	case SY_TCP_T_PERSIST:
		sy_tcb_data_timeout(c, (int)which);
		return;
	case SY_TCP_T_KEEPALIVE:
		keepalive_timeout(c);
		return;
	case SY_TCP_T_RETRANS:
		if (c->caps & SY_TCP_CAP_SYNC) {
			sy_tcb_data_timeout(c, (int)which);
			return;
		}
		break;
	default:
		break;
	}
	c->ep->smo->timeout(c, (int)which);
}

/* The event pending in timer slot s, whatever its kind. */
static sy_event_id slot_event(const sy_tcb *c, int s)
{
	if (!c->tm.slot1[s])
		return SY_EVENT_NONE;
	return sy_sim_id_at(c->ep->sim, c->tm.slot1[s] - 1, c->tm.low[s]);
}

sy_event_id sy_tcb_timer_id(const sy_tcb *c, int which)
{
	int s = sy_tcb_tslot(which);

	return c->tm_kind[s] == which ? slot_event(c, s) : SY_EVENT_NONE;
}

void sy_tcb_timer_set(sy_tcb *c, int which, sy_time after)
{
	int s = sy_tcb_tslot(which);
	sy_event_id id = slot_event(c, s);

	/* kinds that share a slot are never pending together, but for an
	 * idle keepalive, which a state timeout displaces (tcb.h) */
	assert(c->tm_kind[s] == which || !sy_sim_pending(c->ep->sim, id) ||
	       (c->tm_kind[s] == SY_TCP_T_KEEPALIVE && which != SY_TCP_T_KEEPALIVE));
	sy_sim_cancel(c->ep->sim, id);
	c->tm_kind[s] = (uint8_t)which;
	if (sy_sim_after(c->ep->sim, after, timer_fire, c, (uint64_t)which,
			 &id, NULL) < 0) {
		/* A timer that never fires would hang the connection. */
		id = SY_EVENT_NONE;
		sy_sim_fail(c->ep->sim, "out of memory setting a TCP timer on node %s",
			    sy_node_name(c->ep->node));
	}
	/* slots stay below 2^31 (sim.c), so slot + 1 does not wrap */
	c->tm.low[s] = (uint32_t)id.seq;
	c->tm.slot1[s] = id.seq ? id.slot + 1 : 0;
}

void sy_tcb_timer_cancel(sy_tcb *c, int which)
{
	int s = sy_tcb_tslot(which);

	if (c->tm_kind[s] != which || !c->tm.slot1[s])
		return;
	sy_sim_cancel(c->ep->sim, slot_event(c, s));
	c->tm.low[s] = 0;
	c->tm.slot1[s] = 0;
}

/* The connection's own values once a socket option changed one of them
 * (sy_tcp_set_sock_opts), else the profile's. */
const sy_timer_limits *sy_tcb_limits(const sy_tcb *c)
{
	return c->lim ? c->lim : c->ep->tmo->limits(c->ep->timers.state);
}

const sy_timers_ops *sy_tcb_timers(const sy_tcb *c, const void **st)
{
	*st = c->ep->timers.state;
	return c->ep->tmo;
}

void *sy_tcb_sm_state(const sy_tcb *c)
{
	return c->ep->sm.state;
}

void *sy_tcp_ep_sm_state(const sy_tcp_ep *ep)
{
	return ep->sm.state;
}

void sy_tcb_notify(sy_tcb *c, sy_tcp_cause what)
{
	sy_tcp_report(c, c->state, c->state, what);
}

void sy_tcb_arm_retransmit(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	sy_tcb_timer_set(c, SY_TCP_T_RETRANS, t->rto(st, &c->rtt));
}

void sy_tcb_syn_backoff(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	c->retries++;
	sy_rare(c)->retransmissions++;
	/* The profile's first syn_linear_timeouts SYN timeouts keep the
	 * RTO (Linux since 6.5: 1, 1, 1, 1, 1, 2, 4 s...); a SYN-ACK backs
	 * off from the first. */
	if (c->state != SY_TCP_SYN_SENT ||
	    (int64_t)c->retries > sy_tcb_limits(c)->syn_linear_timeouts)
		t->rtt_backoff(st, &c->rtt);
	if (sy_loss(c))
		c->lr->syn_timed_out = true;
}

void sy_tcb_time_syn(sy_tcb *c)
{
	c->rtt_start = sy_sim_now(c->ep->sim);
}

void sy_tcb_rtt_syn(sy_tcb *c)
{
	const void *st;
	const sy_timers_ops *t = sy_tcb_timers(c, &st);

	if (c->retries == 0 && !sy_loss_ro(c)->synack_again)
		t->rtt_sample(st, &c->rtt, sy_sim_now(c->ep->sim) - c->rtt_start);
}

void sy_tcb_keepalive_restart(sy_tcb *c)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	int s = sy_tcb_tslot(SY_TCP_T_KEEPALIVE);

	/* (outside such a state the storage is TIME_WAIT's: tcb.h) */
	if (!(c->caps & SY_TCP_CAP_KEEPALIVE))
		return;
	c->ka_rx_at = sy_sim_now(c->ep->sim);
	if (!lim->keepalive)
		return;
	c->probes = 0;
	/* a state timeout pending in the slot: the state is one where
	 * keepalive does nothing (tcb.h) */
	if (c->tm_kind[s] != SY_TCP_T_KEEPALIVE && c->tm.slot1[s])
		return;
	sy_tcb_timer_set(c, SY_TCP_T_KEEPALIVE, lim->keepalive_time);
}

void sy_tcb_enter_time_wait(sy_tcb *c, sy_tcp_cause cause)
{
	sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	sy_tcb_timer_cancel(c, SY_TCP_T_FIN_WAIT_2);
	sy_tcb_timer_cancel(c, SY_TCP_T_PERSIST);
	sy_tcb_timer_cancel(c, SY_TCP_T_KEEPALIVE);
	sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, sy_tcb_limits(c)->time_wait);
	c->tw_since = sy_sim_now(c->ep->sim);
	sy_tcb_set_state(c, SY_TCP_TIME_WAIT, cause);
	sy_tw_settle_later(c);
}

/* ------------------------------------------------------------ the record */

sy_tcp_vars *sy_tcb_vars(sy_tcb *c) { return &c->v; }
sy_tcp_ep *sy_tcb_ep(const sy_tcb *c) { return c->ep; }
bool sy_tcb_passive(const sy_tcb *c) { return c->listener != NULL; }

void sy_tcb_tuple(const sy_tcb *c, uint32_t *laddr, uint16_t *lport,
		  uint32_t *raddr, uint16_t *rport)
{
	*laddr = c->laddr;
	*lport = c->lport;
	*raddr = c->raddr;
	*rport = c->rport;
}
sy_tcp_state sy_tcb_state(const sy_tcb *c) { return c->state; }

const sy_tcb_loss sy_tcb_loss_zero;

/* Every field of sy_tcb_stats is in sy_tcb_count or sy_tcb_rare: one
 * more counter must be added to one of them and copied below. */
_Static_assert(sizeof(sy_tcb_stats) == 27 * 4 + 4 + 8 * 8 &&
	       sizeof(sy_tcb_count) + sizeof(sy_tcb_rare) == 2 * 4 + 5 * 8 + 25 * 4 + 4 + 3 * 8,
	       "the counters are split between sy_tcb_count and sy_tcb_rare");
/* ... and each is named once in tcb.h's lists, which the code over all
 * counters uses (here and in the Lua binding) */
#define STATS_SIZE(f) + sizeof(((sy_tcb_stats *)0)->f)
_Static_assert(0 SY_TCB_COUNT_FIELDS(STATS_SIZE) SY_TCB_RARE_FIELDS(STATS_SIZE) == 27 * 4 + 8 * 8,
	       "every counter is in SY_TCB_COUNT_FIELDS or SY_TCB_RARE_FIELDS");
#undef STATS_SIZE

void sy_tcb_stats_read(const sy_tcb *c, sy_tcb_stats *s)
{
	const sy_tcb_rare *x = sy_rare_ro(c);

	memset(s, 0, sizeof *s);
#define GET_COMMON(f) s->f = c->st.f;
#define GET_RARE(f) s->f = x->f;
	SY_TCB_COUNT_FIELDS(GET_COMMON) SY_TCB_RARE_FIELDS(GET_RARE)
#undef GET_COMMON
#undef GET_RARE
}

bool sy_tcb_stats_write(sy_tcb *c, const sy_tcb_stats *s)
{
	sy_tcb_rare *x;

#define SET_COMMON(f) c->st.f = s->f;
	SY_TCB_COUNT_FIELDS(SET_COMMON)
#undef SET_COMMON
	if (!c->lr) {
		bool any = false;
#define ANY(f) any = any || s->f != 0;
		SY_TCB_RARE_FIELDS(ANY)
#undef ANY
		if (!any)
			return true;
		if (!sy_loss_new(c))
			return false;
	}
	x = &c->lr->xs;
#define SET_RARE(f) x->f = s->f;
	SY_TCB_RARE_FIELDS(SET_RARE)
#undef SET_RARE
	return true;
}

/* The counters, assembled in the endpoint's view: valid until the next
 * call for a connection of the same endpoint. */
const sy_tcb_stats *sy_tcb_stats_get(const sy_tcb *c)
{
	sy_tcb_stats_read(c, &c->ep->st_view);
	return &c->ep->st_view;
}

uint32_t sy_tcp_unread(const sy_tcb *c) { return c->rcv_unread; }
bool sy_tcp_autoread(const sy_tcb *c) { return c->autoread; }

static void free_later(sy_sim *sim, void *arg, uint64_t data)
{
	sy_tcb *c = arg;

	for (sy_tcb **pp = &c->ep->zombies; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	sy_tcb_notify(c, SY_TCP_CAUSE_FREED);
	sy_tcb_data_free(c);
	sy_pool_free(c->ep->pool, c);
}

void sy_tcb_crossed_synack(sy_tcb *c, bool on)
{
	if (on ? sy_loss(c) != NULL : c->lr != NULL)
		c->lr->crossed = on;
}

void sy_tcb_set_state(sy_tcb *c, sy_tcp_state s, sy_tcp_cause why)
{
	sy_tcp_state old = c->state;
	uint8_t was = c->caps;

	if (old == s)
		return;
	if (sy_loss_ro(c)->crossed && why == SY_TCP_CAUSE_ACK && old == SY_TCP_SYN_RECEIVED &&
	    s == SY_TCP_ESTABLISHED)
		why = SY_TCP_CAUSE_CROSSED_SYNACK;
	c->state = s;
	c->caps = (unsigned)s < SY_TCP_STATES ? c->ep->smo->caps[s] : 0;
	if (c->listener && old == SY_TCP_SYN_RECEIVED)
		c->listener->pending--;
	if (c->ep->log) {
		char la[16], ra[16];
		sy_time now = sy_sim_now(c->ep->sim);

		sy_ipv4_format(c->laddr, la);
		sy_ipv4_format(c->raddr, ra);
		fprintf(c->ep->log, "%lld.%09lld %s:%u %s:%u %s %s %s\n",
			(long long)(now / SY_SEC), (long long)(now % SY_SEC), la,
			(unsigned)c->lport, ra, (unsigned)c->rport,
			sy_tcp_state_name(old), sy_tcp_state_name(s),
			sy_tcp_cause_name(why));
	}
	/* the first synchronized state: the data phase starts (unless the
	 * state machine started it already) and the connection counts as
	 * established */
	if ((c->caps & SY_TCP_CAP_SYNC) && !(was & SY_TCP_CAP_SYNC)) {
		sy_tcb_data_start(c);
		if (c->t_established < 0)
			c->t_established = sy_sim_now(c->ep->sim);
	}
	if (s == SY_TCP_CLOSED)
		c->t_closed = sy_sim_now(c->ep->sim);
	sy_tcp_report(c, old, s, why);
	if (s == SY_TCP_CLOSED) {
		if (c->queued)
			sy_tcp_aq_remove(c);
		for (int i = 0; i < SY_TCP_TIMERS; i++)
			sy_tcb_timer_cancel(c, i);
		sy_tcp_unlink(c);
		/* Freed after the current event, so that the callers up the
		 * stack can still look at it; kept on a list until then, so
		 * that a simulator freed in between leaks nothing. */
		c->hnext = c->ep->zombies;
		c->ep->zombies = c;
		if (sy_sim_after(c->ep->sim, 0, free_later, c, 0, NULL, NULL) < 0)
			sy_sim_fail(c->ep->sim, "out of memory scheduling a closed connection's release");
	}
}

/* Fails the run: memory for c's `what` could not be allocated, and going
 * on without it would give wrong results. */
void sy_tcb_oom(sy_tcb *c, const char *what)
{
	char l[16], r[16];

	sy_ipv4_format(c->laddr, l);
	sy_ipv4_format(c->raddr, r);
	sy_sim_fail(c->ep->sim, "out of memory %s (connection %s:%u -> %s:%u on node %s)",
		    what, l, c->lport, r, c->rport, sy_node_name(c->ep->node));
}

void sy_tcb_loss_free(sy_tcb *c)
{
	sy_rack_free(c);
	sy_pool_free(c->ep->pool, c->lr);
	c->lr = NULL;
}

sy_tcb_loss *sy_loss_new(sy_tcb *c)
{
	c->lr = sy_pool_zalloc(c->ep->pool, sizeof *c->lr);
	if (!c->lr)
		sy_tcb_oom(c, "allocating the state of loss recovery");
	return c->lr;
}

sy_tcb_rx *sy_rx_new(sy_tcb *c, const char *what)
{
	c->rx = SY_FAULT(SY_FAULT_OOO) ? NULL : sy_pool_zalloc(c->ep->pool, sizeof *c->rx);
	if (!c->rx)
		sy_tcb_oom(c, what);
	return c->rx;
}

sy_tcb_tx *sy_tx_new(sy_tcb *c, const char *what)
{
	sy_tcb_tx *tx = sy_pool_zalloc(c->ep->pool, sizeof *tx);

	if (!tx) {
		if (what)
			sy_tcb_oom(c, what);
		return NULL;
	}
	tx->snd_queued = tx->snd_sent = c->st.bytes_acked;
	tx->high_rxt = c->snd_una;
	c->tx = tx;
	return tx;
}

/* The sender's block and its scoreboard's array back to the pool. */
static void tx_free(sy_tcb *c)
{
	sy_ranges_free(&c->tx->sb);
	sy_pool_free(c->ep->pool, c->tx);
	c->tx = NULL;
}

void sy_tx_release(sy_tcb *c)
{
	sy_tcb_tx *tx = c->tx;

	if (!tx || tx->sq || c->snd_una != c->snd_max)
		return;
	/* the idle values (tcb.h): what the readers give without it */
	SY_INVARIANT(tx->snd_queued == c->st.bytes_acked && tx->snd_sent == c->st.bytes_acked);
	SY_INVARIANT(!sy_ranges_count(&tx->sb) && !tx->reno_sacked && !c->rtt_timing);
	tx_free(c);
}

void sy_rx_release(sy_tcb *c)
{
	sy_tcb_rx *rx = c->rx;

	if (!rx || rx->ooo || rx->rq_head)
		return;
	SY_INVARIANT(!sy_ranges_count(&rx->ooo_blocks) && !rx->rq_tail);
	sy_ranges_free(&rx->ooo_blocks);
	sy_pool_free(c->ep->pool, rx);
	c->rx = NULL;
}

uint32_t sy_tcb_smss(const sy_tcb *c)
{
	uint32_t m = c->mss_peer < c->mss_local ? c->mss_peer : c->mss_local;

	if (c->mss_user && c->mss_user < m)
		m = c->mss_user;   /* TCP_MAXSEG */
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
	return sy_tcb_snd_queued(c) - c->st.bytes_acked;
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
	i->pipe = synchronized(c) ? sy_tcb_pipe(c) : 0;
	i->srtt = c->rtt.samples ? c->rtt.srtt : 0;
	i->rttvar = c->rtt.samples ? c->rtt.rttvar : 0;
	i->rto = t->rto(st, &c->rtt);
	i->in_recovery = c->in_recovery;
}

/* ------------------------------------------------------------ set-up */

void sy_tcb_data_start(sy_tcb *c)
{
	const sy_cc_ops *o = sy_cco(c);
	uint32_t mss = sy_tcb_smss(c);

	if (c->data_started)
		return;
	c->data_started = true;
	c->snd_max = c->snd_nxt;
	c->snd_wl1 = c->rcv_nxt - 1;
	c->snd_wl2 = c->snd_una;
	c->max_wnd = c->snd_wnd;
	c->rcv_adv = c->rcv_nxt + c->rcv_wnd;
	c->rcv_wup = c->rcv_nxt;
	c->rcv_mss = mss < 536 ? mss : 536;
	if (sy_tcb_limits(c)->rcv_grow) {
		/* the largest window a little under the buffer's share, an
		 * MSS of it kept back, and the window to grow from at most
		 * the one offered (Linux's tcp_init_buffer_space) */
		uint32_t maxwin = sy_tcb_rcv_full(c), adv = c->mss_local;
		uint32_t clamp = (uint32_t)65535 << c->rcv_wscale;

		if (clamp > maxwin)
			clamp = maxwin;
		if (clamp > 2 * adv && clamp + adv > maxwin)
			clamp = maxwin - adv > 2 * adv ? maxwin - adv : 2 * adv;
		c->rcv_clamp = clamp;
		c->rcv_ssthresh = c->rcv_wnd < clamp ? c->rcv_wnd : clamp;
	}
	/* (a SYN with data left some in flight: the block holds it) */
	c->last_send = now_of(c);
	if (c->tx)
		c->tx->tx_head = c->last_send;
	c->iw_bytes = c->iw_segs * mss;
	c->cc.cwnd = c->iw_bytes;
	/* RFC 6298 5.7: after a SYN (or SYN-ACK) timeout and without an RTT
	 * sample, data starts from an RTO of 3 s (Linux does the same) */
	if (sy_loss_ro(c)->syn_timed_out && !c->rtt.samples) {
		c->rtt.backoff = 0;
		if (c->rtt.rto < 3 * SY_SEC)
			c->rtt.rto = 3 * SY_SEC;
	}
	c->cc.ssthresh = UINT32_MAX;
	if (o && !c->cc.priv && o->conn_size)
		c->cc.priv = SY_FAULT(SY_FAULT_CC) ? NULL : sy_pool_zalloc(c->ep->pool, o->conn_size);
	if (o && (c->cc.priv || !o->conn_size)) {
		sy_cc_conn k;

		cc_load(c, &k);
		o->init(sy_ccst(c), &k);
		cc_store(c, &k);
	} else if (o) {
		/* A fixed window would give wrong results: the run fails
		 * (the connection keeps a window meanwhile). */
		c->cc_lost = true;
		sy_tcb_oom(c, "allocating the congestion-control state");
	}
}

void sy_tcb_data_free(sy_tcb *c)
{
	if (c->tx) {
		while (c->tx->sq) {
			sy_chunk *k = sy_sq_head(c);

			sy_sq_unlink_head(c, k);
			sy_pool_free(c->ep->pool, k);
		}
		tx_free(c);
	}
	if (c->rx) {
		while (c->rx->ooo) {
			sy_ooo *q = c->rx->ooo;

			c->rx->ooo = q->next;
			sy_pool_free(c->ep->pool, q);
		}
		sy_ranges_free(&c->rx->ooo_blocks);
	}
	sy_tcb_loss_free(c);
	sy_tcb_rq_drop(c, UINT32_MAX);  /* ... and the block with the rest */
	SY_INVARIANT(!c->rx);
	sy_pool_free(c->ep->pool, c->lim);
	c->lim = NULL;
	/* init ran when the data phase started with a cc (sy_cco is NULL
	 * when its state could not be allocated) */
	if (sy_cco(c) && c->data_started && sy_cco(c)->destroy) {
		sy_cc_conn k;

		cc_load(c, &k);
		sy_cco(c)->destroy(sy_ccst(c), &k);
	}
	sy_pool_free(c->ep->pool, c->cc.priv);
	c->cc.priv = NULL;
}

/* ------------------------------------------------------------ options */

/* Options that open the way for held data push it out at once: a larger
 * send buffer (which caps the window: output.c), and Nagle turned off,
 * which sends a short segment held back whatever Nagle or a cork said, as
 * Linux's TCP_NODELAY pushes pending data (TCP_NAGLE_PUSH). */
int sy_tcp_set_data_opts(sy_tcb *c, const sy_tcp_data_opts *o, sy_err *err)
{
	bool nodelay = c->nagle && !o->nagle, grown = o->sndbuf > c->sndbuf;

	if (o->sndbuf < 1 || o->rcvbuf < 1)
		return sy_err_set(err, "buffers must hold at least one byte");
	if (o->initial_window < 1)
		return sy_err_set(err, "initial_window must be at least one segment");
	if (o->initial_window > SY_TCB_IW_MAX)
		return sy_err_set(err, "initial_window must be at most %u segments "
				  "(%lu given)", SY_TCB_IW_MAX, (unsigned long)o->initial_window);
	/* (refused before anything changes) */
	if (c->iw_segs != o->initial_window && synchronized(c) && c->snd_max != c->iss + 1)
		return sy_err_set(err, "initial_window: data has been sent already");
	c->sndbuf = o->sndbuf;
	if (o->rcvbuf != c->rcvbuf)
		c->rcvbuf_set = true;
	c->rcvbuf = o->rcvbuf;
	/* before the data phase the window offered (in the SYN or SYN-ACK
	 * still to be sent, or again) is the buffer's, unscaled */
	if (!c->data_started)
		c->rcv_wnd = sy_tcb_syn_wnd(c);
	c->nagle = o->nagle;
	if (c->autoread != o->autoread && o->autoread) {
		c->autoread = true;
		sy_tcp_consume(c, c->rcv_unread);
	}
	c->autoread = o->autoread;
	if (c->iw_segs != o->initial_window) {
		c->iw_segs = (uint16_t)o->initial_window;
		c->iw_bytes = o->initial_window * sy_tcb_smss(c);
		if (synchronized(c))
			c->cc.cwnd = c->iw_bytes;
	}
	if ((nodelay || grown) && can_output(c)) {
		c->force = nodelay;
		sy_tcb_output(c);
		c->force = false;
	}
	return 0;
}

void sy_tcp_get_data_opts(const sy_tcb *c, sy_tcp_data_opts *o)
{
	*o = (sy_tcp_data_opts){
		.sndbuf = c->sndbuf, .rcvbuf = c->rcvbuf, .initial_window = c->iw_segs,
		.nagle = c->nagle, .autoread = c->autoread,
		.limited_transmit = c->limited_transmit,
	};
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
