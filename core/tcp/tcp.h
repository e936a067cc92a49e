/* TCP: the endpoint of a node, its sockets, and the interface of the
 * state-machine plugins.
 *
 * The endpoint receives every TCP segment addressed to its node (after the
 * node's checksum check), validates it and finds its socket: a connection
 * by 4-tuple, else a listener by local port.  A segment for which no
 * socket exists gets the reset of RFC 9293 3.10.7.1.  What a socket does
 * with a segment, and with the user's open, close and abort, is the
 * business of a state-machine plugin (kind "tcp", ops sy_tcp_sm_ops),
 * chosen per endpoint (their interface: tcp_sm.h); the endpoint reports
 * every state change to an observer.  ISNs come from an ISN plugin (isn.h),
 * timeouts and retry limits from a timer profile (timers.h).
 *
 * The data path is the endpoint's, shared by the state machines: send and
 * receive buffers, segmentation, reassembly, flow control, delayed ACKs,
 * retransmission, loss recovery with SACK, the persist timer, keepalive;
 * congestion control is a plugin (cc.h).  The connection record (sy_tcb)
 * is opaque: applications use the functions below. */
#ifndef SY_TCP_H
#define SY_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cc.h"
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

/* Why a state changed, or what happened.  Observers receive the value;
 * its name (sy_tcp_cause_name) is what logs, traces and scripts see. */
typedef enum sy_tcp_cause {
	SY_TCP_CAUSE_CONNECT,           /* "connect" */
	SY_TCP_CAUSE_CLOSE,             /* "close" */
	SY_TCP_CAUSE_ABORT,             /* "abort" */
	SY_TCP_CAUSE_SYN,               /* "syn" */
	SY_TCP_CAUSE_SYN_TWOWAY,        /* "syn (two-way handshake)" */
	SY_TCP_CAUSE_SYN_ACK,           /* "syn-ack" */
	SY_TCP_CAUSE_ACK,               /* "ack" */
	SY_TCP_CAUSE_ACK_OF_FIN,        /* "ack of fin" */
	SY_TCP_CAUSE_FIN,               /* "fin" */
	SY_TCP_CAUSE_RESET,             /* "reset" */
	SY_TCP_CAUSE_SYN_COOKIE,        /* "syn cookie" */
	SY_TCP_CAUSE_TIMEOUT,           /* "timeout" */
	SY_TCP_CAUSE_TIME_WAIT,         /* "time_wait": its end */
	SY_TCP_CAUSE_FIN_WAIT_2_TIMEOUT, /* "fin_wait_2 timeout" */
	SY_TCP_CAUSE_SYN_RECEIVED_TIMEOUT, /* "syn_received timeout" */
	SY_TCP_CAUSE_KEEPALIVE_TIMEOUT, /* "keepalive timeout" */
	SY_TCP_CAUSE_REFUSED,           /* "refused": events, not changes */
	SY_TCP_CAUSE_ACCEPTED,          /* "accepted" */
	SY_TCP_CAUSE_FREED,             /* "freed" */
	SY_TCP_CAUSE_CROSSED_SYNACK,    /* "crossed syn-ack": a simultaneous
					 * open completed by the peer's
					 * SYN-ACK (crossed_synack) */
	SY_TCP_CAUSES
} sy_tcp_cause;

const char *sy_tcp_cause_name(sy_tcp_cause cause);
/* The rule that made a state change from `from` to `to` for `cause`: a
 * section of an RFC ("RFC 9293 3.10.7.3") or, where a timer profile's
 * parameter modelling a Linux behaviour made it, that parameter
 * ("linux: tw_syn_accept").  NULL for an event that is no change. */
const char *sy_tcp_cause_rule(sy_tcp_cause cause, sy_tcp_state from, sy_tcp_state to);

