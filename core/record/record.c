#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "record.h"
#include "tcb.h"

/* Open addressing with linear probing; key 0 marks a free slot. */
struct slot {
	uint64_t key;
	uint64_t val;
};

struct tslot {
	uint64_t a, b;   /* the two endpoints, ordered; a = 0: free */
	uint32_t conn;
};

struct sy_record {
	sy_net *net;
	sy_rec_seg *seg;
	size_t nseg, segcap;
	sy_rec_conn *conn;
	size_t nconn, conncap;
	sy_rec_state *st;
	size_t nst, stcap;
	char **cause;
	size_t ncause;
	struct slot *fly;        /* uid + 1 -> segment, while in flight */
	size_t flycap, nfly;
	struct tslot *tup;       /* 4-tuple -> current connection */
	size_t tupcap, ntup;
	uint64_t last_uid;       /* the latest arrival at its destination */
	size_t last_seg;
	bool have_last;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*v, c * size)))
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* A record missing what it could not store would be read as what
 * happened: the run fails instead. */
static void record_oom(sy_record *r, const char *what)
{
	sy_sim_fail(sy_net_sim(r->net), "out of memory recording %s", what);
}

/* ------------------------------------------------------------ uid map */

static int fly_put(sy_record *r, uint64_t uid, uint64_t val);

static int fly_grow(sy_record *r)
{
	struct slot *old = r->fly;
	size_t oldcap = r->flycap, cap = oldcap ? oldcap * 2 : 256;

	if (!(r->fly = calloc(cap, sizeof *r->fly))) {
		r->fly = old;
		return -1;
	}
	r->flycap = cap;
	r->nfly = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			fly_put(r, old[i].key - 1, old[i].val);
	free(old);
	return 0;
}

static int fly_put(sy_record *r, uint64_t uid, uint64_t val)
{
	size_t i;

	if ((r->nfly + 1) * 2 > r->flycap && fly_grow(r) < 0) {
		record_oom(r, "a segment in flight");
		return -1;
	}
	for (i = mix(uid + 1) & (r->flycap - 1); r->fly[i].key; i = (i + 1) & (r->flycap - 1))
		;
	r->fly[i].key = uid + 1;
	r->fly[i].val = val;
	r->nfly++;
	return 0;
}

static struct slot *fly_get(const sy_record *r, uint64_t uid)
{
	if (!r->flycap)
		return NULL;
	for (size_t i = mix(uid + 1) & (r->flycap - 1); r->fly[i].key; i = (i + 1) & (r->flycap - 1))
		if (r->fly[i].key == uid + 1)
			return &r->fly[i];
	return NULL;
}

/* Removes a slot, shifting back the entries of its probe run. */
static void fly_del(sy_record *r, struct slot *s)
{
	size_t mask = r->flycap - 1, i = (size_t)(s - r->fly), j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!r->fly[j].key)
			break;
		home = mix(r->fly[j].key) & mask;
		/* j may fill the hole at i unless its home lies in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			r->fly[i] = r->fly[j];
			i = j;
		}
	}
	r->fly[i].key = 0;
	r->nfly--;
}

/* ------------------------------------------------------------ 4-tuples */

static uint64_t endpoint(uint32_t addr, uint16_t port)
{
	return ((uint64_t)addr << 16 | port) + 1;
}

static struct tslot *tup_find(sy_record *r, uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
	size_t i;

	if ((r->ntup + 1) * 2 > r->tupcap) {
		struct tslot *old = r->tup;
		size_t oldcap = r->tupcap, cap = oldcap ? oldcap * 2 : 64;

		if (!(r->tup = calloc(cap, sizeof *r->tup))) {
			r->tup = old;
			record_oom(r, "a connection's addresses");
			return NULL;
		}
		r->tupcap = cap;
		for (size_t k = 0; k < oldcap; k++) {
			if (!old[k].a)
				continue;
			for (i = mix(old[k].a ^ mix(old[k].b)) & (cap - 1); r->tup[i].a; i = (i + 1) & (cap - 1))
				;
			r->tup[i] = old[k];
		}
		free(old);
	}
	for (i = mix(lo ^ mix(hi)) & (r->tupcap - 1); r->tup[i].a; i = (i + 1) & (r->tupcap - 1))
		if (r->tup[i].a == lo && r->tup[i].b == hi)
			return &r->tup[i];
	r->tup[i].a = lo;
	r->tup[i].b = hi;
	r->tup[i].conn = UINT32_MAX;
	r->ntup++;
	return &r->tup[i];
}

/* A new connection for the 4-tuple, client first. */
static long conn_new(sy_record *r, struct tslot *t, uint32_t caddr, uint16_t cport,
		     uint32_t saddr, uint16_t sport)
{
	sy_rec_conn *c;
	sy_time now = sy_sim_now(sy_net_sim(r->net));

	if (grow((void **)&r->conn, &r->conncap, r->nconn, sizeof *r->conn) < 0) {
		record_oom(r, "a connection");
		return -1;
	}
	c = &r->conn[r->nconn];
	memset(c, 0, sizeof *c);
	c->addr[0] = caddr;
	c->port[0] = cport;
	c->addr[1] = saddr;
	c->port[1] = sport;
	c->node[0] = sy_net_owner(r->net, caddr);
	c->node[1] = sy_net_owner(r->net, saddr);
	c->first = c->last = now;
	c->side[0].state = c->side[1].state = SY_TCP_CLOSED;
	c->prev = t->conn;
	t->conn = (uint32_t)r->nconn;
	return (long)r->nconn++;
}

/* Every side that has had a record is CLOSED again. */
static bool conn_over(const sy_rec_conn *c)
{
	bool any = false;

	for (int s = 0; s < 2; s++) {
		if (!c->side[s].ep)
			continue;
		if (c->side[s].state != SY_TCP_CLOSED)
			return false;
		any = true;
	}
	return any;
}

/* The side of (addr, port) in c: 0 client, 1 server. */
static int side_of(const sy_rec_conn *c, uint32_t addr, uint16_t port)
{
	return !(c->addr[0] == addr && c->port[0] == port);
}

