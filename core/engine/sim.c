#include "config.h"

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler.h"
#include "sim.h"
#include "sim_seq.h"
#include "units.h"

/* The slot table: seq is the sequence number of the event holding the
 * slot, or 0 when the slot is free.  An entry whose seq no longer matches
 * its slot's is dead (cancelled, possibly with the slot reused since).  due
 * is the event's time; for a free slot it holds the index of the next free
 * slot instead.  Firing an event reads seq and, releasing the slot, writes
 * both: keeping them side by side makes that one cache line. */
struct slot {
	uint64_t seq;
	sy_time due;
};

#define NO_SLOT SY_SLOT_NONE

/* A watched file descriptor (real time). */
struct watch {
	int fd;
	bool hold;
	sy_watch_fn fn;
	void *arg;
};

struct sy_sim {
	sy_time now;
	uint64_t seed;
	uint64_t next_seq;  /* next sequence number; starts at 1 */
	uint64_t fired;
	int stop;
	bool failed;
	sy_err failure;     /* the first sy_sim_fail, once failed */

	sy_instance sched;
	const sy_sched_ops *ops;

	struct slot *slots;
	uint32_t nslots;    /* allocated */
	uint32_t free_head; /* free list through slots[].due */
	size_t live;        /* scheduled and not cancelled */
	size_t dead;        /* cancelled but still held by the scheduler */

	/* real time */
	bool realtime;
	struct watch *watches;
	struct pollfd *pfds;    /* capwatches of them, for serve_input */
	size_t nwatches, capwatches;
	size_t nhold;       /* watches that hold the run */
	sy_lag lag;
};

/* Dead entries are dropped in bulk once they outnumber the live ones (and
 * are not trivially few), which keeps the scheduler at most about twice the
 * live size at O(1) amortized cost per cancel. */
#define COMPACT_MIN 1024

static int fault_env(sy_err *err);

sy_sim *sy_sim_new(uint64_t seed, sy_instance *sched, sy_err *err)
{
	sy_sim *sim;

	if (fault_env(err) < 0) {
		sy_instance_free(sched);
		return NULL;
	}

	if (strcmp(sched->plugin->kind, "scheduler") != 0) {
		char id[SY_PLUGIN_ID_MAX];

		sy_plugin_id(sched->plugin, id);
		sy_instance_free(sched);
		sy_err_set(err, "%s is not a scheduler", id);
		return NULL;
	}
	sim = calloc(1, sizeof *sim);
	if (!sim) {
		sy_instance_free(sched);
		sy_err_set(err, "out of memory creating a simulator");
		return NULL;
	}
	sim->seed = seed;
	sim->next_seq = 1;
	sim->free_head = NO_SLOT;
	sim->sched = *sched;
	memset(sched, 0, sizeof *sched);
	sim->ops = sim->sched.plugin->ops;
	if (sy_instance_init(&sim->sched, sim, err) < 0) {
		sy_sim_free(sim);
		return NULL;
	}
	return sim;
}

void sy_sim_free(sy_sim *sim)
{
	if (!sim)
		return;
	sy_instance_free(&sim->sched);
	free(sim->slots);
	free(sim->watches);
	free(sim->pfds);
	free(sim);
}

sy_time sy_sim_now(const sy_sim *sim) { return sim->now; }
uint64_t sy_sim_seed(const sy_sim *sim) { return sim->seed; }
uint64_t sy_sim_fired(const sy_sim *sim) { return sim->fired; }
size_t sy_sim_size(const sy_sim *sim) { return sim->live; }

size_t sy_sim_memory(const sy_sim *sim)
{
	size_t slots = (size_t)sim->nslots * sizeof *sim->slots;

	return sizeof *sim + slots + sim->ops->memory(sim->sched.state);
}

const sy_plugin *sy_sim_scheduler(const sy_sim *sim)
{
	return sim->sched.plugin;
}

void sy_sim_stream(const sy_sim *sim, sy_rng *r, const char *name,
		   uint64_t index)
{
	sy_rng_stream(r, sim->seed, name, index);
}

