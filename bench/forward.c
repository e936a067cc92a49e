/* Forwarding benchmark: packets per second through a chain of 10 hops,
 * and memory per queued packet.
 *
 *   bench/forward [-n PACKETS] [-q]
 *
 * Chain: 11 nodes, 10 links of 10 Gbit/s and 1 us, droptail queues large
 * enough never to drop.  A source at the first node sends PACKETS packets
 * of 1000 B (virtual payload) at once; each crosses 10 links (one
 * serialization, one loss-chain pass, one arrival and one routing decision
 * per hop).  Reported: packet-hops per second of wall time, and the bytes
 * the packet pool and the simulator hold per packet when all of them wait
 * in the first queue. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "benchutil.h"
#include "net.h"
#include "plugin.h"
#include "sim.h"

#define HOPS 10
#define PROTO 253

static long received;

static void sink(void *ctx, sy_node *n, sy_packet *p)
{
	received++;
	sy_net_release(ctx, p);
}

int main(int argc, char **argv)
{
	long n = 1000000;
	int opt;
	const sy_plugin *sp;
	sy_instance sched;
	sy_node *nodes[HOPS + 1];
	sy_sim *sim;
	sy_net *net;
	sy_err err;
	size_t mem0, mem1;
	double t0, t1;

	bench_prog = "forward";
	while ((opt = getopt(argc, argv, "n:q")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'q')
			n = 20000;
		else {
			fprintf(stderr, "usage: forward [-n PACKETS] [-q]\n");
			return 2;
		}
	}
	sp = sy_plugin_load("scheduler", "heap", &err);
	if (!sp || sy_instance_new(&sched, sp, &err) < 0 || !(sim = sy_sim_new(1, &sched, &err)))
		bench_die("simulator", &err);
	if (!(net = sy_net_new(sim, &err)))
		bench_die("network", &err);
	for (int i = 0; i <= HOPS; i++) {
		char name[16];

		snprintf(name, sizeof name, "n%d", i);
		if (!(nodes[i] = sy_net_node(net, name, &err)))
			bench_die("node", &err);
		if (i)
			bench_link(net, nodes[i - 1], nodes[i], 10000000000LL, SY_US, n + 1);
	}
	sy_node_set_proto(nodes[HOPS], PROTO, sink, net);
	sy_net_hops(net, nodes[0], nodes[HOPS]); /* routes before timing */

	mem0 = sy_pktpool_memory(sy_net_pool(net)) + sy_sim_memory(sim);
	t0 = bench_wall();
	for (long i = 0; i < n; i++) {
		sy_packet *p = sy_packet_new(sy_net_pool(net));
		sy_ipv4 ip = {
			.src = sy_node_addr(nodes[0], 0), .dst = sy_node_addr(nodes[HOPS], 0),
			.proto = PROTO, .ttl = 64,
		};

		p->hdr_len = 20;
		sy_packet_set_payload(sy_net_pool(net), p, NULL, 980, NULL);
		sy_ipv4_write(p, &ip);
		sy_node_send(nodes[0], p);
	}
	mem1 = sy_pktpool_memory(sy_net_pool(net)) + sy_sim_memory(sim);
	if (sy_sim_run(sim, SY_TIME_NEVER) == SY_RUN_FAILED) {
		fprintf(stderr, "forward: %s\n", sy_sim_failure(sim));
		return 1;
	}
	t1 = bench_wall();
	if (received != n) {
		fprintf(stderr, "forward: %ld of %ld packets arrived\n", received, n);
		return 1;
	}
	printf("chain of %d hops, %ld packets of 1000 B\n", HOPS, n);
	printf("packet-hops per second: %.2f million (%.1f ns per hop)\n",
	       (double)n * HOPS / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / ((double)n * HOPS));
	printf("memory per queued packet: %.1f B (packet pool and event queue, %ld waiting)\n",
	       (double)(mem1 - mem0) / (double)n, n - 1);
	sy_sim_free(sim);
	sy_net_free(net);
	sy_plugin_unload_all();
	return 0;
}
