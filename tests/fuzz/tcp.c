/* The TCP endpoint under arbitrary packets, user calls and timers.
 *
 * Two nodes, A (the endpoint under test) and B (a synack peer), joined by
 * a link of 10 Mbit/s and 1 ms each way.  The first input byte chooses
 * the configuration: A's and B's state-machine plugins (tcp/rfc9293 or
 * tcp/twoway), the timer profile, congestion control, SYN cookies, manual
 * accepting and A's autoread.  A fixed prologue then leaves A with a
 * listener and connections in most states: SYN_RECEIVED (a SYN from an
 * address nobody owns), ESTABLISHED with data in flight both ways,
 * FIN_WAIT_1 with data queued before its FIN, FIN_WAIT_2, CLOSE_WAIT,
 * LAST_ACK, TIME_WAIT, and an active open of its own.
 *
 * The rest of the input is a list of actions, each an opcode byte and its
 * operands: a packet for A (or for B) made of the next bytes, time
 * passing, and the users' calls on either side (send, close, abort, read,
 * options, accept, connect, listen).  A packet is what a TUN interface
 * would let in (IPv4 without options, its length in its header, a TCP
 * data offset within it); the opcode's bits say what the harness mends so
 * that it is not simply dropped: the addresses, the ports and sequence
 * numbers of an existing connection (plus a small offset), the
 * checksums.
 *
 * Besides the sanitizers and the endpoint's own invariants, the harness
 * checks that no connection has more of its data acknowledged than its
 * user queued, and that a run ends: virtual time is bounded (two minutes)
 * and so are the events an input may cause; an exchange that goes on
 * without end (two endpoints answering each other's ACKs) exceeds the
 * bound and is reported.  Everything is freed after each input. */
#include "config.h"

#include <arpa/inet.h>

#include "fuzz.h"
#include "net.h"
#include "sim.h"
#include "tcb.h"
#include "tcp.h"

#define NCONN 16
#define T_END (120 * SY_SEC)       /* virtual time an input may use */
#define MAX_EVENTS 50000           /* ten times what the traffic needs */
#define MAX_BYTES (1u << 20)       /* queued by the users, per input */
#define FAKE_ADDR 0x0a630001u      /* 10.99.0.1: no node owns it */

typedef struct side {
	sy_node *node;
	sy_tcp_ep *ep;
	sy_tcp_listener *l;
	sy_tcb *c[NCONN];
} side;

static struct {
	sy_sim *sim;
	sy_net *net;
	side s[2]; /* 0: A, 1: B */
	const uint8_t *in;
	size_t n, pos;
	uint64_t queued;
	uint64_t fired0;
	bool autoread_off;
} F;

static const sy_plugin *sched, *sm[2], *isn, *timers[2], *cc[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_load_plugins();
	sched = fuzz_plugin("scheduler", "heap");
	sm[0] = fuzz_plugin("tcp", "rfc9293");
	sm[1] = fuzz_plugin("tcp", "twoway");
	isn = fuzz_plugin("isn", "rfc6528");
	timers[0] = fuzz_plugin("timers", "rfc");
	timers[1] = fuzz_plugin("timers", "linux");
	cc[0] = fuzz_plugin("cc", "newreno");
	cc[1] = fuzz_plugin("cc", "cubic");
	return 0;
}

static unsigned byte(void)
{
	return F.pos < F.n ? F.in[F.pos++] : 0;
}

static unsigned u16(void)
{
	unsigned hi = byte();

	return hi << 8 | byte();
}

static sy_instance inst(const sy_plugin *p)
{
	sy_instance in;
	sy_err err;

	if (sy_instance_new(&in, p, &err) < 0)
		FUZZ_FAIL("%s", err.msg);
	return in;
}

/* Keeps each side's table of connections: added when first seen, removed
 * when they close (they are freed right after). */