/* Timers of a connection. */
enum {
	SY_TCP_T_RETRANS,    /* SYN, SYN-ACK, data and FIN retransmission */
	SY_TCP_T_TIME_WAIT,
	SY_TCP_T_FIN_WAIT_2,
	SY_TCP_T_SYN_RECEIVED,  /* the profile's SYN_RECEIVED timeout */
	SY_TCP_T_KEEPALIVE,     /* idle time, then probe interval */
	SY_TCP_T_DELACK,        /* delayed ACK */
	SY_TCP_T_PERSIST,       /* zero-window probes */
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

/* TCP options of a segment (RFC 9293 3.2, RFC 7323, RFC 2018, RFC
 * 7413). */
typedef struct sy_tcp_opts {
	bool has_mss, has_ws, has_ts, sack_ok;
	uint16_t mss;
	uint8_t ws;            /* shift count */
	uint8_t nsack;         /* SACK blocks (RFC 2018), at most 4 */
	uint8_t ignored;       /* malformed SACK, window-scale or Fast Open
				* options skipped */
	uint32_t tsval, tsecr;
	uint32_t sack[4][2];   /* left and right edges */
	bool has_tfo;          /* TCP Fast Open (RFC 7413, kind 34) */
	uint8_t tfo_len;       /* its cookie's bytes: 0 (a cookie request),
				* or 4 to 16 and even */
	uint8_t tfo_cookie[16];
} sy_tcp_opts;

/* Parses the option bytes of a segment.  Options that cannot be walked
 * (a length below 2 or running past the header) and MSS or timestamp
 * options of the wrong length fail; a SACK, window-scale or Fast Open
 * option of the wrong length is skipped and counted in `ignored`, as are
 * unknown options (not counted). */
int sy_tcp_parse_options(const uint8_t *opt, unsigned len, sy_tcp_opts *o);
/* Writes options in Linux's layout (MSS, SACK-permitted, timestamps, NOP,
 * window scale, the Fast Open option followed by two NOPs when its length
 * is not a multiple of 4, then SACK blocks after two NOPs), each only if
 * set, padded to a multiple of 4; as many SACK blocks as fit in 40 bytes.
 * Returns the length (at most 40). */
unsigned sy_tcp_write_options(const sy_tcp_opts *o, uint8_t *buf);

/* A received segment, parsed. */
typedef struct sy_seg {
	uint32_t src, dst;     /* IPv4, host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;         /* SY_TCP_* */
	uint16_t win;
	uint32_t len;          /* payload bytes */
	const unsigned char *data; /* payload bytes; NULL: virtual */
	sy_tcp_opts opts;
	uint8_t tos;           /* the IPv4 TOS byte: its low two bits are
				* the ECN field (RFC 3168 5) */
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
	uint32_t invalid_acks_suppressed;    /* answers to unacceptable
					      * segments, rate limited */
	uint32_t fast_retransmits, timeouts;  /* loss recoveries entered */
	uint32_t dupacks_in, zero_window_probes, bad_options;
	uint64_t segments_out, segments_in;
	uint64_t bytes_sent;        /* payload sent, retransmissions included */
	uint64_t bytes_retransmitted;
	uint64_t bytes_acked;       /* of the user's data, acknowledged */
	uint64_t bytes_received;    /* delivered in order to the user */
	uint64_t bytes_duplicate;   /* received again (below RCV.NXT) */
	uint64_t segments_ooo;      /* arrived out of order */
	uint32_t tlp_probes;        /* tail loss probes sent (the
				     * retransmitted ones are among the
				     * retransmissions too) */
	uint32_t tlp_recoveries;    /* ... that repaired a loss (RFC 8985
				     * 7.4: cwnd reduced) */
	/* ECN (RFC 3168; the profile's ecn) */
	uint32_t ecn_ce_received;   /* data segments that arrived CE-marked */
	uint32_t ecn_ece_received;  /* ACKs that carried ECN-Echo */
	uint32_t ecn_reductions;    /* ... to which the cc responded (at
				     * most one per window of data) */
	uint32_t ecn_cwr_sent;      /* data segments sent with CWR */
	uint32_t dsacks_received;   /* ACKs with a D-SACK block (RFC 2883) */
	uint32_t dsack_undos;       /* fast recoveries and timeouts undone:
				     * all their retransmissions D-SACKed
				     * (RFC 3708) */
	uint32_t rack_lost;         /* segments RACK marked lost (RFC 8985) */
	uint32_t rack_reo_timeouts; /* ... of which by its reordering timer */
	uint32_t rack_reord_seen;   /* ACKs that showed reordering */
	uint32_t rack_reo_wnd_grown; /* D-SACKs that widened its window */
	uint32_t frto_spurious;     /* timeouts F-RTO found spurious and
				     * undid (RFC 5682) */
	uint32_t ts_undos;          /* recoveries and timeouts undone by an
				     * older timestamp echoed (RFC 3522) */
} sy_tcb_stats;

/* Callbacks of one connection for C applications (the Lua binding uses
 * the endpoint's observer). */
typedef struct sy_tcp_cb {
	/* n bytes delivered in order; bytes NULL when they were virtual */
	void (*data)(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes);
	/* every byte queued so far has been acknowledged */
	void (*sent)(void *ctx, sy_tcb *c);
	/* a state change (from != to) or another event, as the observer */
	void (*event)(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		      sy_tcp_cause cause);
} sy_tcp_cb;

/* Per-connection data options; the endpoint's defaults come from its
 * state-machine plugin (see sy_tcp_data_defaults). */
typedef struct sy_tcp_data_opts {
	uint32_t sndbuf, rcvbuf;    /* bytes */
	uint32_t initial_window;    /* segments (RFC 6928: 10), at most 65535 */
	bool nagle;
	bool autoread;              /* the user reads every byte on arrival */
	bool limited_transmit;      /* RFC 3042 */
} sy_tcp_data_opts;

/* ------------------------------------------------------------ endpoint */

typedef struct sy_tcp_ep_stats {
	uint64_t segments_in;   /* valid segments received */
	uint64_t segments_out;  /* segments sent */
	uint64_t bad_segments;  /* dropped: truncated, bad data offset */
	uint64_t no_socket;     /* segments for which no socket exists */
	uint64_t rst_out;       /* resets sent */
	uint64_t rst_in;        /* resets received */
	uint64_t bad_options;   /* malformed SACK or window-scale options ignored */
} sy_tcp_ep_stats;

/* Plugins of the endpoint: instances moved into it (and freed with it);
 * a missing one is the config's default, then rfc9293 / rfc6528 / rfc /
 * newreno. */
typedef struct sy_tcp_ep_opts {
	sy_instance sm, isn, timers, cc;
} sy_tcp_ep_opts;

/* Observes state changes and other events of every connection. */
typedef void (*sy_tcp_observer)(void *ctx, sy_tcb *c, sy_tcp_state from,
				sy_tcp_state to, sy_tcp_cause cause);

/* Creates the endpoint of node n and registers it for protocol 6.  A node
 * has at most one; the network owns it and frees it with itself. */
sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_tcp_ep_opts *o, sy_err *err);
/* The endpoint of n, or NULL. */
sy_tcp_ep *sy_tcp_ep_of(const sy_node *n);
const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep);
void sy_tcp_ep_observe(sy_tcp_ep *ep, sy_tcp_observer fn, void *ctx);
/* Observers of every endpoint of a network, present and future (for
 * recorders and statistics), called after the endpoint's own; at most 4.
 * sy_tcp_net_observe fails (-1) when they are all taken. */
