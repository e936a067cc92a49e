/* Scheduler plugins: the priority queue under the simulator's clock.
 *
 * The simulator hands a scheduler entries ordered by (time, seq); seq is a
 * run-wide counter that increases with every insertion, so equal times keep
 * the order in which they were scheduled and no two entries compare equal.
 * The payload and `slot` are opaque to the scheduler: `slot` is the
 * simulator's, SY_SLOT_NONE for an event nobody can cancel.
 *
 * Cancellation is split between the two: the simulator marks a cancelled
 * event dead at once (O(1)) and skips dead entries when they reach the
 * front; when dead entries outnumber live ones it asks the scheduler to
 * drop them all with `filter`.  A scheduler therefore needs no per-entry
 * handle and may keep entries by value.
 *
 * A scheduler must not allocate per operation in the steady state: it may
 * grow its storage geometrically and keep what it grew. */
#ifndef SY_SCHEDULER_H
#define SY_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "vtime.h"

struct sy_sim;

#define SY_SLOT_NONE UINT32_MAX

/* What an event does when it fires (see sim.h). */
typedef void (*sy_event_fn)(struct sy_sim *sim, void *arg, uint64_t data);

/* An event as the scheduler holds it.  The payload (fn, arg, data) travels
 * with the key, so firing an event reads only the scheduler's own memory
 * plus one word of the simulator's: at 10^5 pending events a second
 * random access per event would cost as much as the queue itself. */
typedef struct sy_sched_entry {
	sy_time time;
	uint64_t seq;
	uint32_t slot;
	sy_event_fn fn;
	void *arg;
	uint64_t data;
} sy_sched_entry;

static inline bool sy_entry_before(const sy_sched_entry *a,
				   const sy_sched_entry *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

typedef bool (*sy_sched_keep)(void *ctx, const sy_sched_entry *e);

/* The version of the table below and of the types only it passes;
 * bumped by any change to them (plugin.h, "Versions"). */
#define SY_SCHED_OPS_VERSION 1

typedef struct sy_sched_ops {
	sy_ops_head head; /* SY_OPS_HEAD(SY_SCHED_OPS_VERSION, sy_sched_ops) */
	/* Adds e (copied).  Returns 0, or -1 when memory is exhausted. */
	int (*insert)(void *st, const sy_sched_entry *e);
	/* The least entry, or NULL when empty.  Valid until the next call. */
	const sy_sched_entry *(*peek)(void *st);
	/* Removes the least entry; the scheduler is not empty. */
	void (*pop)(void *st);
	size_t (*size)(const void *st);
	/* Removes every entry for which keep() returns false. */
	void (*filter)(void *st, sy_sched_keep keep, void *ctx);
	/* Bytes of memory held, for the benchmark. */
	size_t (*memory)(const void *st);
} sy_sched_ops;

#endif
