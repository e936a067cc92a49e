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
	SY_RUN_FAILED,  /* the run failed (sy_sim_fail): see sy_sim_failure */
} sy_run_end;

/* Runs events in (time, scheduling order) until the queue is empty, the
 * next event lies after `until`, or an event calls sy_sim_stop.  Events at
 * exactly `until` run.  When the run ends by the limit, or by an empty
 * queue while a finite limit was given, the clock is left at `until`. */
sy_run_end sy_sim_run(sy_sim *sim, sy_time until);

/* Ends the current run after the event that calls it. */
void sy_sim_stop(sy_sim *sim);

/* Fails the run: something it needed could not be done (memory could not
 * be allocated), so its results would be wrong.  The first failure's
 * message (fmt, then " at virtual time T s") is kept; the run ends as by
 * sy_sim_stop, and this and every later sy_sim_run returns SY_RUN_FAILED
 * without running an event.  For failures inside events, which have no
 * caller to return an error to. */
void sy_sim_fail(sy_sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first failure's message, or NULL while the simulator has none. */
const char *sy_sim_failure(const sy_sim *sim);

/* Bytes held by the simulator for its events: the slot table and the
 * scheduler's memory (for the benchmarks). */
size_t sy_sim_memory(const sy_sim *sim);

/* Events fired since the simulator was created. */
uint64_t sy_sim_fired(const sy_sim *sim);

/* ------------------------------------------------------------ real time
 *
 * A real-time simulator runs the same event queue, but its clock follows
 * the wall clock (CLOCK_MONOTONIC): sy_sim_run waits until each event's
 * time has come, and while it waits it polls the watched file
 * descriptors.  Input on one runs its watch function at the current
 * time, which is then the wall-clock time of the input (or the time of
 * the last event, when the run is behind).  Virtual time t of a run is
 * wall time start + t, where start is fixed when sy_sim_run is called
 * (so the pause between two runs is not counted).  An event runs no
 * earlier than its due time; how much later is its lag, and the lag of
 * every event is accumulated for sy_sim_lag.
 *
 * A real-time run ends as a virtual one does, except that the queue
 * counts as empty only when no watch holds the run (hold): a run with a
 * holding watch waits for input for as long as the watch exists.  With a
 * finite `until` and any watch, the run waits for input until the wall
 * clock reaches `until`; with no watch at all it never waits for nothing
 * (an empty queue ends it at once, the clock at `until` as usual).
 * Watches are ignored by a virtual run. */

/* Called when fd is readable (or at its end, or in error): the function
 * reads it.  The simulator's clock is the input's time; the function may
 * schedule, stop the run, and unwatch any descriptor, fd included. */
typedef void (*sy_watch_fn)(sy_sim *sim, void *arg, int fd);

void sy_sim_set_realtime(sy_sim *sim, bool on);
bool sy_sim_realtime(const sy_sim *sim);

/* Watches fd (one watch per descriptor).  hold: the run does not end by
 * an empty queue while this watch exists (an input a script waits for);
 * a device that only may deliver something (a TUN interface) does not
 * hold.  Returns -1 with a message for a descriptor already watched or
 * when memory is exhausted. */
int sy_sim_watch(sy_sim *sim, int fd, bool hold, sy_watch_fn fn, void *arg,
		 sy_err *err);
/* Ends the watch of fd; true if there was one. */
bool sy_sim_unwatch(sy_sim *sim, int fd);
size_t sy_sim_watches(const sy_sim *sim);

/* How far behind the wall clock real-time runs fell, since the
 * simulator was created: events run, the largest and the total lag (ns,
 * wall time of running an event minus its due time), and inputs handled
 * (watch calls). */
typedef struct sy_lag {
	uint64_t events;
	sy_time max;
	sy_time total;
	uint64_t inputs;
} sy_lag;

void sy_sim_lag(const sy_sim *sim, sy_lag *lag);

/* The monotonic wall clock in nanoseconds (for tests and reports). */
sy_time sy_wall_ns(void);

/* ------------------------------------------------------------ faults
 *
 * For tests: allocation sites of a run that can be made to fail, so that
 * the failure path (sy_sim_fail) can be shown to work without exhausting
 * memory.  A site consults the mask only beside its own malloc. */
enum sy_fault_site {
	SY_FAULT_CC,      /* "cc": a connection's congestion-control state */
	SY_FAULT_SACK,    /* "sack": the SACK scoreboard */
	SY_FAULT_OOO,     /* "ooo": the out-of-order queue */
	SY_FAULT_SCRATCH, /* "scratch": the buffer payload is gathered in */
	SY_FAULT_SAMPLE,  /* "sample": queue-length samples */
	SY_FAULT_WATCH,   /* "watch": the line buffer of a watched input */
	SY_FAULT_ACCEPT,  /* "accept": a listener's accept queue */
	SY_FAULT_NSITES
};

extern unsigned sy_fault_sites;

#define SY_FAULT(site) __builtin_expect((sy_fault_sites >> (site)) & 1u, 0)

/* Sets the sites that fail from a comma-separated list of their names
 * (empty: none).  Returns -1 with a message for an unknown name. */
int sy_fault_set(const char *list, sy_err *err);

/* Seeds r as stream (name, index) of this run (rng.h). */
void sy_sim_stream(const sy_sim *sim, sy_rng *r, const char *name,
		   uint64_t index);

#endif