int sy_tcp_net_observe(sy_net *net, sy_tcp_observer fn, void *ctx);
void sy_tcp_net_unobserve(sy_net *net, sy_tcp_observer fn, void *ctx);
/* Writes every state change of the endpoint's connections to f, one line
 * each: TIME LOCAL REMOTE FROM TO CAUSE (NULL stops; f stays the
 * caller's). */
void sy_tcp_ep_state_log(sy_tcp_ep *ep, FILE *f);

/* Segments an endpoint refuses after their delivery, and notable events
 * of connections (not state changes), for recorders and traces: nothing
 * is reported, nor costs anything, while no one observes them. */
typedef enum sy_tcp_drop {
	SY_TCP_DROP_SYN_QUEUE,       /* "syn_queue_full": a SYN, the listener's
				      * backlog full */
	SY_TCP_DROP_ACCEPT_QUEUE,    /* "accept_queue_full": a SYN
				      * (acceptq_drop_syn) or a final ACK */
	SY_TCP_DROP_NO_SOCKET,       /* "no_socket": no connection nor listener
				      * (answered with a reset unless a reset) */
	SY_TCP_DROP_CHALLENGE_LIMIT, /* "challenge_ack_limit": its challenge ACK
				      * held back by the rate limit */
	SY_TCP_DROP_COOKIE,          /* "cookie_rejected": an ACK to a listener
				      * whose SYN cookie fails validation */
	SY_TCP_DROPS
} sy_tcp_drop;