static int grow_slots(sy_sim *sim)
{
	uint32_t n = sim->nslots ? sim->nslots * 2 : 256;
	struct slot *v;

	if (sim->nslots >= NO_SLOT / 2)
		return -1;
	v = realloc(sim->slots, (size_t)n * sizeof *v);
	if (!v)
		return -1;
	sim->slots = v;
	/* New slots go onto the free list in index order, so slot numbers
	 * (and thus everything else) are the same in every run. */
	for (uint32_t i = n; i-- > sim->nslots;) {
		v[i].seq = 0;
		v[i].due = sim->free_head;
		sim->free_head = i;
	}
	sim->nslots = n;
	return 0;
}

static void release(sy_sim *sim, uint32_t i)
{
	sim->slots[i].seq = 0;
	sim->slots[i].due = sim->free_head;
	sim->free_head = i;
}

/* Inserts e (its time and seq set) with a cancellation slot, whose
 * handle goes to id. */
static int insert_held(sy_sim *sim, sy_sched_entry *e, sy_event_id *id, sy_err *err)
{
	uint32_t i;

	if (sim->free_head == NO_SLOT && grow_slots(sim) < 0)
		return sy_err_set(err, "out of memory scheduling an event");
	i = sim->free_head;
	e->slot = i;
	if (sim->ops->insert(sim->sched.state, e) < 0)
		return sy_err_set(err, "out of memory scheduling an event");
	sim->free_head = (uint32_t)sim->slots[i].due;
	sim->slots[i].seq = e->seq;
	sim->slots[i].due = e->time;
	sim->live++;
	id->seq = e->seq;
	id->slot = i;
	return 0;
}

int sy_sim_at(sy_sim *sim, sy_time t, sy_event_fn fn, void *arg,
	      uint64_t data, sy_event_id *id, sy_err *err)
{
	sy_sched_entry e;

	if (t < sim->now) {
		char a[32], b[32];

		sy_format_duration(a, sizeof a, t < 0 ? -t : t);
		sy_format_duration(b, sizeof b, sim->now);
		return sy_err_set(err,
				  "cannot schedule an event at %s%s, before the current time %s",
				  t < 0 ? "-" : "", a, b);
	}
	e.time = t;
	e.seq = sim->next_seq;
	e.fn = fn;
	e.arg = arg;
	e.data = data;
	if (!id) {
		/* Nobody can cancel it: no slot, and firing it touches no
		 * memory of the simulator's (the common case of the data
		 * path: transmissions and arrivals). */
		e.slot = NO_SLOT;
		if (sim->ops->insert(sim->sched.state, &e) < 0)
			return sy_err_set(err, "out of memory scheduling an event");
		sim->next_seq++;
		sim->live++;
		return 0;
	}
	if (insert_held(sim, &e, id, err) < 0)
		return -1;
	sim->next_seq++;
	return 0;
}

uint64_t sy_sim_seq_next(const sy_sim *sim) { return sim->next_seq; }

uint64_t sy_sim_seq_take(sy_sim *sim) { return sim->next_seq++; }

sy_event_id sy_sim_id_at(const sy_sim *sim, uint32_t slot, uint32_t low)
{
	uint64_t seq;

	if (slot >= sim->nslots)
		return SY_EVENT_NONE;
	seq = sim->slots[slot].seq;
	if (seq == 0 || (uint32_t)seq != low)
		return SY_EVENT_NONE;
	return (sy_event_id){ seq, slot };
}

int sy_sim_at_seq(sy_sim *sim, sy_time t, uint64_t seq, sy_event_fn fn, void *arg,
		  uint64_t data, sy_event_id *id, sy_err *err)
{
	sy_sched_entry e = { .time = t, .seq = seq, .fn = fn, .arg = arg, .data = data };

	SY_INVARIANT(seq != 0 && seq < sim->next_seq && t >= sim->now && id);
	return insert_held(sim, &e, id, err);
}

int sy_sim_after(sy_sim *sim, sy_time dt, sy_event_fn fn, void *arg,
		 uint64_t data, sy_event_id *id, sy_err *err)
{
	if (dt < 0)
		return sy_err_set(err, "cannot schedule an event after a negative delay");
	if (dt > SY_TIME_NEVER - sim->now)
		return sy_err_set(err, "event time overflows the clock");
	return sy_sim_at(sim, sim->now + dt, fn, arg, data, id, err);
}

static bool lookup(const sy_sim *sim, sy_event_id id)
{
	return id.seq != 0 && id.slot < sim->nslots &&
	       sim->slots[id.slot].seq == id.seq;
}

