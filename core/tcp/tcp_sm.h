/* The interface between the TCP endpoint and its state-machine plugins
 * (kind "tcp").
 *
 * The endpoint (core) owns the connection record, which is opaque here:
 * a state machine reads and writes the sequence variables of RFC 9293
 * 3.3.1 through sy_tcb_vars, changes the state only through
 * sy_tcb_set_state, and does everything else through the services below.
 * The data path is the endpoint's: the ACK field of an acceptable
 * segment (3.10.7.4, fifth step, from SND.UNA on), the segment text
 * (seventh), output, the delayed ACK, the persist timer, keepalive, and
 * retransmission once the connection is synchronized.  What the data path
 * may do in each state is what the state machine says in its table of
 * capabilities (caps), which the endpoint applies at every state change;
 * the data path never tests state names.
 *
 * Lifecycle of a connection:
 *   active open:  sy_tcp_connect makes the record (CLOSED, ISS chosen)
 *                 and calls ops->connect;
 *   passive open: a segment for a listener's port with no record goes to
 *                 ops->listen_input, which may make one with
 *                 sy_tcp_accept_new (LISTEN, ISS chosen) or answer with a
 *                 SYN cookie;
 *   every segment for a record goes to ops->input; the user's close and
 *                 abort to ops->close and ops->abort;
 *   timers:       the state machine's own (SY_TCP_T_RETRANS while the
 *                 state has no SY_TCP_CAP_SYNC, SY_TCP_T_TIME_WAIT,
 *                 SY_TCP_T_FIN_WAIT_2, SY_TCP_T_SYN_RECEIVED) fire
 *                 ops->timeout; the data path's (SY_TCP_T_RETRANS in
 *                 synchronized states, SY_TCP_T_DELACK, SY_TCP_T_PERSIST,
 *                 SY_TCP_T_KEEPALIVE) are the endpoint's;
 *   retry limits: when the data path's retransmissions or keepalive
 *                 probes run out, the endpoint calls ops->give_up, and the
 *                 state machine decides how the connection ends;
 *   the end:      sy_tcb_set_state(c, SY_TCP_CLOSED, ...) frees the record
 *                 once the current event is over.
 * Every function runs inside an event of the simulator. */
#ifndef SY_TCP_SM_H
#define SY_TCP_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp.h"

/* The sequence variables of RFC 9293 3.3.1 that a state machine reads
 * and writes (SND.UP and RCV.UP are not kept: no urgent data), and the
 * retransmission count of the segment in flight (the SYN or SYN-ACK
 * while not synchronized).  SND.MAX is the data path's: above the highest
 * sequence number sent; read only. */
#define SY_TCP_VARS_FIELDS                                                  \
	uint32_t iss, irs;                                                  \
	uint32_t snd_una, snd_nxt, snd_wnd;                                 \
	uint32_t snd_wl1, snd_wl2; /* segment that last updated SND.WND */ \
	uint32_t rcv_nxt, rcv_wnd;                                          \
	uint32_t snd_max;                                                   \
	unsigned retries;
typedef struct sy_tcp_vars {
	SY_TCP_VARS_FIELDS
} sy_tcp_vars;

sy_tcp_vars *sy_tcb_vars(sy_tcb *c);

/* What the data path may do in a state.  A state machine gives one set
 * per state (ops->caps); the endpoint applies it at each state change. */
