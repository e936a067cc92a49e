#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "record_priv.h"
#include "tcb.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	return x ^ (x >> 31);
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

/* Room for n more bytes of options (offsets are 32 bits: past 4 GiB of
 * options the recording fails as out of memory). */
static int opt_room(sy_record *r, size_t n)
{
	size_t c = r->optbcap ? r->optbcap : 1024;
	uint8_t *p;

	if (r->noptb + n <= r->optbcap)
		return 0;
	while (c < r->noptb + n)
		c *= 2;
	if (c > UINT32_MAX || !(p = realloc(r->optb, c)))
		return -1;
	r->optb = p;
	r->optbcap = c;
	return 0;
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
	if (grow((void **)&r->seg, &r->segcap, r->nseg, sizeof *r->seg) < 0 ||
	    grow((void **)&r->optoff, &r->optoffcap, r->nseg + 1, sizeof *r->optoff) < 0 ||
	    opt_room(r, t.optlen) < 0) {
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
	s->ecn = p->hdr[1] & 3; /* the TOS byte's low bits */
	s->conn = (uint32_t)ci;
	s->dir = (uint8_t)side;
	if (t.optlen) /* optb is NULL until a segment has options */
		memcpy(r->optb + r->noptb, t.opt, t.optlen);
	r->noptb += t.optlen;
	r->optoff[r->nseg] = (uint32_t)(r->noptb - t.optlen);
	r->optoff[r->nseg + 1] = (uint32_t)r->noptb;
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
			r->seg[i].ecn = p->hdr[1] & 3; /* a CE mark on the way */
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
		r->seg[i].link = l ? (uint32_t)sy_link_index(l) : 0;
		r->seg[i].link_dir = (uint8_t)(dir & 1);
		return;
	default:
		return;
	}
}

static void on_state(void *ctx, sy_tcb *tcb, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
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
	st->cause = (uint16_t)cause;
}

/* A drop or an event of a TCP endpoint.  The segment received it names
 * is the latest arrival (delivered just now, and being handled); the
 * segment an event sent is among the latest recorded, left just now. */
static void on_note(void *ctx, const sy_tcp_note *n)
{
	sy_record *r = ctx;
	sy_time now = sy_sim_now(sy_net_sim(r->net));
	sy_rec_seg *s = NULL;
	sy_rec_event *e;
	struct tslot *t;
	long ci;
	int side;

	if (n->p) {
		if (!r->have_last || r->last_uid != n->p->uid)
			return;
		s = &r->seg[r->last_seg];
		if (n->drop) {
			if (s->fate == SY_REC_DROPPED)
				return;
			end_segment(r, s, now, SY_REC_DROPPED);
			s->at_receiver = 1;
			s->tcp_drop = 1;
			s->reason = n->what;
			return;
		}
	}
	if (n->drop)
		return;
	if (!(t = tup_find(r, endpoint(n->laddr, n->lport), endpoint(n->raddr, n->rport))) ||
	    t->conn == UINT32_MAX)
		return;
	ci = s ? (long)s->conn : (long)t->conn;
	side = side_of(&r->conn[ci], n->laddr, n->lport);
	for (size_t k = r->nseg, m = 0; !s && k-- > 0 && m < 16 && r->seg[k].sent == now; m++)
		if (r->seg[k].conn == (uint32_t)ci && r->seg[k].dir == side &&
		    r->seg[k].seq == n->seq && !r->seg[k].event)
			s = &r->seg[k];
	if (s)
		s->event = (uint8_t)(n->what + 1);
	if (grow((void **)&r->ev, &r->evcap, r->nev, sizeof *r->ev) < 0) {
		record_oom(r, "an event");
		return;
	}
	e = &r->ev[r->nev++];
	e->t = now;
	e->conn = (uint32_t)ci;
	e->seq = n->seq;
	e->side = (uint8_t)side;
	e->what = n->what;
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
	if (sy_tcp_net_observe_notes(net, on_note, r) < 0) {
		sy_tcp_net_unobserve(net, on_state, r);
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
		sy_tcp_net_unobserve_notes(r->net, on_note, r);
	}
	free(r->seg);
	free(r->optb);
	free(r->optoff);
	free(r->conn);
	free(r->st);
	free(r->ev);
	free(r->fly);
	free(r->tup);
	free(r);
}

size_t sy_record_conns(const sy_record *r) { return r->nconn; }
const sy_rec_conn *sy_record_conn(const sy_record *r, size_t i) { return i < r->nconn ? &r->conn[i] : NULL; }
size_t sy_record_segments(const sy_record *r) { return r->nseg; }
const sy_rec_seg *sy_record_segment(const sy_record *r, size_t i) { return i < r->nseg ? &r->seg[i] : NULL; }
const uint8_t *sy_record_seg_options(const sy_record *r, size_t i, unsigned *len)
{
	*len = i < r->nseg ? r->optoff[i + 1] - r->optoff[i] : 0;
	return *len ? r->optb + r->optoff[i] : NULL;
}

size_t sy_record_states(const sy_record *r) { return r->nst; }
const sy_rec_state *sy_record_state(const sy_record *r, size_t i) { return i < r->nst ? &r->st[i] : NULL; }
const char *sy_record_cause(const sy_record *r, uint16_t i) { (void)r; return i < SY_TCP_CAUSES ? sy_tcp_cause_name((sy_tcp_cause)i) : ""; }

size_t sy_record_events(const sy_record *r) { return r->nev; }
const sy_rec_event *sy_record_event(const sy_record *r, size_t i) { return i < r->nev ? &r->ev[i] : NULL; }

const char *sy_record_drop_name(const sy_rec_seg *s)
{
	return s->tcp_drop ? sy_tcp_drop_name((sy_tcp_drop)s->reason)
			   : sy_drop_name((sy_drop)s->reason);
}

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

