/* Statistics: summaries, time series, the table of TCP connections. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "tcb.h"

/* ------------------------------------------------------------ summaries */

double sy_percentile(const double *sorted, size_t n, double p)
{
	double h = (double)(n - 1) * p / 100.0, f = floor(h);
	size_t i = (size_t)f;

	if (p <= 0 || n == 1)
		return sorted[0];
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - f) * (sorted[i + 1] - sorted[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int sy_summarize(const double *v, size_t n, sy_summary *s, sy_err *err)
{
	double mean = 0, m2 = 0, *sorted;

	s->count = n;
	if (n == 0) {
		s->mean = s->min = s->max = s->sd = NAN;
		s->p50 = s->p90 = s->p99 = NAN;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		double d;

		if (isnan(v[i]))
			return sy_err_set(err, "value %zu is NaN, which has no order", i + 1);
		/* Welford: numerically stable running mean and squared deviations */
		d = v[i] - mean;
		mean += d / (double)(i + 1);
		m2 += d * (v[i] - mean);
	}
	if (!(sorted = malloc(n * sizeof *sorted)))
		return sy_err_set(err, "out of memory for %zu values", n);
	memcpy(sorted, v, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_double);
	s->mean = mean;
	s->sd = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0.0;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->p50 = sy_percentile(sorted, n, 50);
	s->p90 = sy_percentile(sorted, n, 90);
	s->p99 = sy_percentile(sorted, n, 99);
	free(sorted);
	return 0;
}

/* ------------------------------------------------------------ series */

void sy_series_init(sy_series *s)
{
	memset(s, 0, sizeof *s);
}

void sy_series_free(sy_series *s)
{
	free(s->t);
	free(s->v);
	sy_series_init(s);
}

int sy_series_add(sy_series *s, double t, double v, sy_err *err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *nt = realloc(s->t, cap * sizeof *nt), *nv;

		if (!nt)
			return sy_err_set(err, "out of memory for %zu samples", cap);
		s->t = nt;
		if (!(nv = realloc(s->v, cap * sizeof *nv)))
			return sy_err_set(err, "out of memory for %zu samples", cap);
		s->v = nv;
		s->cap = cap;
	}
	s->t[s->n] = t;
	s->v[s->n] = v;
	s->n++;
	return 0;
}

/* ------------------------------------------------------------ connections */

/* The rows, and an open-addressing map (linear probing, at most half
 * full) from the records still alive to their rows. */
struct sy_tcp_table {
	sy_net *net;
	bool attached;
	sy_tcp_row *rows;
	sy_tcb **live;           /* per row: the record, NULL once freed */
	size_t n, cap;
	struct slot { const sy_tcb *c; size_t row; } *map;
	size_t mcap, mused;
};

static size_t hash_ptr(const void *p, size_t mask)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & mask;
}

static struct slot *map_find(const sy_tcp_table *t, const sy_tcb *c)
{
	size_t mask = t->mcap - 1;

	if (!t->mcap)
		return NULL;
	for (size_t i = hash_ptr(c, mask);; i = (i + 1) & mask) {
		if (t->map[i].c == c)
			return &t->map[i];
		if (!t->map[i].c)
			return NULL;
	}
}

static void map_put(struct slot *map, size_t mcap, const sy_tcb *c, size_t row)
{
	size_t mask = mcap - 1, i = hash_ptr(c, mask);

	while (map[i].c)
		i = (i + 1) & mask;
	map[i].c = c;
	map[i].row = row;
}

static int map_insert(sy_tcp_table *t, const sy_tcb *c, size_t row)
{
	if (2 * (t->mused + 1) > t->mcap) {
		size_t mcap = t->mcap ? 2 * t->mcap : 64;
		struct slot *map = calloc(mcap, sizeof *map);

		if (!map)
			return -1;
		for (size_t i = 0; i < t->mcap; i++)
			if (t->map[i].c)
				map_put(map, mcap, t->map[i].c, t->map[i].row);
		free(t->map);
		t->map = map;
		t->mcap = mcap;
	}
	map_put(t->map, t->mcap, c, row);
	t->mused++;
	return 0;
}

/* Deletes by shifting later members of the probe run back, so that no
 * tombstones are needed. */
