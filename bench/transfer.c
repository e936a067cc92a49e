/* Bulk transfer: how fast the data path simulates a full pipe.
 *
 *   bench/transfer [-t SECONDS] [-f FLOWS] [-r RATE] [-B BYTES] [-C CC] [-1 | -2] [-q]
 *
 * Part 1, one flow.  Two nodes on one link of RATE bit/s (default 1 Gbit/s)
 * and 5 ms each way (RTT 10 ms); the sender's queue is droptail with one
 * bandwidth-delay product of 1500-byte packets (833 at 1 Gbit/s), and
 * both ends have send and receive buffers of BYTES (default 4 MiB; the
 * rfc9293 plugin's sndbuf and rcvbuf; more than the BDP plus the queue at
 * 1 Gbit/s, so the window never limits the flow: congestion control and
 * the queue do).  The sender
 * queues 2^40 virtual bytes (unlimited for the run) and the run stops
 * after SECONDS of virtual time (default 60).
 *
 * Part 2, a dumbbell.  FLOWS senders (default 100) on 10 Gbit/s, 1 ms
 * access links to a left router, a bottleneck of RATE and 3 ms to a right
 * router, FLOWS receivers on 10 Gbit/s, 1 ms links behind it: every flow
 * has a 10 ms RTT.  The bottleneck's queue (both directions) holds one BDP
 * of 1500-byte packets; access queues are droptail's default (100).  The
 * flows start at uniformly random times in the first second, with the
 * same buffers and unlimited virtual data, for SECONDS of virtual time.
 * Fairness and goodput are measured from 5 s on (after slow start),
 * simulated bytes over the whole run.
 *
 * Congestion control: CC (newreno by default; cubic also exists).  Timer
 * profile: linux.
 *
 * Printed, one figure per line as "name value unit": wall time, events
 * and events per wall second, acknowledged payload per wall second (the
 * "simulation speed" of bulk data), goodput in virtual time and its share
 * of the link rate, and loss-recovery counters; for the dumbbell also
 * Jain's fairness index of the per-flow goodputs. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcb.h"
#include "tcp.h"

#include "benchutil.h"

#define PORT 5001
#define UNLIMITED ((uint64_t)1 << 40)
#define WARMUP (5 * SY_SEC)

static const char *cc_name = "newreno";
static int64_t rate = 1000000000;
static double seconds = 60;
static uint32_t buffers = 4u << 20; /* sndbuf and rcvbuf */

/* One BDP of 1500-byte packets at `rate` over a 10 ms RTT. */
static long bdp_packets(void)
{
	return (long)((double)rate * 0.010 / 8.0 / 1500.0 + 0.5);
}

static sy_tcp_ep *endpoint(sy_net *net, sy_node *n)
{
	sy_tcp_ep_opts eo = {
		.sm = bench_plugin("tcp", "rfc9293"),
		.timers = bench_plugin("timers", "linux"),
		.cc = bench_plugin("cc", cc_name),
	};
	sy_tcp_ep *ep;
	sy_err err;

	bench_set_int(&eo.sm, "sndbuf", buffers);
	bench_set_int(&eo.sm, "rcvbuf", buffers);
	if (!(ep = sy_tcp_ep_new(net, n, &eo, &err)))
		bench_die("endpoint", &err);
	return ep;
}

static sy_sim *new_sim(sy_net **net)
{
	sy_instance sched = bench_plugin("scheduler", "ladder");
	sy_sim *sim;
	sy_err err;

	if (!(sim = sy_sim_new(1, &sched, &err)) || !(*net = sy_net_new(sim, &err)))
		bench_die("simulator", &err);
	return sim;
}

/* ------------------------------------------------------------ flows */

typedef struct flow {
	sy_tcp_ep *src, *dst;
	sy_tcb *c;              /* the sender's record; NULL once closed */
	uint64_t acked_warm;    /* bytes acknowledged at WARMUP */
	uint64_t acked;         /* ... at the end */
	sy_tcb_stats st;        /* the sender's counters at the end */
	int closed;
} flow;

static void sender_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
			 sy_tcp_cause cause)
{
	flow *f = ctx;

	if (to == SY_TCP_CLOSED && from != to) {
		f->acked = c->st.bytes_acked;
		f->st = *sy_tcb_stats_get(c);
		f->c = NULL;
		f->closed = 1;
	}
}

static const sy_tcp_cb sender_cb = { .event = sender_event };

