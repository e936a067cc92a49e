#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "record_priv.h"

/* ------------------------------------------------------------ ladders */

static bool same_tuple(const sy_rec_conn *a, const sy_rec_conn *b)
{
	return a->addr[0] == b->addr[0] && a->port[0] == b->port[0] &&
	       a->addr[1] == b->addr[1] && a->port[1] == b->port[1];
}

static bool overlaps(sy_time a, sy_time b, sy_time from, sy_time to)
{
	return b >= from && (to < 0 || a <= to);
}

int sy_ladder_view_build(const sy_record *r, const sy_ladder_opts *o, struct view *v, sy_err *err)
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

void sy_ladder_view_sort(struct view *v)
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

void sy_ladder_endpoint_text(const sy_rec_conn *c, int s, char *buf, size_t n)
{
	char a[16];

	sy_ipv4_format(c->addr[s], a);
	snprintf(buf, n, "%s:%u", a, (unsigned)c->port[s]);
}

const char *sy_ladder_node_name(const sy_rec_conn *c, int s)
{
	return c->node[s] ? sy_node_name(c->node[s]) : (s ? "server" : "client");
}

/* "SYN,ACK seq=1000 ack=5001 len=100 win=65535", "CE ACK seq=..." for a
 * CE-marked one; short drops the window. */
void sy_ladder_seg_label(const struct view *v, const sy_rec_seg *s, bool relative,
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
	/* first, as labels are cut to fit: a congestion mark a queue set
	 * on the way (RFC 3168) */
	len = (size_t)snprintf(buf, n, "%s%s%s seq=%" PRIu32, old ? "old " : "",
			       s->ecn == 3 ? "CE " : "", fl, seq);
	if ((s->flags & SY_TCP_ACK) && len < n)
		len += (size_t)snprintf(buf + len, n - len, " ack=%" PRIu32, ack);
	if (s->len && len < n)
		len += (size_t)snprintf(buf + len, n - len, " len=%" PRIu32, s->len);
	if (!shrt && len < n)
		snprintf(buf + len, n - len, " win=%u", (unsigned)s->win);
}

/* " [challenge ACK]", ...: what a segment was sent or received for
 * ("" for nothing). */
void sy_ladder_event_mark(const sy_rec_seg *s, char *buf, size_t n)
{
	static const char *const marks[SY_TCP_EVENTS] = {
		[SY_TCP_EV_COOKIE_SENT] = "cookie",
		[SY_TCP_EV_COOKIE_VALIDATED] = "cookie validated",
		[SY_TCP_EV_CHALLENGE_ACK] = "challenge ACK",
		[SY_TCP_EV_WINDOW_PROBE] = "window probe",
		[SY_TCP_EV_KEEPALIVE_PROBE] = "keepalive probe",
	};
	unsigned e = s->event - 1u;

	if (!s->event)
		snprintf(buf, n, "%s", "");
	else
		snprintf(buf, n, " [%s]", e < SY_TCP_EVENTS ? marks[e] : "?");
}

/* Why TCP refused a segment, as a ladder says it. */
static const char *tcp_drop_text(const sy_rec_seg *s)
{
	static const char *const texts[SY_TCP_DROPS] = {
		[SY_TCP_DROP_SYN_QUEUE] = "SYN queue full",
		[SY_TCP_DROP_ACCEPT_QUEUE] = "accept queue full",
		[SY_TCP_DROP_NO_SOCKET] = "no socket",
		[SY_TCP_DROP_CHALLENGE_LIMIT] = "challenge ACK limit",
		[SY_TCP_DROP_COOKIE] = "cookie rejected",
	};

	return s->reason < SY_TCP_DROPS ? texts[s->reason] : "?";
}

void sy_ladder_drop_text(const sy_record *r, const sy_rec_seg *s, char *buf, size_t n)
{
	const char *why = sy_drop_name((sy_drop)s->reason);

	if (s->tcp_drop) {
		snprintf(buf, n, "%s", tcp_drop_text(s));
		return;
	}

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

const char *sy_ladder_state_rule(const sy_rec_state *s)
{
	if (s->cause >= SY_TCP_CAUSES || s->from >= SY_TCP_STATES || s->to >= SY_TCP_STATES)
		return NULL;
	return sy_tcp_cause_rule((sy_tcp_cause)s->cause, (sy_tcp_state)s->from,
				 (sy_tcp_state)s->to);
}

int sy_record_ladder_file(const sy_record *r, const sy_ladder_opts *o, const char *path,
			  bool svg, sy_err *err)
{
	sy_out *out;
	int rc;

	/* Check the connection before anything touches the file system. */
	if (o->conn >= r->nconn) {
		struct view v;

		return sy_ladder_view_build(r, o, &v, err);
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
