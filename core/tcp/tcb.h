/* The connection record and what the data path keeps per connection:
 * the endpoint's own, not installed.  In-tree code (core, the Lua binding,
 * the recorders, tests and benchmarks) may read it; plugins use tcp.h and
 * tcp_sm.h. */
#ifndef SY_TCB_H
#define SY_TCB_H

#include "tcp.h"
#include "tcp_sm.h"
#include "ranges.h"

/* The user's data not yet acknowledged, in the order it was queued: each
 * chunk is real bytes (at most 4 GiB) or virtual (a length only, any
 * number of bytes: queued virtual bytes cost one chunk). */
typedef struct sy_chunk {
	struct sy_chunk *next;
	uint64_t len;               /* bytes, `off` of them acknowledged */
	uint64_t off;
	unsigned char *bytes;       /* NULL: virtual */
	bool pushed;                /* a segment with PSH ended at its end
				     * (the profile's retx_psh): later
				     * bytes go to a new chunk */
} sy_chunk;

/* A received segment waiting for the gap before it to fill. */
typedef struct sy_ooo {
	struct sy_ooo *next;
	uint32_t seq, len;
	unsigned char *bytes;       /* NULL: virtual */
} sy_ooo;

/* What the receiver holds for the user, apart from the record: the
 * segments past a gap and the unread bytes kept as chunks.  Allocated
 * when the first of them arrives (sy_rx, tcp_priv.h) and freed as soon
 * as both queues are empty, and with the record: an idle connection has
 * none (rx is NULL).  The SACK order (last_ooo, recent_ooo) starts
 * afresh with the first segment queued into an empty queue (input.c). */
typedef struct sy_tcb_rx {
	sy_ooo *ooo;               /* sorted by sequence number */
	sy_ranges ooo_blocks;      /* ... its contiguous blocks, each tagged
				    * with its last segment */
	uint32_t recent_ooo[2];    /* earlier out-of-order arrivals, for SACK */
	uint32_t last_ooo;         /* latest out-of-order segment's start */
	sy_chunk *rq_head, *rq_tail; /* unread bytes, once some are real */
} sy_tcb_rx;

/* The sender's state while it has something to send or to see
 * acknowledged: allocated with the first byte queued or the first
 * segment of data or FIN sent, freed when the queue is empty and all that
 * was sent is acknowledged (sy_tx_release).  Without it, each field has
 * its idle value, which the readers in tcp_priv.h give: an empty queue and
 * scoreboard, snd_queued = snd_sent = bytes_acked, high_rxt = SND.UNA,
 * reno_sacked 0; the others are set before they are read again (tx_head
 * and last_seg by the next new segment, rto_due by the retransmission
 * timer's arming, rtt_seq with rtt_timing, which is off). */
typedef struct sy_tcb_tx {
	sy_chunk *sq;              /* the send queue's last chunk, whose
				    * next is the first (a ring); NULL:
				    * empty (sy_sq_head, sy_sq_next) */
	uint64_t snd_queued;       /* bytes the user has queued, in total */
	uint64_t snd_sent;         /* ... of which sent at least once */
	sy_time tx_head;           /* when the oldest unacked data was sent */
	sy_time rto_due;           /* the retransmission timer's deadline */
	sy_ranges sb;              /* SACK scoreboard */
	uint32_t high_rxt;         /* retransmitted up to here in recovery */
	uint32_t reno_sacked;      /* without SACK: bytes left by dupacks */
	uint32_t last_seg;         /* where the latest new segment began
				    * (the profile's tlp, tlp.c) */
	uint32_t rtt_seq;          /* the segment timed (rtt_timing) ends
				    * here */
} sy_tcb_tx;

/* A segment sent and not yet acknowledged, for RACK (rack.c): the
 * profile's rack keeps one per segment as first sent, in sequence order,
 * with the time of its latest transmission. */
typedef struct sy_rack_seg {
	uint32_t seq, end;          /* [seq, end): its data and a FIN */
	sy_time xmit;               /* sent (again) at */
	uint64_t del;               /* rk_delivered then */
	uint8_t f;                  /* SY_RK_* (rack.c) */
	uint32_t skip;              /* SACKed: at most this many records on
				     * are SACKed too (0: unknown) */
} sy_rack_seg;

