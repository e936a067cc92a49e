/* Compact TIME_WAIT (tw.c): in-tree only, not installed.  A connection
 * in TIME_WAIT that nobody holds gives up its full record for a small
 * one (struct sy_tw, at most 128 bytes) in a table of its own; a segment
 * for it, its timer or a lookup rebuilds a full record on demand. */
#ifndef SY_TW_H
#define SY_TW_H

#include <stddef.h>

#include "tcp.h"

/* How TIME_WAIT records are kept (the environment variable
 * SYNACK_TW_COMPACT, read when an endpoint is made; for testing):
 * "0" off (every record stays full), unset or "1" on (records nobody
 * holds are compacted), "force" on and, for the records that must stay
 * full (a script's object, callbacks, observers), the same round trip
 * through the compact form in place, so that a test suite sees any
 * difference the compact form would make. */
enum { SY_TW_OFF, SY_TW_ON, SY_TW_FORCE };

/* The compact records of ep: how many and the bytes they take (the
 * records, what is kept beside those the binding holds, their table). */
void sy_tcp_ep_tw_usage(const sy_tcp_ep *ep, size_t *n, size_t *bytes);
/* The size of one compact record. */
size_t sy_tcp_tw_record_size(void);
/* Full records of ep in TIME_WAIT. */
size_t sy_tcp_ep_tw_full(const sy_tcp_ep *ep);
/* The endpoint observer (sy_tcp_ep_observe) looks at a connection's
 * reports only when holds says so: without it, an endpoint with an
 * observer keeps every record full. */
void sy_tcp_ep_observe_holds(sy_tcp_ep *ep, bool (*holds)(void *ctx, const sy_tcb *c));

/* A connection held by pointer only by the endpoint observer's binding
 * (c->user, no callbacks c->cb) is compacted too, when the binding
 * follows it: moved(obs_ctx, user, from, c, h) says that the record
 * user holds, known to it as `from` (a sy_tcb or a handle), is now the
 * compact record h (c NULL) or the full record c (h NULL), or is gone
 * (both NULL: memory ran out rebuilding it, the run fails).  The compact
 * record keeps what the binding reads of it (statistics, times, the
 * congestion control's figures, the RTT estimator) beside its 128 bytes
 * (struct sy_tw_held). */
struct sy_tw_held;
void sy_tcp_ep_tw_moved(sy_tcp_ep *ep,
			void (*moved)(void *ctx, void *user, const void *from, sy_tcb *c,
				      struct sy_tw_held *h));
/* The full record of h, rebuilt (moved is told), compacted again after
 * the current event if still in TIME_WAIT; NULL if memory ran out (the
 * run fails). */
sy_tcb *sy_tw_held_wake(struct sy_tw_held *h);

/* What the binding reads of a connection it holds, kept beside the
 * compact record (round_trip keeps the same in place), or by the binding
 * itself beside a connection it let go (lua/ltcp_away.c). */
struct tw_keep {
	void *user;
	bool want_data, in_recovery;
	sy_tcb_stats st;
	sy_time t_open, t_established, t_first_rx, t_all_acked, t_closed;
	uint64_t snd_queued, snd_sent;
	sy_time data_rx_at, data_tx_at, last_send;
	sy_rtt rtt;
	/* the congestion control's figures conn:info() reads; its state
	 * is made afresh on rebuild, as for a record nobody holds (nothing
	 * reads it in TIME_WAIT or after) */
	uint32_t cwnd, ssthresh;
	uint32_t iw_bytes;
};

/* What the binding reads of c, saved into k; and given back (tw_held.c). */
void sy_tw_keep_save(const sy_tcb *c, struct tw_keep *k);
void sy_tw_keep_apply(sy_tcb *c, const struct tw_keep *k);

#endif