enum {
	/* Synchronized: the data phase is set up (on the first state that
	 * has this), the ACK field of segments is the data path's, and so
	 * is SY_TCP_T_RETRANS. */
	SY_TCP_CAP_SYNC = 1 << 0,
	SY_TCP_CAP_QUEUE = 1 << 1,    /* the user may queue data */
	SY_TCP_CAP_SEND = 1 << 2,     /* data and a FIN may go out (once our
				       * SYN is acknowledged) */
	SY_TCP_CAP_RECV = 1 << 3,     /* segment text is accepted */
	SY_TCP_CAP_WINDOW = 1 << 4,   /* delayed ACKs and window updates */
	SY_TCP_CAP_KEEPALIVE = 1 << 5, /* keepalive probes, when enabled;
					* not in SYN_RECEIVED, FIN_WAIT_2 nor
					* TIME_WAIT, whose timeouts share
					* keepalive's timer */
	/* With SY_TCP_CAP_SEND: data (and a FIN) may go out before our SYN
	 * is acknowledged, once it has been sent and the data phase has
	 * started (sy_tcb_data_start): a Fast Open server answers in
	 * SYN-RECEIVED (RFC 7413 4.2.2). */
	SY_TCP_CAP_EARLY = 1 << 6,
};

/* The version of sy_tcp_sm_ops and of the services below (plugin.h,
 * "Versions"). */
#define SY_TCP_SM_OPS_VERSION 7

/* What a state machine implements. */
typedef struct sy_tcp_sm_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_TCP_SM_OPS_VERSION, sy_tcp_sm_ops) */
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
	/* One of the state machine's timers of c expired (see above). */
	void (*timeout)(sy_tcb *c, int which);
	/* The data path's retransmissions (which = SY_TCP_T_RETRANS: the
	 * profile's retry limit or the user timeout) or keepalive probes
	 * (SY_TCP_T_KEEPALIVE) ran out: the connection is to end. */
	void (*give_up)(sy_tcb *c, int which);
	/* The endpoint's defaults for the data path (from the plugin's
	 * parameters); optional. */
	void (*data_defaults)(const void *st, sy_tcp_data_opts *o);
	/* SY_TCP_CAP_* of each state. */
	uint8_t caps[SY_TCP_STATES];
} sy_tcp_sm_ops;

/* ------------------------------------------------------------ the record */

sy_tcp_ep *sy_tcb_ep(const sy_tcb *c);
/* c's 4-tuple: the local and remote addresses (IPv4, host order) and
 * ports. */
void sy_tcb_tuple(const sy_tcb *c, uint32_t *laddr, uint16_t *lport,
		  uint32_t *raddr, uint16_t *rport);
/* Whether c is a passive open that its listener has not accepted yet. */
bool sy_tcb_passive(const sy_tcb *c);
/* The state of the endpoint's state-machine instance (its parameters),
 * from one of its connections or from the endpoint (in listen_input:
 * sy_tcp_listener_ep). */
void *sy_tcb_sm_state(const sy_tcb *c);
void *sy_tcp_ep_sm_state(const sy_tcp_ep *ep);
/* Changes c's state, applies the new state's capabilities (setting up
 * the data phase on the first synchronized one) and reports (old, new,
 * cause) to the observers.  Going to CLOSED frees c once the current
 * event is over: do not touch it afterwards. */
void sy_tcb_set_state(sy_tcb *c, sy_tcp_state s, sy_tcp_cause cause);
/* Reports an event other than a state change to the observers. */
void sy_tcb_notify(sy_tcb *c, sy_tcp_cause what);

/* ------------------------------------------------------------ segments */

/* Sends a segment of c with these flags and sequence number and len
 * bytes of payload from the send queue; ACK carries RCV.NXT, the window
 * RCV.WND (scaled once window scaling is in effect).  A SYN carries the
 * options c offers; other segments carry timestamps once they are
 * negotiated. */
void sy_tcb_send(sy_tcb *c, uint8_t flags, uint32_t seq, uint32_t len);
/* The SYN (ack false) or SYN-ACK at ISS, counted. */
void sy_tcb_send_syn(sy_tcb *c, bool ack);
/* The SYN-ACK again outside its timer (a retransmitted SYN asked for
 * it): counted as a retransmission, not as a retry, and no RTT sample is
 * taken from it (Karn).  Rate limited with the answers to unacceptable
 * segments (sy_tcb_ack_invalid): false, and nothing sent, when too soon
 * after the previous one. */