/* RACK's state (rack.c), apart from the record: a connection that never
 * sends data with the profile's rack does not pay for it. */
typedef struct sy_rack {
	sy_rack_seg *rk_v;         /* the segments out: rk_v[rk_off ..
				    * rk_off + rk_n) */
	uint32_t rk_off, rk_n, rk_cap;
	uint32_t rk_hint;          /* no segment lost and not yet sent
				    * again below this index */
	uint32_t rk_lost;          /* bytes marked lost, not delivered */
	uint32_t rk_rtx;           /* bytes sent again and not since
				    * delivered or marked lost again */
	uint32_t rk_marked;        /* bytes ever marked lost (mod 2^32) */
	uint32_t rk_sacked;        /* segments SACKed (Linux's sacked_out) */
	uint32_t rk_end;           /* RACK.end_seq */
	uint32_t rk_fack;          /* the highest SACKed byte's end before
				    * this ACK (Linux's prior_fack) */
	sy_time rk_xmit;           /* RACK.xmit_ts: the most recently sent
				    * segment delivered */
	sy_time rk_rtt;            /* RACK.rtt */
	bool rk_valid;             /* rk_xmit and rk_end hold */
	bool rk_advanced;          /* ... and moved since the last walk */
	uint8_t rk_reord;          /* this ACK showed reordering: its
				    * SACKs (1), its cumulative ACK (2) */
	bool rk_dsack_seen;        /* a D-SACK since the last adaptation */
	uint8_t rk_steps;          /* reo_wnd in min_rtt / 4 steps; 0: 1 */
	uint8_t rk_persist;        /* recoveries the steps persist */
	bool reo_armed;            /* the retransmission timer waits for
				    * the reordering timeout reo_due */
	bool rk_sfack_on;          /* rk_sfack below holds */
	uint32_t rk_reord_seen;    /* reordering events (Linux's reord_seen) */
	uint32_t rk_undos;         /* st.dsack_undos at the last ACK */
	uint64_t rk_delivered;     /* bytes delivered (ACKed or SACKed) */
	uint64_t rk_prior_del;     /* ... when the latest segment this ACK
				    * delivered was sent; 0: none */
	uint64_t rk_last_del;      /* rk_delivered when reo_wnd last grew */
	sy_time reo_due;
	uint32_t rk_sfack;         /* the highest end this ACK's SACKs
				    * reached, while rk_sfack_on */
} sy_rack;

/* The counters of sy_tcb_stats that every connection moves, in the
 * record (st), ... */
typedef struct sy_tcb_count {
	uint32_t syns_sent, synacks_sent;
	uint64_t segments_out, segments_in;
	uint64_t bytes_sent, bytes_acked, bytes_received;
} sy_tcb_count;

/* ... and the others, which only a loss, a reset, an odd segment, ECN
 * or reordering move: in the block of loss recovery (sy_tcb_loss), with
 * the same names.  sy_tcb_stats_read assembles the two. */
typedef struct sy_tcb_rare {
	uint32_t retransmissions;
	uint32_t rsts_sent, rsts_received, challenge_acks;
	uint32_t challenge_acks_suppressed, invalid_acks_suppressed;
	uint32_t fast_retransmits, timeouts;
	uint32_t dupacks_in, zero_window_probes, bad_options;
	uint32_t tlp_probes, tlp_recoveries;
	uint32_t ecn_ce_received, ecn_ece_received, ecn_reductions, ecn_cwr_sent;
	uint32_t dsacks_received, dsack_undos;
	uint32_t rack_lost, rack_reo_timeouts, rack_reord_seen, rack_reo_wnd_grown;
	uint32_t frto_spurious, ts_undos;
	uint64_t bytes_retransmitted, bytes_duplicate, segments_ooo;
} sy_tcb_rare;

/* The names of the two halves' counters, for code over all of them
 * (sy_tcb_stats_read, the Lua binding's sums). */
#define SY_TCB_COUNT_FIELDS(X) X(syns_sent) X(synacks_sent) X(segments_out) \
	X(segments_in) X(bytes_sent) X(bytes_acked) X(bytes_received)