/* The connection of a segment from (src, sport) to (dst, dport). */
static long conn_for_segment(sy_record *r, uint32_t src, uint16_t sport,
			     uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq)
{
	struct tslot *t = tup_find(r, endpoint(src, sport), endpoint(dst, dport));
	bool syn = (flags & (SY_TCP_SYN | SY_TCP_ACK)) == SY_TCP_SYN;
	sy_rec_conn *c;

	if (!t)
		return -1;
	if (t->conn == UINT32_MAX) {
		/* The SYN's sender is the client; else guess the ephemeral
		 * port's side. */
		if (syn || sport >= dport)
			return conn_new(r, t, src, sport, dst, dport);
		return conn_new(r, t, dst, dport, src, sport);
	}
	c = &r->conn[t->conn];
	if (syn && side_of(c, src, sport) == 0 && c->syn_isn[0] && c->isn[0] != seq)
		return conn_new(r, t, src, sport, dst, dport);
	if (conn_over(c)) {
		if (syn)
			return conn_new(r, t, src, sport, dst, dport);
		if (!(flags & SY_TCP_RST))
			return conn_new(r, t, c->addr[0], c->port[0], c->addr[1], c->port[1]);
	}
	return t->conn;
}

/* ------------------------------------------------------------ observers */

static uint32_t hdr_addr(const sy_packet *p, int off)
{
	uint32_t a;

	memcpy(&a, p->hdr + off, 4);
	return ntohl(a);
}

static long new_segment(sy_record *r, const sy_packet *p, sy_time now)
{
	uint32_t src = hdr_addr(p, 12), dst = hdr_addr(p, 16);
	sy_rec_seg *s;
	sy_rec_conn *c;
	sy_tcp t;
	long ci;
	int side;

	if (sy_tcp_read(p, &t, NULL) < 0)
		return -1;
	ci = conn_for_segment(r, src, t.sport, dst, t.dport, t.flags, t.seq);
	if (ci < 0)
		return -1;
	if (grow((void **)&r->seg, &r->segcap, r->nseg, sizeof *r->seg) < 0) {
		record_oom(r, "a segment");
		return -1;
	}
	c = &r->conn[ci];
	side = side_of(c, src, t.sport);
	if (!c->has_isn[side] || (!c->syn_isn[side] && (t.flags & SY_TCP_SYN))) {
		c->isn[side] = t.seq;
		c->has_isn[side] = true;
		c->syn_isn[side] = t.flags & SY_TCP_SYN;
	}
	s = &r->seg[r->nseg];
	memset(s, 0, sizeof *s);
	s->sent = now;
	s->end = -1;
	s->seq = t.seq;
	s->ack = t.ack;
	s->len = p->payload_len;
	s->win = t.window;
	s->flags = t.flags;
	s->conn = (uint32_t)ci;
	s->dir = (uint8_t)side;
	c->segments++;
	c->last = now;
	return (long)r->nseg++;
}

static void end_segment(sy_record *r, sy_rec_seg *s, sy_time now, int fate)
{
	s->end = now;
	s->fate = (uint8_t)(fate & 3);
	if (r->conn[s->conn].last < now)
		r->conn[s->conn].last = now;
}

static void on_packet(void *ctx, char ev, const sy_link *l, int dir,
		      const sy_packet *p, sy_drop reason)
{
	sy_record *r = ctx;
	sy_time now = sy_sim_now(sy_net_sim(r->net));
	struct slot *f;
	long i;

	if (p->hdr[9] != SY_IPPROTO_TCP)
		return;
	f = fly_get(r, p->uid);
	switch (ev) {
	case '+':
	case '-':
		if (!f && (i = new_segment(r, p, now)) >= 0)
			fly_put(r, p->uid, (uint64_t)i);
		return;
	case 'r':
		if (!f) {
			/* A copy made on the way (a duplicating loss model): it
			 * left with the original, the latest like it. */
			if ((i = new_segment(r, p, now)) < 0)
				return;
			sy_rec_seg *s = &r->seg[i];

			s->copy = 1;
			for (size_t k = (size_t)i, n = 0; k-- > 0 && n < 64; n++) {
				const sy_rec_seg *o = &r->seg[k];

				if (o->conn == s->conn && o->dir == s->dir && o->seq == s->seq &&
				    o->ack == s->ack && o->flags == s->flags && o->len == s->len) {
					s->sent = o->sent;
					break;
				}
			}
			if (fly_put(r, p->uid, (uint64_t)i) < 0 || !(f = fly_get(r, p->uid)))
				return;
		}
		/* arrival at the destination: over a link into the node that
		 * owns the address, or (no link) across a TUN device */
		if (!l || sy_net_owner(r->net, hdr_addr(p, 16)) == sy_link_node(l, !dir)) {
			i = (long)f->val;
			end_segment(r, &r->seg[i], now, SY_REC_ARRIVED);
			fly_del(r, f);
			r->last_uid = p->uid;
			r->last_seg = (size_t)i;
			r->have_last = true;
		}
		return;
	case 'd':
		if (f) {
			i = (long)f->val;
			fly_del(r, f);
		} else if (r->have_last && r->last_uid == p->uid) {
			/* after its arrival: refused by the destination */
			i = (long)r->last_seg;
			r->seg[i].at_receiver = 1;
		} else if ((i = new_segment(r, p, now)) < 0) {
			return;
		}
		end_segment(r, &r->seg[i], now, SY_REC_DROPPED);
		r->seg[i].reason = (uint8_t)reason;
		r->seg[i].link = l ? (uint16_t)sy_link_index(l) : 0;
		r->seg[i].link_dir = (uint8_t)(dir & 1);
		return;
	default:
		return;
	}
}

