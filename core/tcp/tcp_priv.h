/* The endpoint's private parts, shared by the files of core/tcp:
 * endpoint.c (endpoint, demultiplexing, tables, observers), listen.c
 * (listeners, accept queue, SYN cookies), options.c, services.c (timers,
 * state changes, the data phase's set-up), output.c, input.c and
 * recovery.c (the data path).  The small helpers of the hot path are
 * inline here; functions shared between the files are hidden from the
 * library's users (direct calls, no interposition). */
#ifndef SY_TCP_PRIV_H
#define SY_TCP_PRIV_H

#include "isn.h"
#include "pool.h"
#include "sim.h"
#include "tcb.h"

#define SY_HIDDEN __attribute__((visibility("hidden")))
#define TTL_DEFAULT 64
#define WND_MAX 0x40000000u    /* 2^30: the largest window RFC 7323 allows */

#define MAX_LISTENERS 64

struct sy_tcp_listener {
	sy_tcp_ep *ep;
	uint16_t port;
	int backlog;
	int pending;          /* connections in SYN_RECEIVED */
	sy_syncookies cookies;
	uint64_t overflows;   /* SYNs dropped for a full backlog */
	uint64_t cookies_sent, cookies_accepted, cookies_rejected;
	void (*on_accept)(void *ctx, sy_tcb *c); /* a C application's */
	void *accept_ctx;
	bool manual;          /* established connections wait for accept */
	int accept_backlog;   /* bound of the accept queue */
	int aq_len;
	int aq_first, aq_cap; /* the accept queue, a ring of records in
			       * the order their handshakes completed:
			       * aq[(aq_first + i) % aq_cap], i < aq_len;
			       * grown when full (listen.c) */
	sy_tcb **aq;
	uint64_t accept_drops; /* handshakes left incomplete: queue full */
};

struct sy_tw_held;
typedef void (*sy_tw_moved_fn)(void *ctx, void *user, const void *from, sy_tcb *c,
			       struct sy_tw_held *h);

struct sy_tcp_ep {
	sy_net *net;
	sy_node *node;
	sy_sim *sim;
	sy_instance sm, isn, timers, cc;
	sy_instance **ccx;          /* other cc instances, for connections,
				     * each allocated apart: records point
				     * at them (cci) */
	int nccx;
	const sy_tcp_sm_ops *smo;
	const sy_isn_ops *isno;
	const sy_timers_ops *tmo;
	sy_tcb **hash;              /* by 4-tuple, chained */
	size_t nhash, nconns;
	sy_tcp_listener *lst[MAX_LISTENERS];
	int nlst;
	uint16_t next_port;
	uint64_t next_id;
	sy_tcp_observer obs;
	void *obs_ctx;
	sy_tcp_ep_stats st;
	sy_tcb *zombies;            /* closed, freed after the current event */
	uint8_t cookie_key[16];     /* from the run seed */
	sy_time chal_second;        /* challenge ACKs: the current second */
	int64_t chal_sent;          /* ... and how many went in it */
	int64_t chal_budget;        /* ... of how many it allows */
	bool chal_started;          /* chal_second and the budget hold */
	bool chal_rng_ok, ts_key_ok; /* the two below are drawn */
	sy_rng chal_rng;            /* the budgets, drawn (timers.h) */
	uint8_t ts_key[16];         /* of the TSval offsets */
	FILE *log;
	sy_tcp_data_opts dopts;     /* defaults for new connections */
	sy_tcp_data_observer dobs;  /* data and "sent" for the binding */
	unsigned char *scratch;     /* a segment's real payload, gathered */
	uint32_t scratch_len;
	const sy_packet *cur;       /* the segment being delivered, or NULL */
	const sy_seg *cur_seg;      /* ... parsed (ECN's negotiation reads
				     * its flags) */
	uint32_t tw_isn;            /* nonzero: the ISS of the passive open
				     * under way, a SYN that ended a
				     * TIME_WAIT (tw.c) */
	struct sy_tw **tw_hash;     /* compact TIME_WAITs by 4-tuple (tw.c) */
	size_t tw_nhash, ntw;
	struct sy_tw *tw_head, *tw_tail; /* ... queued by expiry (tw.c) */
	sy_event_id tw_ev;          /* ... the head's expiry */
	int tw_mode;                /* SY_TW_* (tw.h) */
	bool (*obs_holds)(void *ctx, const sy_tcb *c); /* obs looks at c */
	sy_pool *pool;              /* connection records, plugin states,
				     * queued bytes (pool.h) */
	sy_tw_moved_fn tw_moved;    /* the binding follows its records (tw.h) */
	sy_tcb_stats st_view;       /* what sy_tcb_stats_get returned last */
	sy_tcb_rare rare_sink;      /* rare counters of a connection whose
				     * block could not be allocated (the
				     * simulation has failed) */
};