bool sy_tcb_synack_again(sy_tcb *c);
/* The SYN at ISS carrying the first bytes the user has queued, at most
 * max of them (RFC 7413: data on the SYN); counted as a SYN and as data
 * sent.  Returns the bytes it carries.  SND.NXT is the state machine's to
 * move past them.  Once the data phase has started (with SND.MAX past
 * them), going back with SND.NXT to what the peer acknowledged makes the
 * data path send them again. */
uint32_t sy_tcb_send_syn_data(sy_tcb *c, uint32_t max);
/* Sends <SEQ=seq><ACK=ack><CTL=flags> for a segment that has no
 * connection (or to reset one): from the segment's destination back to
 * its source. */
void sy_tcp_send_reset(sy_tcp_ep *ep, const sy_seg *s, uint32_t seq,
		       uint32_t ack, uint8_t flags);
/* The answer of RFC 9293 3.10.7.1 to a segment with no socket. */
void sy_tcp_refuse(sy_tcp_ep *ep, const sy_seg *s);
/* A challenge ACK (RFC 5961 3.2, 4.2), at most per_second of them per
 * second of virtual time on the endpoint (0: no limit; -1: the timer
 * profile's challenge_ack_limit, drawn anew each second under
 * challenge_ack_random), and under challenge_ack_per_conn at most one per
 * invalid_ack_ratelimit on the connection; the rest are counted as
 * suppressed. */
void sy_tcb_challenge_ack(sy_tcb *c, int64_t per_second);
/* SEG.WND of s as a number of bytes: scaled once window scaling is in
 * effect (never in a SYN). */
uint32_t sy_tcb_seg_wnd(const sy_tcb *c, const sy_seg *s);
/* RFC 7323 4.3: for an acceptable segment, the timestamp to echo. */
void sy_tcb_ts_update(sy_tcb *c, const sy_seg *s);

/* ------------------------------------------------------------ options */

/* What an endpoint offers in its SYN (or accepts in a SYN-ACK). */
typedef struct sy_tcp_offer {
	uint16_t mss;
	bool window_scaling;
	uint8_t wscale;
	bool timestamps, sack;
} sy_tcp_offer;
void sy_tcb_offer(sy_tcb *c, const sy_tcp_offer *o);
/* Keeps what both sides offered, from the peer's SYN or SYN-ACK options
 * (RFC 9293 3.7.1 for the MSS, 536 when absent; RFC 7323 2.2 and 3.2;
 * RFC 2018). */
void sy_tcb_negotiate(sy_tcb *c, const sy_tcp_opts *peer);
/* The Fast Open option (RFC 7413) that c's SYN or SYN-ACK carry from now
 * on, retransmissions included: a cookie of len bytes (4 to 16, even), or
 * with len 0 an empty one (a cookie request); cookie NULL: none (the
 * default). */
void sy_tcb_fastopen_option(sy_tcb *c, const uint8_t *cookie, unsigned len);

/* The parameters of a state machine built on RFC 9293's handshake: what
 * it offers in its SYN and the data path's defaults.  A plugin keeps one
 * block in its instance state and lists
 * SY_TCP_SM_COMMON_PARAMS(struct its_state, its_field) in its parameter
 * table; the two functions below apply it. */
typedef struct sy_tcp_sm_common {
	int64_t mss;                 /* announced in the SYN */
	bool window_scaling;
	int64_t wscale;              /* our shift count */
	bool timestamps, sack;
	int64_t sndbuf, rcvbuf;      /* bytes */
	int64_t initial_window;      /* segments */
	bool nagle, limited_transmit;
} sy_tcp_sm_common;