static uint16_t intern(sy_record *r, const char *cause)
{
	char **v, *s;

	for (size_t i = r->ncause; i-- > 0;)
		if (strcmp(r->cause[i], cause) == 0)
			return (uint16_t)i;
	/* Cause 0 is the first one recorded: a cause that cannot be kept
	 * would be reported as another, so the run fails instead. */
	if (r->ncause >= UINT16_MAX) {
		sy_sim_fail(sy_net_sim(r->net), "more than %u distinct state-change causes to record",
			    UINT16_MAX);
		return 0;
	}
	if (SY_FAULT(SY_FAULT_CAUSE) || !(s = strdup(cause)))
		goto oom;
	if (!(v = realloc(r->cause, (r->ncause + 1) * sizeof *v))) {
		free(s);
		goto oom;
	}
	r->cause = v;
	r->cause[r->ncause] = s;
	return (uint16_t)r->ncause++;
oom:
	sy_sim_fail(sy_net_sim(r->net), "out of memory recording the state-change cause '%s'",
		    cause);
	return 0;
}

static void on_state(void *ctx, sy_tcb *tcb, sy_tcp_state from, sy_tcp_state to,
		     const char *cause)
{
	sy_record *r = ctx;
	sy_time now = sy_sim_now(sy_net_sim(r->net));
	struct tslot *t;
	sy_rec_conn *c;
	sy_rec_state *st;
	int side;
	long ci;

	if (!(t = tup_find(r, endpoint(tcb->laddr, tcb->lport), endpoint(tcb->raddr, tcb->rport))))
		return;
	ci = t->conn;
	/* The connection this record already belongs to, if any: the current
	 * one or an earlier incarnation. */
	for (uint32_t k = t->conn, n = 0; k != UINT32_MAX && n < 16; k = r->conn[k].prev, n++) {
		int sd = side_of(&r->conn[k], tcb->laddr, tcb->lport);

		if (r->conn[k].side[sd].ep == tcb->ep && r->conn[k].side[sd].id == tcb->id) {
			ci = k;
			break;
		}
	}
	if (ci != UINT32_MAX) {
		c = &r->conn[ci];
		side = side_of(c, tcb->laddr, tcb->lport);
		if (from == to) {
			/* not a state change: only the binding's tag */
			if (c->side[side].ep == tcb->ep && c->side[side].id == tcb->id && tcb->user)
				c->side[side].tag = tcb->user;
			return;
		}
		/* Another record on a side that had one: a new incarnation. */
		if (c->side[side].ep && (c->side[side].ep != tcb->ep || c->side[side].id != tcb->id))
			ci = UINT32_MAX;
	} else if (from == to) {
		return;
	}
	if (ci == UINT32_MAX) {
		bool client = to == SY_TCP_SYN_SENT ||
			      (!tcb->listener && from != SY_TCP_LISTEN && tcb->lport >= tcb->rport);

		uint32_t before = t->conn;

		ci = client ? conn_new(r, t, tcb->laddr, tcb->lport, tcb->raddr, tcb->rport)
			    : conn_new(r, t, tcb->raddr, tcb->rport, tcb->laddr, tcb->lport);
		if (ci < 0)
			return;
		/* The SYN of an active open leaves just before its state
		 * change is reported: it belongs here. */
		sy_rec_seg *s = r->nseg ? &r->seg[r->nseg - 1] : NULL;

		if (to == SY_TCP_SYN_SENT && s && before != UINT32_MAX && s->conn == before &&
		    s->sent == now && (s->flags & (SY_TCP_SYN | SY_TCP_ACK)) == SY_TCP_SYN &&
		    r->conn[before].addr[s->dir] == tcb->laddr &&
		    r->conn[before].port[s->dir] == tcb->lport) {
			r->conn[before].segments--;
			s->conn = (uint32_t)ci;
			s->dir = 0;
			r->conn[ci].segments++;
			r->conn[ci].isn[0] = s->seq;
			r->conn[ci].has_isn[0] = r->conn[ci].syn_isn[0] = true;
		}
	}
	c = &r->conn[ci];
	side = side_of(c, tcb->laddr, tcb->lport);
	c->side[side].ep = tcb->ep;
	c->side[side].id = tcb->id;
	if (tcb->user)
		c->side[side].tag = tcb->user;
	if (c->last < now)
		c->last = now;
	if (grow((void **)&r->st, &r->stcap, r->nst, sizeof *r->st) < 0) {
		record_oom(r, "a state change");
		return;
	}
	/* Observers are called in turn, and one may change the state again
	 * (an application closing in CLOSE_WAIT) before this recorder hears
	 * of the first change: a change from our `to` at this instant is
	 * then recorded already, and ours goes before it. */
	size_t at = r->nst;

	for (size_t k = r->nst, n = 0; k-- > 0 && n < 8 && r->st[k].t == now; n++)
		if (r->st[k].conn == (uint32_t)ci && r->st[k].side == side && r->st[k].from == to) {
			at = k;
			break;
		}
	if (at == r->nst) {
		c->side[side].state = to;
	} else {
		memmove(r->st + at + 1, r->st + at, (r->nst - at) * sizeof *r->st);
	}
	st = &r->st[at];
	st->before = at < r->nst ? r->st[at + 1].before : r->nseg;
	r->nst++;
	st->t = now;
	st->conn = (uint32_t)ci;
	st->side = (uint8_t)side;
	st->from = (uint8_t)from;
	st->to = (uint8_t)to;
	st->cause = intern(r, cause);
}

sy_record *sy_record_new(sy_net *net, sy_err *err)
{
	sy_record *r = calloc(1, sizeof *r);

	if (!r) {
		sy_err_set(err, "out of memory creating a recorder");
		return NULL;
	}
	r->net = net;
	if (sy_net_observe(net, on_packet, r) < 0) {
		free(r);
		sy_err_set(err, "record: the network has %d packet observers already",
			   SY_NET_OBSERVERS);
		return NULL;
	}
	if (sy_tcp_net_observe(net, on_state, r) < 0) {
		sy_net_unobserve(net, on_packet, r);
		free(r);
		sy_err_set(err, "record: the network's TCP observers are all taken");
		return NULL;
	}
	return r;
}

