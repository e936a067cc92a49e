/* Compact TIME_WAIT records (tw.h): packing, rebuilding, the timer.
 *
 * A connection that enters TIME_WAIT and that nobody holds (no script
 * object, no callbacks, no observer that looks at it, nothing unread)
 * gives up its full record, after the event that made it enter, for a
 * struct sy_tw in a table of its own: what RFC 9293 and the profiles
 * need of a TIME_WAIT (4-tuple, sequence variables, timestamps, window,
 * the rate limit of answers, its timer).  A segment for the 4-tuple, the
 * timer's expiry or a lookup rebuilds a full record from it (the
 * endpoint's defaults for everything else, the data phase set up as
 * sy_tcb_data_start does), the state machine runs as ever, and the
 * record is compacted again if it is still in TIME_WAIT and still held
 * by nobody.  A record is compacted only when its options are the
 * endpoint's defaults, so that the rebuilt record is the same for every
 * field a TIME_WAIT reads.  A record the binding holds (c->user, the
 * observer's handlers; no C callbacks) is compacted as well when the
 * binding follows it (sy_tcp_ep_tw_moved): what it reads is kept beside
 * the record (struct sy_tw_held) and given back on rebuild. */

#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim_seq.h"
#include "tw_priv.h"

/* ------------------------------------------------------------ packing */

/* The options a record takes from the endpoint: a record is compacted only
 * with these as they were made, the rebuilt record gets them back. */
static bool default_options(const sy_tcb *c)
{
	const sy_tcp_ep *ep = c->ep;

	return c->sndbuf == ep->dopts.sndbuf && c->rcvbuf == ep->dopts.rcvbuf &&
	       !c->rcvbuf_set && c->iw_segs == ep->dopts.initial_window &&
	       c->nagle == ep->dopts.nagle && c->autoread == ep->dopts.autoread &&
	       c->limited_transmit == ep->dopts.limited_transmit &&
	       c->mss_user == 0 && sy_tcb_linger(c) == -1 && !c->cork && !c->lim &&
	       c->cci == &ep->cc && !c->cc_lost;
}

/* Whether the compact form holds everything of c's TIME_WAIT: nothing to
 * read, no timer but its own, nothing under way. */
static bool packable(const sy_tcb *c)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);

	if (c->state != SY_TCP_TIME_WAIT || c->rx || c->rcv_unread ||
	    c->tx || c->retries || c->ack_now || !c->data_started ||
	    c->snd_una != c->snd_max ||
	    /* what struct sy_tw does not keep */
	    c->snd_nxt != c->snd_max || c->snd_wl2 != c->snd_max ||
	    c->last_ack_sent != c->rcv_nxt || c->rcv_wup != c->rcv_nxt ||
	    c->rcv_adv != c->rcv_nxt + c->rcv_wnd ||
	    /* the timer's place among equal times (the queue's SEQF_SEQ) */
	    sy_sim_seq_next(c->ep->sim) > SEQF_SEQ_MAX ||
	    (c->fin_sent && c->fin_seq != c->snd_max - 1) ||
	    (c->rcv_ratio && c->rcv_ratio != (uint32_t)lim->rcv_ratio) ||
	    c->rcv_mss > UINT16_MAX || c->snd_wscale > 15 || c->rcv_wscale > 15 ||
	    c->id >= (uint64_t)1 << 48 ||
	    (c->ecn & (SY_ECN_CWR | SY_ECN_QUEUE_CWR)) ||
	    c->in_recovery || sy_loss_ro(c)->dsack_due || c->undo_on ||
	    !sy_tcb_syn_acked(c))
		return false;
	for (int i = 0; i < SY_TCP_TIMERS; i++)
		if (i != SY_TCP_T_TIME_WAIT && sy_sim_pending(c->ep->sim, sy_tcb_timer_id(c, i)))
			return false;
	return sy_sim_pending(c->ep->sim, sy_tcb_timer_id(c, SY_TCP_T_TIME_WAIT));
}

/* Whether something besides the endpoint looks at c: then its record
 * stays full (under SY_TW_FORCE, it makes the round trip in place). */