typedef enum sy_tcp_event {
	SY_TCP_EV_COOKIE_SENT,       /* "cookie_sent": a SYN-ACK with a cookie */
	SY_TCP_EV_COOKIE_VALIDATED,  /* "cookie_validated": the ACK that
				      * returned it */
	SY_TCP_EV_CHALLENGE_ACK,     /* "challenge_ack" (RFC 5961) */
	SY_TCP_EV_WINDOW_PROBE,      /* "window_probe": of a zero window */
	SY_TCP_EV_KEEPALIVE_PROBE,   /* "keepalive_probe" */
	SY_TCP_EVENTS
} sy_tcp_event;

const char *sy_tcp_drop_name(sy_tcp_drop d);
const char *sy_tcp_event_name(sy_tcp_event e);

typedef struct sy_tcp_note {
	bool drop;              /* what is a sy_tcp_drop, else a sy_tcp_event */
	uint8_t what;
	const sy_node *node;    /* where */
	/* the segment received it concerns (a drop, cookie_validated; it
	 * was delivered to node just now), else NULL: the event is about
	 * the segment node sent just now, seq */
	const sy_packet *p;
	uint32_t laddr, raddr;  /* the connection, node's side first */
	uint16_t lport, rport;
	uint32_t seq;
} sy_tcp_note;

typedef void (*sy_tcp_note_observer)(void *ctx, const sy_tcp_note *n);
/* Observers of the drops and events of every endpoint of a network; at
 * most 4 (-1 when they are all taken). */
int sy_tcp_net_observe_notes(sy_net *net, sy_tcp_note_observer fn, void *ctx);
void sy_tcp_net_unobserve_notes(sy_net *net, sy_tcp_note_observer fn, void *ctx);
/* The connection of a 4-tuple (TIME_WAIT and connections not yet
 * accepted included), or NULL. */
sy_tcb *sy_tcp_find(const sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
		    uint16_t rport);
/* The endpoint's connections: up to max of them in out, in the order
 * they were made when all of them fit; returns how many there are. */
size_t sy_tcp_ep_connections(const sy_tcp_ep *ep, sy_tcb **out, size_t max);
sy_node *sy_tcp_ep_node(const sy_tcp_ep *ep);
sy_net *sy_tcp_ep_net(const sy_tcp_ep *ep);
sy_tcp_ep *sy_tcp_listener_ep(const sy_tcp_listener *l);
uint16_t sy_tcp_listener_port(const sy_tcp_listener *l);


/* SYN cookies (RFC 4987): never, when the backlog is full, or always. */
typedef enum sy_syncookies {
	SY_SYNCOOKIES_OFF,
	SY_SYNCOOKIES_ON_OVERFLOW,
	SY_SYNCOOKIES_ALWAYS,
} sy_syncookies;

typedef struct sy_tcp_listener_stats {
	int syn_received;           /* records in SYN_RECEIVED */
	int accept_queue;           /* established, not yet accepted */
	uint64_t syn_queue_drops;   /* SYNs dropped: backlog full, no cookies */
	uint64_t accept_queue_drops; /* final ACKs dropped: accept queue full */
	uint64_t cookies_sent, cookies_accepted, cookies_rejected;
} sy_tcp_listener_stats;

/* Listens on port; backlog bounds the records in SYN_RECEIVED.  Errors:
 * port in use, port 0, backlog below 1. */
sy_tcp_listener *sy_tcp_listen(sy_tcp_ep *ep, uint16_t port, int backlog,
			       sy_syncookies cookies, sy_err *err);
sy_tcp_listener_stats sy_tcp_listener_stats_get(const sy_tcp_listener *l);
/* Manual accepting: established connections wait in the listener's
 * accept queue (at most accept_backlog; a handshake's final ACK finding
 * it full is dropped and counted, and the peer's retransmissions try
 * again) until sy_tcp_accept takes them; their data waits unread
 * meanwhile, so their receive window closes.  Off by default: every
 * connection is accepted once established. */
void sy_tcp_listener_set_manual(sy_tcp_listener *l, bool manual, int accept_backlog);
/* The next connection waiting in the accept queue, or NULL: handed over
 * with its data unread and autoread off (sy_tcp_recv), nothing sent. */
sy_tcb *sy_tcp_accept(sy_tcp_listener *l);
/* For C applications: fn(ctx, c) for every connection the listener
 * accepts, once it is established (after the observer's "accepted"),
 * before any of its data is delivered; NULL stops. */
void sy_tcp_listener_on_accept(sy_tcp_listener *l,
			       void (*fn)(void *ctx, sy_tcb *c), void *ctx);

