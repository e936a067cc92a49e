/* The socket layer over a connection: full close and shutdown, reading
 * (the unread bytes of a connection with autoread off), send-buffer
 * space, per-connection socket options, and finding connections. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"

/* ------------------------------------------------------------ close */

bool sy_tcp_orphaned(const sy_tcb *c)
{
	return c->orphan;
}

void sy_tcp_close(sy_tcb *c)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);

	if (c->orphan || c->state == SY_TCP_CLOSED)
		return;
	c->orphan = true;
	c->shut_rd = true;
	/* unread data would be lost without the peer knowing: a reset
	 * (RFC 9293 3.10.4, RFC 2525 2.17); so is SO_LINGER {1, 0} */
	if (sy_tcb_linger(c) == 0 || c->rcv_unread > 0) {
		sy_tcp_abort(c);
		return;
	}
	if (!c->fin_pending)
		c->ep->smo->close(c);
	/* shut for writing before: the orphan's FIN_WAIT_2 timeout starts
	 * now */
	if (c->state == SY_TCP_FIN_WAIT_2 && lim->fin_wait2 > 0 &&
	    !timer_on(c, SY_TCP_T_FIN_WAIT_2))
		sy_tcb_timer_set(c, SY_TCP_T_FIN_WAIT_2, lim->fin_wait2);
}

int sy_tcp_shutdown(sy_tcb *c, sy_tcp_shut how, sy_err *err)
{
	if (how != SY_SHUT_RD && how != SY_SHUT_WR && how != SY_SHUT_RDWR)
		return sy_err_set(err, "shutdown: how must be SY_SHUT_RD, SY_SHUT_WR or SY_SHUT_RDWR");
	if (c->orphan)
		return sy_err_set(err, "shutdown: the connection was closed");
	if (c->state == SY_TCP_CLOSED || c->state == SY_TCP_LISTEN)
		return sy_err_set(err, "shutdown: the connection is not connected (%s)",
				  sy_tcp_state_name(c->state));
	if (((how & SY_SHUT_RD) && c->shut_rd) || ((how & SY_SHUT_WR) && c->fin_pending))
		return sy_err_set(err, "shutdown: not connected for %s any more (shut down already)",
				  (how & SY_SHUT_RD) && c->shut_rd ? "reading" : "writing");
	if (how & SY_SHUT_RD) {
		c->shut_rd = true;
		sy_tcp_consume(c, c->rcv_unread);
	}
	if ((how & SY_SHUT_WR) && c->state != SY_TCP_CLOSED)
		c->ep->smo->close(c);
	return 0;
}

/* Data past RCV.NXT after the user closed (or shut both ways) in
 * FIN_WAIT_1 or FIN_WAIT_2: nobody will read it, so the peer is told
 * with a reset and the connection ends (RFC 1122 4.2.2.13; Linux does
 * the same).  Returns true when c is gone. */
bool sy_tcb_abort_on_data(sy_tcb *c, const sy_seg *s, uint32_t seq, uint32_t len)
{
	if (!c->shut_rd || !c->fin_pending || !sy_seq_gt(seq + len, c->rcv_nxt))
		return false;
	sy_tcp_refuse(c->ep, s);
	sy_rare(c)->rsts_sent++;
	if (!c->orphan)
		sy_tcb_notify(c, SY_TCP_CAUSE_RESET);
	sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
	return true;
}

/* ------------------------------------------------------------ reading */

/* The unread bytes are kept as chunks only once real bytes arrive on a
 * connection with autoread off; the list then covers every unread byte
 * (rcv_unread in all), and goes when they are read.  It lives in the
 * block of received data (sy_tcb_rx), which goes with it unless
 * segments wait out of order. */
static bool rq_push(sy_tcb *c, uint32_t len, const unsigned char *bytes)
{
	static const char what[] = "keeping received bytes until they are read";
	sy_tcb_rx *rx = sy_rx(c, what);
	sy_chunk *k;

	if (!rx)
		return false;
	if (!bytes && rx->rq_tail && !rx->rq_tail->bytes) {
		rx->rq_tail->len += len;
		return true;
	}
	k = sy_pool_alloc(c->ep->pool, sizeof *k + (bytes ? len : 0));
	if (!k) {
		sy_tcb_oom(c, what);
		sy_rx_release(c);
		return false;
	}
	k->next = NULL;
	k->len = len;
	k->off = 0;
	k->bytes = bytes ? (unsigned char *)(k + 1) : NULL;
	if (bytes)
		memcpy(k->bytes, bytes, len);
	if (rx->rq_tail)
		rx->rq_tail->next = k;
	else
		rx->rq_head = k;
	rx->rq_tail = k;
	return true;
}