/* ecn.c: ECN (RFC 3168) */
SY_HIDDEN void sy_ecn_negotiate(sy_tcb *c, const sy_seg *s);
SY_HIDDEN uint8_t sy_ecn_out(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len,
			     uint8_t *tos);
SY_HIDDEN void sy_ecn_cwr_in(sy_tcb *c, const sy_seg *s);
SY_HIDDEN void sy_ecn_ce_in(sy_tcb *c, const sy_seg *s);
SY_HIDDEN void sy_ecn_ack_in(sy_tcb *c, const sy_seg *s);
SY_HIDDEN void sy_ecn_cwr_ack(sy_tcb *c, const sy_seg *s);
SY_HIDDEN void sy_ecn_recovery(sy_tcb *c, bool from_cwr);

/* endpoint.c */
SY_HIDDEN void sy_tcp_report(sy_tcb *c, sy_tcp_state from, sy_tcp_state to, sy_tcp_cause cause);
SY_HIDDEN sy_tcb *sy_tcp_lookup(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
				uint16_t rport);
SY_HIDDEN int sy_tcp_insert(sy_tcp_ep *ep, sy_tcb *c);
SY_HIDDEN void sy_tcp_unlink(sy_tcb *c);
SY_HIDDEN sy_tcp_listener *sy_tcp_find_listener(const sy_tcp_ep *ep, uint16_t port);
/* Drops and events for their observers (tcp.h, sy_tcp_note): a drop is
 * of the segment being delivered; an event of c names the segment seq
 * just sent, or (received) the one being delivered. */
SY_HIDDEN bool sy_tcp_noted(const sy_tcp_ep *ep);
SY_HIDDEN void sy_tcp_note_send(sy_tcp_ep *ep, sy_tcp_note *n);
SY_HIDDEN void sy_tcp_note_drop(sy_tcp_ep *ep, sy_tcp_drop why);
SY_HIDDEN void sy_tcb_note(sy_tcb *c, sy_tcp_event what, uint32_t seq, bool received);
/* The fields of a new record that come from its endpoint's defaults
 * (options, plugins, timers unset, times unknown); the rest zero. */
SY_HIDDEN void sy_tcb_defaults(sy_tcp_ep *ep, sy_tcb *c);
SY_HIDDEN sy_tcb *sy_tcb_new(sy_tcp_ep *ep, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport);
/* whether a network observer looks at ep's connections */
SY_HIDDEN bool sy_tcp_observed(const sy_tcp_ep *ep);
/* tw.c; the environment's SYNACK_TW_COMPACT as SY_TW_* (tw_table.c), -1
 * (err set) for a value other than 0, 1 and force */
SY_HIDDEN int sy_tw_mode_env(sy_err *err);
SY_HIDDEN bool sy_tw_syn(sy_tcp_ep *ep, sy_tcb *tw, const sy_seg *s);
SY_HIDDEN int sy_tw_reuse(sy_tcp_ep *ep, uint32_t raddr, uint16_t lport, uint16_t rport,
			  bool bound, sy_tcb **out);
SY_HIDDEN bool sy_tw_exists(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
			    uint16_t rport);
/* The full record of a compact TIME_WAIT of the 4-tuple, rebuilt; NULL
 * when there is none (or memory ran out: the run fails). */
SY_HIDDEN sy_tcb *sy_tw_wake(sy_tcp_ep *ep, uint32_t raddr, uint16_t lport, uint16_t rport);
/* c, if in TIME_WAIT, compacted when nobody holds it (c may be freed);
 * now, or after the current event. */