/* Closes the listener and frees it: its connections in SYN_RECEIVED are
 * dropped without a segment, those waiting in the accept queue are
 * aborted (a reset to the peer); accepted ones go on.  SYNs to the port
 * are then refused with a reset, and the port can be listened on again. */
void sy_tcp_listener_close(sy_tcp_listener *l);

/* Opens a connection to raddr:rport from an ephemeral port. */
sy_tcb *sy_tcp_connect(sy_tcp_ep *ep, uint32_t raddr, uint16_t rport,
		       sy_err *err);
/* The same from local port lport (0: an ephemeral one), for port reuse;
 * fails while a record of the 4-tuple exists (TIME_WAIT included). */
sy_tcb *sy_tcp_connect_from(sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
			    uint16_t rport, sy_err *err);
/* The same in two steps, for options that its SYN must carry (the MSS
 * clamp of sy_tcp_set_sock_opts, the buffers): prepare makes the record,
 * in CLOSED, sending nothing; open sends the SYN (and does nothing on a
 * connection opened already).  A prepared connection must be opened. */
sy_tcb *sy_tcp_connect_prepare(sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
			       uint16_t rport, sy_err *err);
void sy_tcp_connect_open(sy_tcb *c);
/* The socket's full close: the application lets go of c (it is
 * orphaned: sy_tcp_orphaned) and reads no more.  With unread data, or
 * with linger 0 (sy_tcp_sock_opts), c is aborted with a reset (RFC 9293
 * 3.10.4, RFC 2525 2.17); otherwise a FIN follows the queued data, unless
 * shutdown sent one already.  Data arriving after a close (in FIN_WAIT_1
 * or FIN_WAIT_2) is answered with a reset and ends c, and only an orphan
 * has the profile's FIN_WAIT_2 timeout.  A second close does nothing. */
void sy_tcp_close(sy_tcb *c);
void sy_tcp_abort(sy_tcb *c);
bool sy_tcp_orphaned(const sy_tcb *c);

/* shutdown(): SY_SHUT_WR is RFC 9293's CLOSE (a FIN after the queued
 * data; receiving goes on); SY_SHUT_RD discards what is unread, and data
 * arriving afterwards is acknowledged and discarded (reads see the end of
 * the stream).  Fails for a direction shut already, on a closed or
 * orphaned connection, and for another `how`. */
typedef enum sy_tcp_shut {
	SY_SHUT_RD = 1,
	SY_SHUT_WR = 2,
	SY_SHUT_RDWR = 3,
} sy_tcp_shut;
int sy_tcp_shutdown(sy_tcb *c, sy_tcp_shut how, sy_err *err);

/* Queues n bytes to send: copied from `bytes`, or virtual when bytes is
 * NULL (in O(1) memory however many).  Fails with a message when the
 * connection cannot send (closed, closing, or after close/shutdown), for
 * more than 4 GiB of real bytes at once, and when the bytes queued over
 * the connection's life would pass 2^63 - 1. */
int sy_tcp_send(sy_tcb *c, const void *bytes, uint64_t n, sy_err *err);
/* With autoread off, the user reads: frees up to n bytes of the receive
 * buffer (sending a window update when the window opens enough); returns
 * the bytes read. */
uint32_t sy_tcp_consume(sy_tcb *c, uint32_t n);
/* With autoread off, reads up to n bytes of the first run of unread
 * bytes: real ones (copied to buf, *real true) or virtual ones (*real
 * false; buf untouched), as sy_tcp_consume.  The real bytes of a
 * connection with autoread off are kept until read; virtual ones cost
 * nothing.  Returns the bytes read (0: nothing to read). */
uint32_t sy_tcp_recv(sy_tcb *c, void *buf, uint32_t n, bool *real);
/* The first run of unread bytes: its length, and whether it is real. */
uint32_t sy_tcp_readable(const sy_tcb *c, bool *real);
/* The end of the stream for reads: nothing unread, and the peer's FIN
 * received or reading shut down (SY_SHUT_RD, close). */
bool sy_tcp_eof(const sy_tcb *c);
/* Whether real bytes were ever delivered to c. */
bool sy_tcp_got_real(const sy_tcb *c);
/* Bytes queued and not yet acknowledged. */
uint64_t sy_tcp_unacked(const sy_tcb *c);
/* What the user can still queue before the send buffer (sndbuf) holds
 * sndbuf bytes queued and unacknowledged (0 when over). */