static bool held(const sy_tcb *c)
{
	const sy_tcp_ep *ep = c->ep;

	if (c->user || c->cb || c->listener || c->queued || !default_options(c))
		return true;
	if (sy_tcp_observed(ep))
		return true;
	return ep->obs && (!ep->obs_holds || ep->obs_holds(ep->obs_ctx, c));
}

/* Whether the binding holds c only in ways it follows when c moves
 * (sy_tcp_ep_tw_moved): then a held record is compacted too. */
static bool followable(const sy_tcb *c)
{
	const sy_tcp_ep *ep = c->ep;

	return ep->tw_moved && !c->cb && !c->listener && !c->queued &&
	       default_options(c) && !sy_tcp_observed(ep);
}

static void pack(const sy_tcb *c, struct sy_tw *w, size_t liface)
{
	*w = (struct sy_tw){
		.idx = c->id << 16 | (uint64_t)c->snd_wscale << 12 |
		       (uint64_t)c->rcv_wscale << 8 | liface,
		.tw_since = c->tw_since, .invalid_ack_next = sy_loss_ro(c)->invalid_ack_next,
		.raddr = c->raddr, .lport = c->lport, .rport = c->rport,
		.iss = c->iss, .irs = c->irs,
		.snd_wnd = c->snd_wnd, .snd_wl1 = c->snd_wl1,
		.rcv_nxt = c->rcv_nxt, .rcv_wnd = c->rcv_wnd, .snd_max = c->snd_max,
		.ts_recent = c->ts_recent,
		.ts_off = c->ts_off, .rcv_ssthresh = c->rcv_ssthresh,
		.rcv_clamp = c->rcv_clamp,
		.rcv_mss = (uint16_t)c->rcv_mss, .mss_peer = c->mss_peer,
		.mss_local = c->mss_local,
		.seqf = (uint16_t)((c->ts_ok ? F_TS_OK : 0) | (c->ws_ok ? F_WS_OK : 0) |
			 (c->sack_ok ? F_SACK_OK : 0) | (c->ts_off_ok ? F_TS_OFF_OK : 0) |
			 (c->fin_sent ? F_FIN_SENT : 0) | (c->fin_rcvd ? F_FIN_RCVD : 0) |
			 (c->fin_pending ? F_FIN_PENDING : 0) | (c->orphan ? F_ORPHAN : 0) |
			 (c->shut_rd ? F_SHUT_RD : 0) | (c->got_real ? F_GOT_REAL : 0) |
			 (c->rcv_ratio ? F_RATIO : 0) |
			 (c->data_started ? F_DATA_STARTED : 0) |
			 (c->ecn & SY_ECN_REQ ? F_ECN_REQ : 0) |
			 (c->ecn & SY_ECN_OK ? F_ECN_OK : 0) |
			 (c->ecn & SY_ECN_DEMAND_CWR ? F_ECN_DEMAND_CWR : 0) |
			 (c->ecn & SY_ECN_SEEN ? F_ECN_SEEN : 0)),
	};
}