void sy_record_free(sy_record *r, bool detach)
{
	if (!r)
		return;
	if (detach) {
		sy_net_unobserve(r->net, on_packet, r);
		sy_tcp_net_unobserve(r->net, on_state, r);
	}
	for (size_t i = 0; i < r->ncause; i++)
		free(r->cause[i]);
	free(r->cause);
	free(r->seg);
	free(r->conn);
	free(r->st);
	free(r->fly);
	free(r->tup);
	free(r);
}

size_t sy_record_conns(const sy_record *r) { return r->nconn; }
const sy_rec_conn *sy_record_conn(const sy_record *r, size_t i) { return i < r->nconn ? &r->conn[i] : NULL; }
size_t sy_record_segments(const sy_record *r) { return r->nseg; }
const sy_rec_seg *sy_record_segment(const sy_record *r, size_t i) { return i < r->nseg ? &r->seg[i] : NULL; }
size_t sy_record_states(const sy_record *r) { return r->nst; }
const sy_rec_state *sy_record_state(const sy_record *r, size_t i) { return i < r->nst ? &r->st[i] : NULL; }
const char *sy_record_cause(const sy_record *r, uint16_t i) { return i < r->ncause ? r->cause[i] : ""; }

long sy_record_find(const sy_record *r, const void *ep, uint64_t id, const void *tag)
{
	for (size_t i = r->nconn; i-- > 0;)
		for (int s = 0; s < 2; s++) {
			const sy_rec_conn *c = &r->conn[i];

			if ((ep && c->side[s].ep == ep && c->side[s].id == id) ||
			    (tag && c->side[s].tag == tag))
				return (long)i;
		}
	return -1;
}

void sy_record_flags(uint8_t f, char *buf, size_t n)
{
	static const struct { uint8_t bit; const char *name; } order[] = {
		{ SY_TCP_SYN, "SYN" }, { SY_TCP_FIN, "FIN" }, { SY_TCP_RST, "RST" },
		{ SY_TCP_PSH, "PSH" }, { SY_TCP_ACK, "ACK" }, { SY_TCP_URG, "URG" },
		{ SY_TCP_ECE, "ECE" }, { SY_TCP_CWR, "CWR" },
	};
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (f & order[i].bit)
			len += (size_t)snprintf(buf + len, n > len ? n - len : 0, "%s%s",
						len ? "," : "", order[i].name);
	if (!len)
		snprintf(buf, n, "none");
}

/* ------------------------------------------------------------ ladders */

/* What one ladder shows: segments and state changes in time order. */
struct item {
	sy_time t;
	int rank;         /* at one instant, state changes come first */
	size_t seg;       /* SIZE_MAX: a state change */
	size_t st;
	bool old;         /* a segment of an earlier incarnation */
};

struct view {
	const sy_record *r;
	const sy_rec_conn *c;
	sy_time from, to;
	struct item *it;
	size_t n;
	size_t nseg;
};

static bool same_tuple(const sy_rec_conn *a, const sy_rec_conn *b)
{
	return a->addr[0] == b->addr[0] && a->port[0] == b->port[0] &&
	       a->addr[1] == b->addr[1] && a->port[1] == b->port[1];
}

static bool overlaps(sy_time a, sy_time b, sy_time from, sy_time to)
{
	return b >= from && (to < 0 || a <= to);
}

static int view_build(const sy_record *r, const sy_ladder_opts *o, struct view *v, sy_err *err)
{
	size_t cap = 0, si = 0;

	memset(v, 0, sizeof *v);
	if (o->conn >= r->nconn) {
		if (!r->nconn)
			return sy_err_set(err, "no connection %zu: the recorder has seen no connection",
					  o->conn + 1);
		return sy_err_set(err, "no connection %zu: the recorder has %zu (1 to %zu)",
				  o->conn + 1, r->nconn, r->nconn);
	}
	v->r = r;
	v->c = &r->conn[o->conn];
	v->from = o->from;
	v->to = o->to;
	for (size_t i = 0; i <= r->nseg; i++) {
		/* the state changes recorded before segment i */
		for (; si < r->nst && (i == r->nseg || r->st[si].before <= i); si++) {
			const sy_rec_state *s = &r->st[si];

			if (s->conn != o->conn || !overlaps(s->t, s->t, o->from, o->to))
				continue;
			if (grow((void **)&v->it, &cap, v->n, sizeof *v->it) < 0)
				goto oom;
			v->it[v->n++] = (struct item){ .t = s->t, .seg = SIZE_MAX, .st = si };
		}
		if (i == r->nseg)
			break;
		const sy_rec_seg *s = &r->seg[i];
		sy_time end = s->end < 0 ? INT64_MAX : s->end;
		bool old = false;

		if (s->conn != o->conn) {
			/* an earlier incarnation's segment landing in this one */
			if (s->conn > o->conn || !same_tuple(&r->conn[s->conn], v->c) ||
			    s->end < v->c->first || s->end > v->c->last)
				continue;
			old = true;
		}
		if (!overlaps(s->sent, end, o->from, o->to))
			continue;
		if (grow((void **)&v->it, &cap, v->n, sizeof *v->it) < 0)
			goto oom;
		v->it[v->n++] = (struct item){ .t = s->sent, .rank = 1, .seg = i, .old = old };
		v->nseg++;
	}
	return 0;
oom:
	free(v->it);
	return sy_err_set(err, "out of memory drawing a ladder");
}

/* Items are gathered in recording order; old segments go by send time. */
static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->rank - y->rank;
}

static void view_sort(struct view *v)
{
	/* insertion sort: nearly sorted already (only old segments move), and
	 * stable */
	for (size_t i = 1; i < v->n; i++) {
		struct item x = v->it[i];
		size_t j = i;

		while (j > 0 && item_cmp(&v->it[j - 1], &x) > 0) {
			v->it[j] = v->it[j - 1];
			j--;
		}
		v->it[j] = x;
	}
}

static void endpoint_text(const sy_rec_conn *c, int s, char *buf, size_t n)
{
	char a[16];

	sy_ipv4_format(c->addr[s], a);
	snprintf(buf, n, "%s:%u", a, (unsigned)c->port[s]);
}

static const char *node_name(const sy_rec_conn *c, int s)
{
	return c->node[s] ? sy_node_name(c->node[s]) : (s ? "server" : "client");
}

