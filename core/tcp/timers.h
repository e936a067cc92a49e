/* Timer profiles: TCP's timer and retry policy.
 *
 * A profile is a plugin of kind "timers" whose parameters hold every value
 * (initial, minimum and maximum RTO, retry limits, TIME_WAIT and the other
 * state timeouts, keepalive) and whose operations implement the
 * retransmission-timeout estimator.  The `rfc` profile follows the RFCs
 * (RFC 6298, RFC 9293, RFC 1122); `linux` follows Linux's defaults and its
 * estimator.  Where they differ, the difference is documented in the
 * plugin.  The TCP endpoint keeps one sy_rtt per connection and calls the
 * operations; the estimator's arithmetic is in integer nanoseconds. */
#ifndef SY_TIMERS_H
#define SY_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "plugin.h"
#include "vtime.h"

/* Per-connection estimator state (RFC 6298 section 2). */
typedef struct sy_rtt {
	sy_time srtt;      /* smoothed RTT; valid once `samples` > 0 */
	sy_time rttvar;    /* RTT variation */
	sy_time rto;       /* current RTO before backoff, clamped */
	unsigned backoff;  /* number of doublings since the last good sample */
	uint32_t samples;  /* RTT samples taken */
} sy_rtt;

/* Every value of a profile, as the endpoint reads them.  The fields have
 * the C types of their parameters (param.h), so a profile's parameter table
 * points straight at them. */
