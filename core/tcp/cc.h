/* Congestion control: the interface of the plugins of kind "cc".
 *
 * The TCP endpoint does loss detection and recovery (duplicate ACKs, SACK,
 * retransmission timeouts); a congestion-control plugin decides only the
 * sizes of the congestion window and the slow-start threshold, in bytes.
 * As in FreeBSD's modular congestion control, the endpoint tells the
 * plugin everything that bears on them:
 *
 *   init / destroy  a connection's data phase starts (cwnd holds the
 *                  initial window) / the connection is freed;
 *   ack            every ACK of the data phase that acknowledges new data
 *                  or is a duplicate, with its type (sy_cc_ack): new data
 *                  outside recovery (grow cwnd: slow start below
 *                  ssthresh, congestion avoidance above), a duplicate ACK,
 *                  or a partial ACK during recovery; with the RTT sample
 *                  it gave and its ECN-Echo flag;
 *   congestion     a congestion signal: a loss detected by duplicate ACKs
 *                  or SACK (the endpoint enters fast recovery), a
 *                  retransmission timeout, an ECN-Echo (RFC 3168), or the
 *                  news that the last timeout was spurious (undo);
 *   recovery_exit  fast recovery ended (an ACK covered the recovery point);
 *   idle_restart   the sender starts again after an idle period longer
 *                  than the RTO (RFC 5681 4.1), with the idle time and
 *                  the RTO in idle and rto.
 *
 * Before each reduction (every signal but SY_CC_RTO_SPURIOUS) the endpoint
 * keeps cwnd and ssthresh in prior_cwnd and prior_ssthresh, which an undo
 * restores.  During fast recovery the endpoint sends while its estimate
 * of the bytes in the network (RFC 6675's pipe) is below cwnd, so a plugin
 * never inflates cwnd for duplicate ACKs.
 *
 * NewReno's rules are library functions below, for any plugin to build
 * on (cc/newreno is made of them; cc/cubic uses them for slow start and
 * undo).
 *
 * Each connection has conn_size bytes of zeroed state for the plugin
 * (sy_cc_conn.priv); the plugin instance (its parameters) is shared by the
 * connections that use it.  A call's sy_cc_conn holds the connection's
 * values at the call; the endpoint keeps what the plugin set in cwnd and
 * ssthresh, and priv's bytes, not what it writes to the other fields nor
 * the struct's address. */
#ifndef SY_CC_H
#define SY_CC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "vtime.h"

typedef enum sy_cc_signal {
	SY_CC_FAST_RETRANSMIT, /* third duplicate ACK or SACK loss detection */
	SY_CC_RTO,             /* retransmission timeout (its first expiry) */
	SY_CC_ECN,             /* an ECN-Echo: congestion without a loss */
	SY_CC_RTO_SPURIOUS,    /* the last timeout was spurious: undo it */
} sy_cc_signal;

typedef enum sy_cc_ack_type {
	SY_CC_ACK_NEW,      /* new data acknowledged outside loss recovery */
	SY_CC_ACK_DUP,      /* a duplicate ACK (RFC 5681 2) */
	SY_CC_ACK_PARTIAL,  /* in recovery, new data below the recovery
			     * point (RFC 6582); also new data while an
			     * ECN-Echo's reduction goes by PRR (the
			     * profile's prr): cwnd is the endpoint's */
} sy_cc_ack_type;

/* One ACK, as the plugin's ack sees it. */
typedef struct sy_cc_ack {
	sy_cc_ack_type type;
	uint32_t acked;     /* bytes of data newly acknowledged; 0 for DUP */
	sy_time rtt;        /* the RTT sample this ACK gave, or -1 */
	bool ece;           /* the ACK carried ECN-Echo */
} sy_cc_ack;

