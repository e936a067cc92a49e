/* Connection storm: N short connections through one router, and the
 * memory of idle established connections.
 *
 *   bench/handshake [-n CONNECTIONS] [-c CLIENTS] [-k IDLE] [-q]
 *
 * Storm.  CLIENTS client nodes (default 100), each on a 10 ms, 1 Gbit/s
 * link to a router; the server is on a 10 ms, 10 Gbit/s link to the same
 * router (at 10^5 connections per second the clients' traffic alone would
 * fill a 1 Gbit/s link).  N connections (default 10^4; -n 1000000 for the
 * large run) start at uniformly random times over the first 10 s of
 * virtual time, each from the next client in turn.  A client sends 1000
 * bytes (virtual) as soon as it is established and closes; the server
 * accepts (listener accept callback), reads (autoread: the data callback
 * counts the bytes) and closes when it sees the FIN (CLOSE_WAIT, from the
 * connection's event callback); the client's TIME_WAIT (linux profile,
 * 60 s) ends each connection.  A connection is complete when the client
 * went from TIME_WAIT to CLOSED with its 1000 bytes acknowledged and the
 * server went from LAST_ACK to CLOSED having received exactly those 1000
 * bytes.
 *
 * The start times are drawn in increasing order (the order statistics of
 * N uniform variables, from exponential spacings), one start event
 * scheduling the next, so that the event queue does not hold N pending
 * starts and the memory figures show the connections only.
 *
 * Idle.  In a child process (so that the storm's freed memory is not
 * reused), K connections (default 10^5; -k 0 skips) are opened the same
 * way, 10 us apart, and left ESTABLISHED with nothing to send: the
 * resident memory after they are all established, less that before and
 * less the growth of the packet pool and event queue (transient: the
 * handshakes' packets and timers), divided by K and by 2K (a connection
 * has a record at each end).  Their send and receive buffers hold
 * nothing.
 *
 * Every figure is printed on its own line as "name value unit". */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "plugin.h"
#include "sim.h"
#include "tcb.h"
#include "tcp.h"

#include "benchutil.h"

#define PAYLOAD 1000
#define SPREAD (10 * SY_SEC)

#define CLIENT_OK (UINT32_C(1) << 30)
#define SERVER_OK (UINT32_C(1) << 31)
#define BYTES UINT32_C(0xffffff) /* the server's byte count; also the most connections */

/* Resident memory now, bytes. */
static size_t rss_now(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

static double peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* ------------------------------------------------------------ topology */

static sy_sim *sim;
static sy_net *net;
static sy_tcp_ep **clients;
static int nclients;
static sy_tcp_ep *sep;
static sy_tcp_listener *listener;
static uint32_t server_addr;

static void build(void)
{
	sy_instance sched = bench_plugin("scheduler", "ladder");
	sy_node *router, *server;
	sy_err err;
	sy_tcp_ep_opts eo = { .timers = bench_plugin("timers", "linux") };

	if (!(sim = sy_sim_new(1, &sched, &err)) || !(net = sy_net_new(sim, &err)))
		bench_die("simulator", &err);
	if (!(router = sy_net_node(net, "router", &err)) ||
	    !(server = sy_net_node(net, "server", &err)) ||
	    !bench_link(net, server, router, 10000000000LL, 10 * SY_MS, 0))
		bench_die("server", &err);
	server_addr = sy_node_addr(server, 0);
	if (!(sep = sy_tcp_ep_new(net, server, &eo, &err)) ||
	    !(listener = sy_tcp_listen(sep, 80, 1000000, SY_SYNCOOKIES_ON_OVERFLOW, &err)))
		bench_die("listen", &err);
	clients = calloc((size_t)nclients, sizeof *clients);
	for (int i = 0; i < nclients; i++) {
		char name[32];
		sy_node *c;

		eo = (sy_tcp_ep_opts){ .timers = bench_plugin("timers", "linux") };
		snprintf(name, sizeof name, "client%d", i);
		if (!(c = sy_net_node(net, name, &err)) ||
		    !bench_link(net, c, router, 1000000000, 10 * SY_MS, 0) ||
		    !(clients[i] = sy_tcp_ep_new(net, c, &eo, &err)))
			bench_die("client", &err);
	}
	sy_net_hops(net, sy_tcp_ep_node(clients[0]), server);
}

static void teardown(void)
{
	sy_sim_free(sim);
	sy_net_free(net);
	free(clients);
	sy_plugin_unload_all();
}

static uint64_t queue_drops(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sy_net_links(net); i++)
		for (int d = 0; d < 2; d++)
			n += sy_link_stats(sy_net_link_at(net, i), d).drops[SY_DROP_QUEUE];
	return n;
}

