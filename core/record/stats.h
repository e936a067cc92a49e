/* Statistics: summaries of samples, time series, and a table of every TCP
 * connection a network has had.
 *
 * Summaries are exact: the values are kept and sorted, so percentiles are
 * order statistics, not estimates.  Percentile p (0..100) of n sorted
 * values x[0..n-1] is the linear interpolation between the closest ranks
 * (Hyndman and Fan's definition 7, the default of R and NumPy):
 * h = (n - 1) p / 100, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 * The standard deviation is the sample one (divisor n - 1; 0 for n = 1),
 * computed with Welford's update.
 *
 * The connection table observes every endpoint of a network, present and
 * future (sy_tcp_net_observe), so it has a row for each connection from
 * its first state change on, also after the record is freed: the row of a
 * live connection is read from the record, that of a freed one was copied
 * when it went.  Rows are in order of the first state change, which is the
 * order of creation. */
#ifndef SY_STATS_H
#define SY_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "net.h"
#include "tcp.h"
#include "vtime.h"

typedef struct sy_summary {
	size_t count;
	double mean, min, max, sd;
	double p50, p90, p99;
} sy_summary;

/* Percentile p (0..100) of n values sorted in ascending order (n > 0). */
double sy_percentile(const double *sorted, size_t n, double p);
/* Summarises n values (n = 0 gives count 0 and NaN elsewhere).  NaN values
 * are an error: they have no order. */
int sy_summarize(const double *v, size_t n, sy_summary *s, sy_err *err);

/* A time series: (t, v) pairs in the order they were added. */
typedef struct sy_series {
	size_t n, cap;
	double *t, *v;
} sy_series;

void sy_series_init(sy_series *s);
void sy_series_free(sy_series *s);
int sy_series_add(sy_series *s, double t, double v, sy_err *err);

/* ------------------------------------------------------------ connections */

typedef struct sy_tcp_table sy_tcp_table;

/* One connection.  Times in virtual ns, -1 when they did not happen. */
typedef struct sy_tcp_row {
	uint64_t id;            /* from 1, in order of creation, network-wide */
	uint64_t ep_id;         /* the endpoint's own number (sy_tcb.id) */
	uint32_t node;          /* sy_node_index */
	bool server;            /* a passive open */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	sy_tcp_state state;     /* final, or current while it lives */
	bool live;
	char cc[16];
	sy_time t_open, t_established, t_first_rx, t_all_acked, t_closed;
	uint64_t bytes_sent, bytes_received, bytes_acked;
	uint32_t retransmissions, timeouts, fast_retransmits;
	uint32_t rsts_sent, rsts_received, zero_window_probes;
} sy_tcp_row;

/* A table observing every TCP endpoint of net.  Create it before the
 * first connection to have them all. */
sy_tcp_table *sy_tcp_table_new(sy_net *net, sy_err *err);
/* Stops observing (the network must still exist). */
void sy_tcp_table_detach(sy_tcp_table *t);
/* Frees the table: after sy_tcp_table_detach, or once the network is
 * freed (no observer runs after that). */
void sy_tcp_table_free(sy_tcp_table *t);
size_t sy_tcp_table_rows(const sy_tcp_table *t);
/* Row i (from 0), brought up to date if the connection lives. */
void sy_tcp_table_row(const sy_tcp_table *t, size_t i, sy_tcp_row *r);

#endif