/* The TIME_WAIT of w in c, whose other fields are set. */
static void unpack(sy_tcb *c, const struct sy_tw *w)
{
	sy_tcp_ep *ep = c->ep;

	c->laddr = sy_node_addr(ep->node, w->idx & IDX_IFACE);
	c->raddr = w->raddr;
	c->lport = w->lport;
	c->rport = w->rport;
	c->state = SY_TCP_TIME_WAIT;
	c->caps = ep->smo->caps[SY_TCP_TIME_WAIT];
	c->id = w->idx >> 16;
	c->tw_since = w->tw_since;
	if (w->invalid_ack_next && sy_loss(c))
		c->lr->invalid_ack_next = w->invalid_ack_next;
	c->iss = w->iss;
	c->irs = w->irs;
	c->snd_una = w->snd_max;
	c->snd_nxt = w->snd_max;
	c->snd_wnd = w->snd_wnd;
	c->snd_wl1 = w->snd_wl1;
	c->snd_wl2 = w->snd_max;
	c->rcv_nxt = w->rcv_nxt;
	c->rcv_wnd = w->rcv_wnd;
	c->snd_max = w->snd_max;
	c->retries = 0;
	c->rcv_adv = w->rcv_nxt + w->rcv_wnd;
	c->rcv_wup = w->rcv_nxt;
	c->last_ack_sent = w->rcv_nxt;
	c->ts_recent = w->ts_recent;
	c->ts_off = w->ts_off;
	c->rcv_ssthresh = w->rcv_ssthresh;
	c->rcv_clamp = w->rcv_clamp;
	c->rcv_mss = w->rcv_mss;
	c->mss_peer = w->mss_peer;
	c->mss_local = w->mss_local;
	c->ts_ok = SEQF_FLAGS(w) & F_TS_OK;
	c->ws_ok = SEQF_FLAGS(w) & F_WS_OK;
	c->sack_ok = SEQF_FLAGS(w) & F_SACK_OK;
	c->ts_off_ok = SEQF_FLAGS(w) & F_TS_OFF_OK;
	c->fin_sent = SEQF_FLAGS(w) & F_FIN_SENT;
	c->fin_seq = c->fin_sent ? w->snd_max - 1 : 0;
	c->fin_rcvd = SEQF_FLAGS(w) & F_FIN_RCVD;
	c->fin_pending = SEQF_FLAGS(w) & F_FIN_PENDING;
	c->orphan = SEQF_FLAGS(w) & F_ORPHAN;
	c->shut_rd = SEQF_FLAGS(w) & F_SHUT_RD;
	c->got_real = SEQF_FLAGS(w) & F_GOT_REAL;
	c->rcv_ratio = SEQF_FLAGS(w) & F_RATIO ? (uint32_t)sy_tcb_limits(c)->rcv_ratio : 0;
	c->data_started = SEQF_FLAGS(w) & F_DATA_STARTED;
	/* ECN: the negotiated echo; the sender's reduction state (ecn_high,
	 * ecn_rtos) is not read once everything is acknowledged.  PRR,
	 * D-SACK and undo state are zero: a record with any under way is
	 * not compacted (packable) */
	c->ecn = (uint8_t)((SEQF_FLAGS(w) & F_ECN_REQ ? SY_ECN_REQ : 0) |
			   (SEQF_FLAGS(w) & F_ECN_OK ? SY_ECN_OK : 0) |
			   (SEQF_FLAGS(w) & F_ECN_DEMAND_CWR ? SY_ECN_DEMAND_CWR : 0) |
			   (SEQF_FLAGS(w) & F_ECN_SEEN ? SY_ECN_SEEN : 0));
	c->snd_wscale = (w->idx >> 12) & 15;
	c->rcv_wscale = (w->idx >> 8) & 15;
	c->max_wnd = c->snd_wnd;
	c->iw_bytes = c->iw_segs * sy_tcb_smss(c);
	c->last_send = now_of(c);
}

/* w could not be rebuilt: the run fails, the binding forgets it. */
static sy_tcb *lost(sy_tcp_ep *ep, struct sy_tw *w)
{
	struct sy_tw_held *h = (struct sy_tw_held *)w;

	sy_sim_fail(ep->sim, "out of memory rebuilding a TIME_WAIT on node %s",
		    sy_node_name(ep->node));
	if ((w->idx & IDX_HELD) && h->user)
		ep->tw_moved(ep->obs_ctx, h->user, w, NULL, NULL);
	return NULL;
}

/* A full record of w, in the table of full records; NULL if out of memory
 * (the run fails).  The timer is w's. */