/* ------------------------------------------------------------ pending map
 *
 * The server learns which connection an accepted record belongs to from
 * the client's address and port: the client's side enters them when it
 * connects, the server's takes them out when it accepts.  Open addressing,
 * linear probing, backward-shift deletion; it holds only the handshakes
 * under way. */

static struct slot { uint64_t key; uint32_t k; bool used; } *map;
static size_t map_cap, map_len;

static uint64_t key_of(uint32_t addr, uint16_t port)
{
	return (uint64_t)addr << 16 | port;
}

static size_t map_home(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (map_cap - 1);
}

static void map_put(uint64_t key, uint32_t k);

static void map_grow(void)
{
	struct slot *old = map;
	size_t n = map_cap;

	map_cap = map_cap ? 2 * map_cap : 1024;
	map = calloc(map_cap, sizeof *map);
	if (!map) {
		fprintf(stderr, "handshake: out of memory\n");
		exit(1);
	}
	map_len = 0;
	for (size_t i = 0; i < n; i++)
		if (old[i].used)
			map_put(old[i].key, old[i].k);
	free(old);
}

static void map_put(uint64_t key, uint32_t k)
{
	size_t i;

	if (2 * (map_len + 1) > map_cap)
		map_grow();
	for (i = map_home(key); map[i].used; i = (i + 1) & (map_cap - 1))
		;
	map[i] = (struct slot){ key, k, true };
	map_len++;
}

/* Takes key out; false if absent. */
static bool map_take(uint64_t key, uint32_t *k)
{
	size_t i, j;

	for (i = map_home(key); map[i].used && map[i].key != key; i = (i + 1) & (map_cap - 1))
		;
	if (!map[i].used)
		return false;
	*k = map[i].k;
	/* backward shift: move up every entry that probed past slot i */
	for (j = (i + 1) & (map_cap - 1); map[j].used; j = (j + 1) & (map_cap - 1)) {
		size_t h = map_home(map[j].key);

		if (((j - h) & (map_cap - 1)) >= ((j - i) & (map_cap - 1))) {
			map[i] = map[j];
			i = j;
		}
	}
	map[i].used = false;
	map_len--;
	return true;
}

/* ------------------------------------------------------------ storm */

static long nconn;
static uint32_t *status;     /* per connection: server's bytes, OK bits */
static long live, peak_live, sample_live;
static size_t rss_base, rss_at_peak;
static long client_closed, server_closed, refused;
static sy_rng rng;
static double order_x = 1.0; /* the order statistic drawn last */
static long next_conn;

static void count_records(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
			  sy_tcp_cause cause)
{
	if (from == to)
		return;
	if ((from == SY_TCP_CLOSED && to == SY_TCP_SYN_SENT) ||
	    (from == SY_TCP_LISTEN && to == SY_TCP_SYN_RECEIVED) ||
	    (from == SY_TCP_SYN_RECEIVED && cause == SY_TCP_CAUSE_SYN_COOKIE)) {
		if (++live > peak_live)
			peak_live = live;
	} else if (to == SY_TCP_CLOSED && from != SY_TCP_LISTEN) {
		live--;
	}
}

static void client_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
			 sy_tcp_cause cause)
{
	uint32_t k = (uint32_t)(uintptr_t)ctx;
	sy_err err;

	if (from == to)
		return;
	if (to == SY_TCP_ESTABLISHED) {
		if (sy_tcp_send(c, NULL, PAYLOAD, &err) < 0)
			bench_die("send", &err);
		sy_tcp_close(c);
	} else if (to == SY_TCP_CLOSED) {
		client_closed++;
		if (from == SY_TCP_TIME_WAIT && c->st.bytes_acked == PAYLOAD)
			status[k] |= CLIENT_OK;
	}
}

static void server_data(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes)
{
	uint32_t k = (uint32_t)(uintptr_t)ctx, b = (status[k] & BYTES) + n;

	status[k] = (status[k] & ~BYTES) | (b > BYTES ? BYTES : b);
}

static void server_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
			 sy_tcp_cause cause)
{
	uint32_t k = (uint32_t)(uintptr_t)ctx;

	if (from == to)
		return;
	if (to == SY_TCP_CLOSE_WAIT) {
		sy_tcp_close(c);
	} else if (to == SY_TCP_CLOSED) {
		server_closed++;
		if (from == SY_TCP_LAST_ACK && (status[k] & BYTES) == PAYLOAD)
			status[k] |= SERVER_OK;
	}
}

static const sy_tcp_cb client_cb = { .event = client_event };
static const sy_tcp_cb server_cb = { .data = server_data, .event = server_event };