SY_HIDDEN void sy_tw_settle(sy_tcb *c);
SY_HIDDEN void sy_tw_settle_later(sy_tcb *c);
SY_HIDDEN void sy_tw_free_all(sy_tcp_ep *ep);
/* every compact TIME_WAIT of ep rebuilt (compacted again later) */
SY_HIDDEN void sy_tw_wake_all(sy_tcp_ep *ep);
/* listen.c */
SY_HIDDEN void sy_tcp_aq_remove(sy_tcb *c);
/* options.c */
SY_HIDDEN void sy_tcb_sack_blocks(const sy_tcb *c, sy_tcp_opts *o, unsigned max);
/* services.c */
SY_HIDDEN void sy_tcb_oom(sy_tcb *c, const char *what);
/* The state of loss recovery (tcb.h), allocated now if it is not yet;
 * NULL (the simulation failed for want of memory) if it cannot be. */
SY_HIDDEN sy_tcb_loss *sy_loss_new(sy_tcb *c);
/* Frees it and RACK's (rack.c): a record without them is as new. */
SY_HIDDEN void sy_tcb_loss_free(sy_tcb *c);
/* The block of out-of-order and unread data (tcb.h), allocated now if
 * it is not yet; NULL if it cannot be (the run fails: "out of memory
 * `what`", sy_tcb_oom). */
SY_HIDDEN sy_tcb_rx *sy_rx_new(sy_tcb *c, const char *what);
/* Frees it if both its queues are empty: a connection holding nothing
 * received has none. */
SY_HIDDEN void sy_rx_release(sy_tcb *c);
/* The sender's block (tcb.h), allocated now if it is not yet, with
 * its idle values; NULL if it cannot be (the run fails: "out of memory
 * `what`", sy_tcb_oom; or only NULL when `what` is NULL). */
SY_HIDDEN sy_tcb_tx *sy_tx_new(sy_tcb *c, const char *what);
/* Frees it once the queue is empty and all that was sent is
 * acknowledged: a connection with nothing to send has none. */
SY_HIDDEN void sy_tx_release(sy_tcb *c);
/* While on, the move from SYN_RECEIVED to ESTABLISHED that an ACK makes
 * reports SY_TCP_CAUSE_CROSSED_SYNACK: the ACK is a crossed SYN-ACK's,
 * taken by the state machine's own SYN_RECEIVED hook (steps.c). */
SY_HIDDEN void sy_tcb_crossed_synack(sy_tcb *c, bool on);
void sy_tcb_data_free(sy_tcb *c);   /* buffers, scoreboard, cc state */
/* socket.c */
SY_HIDDEN void sy_tcb_rq_add(sy_tcb *c, uint32_t len, const unsigned char *bytes);
SY_HIDDEN void sy_tcb_rq_drop(sy_tcb *c, uint32_t n);
SY_HIDDEN bool sy_tcb_abort_on_data(sy_tcb *c, const sy_seg *s, uint32_t seq, uint32_t len);
/* output.c */
/* The most data a segment sent now may carry: the effective MSS less the
 * SACK option it would carry. */
SY_HIDDEN uint32_t sy_tcb_cur_mss(const sy_tcb *c);
int sy_tcp_ep_send_bytes(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
			 uint32_t len, const unsigned char *bytes, sy_err *err);
SY_HIDDEN void sy_tcb_send_data(sy_tcb *c, uint32_t seq, uint32_t len, bool fin, sy_time now);
/* the right edge the next segment would advertise (nothing changed) */
SY_HIDDEN uint32_t sy_tcb_adv_edge(const sy_tcb *c);
SY_HIDDEN uint32_t sy_tcb_rcv_full(const sy_tcb *c);
SY_HIDDEN uint32_t sy_tcb_rcv_free(const sy_tcb *c);
SY_HIDDEN uint32_t sy_tcb_syn_wnd(const sy_tcb *c);
SY_HIDDEN uint32_t sy_tcb_rcv_select(const sy_tcb *c, bool *low);
/* the TSval a segment sent now carries */
SY_HIDDEN uint32_t sy_tcb_ts_now(sy_tcb *c);
/* recovery.c */
SY_HIDDEN uint32_t sy_tcb_sb_total(const sy_tcb *c);
SY_HIDDEN void sy_tcb_sb_trim(sy_tcb *c);
SY_HIDDEN void sy_tcb_sb_update(sy_tcb *c, const sy_seg *s);
SY_HIDDEN uint32_t sy_tcb_pipe(const sy_tcb *c);
SY_HIDDEN bool sy_tcb_next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin);
/* Sending is bounded by cwnd - pipe, lost segments first: in recovery,
 * and after a timeout that kept the SACK scoreboard (RACK's marks). */