#define SY_TCB_RARE_FIELDS(X) X(retransmissions) X(rsts_sent) X(rsts_received) \
	X(challenge_acks) X(challenge_acks_suppressed) X(invalid_acks_suppressed) \
	X(fast_retransmits) X(timeouts) X(dupacks_in) X(zero_window_probes) \
	X(bad_options) X(tlp_probes) X(tlp_recoveries) X(ecn_ce_received) \
	X(ecn_ece_received) X(ecn_reductions) X(ecn_cwr_sent) X(dsacks_received) \
	X(dsack_undos) X(rack_lost) X(rack_reo_timeouts) X(rack_reord_seen) \
	X(rack_reo_wnd_grown) X(frto_spurious) X(ts_undos) \
	X(bytes_retransmitted) X(bytes_duplicate) X(segments_ooo)

/* What the record needs only once it has sent data and lost some, or
 * feared it had: tail loss probes, PRR, the undos, F-RTO, the retry
 * limits' time stamps, an ECN reduction's window, the zero-window probes'
 * backoff; and what only an unusual connection needs: the rare counters,
 * a D-SACK to send, the rate limit of answers to unacceptable segments,
 * a Fast Open cookie to send, a SYN or SYN-ACK sent again, a crossed
 * SYN-ACK, SO_LINGER.  Apart from the record, allocated the first time
 * one of them is set (sy_loss, sy_rare, tcp_priv.h); until then every
 * field is zero, which a reader without it (sy_loss_ro, sy_rare_ro)
 * sees, and which is each field's value before its first use. */
typedef struct sy_tcb_loss {
	/* the profile's tlp: Tail Loss Probe (RFC 8985 7, tlp.c) */
	sy_time pto_due;
	bool pto_armed;            /* the retransmission timer waits for
				    * the probe timeout pto_due, before
				    * the RTO (rto_due) */
	bool tlp_out;              /* a probe is unresolved (TLP.end_seq
				    * set, Linux's tlp_high_seq != 0) */
	bool tlp_retrans;          /* ... and it sent old data again */
	/* the profile's frto and ts_undo (frto.c) */
	uint8_t frto;              /* SY_FRTO_*: F-RTO's step after a timeout */
	uint32_t tlp_high;         /* SND.NXT after the probe (TLP.end_seq) */
	uint32_t tlp_seq;          /* where the probe's bytes began */
	uint32_t frto_high;        /* SND.MAX at the timeout (RFC 5682's
				    * recover) */
	uint32_t frto_rtx;         /* the end of what the timeout sent again */
	uint32_t frto_sacked;      /* bytes SACKed in [frto_rtx, frto_high) */
	/* the handshake (services.c, output.c, steps.c) */
	bool syn_timed_out;        /* a SYN or SYN-ACK was retransmitted */
	bool synack_again;         /* ... or the SYN-ACK sent again for a
				    * retransmitted SYN: no RTT sample */
	bool crossed;              /* a crossed SYN-ACK is being taken: the
				    * handshake it completes reports it as
				    * the cause (sy_tcb_crossed_synack) */
	/* the profile's ts_undo (frto.c) */
	bool ts_undo_on;           /* the latest reduction may be undone by
				    * an older timestamp echoed */
	uint32_t rtx_ts;           /* ... the TSval of its first
				    * retransmission (Linux's retrans_stamp) */
	/* the profile's prr: Proportional Rate Reduction (prr.c) */
	uint32_t prr_delivered;    /* bytes delivered in this recovery */
	uint32_t prr_fs;           /* RecoverFS: cwnd before the reduction */
	uint32_t prr_lost_top;     /* the top of the bytes deemed lost */
	uint32_t ecn_high;         /* SY_ECN_CWR: SND.MAX at the latest
				    * reduction; no other until SND.UNA
				    * passes it (ECN, ecn.c) */
	uint64_t prr_out0;         /* st.bytes_sent when recovery began:
				    * prr_out is what was sent since */
	uint32_t prr_first;        /* bytes the start of recovery sent at
				    * once (its fast retransmission) */
	/* the fast recovery or timeout a D-SACK may undo (dsack.c;
	 * undo_on) */
	uint32_t undo_marker;      /* SND.UNA when it began */
	uint64_t undo_rtx0;        /* st.bytes_retransmitted then */
	uint64_t undo_dsacked;     /* bytes of its retransmissions D-SACKed */
	/* the retry limits measured in time (the profile's
	 * retries_by_time, user_timeout_probes; recovery.c) */
	sy_time rtx_stamp;         /* the first retransmission of the
				    * current series; valid while
				    * retries > 0 */
	sy_time probe_stamp;       /* the first zero-window probe since the
				    * window closed */
	sy_time invalid_ack_next;  /* an answer to an unacceptable segment
				    * may go from here on (RFC 5961 7) */
	/* the profile's dsack (dsack.c) */
	uint32_t dsack_l, dsack_r;
	bool dsack_due;            /* the next ACK carries a D-SACK block
				    * of dsack_l, dsack_r */
	/* TCP Fast Open, our SYN's option (sy_tcb_fastopen_option) */
	bool tfo;                  /* our SYN carries the Fast Open option */
	uint8_t tfo_len;           /* ... with this many bytes of cookie */
	uint8_t tfo_cookie[16];
	uint8_t persist_shift;     /* zero-window probe backoff (recovery.c) */
	uint32_t ecn_rtos;         /* timeouts (of data or our SYN) already
				    * told by CWR (ECN, ecn.c) */
	sy_tcb_rare xs;            /* the rare counters */
	uint64_t linger1;          /* SO_LINGER: its time + 1; 0: off
				    * (sy_tcb_linger) */
} sy_tcb_loss;

