/* Listeners: the backlog of records in SYN_RECEIVED, the accept queue,
 * and SYN cookies (RFC 4987). */

#include "config.h"

#include <stdlib.h>

#include "siphash.h"
#include "tcp_priv.h"

/* A SYN that finds the accept queue full is dropped, and counted with
 * the final ACKs dropped for it, when the profile says so (Linux's
 * tcp_conn_request, sk_acceptq_is_full: before any SYN-ACK or cookie);
 * otherwise it is answered and only the final ACK finds the queue full. */
static bool syn_finds_queue_full(sy_tcp_listener *l)
{
	const sy_tcp_ep *ep = l->ep;

	if (!ep->tmo->limits(ep->timers.state)->acceptq_drop_syn ||
	    !l->manual || l->aq_len < l->accept_backlog)
		return false;
	l->accept_drops++;
	sy_tcp_note_drop(l->ep, SY_TCP_DROP_ACCEPT_QUEUE);
	return true;
}

sy_tcb *sy_tcp_accept_new(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcb *c;

	if (syn_finds_queue_full(l))
		return NULL;
	if (l->pending >= l->backlog) {
		l->overflows++;
		sy_tcp_note_drop(l->ep, SY_TCP_DROP_SYN_QUEUE);
		return NULL;
	}
	c = sy_tcb_new(l->ep, s->dst, s->dport, s->src, s->sport);
	if (!c)
		return NULL;
	/* a SYN that ended a TIME_WAIT: the ISS follows the old one */
	if (l->ep->tw_isn)
		c->iss = c->snd_una = c->snd_nxt = l->ep->tw_isn;
	c->listener = l;
	l->pending++;
	c->state = SY_TCP_LISTEN;
	return c;
}

/* The accept queue's i-th record (0: the oldest). */
static sy_tcb **aq_at(const sy_tcp_listener *l, int i)
{
	return &l->aq[(l->aq_first + i) % l->aq_cap];
}

/* Room for one more in l's accept queue: twice as much, the records in
 * order from the start; -1 out of memory (the queue as it was). */
static int aq_grow(sy_tcp_listener *l)
{
	int cap = l->aq_cap ? 2 * l->aq_cap : 8;
	sy_tcb **v = SY_FAULT(SY_FAULT_ACCEPT) ? NULL : malloc((size_t)cap * sizeof *v);

	if (!v)
		return -1;
	for (int i = 0; i < l->aq_len; i++)
		v[i] = *aq_at(l, i);
	free(l->aq);
	l->aq = v;
	l->aq_cap = cap;
	l->aq_first = 0;
	return 0;
}

void sy_tcp_accept_ready(sy_tcb *c)
{
	sy_tcp_listener *l = c->listener;

	if (!l || c->queued)
		return; /* accepted or queued already */
	if (l->manual) {
		/* waits, unread, for the user's accept; a queue that cannot
		 * grow fails the run (the record stays out of it) */
		if (l->aq_len == l->aq_cap && aq_grow(l) < 0) {
			sy_tcb_oom(c, "growing the listener's accept queue");
			return;
		}
		c->queued = true;
		c->autoread = false;
		l->aq_len++;
		*aq_at(l, l->aq_len - 1) = c;
		return;
	}
	sy_tcb_notify(c, SY_TCP_CAUSE_ACCEPTED);
	/* accepted in SYN_RECEIVED: it leaves the backlog now */
	if (c->state == SY_TCP_SYN_RECEIVED)
		l->pending--;
	c->listener = NULL;
	if (l && l->on_accept && c->state != SY_TCP_CLOSED)
		l->on_accept(l->accept_ctx, c);
}

void sy_tcp_listener_set_manual(sy_tcp_listener *l, bool manual, int accept_backlog)
{
	l->manual = manual;
	l->accept_backlog = accept_backlog > 0 ? accept_backlog : l->backlog;
}

bool sy_tcp_accept_full(sy_tcp_listener *l)
{
	if (!l->manual || l->aq_len < l->accept_backlog)
		return false;
	l->accept_drops++;
	sy_tcp_note_drop(l->ep, SY_TCP_DROP_ACCEPT_QUEUE);
	return true;
}

void sy_tcp_aq_remove(sy_tcb *c)
{
	sy_tcp_listener *l = c->listener;
	int i;

	for (i = 0; i < l->aq_len && *aq_at(l, i) != c; i++)
		;
	SY_INVARIANT(i < l->aq_len);
	if (i == 0) {
		/* the oldest, as accept takes it */
		l->aq_first = (l->aq_first + 1) % l->aq_cap;
	} else {
		/* the ones after it move up one */
		for (; i + 1 < l->aq_len; i++)
			*aq_at(l, i) = *aq_at(l, i + 1);
	}
	l->aq_len--;
	c->queued = false;
}

bool sy_tcb_accept_full(sy_tcb *c)
{
	return c->listener && sy_tcp_accept_full(c->listener);
}

