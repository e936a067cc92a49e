#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "isn.h"
#include "tcp_priv.h"

#define TTL_DEFAULT 64
#define EPHEMERAL_LO 32768 /* Linux's default ip_local_port_range */
#define EPHEMERAL_HI 60999

static const char *const state_names[SY_TCP_STATES] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT",
};

const char *sy_tcp_state_name(sy_tcp_state s)
{
	return (unsigned)s < SY_TCP_STATES ? state_names[s] : "?";
}

const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep) { return &ep->st; }
sy_node *sy_tcp_ep_node(const sy_tcp_ep *ep) { return ep->node; }
sy_net *sy_tcp_ep_net(const sy_tcp_ep *ep) { return ep->net; }
sy_tcp_ep *sy_tcp_listener_ep(const sy_tcp_listener *l) { return l->ep; }
sy_tcp_listener_stats sy_tcp_listener_stats_get(const sy_tcp_listener *l)
{
	return (sy_tcp_listener_stats){
		.syn_received = l->pending, .syn_queue_drops = l->overflows,
		.accept_queue = l->aq_len, .accept_queue_drops = l->accept_drops,
		.cookies_sent = l->cookies_sent, .cookies_accepted = l->cookies_accepted,
		.cookies_rejected = l->cookies_rejected,
	};
}

void sy_tcp_ep_state_log(sy_tcp_ep *ep, FILE *f)
{
	ep->log = f;
}

void sy_tcp_ep_observe(sy_tcp_ep *ep, sy_tcp_observer fn, void *ctx)
{
	ep->obs = fn;
	ep->obs_ctx = ctx;
}

#define NET_OBS 4
struct net_obs {
	int n;
	struct { sy_tcp_observer fn; void *ctx; } o[NET_OBS];
};

int sy_tcp_net_observe(sy_net *net, sy_tcp_observer fn, void *ctx)
{
	void **slot = sy_net_tcp_observers(net);
	struct net_obs *no = *slot;

	if (!no && !(no = *slot = calloc(1, sizeof *no)))
		return -1;
	if (no->n == NET_OBS)
		return -1;
	no->o[no->n].fn = fn;
	no->o[no->n].ctx = ctx;
	no->n++;
	return 0;
}

void sy_tcp_net_unobserve(sy_net *net, sy_tcp_observer fn, void *ctx)
{
	struct net_obs *no = *sy_net_tcp_observers(net);

	for (int i = 0; no && i < no->n; i++)
		if (no->o[i].fn == fn && no->o[i].ctx == ctx) {
			memmove(no->o + i, no->o + i + 1, (size_t)(no->n - i - 1) * sizeof no->o[0]);
			no->n--;
			return;
		}
}

/* Every observer of c's endpoint and network. */
static void report(sy_tcb *c, sy_tcp_state from, sy_tcp_state to, const char *cause)
{
	struct net_obs *no = *sy_net_tcp_observers(c->ep->net);

	if (c->ep->obs)
		c->ep->obs(c->ep->obs_ctx, c, from, to, cause);
	for (int i = 0; no && i < no->n; i++)
		no->o[i].fn(no->o[i].ctx, c, from, to, cause);
	if (c->cb && c->cb->event)
		c->cb->event(c->cb_ctx, c, from, to, cause);
}

/* ------------------------------------------------------------ output */

int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err)
{
	return sy_tcp_ep_send_bytes(ep, ip, t, len, NULL, err);
}

static sy_ipv4 ip_for(sy_tcp_ep *ep, uint32_t src, uint32_t dst)
{
	return (sy_ipv4){
		.src = src, .dst = dst, .proto = SY_IPPROTO_TCP,
		.ttl = TTL_DEFAULT, .id = sy_node_next_ip_id(ep->node), .df = true,
	};
}