#define SY_TCP_SM_COMMON_PARAMS(st, f)                                            \
	{ .name = "mss", .type = SY_PT_SIZE, .offset = offsetof(st, f.mss),    \
	  .def = "1460B", .min = "88B", .max = "65495B",                         \
	  .doc = "maximum segment size announced in the SYN (MTU 1500 minus 40)" }, \
	{ .name = "window_scaling", .type = SY_PT_BOOL,                          \
	  .offset = offsetof(st, f.window_scaling),                            \
	  .def = "true", .doc = "offer window scaling (RFC 7323)" },             \
	{ .name = "wscale", .type = SY_PT_INT, .offset = offsetof(st, f.wscale), \
	  .def = "7", .min = "0", .max = "14", .doc = "our window shift count (Linux: 7)" }, \
	{ .name = "timestamps", .type = SY_PT_BOOL,                              \
	  .offset = offsetof(st, f.timestamps),                                \
	  .def = "true", .doc = "offer timestamps (RFC 7323), a millisecond clock" }, \
	{ .name = "sack", .type = SY_PT_BOOL, .offset = offsetof(st, f.sack),  \
	  .def = "true", .doc = "offer SACK-permitted (RFC 2018)" },             \
	{ .name = "sndbuf", .type = SY_PT_SIZE, .offset = offsetof(st, f.sndbuf), \
	  .def = "4MiB", .min = "1B", .max = "1GiB",                             \
	  .doc = "send buffer: bounds the bytes in flight" },                    \
	{ .name = "rcvbuf", .type = SY_PT_SIZE, .offset = offsetof(st, f.rcvbuf), \
	  .def = "4MiB", .min = "1B", .max = "1GiB",                             \
	  .doc = "receive buffer: the largest window advertised" },              \
	{ .name = "initial_window", .type = SY_PT_INT,                           \
	  .offset = offsetof(st, f.initial_window),                            \
	  .def = "10", .min = "1", .max = "1000",                                \
	  .doc = "initial congestion window in segments (RFC 6928: 10)" },       \
	{ .name = "nagle", .type = SY_PT_BOOL, .offset = offsetof(st, f.nagle), \
	  .def = "true", .doc = "Nagle's algorithm (RFC 896) by default" },      \
	{ .name = "limited_transmit", .type = SY_PT_BOOL,                        \
	  .offset = offsetof(st, f.limited_transmit),                          \
	  .def = "true", .doc = "a new segment on each of the first two duplicate ACKs (RFC 3042)" }

/* c's SYN offers what p says (sy_tcb_offer). */
void sy_tcp_sm_common_offer(sy_tcb *c, const sy_tcp_sm_common *p);
/* ops->data_defaults from p. */
void sy_tcp_sm_common_defaults(const sy_tcp_sm_common *p, sy_tcp_data_opts *o);

/* RFC 9293's capabilities of the synchronized states, for a caps table:
 * ESTABLISHED through TIME_WAIT. */
#define SY_TCP_RFC9293_SYNCED_CAPS                                               \
	[SY_TCP_ESTABLISHED] = SY_TCP_CAP_SYNC | SY_TCP_CAP_QUEUE | SY_TCP_CAP_SEND | \
		SY_TCP_CAP_RECV | SY_TCP_CAP_WINDOW | SY_TCP_CAP_KEEPALIVE,       \
	[SY_TCP_FIN_WAIT_1] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_RECV | \
		SY_TCP_CAP_WINDOW,                                                \
	[SY_TCP_FIN_WAIT_2] = SY_TCP_CAP_SYNC | SY_TCP_CAP_RECV | SY_TCP_CAP_WINDOW, \
	[SY_TCP_CLOSE_WAIT] = SY_TCP_CAP_SYNC | SY_TCP_CAP_QUEUE | SY_TCP_CAP_SEND | \
		SY_TCP_CAP_WINDOW,                                                \
	[SY_TCP_CLOSING] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_WINDOW, \
	[SY_TCP_LAST_ACK] = SY_TCP_CAP_SYNC | SY_TCP_CAP_SEND | SY_TCP_CAP_WINDOW, \
	[SY_TCP_TIME_WAIT] = SY_TCP_CAP_SYNC

/* ------------------------------------------------------------ timers */