bool sy_sim_pending(const sy_sim *sim, sy_event_id id)
{
	return lookup(sim, id);
}

sy_time sy_sim_due(const sy_sim *sim, sy_event_id id)
{
	return lookup(sim, id) ? sim->slots[id.slot].due : SY_TIME_NEVER;
}

static bool keep_live(void *ctx, const sy_sched_entry *e)
{
	const sy_sim *sim = ctx;

	return e->slot == NO_SLOT || sim->slots[e->slot].seq == e->seq;
}

bool sy_sim_cancel(sy_sim *sim, sy_event_id id)
{
	if (!lookup(sim, id))
		return false;
	release(sim, id.slot);
	sim->live--;
	sim->dead++;
	if (sim->dead > COMPACT_MIN && sim->dead > sim->live) {
		sim->ops->filter(sim->sched.state, keep_live, sim);
		sim->dead = 0;
	}
	return true;
}

void sy_sim_stop(sy_sim *sim)
{
	sim->stop = 1;
}

void sy_sim_fail(sy_sim *sim, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	sim->stop = 1;
	if (sim->failed)
		return;
	sim->failed = true;
	va_start(ap, fmt);
	vsnprintf(sim->failure.msg, sizeof sim->failure.msg, fmt, ap);
	va_end(ap);
	n = strlen(sim->failure.msg);
	snprintf(sim->failure.msg + n, sizeof sim->failure.msg - n,
		 " at virtual time %.9f s", sy_time_to_sec(sim->now));
}

const char *sy_sim_failure(const sy_sim *sim)
{
	return sim->failed ? sim->failure.msg : NULL;
}

/* How a run that was told to stop ends. */
static sy_run_end stopped(sy_sim *sim)
{
	sim->stop = 0;
	return sim->failed ? SY_RUN_FAILED : SY_RUN_STOPPED;
}

static sy_run_end run_realtime(sy_sim *sim, sy_time until);

sy_run_end sy_sim_run(sy_sim *sim, sy_time until)
{
	const sy_sched_ops *ops = sim->ops;
	void *st = sim->sched.state;

	/* A failed run's state is wrong: nothing more runs on it. */
	if (sim->failed)
		return SY_RUN_FAILED;
	if (sim->realtime)
		return run_realtime(sim, until);
	sim->stop = 0;
	for (;;) {
		const sy_sched_entry *e = ops->peek(st);
		sy_event_fn fn;
		void *arg;
		uint64_t data;

		if (!e) {
			if (until != SY_TIME_NEVER && until > sim->now)
				sim->now = until;
			return SY_RUN_EMPTY;
		}
		/* dead counts the cancelled entries the scheduler still holds:
		 * while it is 0 every entry is live and its slot need not be
		 * read (at 10^5 pending events that read is a cache miss). */
		if (sim->dead && e->slot != NO_SLOT &&
		    sim->slots[e->slot].seq != e->seq) {
			ops->pop(st);
			sim->dead--;
			continue;
		}
		if (e->time > until) {
			if (until > sim->now)
				sim->now = until;
			return SY_RUN_UNTIL;
		}
		/* The clock never goes back, every live event is counted and
		 * its slot is one of ours. */
		SY_INVARIANT(e->time >= sim->now && sim->live > 0 &&
			     (e->slot == NO_SLOT || e->slot < sim->nslots));
		sim->now = e->time;
		fn = e->fn;
		arg = e->arg;
		data = e->data;
		/* The slot is free before the callback runs: the callback may
		 * schedule (and reuse it) and its own handle is already stale,
		 * so cancelling itself is harmless. */
		if (e->slot != NO_SLOT)
			release(sim, e->slot);
		ops->pop(st);
		sim->live--;
		sim->fired++;
		fn(sim, arg, data);
		if (sim->stop)
			return stopped(sim);
	}
}

/* ------------------------------------------------------------ faults */

unsigned sy_fault_sites;

static const char *const fault_names[SY_FAULT_NSITES] = {
	[SY_FAULT_CC] = "cc",
	[SY_FAULT_SACK] = "sack",
	[SY_FAULT_OOO] = "ooo",
	[SY_FAULT_SCRATCH] = "scratch",
	[SY_FAULT_SAMPLE] = "sample",
	[SY_FAULT_WATCH] = "watch",
	[SY_FAULT_ACCEPT] = "accept",
};