int sy_tcp_parse_options(const uint8_t *opt, unsigned len, sy_tcp_opts *o)
{
	memset(o, 0, sizeof *o);
	for (unsigned i = 0; i < len;) {
		uint8_t kind = opt[i], olen;

		if (kind == 0)
			break;          /* end of option list */
		if (kind == 1) {
			i++;            /* no-operation */
			continue;
		}
		if (i + 1 >= len || (olen = opt[i + 1]) < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case 2:
			if (olen != 4)
				return -1;
			o->has_mss = true;
			o->mss = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
			break;
		case 3:
			if (olen != 3) {
				o->ignored++;
				break;
			}
			o->has_ws = true;
			o->ws = opt[i + 2];
			break;
		case 4:
			if (olen != 2)
				return -1;
			o->sack_ok = true;
			break;
		case 8:
			if (olen != 10)
				return -1;
			o->has_ts = true;
			o->tsval = (uint32_t)opt[i + 2] << 24 | (uint32_t)opt[i + 3] << 16 |
				   (uint32_t)opt[i + 4] << 8 | opt[i + 5];
			o->tsecr = (uint32_t)opt[i + 6] << 24 | (uint32_t)opt[i + 7] << 16 |
				   (uint32_t)opt[i + 8] << 8 | opt[i + 9];
			break;
		case 5:
			if (olen < 10 || (olen - 2) % 8 != 0 || o->nsack) {
				o->ignored++;
				break;
			}
			for (unsigned k = 0; k < (olen - 2u) / 8; k++) {
				const uint8_t *q = opt + i + 2 + 8 * k;

				o->sack[k][0] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
						(uint32_t)q[2] << 8 | q[3];
				o->sack[k][1] = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 |
						(uint32_t)q[6] << 8 | q[7];
			}
			o->nsack = (uint8_t)((olen - 2) / 8);
			break;
		default:
			break;          /* unknown: skipped */
		}
		i += olen;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

unsigned sy_tcp_write_options(const sy_tcp_opts *o, uint8_t *b)
{
	unsigned n = 0;

	if (o->has_mss) {
		b[n++] = 2;
		b[n++] = 4;
		b[n++] = (uint8_t)(o->mss >> 8);
		b[n++] = (uint8_t)o->mss;
	}
	if (o->sack_ok) {
		if (!o->has_ts) {
			b[n++] = 1;
			b[n++] = 1;
		}
		b[n++] = 4;
		b[n++] = 2;
	} else if (o->has_ts) {
		b[n++] = 1;
		b[n++] = 1;
	}
	if (o->has_ts) {
		b[n++] = 8;
		b[n++] = 10;
		put32(b + n, o->tsval);
		put32(b + n + 4, o->tsecr);
		n += 8;
	}
	if (o->has_ws) {
		b[n++] = 1;
		b[n++] = 3;
		b[n++] = 3;
		b[n++] = o->ws;
	}
	if (o->nsack) {
		unsigned k = o->nsack;

		while (k && n + 4 + 8 * k > 40)
			k--;
		if (k) {
			b[n++] = 1;
			b[n++] = 1;
			b[n++] = 5;
			b[n++] = (uint8_t)(2 + 8 * k);
			for (unsigned j = 0; j < k; j++) {
				put32(b + n, o->sack[j][0]);
				put32(b + n + 4, o->sack[j][1]);
				n += 8;
			}
		}
	}
	while (n % 4)
		b[n++] = 0;
	return n;
}

void sy_tcp_send_reset(sy_tcp_ep *ep, const sy_seg *s, uint32_t seq,
		       uint32_t ack, uint8_t flags)
{
	sy_ipv4 ip = ip_for(ep, s->dst, s->src);
	sy_tcp t = { .sport = s->dport, .dport = s->sport, .seq = seq, .ack = ack,
		     .flags = flags };

	sy_tcp_ep_send(ep, &ip, &t, 0, NULL);
}

/* RFC 9293 3.10.7.1, the CLOSED state: every segment but a reset is
 * answered by a reset that the sender will accept.  A segment carrying an
 * ACK gets <SEQ=SEG.ACK><CTL=RST>; one without gets
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
void sy_tcp_refuse(sy_tcp_ep *ep, const sy_seg *s)
{
	if (s->flags & SY_TCP_RST)
		return;
	if (s->flags & SY_TCP_ACK)
		sy_tcp_send_reset(ep, s, s->ack, 0, SY_TCP_RST);
	else
		sy_tcp_send_reset(ep, s, 0, s->seq + sy_seg_len(s),
				  SY_TCP_RST | SY_TCP_ACK);
}

/* ------------------------------------------------------------ tables */

static size_t tuple_hash(size_t nhash, uint32_t raddr, uint16_t lport,
			 uint16_t rport)
{
	uint64_t h = ((uint64_t)raddr << 32) ^ ((uint64_t)lport << 16) ^ rport;

	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 32) & (nhash - 1);
}

/* Connections are keyed by (raddr, lport, rport): a node answers from the
 * address a segment came to, and two connections differing only in the
 * local address are not supported (one address per peer path). */
static sy_tcb *lookup(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
		      uint16_t rport)
{
	if (!ep->nhash)
		return NULL;
	for (sy_tcb *c = ep->hash[tuple_hash(ep->nhash, raddr, lport, rport)]; c; c = c->hnext)
		if (c->raddr == raddr && c->lport == lport && c->rport == rport)
			return c;
	return NULL;
}

static int insert(sy_tcp_ep *ep, sy_tcb *c)
{
	if (2 * (ep->nconns + 1) > ep->nhash) {
		size_t n = ep->nhash ? 2 * ep->nhash : 64;
		sy_tcb **h = calloc(n, sizeof *h);

		if (!h)
			return -1;
		for (size_t i = 0; i < ep->nhash; i++) {
			sy_tcb *x = ep->hash[i];

			while (x) {
				sy_tcb *next = x->hnext;
				size_t k = tuple_hash(n, x->raddr, x->lport, x->rport);

				x->hnext = h[k];
				h[k] = x;
				x = next;
			}
		}
		free(ep->hash);
		ep->hash = h;
		ep->nhash = n;
	}
	c->hnext = ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)];
	ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)] = c;
	ep->nconns++;
	return 0;
}