static void observe(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		    sy_tcp_cause cause)
{
	side *s = ctx;
	int free_slot = -1;

	for (int i = 0; i < NCONN; i++) {
		if (s->c[i] == c) {
			if (to == SY_TCP_CLOSED)
				s->c[i] = NULL;
			return;
		}
		if (!s->c[i] && free_slot < 0)
			free_slot = i;
	}
	if (to != SY_TCP_CLOSED && free_slot >= 0)
		s->c[free_slot] = c;
}

static void accepted(void *ctx, sy_tcb *c)
{
	sy_tcp_data_opts o = { .sndbuf = c->sndbuf, .rcvbuf = c->rcvbuf,
			       .initial_window = c->iw_segs, .nagle = c->nagle,
			       .autoread = false,
			       .limited_transmit = c->limited_transmit };
	sy_err err;

	if (F.autoread_off)
		sy_tcp_set_data_opts(c, &o, &err);
}

/* The property the data path must keep whatever arrives. */
static void check_conns(void)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < NCONN; i++) {
			sy_tcb *c = F.s[k].c[i];

			if (c && c->st.bytes_acked > sy_tcb_snd_queued(c))
				FUZZ_FAIL("%s's connection %u->%u: %llu bytes acknowledged, %llu queued by the user",
					  k ? "B" : "A", (unsigned)c->lport, (unsigned)c->rport,
					  (unsigned long long)c->st.bytes_acked,
					  (unsigned long long)sy_tcb_snd_queued(c));
		}
}

static void run_until(sy_time t)
{
	if (t > T_END)
		t = T_END;
	if (t < sy_sim_now(F.sim))
		return;
	/* in slices, so that an exchange without end is caught early */
	while (sy_sim_now(F.sim) < t) {
		sy_time slice = sy_sim_now(F.sim) + 100 * SY_MS;

		/* a failed run (memory exhausted) runs no more */
		if (sy_sim_run(F.sim, slice < t ? slice : t) == SY_RUN_FAILED)
			return;
		if (sy_sim_fired(F.sim) - F.fired0 > MAX_EVENTS)
			FUZZ_FAIL("more than %d events by %.3f s of virtual time: an exchange that does not end",
				  MAX_EVENTS, (double)sy_sim_now(F.sim) / SY_SEC);
		check_conns();
		if (sy_sim_size(F.sim) == 0)
			break;
	}
}

static sy_tcb *conn(int k, unsigned i)
{
	return F.s[k].c[i % NCONN];
}

static void send_bytes(sy_tcb *c, unsigned n, bool real)
{
	sy_err err;

	if (!c || F.queued + n > MAX_BYTES)
		return;
	F.queued += n;
	if (real) {
		/* the rest of the input (or as much of it as fits) */
		size_t avail = F.n - F.pos;

		if (n > avail)
			n = (unsigned)avail;
		sy_tcp_send(c, F.in + F.pos, n, &err);
		F.pos += n;
	} else {
		sy_tcp_send(c, NULL, n, &err);
	}
}

static uint16_t csum(const uint8_t *b, size_t n, uint32_t sum)
{
	return sy_csum_fold(sy_csum_add(sum, b, n));
}

static void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	v = htonl(v);
	memcpy(b, &v, 4);
}

/* A packet from the input for side `to`, sent by the other side's node.
 * flags (the opcode's high bits): 0x08 keeps the input's addresses, 0x10
 * its ports and numbers, 0x20 its TCP checksum; 0x40 sends from the
 * address nobody owns; 0x80 leaves the IP header checksum as it is. */