/* What the record keeps of the congestion control between its calls:
 * the window and threshold the plugin sets, what an undo restores (set
 * before a reduction, tcp_priv.h's cc_signal), the RTT samples and the
 * plugin's own state.  The other fields of the sy_cc_conn a plugin sees
 * are the connection's at the call: cc_load (tcp_priv.h) fills one on
 * the stack and cc_store takes back what the plugin may set. */
typedef struct sy_tcb_cc {
	uint32_t cwnd, ssthresh;
	uint32_t prior_cwnd, prior_ssthresh;
	sy_time min_rtt;           /* smallest RTT sample; 0 before the first */
	sy_time latest_rtt;        /* the latest RTT sample; 0 before the first */
	void *priv;                /* the plugin's conn_size bytes */
} sy_tcb_cc;

/* The largest initial window, in segments, a record holds (iw_segs). */
#define SY_TCB_IW_MAX 65535u

/* A connection's timers share slots: kinds that are never pending
 * together take the same one.  The retransmission timer (SYN, SYN-ACK,
 * data, FIN, and the probe and reordering timeouts it stands for) and the
 * persist timer, which is armed only while nothing is in flight and no
 * retransmission timer runs, and is cancelled by the window opening
 * before anything is sent; the delayed ACK; keepalive and the state
 * timeouts, one per state (SYN_RECEIVED, cancelled when our SYN is
 * acknowledged; FIN_WAIT_2; TIME_WAIT), as Linux runs keepalive, the
 * FIN_WAIT_2 and the SYN_RECV timeouts on one timer.  Keepalive may stay
 * pending, idle, after ESTABLISHED, but its expiry does nothing in a
 * state without SY_TCP_CAP_KEEPALIVE, which the states with a timeout
 * are (tcp_sm.h): so a state timeout armed displaces it, and it is not
 * armed while a state timeout is pending (services.c).  Arming any other
 * kind whose slot holds another kind still pending is a bug (services.c
 * asserts it); cancelling a kind that is not the one in its slot does
 * nothing. */
#define SY_TCB_TSLOTS 3
static inline int sy_tcb_tslot(int which)
{
	static const unsigned char slot[SY_TCP_TIMERS] = {
		[SY_TCP_T_RETRANS] = 0, [SY_TCP_T_PERSIST] = 0,
		[SY_TCP_T_DELACK] = 1,
		[SY_TCP_T_KEEPALIVE] = 2,
		[SY_TCP_T_SYN_RECEIVED] = 2, [SY_TCP_T_FIN_WAIT_2] = 2,
		[SY_TCP_T_TIME_WAIT] = 2,
	};

	return slot[which];
}

/* The connection record (RFC 9293 3.3.1).  The endpoint owns it; a state
 * machine reaches the sequence variables through sy_tcb_vars (the same
 * storage as the fields here, which in-tree code reads by name) and
 * changes the state only through sy_tcb_set_state. */