static void unlink_conn(sy_tcb *c)
{
	sy_tcp_ep *ep = c->ep;
	sy_tcb **pp = &ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			ep->nconns--;
			return;
		}
}

static sy_tcp_listener *find_listener(const sy_tcp_ep *ep, uint16_t port)
{
	for (int i = 0; i < ep->nlst; i++)
		if (ep->lst[i]->port == port)
			return ep->lst[i];
	return NULL;
}

/* ------------------------------------------------------------ connections */

static void timer_fire(sy_sim *sim, void *arg, uint64_t which)
{
	sy_tcb *c = arg;

	c->timer[which] = SY_EVENT_NONE;
	c->ep->smo->timeout(c, (int)which);
}

void sy_tcb_timer_set(sy_tcb *c, int which, sy_time after)
{
	sy_sim_cancel(c->ep->sim, c->timer[which]);
	if (sy_sim_after(c->ep->sim, after, timer_fire, c, (uint64_t)which,
			 &c->timer[which], NULL) < 0) {
		/* A timer that never fires would hang the connection. */
		c->timer[which] = SY_EVENT_NONE;
		sy_sim_fail(c->ep->sim, "out of memory setting a TCP timer on node %s",
			    sy_node_name(c->ep->node));
	}
}

void sy_tcb_timer_cancel(sy_tcb *c, int which)
{
	sy_sim_cancel(c->ep->sim, c->timer[which]);
	c->timer[which] = SY_EVENT_NONE;
}

const sy_timer_limits *sy_tcb_limits(const sy_tcb *c)
{
	return c->ep->tmo->limits(c->ep->timers.state);
}

const sy_timers_ops *sy_tcb_timers(const sy_tcb *c, const void **st)
{
	*st = c->ep->timers.state;
	return c->ep->tmo;
}

void *sy_tcb_sm_state(const sy_tcb *c)
{
	return c->ep->sm.state;
}

void sy_tcb_notify(sy_tcb *c, const char *what)
{
	report(c, c->state, c->state, what);
}

static void aq_remove(sy_tcb *c);