/* "SYN,ACK seq=1000 ack=5001 len=100 win=65535"; short drops the window. */
static void seg_label(const struct view *v, const sy_rec_seg *s, bool relative,
		      bool old, bool shrt, char *buf, size_t n)
{
	const sy_rec_conn *c = v->c;
	uint32_t seq = s->seq, ack = s->ack;
	char fl[48];
	size_t len;

	if (relative) {
		seq -= c->isn[s->dir];
		ack -= c->isn[!s->dir];
	}
	sy_record_flags(s->flags, fl, sizeof fl);
	len = (size_t)snprintf(buf, n, "%s%s seq=%" PRIu32, old ? "old " : "", fl, seq);
	if ((s->flags & SY_TCP_ACK) && len < n)
		len += (size_t)snprintf(buf + len, n - len, " ack=%" PRIu32, ack);
	if (s->len && len < n)
		len += (size_t)snprintf(buf + len, n - len, " len=%" PRIu32, s->len);
	if (!shrt && len < n)
		snprintf(buf + len, n - len, " win=%u", (unsigned)s->win);
}

static void drop_text(const sy_record *r, const sy_rec_seg *s, char *buf, size_t n)
{
	const char *why = sy_drop_name((sy_drop)s->reason);

	if (s->at_receiver || !s->link) {
		snprintf(buf, n, "%s", why);
		return;
	}
	const sy_link *l = sy_net_link_at(r->net, s->link - 1);

	if (!l) {
		snprintf(buf, n, "%s", why);
		return;
	}
	snprintf(buf, n, "%s %s>%s", why, sy_node_name(sy_link_node(l, s->link_dir)),
		 sy_node_name(sy_link_node(l, !s->link_dir)));
}

static double ms(sy_time t)
{
	return (double)t / 1e6;
}

/* Writes s padded with spaces (or cut) to exactly w columns. */
static void put_col(FILE *f, const char *s, int w, bool right)
{
	int n = (int)strlen(s);

	if (n > w)
		n = w;
	if (right)
		fprintf(f, "%*s%.*s", w - n, "", n, s);
	else
		fprintf(f, "%.*s%*s", n, s, w - n, "");
}

int sy_record_ladder_text(const sy_record *r, const sy_ladder_opts *o, FILE *f, sy_err *err)
{
	struct view v;
	int width = o->width > 0 ? o->width : 80;
	const int tw = 11, sw = 13;
	int mw;
	char a[64], b[64];

	if (width < 60)
		width = 60;
	if (width > 200)
		width = 200;
	mw = width - tw - 2 * sw;
	if (view_build(r, o, &v, err) < 0)
		return -1;
	view_sort(&v);
	endpoint_text(v.c, 0, a, sizeof a);
	endpoint_text(v.c, 1, b, sizeof b);
	if (o->title)
		fprintf(f, "%s\n", o->title);
	fprintf(f, "%*s  %-*s%*s\n", tw - 2, "time", (mw + sw) / 2, node_name(v.c, 0),
		width - tw - (mw + sw) / 2, node_name(v.c, 1));
	fprintf(f, "%*s  %-*s%*s\n", tw - 2, "(ms)", (mw + sw) / 2, a,
		width - tw - (mw + sw) / 2, b);
	for (size_t k = 0; k < v.n; k++) {
		const struct item *it = &v.it[k];
		char mid[256], lab[160], side[96];

		fprintf(f, "%*.3f  ", tw - 2, ms(it->t));
		if (it->seg == SIZE_MAX) {
			const sy_rec_state *s = &r->st[it->st];
			char cause[96];

			snprintf(cause, sizeof cause, "(%s)", sy_record_cause(r, s->cause));
			if (s->side == 0) {
				put_col(f, sy_tcp_state_name(s->to), sw, false);
				fputc('|', f);
				fputc(' ', f);
				put_col(f, cause, mw - 3, false);
				fputc('|', f);
			} else {
				put_col(f, "", sw, false);
				fputc('|', f);
				put_col(f, cause, mw - 3, true);
				fputc(' ', f);
				fputc('|', f);
				fputc(' ', f);
				fputs(sy_tcp_state_name(s->to), f);
			}
			fputc('\n', f);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];
		int room = mw - 6;  /* "|--" label "->|" */
		size_t ll;

		seg_label(&v, s, o->relative, it->old, false, lab, sizeof lab);
		if ((int)strlen(lab) > room)
			seg_label(&v, s, o->relative, it->old, true, lab, sizeof lab);
		ll = strlen(lab);
		if ((int)ll > room)
			ll = (size_t)room;
		/* the arrow, with its label after the tail */
		memset(mid, '-', (size_t)mw);
		mid[mw] = 0;
		mid[0] = mid[mw - 1] = '|';
		if (s->dir == 0) {
			memcpy(mid + 3, lab, ll);
			mid[mw - 2] = '>';
		} else {
			memcpy(mid + mw - 3 - ll, lab, ll);
			mid[1] = '<';
		}
		side[0] = 0;
		if (s->fate == SY_REC_DROPPED) {
			char why[64];

			drop_text(r, s, why, sizeof why);
			snprintf(side, sizeof side, "lost: %s", why);
			if (!s->at_receiver) {
				/* the arrow stops short, in an X */
				int x = s->dir == 0 ? (int)(3 + ll + (size_t)(mw - 5 - (int)ll) / 2)
						    : (int)(mw - 4 - ll - (size_t)(mw - 5 - (int)ll) / 2);

				if (s->dir == 0) {
					mid[x] = 'X';
					for (int i = x + 1; i < mw - 1; i++)
						mid[i] = ' ';
				} else {
					mid[x] = 'X';
					for (int i = 1; i < x; i++)
						mid[i] = ' ';
				}
			} else {
				mid[s->dir == 0 ? mw - 2 : 1] = 'X';
			}
		} else if (s->fate == SY_REC_ARRIVED) {
			snprintf(side, sizeof side, "%.3f", ms(s->end));
		} else {
			snprintf(side, sizeof side, "in flight");
		}
		if (s->copy)
			snprintf(side + strlen(side), sizeof side - strlen(side), " copy");
		if (s->dir == 0) {
			put_col(f, "", sw, false);
			fputs(mid, f);
			fprintf(f, " %s\n", side);
		} else {
			char l2[112];

			snprintf(l2, sizeof l2, "%s ", side);
			put_col(f, l2, sw, true);
			fputs(mid, f);
			fputc('\n', f);
		}
	}
	if (!v.n)
		fprintf(f, "%*s  (nothing in this time window)\n", tw - 2, "");
	free(v.it);
	return ferror(f) ? sy_err_set(err, "cannot write the ladder: %s", strerror(errno)) : 0;
}