int sy_fault_set(const char *list, sy_err *err)
{
	unsigned mask = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		int i;

		for (i = 0; i < SY_FAULT_NSITES; i++)
			if (strlen(fault_names[i]) == n &&
			    strncmp(p, fault_names[i], n) == 0)
				break;
		if (i == SY_FAULT_NSITES && n)
			return sy_err_set(err, "unknown allocation fault site '%.*s' "
					  "(known: cc, sack, ooo, scratch, sample, watch, accept)",
					  (int)n, p);
		if (n)
			mask |= 1u << i;
		p += n;
		if (*p)
			p++;
	}
	sy_fault_sites = mask;
	return 0;
}

/* SYNACK_FAULT (a list for sy_fault_set) is read by the first simulator
 * made, so that scripts can be tested too. */
static int fault_env(sy_err *err)
{
	static bool done;
	const char *v;

	if (done)
		return 0;
	v = getenv("SYNACK_FAULT");
	if (v && sy_fault_set(v, err) < 0)
		return sy_err_prefix(err, "SYNACK_FAULT");
	done = true;
	return 0;
}

/* ------------------------------------------------------------ real time */

sy_time sy_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (sy_time)ts.tv_sec * SY_SEC + ts.tv_nsec;
}

void sy_sim_set_realtime(sy_sim *sim, bool on) { sim->realtime = on; }
bool sy_sim_realtime(const sy_sim *sim) { return sim->realtime; }
size_t sy_sim_watches(const sy_sim *sim) { return sim->nwatches; }
void sy_sim_lag(const sy_sim *sim, sy_lag *lag) { *lag = sim->lag; }

static struct watch *find_watch(sy_sim *sim, int fd)
{
	for (size_t i = 0; i < sim->nwatches; i++)
		if (sim->watches[i].fd == fd)
			return &sim->watches[i];
	return NULL;
}

int sy_sim_watch(sy_sim *sim, int fd, bool hold, sy_watch_fn fn, void *arg,
		 sy_err *err)
{
	if (fd < 0)
		return sy_err_set(err, "cannot watch file descriptor %d", fd);
	if (find_watch(sim, fd))
		return sy_err_set(err, "file descriptor %d is watched already", fd);
	/* The poll array grows with the watches, so that waiting for input
	 * never needs memory it could fail to get. */
	if (sim->nwatches == sim->capwatches) {
		size_t cap = sim->capwatches ? 2 * sim->capwatches : 4;
		struct watch *v = realloc(sim->watches, cap * sizeof *v);
		struct pollfd *pf;

		if (!v)
			return sy_err_set(err, "out of memory watching a file descriptor");
		sim->watches = v;
		pf = realloc(sim->pfds, cap * sizeof *pf);
		if (!pf)
			return sy_err_set(err, "out of memory watching a file descriptor");
		sim->pfds = pf;
		sim->capwatches = cap;
	}
	sim->watches[sim->nwatches++] = (struct watch){ fd, hold, fn, arg };
	if (hold)
		sim->nhold++;
	return 0;
}

bool sy_sim_unwatch(sy_sim *sim, int fd)
{
	struct watch *w = find_watch(sim, fd);

	if (!w)
		return false;
	if (w->hold)
		sim->nhold--;
	/* Order kept: descriptors are served in the order they were
	 * watched, so a run's inputs are handled the same way each time. */
	memmove(w, w + 1, (size_t)(sim->watches + sim->nwatches - (w + 1)) * sizeof *w);
	sim->nwatches--;
	return true;
}

/* The next live entry, dropping cancelled ones on the way. */
static const sy_sched_entry *peek_live(sy_sim *sim)
{
	const sy_sched_entry *e;

	while ((e = sim->ops->peek(sim->sched.state)) && sim->dead &&
	       e->slot != NO_SLOT && sim->slots[e->slot].seq != e->seq) {
		sim->ops->pop(sim->sched.state);
		sim->dead--;
	}
	return e;
}

/* Waits for input until wall time `deadline` (SY_TIME_NEVER: no limit),
 * then calls the watch function of every ready descriptor at time `at`
 * (computed by the caller's rule from the wall time of the input: see
 * run_realtime).  Returns the number of watch calls. */