sy_tcb *sy_tcp_accept(sy_tcp_listener *l)
{
	sy_tcb *c;

	if (!l->aq_len)
		return NULL;
	c = *aq_at(l, 0);
	sy_tcp_aq_remove(c);
	if (c->state == SY_TCP_SYN_RECEIVED)
		l->pending--; /* queued before its handshake completed */
	c->listener = NULL;
	/* handed over as accept(2) does: nothing read, nothing sent; the
	 * user reads what waits (autoread stays off) */
	return c;
}

void sy_tcp_listener_on_accept(sy_tcp_listener *l,
			       void (*fn)(void *ctx, sy_tcb *c), void *ctx)
{
	l->on_accept = fn;
	l->accept_ctx = ctx;
}

sy_tcp_listener *sy_tcp_listen(sy_tcp_ep *ep, uint16_t port, int backlog,
			       sy_syncookies cookies, sy_err *err)
{
	sy_tcp_listener *l;

	if (port == 0)
		return sy_err_set(err, "listen: port 0 is not a port"), NULL;
	if (sy_tcp_find_listener(ep, port))
		return sy_err_set(err, "listen: port %u is in use", port), NULL;
	if (backlog < 1)
		return sy_err_set(err, "listen: backlog must be at least 1"), NULL;
	if (ep->nlst == MAX_LISTENERS)
		return sy_err_set(err, "listen: at most %d listeners per node", MAX_LISTENERS), NULL;
	l = calloc(1, sizeof *l);
	if (!l)
		return sy_err_set(err, "out of memory"), NULL;
	l->ep = ep;
	l->port = port;
	l->backlog = backlog;
	l->accept_backlog = backlog;
	l->cookies = cookies;
	ep->lst[ep->nlst++] = l;
	return l;
}

/* The first connection of l not yet accepted, or NULL. */
static sy_tcb *first_unaccepted(const sy_tcp_listener *l)
{
	const sy_tcp_ep *ep = l->ep;

	for (size_t i = 0; i < ep->nhash; i++)
		for (sy_tcb *c = ep->hash[i]; c; c = c->hnext)
			if (c->listener == l)
				return c;
	return NULL;
}

/* The connections of l not yet accepted, in a new array (*n of them), or
 * NULL when there are none or no memory. */
static sy_tcb **unaccepted(const sy_tcp_listener *l, size_t *n)
{
	const sy_tcp_ep *ep = l->ep;
	sy_tcb **v;
	size_t k = 0;

	*n = 0;
	for (size_t i = 0; i < ep->nhash; i++)
		for (sy_tcb *c = ep->hash[i]; c; c = c->hnext)
			*n += c->listener == l;
	if (!*n || !(v = malloc(*n * sizeof *v)))
		return NULL;
	for (size_t i = 0; i < ep->nhash; i++)
		for (sy_tcb *c = ep->hash[i]; c; c = c->hnext)
			if (c->listener == l)
				v[k++] = c;
	return v;
}

/* Ends c, a connection of l not yet accepted, unless an observer of
 * another one's end did already: aborted (reset) if it was in the accept
 * queue, forgotten if its handshake was in progress. */
static void drop_unaccepted(sy_tcp_listener *l, sy_tcb *c, bool queued)
{
	if (c->listener != l)
		return;
	if (c->queued)
		sy_tcp_aq_remove(c);
	if (c->state == SY_TCP_CLOSED)
		;  /* ended meanwhile: only the link to l goes */
	else if (queued)
		sy_tcp_abort(c);
	else
		sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_ABORT);
	/* the record may outlive l until the end of the event */
	c->listener = NULL;
}

void sy_tcp_listener_close(sy_tcp_listener *l)
{
	sy_tcp_ep *ep = l->ep;
	sy_tcb *c, **v;
	bool *q = NULL;
	size_t n;
	int i;

	/* As Linux's listen stop: a handshake in progress is forgotten
	 * without a word (the peer's ACK will find no connection and draw a
	 * reset), and a connection in the accept queue, which no application
	 * holds, is aborted (reset).  The state changes run observers, which
	 * may end others: each is looked at when its turn comes.  Records
	 * are freed by events only, so those listed stay valid here.  The
	 * accept queue is emptied first (removing its members one by one
	 * would walk it each time); a listing that finds no memory falls
	 * back to searching again after each one. */
	v = unaccepted(l, &n);
	if (v && !(q = malloc(n * sizeof *q))) {
		free(v);
		v = NULL;
	}
	if (v) {
		for (size_t k = 0; k < n; k++) {
			q[k] = v[k]->queued;
			v[k]->queued = false;
		}
		l->aq_len = 0;
		for (size_t k = 0; k < n; k++)
			drop_unaccepted(l, v[k], q[k]);
	}
	free(v);
	free(q);
	while ((c = first_unaccepted(l)))
		drop_unaccepted(l, c, c->queued);
	SY_INVARIANT(l->aq_len == 0);
	for (i = 0; i < ep->nlst && ep->lst[i] != l; i++)
		;
	SY_INVARIANT(i < ep->nlst);
	/* the others keep their order (state logs list them) */
	for (ep->nlst--; i < ep->nlst; i++)
		ep->lst[i] = ep->lst[i + 1];
	free(l->aq);
	free(l);
}