static void accepted(void *ctx, sy_tcb *c)
{
	uint32_t k;

	if (!map_take(key_of(c->raddr, c->rport), &k)) {
		refused++; /* not one of ours: cannot happen */
		sy_tcp_abort(c);
		return;
	}
	sy_tcp_set_callbacks(c, &server_cb, (void *)(uintptr_t)k);
}

/* Opens connection next_conn and schedules the next start: the N start
 * times are the order statistics of N uniforms on [0, SPREAD), drawn in
 * increasing order (1 - the descending order statistics
 * x_N = U^(1/N), x_k = x_(k+1) U^(1/k)). */
static void storm_start(sy_sim *s, void *arg, uint64_t unused)
{
	long k = next_conn++;
	sy_tcb *c;
	sy_err err;

	if (!(c = sy_tcp_connect(clients[k % nclients], server_addr, 80, &err)))
		bench_die("connect", &err);
	map_put(key_of(c->laddr, c->lport), (uint32_t)k);
	sy_tcp_set_callbacks(c, &client_cb, (void *)(uintptr_t)k);
	if (next_conn < nconn) {
		sy_time t;

		order_x *= exp(-sy_rng_exponential(&rng, 1.0) / (double)(nconn - next_conn));
		t = (sy_time)((1.0 - order_x) * (double)SPREAD);
		if (t < sy_sim_now(s))
			t = sy_sim_now(s);
		sy_sim_at(s, t, storm_start, NULL, 0, NULL, NULL);
	}
}

/* Every 50 ms of virtual time, while anything else is pending: the
 * resident memory when the most records are alive. */
static void sampler(sy_sim *s, void *arg, uint64_t unused)
{
	if (live > sample_live) {
		sample_live = live;
		rss_at_peak = rss_now();
	}
	if (sy_sim_size(s) > 0)
		sy_sim_after(s, 50 * SY_MS, sampler, NULL, 0, NULL, NULL);
}