static sy_tcb *rebuild(sy_tcp_ep *ep, struct sy_tw *w)
{
	sy_tcb *c = sy_pool_zalloc(ep->pool, sizeof *c);
	const sy_cc_ops *o = ep->cc.plugin->ops;

	if (!c)
		return lost(ep, w);
	/* what the compact form does not keep: as a record nobody holds
	 * has it in TIME_WAIT */
	sy_tcb_defaults(ep, c);
	unpack(c, w);
	/* the congestion control as the data phase set it up */
	c->cc.cwnd = c->iw_bytes;
	c->cc.ssthresh = UINT32_MAX;
	if (o->conn_size && !(c->cc.priv = sy_pool_zalloc(ep->pool, o->conn_size))) {
		c->cc_lost = true;
		sy_tcb_oom(c, "allocating the congestion-control state");
	} else {
		sy_cc_conn k;

		cc_load(c, &k);
		o->init(sy_ccst(c), &k);
		cc_store(c, &k);
	}
	/* what the binding reads */
	if (w->idx & IDX_HELD) {
		const struct sy_tw_held *h = (const struct sy_tw_held *)w;
		struct tw_keep k = { .user = h->user };

		sy_tw_keep_unpack(h->k, h->klen, w->tw_since, &k);
		sy_tw_keep_apply(c, &k);
	}
	if (sy_tcp_insert(ep, c) < 0) {
		sy_tcb_data_free(c);
		sy_pool_free(ep->pool, c);
		return lost(ep, w);
	}
	if (c->user)
		ep->tw_moved(ep->obs_ctx, c->user, w, c, NULL);
	return c;
}

/* ------------------------------------------------------------ timer */

/* The records of an endpoint nearly all last the same time from when
 * they were compacted (the profile's TIME_WAIT, started or restarted
 * just before), so they expire in the order they came: a queue, one
 * scheduler event for its head, rather than one event each.  A record
 * joins the queue at its tail when it expires no earlier than the tail
 * does; otherwise (a record a segment rebuilt and that is compacted
 * again with its old expiry, a profile whose TIME_WAIT changed, a timer
 * a plugin set) it has an event of its own, as every record would.
 *
 * The run is the same as with one event per record: a queued record
 * takes, when compacted, the sequence number its own event would have
 * taken (sy_sim_seq_take), and the head's event is scheduled with it
 * (sy_sim_at_seq), so that it fires in the same place among the events
 * of equal time; each event expires one record.  The queue is ordered
 * by (due, seq) (seq grows, and a record joins it only when its due is
 * not before the tail's); every record on it is after the event that
 * runs (the head's event would have fired before), so the head's event
 * is never scheduled in the past.  It is doubly linked: a record leaves
 * from anywhere in O(1) when a segment or a lookup rebuilds it. */

static void expire(sy_tcp_ep *ep, struct sy_tw *w)
{
	sy_tcb *c;

	sy_tw_remove(ep, w);
	c = rebuild(ep, w);
	free(w);
	if (!c)
		return;
	/* as timer_fire (services.c) does for it */
	ep->smo->timeout(c, SY_TCP_T_TIME_WAIT);
	sy_tw_settle(c);
}

static void queue_timer(sy_sim *sim, void *arg, uint64_t data);

/* The head's event scheduled, if it is not. */
static void queue_arm(sy_tcp_ep *ep)
{
	struct sy_tw *h = ep->tw_head;

	if (h && sy_sim_pending(ep->sim, ep->tw_ev) && ep->tw_ev.seq == SEQF_SEQ(h))
		return;
	sy_sim_cancel(ep->sim, ep->tw_ev);
	ep->tw_ev = SY_EVENT_NONE;
	if (h && sy_sim_at_seq(ep->sim, h->due, SEQF_SEQ(h), queue_timer, ep, 0,
			       &ep->tw_ev, NULL) < 0)
		sy_sim_fail(ep->sim, "out of memory scheduling the TIME_WAIT timer on node %s",
			    sy_node_name(ep->node));
}

static void queue_remove(sy_tcp_ep *ep, struct sy_tw *w)
{
	*(w->qprev ? &w->qprev->qnext : &ep->tw_head) = w->qnext;
	*(w->qnext ? &w->qnext->qprev : &ep->tw_tail) = w->qprev;
	w->qprev = w->qnext = NULL;
	queue_arm(ep);
}

static void queue_timer(sy_sim *sim, void *arg, uint64_t data)
{
	sy_tcp_ep *ep = arg;
	struct sy_tw *w = ep->tw_head;

	(void)data;
	SY_INVARIANT(w && w->due == sy_sim_now(sim) && SEQF_SEQ(w) == ep->tw_ev.seq);
	ep->tw_ev = SY_EVENT_NONE; /* fired */
	queue_remove(ep, w);
	expire(ep, w);
}

/* A record with an event of its own. */
static void own_timer(sy_sim *sim, void *arg, uint64_t data)
{
	(void)sim;
	expire((sy_tcp_ep *)(uintptr_t)data, arg);
}