SY_HIDDEN bool sy_tcb_by_pipe(const sy_tcb *c);
SY_HIDDEN void sy_tcb_arm_rto(sy_tcb *c);
SY_HIDDEN void sy_tcb_arm_retrans(sy_tcb *c, sy_time after);
SY_HIDDEN void sy_tcb_enter_recovery(sy_tcb *c);
SY_HIDDEN void sy_tcb_data_timeout(sy_tcb *c, int which);
/* Linux's tcp_model_timeout: n + 1 timeouts doubling from base, each at
 * most rto_max. */
SY_HIDDEN sy_time sy_tcb_model_timeout(const sy_timer_limits *lim, sy_time base, int64_t n);
/* tlp.c: Tail Loss Probe (the profile's tlp) */
/* Puts the retransmission timer at the probe timeout, when one applies
 * (RTO armed first): true if it did. */
SY_HIDDEN bool sy_tlp_schedule(sy_tcb *c);
/* The retransmission timer fired with pto_armed: the probe, or the RTO
 * re-armed; true when handled. */
SY_HIDDEN bool sy_tlp_timeout(sy_tcb *c);
/* An acceptable ACK, before SND.UNA moves (RFC 8985 7.4). */
SY_HIDDEN void sy_tlp_ack(sy_tcb *c, const sy_seg *s, bool win_update);
/* A D-SACK of the bytes of a probe sent again and still unresolved:
 * the timer's retransmission, not a recovery's. */
SY_HIDDEN bool sy_tlp_dsack_of_probe(const sy_tcb *c, const sy_seg *s);
/* RACK (rack.c, the profile's rack): on for c (with SACK); a segment
 * went (before SND.NXT moves); [l, r) is SACKed (before the scoreboard
 * takes it); SND.UNA moved; an acceptable ACK was taken (after SND.UNA
 * moved; dsack: it carried a D-SACK; rec0: in recovery before it):
 * losses marked, the reordering timer, recovery; the retransmission
 * timer fired with reo_armed: true when handled; a timeout: the
 * segments not SACKed marked lost (true: the peer reneged, the SACK
 * marks dropped); a timeout undone: the lost marks dropped; an ACK
 * after a timeout (after F-RTO's steps): RACK's marks; RFC 6675's
 * pipe and NextSeg with RACK's marks. */
SY_HIDDEN bool sy_rack_on(const sy_tcb *c);
SY_HIDDEN void sy_rack_sent(sy_tcb *c, uint32_t seq, uint32_t len, bool fin, sy_time now);
SY_HIDDEN void sy_rack_sack(sy_tcb *c, uint32_t l, uint32_t r, bool dup);
SY_HIDDEN void sy_rack_acked(sy_tcb *c);
SY_HIDDEN void sy_rack_ack(sy_tcb *c, const sy_seg *s, bool dsack, bool rec0,
			    bool reneged);
SY_HIDDEN bool sy_rack_timeout(sy_tcb *c);
SY_HIDDEN bool sy_rack_rto(sy_tcb *c);
SY_HIDDEN void sy_rack_unmark(sy_tcb *c);
SY_HIDDEN void sy_rack_loss_ack(sy_tcb *c);
SY_HIDDEN uint32_t sy_rack_pipe(const sy_tcb *c);
SY_HIDDEN bool sy_rack_next_lost(const sy_tcb *c, uint32_t *seq, uint32_t *len, bool *fin);
SY_HIDDEN void sy_rack_free(sy_tcb *c);
/* Proportional Rate Reduction (prr.c): recovery begins (after the cc's
 * reduction); an ACK in recovery delivered `delivered` bytes (RFC 9937's
 * DeliveredData), advanced SND.UNA or not, began recovery or not. */
