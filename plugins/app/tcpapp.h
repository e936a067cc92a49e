/* What the TCP applications (bulk, sink, reqresp, echo) share: the node's
 * endpoint, a list of their open connections, and the statistics summed
 * over open and finished connections.
 *
 * Each connection has a record (struct tapp_conn at the head of the
 * application's own) that lives until the endpoint frees the connection
 * (its "freed" event), when the connection's counters go into the
 * application's totals. */
#ifndef SY_TCPAPP_H
#define SY_TCPAPP_H

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "tcp.h"

struct tapp_conn {
	struct tapp_conn *next;
	struct tapp_conn **pprev;  /* what points at it: unlinking costs
				    * nothing however many are open */
	sy_tcb *c;                 /* NULL once freed */
	bool done;                 /* finished its transfer or exchanges */
};

struct tapp {
	sy_app_ctx ctx;
	sy_tcp_ep *ep;
	sy_app_stats st;           /* totals of freed connections, and the rest */
	struct tapp_conn *conns;   /* open connections */
};

static inline sy_time tapp_now(const struct tapp *a)
{
	return sy_sim_now(a->ctx.sim);
}

/* Takes the context and the node's endpoint, created with the defaults
 * if the node has none.  (A Lua script that also uses the endpoint, or
 * wants other plugins for it, calls node:tcp{...} before node:app: the
 * binding knows only endpoints it created.) */
static inline int tapp_init(struct tapp *a, const sy_app_ctx *ctx, sy_err *err)
{
	a->ctx = *ctx;
	a->st.start = -1;
	a->st.completion = -1;
	if (!sy_node_ifaces(ctx->node))
		return sy_err_set(err, "node '%s' has no link", sy_node_name(ctx->node));
	a->ep = sy_tcp_ep_of(ctx->node);
	if (!a->ep)
		a->ep = sy_tcp_ep_new(ctx->net, ctx->node, NULL, err);
	return a->ep ? 0 : -1;
}

/* Adds connection record k (zeroed by the caller) for c, whose
 * callbacks get ctx. */
static inline void tapp_add(struct tapp *a, struct tapp_conn *k, sy_tcb *c,
			    const sy_tcp_cb *cb, void *ctx)
{
	k->c = c;
	k->next = a->conns;
	k->pprev = &a->conns;
	if (a->conns)
		a->conns->pprev = &k->next;
	a->conns = k;
	a->st.connections++;
	if (a->st.start < 0)
		a->st.start = tapp_now(a);
	sy_tcp_set_callbacks(c, cb, ctx);
}

static inline void tapp_count(sy_app_stats *s, const sy_tcb *c)
{
	const sy_tcb_stats *st = sy_tcb_stats_get(c);

	s->packets_sent += st->segments_out;
	s->packets_received += st->segments_in;
	s->bytes_sent += st->bytes_acked;
	s->bytes_received += st->bytes_received;
}

/* The application's last byte so far was acknowledged or received at
 * `when`. */
static inline void tapp_complete(struct tapp *a, sy_time when)
{
	if (a->st.completion < when)
		a->st.completion = when;
}

/* A connection is finished: its transfer is complete (one more
 * completed). */
static inline void tapp_done(struct tapp *a, struct tapp_conn *k, sy_time when)
{
	if (k->done)
		return;
	k->done = true;
	a->st.completed++;
	tapp_complete(a, when);
}

/* Handles the events every application treats alike: CLOSED before the
 * work was done counts as failed; "freed" moves the counters into the
 * totals and unlinks the record (returns true: the caller frees it, after
 * cancelling its own events). */
static inline bool tapp_event(struct tapp *a, struct tapp_conn *k,
			      sy_tcp_state from, sy_tcp_state to,
			      sy_tcp_cause cause)
{
	if (from != to) {
		if (to == SY_TCP_CLOSED && !k->done)
			a->st.failed++;
		return false;
	}
	if (cause != SY_TCP_CAUSE_FREED)
		return false;
	tapp_count(&a->st, k->c);
	assert(k->pprev && *k->pprev == k);
	*k->pprev = k->next;
	if (k->next)
		k->next->pprev = k->pprev;
	k->next = NULL;
	k->pprev = NULL;
	k->c = NULL;
	return true;
}

/* The totals with the open connections' counters, and the goodput. */
static inline sy_app_stats tapp_stats(const struct tapp *a)
{
	sy_app_stats s = a->st;
	sy_time end;

	for (const struct tapp_conn *k = a->conns; k; k = k->next)
		tapp_count(&s, k->c);
	end = s.completion >= 0 ? s.completion : tapp_now(a);
	if (s.start >= 0 && end > s.start)
		s.goodput = (double)(s.bytes_sent + s.bytes_received) * 1e9 /
			    (double)(end - s.start);
	return s;
}

/* Frees the records still open.  The application goes with its
 * simulator (which may be gone already, with the network): no callback
 * or event of a record will come, and neither is touched. */
static inline void tapp_fini(struct tapp *a)
{
	while (a->conns) {
		struct tapp_conn *k = a->conns;

		a->conns = k->next;
		free(k);
	}
}

/* Data options of c changed from the endpoint's: 0 keeps a value. */
static inline int tapp_set_bufs(sy_tcb *c, int64_t sndbuf, int64_t rcvbuf,
				int nagle, int autoread, sy_err *err)
{
	sy_tcp_data_opts o;

	sy_tcp_get_data_opts(c, &o);
	if (sndbuf > 0)
		o.sndbuf = (uint32_t)sndbuf;
	if (rcvbuf > 0)
		o.rcvbuf = (uint32_t)rcvbuf;
	if (nagle >= 0)
		o.nagle = nagle;
	if (autoread >= 0)
		o.autoread = autoread;

	return sy_tcp_set_data_opts(c, &o, err);
}

#endif