static void flow_start(sy_sim *sim, void *arg, uint64_t unused)
{
	flow *f = arg;
	sy_err err;

	if (!(f->c = sy_tcp_connect(f->src, sy_node_addr(sy_tcp_ep_node(f->dst), 0), PORT, &err)))
		bench_die("connect", &err);
	sy_tcp_set_callbacks(f->c, &sender_cb, f);
	if (sy_tcp_send(f->c, NULL, UNLIMITED, &err) < 0)
		bench_die("send", &err);
}

static void listen_on(sy_tcp_ep *ep)
{
	sy_err err;

	if (!sy_tcp_listen(ep, PORT, 128, SY_SYNCOOKIES_OFF, &err))
		bench_die("listen", &err);
}

static flow *warm_flows;
static int warm_n;

static void warm(sy_sim *sim, void *arg, uint64_t unused)
{
	for (int i = 0; i < warm_n; i++)
		if (warm_flows[i].c)
			warm_flows[i].acked_warm = warm_flows[i].c->st.bytes_acked;
}

/* Runs until `seconds` and collects every flow's counters. */
static double run(sy_sim *sim, flow *f, int n)
{
	double t0, t1;

	warm_flows = f;
	warm_n = n;
	if ((sy_time)(seconds * 1e9) > WARMUP)
		sy_sim_at(sim, WARMUP, warm, NULL, 0, NULL, NULL);
	t0 = bench_wall();
	if (sy_sim_run(sim, (sy_time)(seconds * 1e9)) == SY_RUN_FAILED) {
		fprintf(stderr, "transfer: %s\n", sy_sim_failure(sim));
		return 1;
	}
	t1 = bench_wall();
	for (int i = 0; i < n; i++)
		if (f[i].c) {
			f[i].acked = f[i].c->st.bytes_acked;
			f[i].st = *sy_tcb_stats_get(f[i].c);
		}
	return t1 - t0;
}

static void report(const char *p, sy_sim *sim, sy_net *net, const flow *f, int n, double w,
		   const sy_link *bottleneck, int dirn)
{
	uint64_t acked = 0, retx = 0, fr = 0, to = 0, sent = 0;
	double sum = 0, sum2 = 0, span = seconds - sy_time_to_sec(WARMUP);
	int closed = 0;
	sy_dir_stats ds = sy_link_stats(bottleneck, dirn);

	for (int i = 0; i < n; i++) {
		double g = (double)(f[i].acked - f[i].acked_warm) * 8.0 / span;

		acked += f[i].acked;
		sent += f[i].st.bytes_sent;
		retx += f[i].st.bytes_retransmitted;
		fr += f[i].st.fast_retransmits;
		to += f[i].st.timeouts;
		closed += f[i].closed;
		sum += g;
		sum2 += g * g;
	}
	printf("%s_flows %d\n", p, n);
	printf("%s_rate %.0f Mbit/s\n", p, (double)rate / 1e6);
	printf("%s_virtual_time %.3f s\n", p, sy_time_to_sec(sy_sim_now(sim)));
	printf("%s_wall_time %.3f s\n", p, w);
	printf("%s_events %llu\n", p, (unsigned long long)sy_sim_fired(sim));
	printf("%s_events_per_second %.3f M/s\n", p, (double)sy_sim_fired(sim) / w / 1e6);
	printf("%s_simulated_bytes_per_second %.1f MB/s\n", p, (double)acked / w / 1e6);
	printf("%s_speedup %.2f virtual/wall\n", p, seconds / w);
	printf("%s_acked %.3f GB\n", p, (double)acked / 1e9);
	printf("%s_goodput %.1f Mbit/s\n", p, (double)acked * 8.0 / seconds / 1e6);
	if (span > 0) {
		printf("%s_goodput_after_5s %.1f Mbit/s\n", p, sum / 1e6);
		printf("%s_goodput_share %.2f %% of the link rate\n", p, 100.0 * sum / (double)rate);
		if (n > 1) {
			printf("%s_jain_index %.4f\n", p, sum2 > 0 ? sum * sum / ((double)n * sum2) : 0.0);
			printf("%s_flow_goodput_mean %.2f Mbit/s\n", p, sum / n / 1e6);
		}
	}
	printf("%s_bytes_retransmitted %.3f %% of sent\n", p,
	       sent ? 100.0 * (double)retx / (double)sent : 0.0);
	printf("%s_fast_retransmits %llu\n", p, (unsigned long long)fr);
	printf("%s_timeouts %llu\n", p, (unsigned long long)to);
	printf("%s_queue_drops %llu packets\n", p,
	       (unsigned long long)ds.drops[SY_DROP_QUEUE]);
	printf("%s_bottleneck_busy %.2f %%\n", p,
	       100.0 * sy_time_to_sec(ds.busy) / sy_time_to_sec(sy_sim_now(sim)));
	printf("%s_closed_flows %d\n", p, closed);
	fflush(stdout);
}