SY_HIDDEN void sy_prr_start(sy_tcb *c);
SY_HIDDEN void sy_prr_ack(sy_tcb *c, int64_t delivered, bool advanced, bool entry);
/* The bytes the scoreboard holds as SACKed (or, without SACK, the
 * duplicate ACKs' count) and the top of those deemed lost. */
SY_HIDDEN uint32_t sy_tcb_sacked(const sy_tcb *c);
SY_HIDDEN uint32_t sy_tcb_lost_top(const sy_tcb *c);
/* D-SACK (dsack.c): the first block of s is a D-SACK (RFC 2883 4: below
 * the cumulative ACK, or within the second block): true with [*l, *r). */
SY_HIDDEN bool sy_dsack_block(const sy_seg *s, uint32_t *l, uint32_t *r);
/* The receiver: [l, r) arrived again. */
SY_HIDDEN void sy_dsack_note(sy_tcb *c, uint32_t l, uint32_t r);
/* The SACK and D-SACK blocks of an outgoing ACK: _fill to size them,
 * _out to send them (the D-SACK block goes once). */
SY_HIDDEN void sy_tcb_sack_fill(const sy_tcb *c, sy_tcp_opts *o);
SY_HIDDEN void sy_tcb_sack_out(sy_tcb *c, sy_tcp_opts *o);
/* The sender: recovery (or a timeout's reduction) begins, with
 * `outstanding` bytes retransmitted before it still unresolved; an ACK
 * arrived (before SND.UNA moves): true if it carried a D-SACK; whether
 * every retransmission of the episode has been D-SACKed. */
SY_HIDDEN void sy_undo_start(sy_tcb *c, uint32_t outstanding);
SY_HIDDEN bool sy_dsack_ack(sy_tcb *c, const sy_seg *s);
SY_HIDDEN bool sy_dsack_all(const sy_tcb *c);
/* F-RTO and the Eifel undo (frto.c).  A reduction with retransmission
 * begins (after the cc's signal): its first retransmission's TSval is
 * kept.  An acceptable ACK, its SACK blocks taken, before SND.UNA moves:
 * the undo when the timestamp echoed or F-RTO shows the retransmissions
 * were not needed. */
SY_HIDDEN void sy_ts_undo_start(sy_tcb *c);
SY_HIDDEN void sy_undo_check(sy_tcb *c, const sy_seg *s);
/* A timeout: F-RTO starts if the profile has it and the timeout is
 * fresh (out of recovery, or repeating one); true if it did (the SACK
 * scoreboard is kept).  Its retransmission has gone. */
SY_HIDDEN bool sy_frto_timeout(sy_tcb *c, bool fresh);
SY_HIDDEN void sy_frto_sent(sy_tcb *c);
/* An acceptable ACK, once taken: SND.UNA was una0, it counted as a
 * duplicate, it SACKed more. */
SY_HIDDEN void sy_frto_ack(sy_tcb *c, uint32_t una0, bool dup, bool sacked_more);

/* ------------------------------------------------------------ inline helpers */

static inline sy_ipv4 ip_for(sy_tcp_ep *ep, uint32_t src, uint32_t dst)
{
	return (sy_ipv4){
		.src = src, .dst = dst, .proto = SY_IPPROTO_TCP,
		.ttl = TTL_DEFAULT, .id = sy_node_next_ip_id(ep->node), .df = true,
	};
}

static inline sy_time now_of(const sy_tcb *c)
{
	return sy_sim_now(c->ep->sim);
}

/* The congestion control's operations (NULL: none) and the parameters of
 * its instance. */
static inline const sy_cc_ops *sy_cco(const sy_tcb *c)
{
	return c->cc_lost ? NULL : c->cci->plugin->ops;
}

static inline const void *sy_ccst(const sy_tcb *c)
{
	return c->cci->state;
}

/* The state of loss recovery, to be set (tcb.h). */
static inline sy_tcb_loss *sy_loss(sy_tcb *c)
{
	return c->lr ? c->lr : sy_loss_new(c);
}

/* The block of out-of-order and unread data, to be set (tcb.h). */
static inline sy_tcb_rx *sy_rx(sy_tcb *c, const char *what)
{
	return c->rx ? c->rx : sy_rx_new(c, what);
}