/* Timers of c (which: SY_TCP_T_*); the state machine sets its own. */
void sy_tcb_timer_set(sy_tcb *c, int which, sy_time after);
void sy_tcb_timer_cancel(sy_tcb *c, int which);
/* SY_TCP_T_RETRANS to the current RTO. */
void sy_tcb_arm_retransmit(sy_tcb *c);
/* A SYN or SYN-ACK timed out: one more retry, counted, the RTO backed
 * off (and the data phase will start from an RTO of 3 s without an RTT
 * sample, RFC 6298 5.7). */
void sy_tcb_syn_backoff(sy_tcb *c);
/* Times the SYN or SYN-ACK about to go; then, when it is acknowledged,
 * an RTT sample from it unless it was retransmitted (Karn). */
void sy_tcb_time_syn(sy_tcb *c);
void sy_tcb_rtt_syn(sy_tcb *c);
/* The profile's values and estimator for c's endpoint. */
const sy_timer_limits *sy_tcb_limits(const sy_tcb *c);
const sy_timers_ops *sy_tcb_timers(const sy_tcb *c, const void **st);
/* Keepalive (RFC 1122 4.2.3.6), when the profile enables it and the
 * state has SY_TCP_CAP_KEEPALIVE: the idle time starts again (any segment
 * from the peer).  The probes are the endpoint's; when they run out it
 * calls ops->give_up(c, SY_TCP_T_KEEPALIVE). */
void sy_tcb_keepalive_restart(sy_tcb *c);
/* Cancels the retransmission, FIN_WAIT_2, persist and keepalive timers,
 * starts the 2 MSL wait and goes to TIME_WAIT. */
void sy_tcb_enter_time_wait(sy_tcb *c, sy_tcp_cause cause);

/* ------------------------------------------------------------ data path
 *
 * The ACK field of an acceptable segment in a synchronized state (fifth
 * step: RFC 5961 5.2 check, SND.UNA, the send window, duplicate ACKs,
 * SACK, loss recovery, RTT samples, congestion control; returns true when
 * the segment is to be dropped), the segment text (seventh: trimming,
 * in-order delivery, reassembly, the ACK policy, in states with
 * SY_TCP_CAP_RECV), and output (data, retransmissions and a queued FIN,
 * as the windows allow, in states with SY_TCP_CAP_SEND, and any ACK that
 * is due).  The ACK field of a SYN-ACK may go to the data path too (a
 * SYN that carried data: its window is taken unscaled); the text of a SYN
 * starts after the SYN's sequence number (RFC 7413: data on the SYN);
 * text is accepted once the data phase has started, in a state with
 * SY_TCP_CAP_RECV (SYN-RECEIVED included, when the state machine says
 * so). */
bool sy_tcb_ack_in(sy_tcb *c, const sy_seg *s);
void sy_tcb_text_in(sy_tcb *c, const sy_seg *s);
void sy_tcb_output(sy_tcb *c);
/* Sets up the data phase (windows, congestion control); runs on the
 * first synchronized state, or earlier when the state machine calls it
 * (before the handshake's last segment, so that it advertises the data
 * phase's window). */
void sy_tcb_data_start(sy_tcb *c);
/* An ACK is to go out with the next output, or at once. */
void sy_tcb_ack_soon(sy_tcb *c);
void sy_tcb_ack_now(sy_tcb *c);
/* The ACK that answers an unacceptable segment s (RFC 9293 3.10.7.4
 * first, and RFC 5961 5.2 for an ACK of what was never sent), rate
 * limited per connection (RFC 5961 7): a segment with neither data nor a
 * FIN, or with a SYN, is answered only once the profile's
 * invalid_ack_ratelimit has passed since the previous such answer, or two
 * endpoints out of step (after one spoofed segment) would answer each
 * other's ACKs for ever.  Other segments are always answered: they are
 * no part of such a loop, and the peer's recovery needs their duplicate
 * ACKs.  Suppressed answers are counted. */