static sy_event_id own_id(const struct sy_tw *w)
{
	return (sy_event_id){ .seq = SEQF_SEQ(w), .slot = (uint32_t)w->due };
}

/* w's timer armed at due, as one event of its own scheduled now would
 * be; -1 (nothing done) when memory runs out. */
static int timer_start(sy_tcp_ep *ep, struct sy_tw *w, sy_time due)
{
	struct sy_tw *t = ep->tw_tail;
	sy_event_id id;

	if (!t || due >= t->due) {
		w->seqf |= sy_sim_seq_take(ep->sim) << 16;
		w->due = due;
		w->qnext = NULL;
		w->qprev = t;
		*(t ? &t->qnext : &ep->tw_head) = w;
		ep->tw_tail = w;
		if (!t)
			queue_arm(ep);
		return 0;
	}
	if (sy_sim_at(ep->sim, due, own_timer, w, (uint64_t)(uintptr_t)ep, &id, NULL) < 0)
		return -1;
	w->seqf |= SEQF_OWN | id.seq << 16;
	w->due = id.slot;
	return 0;
}

/* w's timer stopped; when it was due. */
static sy_time timer_stop(sy_tcp_ep *ep, struct sy_tw *w)
{
	sy_time due;

	if (w->seqf & SEQF_OWN) {
		due = sy_sim_due(ep->sim, own_id(w));
		sy_sim_cancel(ep->sim, own_id(w));
		return due;
	}
	queue_remove(ep, w);
	return w->due;
}

/* c's record made compact: c is freed; with hold, what the binding
 * reads is kept beside it and the binding told.  False (c untouched)
 * when memory runs out: it stays full. */
static bool compact(sy_tcb *c, bool hold)
{
	sy_tcp_ep *ep = c->ep;
	struct sy_tw *w;
	size_t i, klen = 0;
	sy_time due = sy_sim_due(ep->sim, sy_tcb_timer_id(c, SY_TCP_T_TIME_WAIT));
	struct tw_keep k;
	unsigned char kbuf[TW_KEEP_MAX];

	for (i = 0; i < sy_node_ifaces(ep->node); i++)
		if (sy_node_addr(ep->node, i) == c->laddr)
			break;
	if (i == sy_node_ifaces(ep->node) || i > IDX_IFACE)
		return false;
	if (hold) {
		sy_tw_keep_save(c, &k);
		klen = sy_tw_keep_pack(&k, c->tw_since, kbuf);
#ifndef NDEBUG
		{
			/* the packed form gives back every value */
			struct tw_keep back = { .user = k.user };

			sy_tw_keep_unpack(kbuf, klen, c->tw_since, &back);
			assert(sy_tw_keep_same(&k, &back));
		}
#endif
	}
	if (!(w = malloc(hold ? sizeof(struct sy_tw_held) + klen : sizeof *w)))
		return false;
	pack(c, w, i | (hold ? IDX_HELD : 0));
	if (hold) {
		struct sy_tw_held *h = (struct sy_tw_held *)w;

		h->ep = ep;
		h->user = k.user;
		h->klen = (uint16_t)klen;
		memcpy(h->k, kbuf, klen);
	}
	if (timer_start(ep, w, due) < 0) {
		free(w);
		return false;
	}
	if (sy_tw_insert(ep, w) < 0) {
		timer_stop(ep, w);
		free(w);
		return false;
	}
	sy_tcb_timer_cancel(c, SY_TCP_T_TIME_WAIT);
	if (hold) {
		if (c->user)
			ep->tw_moved(ep->obs_ctx, c->user, c, NULL, (struct sy_tw_held *)w);
		c->user = NULL;
	}
	sy_tcp_unlink(c);
	sy_tcb_data_free(c);
	sy_pool_free(ep->pool, c);
	return true;
}

/* The round trip of a record that must stay full (SY_TW_FORCE): its
 * TIME_WAIT through the compact form, what its holders look at (the
 * script's object, statistics, the congestion control's figures, options)
 * kept. */
