/* TCP Fast Open (RFC 7413): the state machine of tcp/rfc9293 with data on
 * the SYN.
 *
 * Client.  A connection to a server this endpoint holds no cookie for
 * sends a SYN with an empty Fast Open option (a cookie request); the
 * cookie a SYN-ACK carries is kept per server address, with the server's
 * MSS, in this endpoint's instance (a table of CACHE entries, the oldest
 * replaced).  A later connection to that server sends the cookie, and its
 * SYN carries the bytes the user has queued by then, at most one segment
 * (the server's MSS from the cache, no more than ours, less the
 * timestamps): the SYN leaves at the end of the instant of the connect (a
 * timer of no delay), so that a send right after the connect goes on it.
 * A SYN-ACK that acknowledges only the SYN leaves the data to the data
 * path, which sends it again at once (the fallback of RFC 7413 4.2.2); a
 * retransmitted SYN carries no data.
 *
 * Server.  The cookie of a client is SipHash-2-4, under a 128-bit key, of
 * the 8 bytes client address then server address (big-endian), its first
 * cookie_len bytes (little-endian); the key is the parameter `key`, or
 * comes from the run's seed.  A SYN with a valid cookie and data makes a
 * connection in SYN_RECEIVED that is accepted at once: its data goes to
 * the application before the handshake completes, the SYN-ACK
 * acknowledges it, and what the application sends goes out right after
 * the SYN-ACK (SY_TCP_CAP_EARLY).  A SYN with an empty option, or with a
 * cookie that is not valid, is answered with a SYN-ACK that acknowledges
 * only the SYN and carries a valid cookie; without the option, or with
 * `server` off, the SYN is an ordinary one (its data is not accepted).
 *
 * Everything else (simultaneous open, resets, the data phase, closing,
 * TIME_WAIT, RFC 5961's defences) is tcp/rfc9293's: the same services and
 * RFC 9293's steps (sy_tcp_rfc9293_*, tcp_sm.h); so are the parameters
 * they share. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "plugin.h"
#include "rng.h"
#include "sim.h"
#include "siphash.h"
#include "tcp.h"
#include "tcp_sm.h"

#define CACHE 64 /* servers whose cookie a client keeps */

struct cookie {
	uint32_t addr;               /* the server's */
	uint16_t mss;                /* ... and the MSS it announced */
	uint8_t len;
	uint8_t bytes[16];
};

/* Per endpoint (the instance's state). */
struct sm {
	/* as tcp/rfc9293's */
	int64_t challenge_ack_limit;
	sy_tcp_sm_common common;
	/* Fast Open's */
	bool client, server;         /* parameters: the two sides */
	int64_t cookie_len;          /* parameter: bytes of the cookies made */
	char *key;                   /* parameter: 32 hex digits, or empty */
	uint8_t k[16];               /* the key in use */
	struct cookie cache[CACHE];
	unsigned ncache, next;       /* entries used; the next to replace */
};

static void send_ack(sy_tcb *c)
{
	sy_tcb_send(c, SY_TCP_ACK, sy_tcb_vars(c)->snd_nxt, 0);
}

static void offer(sy_tcb *c)
{
	const struct sm *m = sy_tcb_sm_state(c);

	sy_tcp_sm_common_offer(c, &m->common);
}

/* ------------------------------------------------------------ cookies */

/* The cookie this server gives the client of segment s. */
static void make_cookie(const struct sm *m, const sy_seg *s, uint8_t *out)
{
	uint8_t msg[8] = {
		(uint8_t)(s->src >> 24), (uint8_t)(s->src >> 16),
		(uint8_t)(s->src >> 8), (uint8_t)s->src,
		(uint8_t)(s->dst >> 24), (uint8_t)(s->dst >> 16),
		(uint8_t)(s->dst >> 8), (uint8_t)s->dst,
	};
	uint8_t h[16];
	uint64_t a, b;

	/* up to 16 bytes: a second hash, of the first, for bytes 8 to 15 */
	a = sy_siphash24(m->k, msg, sizeof msg);
	b = sy_siphash24(m->k, &a, sizeof a);
	for (int i = 0; i < 8; i++) {
		h[i] = (uint8_t)(a >> 8 * i);
		h[8 + i] = (uint8_t)(b >> 8 * i);
	}
	memcpy(out, h, (size_t)m->cookie_len);
}