/* The first unread chunk, if the unread bytes are kept as chunks. */
static const sy_chunk *rq_first(const sy_tcb *c)
{
	return c->rx ? c->rx->rq_head : NULL;
}

/* len bytes just counted unread (rcv_unread includes them). */
void sy_tcb_rq_add(sy_tcb *c, uint32_t len, const unsigned char *bytes)
{
	if (!len)
		return;
	if (bytes)
		c->got_real = true;
	if (!bytes && !rq_first(c))
		return;  /* virtual bytes only: the count says it all */
	if (!rq_first(c) && c->rcv_unread > len && !rq_push(c, c->rcv_unread - len, NULL))
		return;
	rq_push(c, len, bytes);
}

/* The first n unread bytes are read. */
void sy_tcb_rq_drop(sy_tcb *c, uint32_t n)
{
	sy_tcb_rx *rx = c->rx;

	if (!rx)
		return;
	while (rx->rq_head && n) {
		sy_chunk *k = rx->rq_head;
		uint64_t left = k->len - k->off;

		if (n < left) {
			k->off += n;
			return;
		}
		n -= (uint32_t)left;
		rx->rq_head = k->next;
		sy_pool_free(c->ep->pool, k);
	}
	if (!rx->rq_head) {
		rx->rq_tail = NULL;
		sy_rx_release(c);
	}
}

uint32_t sy_tcp_recv(sy_tcb *c, void *buf, uint32_t n, bool *real)
{
	uint32_t take = 0;

	*real = false;
	if (n > c->rcv_unread)
		n = c->rcv_unread;
	if (!n)
		return 0;
	if (!rq_first(c))
		return sy_tcp_consume(c, n);  /* all virtual */
	*real = rq_first(c)->bytes != NULL;
	for (const sy_chunk *k = rq_first(c); k && take < n; k = k->next) {
		uint64_t left = k->len - k->off;
		uint32_t t;

		if ((k->bytes != NULL) != *real)
			break;
		t = left < n - take ? (uint32_t)left : n - take;
		if (*real && buf)
			memcpy((unsigned char *)buf + take, k->bytes + k->off, t);
		take += t;
	}
	return sy_tcp_consume(c, take);
}

uint32_t sy_tcp_readable(const sy_tcb *c, bool *real)
{
	const sy_chunk *h = rq_first(c);
	uint64_t n = 0;

	*real = h && h->bytes;
	if (!h)
		return c->rcv_unread;
	for (const sy_chunk *k = h; k && (k->bytes != NULL) == *real; k = k->next)
		n += k->len - k->off;
	return n < c->rcv_unread ? (uint32_t)n : c->rcv_unread;
}

bool sy_tcp_eof(const sy_tcb *c)
{
	return c->rcv_unread == 0 && (c->fin_rcvd || c->shut_rd);
}

bool sy_tcp_got_real(const sy_tcb *c)
{
	return c->got_real;
}

uint64_t sy_tcp_send_space(const sy_tcb *c)
{
	uint64_t u = sy_tcp_unacked(c);

	return u < c->sndbuf ? c->sndbuf - u : 0;
}

/* ------------------------------------------------------------ options */

void sy_tcp_get_sock_opts(const sy_tcb *c, sy_tcp_sock_opts *o)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);

	*o = (sy_tcp_sock_opts){
		.user_timeout = lim->user_timeout, .keepalive = lim->keepalive,
		.keepidle = lim->keepalive_time, .keepintvl = lim->keepalive_intvl,
		.keepcnt = lim->keepalive_probes, .cork = c->cork, .mss = c->mss_user,
		.linger = sy_tcb_linger(c), .syn_retries = lim->syn_retries,
		.ecn = lim->ecn,
	};
}