struct sy_tcb {
	sy_tcp_ep *ep;
	sy_tcp_listener *listener; /* a passive open's listener, until accepted */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint8_t state;             /* sy_tcp_state (sy_tcb_set_state) */
	uint8_t caps;              /* SY_TCP_CAP_* of the state */
	uint16_t dupacks;
	union {
		struct { SY_TCP_VARS_FIELDS };
		sy_tcp_vars v;
	};
	uint32_t max_wnd;          /* the largest window the peer offered */
	uint32_t rcv_adv;          /* right edge of the window we advertised */
	/* flags, a bit each */
	bool fin_pending : 1;      /* the user closed: a FIN is due */
	bool fin_sent : 1;         /* ... and it has gone out at fin_seq */
	bool in_recovery : 1;      /* fast recovery until snd_una >= recover */
	bool after_rto : 1;        /* go-back-N after a timeout, until recover */
	bool nagle : 1, autoread : 1, want_data : 1, limited_transmit : 1;
	bool ack_now : 1;          /* an ACK is due with the next output */
	bool force : 1;            /* send a short segment (persist override) */
	bool data_started : 1;     /* sy_tcb_data_start has run */
	bool quick_started : 1;    /* quick-ACK mode (quick) was entered
				    * for the first data */
	bool rtt_timing : 1;       /* a segment is timed (no timestamps) */
	bool cwnd_full : 1;        /* cwnd limited the sender in the window
				    * that ends at cwnd_usage_end */
	bool ws_ok : 1, ts_ok : 1, sack_ok : 1; /* options negotiated */
	bool undo_on : 1;          /* the last fast recovery may be undone
				    * (the profile's dsack_undo, dsack.c) */
	bool rcvbuf_set : 1;       /* rcvbuf set on the connection, not the
				    * endpoint's (Linux's SOCK_RCVBUF_LOCK;
				    * the receive memory model below) */
	/* ... the socket layer's */
	bool orphan : 1;           /* closed: the user no longer holds it */
	bool shut_rd : 1;          /* reads see the end; data is discarded */
	bool fin_rcvd : 1;         /* the peer's FIN was consumed */
	bool got_real : 1;         /* real bytes were delivered */
	bool cork : 1;             /* short segments wait (TCP_CORK) */
	bool ts_off_ok : 1;        /* ts_off is drawn */
	bool queued : 1;           /* waiting in the listener's accept queue */
	bool sml_set : 1;          /* snd_sml holds */
	bool cc_lost : 1;          /* the cc's state could not be allocated:
				    * no cc (sy_cco is NULL), cci kept for
				    * its name */
	uint8_t limited;           /* limited transmit: segments allowed (RFC 3042) */
	uint8_t pingpong;          /* data segments that answered data (the
				    * profile's pingpong: interactive mode) */
	uint8_t ecn;               /* SY_ECN_* below (RFC 3168, ecn.c) */
	uint8_t rcv_pushed;        /* the profile's ack_on_read: 0, 1 or 2
				    * (rcv_last_size below) */
	uint32_t last_ack_sent;    /* RFC 7323's Last.ACK.sent */
	uint32_t recover;          /* RFC 6582 / RFC 6675 recovery point */
	uint32_t sndbuf, rcvbuf;
	uint32_t iw_bytes;         /* initial window */
	uint16_t iw_segs;          /* ... in segments (at most
				    * SY_TCB_IW_MAX: sy_tcp_set_data_opts) */
	uint16_t quick;            /* quick-ACK mode: ACKs still sent at
				    * once (at most the profile's quickack,
				    * itself at most 65535; saturates) */
	uint32_t rcv_unread;       /* delivered, not read by the user */
	uint32_t rcv_unacked;      /* in-order bytes not yet acknowledged */
	uint32_t rcv_mss;          /* largest segment received */
	uint32_t fin_seq;          /* our FIN's sequence number, once sent */
	sy_time data_rx_at;        /* latest in-order data received; -1: none */
	sy_time data_tx_at;        /* latest data segment sent; -1: none */
	sy_time last_send;         /* for the idle restart */
	uint32_t max_flight;       /* the most in flight in that window */
	uint32_t cwnd_usage_end;
	sy_tcb_tx *tx;             /* the sender's, while it has something
				    * queued or unacknowledged (sy_tcb_tx) */
	sy_tcb_rx *rx;             /* out-of-order and unread data, while
				    * there is some (sy_tcb_rx) */
	const sy_instance *cci;    /* the cc instance: the endpoint's cc or
				    * one of its ccx, whose addresses stay
				    * (sy_cco, sy_ccst, tcp_priv.h) */
	sy_tcb_cc cc;               /* the congestion control's, between calls */
	const sy_tcp_cb *cb;
	void *cb_ctx;
	/* options negotiated in the handshake */
	uint16_t mss_local;        /* what we announce */
	uint16_t mss_peer;         /* what the peer announced; 536 if nothing */
	uint8_t snd_wscale, rcv_wscale;
	uint16_t mss_user;         /* clamp of the MSS; 0: none */
	uint32_t ts_recent;        /* the peer's latest TSval */
	uint32_t ts_off;           /* added to the TS clock (ts_offset) */
	sy_time rtt_start;         /* when the segment being timed was sent */
	sy_rtt rtt;
	/* The timers, in slots (sy_tcb_tslot): the event pending in each,
	 * as its cancellation slot + 1 (0: none) and the low 32 bits of its
	 * sequence number, which with the slot name it while it is pending
	 * (services.c forgets it when it fires or is cancelled;
	 * sy_tcb_timer_id), and the kind (SY_TCP_T_*) it is (tm_kind,
	 * apart: no padding). */
	struct {
		uint32_t low[SY_TCB_TSLOTS];
		uint32_t slot1[SY_TCB_TSLOTS];
	} tm;
	uint8_t tm_kind[SY_TCB_TSLOTS];
	unsigned probes;           /* keepalive probes unanswered */
	sy_tcb_count st;           /* the common counters (the rare ones
				    * are in lr) */
	/* times (virtual ns) for statistics; -1 until they happen */
	sy_time t_open;            /* connect, or the SYN that made it */
	sy_time t_established;
	sy_time t_first_rx;        /* first byte of data delivered */
	sy_time t_all_acked;       /* latest moment every queued byte was acknowledged */
	sy_time t_closed;
	sy_timer_limits *lim;      /* per-connection timer values, or NULL */
	void *user;                /* for the binding */
	sy_tcb *hnext;             /* endpoint's hash chain */
	uint64_t id;               /* unique per endpoint, from 1 */
	/* one time for keepalive, one for TIME_WAIT: only ESTABLISHED
	 * sends probes (SY_TCP_CAP_KEEPALIVE), and no state after it comes
	 * back to it */
	union {
		sy_time ka_rx_at;  /* the latest segment that restarted the
				    * keepalive idle time, in a state with
				    * SY_TCP_CAP_KEEPALIVE */
		sy_time tw_since;  /* when TIME_WAIT began (tw_reuse_delay) */
	};
	uint32_t snd_sml;          /* end of the latest short segment sent
				    * (Minshall's Nagle), once sml_set */
	/* the profile's ack_on_read: short in-order segments since the
	 * last ACK sent (Linux's ICSK_ACK_PUSHED, PUSHED2), rcv_pushed
	 * (above), and */
	uint32_t rcv_last_size;    /* the previous segment's size, if it
				    * was of a size a path's MSS can be */
	sy_tcb_loss *lr;           /* the state of loss recovery below,
				    * from its first use (sy_loss) */
	/* the profile's receive memory model (rcv_ratio, rcv_grow) */
	uint32_t rcv_ratio;        /* the window's share of the memory, in
				    * 256ths; 0: rcv_ratio_initial */
	uint32_t rcv_ssthresh;     /* rcv_grow: the window's growing limit */
	uint32_t rcv_clamp;        /* rcv_grow: the largest window */
	uint32_t rcv_wup;          /* RCV.NXT when the window was last
				    * advertised */
	/* the profile's rack: RACK loss detection (RFC 8985, rack.c) */
	sy_rack *rk;               /* from the first segment of data or
				    * FIN sent with rack on; NULL before */
};