void sy_tcb_ack_invalid(sy_tcb *c, const sy_seg *s);
/* The peer's FIN (eighth step), for segment s whose text has been
 * processed: true when it is in order and consumed (RCV.NXT passes it);
 * false when it waits past a gap.  An ACK is due either way. */
bool sy_tcb_fin_in(sy_tcb *c, const sy_seg *s);
/* The user closed: a FIN is due once every queued byte has gone (output
 * sends it). */
void sy_tcb_queue_fin(sy_tcb *c);
bool sy_tcb_fin_queued(const sy_tcb *c);
/* Our FIN has been sent and acknowledged (SND.UNA is past it). */
bool sy_tcb_fin_acked(const sy_tcb *c);

/* ------------------------------------------------------------ listeners */

/* For listen_input: a new connection in LISTEN for segment s, with its
 * ISS chosen; NULL if the listener's backlog is full, or if its accept
 * queue is full and the timer profile's acceptq_drop_syn says to drop
 * such a SYN (both counted). */
sy_tcb *sy_tcp_accept_new(sy_tcp_listener *l, const sy_seg *s);
/* When a passive connection is established: it moves to the listener's
 * accept queue (or is accepted at once).  A state machine may call it
 * earlier, in SYN-RECEIVED (RFC 7413: data on the SYN goes to the
 * application before the handshake completes); the connection then
 * leaves the backlog.  A second call does nothing. */
void sy_tcp_accept_ready(sy_tcb *c);
/* A handshake that completes now would find the accept queue full (the
 * final ACK is dropped; counted). */
bool sy_tcp_accept_full(sy_tcp_listener *l);
/* The same for c's listener; false once c is accepted. */
bool sy_tcb_accept_full(sy_tcb *c);
/* Whether this SYN is to be answered with a cookie instead of a record;
 * the cookie SYN-ACK (ISS encoding the time, the MSS and a keyed hash of
 * the 4-tuple; not sent, like a record not made, when acceptq_drop_syn
 * drops the SYN for a full accept queue); and, for an ACK with no record, the connection a valid
 * cookie stands for (ESTABLISHED), or NULL (counted as rejected). */
bool sy_tcp_cookie_wanted(const sy_tcp_listener *l);
void sy_tcp_cookie_synack(sy_tcp_listener *l, const sy_seg *s);
sy_tcb *sy_tcp_cookie_accept(sy_tcp_listener *l, const sy_seg *s);

/* ------------------------------------------------------------ RFC 9293's steps
 *
 * RFC 9293's processing of a segment in the states from SYN-RECEIVED on
 * (3.10.7.4), with RFC 5961's defences, its user calls and its timers, as
 * library functions: tcp/rfc9293 is made of them, and a state machine that
 * differs from it only in places calls them for the rest.
 * challenge_ack_limit is as for sy_tcb_challenge_ack. */

/* The user's close and abort from each state (3.10.4, 3.10.5): CLOSED
 * from SYN-SENT; in SYN-RECEIVED the FIN is queued until ESTABLISHED; from
 * ESTABLISHED and CLOSE-WAIT the FIN is queued and the state changes at
 * once.  An abort resets the peer from the states that have sent a SYN
 * and no FIN yet. */
void sy_tcp_rfc9293_close(sy_tcb *c);
void sy_tcp_rfc9293_abort(sy_tcb *c);
/* ops->timeout: TIME_WAIT, FIN_WAIT_2 and SYN_RECEIVED end the
 * connection; SY_TCP_T_RETRANS sends the SYN (SYN-SENT) or SYN-ACK
 * (SYN-RECEIVED) again, backed off, until the profile's retry limit ends
 * it. */
void sy_tcp_rfc9293_timeout(sy_tcb *c, int which);
/* ops->give_up: the connection ends, reporting a timeout; after
 * keepalive probes with a reset. */