int sy_tcp_set_sock_opts(sy_tcb *c, const sy_tcp_sock_opts *o, sy_err *err)
{
	const sy_timer_limits *lim = sy_tcb_limits(c);
	bool ka_changed;

	if (o->user_timeout < 0)
		return sy_err_set(err, "user_timeout cannot be negative");
	if (o->keepidle <= 0 || o->keepintvl <= 0)
		return sy_err_set(err, "keepidle and keepintvl must be positive");
	if (o->keepcnt < 1)
		return sy_err_set(err, "keepcnt must be at least 1");
	if (o->mss != 0 && (o->mss < 88 || o->mss > 65495))
		return sy_err_set(err, "mss must be between 88 and 65495 bytes (or 0: none)");
	if (o->linger < -1)
		return sy_err_set(err, "linger cannot be negative");
	/* (Linux's TCP_SYNCNT takes 1 to MAX_TCP_SYNCNT, 127) */
	if (o->syn_retries != lim->syn_retries && (o->syn_retries < 1 || o->syn_retries > 127))
		return sy_err_set(err, "syn_retries must be from 1 to 127");
	if (o->ecn < SY_TCP_ECN_OFF || o->ecn > SY_TCP_ECN_ON)
		return sy_err_set(err, "ecn must be SY_TCP_ECN_OFF, _ACCEPT or _ON (%d)", o->ecn);
	/* a linger other than off is kept in the block of loss recovery
	 * (tcb.h), allocated for it before anything changes */
	if (o->linger != -1 && !sy_loss(c))
		return sy_err_set(err, "out of memory for the connection's linger time");
	ka_changed = o->keepalive != lim->keepalive || o->keepidle != lim->keepalive_time ||
		     o->keepintvl != lim->keepalive_intvl;
	if (ka_changed || o->user_timeout != lim->user_timeout ||
	    o->keepcnt != lim->keepalive_probes || o->syn_retries != lim->syn_retries ||
	    o->ecn != lim->ecn) {
		if (!c->lim) {
			/* the connection's own copy, only once it differs */
			c->lim = sy_pool_alloc(c->ep->pool, sizeof *c->lim);
			if (!c->lim)
				return sy_err_set(err, "out of memory for the connection's timer values");
			*c->lim = *lim;
		}
		c->lim->user_timeout = o->user_timeout;
		c->lim->keepalive = o->keepalive;
		c->lim->keepalive_time = o->keepidle;
		c->lim->keepalive_intvl = o->keepintvl;
		c->lim->keepalive_probes = o->keepcnt;
		c->lim->syn_retries = o->syn_retries;
		c->lim->ecn = o->ecn;
	}
	if (ka_changed) {
		if (o->keepalive)
			sy_tcb_keepalive_restart(c);
		else
			sy_tcb_timer_cancel(c, SY_TCP_T_KEEPALIVE);
	}
	if (c->lr)
		c->lr->linger1 = (uint64_t)o->linger + 1;
	if (o->mss != c->mss_user) {
		c->mss_user = (uint16_t)o->mss;
		/* not synchronized yet: the MSS we announce comes down too */
		if (!synchronized(c) && o->mss && o->mss < c->mss_local)
			c->mss_local = (uint16_t)o->mss;
	}
	if (c->cork && !o->cork) {
		/* uncorking sends what was held, short or not */
		c->cork = false;
		if (can_output(c)) {
			c->force = true;
			sy_tcb_output(c);
			c->force = false;
		}
	}
	c->cork = o->cork;
	return 0;
}

/* ------------------------------------------------------------ lookup */

sy_tcb *sy_tcp_find(const sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
		    uint16_t rport)
{
	sy_tcb *c = sy_tcp_lookup(ep, raddr, lport, rport);

	/* a compact TIME_WAIT is rebuilt for the caller, and compacted
	 * again after the current event if nothing holds it by then */
	if (!c && (c = sy_tw_wake((sy_tcp_ep *)ep, raddr, lport, rport)))
		sy_tw_settle_later(c);
	return c;
}

static int by_id(const void *a, const void *b)
{
	const sy_tcb *x = *(sy_tcb *const *)a, *y = *(sy_tcb *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

size_t sy_tcp_ep_connections(const sy_tcp_ep *ep, sy_tcb **out, size_t max)
{
	size_t n = 0;

	sy_tw_wake_all((sy_tcp_ep *)ep);
	for (size_t i = 0; i < ep->nhash; i++)
		for (sy_tcb *c = ep->hash[i]; c; c = c->hnext) {
			if (n < max)
				out[n] = c;
			n++;
		}
	if (n && n <= max) /* qsort takes no NULL, even for nothing */
		qsort(out, n, sizeof *out, by_id);
	return n;
}