/* What a plugin reads and writes for one connection. */
typedef struct sy_cc_conn {
	uint32_t cwnd;      /* bytes; the plugin's to set */
	uint32_t ssthresh;  /* bytes; the plugin's to set */
	uint32_t mss;       /* the sender's maximum segment size (SMSS) */
	uint32_t flight;    /* bytes sent and not acknowledged, at the call */
	uint32_t prior_cwnd;     /* cwnd and ssthresh before the latest */
	uint32_t prior_ssthresh; /* reduction, for an undo */
	uint64_t delivered; /* bytes of data acknowledged so far */
	sy_time now;        /* virtual time of the call */
	sy_time srtt;       /* smoothed RTT; 0 before the first sample */
	sy_time min_rtt;    /* smallest RTT sample; 0 before the first */
	sy_time latest_rtt; /* the latest RTT sample; 0 before the first */
	bool in_recovery;   /* in fast recovery */
	void *priv;         /* conn_size bytes of the plugin's own, zeroed */
	/* Since version 3: */
	uint64_t sent;      /* bytes of data sent so far, up to the highest
			     * sequence number sent (SND.NXT as a count like
			     * delivered): a round of the ACK clock ends
			     * when delivered reaches what sent was at its
			     * start (RFC 9406's windowEnd) */
	const char *timers; /* the name of the connection's timer profile
			     * ("rfc", "linux"...), for a plugin whose
			     * defaults follow it; never NULL */
	sy_time idle;       /* at idle_restart: the time since data was
			     * last sent */
	sy_time rto;        /* at idle_restart: the current RTO */
	bool cwnd_limited;  /* cwnd limited the sender (Linux 6.18's
			     * tcp_is_cwnd_limited): it was full when the
			     * sender last stopped, within the window sent
			     * since, or, in slow start, cwnd is below twice
			     * the most that window had in flight */
} sy_cc_conn;

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_CC_OPS_VERSION 3

typedef struct sy_cc_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops) */
	size_t conn_size;
	/* A new connection: cwnd holds the initial window and ssthresh
	 * "infinity" (UINT32_MAX) on entry; the plugin may change them. */
	void (*init)(const void *st, sy_cc_conn *cc);
	/* The connection's end (may be NULL); priv is freed afterwards. */
	void (*destroy)(const void *st, sy_cc_conn *cc);
	void (*ack)(const void *st, sy_cc_conn *cc, const sy_cc_ack *a);
	void (*congestion)(const void *st, sy_cc_conn *cc, sy_cc_signal sig);
	void (*recovery_exit)(const void *st, sy_cc_conn *cc);
	/* cwnd should become at most restart_window (RFC 5681 4.1: the
	 * initial window). */
	void (*idle_restart)(const void *st, sy_cc_conn *cc, uint32_t restart_window);
} sy_cc_ops;

/* ------------------------------------------------------------ NewReno
 *
 * Slow start (RFC 5681 3.1 with RFC 3465's limit L): cwnd grows by the
 * bytes acknowledged, at most limit_segments SMSS per ACK. */
void sy_cc_slow_start(sy_cc_conn *cc, uint32_t acked, uint32_t limit_segments);
/* Congestion avoidance by bytes acknowledged (RFC 5681 3.1, RFC 3465):
 * one SMSS more each time *counter, the plugin's own, reaches cwnd. */
void sy_cc_congestion_avoidance(sy_cc_conn *cc, uint64_t *counter,
				uint32_t acked);
/* NewReno's response to a signal: after a loss or an ECN-Echo ssthresh
 * becomes max(FlightSize / 2, 2 SMSS) (RFC 5681 (4), RFC 3168 6.1.2) and
 * cwnd ssthresh; after a timeout cwnd is one SMSS; a spurious timeout
 * undoes (sy_cc_undo). */
void sy_cc_newreno_congestion(sy_cc_conn *cc, sy_cc_signal sig);
/* Undo of the latest reduction: cwnd and ssthresh are at least what they
 * were before it (prior_cwnd, prior_ssthresh). */
void sy_cc_undo(sy_cc_conn *cc);
/* Fast recovery's end (RFC 6582 3.2 (6)): cwnd = ssthresh. */
void sy_cc_recovery_exit(sy_cc_conn *cc);
/* cwnd = min(cwnd, restart_window) (RFC 5681 4.1). */
void sy_cc_idle_restart(sy_cc_conn *cc, uint32_t restart_window);
/* Linux's tcp_cwnd_restart (Linux 6.18, tcp_slow_start_after_idle = 1):
 * ssthresh = max(ssthresh, 3/4 cwnd) outside recovery; cwnd halves once
 * for each whole RTO of the idle time after the first, not below
 * min(cwnd, restart_window). */
void sy_cc_idle_restart_linux(sy_cc_conn *cc, uint32_t restart_window);

#endif