/* The sender's block, to be set (tcb.h). */
static inline sy_tcb_tx *sy_tx(sy_tcb *c, const char *what)
{
	return c->tx ? c->tx : sy_tx_new(c, what);
}

/* ... and its fields to be read, with their idle values without it
 * (and sy_tcb_snd_queued, _sent: tcb.h). */
static inline uint32_t sy_tcb_high_rxt(const sy_tcb *c)
{
	return c->tx ? c->tx->high_rxt : c->snd_una;
}

static inline uint32_t sy_tcb_reno_sacked(const sy_tcb *c)
{
	return c->tx ? c->tx->reno_sacked : 0;
}

/* The retransmission timer's deadline: read only while something is in
 * flight. */
static inline sy_time sy_tcb_rto_due(const sy_tcb *c)
{
	SY_INVARIANT(c->tx);
	return c->tx->rto_due;
}

/* The SACK scoreboard; empty without the block. */
static inline const sy_ranges *sy_tcb_sb(const sy_tcb *c)
{
	static const sy_ranges none;

	return c->tx ? &c->tx->sb : &none;
}

/* The reassembly queue: NULL when nothing waits past a gap. */
static inline const sy_ooo *sy_tcb_ooo(const sy_tcb *c)
{
	return c->rx ? c->rx->ooo : NULL;
}

/* An ECN reduction goes by PRR (ecn.c): Linux's CWR state. */
static inline bool sy_ecn_in_cwr(const sy_tcb *c)
{
	return (c->ecn & SY_ECN_PRR) && !c->in_recovery;
}

/* The rare counters, to be set (tcb.h): never NULL. */
static inline sy_tcb_rare *sy_rare(sy_tcb *c)
{
	sy_tcb_loss *l = sy_loss(c);

	return l ? &l->xs : &c->ep->rare_sink;
}

/* Whether timer `which` is pending: the record names an event only while
 * it is (services.c forgets it when it fires or is cancelled), which the
 * deep-check builds compare with the simulator's own answer. */
static inline bool timer_on(const sy_tcb *c, int which)
{
	int s = sy_tcb_tslot(which);
	bool on = c->tm_kind[s] == which && c->tm.slot1[s] != 0;

	SY_DEEP_INVARIANT(on == sy_sim_pending(c->ep->sim, sy_tcb_timer_id(c, which)));
	return on;
}

static inline const sy_timer_limits *limits(const sy_tcb *c)
{
	return sy_tcb_limits(c);
}

/* Linux's timer tick, for the timers that profile parameters arm in
 * whole jiffies (RACK's reordering timer, the SACK reneging timer): 4 ms
 * at HZ = 250, as the kernel these were checked on. */
#define SY_TCP_JIFFY (4 * SY_MS)

/* t rounded up to whole jiffies (Linux's usecs_to_jiffies). */
static inline sy_time sy_tcp_jiffies(sy_time t)
{
	return (t + SY_TCP_JIFFY - 1) / SY_TCP_JIFFY * SY_TCP_JIFFY;
}

/* Interactive (pingpong) mode: quick-ACK mode is off while in it. */
static inline bool in_pingpong(const sy_tcb *c)
{
	int64_t n = limits(c)->pingpong;

	return n > 0 && c->pingpong >= n;
}

static inline uint32_t data_seq(const sy_tcb *c)
{
	return c->snd_una + !sy_tcb_syn_acked(c);
}

static inline uint32_t data_end(const sy_tcb *c)
{
	uint64_t u = sy_tcp_unacked(c);

	return data_seq(c) + (uint32_t)(u > WND_MAX ? WND_MAX : u);
}

/* The end of the data sent so far (SND.MAX, before the FIN once that is
 * sent): a retransmission goes up to it at most, never into bytes queued
 * since (data_end), which only output sends, from SND.NXT. */
static inline uint32_t sent_end(const sy_tcb *c)
{
	return c->fin_sent ? c->fin_seq : c->snd_max;
}

/* The send side's invariants, whatever the state machine and the peer
 * do: no more bytes acknowledged than sent, nor sent than queued (so the
 * unacknowledged count cannot wrap), SND.UNA <= SND.NXT <= SND.MAX, and
 * nothing sent beyond the queued bytes and a FIN (so the flight is the
 * bytes queued, at most 2^30, plus the SYN or the FIN). */