static int serve_input(sy_sim *sim, sy_time wall0, sy_time deadline,
		       sy_time cap)
{
	struct pollfd *fds = sim->pfds;
	struct timespec ts, *tsp = NULL;
	size_t n = sim->nwatches;
	int rc, calls = 0;

	for (size_t i = 0; i < n; i++)
		fds[i] = (struct pollfd){ .fd = sim->watches[i].fd, .events = POLLIN };
	if (deadline != SY_TIME_NEVER) {
		sy_time wait = deadline - (sy_wall_ns() - wall0);

		if (wait < 0)
			wait = 0;
		ts.tv_sec = (time_t)(wait / SY_SEC);
		ts.tv_nsec = (long)(wait % SY_SEC);
		tsp = &ts;
	}
	rc = ppoll(fds, (nfds_t)n, tsp, NULL);
	if (rc > 0) {
		/* The input's time: now on the wall clock, but never before
		 * the clock nor after the next event (cap), whose turn it
		 * would otherwise have been. */
		sy_time t = sy_wall_ns() - wall0;

		if (t > cap)
			t = cap;
		if (t > sim->now)
			sim->now = t;
		for (size_t i = 0; i < n && !sim->stop; i++) {
			/* Through sim->pfds: a watch function may watch more
			 * descriptors, which moves the array. */
			const struct pollfd pf = sim->pfds[i];
			struct watch *w;

			if (!(pf.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
				continue;
			/* An earlier call may have ended this watch. */
			w = find_watch(sim, pf.fd);
			if (!w)
				continue;
			if (pf.revents & POLLNVAL) {
				/* Closed under us: nothing will ever come. */
				sy_sim_unwatch(sim, pf.fd);
				continue;
			}
			sim->lag.inputs++;
			calls++;
			w->fn(sim, w->arg, w->fd);
		}
	}
	return calls;
}

/* Events due are run at once; a run that is behind still looks at its
 * input every POLL_EVERY events, so that a long backlog of events due
 * cannot starve the descriptors (the input then gets the time of the
 * last event run). */
#define POLL_EVERY 64

static sy_run_end run_realtime(sy_sim *sim, sy_time until)
{
	sy_time wall0 = sy_wall_ns() - sim->now; /* wall time of virtual 0 */
	unsigned since_poll = 0;

	sim->stop = 0;
	for (;;) {
		const sy_sched_entry *e = peek_live(sim);
		sy_time wall = sy_wall_ns() - wall0;
		sy_time next = e ? e->time : SY_TIME_NEVER;

		if (e && e->time <= until && e->time <= wall &&
		    (since_poll < POLL_EVERY || sim->nwatches == 0)) {
			sy_event_fn fn = e->fn;
			void *arg = e->arg;
			uint64_t data = e->data;
			sy_time lag = wall - e->time;

			SY_INVARIANT(e->time >= sim->now && sim->live > 0 &&
				     (e->slot == NO_SLOT ||
				      e->slot < sim->nslots));
			sim->now = e->time;
			if (e->slot != NO_SLOT)
				release(sim, e->slot);
			sim->ops->pop(sim->sched.state);
			sim->live--;
			sim->fired++;
			sim->lag.events++;
			sim->lag.total += lag;
			if (lag > sim->lag.max)
				sim->lag.max = lag;
			since_poll++;
			fn(sim, arg, data);
			if (sim->stop)
				return stopped(sim);
			continue;
		}
		since_poll = 0;
		if (e && e->time <= until && e->time <= wall) {
			/* Behind: a look at the input without waiting. */
			serve_input(sim, wall0, 0, sim->now);
		} else if (!e || e->time > until) {
			/* Nothing to run before the limit. */
			bool wait = sim->nwatches > 0 &&
				    (until != SY_TIME_NEVER || sim->nhold > 0);

			if (!wait || (until != SY_TIME_NEVER && wall >= until)) {
				if (until != SY_TIME_NEVER && until > sim->now)
					sim->now = until;
				return e ? SY_RUN_UNTIL : SY_RUN_EMPTY;
			}
			serve_input(sim, wall0, until, until);
		} else if (sim->nwatches) {
			serve_input(sim, wall0, next, next);
		} else {
			/* Sleep until the event is due. */
			struct timespec ts;
			sy_time wait = next - wall;

			ts.tv_sec = (time_t)(wait / SY_SEC);
			ts.tv_nsec = (long)(wait % SY_SEC);
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		if (sim->stop)
			return stopped(sim);
	}
}
