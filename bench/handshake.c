/* Handshake storm: N connections opened and closed through one router.
 *
 *   bench/handshake [-n CONNECTIONS] [-c CLIENTS] [-q]
 *
 * CLIENTS client nodes (default 100) and one server, each on its own 10 ms
 * link to a router (1 Gbit/s).  The N connections (default 10^4, then
 * 10^6 with -n) start at uniformly random times over the first 10 s of
 * virtual time, each from the next client in turn; the client closes as
 * soon as it is established, the server closes when it sees the FIN
 * (CLOSE_WAIT), and the client's TIME_WAIT (linux profile: 60 s) ends each
 * connection.  The connections carry no data: synack's TCP has no data path
 * yet.  Printed: wall time, connections and events per wall second, peak
 * resident memory and memory per connection in TIME_WAIT. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcp.h"

static long established, closed, peak_tcbs, live_tcbs;
static sy_tcp_ep **clients;
static int nclients;
static uint32_t server_addr;

static void die(const char *what, const sy_err *err)
{
	fprintf(stderr, "handshake: %s: %s\n", what, err->msg);
	exit(1);
}

static void client_obs(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		       const char *cause)
{
	if (from == to)
		return;
	if (to == SY_TCP_SYN_SENT && ++live_tcbs > peak_tcbs)
		peak_tcbs = live_tcbs;
	if (to == SY_TCP_ESTABLISHED) {
		established++;
		sy_tcp_close(c);
	}
	if (to == SY_TCP_CLOSED) {
		closed++;
		live_tcbs--;
	}
}

static void server_obs(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		       const char *cause)
{
	if (to == SY_TCP_CLOSE_WAIT && from != to)
		sy_tcp_close(c);
}

static void start(sy_sim *sim, void *arg, uint64_t k)
{
	sy_err err;

	if (!sy_tcp_connect(clients[k % (uint64_t)nclients], server_addr, 80, &err))
		die("connect", &err);
}

static sy_instance plugin(const char *kind, const char *name)
{
	sy_instance in;
	sy_err err;
	const sy_plugin *p = sy_plugin_load(kind, name, &err);

	if (!p || sy_instance_new(&in, p, &err) < 0)
		die(name, &err);
	return in;
}

static sy_link_opts link_opts(void)
{
	sy_link_opts o;

	memset(&o, 0, sizeof o);
	for (int d = 0; d < 2; d++)
		o.dir[d] = (sy_dir_opts){ .rate = 1000000000, .delay = 10 * SY_MS,
					  .mtu = 1500, .queue = plugin("queue", "droptail") };
	return o;
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = 10000;
	int opt;
	sy_instance sched;
	sy_sim *sim;
	sy_net *net;
	sy_node *router, *server;
	sy_tcp_ep *sep;
	sy_rng r;
	sy_err err;
	struct rusage ru;
	double t0, t1;

	nclients = 100;
	while ((opt = getopt(argc, argv, "n:c:q")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'c')
			nclients = atoi(optarg);
		else if (opt == 'q')
			n = 1000;
		else {
			fprintf(stderr, "usage: handshake [-n CONNECTIONS] [-c CLIENTS] [-q]\n");
			return 2;
		}
	}
	sched = plugin("scheduler", "ladder");
	if (!(sim = sy_sim_new(1, &sched, &err)) || !(net = sy_net_new(sim, &err)))
		die("simulator", &err);
	router = sy_net_node(net, "router", &err);
	server = sy_net_node(net, "server", &err);
	{
		sy_link_opts o = link_opts();

		if (!sy_net_link(net, server, router, &o, &err))
			die("link", &err);
	}
	server_addr = sy_node_addr(server, 0);
	{
		sy_tcp_ep_opts eo = { .timers = plugin("timers", "linux") };

		if (!(sep = sy_tcp_ep_new(net, server, &eo, &err)))
			die("server", &err);
	}
	sy_tcp_ep_observe(sep, server_obs, NULL);
	if (!sy_tcp_listen(sep, 80, 1000000, SY_SYNCOOKIES_ON_OVERFLOW, &err))
		die("listen", &err);
	clients = calloc((size_t)nclients, sizeof *clients);
	for (int i = 0; i < nclients; i++) {
		char name[32];
		sy_node *c;
		sy_link_opts o = link_opts();
		sy_tcp_ep_opts eo = { .timers = plugin("timers", "linux") };

		snprintf(name, sizeof name, "client%d", i);
		if (!(c = sy_net_node(net, name, &err)) || !sy_net_link(net, c, router, &o, &err) ||
		    !(clients[i] = sy_tcp_ep_new(net, c, &eo, &err)))
			die("client", &err);
		sy_tcp_ep_observe(clients[i], client_obs, NULL);
	}
	sy_sim_stream(sim, &r, "bench", 0);
	for (long k = 0; k < n; k++)
		sy_sim_at(sim, (sy_time)sy_rng_below(&r, 10 * SY_SEC), start, NULL, (uint64_t)k, NULL, NULL);

	t0 = wall();
	sy_sim_run(sim, SY_TIME_NEVER);
	t1 = wall();
	getrusage(RUSAGE_SELF, &ru);
	if (established != n || closed != n) {
		fprintf(stderr, "handshake: %ld established, %ld closed of %ld\n", established, closed, n);
		return 1;
	}
	printf("%ld connections from %d clients over 10 s, closed through TIME_WAIT (60 s)\n", n, nclients);
	printf("wall time %.3f s; %.0f connections per wall second; %.2f million events per second\n",
	       t1 - t0, (double)n / (t1 - t0), (double)sy_sim_fired(sim) / (t1 - t0) / 1e6);
	printf("virtual time %.1f s; %llu events; at most %ld connection records at once\n",
	       sy_time_to_sec(sy_sim_now(sim)), (unsigned long long)sy_sim_fired(sim), peak_tcbs);
	printf("peak resident memory %.1f MiB; %zu B per connection record (sizeof)\n",
	       (double)ru.ru_maxrss / 1024.0, sizeof(sy_tcb));
	sy_sim_free(sim);
	sy_net_free(net);
	free(clients);
	sy_plugin_unload_all();
	return 0;
}