static void free_later(sy_sim *sim, void *arg, uint64_t data)
{
	sy_tcb *c = arg;

	for (sy_tcb **pp = &c->ep->zombies; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	sy_tcb_notify(c, "freed");
	sy_tcb_data_free(c);
	free(c);
}

void sy_tcb_set_state(sy_tcb *c, sy_tcp_state s, const char *cause)
{
	sy_tcp_state old = c->state;

	if (old == s)
		return;
	c->state = s;
	if (c->listener && old == SY_TCP_SYN_RECEIVED)
		c->listener->pending--;
	if (c->ep->log) {
		char la[16], ra[16];
		sy_time now = sy_sim_now(c->ep->sim);

		sy_ipv4_format(c->laddr, la);
		sy_ipv4_format(c->raddr, ra);
		fprintf(c->ep->log, "%lld.%09lld %s:%u %s:%u %s %s %s\n",
			(long long)(now / SY_SEC), (long long)(now % SY_SEC), la,
			(unsigned)c->lport, ra, (unsigned)c->rport,
			sy_tcp_state_name(old), sy_tcp_state_name(s), cause);
	}
	if (s == SY_TCP_ESTABLISHED &&
	    (old == SY_TCP_SYN_SENT || old == SY_TCP_SYN_RECEIVED))
		sy_tcb_data_start(c);
	if (s == SY_TCP_ESTABLISHED && c->t_established < 0)
		c->t_established = sy_sim_now(c->ep->sim);
	if (s == SY_TCP_CLOSED)
		c->t_closed = sy_sim_now(c->ep->sim);
	report(c, old, s, cause);
	if (s == SY_TCP_CLOSED) {
		if (c->queued)
			aq_remove(c);
		for (int i = 0; i < SY_TCP_TIMERS; i++)
			sy_tcb_timer_cancel(c, i);
		unlink_conn(c);
		/* Freed after the current event, so that the callers up the
		 * stack can still look at it; kept on a list until then, so
		 * that a simulator freed in between leaks nothing. */
		c->hnext = c->ep->zombies;
		c->ep->zombies = c;
		if (sy_sim_after(c->ep->sim, 0, free_later, c, 0, NULL, NULL) < 0)
			sy_sim_fail(c->ep->sim, "out of memory scheduling a closed connection's release");
	}
}

static sy_tcb *tcb_new(sy_tcp_ep *ep, uint32_t laddr, uint16_t lport,
		       uint32_t raddr, uint16_t rport)
{
	sy_tcb *c = calloc(1, sizeof *c);
	sy_isn_ctx ic = { laddr, raddr, lport, rport, sy_sim_now(ep->sim) };

	if (!c)
		return NULL;
	c->ep = ep;
	c->laddr = laddr;
	c->raddr = raddr;
	c->lport = lport;
	c->rport = rport;
	c->state = SY_TCP_CLOSED;
	c->iss = ep->isno->isn(ep->isn.state, &ic);
	c->snd_una = c->snd_nxt = c->iss;
	c->mss_local = 1460;
	c->mss_peer = 536;
	c->id = ++ep->next_id;
	c->t_open = sy_sim_now(ep->sim);
	c->t_established = c->t_first_rx = c->t_all_acked = c->t_closed = -1;
	c->sndbuf = ep->dopts.sndbuf;
	c->rcvbuf = ep->dopts.rcvbuf;
	c->iw_segs = ep->dopts.initial_window;
	c->nagle = ep->dopts.nagle;
	c->limited_transmit = ep->dopts.limited_transmit;
	c->autoread = ep->dopts.autoread;
	c->rcv_wnd = c->rcvbuf < 65535 ? c->rcvbuf : 65535;
	c->cco = ep->cc.plugin->ops;
	c->ccst = ep->cc.state;
	for (int i = 0; i < SY_TCP_TIMERS; i++)
		c->timer[i] = SY_EVENT_NONE;
	ep->tmo->rtt_init(ep->timers.state, &c->rtt);
	if (insert(ep, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

sy_tcb *sy_tcp_accept_new(sy_tcp_listener *l, const sy_seg *s)
{
	sy_tcb *c;

	if (l->pending >= l->backlog) {
		l->overflows++;
		return NULL;
	}
	c = tcb_new(l->ep, s->dst, s->dport, s->src, s->sport);
	if (!c)
		return NULL;
	c->listener = l;
	l->pending++;
	c->state = SY_TCP_LISTEN;
	return c;
}

void sy_tcp_accept_ready(sy_tcb *c)
{
	sy_tcp_listener *l = c->listener;

	if (l && l->manual) {
		/* waits, unread, for the user's accept */
		c->queued = true;
		c->autoread = false;
		c->aq_next = NULL;
		if (l->aq_tail)
			l->aq_tail->aq_next = c;
		else
			l->aq_head = c;
		l->aq_tail = c;
		l->aq_len++;
		return;
	}
	sy_tcb_notify(c, "accepted");
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
	return true;
}

static void aq_remove(sy_tcb *c)
{
	sy_tcp_listener *l = c->listener;
	sy_tcb *prev = NULL;

	for (sy_tcb *x = l->aq_head; x; prev = x, x = x->aq_next) {
		if (x != c)
			continue;
		if (prev)
			prev->aq_next = c->aq_next;
		else
			l->aq_head = c->aq_next;
		if (l->aq_tail == c)
			l->aq_tail = prev;
		l->aq_len--;
		break;
	}
	c->queued = false;
	c->aq_next = NULL;
}

sy_tcb *sy_tcp_accept(sy_tcp_listener *l)
{
	sy_tcb *c = l->aq_head;

	if (!c)
		return NULL;
	aq_remove(c);
	c->listener = NULL;
	if (l->ep->dopts.autoread) {
		c->autoread = true;
		sy_tcp_consume(c, c->rcv_unread);
	}
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
	if (find_listener(ep, port))
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
		return NULL;
	}
	c = tcb_new(ep, s->dst, s->dport, s->src, s->sport);
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
	/* The record appears established: no SYN_RECEIVED, nothing pending. */
	c->state = SY_TCP_SYN_RECEIVED;
	l->pending++;
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, "syn cookie");
	sy_tcp_accept_ready(c);
	return c;
}

sy_tcb *sy_tcp_connect(sy_tcp_ep *ep, uint32_t raddr, uint16_t rport, sy_err *err)
{
	uint32_t laddr;
	sy_tcb *c = NULL;

	if (!sy_node_ifaces(ep->node))
		return sy_err_set(err, "connect: node '%s' has no link", sy_node_name(ep->node)), NULL;
	if (rport == 0)
		return sy_err_set(err, "connect: port 0 is not a port"), NULL;
	laddr = sy_node_addr(ep->node, 0);
	/* The next free ephemeral port, cycling through the range. */
	for (int tries = 0;; tries++) {
		uint16_t p = ep->next_port;

		if (tries > EPHEMERAL_HI - EPHEMERAL_LO)
			return sy_err_set(err, "connect: no free ephemeral port"), NULL;
		ep->next_port = p >= EPHEMERAL_HI ? EPHEMERAL_LO : (uint16_t)(p + 1);
		if (!lookup(ep, raddr, p, rport) && !find_listener(ep, p)) {
			c = tcb_new(ep, laddr, p, raddr, rport);
			break;
		}
	}
	if (!c)
		return sy_err_set(err, "out of memory"), NULL;
	ep->smo->connect(c);
	return c;
}

sy_tcb *sy_tcp_connect_from(sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
			    uint16_t rport, sy_err *err)
{
	sy_tcb *c;

	if (!lport)
		return sy_tcp_connect(ep, raddr, rport, err);
	if (!sy_node_ifaces(ep->node))
		return sy_err_set(err, "connect: node '%s' has no link", sy_node_name(ep->node)), NULL;
	if (rport == 0)
		return sy_err_set(err, "connect: port 0 is not a port"), NULL;
	if ((c = lookup(ep, raddr, lport, rport))) {
		char ra[16];

		sy_ipv4_format(raddr, ra);
		return sy_err_set(err, "connect: local port %u to %s:%u is in use (%s)",
				  (unsigned)lport, ra, (unsigned)rport,
				  sy_tcp_state_name(c->state)), NULL;
	}
	if (find_listener(ep, lport))
		return sy_err_set(err, "connect: local port %u is a listener's", (unsigned)lport), NULL;
	if (!(c = tcb_new(ep, sy_node_addr(ep->node, 0), lport, raddr, rport)))
		return sy_err_set(err, "out of memory"), NULL;
	ep->smo->connect(c);
	return c;
}

void sy_tcp_close(sy_tcb *c)
{
	c->ep->smo->close(c);
}

void sy_tcp_abort(sy_tcb *c)
{
	c->ep->smo->abort(c);
}

/* ------------------------------------------------------------ input */

static void input(void *ctx, sy_node *n, sy_packet *p)
{
	sy_tcp_ep *ep = ctx;
	sy_tcp_listener *l;
	sy_ipv4 ip;
	sy_tcp t;
	sy_seg s;
	sy_tcb *c;

	if (sy_ipv4_read(p, &ip, NULL) < 0 || sy_tcp_read(p, &t, NULL) < 0) {
		ep->st.bad_segments++;
		sy_net_release(ep->net, p);
		return;
	}
	s = (sy_seg){
		.src = ip.src, .dst = ip.dst, .sport = t.sport, .dport = t.dport,
		.seq = t.seq, .ack = t.ack, .flags = t.flags, .win = t.window,
		.len = p->payload_len, .data = p->data,
	};
	if (sy_tcp_parse_options(t.opt, t.optlen, &s.opts) < 0) {
		ep->st.bad_segments++;
		sy_net_release(ep->net, p);
		return;
	}
	ep->st.segments_in++;
	ep->st.bad_options += s.opts.ignored;
	if (s.flags & SY_TCP_RST)
		ep->st.rst_in++;
	c = lookup(ep, s.src, s.dport, s.sport);
	if (c) {
		c->st.segments_in++;
		c->st.bad_options += s.opts.ignored;
		if (s.flags & SY_TCP_RST)
			c->st.rsts_received++;
		ep->smo->input(c, &s);
	} else if ((l = find_listener(ep, s.dport))) {
		ep->smo->listen_input(l, &s);
	} else {
		ep->st.no_socket++;
		sy_tcp_refuse(ep, &s);
	}
	sy_net_release(ep->net, p);
}

/* ------------------------------------------------------------ endpoint */

static void ep_free(void *ctx)
{
	sy_tcp_ep *ep = ctx;

	/* Connections still open are dropped with the network; their
	 * pending events die with the simulator, which is freed first. */
	for (size_t i = 0; i < ep->nhash; i++) {
		sy_tcb *c = ep->hash[i];

		while (c) {
			sy_tcb *next = c->hnext;

			sy_tcb_data_free(c);
			free(c);
			c = next;
		}
	}
	while (ep->zombies) {
		sy_tcb *c = ep->zombies;

		ep->zombies = c->hnext;
		sy_tcb_data_free(c);
		free(c);
	}
	for (int i = 0; i < ep->nccx; i++)
		sy_instance_free(&ep->ccx[i]);
	free(ep->ccx);
	free(ep->scratch);
	sy_instance_free(&ep->cc);
	for (int i = 0; i < ep->nlst; i++)
		free(ep->lst[i]);
	free(ep->hash);
	sy_instance_free(&ep->sm);
	sy_instance_free(&ep->isn);
	sy_instance_free(&ep->timers);
	free(ep);
}

sy_tcp_ep *sy_tcp_ep_of(const sy_node *n)
{
	return sy_node_proto_ctx(n, SY_IPPROTO_TCP, input);
}

/* Takes the instance of kind in *in, or loads `def`; initializes it and,
 * for ISN generators, gives it its random stream. */
static int take(sy_tcp_ep *ep, sy_instance *dst, sy_instance *in,
		const char *kind, const char *def, sy_err *err)
{
	const sy_plugin *p;

	if (in && in->plugin) {
		*dst = *in;
		memset(in, 0, sizeof *in);
	} else if (!(p = sy_plugin_load(kind, def, err)) || sy_instance_new(dst, p, err) < 0) {
		return -1;
	}
	if (strcmp(dst->plugin->kind, kind) != 0)
		return sy_err_set(err, "%s/%s is not a %s plugin", dst->plugin->kind,
				  dst->plugin->name, kind);
	return sy_instance_init(dst, ep->sim, err);
}

sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_tcp_ep_opts *o, sy_err *err)
{
	sy_tcp_ep *ep;
	sy_rng r;

	if (sy_tcp_ep_of(n)) {
		sy_err_set(err, "node '%s' has a TCP endpoint already", sy_node_name(n));
		goto fail_opts;
	}
	ep = calloc(1, sizeof *ep);
	if (!ep) {
		sy_err_set(err, "out of memory creating a TCP endpoint");
		goto fail_opts;
	}
	ep->net = net;
	ep->node = n;
	ep->sim = sy_net_sim(net);
	ep->next_port = EPHEMERAL_LO;
	if (take(ep, &ep->sm, o ? &o->sm : NULL, "tcp", "rfc9293", err) < 0 ||
	    take(ep, &ep->isn, o ? &o->isn : NULL, "isn", "rfc6528", err) < 0 ||
	    take(ep, &ep->timers, o ? &o->timers : NULL, "timers", "rfc", err) < 0 ||
	    take(ep, &ep->cc, o ? &o->cc : NULL, "cc", "newreno", err) < 0) {
		ep_free(ep);
		goto fail_opts;
	}
	ep->smo = ep->sm.plugin->ops;
	ep->isno = ep->isn.plugin->ops;
	ep->tmo = ep->timers.plugin->ops;
	ep->dopts = (sy_tcp_data_opts){
		.sndbuf = 4 << 20, .rcvbuf = 4 << 20, .initial_window = 10,
		.nagle = true, .autoread = true, .limited_transmit = true,
	};
	if (ep->smo->data_defaults)
		ep->smo->data_defaults(ep->sm.state, &ep->dopts);
	if (ep->isno->seed) {
		sy_sim_stream(ep->sim, &r, "tcp-isn", sy_node_index(n));
		ep->isno->seed(ep->isn.state, &r);
	}
	sy_sim_stream(ep->sim, &r, "tcp-cookie", sy_node_index(n));
	for (int i = 0; i < 16; i += 8) {
		uint64_t x = sy_rng_next(&r);

		memcpy(ep->cookie_key + i, &x, 8);
	}
	sy_node_set_proto_owned(n, SY_IPPROTO_TCP, input, ep, ep_free);
	return ep;
fail_opts:
	if (o) {
		sy_instance_free(&o->sm);
		sy_instance_free(&o->isn);
		sy_instance_free(&o->timers);
		sy_instance_free(&o->cc);
	}
	return NULL;
}

int sy_tcp_set_cc(sy_tcb *c, sy_instance *in, sy_err *err)
{
	sy_tcp_ep *ep = c->ep;
	sy_instance *x;
	void *priv = NULL;
	const sy_cc_ops *o;

	if (strcmp(in->plugin->kind, "cc") != 0)
		return sy_err_set(err, "%s/%s is not a cc plugin", in->plugin->kind, in->plugin->name);
	if (c->state >= SY_TCP_ESTABLISHED && c->snd_max != c->iss + 1)
		return sy_err_set(err, "cc: the connection has sent data already");
	if (sy_instance_init(in, ep->sim, err) < 0)
		return -1;
	x = realloc(ep->ccx, (size_t)(ep->nccx + 1) * sizeof *x);
	if (!x)
		return sy_err_set(err, "out of memory");
	ep->ccx = x;
	o = in->plugin->ops;
	if (c->state >= SY_TCP_ESTABLISHED && o->conn_size &&
	    !(priv = calloc(1, o->conn_size)))
		return sy_err_set(err, "out of memory");
	x[ep->nccx] = *in;
	memset(in, 0, sizeof *in);
	c->cco = o;
	c->ccst = x[ep->nccx].state;
	ep->nccx++;
	if (c->state >= SY_TCP_ESTABLISHED) {
		free(c->cc.priv);
		c->cc.priv = priv;
		c->cc.cwnd = c->iw_bytes;
		c->cc.ssthresh = UINT32_MAX;
		c->cc.mss = sy_tcb_smss(c);
		c->cc.now = sy_sim_now(ep->sim);
		o->init(c->ccst, &c->cc);
	}
	return 0;
}

const char *sy_tcp_cc_name(const sy_tcb *c)
{
	const sy_tcp_ep *ep = c->ep;

	if (c->ccst == ep->cc.state)
		return ep->cc.plugin->name;
	for (int i = 0; i < ep->nccx; i++)
		if (c->ccst == ep->ccx[i].state)
			return ep->ccx[i].plugin->name;
	return "?";
}