static bool cookie_valid(const struct sm *m, const sy_seg *s)
{
	uint8_t want[16];

	if (s->opts.tfo_len != m->cookie_len)
		return false;
	make_cookie(m, s, want);
	return memcmp(want, s->opts.tfo_cookie, (size_t)m->cookie_len) == 0;
}

static struct cookie *cache_find(struct sm *m, uint32_t addr)
{
	for (unsigned i = 0; i < m->ncache; i++)
		if (m->cache[i].addr == addr)
			return &m->cache[i];
	return NULL;
}

/* Keeps the cookie of a SYN-ACK from addr (a new one replaces the old). */
static void cache_put(struct sm *m, uint32_t addr, const sy_seg *s)
{
	struct cookie *e = cache_find(m, addr);

	if (!e) {
		if (m->ncache < CACHE) {
			e = &m->cache[m->ncache++];
		} else {
			e = &m->cache[m->next];
			m->next = (m->next + 1) % CACHE;
		}
	}
	e->addr = addr;
	e->mss = s->opts.has_mss ? s->opts.mss : 536;
	e->len = s->opts.tfo_len;
	memcpy(e->bytes, s->opts.tfo_cookie, e->len);
}

/* ------------------------------------------------------------ user calls */

static uint32_t peer_of(const sy_tcb *c)
{
	uint32_t la, ra;
	uint16_t lp, rp;

	sy_tcb_tuple(c, &la, &lp, &ra, &rp);
	return ra;
}

static void sm_connect(sy_tcb *c)
{
	struct sm *m = sy_tcb_sm_state(c);
	sy_tcp_vars *v = sy_tcb_vars(c);
	const struct cookie *e = m->client ? cache_find(m, peer_of(c)) : NULL;

	offer(c);
	v->snd_una = v->iss;
	v->snd_nxt = v->iss + 1;
	v->retries = 0;
	sy_tcb_set_state(c, SY_TCP_SYN_SENT, SY_TCP_CAUSE_CONNECT);
	if (e) {
		/* the SYN waits for the data queued in this instant */
		sy_tcb_fastopen_option(c, e->bytes, e->len);
		sy_tcb_timer_set(c, SY_TCP_T_RETRANS, 0);
		return;
	}
	if (m->client)
		sy_tcb_fastopen_option(c, (const uint8_t *)"", 0);
	sy_tcb_time_syn(c);
	sy_tcb_send_syn(c, false);
	sy_tcb_arm_retransmit(c);
}

/* The first SYN of a client with a cookie, with data. */
static void send_syn_data(sy_tcb *c)
{
	struct sm *m = sy_tcb_sm_state(c);
	const struct cookie *e = cache_find(m, peer_of(c));
	sy_tcp_vars *v = sy_tcb_vars(c);
	uint32_t mss = e && e->mss < m->common.mss ? e->mss : (uint32_t)m->common.mss;

	if (m->common.timestamps)
		mss -= 12;
	sy_tcb_time_syn(c);
	v->snd_nxt = v->iss + 1 + sy_tcb_send_syn_data(c, mss);
	sy_tcb_arm_retransmit(c);
}

static void sm_close(sy_tcb *c)
{
	if (sy_tcb_state(c) == SY_TCP_SYN_RECEIVED) {
		/* RFC 9293 3.10.4: the state waits for ESTABLISHED (after
		 * data on the SYN, the FIN may go out as early as data) */
		sy_tcb_queue_fin(c);
		sy_tcb_output(c);
		return;
	}
	sy_tcp_rfc9293_close(c);
}

/* ------------------------------------------------------------ timers */

/* tcp/rfc9293's, but for the first SYN of a client with a cookie, which
 * waited for the data queued in the instant of its connect; a
 * retransmitted SYN carries no data, which waits for the handshake. */
static void sm_timeout(sy_tcb *c, int which)
{
	if (which == SY_TCP_T_RETRANS && sy_tcb_state(c) == SY_TCP_SYN_SENT &&
	    sy_tcb_stats_get(c)->syns_sent == 0) {
		send_syn_data(c);
		return;
	}
	sy_tcp_rfc9293_timeout(c, which);
}

/* ------------------------------------------------------------ LISTEN */

/* A SYN with a valid cookie and data: accepted at once, its data
 * delivered, then the SYN-ACK that acknowledges it, then what the
 * application answered. */
