/* The simulator: a virtual clock and an event queue.
 *
 * Events live in the queue, a scheduler plugin (scheduler.h).  An event
 * scheduled with a handle also owns a slot of a table that grows
 * geometrically and recycles slots through a free list, so scheduling does
 * not allocate in the steady state.  A handle names an event by slot and by
 * the sequence number it was given; once the event fired or was cancelled
 * the handle no longer matches and cancelling it does nothing.  An event
 * scheduled without a handle cannot be cancelled and costs less: it has no
 * slot. */
#ifndef SY_SIM_H
#define SY_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "plugin.h"
#include "rng.h"
#include "scheduler.h"
#include "vtime.h"

typedef struct sy_sim sy_sim;

typedef struct sy_event_id {
	uint64_t seq; /* 0 never names an event */
	uint32_t slot;
} sy_event_id;

#define SY_EVENT_NONE ((sy_event_id){0, 0})

/* Creates a simulator that owns `sched`, an instance of a scheduler plugin
 * (not yet initialised; the simulator calls init).  On failure the instance
 * is freed too. */
sy_sim *sy_sim_new(uint64_t seed, sy_instance *sched, sy_err *err);
void sy_sim_free(sy_sim *sim);

sy_time sy_sim_now(const sy_sim *sim);
uint64_t sy_sim_seed(const sy_sim *sim);
const sy_plugin *sy_sim_scheduler(const sy_sim *sim);

/* Schedules fn(sim, arg, data) at absolute time t >= now; its handle goes
 * to *id (id may be NULL).  Returns -1 (with a message) for a time in the
 * past or when memory is exhausted. */
int sy_sim_at(sy_sim *sim, sy_time t, sy_event_fn fn, void *arg,
	      uint64_t data, sy_event_id *id, sy_err *err);
/* Same, at now + dt, dt >= 0. */
int sy_sim_after(sy_sim *sim, sy_time dt, sy_event_fn fn, void *arg,
		 uint64_t data, sy_event_id *id, sy_err *err);

/* Cancels a pending event.  Returns true if it was pending; false (and does
 * nothing) if it already fired or was cancelled. */
bool sy_sim_cancel(sy_sim *sim, sy_event_id id);
bool sy_sim_pending(const sy_sim *sim, sy_event_id id);
/* The time a pending event is due; SY_TIME_NEVER if it is not pending. */
sy_time sy_sim_due(const sy_sim *sim, sy_event_id id);

/* Number of live (pending, not cancelled) events. */
size_t sy_sim_size(const sy_sim *sim);

typedef enum sy_run_end {
	SY_RUN_EMPTY,   /* no event left */
	SY_RUN_UNTIL,   /* the time limit was reached */
	SY_RUN_STOPPED, /* an event called sy_sim_stop */
} sy_run_end;

/* Runs events in (time, scheduling order) until the queue is empty, the
 * next event lies after `until`, or an event calls sy_sim_stop.  Events at
 * exactly `until` run.  When the run ends by the limit, or by an empty
 * queue while a finite limit was given, the clock is left at `until`. */
sy_run_end sy_sim_run(sy_sim *sim, sy_time until);

/* Ends the current run after the event that calls it. */
void sy_sim_stop(sy_sim *sim);

/* Bytes held by the simulator for its events: the slot table and the
 * scheduler's memory (for the benchmarks). */
size_t sy_sim_memory(const sy_sim *sim);

/* Events fired since the simulator was created. */
uint64_t sy_sim_fired(const sy_sim *sim);

/* Seeds r as stream (name, index) of this run (rng.h). */
void sy_sim_stream(const sy_sim *sim, sy_rng *r, const char *name,
		   uint64_t index);

#endif