static void packet(int to, unsigned flags)
{
	uint8_t b[1700];
	size_t n = u16() % 1601, hlen, doff;
	side *dst = &F.s[to], *src = &F.s[!to];
	sy_pktpool *pool = sy_net_pool(F.net);
	sy_packet *p;

	if (n > F.n - F.pos)
		n = F.n - F.pos;
	memset(b, 0, sizeof b);
	memcpy(b, F.in + F.pos, n);
	F.pos += n;
	if (n < 40)
		n = 40;
	/* what a TUN interface takes in */
	b[0] = 0x45;
	put16(b + 2, (unsigned)n);
	b[9] = SY_IPPROTO_TCP;
	if (!b[8])
		b[8] = 64;
	doff = (size_t)(b[32] >> 4) * 4;
	if (doff < 20 || 20 + doff > n) {
		b[32] = (uint8_t)((b[32] & 0x0f) | 0x50);
		doff = 20;
	}
	hlen = 20 + doff;
	if (!(flags & 0x08)) {
		put32(b + 12, flags & 0x40 ? FAKE_ADDR : sy_node_addr(src->node, 0));
		put32(b + 16, sy_node_addr(dst->node, 0));
	}
	if (!(flags & 0x10)) {
		unsigned k = byte(), dseq = byte(), dack = byte();
		sy_tcb *c = conn(to, k);

		if (c) {
			uint32_t base = (k >> 4) % 3 == 0 ? c->snd_una :
					(k >> 4) % 3 == 1 ? c->snd_nxt : c->snd_max;

			put16(b + 20, c->rport);
			put16(b + 22, c->lport);
			put32(b + 24, c->rcv_nxt + (uint32_t)(int8_t)dseq * 64);
			put32(b + 28, base + (uint32_t)(int8_t)dack * 64);
			if (!(flags & 0x08))
				put32(b + 12, c->raddr);
		} else {
			put16(b + 22, 80);
		}
	}
	if (!(flags & 0x80)) {
		b[10] = b[11] = 0;
		put16(b + 10, csum(b, 20, 0));
	}
	if (!(flags & 0x20)) {
		uint8_t pseudo[12];

		memcpy(pseudo, b + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = SY_IPPROTO_TCP;
		put16(pseudo + 10, (unsigned)(n - 20));
		b[36] = b[37] = 0;
		put16(b + 36, csum(b + 20, n - 20, sy_csum_add(0, pseudo, 12)));
	}
	p = sy_packet_new(pool);
	if (!p)
		return;
	p->hdr_len = (uint16_t)hlen;
	if (sy_packet_set_payload(pool, p, b + hlen, (uint32_t)(n - hlen), NULL) < 0) {
		sy_packet_release(pool, p);
		return;
	}
	memcpy(p->hdr, b, hlen);
	p->ip_hlen = 20;
	sy_node_send(src->node, p);
}

/* A SYN from the address nobody owns: its SYN-ACK goes nowhere, so the
 * record stays in SYN_RECEIVED. */
static void orphan_syn(uint16_t sport)
{
	sy_pktpool *pool = sy_net_pool(F.net);
	sy_packet *p = sy_packet_new(pool);
	sy_ipv4 ip = { .src = FAKE_ADDR, .dst = sy_node_addr(F.s[0].node, 0),
		       .proto = SY_IPPROTO_TCP, .ttl = 64 };
	sy_tcp t = { .sport = sport, .dport = 80, .seq = 1000,
		     .flags = SY_TCP_SYN, .window = 65535 };

	if (!p)
		FUZZ_FAIL("out of memory");
	p->hdr_len = 40;
	if (sy_packet_set_payload(pool, p, NULL, 0, NULL) < 0)
		FUZZ_FAIL("empty payload refused");
	sy_tcp_build(p, &ip, &t);
	sy_node_send(F.s[1].node, p);
}

/* B's connection number `id`, if it is still open (the prologue keeps
 * ids: a connection may close at any time, and is freed then). */
static sy_tcb *b_conn(uint64_t id)
{
	for (int i = 0; i < NCONN; i++)
		if (F.s[1].c[i] && F.s[1].c[i]->id == id)
			return F.s[1].c[i];
	return NULL;
}

/* A's connection whose peer is B's connection number `id`. */
static sy_tcb *peer_of(uint64_t id)
{
	sy_tcb *c = b_conn(id);

	if (!c)
		return NULL;
	for (int i = 0; i < NCONN; i++) {
		sy_tcb *a = F.s[0].c[i];

		if (a && a->rport == c->lport && a->lport == c->rport)
			return a;
	}
	return NULL;
}

static void setup(unsigned conf)
{
	sy_instance s = inst(sched);
	sy_link_opts lo;
	sy_err err;
	uint64_t b[6];
	uint32_t addr_a, addr_b;

	memset(&F.s, 0, sizeof F.s);
	F.queued = 0;
	F.autoread_off = conf & 0x40;
	if (!(F.sim = sy_sim_new(1, &s, &err)) || !(F.net = sy_net_new(F.sim, &err)) ||
	    !(F.s[0].node = sy_net_node(F.net, "a", &err)) ||
	    !(F.s[1].node = sy_net_node(F.net, "b", &err)))
		FUZZ_FAIL("%s", err.msg);
	memset(&lo, 0, sizeof lo);
	for (int d = 0; d < 2; d++)
		lo.dir[d] = (sy_dir_opts){ .rate = 10000000, .delay = SY_MS, .mtu = 1500 };
	if (!sy_net_link(F.net, F.s[0].node, F.s[1].node, &lo, &err))
		FUZZ_FAIL("%s", err.msg);
	for (int k = 0; k < 2; k++) {
		sy_tcp_ep_opts eo = {
			.sm = inst(sm[k ? (conf >> 1) & 1 : conf & 1]),
			.isn = inst(isn),
			.timers = inst(timers[(conf >> 2) & 1]),
			.cc = inst(cc[conf >> 7]),
		};

		if (!(F.s[k].ep = sy_tcp_ep_new(F.net, F.s[k].node, &eo, &err)))
			FUZZ_FAIL("%s", err.msg);
		sy_tcp_ep_observe(F.s[k].ep, observe, &F.s[k]);
	}
	F.s[0].l = sy_tcp_listen(F.s[0].ep, 80, 8, (sy_syncookies)((conf >> 3) & 3) % 3, &err);
	F.s[1].l = sy_tcp_listen(F.s[1].ep, 81, 8, SY_SYNCOOKIES_OFF, &err);
	if (!F.s[0].l || !F.s[1].l)
		FUZZ_FAIL("%s", err.msg);
	if (conf & 0x20)
		sy_tcp_listener_set_manual(F.s[0].l, true, 2);
	sy_tcp_listener_on_accept(F.s[0].l, accepted, NULL);
	F.fired0 = sy_sim_fired(F.sim);

	addr_a = sy_node_addr(F.s[0].node, 0);
	addr_b = sy_node_addr(F.s[1].node, 0);
	for (int i = 0; i < 6; i++) {
		sy_tcb *c = sy_tcp_connect(F.s[1].ep, addr_a, 80, &err);

		b[i] = c ? c->id : 0;
	}
	sy_tcp_connect(F.s[0].ep, addr_b, 81, &err);
	orphan_syn(50000);
	run_until(5 * SY_MS);
	/* b[0]: data both ways, in flight when the actions start */
	/* b[1]: B closes: A in CLOSE_WAIT */
	if (b_conn(b[1]))
		sy_tcp_close(b_conn(b[1]));
	/* b[2]: A closes: FIN_WAIT_2 once B acknowledges */
	if (peer_of(b[2]))
		sy_tcp_close(peer_of(b[2]));
	/* b[3]: A closes, then B: TIME_WAIT */
	if (peer_of(b[3]))
		sy_tcp_close(peer_of(b[3]));
	/* b[5]: B closes, then A: LAST_ACK */
	if (b_conn(b[5]))
		sy_tcp_close(b_conn(b[5]));
	run_until(10 * SY_MS);
	if (b_conn(b[3]))
		sy_tcp_close(b_conn(b[3]));
	run_until(11500 * SY_US);
	if (peer_of(b[5]))
		sy_tcp_close(peer_of(b[5]));
	/* b[4]: data queued, then A's FIN behind it: FIN_WAIT_1 for a while */
	if (peer_of(b[4])) {
		send_bytes(peer_of(b[4]), 30000, false);
		sy_tcp_close(peer_of(b[4]));
	}
	send_bytes(peer_of(b[0]), 50000, false);
	send_bytes(b_conn(b[0]), 20000, false);
	run_until(12 * SY_MS);
	if (getenv("SYNACK_FUZZ_STATES")) {
		/* to see what the prologue leaves, when changing it */
		for (int i = 0; i < NCONN; i++)
			if (F.s[0].c[i])
				fprintf(stderr, "A[%d] %u->%u %s flight %u\n", i,
					(unsigned)F.s[0].c[i]->lport,
					(unsigned)F.s[0].c[i]->rport,
					sy_tcp_state_name(F.s[0].c[i]->state),
					sy_tcb_flight(F.s[0].c[i]));
	}
}

static void teardown(void)
{
	sy_sim_free(F.sim);
	sy_net_free(F.net);
	F.sim = NULL;
	F.net = NULL;
}

static void user_a(unsigned op)
{
	unsigned k = byte();
	sy_tcb *c = conn(0, k);
	sy_err err;

	switch ((op >> 3) & 7) {
	case 0:
		if (c)
			sy_tcp_close(c);
		break;
	case 1:
		if (c)
			sy_tcp_abort(c);
		break;
	case 2:
		if (c)
			sy_tcp_consume(c, u16() * 4);
		break;
	case 3:
		if (c) {
			sy_tcp_data_opts o = {
				.sndbuf = 1 + u16() * 16, .rcvbuf = 1 + u16() * 16,
				.initial_window = 1 + (k & 15), .nagle = k & 16,
				.autoread = k & 32, .limited_transmit = k & 64,
			};

			sy_tcp_set_data_opts(c, &o, &err);
		}
		break;
	case 4:
		sy_tcp_accept(F.s[0].l);
		break;
	case 5:
		sy_tcp_connect_from(F.s[0].ep, (uint16_t)(k & 3 ? 0 : 40000 + (k >> 2)),
				    k & 128 ? FAKE_ADDR : sy_node_addr(F.s[1].node, 0),
				    (uint16_t)(k & 64 ? 81 : 82), &err);
		break;
	case 6:
		send_bytes(c, u16() * (1 + (k & 3)), k & 4);
		break;
	case 7:
		sy_tcp_listen(F.s[0].ep, (uint16_t)(80 + (k & 7)), 1 + (k >> 5),
			      (sy_syncookies)((k >> 3) & 3) % 3, &err);
		break;
	}
}

static void user_b(unsigned op)
{
	unsigned k = byte();
	sy_tcb *c = conn(1, k);
	sy_err err;

	switch ((op >> 3) & 3) {
	case 0:
		send_bytes(c, u16() * (1 + (k & 3)), false);
		break;
	case 1:
		if (c)
			sy_tcp_close(c);
		break;
	case 2:
		if (c)
			sy_tcp_abort(c);
		break;
	case 3:
		sy_tcp_connect(F.s[1].ep, sy_node_addr(F.s[0].node, 0),
			       (uint16_t)(80 + (k & 1)), &err);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	F.in = data;
	F.n = size;
	F.pos = 0;
	setup(byte());
	while (F.pos < F.n && sy_sim_now(F.sim) < T_END) {
		unsigned op = byte();

		switch (op & 7) {
		case 0:
		case 1:
			packet(0, op);
			break;
		case 2: {
			unsigned t = byte();

			/* 1 us to 2 s */
			run_until(sy_sim_now(F.sim) +
				  ((sy_time)(1 + (t & 63)) * SY_US << ((t >> 6) * 5)));
			break;
		}
		case 3:
			send_bytes(conn(0, byte()), u16() * (1 + (op >> 6)), op & 0x20);
			break;
		case 4:
			user_a(op);
			break;
		case 5:
			user_b(op);
			break;
		case 6:
			packet(1, op);
			break;
		case 7:
			run_until(sy_sim_now(F.sim) + 2 * SY_MS);
			break;
		}
		check_conns();
	}
	/* what the input set going runs its course (within the bound) */
	run_until(sy_sim_now(F.sim) + 10 * SY_SEC);
	teardown();
	return 0;
}
