/* TCP: the endpoint of a node, its sockets, and the interface of the
 * state-machine plugins.
 *
 * The endpoint receives every TCP segment addressed to its node (after the
 * node's checksum check), validates it and finds its socket: a connection
 * by 4-tuple, else a listener by local port.  A segment for which no
 * socket exists gets the reset of RFC 9293 3.10.7.1.  What a socket does
 * with a segment, and with the user's open, close and abort, is the
 * business of a state-machine plugin (kind "tcp", ops sy_tcp_sm_ops),
 * chosen per endpoint; the endpoint provides it with the connection record
 * (sy_tcb), segment output, timers and state changes, and reports every
 * state change to an observer.  ISNs come from an ISN plugin (isn.h),
 * timeouts and retry limits from a timer profile (timers.h).
 *
 * So far connections carry no data: the data path (buffers, windows,
 * retransmission of data, congestion control) comes next. */
#ifndef SY_TCP_H
#define SY_TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "errors.h"
#include "net.h"
#include "plugin.h"
#include "timers.h"

/* The states of RFC 9293 3.3.2, ordered so that "synchronized" (every
 * state from ESTABLISHED on) is one comparison. */
typedef enum sy_tcp_state {
	SY_TCP_CLOSED,
	SY_TCP_LISTEN,
	SY_TCP_SYN_SENT,
	SY_TCP_SYN_RECEIVED,
	SY_TCP_ESTABLISHED,
	SY_TCP_FIN_WAIT_1,
	SY_TCP_FIN_WAIT_2,
	SY_TCP_CLOSE_WAIT,
	SY_TCP_CLOSING,
	SY_TCP_LAST_ACK,
	SY_TCP_TIME_WAIT,
	SY_TCP_STATES
} sy_tcp_state;

const char *sy_tcp_state_name(sy_tcp_state s); /* "SYN_SENT", ... */

/* Timers of a connection. */
enum {
	SY_TCP_T_RETRANS,    /* SYN, SYN-ACK, FIN retransmission */
	SY_TCP_T_TIME_WAIT,
	SY_TCP_T_FIN_WAIT_2,
	SY_TCP_T_SYN_RECEIVED,  /* the profile's SYN_RECEIVED timeout */
	SY_TCP_T_KEEPALIVE,     /* idle time, then probe interval */
	SY_TCP_TIMERS
};

/* Sequence-number comparisons modulo 2^32 (RFC 9293 3.4). */
static inline bool sy_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool sy_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool sy_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool sy_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

typedef struct sy_tcp_ep sy_tcp_ep;
typedef struct sy_tcb sy_tcb;
typedef struct sy_tcp_listener sy_tcp_listener;

/* TCP options of a segment (RFC 9293 3.2, RFC 7323, RFC 2018). */
typedef struct sy_tcp_opts {
	bool has_mss, has_ws, has_ts, sack_ok;
	uint16_t mss;
	uint8_t ws;            /* shift count */
	uint32_t tsval, tsecr;
} sy_tcp_opts;

/* Parses the option bytes of a segment.  Malformed options (a length
 * below 2 or running past the header, a known option of the wrong length)
 * fail; unknown options are skipped. */
int sy_tcp_parse_options(const uint8_t *opt, unsigned len, sy_tcp_opts *o);
/* Writes options in Linux's SYN layout (MSS, SACK-permitted, timestamps,
 * NOP, window scale), each only if set, padded to a multiple of 4;
 * returns the length (at most 20). */
unsigned sy_tcp_write_options(const sy_tcp_opts *o, uint8_t *buf);

/* A received segment, parsed. */
typedef struct sy_seg {
	uint32_t src, dst;     /* IPv4, host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;         /* SY_TCP_* */
	uint16_t win;
	uint32_t len;          /* payload bytes */
	sy_tcp_opts opts;
} sy_seg;

/* SEG.LEN of RFC 9293: payload plus one for SYN and one for FIN. */
static inline uint32_t sy_seg_len(const sy_seg *s)
{
	return s->len + !!(s->flags & SY_TCP_SYN) + !!(s->flags & SY_TCP_FIN);
}

typedef struct sy_tcb_stats {
	uint32_t syns_sent, synacks_sent, retransmissions;
	uint32_t rsts_sent, rsts_received, challenge_acks;
	uint32_t challenge_acks_suppressed;  /* over the rate limit */
} sy_tcb_stats;