static void fast_open(sy_tcb *c, const sy_seg *s)
{
	sy_tcb_data_start(c);
	sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
	sy_tcp_accept_ready(c);
	if (sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	sy_tcb_text_in(c, s);
	if (sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	sy_tcb_send_syn(c, true);
	sy_tcb_arm_retransmit(c);
	if (sy_tcb_limits(c)->syn_received > 0)
		sy_tcb_timer_set(c, SY_TCP_T_SYN_RECEIVED, sy_tcb_limits(c)->syn_received);
	sy_tcb_output(c);
}

static void sm_listen_input(sy_tcp_listener *l, const sy_seg *s)
{
	const struct sm *m = sy_tcp_ep_sm_state(sy_tcp_listener_ep(l));
	sy_tcb *c = sy_tcp_rfc9293_listen(l, s, &m->common);

	if (!c)
		return;
	if (m->server && s->opts.has_tfo) {
		if (s->len && cookie_valid(m, s)) {
			fast_open(c, s);
			return;
		}
		if (!cookie_valid(m, s)) {
			/* a request, or a cookie to replace */
			uint8_t k[16];

			make_cookie(m, s, k);
			sy_tcb_fastopen_option(c, k, (unsigned)m->cookie_len);
		}
	}
	sy_tcp_rfc9293_synack(c);
}

/* ------------------------------------------------------------ SYN-SENT */

static void syn_sent_input(sy_tcb *c, const sy_seg *s)
{
	struct sm *m = sy_tcb_sm_state(c);
	sy_tcp_vars *v = sy_tcb_vars(c);
	bool ack = s->flags & SY_TCP_ACK;
	uint32_t sent;

	if (ack && (sy_seq_le(s->ack, v->iss) || sy_seq_gt(s->ack, v->snd_nxt))) {
		if (!(s->flags & SY_TCP_RST))
			sy_tcp_send_reset(sy_tcb_ep(c), s, s->ack, 0, SY_TCP_RST);
		return;
	}
	if (s->flags & SY_TCP_RST) {
		if (ack) {
			sy_tcb_notify(c, SY_TCP_CAUSE_REFUSED);
			sy_tcb_set_state(c, SY_TCP_CLOSED, SY_TCP_CAUSE_RESET);
		}
		return;
	}
	if (!(s->flags & SY_TCP_SYN))
		return;
	v->irs = s->seq;
	v->rcv_nxt = s->seq + 1;
	v->snd_wnd = s->win;
	sy_tcb_negotiate(c, &s->opts);
	if (m->client && s->opts.has_tfo && s->opts.tfo_len)
		cache_put(m, peer_of(c), s);
	sent = v->snd_nxt - v->iss - 1; /* data on the SYN */
	if (ack && !sent)
		v->snd_una = s->ack;
	if (ack && sent) {
		/* The data path takes the ACK: the SYN and as much of the
		 * data as it covers; the rest goes again (RFC 7413 4.2.2). */
		if (!m->common.timestamps)
			sy_tcb_rtt_syn(c);
		sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
		sy_tcb_data_start(c);
		v->snd_nxt = s->ack;
		sy_tcb_ack_in(c, s);
		send_ack(c);
		sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_ACK);
		if (sy_tcb_state(c) == SY_TCP_CLOSED)
			return;
		sy_tcb_keepalive_restart(c);
		sy_tcb_output(c);
	} else if (sy_seq_gt(v->snd_una, v->iss)) {
		sy_tcb_rtt_syn(c);
		sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
		sy_tcb_data_start(c);
		send_ack(c);
		sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_SYN_ACK);
		if (sy_tcb_state(c) == SY_TCP_CLOSED)
			return;
		sy_tcb_keepalive_restart(c);
		sy_tcb_output(c);
	} else {
		/* simultaneous open */
		sy_tcb_send_syn(c, true);
		sy_tcb_set_state(c, SY_TCP_SYN_RECEIVED, SY_TCP_CAUSE_SYN);
	}
}

/* ------------------------------------------------------------ the others */

/* SYN-RECEIVED: the ACK of our SYN completes the handshake. */
static bool synrecv_ack(sy_tcb *c, const sy_seg *s)
{
	sy_tcp_vars *v = sy_tcb_vars(c);

	if (sy_tcp_rfc9293_syn_acked(c, s))
		return true;
	sy_tcb_set_state(c, SY_TCP_ESTABLISHED, SY_TCP_CAUSE_ACK);
	/* data sent before the handshake completed is the data path's to
	 * time from here on */
	if (v->snd_una == v->snd_max)
		sy_tcb_timer_cancel(c, SY_TCP_T_RETRANS);
	else
		sy_tcb_arm_retransmit(c);
	sy_tcb_keepalive_restart(c);
	sy_tcp_accept_ready(c);
	if (sy_tcb_state(c) == SY_TCP_ESTABLISHED && sy_tcb_fin_queued(c))
		sy_tcb_set_state(c, SY_TCP_FIN_WAIT_1, SY_TCP_CAUSE_CLOSE);
	return sy_tcb_state(c) == SY_TCP_CLOSED;
}