/* ------------------------------------------------------------ SVG */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* The vertical scale: times of interest sorted, mapped piecewise linearly
 * with long gaps cut to BREAK_PX. */
#define ONEWAY_PX 90.0
#define BREAK_PX 56.0
#define MAX_HEIGHT 30000.0

struct scale {
	sy_time *t;
	double *y;
	bool *cut;       /* the gap before t[i] was cut */
	size_t n;
	double pps;      /* pixels per second */
	double top;
};

static int time_cmp(const void *a, const void *b)
{
	sy_time x = *(const sy_time *)a, y = *(const sy_time *)b;

	return (x > y) - (x < y);
}

static sy_time clip(const struct view *v, sy_time t)
{
	if (t < v->from)
		return v->from;
	if (v->to >= 0 && t > v->to)
		return v->to;
	return t;
}

/* The end a segment is drawn to. */
static sy_time seg_end(const struct view *v, const sy_rec_seg *s, sy_time last)
{
	return clip(v, s->end < 0 ? last : s->end);
}

static double y_at(const struct scale *sc, sy_time t)
{
	size_t lo = 0, hi = sc->n;

	if (!sc->n)
		return sc->top;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (sc->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (t <= sc->t[0])
		return sc->y[0];
	if (lo + 1 >= sc->n || sc->cut[lo + 1])
		return sc->y[lo];
	return sc->y[lo] + (double)(t - sc->t[lo]) / (double)(sc->t[lo + 1] - sc->t[lo]) *
			   (sc->y[lo + 1] - sc->y[lo]);
}

static int scale_build(const struct view *v, struct scale *sc, sy_time last, double top,
		       sy_time *owd_out)
{
	const sy_record *r = v->r;
	size_t n = 0, nd = 0;
	sy_time *d, owd;

	memset(sc, 0, sizeof *sc);
	sc->top = top;
	sc->t = malloc((2 * v->n + 1) * sizeof *sc->t);
	d = malloc((v->n + 1) * sizeof *d);
	if (!sc->t || !d) {
		free(d);
		return -1;
	}
	for (size_t k = 0; k < v->n; k++) {
		const struct item *it = &v->it[k];

		if (it->seg == SIZE_MAX) {
			sc->t[n++] = clip(v, it->t);
			continue;
		}
		const sy_rec_seg *s = &r->seg[it->seg];

		sc->t[n++] = clip(v, s->sent);
		sc->t[n++] = seg_end(v, s, last);
		if (s->fate == SY_REC_ARRIVED && !it->old && s->end > s->sent)
			d[nd++] = s->end - s->sent;
	}
	qsort(sc->t, n, sizeof *sc->t, time_cmp);
	qsort(d, nd, sizeof *d, time_cmp);
	/* one-way delay: the median of the delivered segments' */
	owd = nd ? d[nd / 2] : 0;
	free(d);
	{
		size_t u = 0;

		for (size_t i = 0; i < n; i++)
			if (!u || sc->t[u - 1] != sc->t[i])
				sc->t[u++] = sc->t[i];
		n = u;
	}
	if (!owd)
		owd = n > 1 ? (sc->t[n - 1] - sc->t[0]) / 8 : SY_SEC / 1000;
	if (owd <= 0)
		owd = SY_SEC / 1000;
	*owd_out = owd;
	sc->n = n;
	sc->y = malloc((n + 1) * sizeof *sc->y);
	sc->cut = calloc(n + 1, sizeof *sc->cut);
	if (!sc->y || !sc->cut)
		return -1;
	sc->pps = ONEWAY_PX / ((double)owd / 1e9);
	for (int pass = 0; pass < 40; pass++) {
		double y = top;

		for (size_t i = 0; i < n; i++) {
			if (i) {
				double dy = (double)(sc->t[i] - sc->t[i - 1]) / 1e9 * sc->pps;

				sc->cut[i] = dy > 8 * ONEWAY_PX;
				y += sc->cut[i] ? BREAK_PX : dy;
			}
			sc->y[i] = y;
		}
		if (y - top <= MAX_HEIGHT)
			break;
		sc->pps /= 2;
	}
	return 0;
}

static void scale_free(struct scale *sc)
{
	free(sc->t);
	free(sc->y);
	free(sc->cut);
}

/* "12.5 ms" or "60 s" for a tick at t with spacing step. */
static void tick_label(sy_time t, sy_time step, char *buf, size_t n)
{
	bool seconds = step >= SY_SEC;
	double unit = seconds ? 1e9 : 1e6;
	int dec = 0;

	for (double s = (double)step / unit; s < 0.999 && dec < 6; s *= 10)
		dec++;
	snprintf(buf, n, "%.*f %s", dec, (double)t / unit, seconds ? "s" : "ms");
}

static void svg_axis(FILE *f, const struct scale *sc, double x)
{
	size_t i = 0;

	while (i < sc->n) {
		size_t j = i;

		while (j + 1 < sc->n && !sc->cut[j + 1])
			j++;
		/* a piece from t[i] to t[j]: ticks every nice step */
		sy_time span = sc->t[j] - sc->t[i], step = 1;
		static const int nice[] = { 1, 2, 5 };
		char lab[48];

		for (int e = 0; e < 19 && span; e++) {
			sy_time base = 1;
			bool done = false;

			for (int k = 0; k < e; k++)
				base *= 10;
			for (int k = 0; k < 3; k++) {
				step = base * nice[k];
				if ((double)step / 1e9 * sc->pps >= 48) {
					done = true;
					break;
				}
			}
			if (done)
				break;
		}
		/* the piece's start, one decimal finer than its ticks */
		tick_label(sc->t[i], span ? (step >= 10 ? step / 10 : 1) : 1000, lab, sizeof lab);
		if (!span || y_at(sc, (sc->t[i] / step + 1) * step) - sc->y[i] >= 14) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 6, sc->y[i] + 4);
			xml_text(f, lab);
			fputs("</text>\n", f);
		}
		if (span)
			for (sy_time t = (sc->t[i] / step + 1) * step; t <= sc->t[j]; t += step) {
				double y = y_at(sc, t);

				tick_label(t, step, lab, sizeof lab);
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
					"<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">", x - 3, y, x + 3, y,
					x - 6, y + 4);
				xml_text(f, lab);
				fputs("</text>\n", f);
			}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
			x, sc->y[i], x, sc->y[j]);
		i = j + 1;
	}
}