static void map_remove(sy_tcp_table *t, struct slot *s)
{
	size_t mask = t->mcap - 1, i = (size_t)(s - t->map), j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->map[j].c)
			break;
		home = hash_ptr(t->map[j].c, mask);
		/* j's entry may move to i if i lies cyclically in [home, j) */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			t->map[i] = t->map[j];
			i = j;
		}
	}
	t->map[i].c = NULL;
	t->mused--;
}

static void copy_row(sy_tcp_row *r, const sy_tcb *c)
{
	const sy_tcb_rare *x = sy_rare_ro(c);

	r->state = c->state;
	r->t_open = c->t_open;
	r->t_established = c->t_established;
	r->t_first_rx = c->t_first_rx;
	r->t_all_acked = c->t_all_acked;
	r->t_closed = c->t_closed;
	r->bytes_sent = c->st.bytes_sent;
	r->bytes_received = c->st.bytes_received;
	r->bytes_acked = c->st.bytes_acked;
	r->retransmissions = x->retransmissions;
	r->timeouts = x->timeouts;
	r->fast_retransmits = x->fast_retransmits;
	r->rsts_sent = x->rsts_sent;
	r->rsts_received = x->rsts_received;
	r->zero_window_probes = x->zero_window_probes;
	snprintf(r->cc, sizeof r->cc, "%s", sy_tcp_cc_name(c));
}

/* Whether a report is the record being freed: the one place the table
 * reads a cause. */
static bool is_freed(sy_tcp_state from, sy_tcp_state to, sy_tcp_cause cause)
{
	return from == to && cause == SY_TCP_CAUSE_FREED;
}

/* A row is made at a connection's first state change and written only
 * when its record is freed: until then sy_tcp_table_row reads the
 * record itself, so other reports cost one lookup. */
static void table_observer(void *ctx, sy_tcb *c, sy_tcp_state from,
			   sy_tcp_state to, sy_tcp_cause cause)
{
	sy_tcp_table *t = ctx;
	bool freed = is_freed(from, to, cause);
	struct slot *s;
	sy_tcp_row *r;

	if (from == to && !freed)
		return;  /* not a state change: the record has it all */
	s = map_find(t, c);
	if (s) {
		if (freed) {
			r = &t->rows[s->row];
			copy_row(r, c);
			r->live = false;
			t->live[s->row] = NULL;
			map_remove(t, s);
		}
		return;
	}
	if (freed)
		return;  /* never seen changing state: not a connection */
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		sy_tcp_row *rows = realloc(t->rows, cap * sizeof *rows);
		sy_tcb **live;

		if (!rows)
			return;
		t->rows = rows;
		if (!(live = realloc(t->live, cap * sizeof *live)))
			return;
		t->live = live;
		t->cap = cap;
	}
	if (map_insert(t, c, t->n) < 0)
		return;
	r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	r->id = t->n + 1;
	r->ep_id = c->id;
	r->node = (uint32_t)sy_node_index(sy_tcp_ep_node(c->ep));
	/* a passive open has its listener until it is accepted */
	r->server = c->listener != NULL || from == SY_TCP_LISTEN;
	r->laddr = c->laddr;
	r->raddr = c->raddr;
	r->lport = c->lport;
	r->rport = c->rport;
	r->live = true;
	t->live[t->n] = c;
	t->n++;
}

sy_tcp_table *sy_tcp_table_new(sy_net *net, sy_err *err)
{
	sy_tcp_table *t = calloc(1, sizeof *t);

	if (!t) {
		sy_err_set(err, "out of memory for the connection table");
		return NULL;
	}
	t->net = net;
	if (sy_tcp_net_observe(net, table_observer, t) < 0) {
		free(t);
		sy_err_set(err, "no network-wide TCP observer is free for the connection table");
		return NULL;
	}
	t->attached = true;
	return t;
}

void sy_tcp_table_detach(sy_tcp_table *t)
{
	if (t && t->attached) {
		sy_tcp_net_unobserve(t->net, table_observer, t);
		t->attached = false;
	}
}

void sy_tcp_table_free(sy_tcp_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->live);
	free(t->map);
	free(t);
}

size_t sy_tcp_table_rows(const sy_tcp_table *t)
{
	return t->n;
}

void sy_tcp_table_row(const sy_tcp_table *t, size_t i, sy_tcp_row *r)
{
	*r = t->rows[i];
	if (t->live[i])
		copy_row(r, t->live[i]);
}