/* RFC 9293 3.10.7.4 as tcp/rfc9293, with the handshake's end above. */
static void sm_input(sy_tcb *c, const sy_seg *s)
{
	const struct sm *m = sy_tcb_sm_state(c);

	if (sy_tcb_state(c) == SY_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	sy_tcp_rfc9293_input(c, s, m->challenge_ack_limit, synrecv_ack);
}

static void sm_data_defaults(const void *st, sy_tcp_data_opts *o)
{
	const struct sm *m = st;

	sy_tcp_sm_common_defaults(&m->common, o);
}

/* ------------------------------------------------------------ instance */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int sm_init(void *state, struct sy_sim *sim, sy_err *err)
{
	struct sm *m = state;

	if (m->cookie_len % 2)
		return sy_err_set(err, "cookie_len: %lld bytes; a cookie has an even number "
				  "(RFC 7413 4.1.1)", (long long)m->cookie_len);
	if (m->key && m->key[0]) {
		if (strlen(m->key) != 32)
			return sy_err_set(err, "key: expected 32 hex digits, got '%s'", m->key);
		for (int i = 0; i < 16; i++) {
			int hi = hexval(m->key[2 * i]), lo = hexval(m->key[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return sy_err_set(err, "key: expected 32 hex digits, got '%s'", m->key);
			m->k[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (sim) {
		sy_rng r;

		sy_sim_stream(sim, &r, "tcp-fastopen", 0);
		for (int i = 0; i < 16; i += 8) {
			uint64_t x = sy_rng_next(&r);

			memcpy(m->k + i, &x, 8);
		}
	}
	return 0;
}

static const sy_tcp_sm_ops ops = {
	SY_OPS_HEAD(SY_TCP_SM_OPS_VERSION, sy_tcp_sm_ops),
	.connect = sm_connect,
	.listen_input = sm_listen_input,
	.input = sm_input,
	.close = sm_close,
	.abort = sy_tcp_rfc9293_abort,
	.timeout = sm_timeout,
	.give_up = sy_tcp_rfc9293_give_up,
	.data_defaults = sm_data_defaults,
	.caps = {
		[SY_TCP_SYN_SENT] = SY_TCP_CAP_QUEUE,
		/* text and early data once the data phase has started:
		 * after a SYN with a valid cookie and data */
		[SY_TCP_SYN_RECEIVED] = SY_TCP_CAP_QUEUE | SY_TCP_CAP_RECV | SY_TCP_CAP_SEND |
			SY_TCP_CAP_EARLY,
		SY_TCP_RFC9293_SYNCED_CAPS,
	},
};

static const sy_param params[] = {
	{ .name = "client", .type = SY_PT_BOOL, .offset = offsetof(struct sm, client),
	  .def = "true", .doc = "ask servers for cookies and send data on the SYN with them" },
	{ .name = "server", .type = SY_PT_BOOL, .offset = offsetof(struct sm, server),
	  .def = "true", .doc = "give cookies and accept data on SYNs with a valid one" },
	{ .name = "cookie_len", .type = SY_PT_INT, .offset = offsetof(struct sm, cookie_len),
	  .def = "8", .min = "4", .max = "16",
	  .doc = "bytes of the cookies this server gives (even, RFC 7413 4.1.1)" },
	{ .name = "key", .type = SY_PT_STRING, .offset = offsetof(struct sm, key),
	  .doc = "the cookies' SipHash key, 32 hex digits; empty: from the run's seed" },
	{ .name = "challenge_ack_limit", .type = SY_PT_INT,
	  .offset = offsetof(struct sm, challenge_ack_limit),
	  .def = "-1", .min = "-1", .max = "1000000000",
	  .doc = "challenge ACKs per second per endpoint (RFC 5961 7); 0: no limit; "
		 "-1: the timer profile's challenge_ack_limit" },
	SY_TCP_SM_COMMON_PARAMS(struct sm, common),
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "tcp",
	.name = "fastopen",
	.summary = "TCP Fast Open (RFC 7413) on the RFC 9293 state machine",
	.state_size = sizeof(struct sm),
	.params = params,
	.init = sm_init,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