static int storm(void)
{
	double t0, t1;
	long complete = 0;
	uint64_t fired;
	int ok;

	build();
	sy_tcp_listener_on_accept(listener, accepted, NULL);
	sy_tcp_ep_observe(sep, count_records, NULL);
	for (int i = 0; i < nclients; i++)
		sy_tcp_ep_observe(clients[i], count_records, NULL);
	status = malloc((size_t)nconn * sizeof *status);
	if (!status) {
		fprintf(stderr, "handshake: out of memory\n");
		return 1;
	}
	memset(status, 0, (size_t)nconn * sizeof *status);
	map_grow();
	sy_sim_stream(sim, &rng, "bench", 0);
	order_x = exp(-sy_rng_exponential(&rng, 1.0) / (double)nconn);
	sy_sim_at(sim, (sy_time)((1.0 - order_x) * (double)SPREAD), storm_start, NULL, 0,
		  NULL, NULL);
	sy_sim_after(sim, 50 * SY_MS, sampler, NULL, 0, NULL, NULL);
	rss_base = rss_now();

	t0 = bench_wall();
	if (sy_sim_run(sim, SY_TIME_NEVER) == SY_RUN_FAILED) {
		fprintf(stderr, "handshake: %s\n", sy_sim_failure(sim));
		return 1;
	}
	t1 = bench_wall();
	fired = sy_sim_fired(sim);
	for (long k = 0; k < nconn; k++)
		complete += (status[k] & (CLIENT_OK | SERVER_OK)) == (CLIENT_OK | SERVER_OK);
	ok = complete == nconn && client_closed == nconn && server_closed == nconn && !refused;

	printf("connections %ld\n", nconn);
	printf("clients %d\n", nclients);
	printf("wall_time %.3f s\n", t1 - t0);
	printf("virtual_time %.3f s\n", sy_time_to_sec(sy_sim_now(sim)));
	printf("events %llu\n", (unsigned long long)fired);
	printf("events_per_second %.3f M/s\n", (double)fired / (t1 - t0) / 1e6);
	printf("connections_per_second %.0f 1/s\n", (double)nconn / (t1 - t0));
	printf("completed %ld\n", complete);
	printf("client_closed %ld\n", client_closed);
	printf("server_closed %ld\n", server_closed);
	printf("queue_drops %llu packets\n", (unsigned long long)queue_drops());
	printf("peak_records %ld\n", peak_live);
	printf("records_at_sample %ld\n", sample_live);
	printf("rss_growth_at_sample %.1f MiB\n",
	       (double)(rss_at_peak - rss_base) / 1048576.0);
	printf("bytes_per_record %.0f B\n",
	       sample_live ? (double)(rss_at_peak - rss_base) / (double)sample_live : 0.0);
	printf("sizeof_tcb %zu B\n", sizeof(sy_tcb));
	printf("peak_rss %.1f MiB\n", peak_rss_mib());
	fflush(stdout);
	if (!ok)
		fprintf(stderr, "handshake: %ld of %ld connections complete "
			"(%ld client and %ld server records closed, %ld unknown)\n",
			complete, nconn, client_closed, server_closed, refused);
	free(status);
	free(map);
	teardown();
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------ idle */

static long nidle, idle_est_client, idle_accepted, idle_other;

static void idle_obs(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	if (from == to)
		return;
	if (to == SY_TCP_ESTABLISHED && from == SY_TCP_SYN_SENT)
		idle_est_client++;
	else if (to != SY_TCP_ESTABLISHED && to != SY_TCP_SYN_SENT && to != SY_TCP_SYN_RECEIVED)
		idle_other++; /* anything leaving ESTABLISHED */
}

static void idle_accept(void *ctx, sy_tcb *c)
{
	idle_accepted++;
}

static void idle_start(sy_sim *s, void *arg, uint64_t k)
{
	sy_err err;

	if (!sy_tcp_connect(clients[k % (uint64_t)nclients], server_addr, 80, &err))
		bench_die("connect", &err);
	if ((long)k + 1 < nidle)
		sy_sim_after(s, 10 * SY_US, idle_start, NULL, k + 1, NULL, NULL);
}

static int idle(void)
{
	size_t rss0, rss1, pool0, pool1, sim0, sim1;
	double grown, transient;

	build();
	sy_tcp_listener_on_accept(listener, idle_accept, NULL);
	sy_tcp_ep_observe(sep, idle_obs, NULL);
	for (int i = 0; i < nclients; i++)
		sy_tcp_ep_observe(clients[i], idle_obs, NULL);
	rss0 = rss_now();
	pool0 = sy_pktpool_memory(sy_net_pool(net));
	sim0 = sy_sim_memory(sim);
	sy_sim_at(sim, 0, idle_start, NULL, 0, NULL, NULL);
	/* ends when every handshake is done */
	if (sy_sim_run(sim, SY_TIME_NEVER) == SY_RUN_FAILED) {
		fprintf(stderr, "handshake: %s\n", sy_sim_failure(sim));
		return 1;
	}
	rss1 = rss_now();
	pool1 = sy_pktpool_memory(sy_net_pool(net));
	sim1 = sy_sim_memory(sim);
	grown = (double)rss1 - (double)rss0;
	transient = (double)(pool1 - pool0) + (double)(sim1 - sim0);
	printf("idle_connections %ld\n", nidle);
	printf("idle_established %ld\n", idle_est_client);
	printf("idle_accepted %ld\n", idle_accepted);
	printf("idle_rss_growth %.1f MiB\n", grown / 1048576.0);
	printf("idle_transient %.1f MiB\n", transient / 1048576.0);
	printf("idle_bytes_per_connection %.0f B\n", (grown - transient) / (double)nidle);
	printf("idle_bytes_per_record %.0f B\n", (grown - transient) / (2.0 * (double)nidle));
	fflush(stdout);
	teardown();
	if (idle_est_client != nidle || idle_accepted != nidle || idle_other) {
		fprintf(stderr, "handshake: idle: %ld established, %ld accepted, %ld other "
			"changes, of %ld\n", idle_est_client, idle_accepted, idle_other, nidle);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, status_idle = 0;

	bench_prog = "handshake";
	nconn = 10000;
	nidle = 100000;
	nclients = 100;
	while ((opt = getopt(argc, argv, "n:c:k:q")) != -1) {
		if (opt == 'n')
			nconn = atol(optarg);
		else if (opt == 'c')
			nclients = atoi(optarg);
		else if (opt == 'k')
			nidle = atol(optarg);
		else if (opt == 'q')
			nconn = 1000, nidle = 10000;
		else {
			fprintf(stderr, "usage: handshake [-n CONNECTIONS] [-c CLIENTS] [-k IDLE] [-q]\n");
			return 2;
		}
	}
	if (nconn < 1 || (unsigned long)nconn > BYTES || nclients < 1 || nidle < 0) {
		fprintf(stderr, "handshake: need 1 <= CONNECTIONS <= %lu, CLIENTS >= 1, IDLE >= 0\n",
			(unsigned long)BYTES);
		return 2;
	}
	if (nidle > 0) {
		pid_t pid;
		int ws;

		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("handshake: fork");
			return 1;
		}
		if (pid == 0)
			_exit(idle());
		if (waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
			status_idle = 1;
	}
	return storm() || status_idle;
}