/* ------------------------------------------------------------ part 1 */

static int single(void)
{
	sy_net *net;
	sy_sim *sim = new_sim(&net);
	sy_node *a, *b;
	sy_link *l;
	sy_err err;
	flow f;
	double w;

	memset(&f, 0, sizeof f);
	if (!(a = sy_net_node(net, "sender", &err)) || !(b = sy_net_node(net, "receiver", &err)))
		bench_die("node", &err);
	l = bench_link(net, a, b, rate, 5 * SY_MS, bdp_packets());
	f.src = endpoint(net, a);
	f.dst = endpoint(net, b);
	listen_on(f.dst);
	sy_sim_at(sim, 0, flow_start, &f, 0, NULL, NULL);
	w = run(sim, &f, 1);
	printf("flow1_queue %ld packets\n", bdp_packets());
	printf("flow1_buffers %u B\n", buffers);
	report("flow1", sim, net, &f, 1, w, l, 0);
	sy_sim_free(sim);
	sy_net_free(net);
	return f.closed;
}

/* ------------------------------------------------------------ part 2 */

static int dumbbell(int n)
{
	sy_net *net;
	sy_sim *sim = new_sim(&net);
	sy_node *left, *right;
	sy_link *l;
	sy_rng r;
	sy_err err;
	flow *f = calloc((size_t)n, sizeof *f);
	double w;
	int closed = 0;

	if (!f) {
		fprintf(stderr, "transfer: out of memory\n");
		return 1;
	}
	if (!(left = sy_net_node(net, "left", &err)) || !(right = sy_net_node(net, "right", &err)))
		bench_die("node", &err);
	l = bench_link(net, left, right, rate, 3 * SY_MS, bdp_packets());
	sy_sim_stream(sim, &r, "bench", 0);
	for (int i = 0; i < n; i++) {
		char name[32];
		sy_node *s, *d;

		snprintf(name, sizeof name, "s%d", i);
		if (!(s = sy_net_node(net, name, &err)))
			bench_die("node", &err);
		snprintf(name, sizeof name, "r%d", i);
		if (!(d = sy_net_node(net, name, &err)))
			bench_die("node", &err);
		bench_link(net, s, left, 10000000000LL, SY_MS, 0);
		bench_link(net, d, right, 10000000000LL, SY_MS, 0);
		f[i].src = endpoint(net, s);
		f[i].dst = endpoint(net, d);
		listen_on(f[i].dst);
		sy_sim_at(sim, (sy_time)sy_rng_below(&r, SY_SEC), flow_start, &f[i], 0, NULL, NULL);
	}
	w = run(sim, f, n);
	printf("dumbbell_queue %ld packets\n", bdp_packets());
	printf("dumbbell_buffers %u B\n", buffers);
	report("dumbbell", sim, net, f, n, w, l, 0);
	for (int i = 0; i < n; i++)
		closed += f[i].closed;
	sy_sim_free(sim);
	sy_net_free(net);
	free(f);
	return closed;
}

int main(int argc, char **argv)
{
	int opt, flows = 100, parts = 3, bad = 0;

	bench_prog = "transfer";
	while ((opt = getopt(argc, argv, "t:f:r:B:C:12q")) != -1) {
		if (opt == 't')
			seconds = atof(optarg);
		else if (opt == 'f')
			flows = atoi(optarg);
		else if (opt == 'r')
			rate = atoll(optarg);
		else if (opt == 'B')
			buffers = (uint32_t)atol(optarg);
		else if (opt == 'C')
			cc_name = optarg;
		else if (opt == '1')
			parts = 1;
		else if (opt == '2')
			parts = 2;
		else if (opt == 'q')
			seconds = 2;
		else {
			fprintf(stderr, "usage: transfer [-t SECONDS] [-f FLOWS] [-r RATE] "
				"[-B BYTES] [-C CC] [-1 | -2] [-q]\n");
			return 2;
		}
	}
	if (seconds <= 0 || flows < 1 || rate < 1000000 || buffers < 1) {
		fprintf(stderr, "transfer: need SECONDS > 0, FLOWS >= 1, RATE >= 1000000, BYTES >= 1\n");
		return 2;
	}
	if (parts & 1)
		bad += single();
	if (parts & 2)
		bad += dumbbell(flows);
	sy_plugin_unload_all();
	if (bad)
		fprintf(stderr, "transfer: %d flows closed before the end\n", bad);
	return bad ? 1 : 0;
}