static void round_trip(sy_tcb *c, size_t liface)
{
	struct sy_tw w;
	struct tw_keep k;
	sy_tcb *keep = malloc(sizeof *keep);
	sy_time linger = sy_tcb_linger(c); /* in c's block, freed below */

	if (!keep)
		return;
	*keep = *c;
	pack(c, &w, liface);
	sy_tw_keep_save(c, &k);
	sy_tcb_loss_free(c); /* blocks of its own: the new record starts without */
	memset(c, 0, sizeof *c);
	sy_tcb_defaults(keep->ep, c);
	/* the holders' (the binding's in k) */
	c->listener = keep->listener;
	c->cb = keep->cb;
	c->cb_ctx = keep->cb_ctx;
	c->queued = keep->queued;
	c->hnext = keep->hnext;
	c->cci = keep->cci;
	c->cc_lost = keep->cc_lost;
	c->cc = keep->cc;
	/* the options */
	c->sndbuf = keep->sndbuf;
	c->rcvbuf = keep->rcvbuf;
	c->rcvbuf_set = keep->rcvbuf_set;
	c->iw_segs = keep->iw_segs;
	c->nagle = keep->nagle;
	c->autoread = keep->autoread;
	c->limited_transmit = keep->limited_transmit;
	c->mss_user = keep->mss_user;
	c->cork = keep->cork;
	c->lim = keep->lim;
	c->tm = keep->tm;
	memcpy(c->tm_kind, keep->tm_kind, sizeof c->tm_kind);
	unpack(c, &w);
	sy_tw_keep_apply(c, &k);
	if (linger != -1 && sy_loss(c))
		c->lr->linger1 = (uint64_t)linger + 1;
	free(keep);
}

void sy_tw_settle(sy_tcb *c)
{
	sy_tcp_ep *ep = c->ep;
	size_t i;

	if (ep->tw_mode == SY_TW_OFF || !packable(c))
		return;
	if (!held(c) ? compact(c, false) : followable(c) && compact(c, true))
		return;
	if (ep->tw_mode != SY_TW_FORCE)
		return;
	for (i = 0; i < sy_node_ifaces(ep->node); i++)
		if (sy_node_addr(ep->node, i) == c->laddr)
			break;
	if (i < sy_node_ifaces(ep->node) && i <= IDX_IFACE)
		round_trip(c, i);
}

static void settle_later(sy_sim *sim, void *arg, uint64_t data)
{
	sy_tcp_ep *ep = arg;
	sy_tcb *c;

	(void)sim;
	c = sy_tcp_lookup(ep, (uint32_t)(data >> 32), (uint16_t)(data >> 16),
			  (uint16_t)data);
	if (c)
		sy_tw_settle(c);
}

/* After the current event (callers up the stack look at c), by its
 * 4-tuple: c may be gone by then. */
void sy_tw_settle_later(sy_tcb *c)
{
	uint64_t key = (uint64_t)c->raddr << 32 | (uint64_t)c->lport << 16 | c->rport;

	if (c->ep->tw_mode == SY_TW_OFF)
		return;
	if (sy_sim_after(c->ep->sim, 0, settle_later, c->ep, key, NULL, NULL) < 0)
		return; /* it stays full */
}

sy_tcb *sy_tw_wake(sy_tcp_ep *ep, uint32_t raddr, uint16_t lport, uint16_t rport)
{
	struct sy_tw *w = sy_tw_find(ep, raddr, lport, rport);
	sy_time due;
	sy_tcb *c;

	if (!w)
		return NULL;
	sy_tw_remove(ep, w);
	due = timer_stop(ep, w);
	c = rebuild(ep, w);
	free(w);
	/* the timer goes on, now the full record's */
	if (c)
		sy_tcb_timer_set(c, SY_TCP_T_TIME_WAIT, due - now_of(c));
	return c;
}

void sy_tw_wake_all(sy_tcp_ep *ep)
{
	for (size_t i = 0; i < ep->tw_nhash; i++)
		while (ep->tw_hash[i]) {
			struct sy_tw *w = ep->tw_hash[i];
			sy_tcb *c = sy_tw_wake(ep, w->raddr, w->lport, w->rport);

			if (!c)
				return;
			sy_tw_settle_later(c);
		}
}