void sy_tcp_rfc9293_give_up(sy_tcb *c, int which);
/* LISTEN (3.10.7.2) up to the SYN-ACK: a RST is ignored; an ACK is the
 * last segment of a SYN-cookie handshake (sy_tcp_cookie_accept) or gets a
 * reset, and is dropped with the accept queue full; a segment without SYN
 * is dropped; a SYN is answered with a cookie when the listener wants one.
 * Otherwise returns the new connection for the SYN (NULL: the backlog is
 * full, counted) with its sequence variables set, the options of p
 * offered and negotiated and the SYN-ACK timed; the caller sends it. */
sy_tcb *sy_tcp_rfc9293_listen(sy_tcp_listener *l, const sy_seg *s,
			      const sy_tcp_sm_common *p);
/* The SYN-ACK of such a connection: sent, its retransmission and the
 * profile's SYN_RECEIVED timeout armed, SYN-RECEIVED entered. */
void sy_tcp_rfc9293_synack(sy_tcb *c);
/* First: whether segment s is acceptable (the four cases of 3.10.7.4). */
bool sy_tcp_rfc9293_acceptable(sy_tcb *c, const sy_seg *s);
/* Second: the RST bit, with RFC 5961 3.2 (only exactly RCV.NXT resets;
 * anything else in the window gets a challenge ACK); a passive open in
 * SYN-RECEIVED goes without a report.  Fourth: the SYN bit (a passive
 * open in SYN-RECEIVED goes; otherwise a challenge ACK, RFC 5961 4.2).
 * Both return true when the segment is consumed. */
bool sy_tcp_rfc9293_rst_step(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit);
bool sy_tcp_rfc9293_syn_step(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit);
/* Fifth, in SYN-RECEIVED: an ACK of our SYN (SND.UNA < SEG.ACK =<
 * SND.NXT) establishes the connection, unless the listener's accept
 * queue is full (dropped); any other is answered with a reset.  Returns
 * true when the segment is consumed.  sy_tcp_rfc9293_syn_acked is its
 * first half, for a state machine that ends the handshake its own way:
 * the reset and the full queue (true: consumed), or SND.UNA past our
 * SYN, SND.WND from the segment, the SYN's RTT sample, the retry count
 * reset and the SYN_RECEIVED timer cancelled (false: the state is the
 * caller's to change). */
typedef bool (*sy_tcp_ack_hook)(sy_tcb *c, const sy_seg *s);
bool sy_tcp_rfc9293_syn_received_ack(sy_tcb *c, const sy_seg *s);
bool sy_tcp_rfc9293_syn_acked(sy_tcb *c, const sy_seg *s);
/* Fifth, after the data path's sy_tcb_ack_in: our FIN acknowledged moves
 * FIN-WAIT-1 to FIN-WAIT-2 (with the profile's FIN_WAIT_2 timeout),
 * CLOSING to TIME-WAIT and LAST-ACK to CLOSED (then true: c is gone). */
bool sy_tcp_rfc9293_fin_acked(sy_tcb *c);
/* Seventh and eighth: the text (sy_tcb_text_in), then an in-order FIN
 * moves SYN-RECEIVED and ESTABLISHED to CLOSE-WAIT, FIN-WAIT-1 to CLOSING
 * and FIN-WAIT-2 to TIME-WAIT. */
void sy_tcp_rfc9293_text_and_fin(sy_tcb *c, const sy_seg *s);
/* ops->input for any state but SYN-SENT (and LISTEN): a FIN repeated in
 * TIME-WAIT is acknowledged and restarts the wait; a SYN in a
 * synchronized state gets a challenge ACK; then the steps above in order,
 * and output.  syn_received_ack is the fifth step in SYN-RECEIVED (NULL:
 * sy_tcp_rfc9293_syn_received_ack). */
void sy_tcp_rfc9293_input(sy_tcb *c, const sy_seg *s, int64_t challenge_ack_limit,
			  sy_tcp_ack_hook syn_received_ack);

#endif
