/* FQ-CoDel, "The Flow Queue CoDel Packet Scheduler and Active Queue
 * Management Algorithm" (RFC 8290): packets are sorted into `flows`
 * queues by a hash of their 5-tuple, the queues are served by deficit
 * round robin, and each runs CoDel (codel.h, codel.c's comment) with the
 * shared parameters; CoDel's byte threshold (`mtu`) looks at the flow's
 * own queue, so a flow with at most one packet waiting is never dropped
 * from by CoDel.
 *
 * Classification (4.1.1): the hash covers the IPv4 source and destination,
 * the protocol and, for TCP and UDP, the ports, keyed by a per-instance
 * random perturbation drawn from the queue's seed (SipHash-2-4 under a
 * 128-bit key), so that which flows share a queue differs between seeds
 * and is the same for the same seed.  A packet without the headers (too
 * short) hashes what it has.
 *
 * Scheduling (4.2, 4.3): each queue has a deficit (bytes).  Queues with
 * packets are on one of two lists, new and old.  A queue that gets a
 * packet while on neither list joins the tail of the new list with a
 * deficit of one `quantum`.  To dequeue, the scheduler looks at the head
 * of the new list, or of the old list if the new one is empty:
 *	- a deficit of 0 or less gets one more quantum and the queue moves
 *	  to the tail of the old list; look again;
 *	- else CoDel dequeues from it; if that yields a packet, its length
 *	  is taken from the deficit and it is sent;
 *	- if the queue is empty, a queue from the new list moves to the
 *	  tail of the old list (so that a flow cannot stay on the new list by
 *	  emptying its queue each time: it must stay empty for a whole round
 *	  of the old list), and one from the old list leaves both lists;
 *	  look again.
 * So a sparse flow, whose queue empties between its packets, is served
 * ahead of backlogged ones, and backlogged flows share the link equally in
 * bytes whatever their packet sizes.
 *
 * Overload (4.1): when an arrival brings the total to more than `limit`
 * packets, the queue holding the most bytes (the fattest flow) loses the
 * packet at its head (one packet per such arrival: no batch drop).  The
 * queue interface can only refuse the packet offered at enqueue, so a
 * packet dropped there from another flow is kept apart and handed to the
 * link's drop callback at the next dequeue (which comes within one
 * transmission time: the link is busy whenever the queue holds packets);
 * it no longer counts in packets() and bytes().
 *
 * Invariants (checked): packets() <= limit after every enqueue; a queue
 * joins a list only when on none; the totals are the sums over the
 * queues, and every queue holding packets is on a list (both checked at
 * flush, which walks every queue anyway). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "queue.h"
#include "siphash.h"

#include "codel.h"
#include "fifo.h"

enum { LIST_NONE, LIST_NEW, LIST_OLD };

struct flow {
	struct sy_fifo fifo;
	struct sy_codel_vars v;
	int64_t deficit;        /* bytes */
	struct flow *next;      /* on its list */
	int list;               /* LIST_* */
};

struct flow_list {
	struct flow *head, *tail;
};

struct fq_codel {
	/* parameters */
	sy_time target, interval;
	int64_t mtu;            /* bytes */
	int64_t limit;          /* packets, over all flows */
	int64_t nflows;
	int64_t quantum;        /* bytes */
	bool ecn;

	struct sy_codel_params cp;
	uint8_t key[16];        /* the hash perturbation */
	struct flow *flows;
	struct flow_list new_flows, old_flows;
	size_t n;               /* packets in the flows */
	uint64_t bytes;
	struct sy_fifo doomed;  /* dropped at enqueue, for the next dequeue */
};

static void set_key(struct fq_codel *q, sy_rng *r)
{
	for (int i = 0; i < 2; i++) {
		uint64_t x = sy_rng_next(r);

		for (int b = 0; b < 8; b++)
			q->key[i * 8 + b] = (uint8_t)(x >> (8 * b));
	}
}