#define SY_FRTO_OFF 0           /* no F-RTO under way */
#define SY_FRTO_WAIT 1          /* the timeout's retransmission went:
				 * waiting for the first ACK (step 2) */
#define SY_FRTO_NEW 2           /* new data went instead (step 3) */

#define SY_ECN_REQ 0x01         /* our SYN asked for ECN */
#define SY_ECN_OK 0x02          /* negotiated: data goes ECT(0) */
#define SY_ECN_DEMAND_CWR 0x04  /* CE seen: ACKs carry ECE until CWR */
#define SY_ECN_QUEUE_CWR 0x08   /* the next new data segment carries CWR */
#define SY_ECN_CWR 0x10         /* a reduction's window is under way */
#define SY_ECN_SEEN 0x20        /* an ECT or CE data segment arrived */
#define SY_ECN_PRR 0x40         /* with SY_ECN_CWR outside recovery: the
				 * reduction goes by PRR (the profile's
				 * prr; Linux's CWR state) */

/* The event of timer `which` (SY_TCP_T_*): SY_EVENT_NONE unless its slot
 * holds that kind, pending. */
sy_event_id sy_tcb_timer_id(const sy_tcb *c, int which);

/* Every counter of c, the common ones and the rare ones (zero while c
 * has no block of loss recovery). */
void sy_tcb_stats_read(const sy_tcb *c, sy_tcb_stats *s);
/* Sets every counter of c to s's; false (the simulation failed) if the
 * block the rare ones need could not be allocated. */
bool sy_tcb_stats_write(sy_tcb *c, const sy_tcb_stats *s);

extern const sy_tcb_loss sy_tcb_loss_zero;
/* The block of loss recovery and the rare counters, to read. */
static inline const sy_tcb_loss *sy_loss_ro(const sy_tcb *c)
{
	return c->lr ? c->lr : &sy_tcb_loss_zero;
}

static inline const sy_tcb_rare *sy_rare_ro(const sy_tcb *c)
{
	return &sy_loss_ro(c)->xs;
}

/* The send queue's first chunk; NULL when it is empty. */
static inline sy_chunk *sy_sq_head(const sy_tcb *c)
{
	return c->tx && c->tx->sq ? c->tx->sq->next : NULL;
}

/* The bytes the user has queued in all, and of them sent at least once:
 * those acknowledged without the sender's block. */
static inline uint64_t sy_tcb_snd_queued(const sy_tcb *c)
{
	return c->tx ? c->tx->snd_queued : c->st.bytes_acked;
}

static inline uint64_t sy_tcb_snd_sent(const sy_tcb *c)
{
	return c->tx ? c->tx->snd_sent : c->st.bytes_acked;
}

/* The chunk after k in the send queue; NULL after the last. */
static inline sy_chunk *sy_sq_next(const sy_tcb *c, const sy_chunk *k)
{
	return k == c->tx->sq ? NULL : k->next;
}

/* SO_LINGER's time (sy_tcp_sock_opts): -1 off, 0 close aborts. */
static inline sy_time sy_tcb_linger(const sy_tcb *c)
{
	uint64_t l = sy_loss_ro(c)->linger1;

	return l ? (sy_time)(l - 1) : -1;
}

/* Takes the first chunk k out of the send queue (the caller frees it). */
static inline void sy_sq_unlink_head(sy_tcb *c, const sy_chunk *k)
{
	sy_tcb_tx *tx = c->tx;

	SY_INVARIANT(tx && tx->sq && k == tx->sq->next);
	if (k == tx->sq)
		tx->sq = NULL;
	else
		tx->sq->next = k->next;
}

/* Bytes sent and not acknowledged (FlightSize). */
static inline uint32_t sy_tcb_flight(const sy_tcb *c) { return c->snd_max - c->snd_una; }
/* Whether our SYN has been acknowledged.  The sequence space is the SYN
 * at ISS, the user's bytes from ISS + 1 on, then the FIN; a state machine
 * may leave the SYN unacknowledged into ESTABLISHED (the two-way
 * handshake), and the first ACK of data then acknowledges the SYN too.
 * SND.UNA leaves ISS when the SYN is acknowledged and comes back to it
 * only after 2^32 - 1 bytes of data, which the count tells apart. */
static inline bool sy_tcb_syn_acked(const sy_tcb *c)
{
	return c->snd_una != c->iss || c->st.bytes_acked != 0;
}

#endif