/* ------------------------------------------------------------ SYN cookies */

/* The classic layout (Bernstein): the top 5 bits count 64-second periods,
 * the next 3 index the MSS table, the low 24 bits are a keyed hash of the
 * 4-tuple and the period.  A cookie is valid for the period it was made in
 * and the next one. */
#define COOKIE_PERIOD (64 * SY_SEC)
static const uint16_t cookie_mss[8] = { 536, 1200, 1300, 1400, 1440, 1452, 1460, 8960 };

static uint32_t cookie_hash(const sy_tcp_ep *ep, const sy_seg *s, uint32_t t)
{
	uint8_t m[16];

	/* the listener's view: local address and port first */
	m[0] = (uint8_t)(s->dst >> 24); m[1] = (uint8_t)(s->dst >> 16);
	m[2] = (uint8_t)(s->dst >> 8); m[3] = (uint8_t)s->dst;
	m[4] = (uint8_t)(s->src >> 24); m[5] = (uint8_t)(s->src >> 16);
	m[6] = (uint8_t)(s->src >> 8); m[7] = (uint8_t)s->src;
	m[8] = (uint8_t)(s->dport >> 8); m[9] = (uint8_t)s->dport;
	m[10] = (uint8_t)(s->sport >> 8); m[11] = (uint8_t)s->sport;
	m[12] = (uint8_t)t; m[13] = m[14] = m[15] = 0;
	return (uint32_t)sy_siphash24(ep->cookie_key, m, sizeof m) & 0xffffff;
}

static uint32_t cookie_period(const sy_tcp_ep *ep)
{
	return (uint32_t)(sy_sim_now(ep->sim) / COOKIE_PERIOD) & 31;
}

bool sy_tcp_cookie_wanted(const sy_tcp_listener *l)
{
	return l->cookies == SY_SYNCOOKIES_ALWAYS ||
	       (l->cookies == SY_SYNCOOKIES_ON_OVERFLOW && l->pending >= l->backlog);
}

void sy_tcp_cookie_synack(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcp_ep *ep = l->ep;
	uint16_t want = s->opts.has_mss ? s->opts.mss : 536;
	uint32_t t = cookie_period(ep), m = 0, iss;
	sy_ipv4 ip = ip_for(ep, s->dst, s->src);
	sy_tcp out = { .sport = s->dport, .dport = s->sport, .ack = s->seq + 1,
		       .flags = SY_TCP_SYN | SY_TCP_ACK, .window = 65535 };
	sy_tcp_opts o = { .has_mss = true };

	if (syn_finds_queue_full(l))
		return;
	/* the largest table entry not above the peer's MSS */
	for (uint32_t i = 0; i < 8; i++)
		if (cookie_mss[i] <= want)
			m = i;
	iss = t << 27 | m << 24 | cookie_hash(ep, s, t);
	out.seq = iss;
	o.mss = cookie_mss[m];
	out.optlen = (uint8_t)sy_tcp_write_options(&o, out.opt);
	l->cookies_sent++;
	sy_tcp_ep_send(ep, &ip, &out, 0, NULL);
	if (sy_tcp_noted(ep)) {
		sy_tcp_note n = {
			.what = SY_TCP_EV_COOKIE_SENT, .laddr = s->dst, .raddr = s->src,
			.lport = s->dport, .rport = s->sport, .seq = iss,
		};

		sy_tcp_note_send(ep, &n);
	}
}

sy_tcb *sy_tcp_cookie_accept(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcp_ep *ep = l->ep;
	uint32_t cookie = s->ack - 1, t = cookie >> 27, now = cookie_period(ep);
	sy_tcb *c;

	if (l->cookies == SY_SYNCOOKIES_OFF || !(s->flags & SY_TCP_ACK) ||
	    (s->flags & (SY_TCP_SYN | SY_TCP_RST)))
		return NULL;
	if (((now - t) & 31) > 1 || (cookie & 0xffffff) != cookie_hash(ep, s, t)) {
		l->cookies_rejected++;
		sy_tcp_note_drop(ep, SY_TCP_DROP_COOKIE);
		return NULL;
	}
	c = sy_tcb_new(ep, s->dst, s->dport, s->src, s->sport);
	if (!c)
		return NULL;
	c->listener = l;
	c->iss = cookie;
	c->irs = s->seq - 1;
	c->snd_una = c->snd_nxt = s->ack;
	c->rcv_nxt = s->seq;
	c->snd_wnd = s->win;
	c->mss_peer = cookie_mss[(cookie >> 24) & 7];
	l->cookies_accepted++;
	sy_tcb_note(c, SY_TCP_EV_COOKIE_VALIDATED, s->seq, true);
	/* The record appears established: no SYN_RECEIVED, nothing pending. */
	c->state = SY_TCP_SYN_RECEIVED;
	l->pending++;
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_COOKIE);
	sy_tcp_accept_ready(c);
	return c;
}