static int fq_init(void *st, struct sy_sim *sim, sy_err *err)
{
	struct fq_codel *q = st;
	sy_rng r;

	if (q->target >= q->interval)
		return sy_err_set(err, "parameter 'target' (%lld ns) must be "
				  "below 'interval' (%lld ns)",
				  (long long)q->target, (long long)q->interval);
	q->cp.target = q->target;
	q->cp.interval = q->interval;
	q->cp.mtu = (uint64_t)q->mtu;
	q->cp.ecn = q->ecn;
	q->flows = calloc((size_t)q->nflows, sizeof *q->flows);
	if (!q->flows)
		return sy_err_set(err, "out of memory for %lld flow queues",
				  (long long)q->nflows);
	/* A usable key until seed() gives the run's own. */
	sy_rng_stream(&r, 0, "queue/fq_codel", 0);
	set_key(q, &r);
	return 0;
}

static void fq_fini(void *st)
{
	struct fq_codel *q = st;

	free(q->flows);
	q->flows = NULL;
}

static void fq_seed(void *st, const sy_rng *r)
{
	struct fq_codel *q = st;
	sy_rng copy = *r;

	set_key(q, &copy);
}

/* The queue of p's 5-tuple. */
static struct flow *classify(struct fq_codel *q, const sy_packet *p)
{
	unsigned char t[13] = { 0 };
	size_t hl = p->hdr_len;
	unsigned ihl = p->ip_hlen ? p->ip_hlen : 20;

	if (hl >= 20) {
		memcpy(t, p->hdr + 12, 8);     /* source, destination */
		t[8] = p->hdr[9];              /* protocol */
		if ((t[8] == SY_IPPROTO_TCP || t[8] == SY_IPPROTO_UDP) &&
		    hl >= ihl + 4)
			memcpy(t + 9, p->hdr + ihl, 4); /* ports */
	}
	return &q->flows[sy_siphash24(q->key, t, sizeof t) %
			 (uint64_t)q->nflows];
}

static void list_push(struct flow_list *l, struct flow *f, int which)
{
	SY_INVARIANT(f->list == LIST_NONE);
	f->next = NULL;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
	f->list = which;
}

static struct flow *list_pop(struct flow_list *l)
{
	struct flow *f = l->head;

	l->head = f->next;
	if (!l->head)
		l->tail = NULL;
	f->next = NULL;
	f->list = LIST_NONE;
	return f;
}

/* RFC 8290 4.1: the head of the queue holding the most bytes goes.  Only
 * queues on a list hold packets. */
static void drop_from_fattest(struct fq_codel *q)
{
	struct flow *fat = NULL;
	sy_packet *p;

	for (int i = 0; i < 2; i++)
		for (struct flow *f = i ? q->old_flows.head
				: q->new_flows.head; f; f = f->next)
			if (!fat || f->fifo.bytes > fat->fifo.bytes)
				fat = f;
	SY_INVARIANT(fat && fat->fifo.n > 0);
	p = sy_fifo_pop(&fat->fifo);
	q->n--;
	q->bytes -= p->len;
	sy_fifo_push(&q->doomed, p);
}

static bool fq_enqueue(void *st, sy_packet *p, sy_time now)
{
	struct fq_codel *q = st;
	struct flow *f = classify(q, p);

	p->stamp = now;
	sy_fifo_push(&f->fifo, p);
	q->n++;
	q->bytes += p->len;
	if (f->list == LIST_NONE) {
		f->deficit = q->quantum;
		list_push(&q->new_flows, f, LIST_NEW);
	}
	if (q->n > (uint64_t)q->limit)
		drop_from_fattest(q);
	SY_INVARIANT(q->n <= (uint64_t)q->limit);
	return true;
}

static sy_packet *fq_dequeue(void *st, sy_time now,
			     void (*drop)(void *ctx, sy_packet *p), void *ctx)
{
	struct fq_codel *q = st;

	sy_fifo_flush(&q->doomed, drop, ctx);
	for (;;) {
		struct flow_list *l = q->new_flows.head ? &q->new_flows
			: &q->old_flows;
		struct flow *f = l->head;
		size_t n0;
		uint64_t b0;
		sy_packet *p;

		if (!f)
			return NULL;
		if (f->deficit <= 0) {
			f->deficit += q->quantum;
			list_push(&q->old_flows, list_pop(l), LIST_OLD);
			continue;
		}
		n0 = f->fifo.n;
		b0 = f->fifo.bytes;
		p = sy_codel_dequeue(&q->cp, &f->v, &f->fifo, now, drop, ctx);
		/* What CoDel took, sent or dropped, leaves the totals. */
		q->n -= n0 - f->fifo.n;
		q->bytes -= b0 - f->fifo.bytes;
		if (p) {
			f->deficit -= p->len;
			return p;
		}
		/* Empty: a new flow must wait a round on the old list. */
		if (l == &q->new_flows)
			list_push(&q->old_flows, list_pop(l), LIST_OLD);
		else
			list_pop(l);
	}
}