static inline void send_check(const sy_tcb *c)
{
	SY_INVARIANT(c->st.bytes_acked <= sy_tcb_snd_sent(c));
	SY_INVARIANT(sy_tcb_snd_sent(c) <= sy_tcb_snd_queued(c));
	/* the sender's block: while anything is outstanding past the SYN */
	SY_INVARIANT(c->tx || c->snd_una == c->snd_max || !sy_tcb_syn_acked(c));
	if (!c->data_started)
		return;
	SY_INVARIANT(sy_seq_le(c->snd_una, c->snd_nxt));
	SY_INVARIANT(sy_seq_le(c->snd_nxt, c->snd_max));
	SY_INVARIANT(sy_seq_le(c->snd_max, data_end(c) + c->fin_sent));
	SY_INVARIANT(sy_tcb_flight(c) <= WND_MAX + 1);
	SY_INVARIANT(!c->fin_sent || sy_seq_le(c->fin_seq, c->snd_max - 1));
#ifdef SY_DEEP_CHECKS
	/* the persist timer only while nothing is outstanding: data sent
	 * hands its slot to the retransmission timer (output.c) */
	SY_INVARIANT(c->snd_una == c->snd_max || !timer_on(c, SY_TCP_T_PERSIST));
	/* the SACK scoreboard: sorted, disjoint, not touching, above
	 * SND.UNA and at most SND.MAX */
	SY_INVARIANT(sy_ranges_valid(sy_tcb_sb(c)));
	if (sy_ranges_count(sy_tcb_sb(c))) {
		SY_INVARIANT(sy_seq_le(c->snd_una, sy_ranges_at(sy_tcb_sb(c), 0)->l));
		SY_INVARIANT(sy_seq_le(sy_ranges_at(sy_tcb_sb(c), sy_ranges_count(sy_tcb_sb(c)) - 1)->r,
				       c->snd_max));
	}
#endif
}

/* The receive side's: RCV.NXT never passes the right edge advertised,
 * the block of received data is kept only while it holds some, and
 * (walking the queue: sanitizer and fuzzing builds) the reassembly
 * queue holds sorted, disjoint, non-empty pieces past RCV.NXT, whose
 * contiguous runs are the blocks of rx->ooo_blocks. */
static inline void recv_check(const sy_tcb *c)
{
	const sy_tcb_rx *rx = c->rx;

	SY_INVARIANT(!c->data_started || sy_seq_le(c->rcv_nxt, c->rcv_adv));
	SY_INVARIANT(!rx || rx->ooo || rx->rq_head);
	SY_INVARIANT(!rx || !rx->ooo == !sy_ranges_count(&rx->ooo_blocks));
	SY_INVARIANT(!rx || !rx->rq_head == !rx->rq_tail);
#ifdef SY_DEEP_CHECKS
	unsigned k = 0;
	uint32_t expect = 0;

	if (!rx)
		return;
	SY_INVARIANT(sy_ranges_valid(&rx->ooo_blocks));
	for (const sy_ooo *q = rx->ooo; q; q = q->next) {
		const sy_range *g;

		SY_INVARIANT(q->len > 0);
		SY_INVARIANT(sy_seq_gt(q->seq, c->rcv_nxt));
		SY_INVARIANT(!q->next || sy_seq_le(q->seq + q->len, q->next->seq));
		/* ... and the blocks are its contiguous runs, each tagged
		 * with its last piece */
		SY_INVARIANT(k < sy_ranges_count(&rx->ooo_blocks));
		g = sy_ranges_at(&rx->ooo_blocks, k);
		if (sy_seq_le(q->seq, g->l))
			expect = g->l;
		SY_INVARIANT(q->seq == expect);
		expect = q->seq + q->len;
		if (q == g->tag) {
			SY_INVARIANT(expect == g->r);
			k++;
		}
	}
	SY_INVARIANT(k == sy_ranges_count(&rx->ooo_blocks));
#endif
}

/* What the state machine lets the data path do in c's state. */
static inline bool synchronized(const sy_tcb *c)
{
	return c->caps & SY_TCP_CAP_SYNC;
}

