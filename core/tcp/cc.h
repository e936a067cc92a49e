/* Congestion control: the interface of the plugins of kind "cc".
 *
 * The TCP endpoint does loss detection and recovery (duplicate ACKs, SACK,
 * retransmission timeouts); a congestion-control plugin decides only the
 * sizes of the congestion window and the slow-start threshold, in bytes.
 * The endpoint calls its hooks at four points:
 *
 *   ack            an ACK acknowledged new data outside loss recovery:
 *                  grow cwnd (slow start below ssthresh, congestion
 *                  avoidance above);
 *   congestion     a loss was detected: by duplicate ACKs or SACK (the
 *                  endpoint enters fast recovery) or by a retransmission
 *                  timeout: set ssthresh and cwnd;
 *   recovery_exit  fast recovery ended (an ACK covered the recovery point);
 *   idle_restart   the sender starts again after an idle period longer
 *                  than the RTO (RFC 5681 4.1).
 *
 * During fast recovery the endpoint sends while its estimate of the bytes
 * in the network (RFC 6675's pipe) is below cwnd, so a plugin never
 * inflates cwnd for duplicate ACKs.
 *
 * Each connection has conn_size bytes of zeroed state for the plugin
 * (sy_cc_conn.priv); the plugin instance (its parameters) is shared by the
 * connections that use it. */
#ifndef SY_CC_H
#define SY_CC_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "vtime.h"

typedef enum sy_cc_signal {
	SY_CC_FAST_RETRANSMIT, /* third duplicate ACK or SACK loss detection */
	SY_CC_RTO,             /* retransmission timeout */
} sy_cc_signal;

/* What a plugin reads and writes for one connection. */
typedef struct sy_cc_conn {
	uint32_t cwnd;      /* bytes; the plugin's to set */
	uint32_t ssthresh;  /* bytes; the plugin's to set */
	uint32_t mss;       /* the sender's maximum segment size (SMSS) */
	uint32_t flight;    /* bytes sent and not acknowledged, at the call */
	sy_time now;        /* virtual time of the call */
	sy_time srtt;       /* smoothed RTT; 0 before the first sample */
	sy_time min_rtt;    /* smallest RTT sample; 0 before the first */
	void *priv;         /* conn_size bytes of the plugin's own, zeroed */
} sy_cc_conn;

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_CC_OPS_VERSION 1

typedef struct sy_cc_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_CC_OPS_VERSION, sy_cc_ops) */
	size_t conn_size;
	/* A new connection: cwnd holds the initial window and ssthresh
	 * "infinity" (UINT32_MAX) on entry; the plugin may change them. */
	void (*init)(const void *st, sy_cc_conn *cc);
	/* `acked` new bytes acknowledged outside recovery; rtt is the RTT
	 * sample this ACK gave, or -1. */
	void (*ack)(const void *st, sy_cc_conn *cc, uint32_t acked, sy_time rtt);
	void (*congestion)(const void *st, sy_cc_conn *cc, sy_cc_signal sig);
	void (*recovery_exit)(const void *st, sy_cc_conn *cc);
	/* cwnd should become at most restart_window (RFC 5681 4.1: the
	 * initial window). */
	void (*idle_restart)(const void *st, sy_cc_conn *cc, uint32_t restart_window);
} sy_cc_ops;

#endif
