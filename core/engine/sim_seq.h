/* Inside the library only (not installed): events that keep the place in
 * the order of equal times of an event scheduled earlier.  A structure
 * that keeps many future events of its own (compact TIME_WAIT records,
 * core/tcp/tw.c) takes each one's sequence number when it would have
 * scheduled it, and has one event in the queue at a time, scheduled with
 * the sequence number of the earliest: the run then fires them in the
 * same order, among all other events, as one event each would. */
#ifndef SY_SIM_SEQ_H
#define SY_SIM_SEQ_H

#include "sim.h"

/* The sequence number the next scheduled event would get. */
__attribute__((visibility("hidden"))) uint64_t sy_sim_seq_next(const sy_sim *sim);
/* Takes that number, as scheduling an event does, without an event. */
__attribute__((visibility("hidden"))) uint64_t sy_sim_seq_take(sy_sim *sim);
/* As sy_sim_at with a handle, the event given seq, a number taken with
 * sy_sim_seq_take and given to no event yet (nor to one cancelled: a
 * cancelled event's entry would come alive again).  t >= now; an event
 * that would run before the current one in (time, seq) order is a bug. */
__attribute__((visibility("hidden"))) int sy_sim_at_seq(sy_sim *sim, sy_time t, uint64_t seq,
							sy_event_fn fn, void *arg, uint64_t data,
							sy_event_id *id, sy_err *err);

/* The pending event in cancellation slot `slot` whose sequence number's
 * low 32 bits are `low`, for a holder that keeps only those (the
 * connection record's timers, core/tcp/services.c) and forgets them when
 * the event fires or is cancelled; SY_EVENT_NONE if the slot holds no
 * such event. */
__attribute__((visibility("hidden"))) sy_event_id sy_sim_id_at(const sy_sim *sim, uint32_t slot,
							       uint32_t low);

#endif