static size_t fq_packets(const void *st)
{
	const struct fq_codel *q = st;

	return q->n;
}

static size_t fq_bytes(const void *st)
{
	const struct fq_codel *q = st;

	return (size_t)q->bytes;
}

static void fq_flush(void *st, void (*drop)(void *ctx, sy_packet *p),
		     void *ctx)
{
	struct fq_codel *q = st;
	size_t n = 0;
	uint64_t bytes = 0;

	sy_fifo_flush(&q->doomed, drop, ctx);
	for (int64_t i = 0; i < q->nflows; i++) {
		struct flow *f = &q->flows[i];

		SY_INVARIANT(f->fifo.n == 0 || f->list != LIST_NONE);
		n += f->fifo.n;
		bytes += f->fifo.bytes;
		sy_fifo_flush(&f->fifo, drop, ctx);
		f->list = LIST_NONE;
		f->next = NULL;
	}
	SY_INVARIANT(n == q->n && bytes == q->bytes);
	q->new_flows.head = q->new_flows.tail = NULL;
	q->old_flows.head = q->old_flows.tail = NULL;
	q->n = 0;
	q->bytes = 0;
}

static const sy_queue_ops ops = {
	SY_OPS_HEAD(SY_QUEUE_OPS_VERSION, sy_queue_ops),
	.seed = fq_seed,
	.enqueue = fq_enqueue,
	.dequeue = fq_dequeue,
	.packets = fq_packets,
	.bytes = fq_bytes,
	.flush = fq_flush,
};

static const sy_param params[] = {
	{ .name = "target", .type = SY_PT_DURATION,
	  .offset = offsetof(struct fq_codel, target),
	  .def = "5ms", .min = "1us", .max = "10s",
	  .doc = "CoDel's acceptable standing delay per flow (below "
		 "interval)" },
	{ .name = "interval", .type = SY_PT_DURATION,
	  .offset = offsetof(struct fq_codel, interval),
	  .def = "100ms", .min = "1us", .max = "100s",
	  .doc = "CoDel's interval (about a worst-case RTT)" },
	{ .name = "mtu", .type = SY_PT_SIZE,
	  .offset = offsetof(struct fq_codel, mtu),
	  .def = "1514B", .min = "0B", .max = "64KiB",
	  .doc = "maxpacket: no CoDel drop while at most this many bytes "
		 "stay in the flow's queue" },
	{ .name = "limit", .type = SY_PT_INT,
	  .offset = offsetof(struct fq_codel, limit),
	  .def = "10240", .min = "1", .max = "10000000",
	  .doc = "packets over all flows; beyond it the fattest flow loses "
		 "its head packet" },
	{ .name = "flows", .type = SY_PT_INT,
	  .offset = offsetof(struct fq_codel, nflows),
	  .def = "1024", .min = "1", .max = "65536",
	  .doc = "number of flow queues the 5-tuples hash into" },
	{ .name = "quantum", .type = SY_PT_SIZE,
	  .offset = offsetof(struct fq_codel, quantum),
	  .def = "1514B", .min = "1B", .max = "1MiB",
	  .doc = "bytes a flow may send per round of the deficit round "
		 "robin" },
	{ .name = "ecn", .type = SY_PT_BOOL,
	  .offset = offsetof(struct fq_codel, ecn),
	  .def = "false",
	  .doc = "mark ECN-capable packets CE instead of CoDel drops (the "
		 "overload drop stays a drop)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "queue",
	.name = "fq_codel",
	.summary = "FQ-CoDel, RFC 8290 (hashed flow queues, DRR, CoDel each)",
	.state_size = sizeof(struct fq_codel),
	.params = params,
	.init = fq_init,
	.fini = fq_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
