/* The CoDel state machine of RFC 8289, shared by queue/codel (one queue)
 * and queue/fq_codel (one per flow, RFC 8290 5).  codel.c's comment states
 * the algorithm; this is its code, over a FIFO of packets stamped with
 * their arrival time (p->stamp).
 *
 * The functions follow the RFC's pseudocode (5.4 to 5.6) closely, with
 * one addition: with `ecn` on, a packet the state machine would drop is
 * marked CE instead when it is ECN-capable (RFC 8289 5; ecn.h) and is then
 * transmitted, the drop schedule advancing as if it had been dropped.
 *
 * Invariants (checked): count >= 1 while dropping; lastcount <= count at
 * the moment the dropping state is entered (they are equal then). */
#ifndef SY_QUEUE_CODEL_H
#define SY_QUEUE_CODEL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "packet.h"
#include "vtime.h"

#include "ecn.h"
#include "fifo.h"

/* Parameters (shared by every flow of an fq_codel). */
struct sy_codel_params {
	sy_time target;        /* acceptable standing queue delay */
	sy_time interval;      /* sliding window of the minimum */
	uint64_t mtu;          /* maxpacket: never drop with this little left */
	bool ecn;              /* mark ECT packets instead of dropping */
};

/* State (RFC 8289 5.1's member variables); all zero to start. */
struct sy_codel_vars {
	sy_time first_above_time; /* 0: sojourn below target (or bytes) */
	sy_time drop_next;        /* next drop while dropping */
	uint32_t count;           /* drops since entering the dropping state */
	uint32_t lastcount;       /* count when it was last entered */
	bool dropping;
	uint64_t drops, marks;    /* totals, for tests and curiosity */
};

/* RFC 8289 5.5: the next drop interval/sqrt(count) after t. */
static inline sy_time sy_codel_control_law(const struct sy_codel_params *cp,
					   sy_time t, uint32_t count)
{
	return t + (sy_time)((double)cp->interval / sqrt((double)count));
}

/* RFC 8289 5.4 (dodequeue): takes the head of f and says in *ok_to_drop
 * whether the sojourn time has stayed at or above target for at least
 * interval (with more than one MTU left behind it). */
static inline sy_packet *sy_codel_dodequeue(const struct sy_codel_params *cp,
					    struct sy_codel_vars *v,
					    struct sy_fifo *f, sy_time now,
					    bool *ok_to_drop)
{
	sy_packet *p = sy_fifo_pop(f);

	*ok_to_drop = false;
	if (!p) {
		v->first_above_time = 0;
		return NULL;
	}
	if (now - p->stamp < cp->target || f->bytes <= cp->mtu) {
		/* Went below: stay below for at least interval. */
		v->first_above_time = 0;
	} else if (v->first_above_time == 0) {
		/* Just went above: drop if it stays above for interval. */
		v->first_above_time = now + cp->interval;
	} else if (now >= v->first_above_time) {
		*ok_to_drop = true;
	}
	return p;
}

/* Drops p, or marks it when ECN allows: true if marked (p is then still
 * the packet to send). */
static inline bool sy_codel_signal(const struct sy_codel_params *cp,
				   struct sy_codel_vars *v, sy_packet *p,
				   void (*drop)(void *ctx, sy_packet *p),
				   void *ctx)
{
	if (cp->ecn && sy_ecn_mark(p)) {
		v->marks++;
		return true;
	}
	v->drops++;
	drop(ctx, p);
	return false;
}

/* RFC 8289 5.6 (dequeue): the next packet of f to send, or NULL;
 * packets dropped on the way are handed to drop(ctx, p). */
static inline sy_packet *sy_codel_dequeue(const struct sy_codel_params *cp,
					  struct sy_codel_vars *v,
					  struct sy_fifo *f, sy_time now,
					  void (*drop)(void *ctx, sy_packet *p),
					  void *ctx)
{
	bool ok;
	sy_packet *p = sy_codel_dodequeue(cp, v, f, now, &ok);
	uint32_t delta;

	if (!p) {
		v->dropping = false;
		return NULL;
	}
	if (v->dropping) {
		SY_INVARIANT(v->count >= 1);
		if (!ok) {
			/* Sojourn time below target: leave the state. */
			v->dropping = false;
		}
		while (v->dropping && now >= v->drop_next) {
			/* Time for the next drop; the law's interval shrinks
			 * as the drops go on without effect. */
			v->count++;
			if (sy_codel_signal(cp, v, p, drop, ctx)) {
				v->drop_next = sy_codel_control_law(
					cp, v->drop_next, v->count);
				return p;
			}
			p = sy_codel_dodequeue(cp, v, f, now, &ok);
			if (!ok)
				v->dropping = false;
			else
				v->drop_next = sy_codel_control_law(
					cp, v->drop_next, v->count);
		}
		return p;
	}
	if (!ok)
		return p;
	/* Above target for a whole interval: enter the dropping state with
	 * one drop.  If it was left only a little while ago, the drop rate
	 * that controlled the queue then is a good start: count resumes at
	 * the drops of that episode beyond its first (delta), provided there
	 * were more than one and the last scheduled drop (at most an interval
	 * after the last real one) is less than 16 intervals ago. */
	v->dropping = true;
	delta = v->count - v->lastcount;
	v->count = 1;
	if (delta > 1 && now - v->drop_next < 16 * cp->interval)
		v->count = delta;
	v->drop_next = sy_codel_control_law(cp, now, v->count);
	v->lastcount = v->count;
	if (!sy_codel_signal(cp, v, p, drop, ctx))
		p = sy_codel_dodequeue(cp, v, f, now, &ok);
	return p;
}

#endif