#define SVG_MAX_SEGMENTS 3000

int sy_record_ladder_svg(const sy_record *r, const sy_ladder_opts *o, FILE *f, sy_err *err)
{
	struct view v;
	struct scale sc;
	double W = o->width > 0 ? o->width : 800, top = 104, xl, xr, xa = 88, H;
	sy_time last, owd;
	size_t drawn = 0;
	/* labels nudged down so as not to overlap: the lowest so far of each
	 * side's state names and segment labels */
	double st_low[2] = { -1e9, -1e9 }, lab_low[2] = { -1e9, -1e9 };
	char a[64], b[64], lab[200];

	if (W < 480)
		W = 480;
	xl = xa + 140;
	xr = W - 150;
	if (view_build(r, o, &v, err) < 0)
		return -1;
	view_sort(&v);
	last = o->to >= 0 ? o->to : v.c->last;
	if (last < v.c->last && o->to < 0)
		last = v.c->last;
	for (size_t k = 0; k < v.n; k++)
		if (v.it[k].t > last)
			last = v.it[k].t;
	if (scale_build(&v, &sc, last, top, &owd) < 0) {
		free(v.it);
		scale_free(&sc);
		return sy_err_set(err, "out of memory drawing a ladder");
	}
	H = (sc.n ? sc.y[sc.n - 1] : top) + 60;
	endpoint_text(v.c, 0, a, sizeof a);
	endpoint_text(v.c, 1, b, sizeof b);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"11\">\n", W, H, W, H);
	fputs("<style>\n"
	      ".life{stroke:#444;stroke-width:1.5}\n"
	      ".axis{stroke:#888;stroke-width:1}\n"
	      ".tick{fill:#555;text-anchor:end;font-size:10px}\n"
	      ".cs{stroke:#1f5fbf;stroke-width:1.3;fill:none}\n"
	      ".sc{stroke:#a05000;stroke-width:1.3;fill:none}\n"
	      ".lost{stroke:#c00000;stroke-width:1.3;stroke-dasharray:5 3;fill:none}\n"
	      ".old{stroke:#7b2fa0;stroke-width:1.3;stroke-dasharray:2 2;fill:none}\n"
	      ".x{stroke:#c00000;stroke-width:2}\n"
	      ".lcs{fill:#1f5fbf}\n.lsc{fill:#a05000}\n.llost{fill:#c00000}\n.lold{fill:#7b2fa0}\n"
	      ".state{font-weight:bold;fill:#222}\n"
	      ".cause{fill:#777;font-size:9px}\n"
	      ".cut{fill:#777;font-style:italic;text-anchor:middle}\n"
	      "</style>\n", f);
	fputs("<defs>\n", f);
	static const char *const heads[][2] = {
		{ "acs", "#1f5fbf" }, { "asc", "#a05000" }, { "aold", "#7b2fa0" },
	};
	for (size_t i = 0; i < 3; i++)
		fprintf(f, "<marker id=\"%s\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" "
			"orient=\"auto\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,4 L0,8 z\" "
			"fill=\"%s\"/></marker>\n", heads[i][0], heads[i][1]);
	fputs("</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
	/* title and endpoints */
	if (o->title)
		snprintf(lab, sizeof lab, "%s", o->title);
	else
		snprintf(lab, sizeof lab, "%s -> %s", a, b);
	fprintf(f, "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">",
		W / 2);
	xml_text(f, lab);
	fputs("</text>\n", f);
	for (int s = 0; s < 2; s++) {
		double x = s ? xr : xl;

		fprintf(f, "<text x=\"%.1f\" y=\"52\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">", x);
		xml_text(f, node_name(v.c, s));
		fprintf(f, "</text>\n<text x=\"%.1f\" y=\"68\" text-anchor=\"middle\">", x);
		xml_text(f, s ? b : a);
		fprintf(f, "</text>\n<text x=\"%.1f\" y=\"82\" text-anchor=\"middle\" class=\"cause\">%s</text>\n",
			x, s ? "server" : "client");
	}
	fprintf(f, "<text x=\"%.1f\" y=\"82\" class=\"tick\">time</text>\n", xa);
	/* lifelines, broken at the cuts */
	for (int s = 0; s < 2; s++) {
		double x = s ? xr : xl, y0 = top - 12;

		for (size_t i = 1; i < sc.n; i++)
			if (sc.cut[i]) {
				double ya = sc.y[i - 1] + 12, yb = sc.y[i] - 12;

				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n",
					x, y0, x, ya);
				fprintf(f, "<path d=\"M%.1f,%.1f l-6,-3 m6,3 m0,%.1f l6,3\" class=\"axis\"/>\n"
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\" "
					"stroke-dasharray=\"2 3\"/>\n", x, ya, yb - ya, x, ya, x, yb);
				y0 = yb;
			}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"life\"/>\n",
			x, y0, x, H - 30);
	}
	for (size_t i = 1; i < sc.n; i++)
		if (sc.cut[i]) {
			char gap[48];
			sy_time g = sc.t[i] - sc.t[i - 1];

			if (g >= SY_SEC)
				snprintf(gap, sizeof gap, "%.3f s later", (double)g / 1e9);
			else
				snprintf(gap, sizeof gap, "%.3f ms later", (double)g / 1e6);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">%s</text>\n",
				(xl + xr) / 2, (sc.y[i - 1] + sc.y[i]) / 2 + 4, gap);
		}
	svg_axis(f, &sc, xa);
	/* segments and state changes */
	for (size_t k = 0; k < v.n; k++) {
		const struct item *it = &v.it[k];

		if (it->seg == SIZE_MAX) {
			const sy_rec_state *s = &r->st[it->st];
			double x = s->side ? xr : xl, y = y_at(&sc, clip(&v, s->t));
			const char *anchor = s->side ? "start" : "end";
			double tx = s->side ? x + 8 : x - 8;

			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#222\"/>\n", x, y);
			if (y < st_low[s->side] + 24)
				y = st_low[s->side] + 24;
			st_low[s->side] = y;
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"state\">%s"
				"<title>%s -&gt; %s (", tx, y + 4, anchor,
				sy_tcp_state_name(s->to), sy_tcp_state_name(s->from),
				sy_tcp_state_name(s->to));
			xml_text(f, sy_record_cause(r, s->cause));
			fputs(")</title></text>\n", f);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"cause\">", tx,
				y + 15, anchor);
			xml_text(f, sy_record_cause(r, s->cause));
			fputs("</text>\n", f);
			continue;
		}
		if (drawn++ >= SVG_MAX_SEGMENTS)
			continue;
		const sy_rec_seg *s = &r->seg[it->seg];
		double x0 = s->dir ? xr : xl, x1 = s->dir ? xl : xr;
		double y0 = y_at(&sc, clip(&v, s->sent)), y1 = y_at(&sc, seg_end(&v, s, last));
		const char *cls = it->old ? "old" : s->dir ? "sc" : "cs";
		const char *lcls = it->old ? "lold" : s->dir ? "lsc" : "lcs";
		const char *head = it->old ? "aold" : s->dir ? "asc" : "acs";
		double lx = s->dir ? x0 - 10 : x0 + 10, ly;

		if (s->fate == SY_REC_DROPPED && !s->at_receiver) {
			/* stops partway, at the drop time: a third of the way
			 * at least, two thirds at most */
			double frac = (double)(s->end - s->sent) / (double)owd;

			if (frac < 0.33)
				frac = 0.33;
			if (frac > 0.67)
				frac = 0.67;
			x1 = x0 + (x1 - x0) * frac;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"lost\"/>\n",
				x0, y0, x1, y1);
			fprintf(f, "<path d=\"M%.1f,%.1f l12,12 m0,-12 l-12,12\" class=\"x\"/>\n",
				x1 - 6, y1 - 6);
			drop_text(r, s, lab, sizeof lab);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"llost\">lost: ",
				s->dir ? x1 - 10 : x1 + 10, y1 + 14, s->dir ? "end" : "start");
			xml_text(f, lab);
			fputs("</text>\n", f);
			cls = "lost";
			lcls = "llost";
		} else {
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"%s%s%s/>\n",
				x0, y0, x1, y1, s->fate == SY_REC_DROPPED ? "lost" : cls,
				s->fate == SY_REC_ARRIVED ? " marker-end=\"url(#" : "",
				s->fate == SY_REC_ARRIVED ? head : "",
				s->fate == SY_REC_ARRIVED ? ")\"" : "");
			if (s->fate == SY_REC_DROPPED) {
				fprintf(f, "<path d=\"M%.1f,%.1f l12,12 m0,-12 l-12,12\" class=\"x\"/>\n",
					x1 - 6, y1 - 6);
				drop_text(r, s, lab, sizeof lab);
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"llost\">lost: ",
					s->dir ? x1 + 10 : x1 - 10, y1 + 14, s->dir ? "start" : "end");
				xml_text(f, lab);
				fputs("</text>\n", f);
				lcls = "llost";
			}
		}
		/* the label just above the arrow, near its tail */
		ly = y0 + (y1 - y0) * (lx - x0) / (x1 - x0 ? x1 - x0 : 1) - 4;
		if (ly < lab_low[s->dir] + 13)
			ly = lab_low[s->dir] + 13;
		lab_low[s->dir] = ly;
		seg_label(&v, s, o->relative, it->old, false, lab, sizeof lab);
		if (s->copy)
			snprintf(lab + strlen(lab), sizeof lab - strlen(lab), " (copy)");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", lx, ly,
			s->dir ? "end" : "start", lcls);
		xml_text(f, lab);
		fputs("</text>\n", f);
	}
	if (drawn > SVG_MAX_SEGMENTS)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">%zu more segments not drawn: "
			"narrow the window (from, to)</text>\n", (xl + xr) / 2, H - 12,
			drawn - SVG_MAX_SEGMENTS);
	if (!v.n)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"cut\">nothing in this time window</text>\n",
			(xl + xr) / 2, top + 20);
	fputs("</svg>\n", f);
	scale_free(&sc);
	free(v.it);
	return ferror(f) ? sy_err_set(err, "cannot write the ladder: %s", strerror(errno)) : 0;
}

int sy_record_ladder_file(const sy_record *r, const sy_ladder_opts *o, const char *path,
			  bool svg, sy_err *err)
{
	sy_out *out;
	int rc;

	/* Check the connection before anything touches the file system. */
	if (o->conn >= r->nconn) {
		struct view v;

		return view_build(r, o, &v, err);
	}
	if (!(out = sy_out_open(path, err)))
		return -1;
	rc = svg ? sy_record_ladder_svg(r, o, sy_out_file(out), err)
		 : sy_record_ladder_text(r, o, sy_out_file(out), err);
	if (rc < 0 && !ferror(sy_out_file(out))) {
		sy_out_abandon(out);
		return -1;
	}
	/* A failed write (the stream's error flag) is reported by the
	 * close, naming the file. */
	return sy_out_close(out, err) < 0 || rc < 0 ? -1 : 0;
}