uint64_t sy_tcp_send_space(const sy_tcb *c);
/* Per-connection data options (sndbuf, rcvbuf, nagle, autoread; the
 * initial window only before data has been sent).  A larger sndbuf
 * sends what it held back at once; so does nagle turned off, cork or not
 * (as Linux's TCP_NODELAY pushes pending data).  An option refused
 * changes nothing. */
int sy_tcp_set_data_opts(sy_tcb *c, const sy_tcp_data_opts *o, sy_err *err);
void sy_tcp_get_data_opts(const sy_tcb *c, sy_tcp_data_opts *o);
/* Per-connection socket options, each overriding the endpoint's timer
 * profile or defaults for c alone. */
typedef struct sy_tcp_sock_opts {
	sy_time user_timeout;   /* RFC 5482 / 9293 USER TIMEOUT; 0: none */
	bool keepalive;         /* RFC 1122 4.2.3.6 probes */
	sy_time keepidle, keepintvl; /* idle time, then between probes */
	int64_t keepcnt;        /* unanswered probes before giving up */
	bool cork;              /* hold short segments until uncorked (which
				 * sends them), full, the FIN, or the persist
				 * timer (an RTO with nothing in flight: Linux's
				 * ceiling on a cork) */
	uint32_t mss;           /* clamp of the segments sent (0: none);
				 * before synchronization also of the MSS
				 * announced */
	sy_time linger;         /* -1: off; 0: close aborts with a reset */
	int64_t syn_retries;    /* an active open's SYN retransmissions
				 * before it gives up (Linux's TCP_SYNCNT:
				 * the profile's syn_retries for c) */
	int ecn;                /* SY_TCP_ECN_*: the profile's ecn for c,
				 * read when the SYN or SYN-ACK goes */
} sy_tcp_sock_opts;
void sy_tcp_get_sock_opts(const sy_tcb *c, sy_tcp_sock_opts *o);
/* Errors: a negative time, keepcnt below 1, keepidle or keepintvl of 0,
 * an MSS outside 88 to 65495, syn_retries outside 1 to 127. */
int sy_tcp_set_sock_opts(sy_tcb *c, const sy_tcp_sock_opts *o, sy_err *err);
/* Callbacks for a C application. */
void sy_tcp_set_callbacks(sy_tcb *c, const sy_tcp_cb *cb, void *ctx);
/* Changes c's congestion control to the instance in *in (moved into the
 * endpoint, freed with it); only before c has sent data. */
int sy_tcp_set_cc(sy_tcb *c, sy_instance *in, sy_err *err);
/* The name of c's congestion-control plugin. */
const char *sy_tcp_cc_name(const sy_tcb *c);

/* The binding's view of data: n bytes delivered to c (bytes NULL when
 * virtual) or, with n = 0 and bytes NULL, "every queued byte is
 * acknowledged".  Called only for connections with want_data set. */
typedef void (*sy_tcp_data_observer)(void *ctx, sy_tcb *c, uint32_t n,
				     const unsigned char *bytes);
void sy_tcp_ep_observe_data(sy_tcp_ep *ep, sy_tcp_data_observer fn);

/* Sends one segment from ep's node: the headers are built from ip (source
 * and destination) and t, with a virtual payload of len bytes. */
int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err);

/* The current sequence variables and counters of c, read by the binding
 * and by the statistics. */
typedef struct sy_tcb_info {
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd, flight, pipe;
	sy_time srtt, rttvar, rto;
	bool in_recovery;
} sy_tcb_info;
void sy_tcb_info_get(const sy_tcb *c, sy_tcb_info *i);
/* c's state, counters, and the sender's maximum segment size (the peer's
 * MSS, no more than ours, less the timestamp option when timestamps are
 * in use).  The counters are assembled at the call: what
 * sy_tcb_stats_get returns holds until the next call for a connection of
 * the same endpoint (copy it to keep it). */
sy_tcp_state sy_tcb_state(const sy_tcb *c);
const sy_tcb_stats *sy_tcb_stats_get(const sy_tcb *c);
uint32_t sy_tcb_smss(const sy_tcb *c);
/* Bytes delivered and not yet read by the user (sy_tcp_consume), and
 * whether the user reads every byte on arrival. */
uint32_t sy_tcp_unread(const sy_tcb *c);
bool sy_tcp_autoread(const sy_tcb *c);

#endif