/* Data and a FIN may go out: the state allows it and our SYN has been
 * acknowledged, or (SY_TCP_CAP_EARLY) sent with the data phase started. */
static inline bool can_output(const sy_tcb *c)
{
	if (!(c->caps & SY_TCP_CAP_SEND))
		return false;
	return sy_tcb_syn_acked(c) ||
	       ((c->caps & SY_TCP_CAP_EARLY) && c->data_started &&
		(c->st.syns_sent || c->st.synacks_sent));
}

/* The congestion control's view of c now (cc.h): what the record keeps of
 * it (sy_tcb_cc) and the rest from the connection. */
static inline void cc_load(const sy_tcb *c, sy_cc_conn *k)
{
	uint32_t f = sy_tcb_flight(c);

	*k = (sy_cc_conn){
		.cwnd = c->cc.cwnd, .ssthresh = c->cc.ssthresh,
		.mss = sy_tcb_smss(c), .flight = f,
		.prior_cwnd = c->cc.prior_cwnd,
		.prior_ssthresh = c->cc.prior_ssthresh,
		.delivered = c->st.bytes_acked, .now = now_of(c),
		.srtt = c->rtt.samples ? c->rtt.srtt : 0,
		.min_rtt = c->cc.min_rtt, .latest_rtt = c->cc.latest_rtt,
		.in_recovery = c->in_recovery, .priv = c->cc.priv,
		.timers = c->ep->timers.plugin->name,
	};
	/* the data bytes up to SND.MAX: the flight less a SYN or FIN in it */
	if (f && !sy_tcb_syn_acked(c))
		f--;
	if (f && c->fin_sent && sy_seq_gt(c->snd_max, c->fin_seq) &&
	    sy_seq_le(c->snd_una, c->fin_seq))
		f--;
	k->sent = c->st.bytes_acked + f;
	k->cwnd_limited = c->cwnd_full ||
			  (c->cc.cwnd < c->cc.ssthresh &&
			   (uint64_t)c->cc.cwnd < 2 * (uint64_t)c->max_flight);
}

/* What a plugin may set (cc.h: cwnd and ssthresh), back into the record. */
static inline void cc_store(sy_tcb *c, const sy_cc_conn *k)
{
	c->cc.cwnd = k->cwnd;
	c->cc.ssthresh = k->ssthresh;
}

/* After the sender stopped: was cwnd what stopped it (full: it could not
 * take another segment)?  Remembered for the window sent, as Linux's
 * tcp_cwnd_validate does: a new window, a full cwnd, or (not full) more
 * in flight than before record it anew. */
static inline void cwnd_usage(sy_tcb *c, bool full)
{
	uint32_t out = sy_tcb_flight(c);

	if (sy_seq_ge(c->snd_una, c->cwnd_usage_end) || full ||
	    (!c->cwnd_full && out > c->max_flight)) {
		c->cwnd_full = full;
		c->max_flight = out;
		c->cwnd_usage_end = c->snd_max;
	}
}

/* An ACK of segment s for the congestion control (cc.h). */
static inline void cc_ack(sy_tcb *c, sy_cc_ack_type type, uint32_t acked,
			  sy_time rtt, const sy_seg *s)
{
	sy_cc_ack a = {
		.type = type, .acked = acked, .rtt = rtt,
		.ece = (s->flags & SY_TCP_ECE) != 0,
	};
	sy_cc_conn k;

	cc_load(c, &k);
	sy_cco(c)->ack(sy_ccst(c), &k, &a);
	cc_store(c, &k);
}

/* A congestion signal; before a reduction, what an undo restores. */
static inline void cc_signal(sy_tcb *c, sy_cc_signal sig)
{
	sy_cc_conn k;

	if (sig != SY_CC_RTO_SPURIOUS) {
		c->cc.prior_cwnd = c->cc.cwnd;
		c->cc.prior_ssthresh = c->cc.ssthresh;
		c->undo_on = false; /* a new reduction: no D-SACK undo */
		if (c->lr)
			c->lr->ts_undo_on = false; /* ... nor Eifel's (frto.c) */
	}
	cc_load(c, &k);
	sy_cco(c)->congestion(sy_ccst(c), &k, sig);
	cc_store(c, &k);
}

#endif