/* The connection record (RFC 9293 3.3.1).  The endpoint owns it; the
 * state machine reads and writes the sequence variables directly and
 * changes the state only through sy_tcb_set_state. */
struct sy_tcb {
	sy_tcp_ep *ep;
	sy_tcp_listener *listener; /* a passive open's listener, until accepted */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	sy_tcp_state state;
	uint32_t iss, irs;
	uint32_t snd_una, snd_nxt, snd_wnd;
	uint32_t rcv_nxt, rcv_wnd;
	bool fin_pending;          /* the user closed: a FIN is due */
	/* options negotiated in the handshake */
	uint16_t mss_local;        /* what we announce */
	uint16_t mss_peer;         /* what the peer announced; 536 if nothing */
	bool ws_ok, ts_ok, sack_ok;
	uint8_t snd_wscale, rcv_wscale;
	uint32_t ts_recent;        /* the peer's latest TSval */
	uint32_t fin_seq;          /* our FIN's sequence number, once sent */
	unsigned retries;          /* retransmissions of the current segment */
	unsigned probes;           /* keepalive probes unanswered */
	sy_time rtt_start;         /* when the segment being timed was sent */
	sy_rtt rtt;
	sy_event_id timer[SY_TCP_TIMERS];
	sy_tcb_stats st;
	void *user;                /* for the binding */
	sy_tcb *hnext;             /* endpoint's hash chain */
	uint64_t id;               /* unique per endpoint, from 1 */
};

/* What a state machine implements.  Every function runs inside an event
 * of the simulator. */
typedef struct sy_tcp_sm_ops {
	/* An active open: c has its 4-tuple, ISS and timers profile; send
	 * the SYN. */
	void (*connect)(sy_tcb *c);
	/* A segment for a listener's port with no connection: the state
	 * machine may create one with sy_tcp_accept_new. */
	void (*listen_input)(sy_tcp_listener *l, const sy_seg *s);
	/* A segment for connection c. */
	void (*input)(sy_tcb *c, const sy_seg *s);
	/* The user's close (no more to send) and abort. */
	void (*close)(sy_tcb *c);
	void (*abort)(sy_tcb *c);
	/* Timer `which` of c expired. */
	void (*timeout)(sy_tcb *c, int which);
} sy_tcp_sm_ops;

/* ------------------------------------------------------------ services */

/* Sends a segment of c with these flags and sequence number and len
 * bytes of (virtual) payload; ACK carries rcv_nxt, the window rcv_wnd
 * (scaled once window scaling is in effect).  A SYN carries the options c
 * offers (set by the state machine in c's option fields before the
 * handshake); other segments carry timestamps once they are negotiated. */
void sy_tcb_send(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len);
/* Sends <SEQ=seq><ACK=ack><CTL=flags> for a segment that has no
 * connection (or to reset one): from the segment's destination back to
 * its source. */
void sy_tcp_send_reset(sy_tcp_ep *ep, const sy_seg *s, uint32_t seq,
		       uint32_t ack, uint8_t flags);
/* The answer of RFC 9293 3.10.7.1 to a segment with no socket. */
void sy_tcp_refuse(sy_tcp_ep *ep, const sy_seg *s);

/* Changes c's state, reporting (old, new, cause) to the observer.  Going
 * to CLOSED frees c once the current event is over: do not touch it
 * afterwards. */
void sy_tcb_set_state(sy_tcb *c, sy_tcp_state s, const char *cause);
void sy_tcb_timer_set(sy_tcb *c, int which, sy_time after);
void sy_tcb_timer_cancel(sy_tcb *c, int which);
/* The profile's values and estimator for c's endpoint. */
const sy_timer_limits *sy_tcb_limits(const sy_tcb *c);
const sy_timers_ops *sy_tcb_timers(const sy_tcb *c, const void **st);
/* The state of the endpoint's state-machine instance (its parameters). */
void *sy_tcb_sm_state(const sy_tcb *c);
/* Reports an event other than a state change ("reset", "refused",
 * "timeout") to the observer. */
void sy_tcb_notify(sy_tcb *c, const char *what);

/* For listen_input: a new connection in SYN_RECEIVED for segment s, with
 * its ISS chosen; NULL if the listener's queue is full (counted). */