typedef struct sy_timer_limits {
	sy_time rto_initial;     /* before any sample (RFC 6298: 1 s) */
	sy_time rto_min;
	sy_time rto_max;
	int64_t syn_retries;         /* SYN retransmissions before giving up */
	int64_t synack_retries;      /* SYN-ACK retransmissions */
	int64_t data_retries;        /* retransmissions of data or FIN (R2) */
	sy_time time_wait;       /* TIME_WAIT length (2*MSL) */
	sy_time fin_wait2;       /* orphaned FIN_WAIT_2 timeout; 0: none */
	sy_time syn_received;    /* SYN_RECEIVED timeout; 0: retries only */
	sy_time user_timeout;    /* RFC 5482 / 9293 user timeout; 0: none */
	bool keepalive;          /* off by default (RFC 1122 4.2.3.6) */
	sy_time keepalive_time;  /* idle time before the first probe */
	sy_time keepalive_intvl; /* between probes */
	int64_t keepalive_probes;    /* unanswered probes before giving up */
	sy_time delack;          /* delayed-ACK timeout */
	sy_time invalid_ack_ratelimit; /* least time between ACKs answering
					* unacceptable segments (RFC 5961
					* 7); 0: no limit */
	int64_t syn_linear_timeouts; /* SYN timeouts that do not back off
				      * the RTO (Linux's
				      * tcp_syn_linear_timeouts, each one
				      * more SYN retry); 0: RFC 6298 5.5 */
	bool acceptq_drop_syn;   /* a SYN that finds the listener's accept
				  * queue full is dropped (Linux), not
				  * answered */
	bool dup_syn_synack;     /* a retransmitted SYN in SYN_RECEIVED gets
				  * the SYN-ACK again (Linux), not an ACK */
	int64_t quickack;        /* quick-ACK mode: at most this many ACKs
				  * at once at the start of the data and
				  * after a duplicate (Linux's
				  * TCP_MAX_QUICKACKS); 0: none */
	bool rst_ack;            /* the reset of an abort carries ACK and
				  * RCV.NXT (Linux's
				  * tcp_send_active_reset), not the bare
				  * <SEQ=SND.NXT><CTL=RST> of RFC 9293
				  * 3.10.4 */
	int64_t pingpong;        /* interactive (pingpong) mode: after this
				  * many data segments each sent within
				  * `delack` of data received, quick-ACK
				  * mode is off until a delayed ACK times
				  * out (Linux's tcp_pingpong_thresh);
				  * 0: never */
	bool tw_syn_accept;      /* a SYN in TIME_WAIT with a sequence
				  * number beyond RCV.NXT or a newer TSval
				  * ends it and goes to the port's
				  * listener, the new ISS the old SND.NXT
				  * + 65537 (Linux's TCP_TW_SYN); others
				  * get a rate-limited ACK.  Off: a
				  * challenge ACK (RFC 5961 4.2) */
	int64_t tw_reuse;        /* a connect may take over a 4-tuple
				  * held by a TIME_WAIT that used
				  * timestamps (Linux's tcp_tw_reuse and
				  * tcp_twsk_unique): 0 never; 1 an
				  * explicit port always, an ephemeral one
				  * once tw_reuse_delay has passed; 2 the
				  * same but an ephemeral one only towards
				  * the node itself */
	sy_time tw_reuse_delay;  /* least time in TIME_WAIT before an
				  * ephemeral port takes it over (Linux's
				  * tcp_tw_reuse_delay) */
	bool crossed_synack;     /* in a simultaneous open, the peer's
				  * SYN-ACK arriving in SYN_RECEIVED
				  * (SEG.SEQ + 1 = RCV.NXT, SEG.ACK =
				  * SND.NXT) completes the handshake
				  * (Linux 6.11); off: it is below the
				  * window and gets an ACK */
	bool challenge_ack_per_conn; /* a challenge ACK also waits
				      * invalid_ack_ratelimit after the
				      * connection's previous answer to an
				      * unacceptable segment, data or not
				      * (Linux 4.7), besides the endpoint's
				      * budget */
	int64_t challenge_ack_limit; /* challenge ACKs per second per
				      * endpoint (RFC 5961 7) when the state
				      * machine's parameter says "the
				      * profile's"; 0: no limit */
	bool challenge_ack_random;   /* each second's budget is drawn from
				      * [ceil(limit/2), limit + ceil(limit/2)
				      * - 1] (Linux 4.7), not the limit */
	bool ts_offset;          /* TSval counts from a random offset per
				  * pair of addresses (Linux 4.11's
				  * tcp_timestamps = 1), not from 0 */
	bool ts_recent_acked;    /* TS.Recent is taken only from a segment
				  * whose ACK is accepted: not a RST or a
				  * SYN, nor an ACK below SND.UNA or beyond
				  * SND.NXT (Linux's tcp_ack), where RFC
				  * 7323 4.3 takes it before the ACK check */
	bool retries_by_time;    /* data_retries and orphan_retries are a
				  * time budget: the time that many
				  * timeouts backing off from rto_min
				  * (each at most rto_max) take, counted
				  * from the first retransmission of the
				  * series, and a set
				  * user_timeout replaces it (Linux's
				  * retransmits_timed_out and
				  * tcp_model_timeout); false: counts of
				  * retransmissions, the user timeout on
				  * top */
	int64_t orphan_retries;  /* the limit of an orphan (closed by the
				  * user, retransmitting in FIN_WAIT_1,
				  * CLOSING or LAST_ACK) instead of
				  * data_retries: n > 0 that many; 0 as
				  * Linux's tcp_orphan_retries default, 8
				  * while the backed-off RTO is below
				  * rto_max and 0 once it reached it;
				  * -1: none, data_retries applies */
	bool user_timeout_probes; /* the user timeout also ends
				  * zero-window probing (that long after
				  * the first probe) and keepalive (that
				  * long after the last segment received,
				  * once a probe went unanswered), and
				  * keepalive_probes no longer counts
				  * (Linux's tcp_probe_timer and
				  * tcp_keepalive_timer) */
	bool wnd_no_shrink;      /* a segment that acknowledges nothing new
				  * and has the sequence number of the last
				  * window update may widen the send window
				  * or close it, never shrink it (Linux's
				  * tcp_may_update_window), where RFC 9293
				  * 3.10.7.4 takes its window */
	bool nagle_minshall;     /* Nagle holds a short segment only while
				  * an earlier short one is unacknowledged
				  * (Minshall's variant, Linux's
				  * tcp_minshall_check), not while anything
				  * is (RFC 1122 4.2.3.4) */
	bool fin_delack;         /* a FIN that ends ESTABLISHED is
				  * acknowledged by a delayed ACK, which
				  * the application's own FIN or data
				  * within `delack` carries (Linux's
				  * tcp_fin enters pingpong mode), not at
				  * once */
	bool tw_ack_restart;     /* in TIME_WAIT a bare ACK at RCV.NXT
				  * restarts the wait unanswered, and any
				  * other segment but a reset or a SYN
				  * gets the rate-limited ACK and restarts
				  * it when it carries ACK or fails PAWS
				  * (Linux's tcp_timewait_state_process),
				  * where RFC 9293 3.10.7.4 restarts it
				  * only for a retransmitted FIN */
	bool tw_rst_exact;       /* in TIME_WAIT a reset not at RCV.NXT
				  * (or failing PAWS) is dropped without a
				  * challenge ACK (Linux), where RFC 5961
				  * 3.2 challenges one in the window */
	bool tw_rfc1337;         /* in TIME_WAIT even a reset at RCV.NXT
				  * is ignored (RFC 1337's remedy, Linux's
				  * tcp_rfc1337, off by default) */
	bool syn_retries_by_time; /* an active open also gives up once the
				   * time syn_retries timeouts doubling
				   * from rto_initial take has passed
				   * since the first SYN, whichever of
				   * that and the count comes first
				   * (Linux's tcp_write_timeout and
				   * tcp_model_timeout); false: the count
				   * alone */
	bool retx_psh;           /* a retransmission carries PSH when it
				  * covers the end of a segment first sent
				  * with PSH (Linux keeps the flag with the
				  * data: tcp_mark_push, tcp_fragment), not
				  * only when it ends the queued data */
	bool ack_on_read;        /* a read sends the delayed ACK at once
				  * when more than a receive MSS is
				  * unacknowledged, or when it empties the
				  * receive buffer and short segments wait
				  * for the ACK (two, or one outside
				  * interactive mode): Linux's
				  * tcp_cleanup_rbuf */
	bool tlp;                /* Tail Loss Probe (RFC 8985 7, with SACK,
				  * as Linux's tcp_schedule_loss_probe):
				  * the retransmission timer first fires
				  * about two SRTTs after the last send or
				  * ACK and sends one segment, new or the
				  * last one again, before the RTO */
	int64_t rcv_ratio_initial; /* the share of rcvbuf (the buffer's
				    * memory, Linux's sk_rcvbuf) the window
				    * offers, in 256ths, until a full-sized
				    * segment arrives (Linux's
				    * TCP_DEFAULT_SCALING_RATIO); 256: all */
	int64_t rcv_ratio;       /* payload per byte of memory a received
				  * segment costs, in 256ths (Linux's
				  * scaling_ratio, skb->len / truesize,
				  * taken from the first full-sized
				  * segment); the window's share from then
				  * on, and what unread bytes charge */
	bool rcv_grow;           /* the window as Linux selects it: it
				  * starts at most the initial window
				  * (rcv_ssthresh) and grows by two MSS per
				  * segment received up to a clamp below
				  * the buffer, each growth an ACK at once;
				  * in MSS multiples when unscaled; zero
				  * rather than under an MSS; an ACK for
				  * two segments only when the window has
				  * not shrunk (tcp_grow_window,
				  * __tcp_select_window, __tcp_ack_snd_check,
				  * tcp_cleanup_rbuf) */
	int ecn;                 /* SY_TCP_ECN_*: ECN (RFC 3168) never, on
				  * a passive open whose SYN asks for it
				  * (Linux's tcp_ecn = 2), or also asked
				  * for on active opens (tcp_ecn = 1) */
	bool prr;                /* in fast recovery each ACK lets out
				  * what Proportional Rate Reduction (RFC
				  * 9937, with the slow-start reduction
				  * bound; Linux's tcp_cwnd_reduction)
				  * allows, not cwnd - pipe (RFC 6675) */
	bool dsack;              /* a segment received again is reported
				  * in a D-SACK first block (RFC 2883;
				  * Linux's tcp_dsack) */
	bool dsack_undo;         /* a fast recovery whose retransmissions
				  * were all D-SACKed was spurious: cwnd
				  * and ssthresh are restored (RFC 3708;
				  * Linux's tcp_try_undo_dsack) */
	bool rack;               /* with SACK, a segment is lost when one
				  * sent after it was delivered and an RTT
				  * plus a reordering window have passed
				  * since it was sent (RACK, RFC 8985 6, as
				  * Linux's tcp_rack_mark_lost), and that
				  * alone starts fast recovery, not three
				  * duplicate ACKs (RFC 6675) */
	bool frto;               /* after a timeout, new data goes before
				  * going back, and ACKs of originals show
				  * the timeout spurious: undone (F-RTO,
				  * RFC 5682 with SACK; Linux's tcp_frto) */
	bool ts_undo;            /* an ACK echoing a timestamp older than
				  * the first retransmission of a recovery
				  * or a timeout undoes it (Eifel, RFC 3522
				  * and 4015; Linux's tcp_packet_delayed) */
	bool sack_reneg;         /* an ACK that moves SND.UNA up to a
				  * SACKed segment (the peer dropped what
				  * it had SACKed) sets the retransmission
				  * timer to max(SRTT / 2, 10 ms) in whole
				  * jiffies, and does nothing else to
				  * recovery, so that the timeout clears
				  * the SACK marks soon unless more ACKs
				  * restore them (Linux's
				  * tcp_check_sack_reneging) */
} sy_timer_limits;

/* The values of sy_timer_limits.ecn (the parameter's choices "off",
 * "accept", "on"). */
enum { SY_TCP_ECN_OFF, SY_TCP_ECN_ACCEPT, SY_TCP_ECN_ON };

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_TIMERS_OPS_VERSION 9

typedef struct sy_timers_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_TIMERS_OPS_VERSION, sy_timers_ops) */
	/* The profile's values (pointer into the instance state). */
	const sy_timer_limits *(*limits)(const void *st);
	/* A fresh estimator: RTO = rto_initial, no samples. */
	void (*rtt_init)(const void *st, sy_rtt *r);
	/* A new RTT measurement (Karn's rule is the caller's: it never
	 * passes a sample from a retransmitted segment).  Resets backoff. */
	void (*rtt_sample)(const void *st, sy_rtt *r, sy_time rtt);
	/* A retransmission timeout fired: back off (double, up to rto_max). */
	void (*rtt_backoff)(const void *st, sy_rtt *r);
	/* The timeout to arm now: the RTO with backoff, within [min, max]. */
	sy_time (*rto)(const void *st, const sy_rtt *r);
} sy_timers_ops;

#endif