sy_tcb *sy_tcp_accept_new(sy_tcp_listener *l, const sy_seg *s);
/* For the state machine, when a passive connection is established: it
 * moves to the listener's accept queue. */
void sy_tcp_accept_ready(sy_tcb *c);

/* ------------------------------------------------------------ endpoint */

typedef struct sy_tcp_ep_stats {
	uint64_t segments_in;   /* valid segments received */
	uint64_t segments_out;  /* segments sent */
	uint64_t bad_segments;  /* dropped: truncated, bad data offset */
	uint64_t no_socket;     /* segments for which no socket exists */
	uint64_t rst_out;       /* resets sent */
	uint64_t rst_in;        /* resets received */
} sy_tcp_ep_stats;

/* Plugins of the endpoint: instances moved into it (and freed with it);
 * a missing one is the config's default, then rfc9293 / rfc6528 / rfc. */
typedef struct sy_tcp_ep_opts {
	sy_instance sm, isn, timers;
} sy_tcp_ep_opts;

/* Observes state changes and other events of every connection. */
typedef void (*sy_tcp_observer)(void *ctx, sy_tcb *c, sy_tcp_state from,
				sy_tcp_state to, const char *cause);

/* Creates the endpoint of node n and registers it for protocol 6.  A node
 * has at most one; the network owns it and frees it with itself. */
sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_tcp_ep_opts *o, sy_err *err);
/* The endpoint of n, or NULL. */
sy_tcp_ep *sy_tcp_ep_of(const sy_node *n);
const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep);
void sy_tcp_ep_observe(sy_tcp_ep *ep, sy_tcp_observer fn, void *ctx);
/* Writes every state change of the endpoint's connections to f, one line
 * each: TIME LOCAL REMOTE FROM TO CAUSE (NULL stops; f stays the
 * caller's). */
void sy_tcp_ep_state_log(sy_tcp_ep *ep, FILE *f);
sy_node *sy_tcp_ep_node(const sy_tcp_ep *ep);
sy_net *sy_tcp_ep_net(const sy_tcp_ep *ep);
sy_tcp_ep *sy_tcp_listener_ep(const sy_tcp_listener *l);


/* SYN cookies (RFC 4987): never, when the backlog is full, or always. */
typedef enum sy_syncookies {
	SY_SYNCOOKIES_OFF,
	SY_SYNCOOKIES_ON_OVERFLOW,
	SY_SYNCOOKIES_ALWAYS,
} sy_syncookies;

typedef struct sy_tcp_listener_stats {
	int syn_received;           /* records in SYN_RECEIVED */
	uint64_t syn_queue_drops;   /* SYNs dropped: backlog full, no cookies */
	uint64_t cookies_sent, cookies_accepted, cookies_rejected;
} sy_tcp_listener_stats;

/* Listens on port; backlog bounds the records in SYN_RECEIVED.  Errors:
 * port in use, port 0, backlog below 1. */
sy_tcp_listener *sy_tcp_listen(sy_tcp_ep *ep, uint16_t port, int backlog,
			       sy_syncookies cookies, sy_err *err);
sy_tcp_listener_stats sy_tcp_listener_stats_get(const sy_tcp_listener *l);

/* For listen_input: whether this SYN is to be answered with a cookie
 * instead of a record; the cookie SYN-ACK (ISS encoding the time, the MSS
 * and a keyed hash of the 4-tuple); and, for an ACK with no record, the
 * connection a valid cookie stands for (ESTABLISHED), or NULL (counted as
 * rejected). */
bool sy_tcp_cookie_wanted(const sy_tcp_listener *l);
void sy_tcp_cookie_synack(sy_tcp_listener *l, const sy_seg *s);
sy_tcb *sy_tcp_cookie_accept(sy_tcp_listener *l, const sy_seg *s);
/* Opens a connection to raddr:rport from an ephemeral port. */
sy_tcb *sy_tcp_connect(sy_tcp_ep *ep, uint32_t raddr, uint16_t rport,
		       sy_err *err);
/* The user's close and abort. */
void sy_tcp_close(sy_tcb *c);
void sy_tcp_abort(sy_tcb *c);

/* Sends one segment from ep's node: the headers are built from ip (source
 * and destination) and t, with a virtual payload of len bytes. */
int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err);

#endif
