/* Compact TIME_WAIT: what the binding reads of a record it holds, kept
 * beside the compact record (struct sy_tw_held), and the binding's way
 * of following its records (tw.h). */

#include "config.h"

#include <assert.h>
#include <string.h>

#include "tw_priv.h"

void sy_tw_keep_save(const sy_tcb *c, struct tw_keep *k)
{
	*k = (struct tw_keep){
		.user = c->user, .want_data = c->want_data, .in_recovery = c->in_recovery,
		.t_open = c->t_open, .t_established = c->t_established,
		.t_first_rx = c->t_first_rx, .t_all_acked = c->t_all_acked,
		.t_closed = c->t_closed, .snd_queued = sy_tcb_snd_queued(c),
		.snd_sent = sy_tcb_snd_sent(c),
		.data_rx_at = c->data_rx_at, .data_tx_at = c->data_tx_at,
		.last_send = c->last_send, .rtt = c->rtt,
		.cwnd = c->cc.cwnd, .ssthresh = c->cc.ssthresh, .iw_bytes = c->iw_bytes,
	};
	sy_tcb_stats_read(c, &k->st);
}

void sy_tw_keep_apply(sy_tcb *c, const struct tw_keep *k)
{
	c->user = k->user;
	c->want_data = k->want_data;
	c->in_recovery = k->in_recovery;
	sy_tcb_stats_write(c, &k->st);
	c->t_open = k->t_open;
	c->t_established = k->t_established;
	c->t_first_rx = k->t_first_rx;
	c->t_all_acked = k->t_all_acked;
	c->t_closed = k->t_closed;
	/* a connection let go with something unacknowledged (ltcp_away.c)
	 * keeps its figures in a block; one in TIME_WAIT has none */
	if ((k->snd_queued != k->st.bytes_acked || k->snd_sent != k->st.bytes_acked) &&
	    sy_tx(c, "keeping a connection's figures")) {
		c->tx->snd_queued = k->snd_queued;
		c->tx->snd_sent = k->snd_sent;
	}
	c->data_rx_at = k->data_rx_at;
	c->data_tx_at = k->data_tx_at;
	c->last_send = k->last_send;
	c->rtt = k->rtt;
	c->cc.cwnd = k->cwnd;
	c->cc.ssthresh = k->ssthresh;
	c->iw_bytes = k->iw_bytes;
}

/* The packed form: the values of struct tw_keep in a fixed order (below),
 * a bitmap of those that are not zero, then each of those as a base-128
 * number (seven bits a byte, the high bit set on all but the last).  The
 * counters and the estimator go as 32-bit units, so that a field added to
 * either is kept too; a time goes as its distance from base (zigzag: the
 * sign in the low bit), short for the times of a connection's last
 * moments.  A held TIME_WAIT of a short connection takes some 80 bytes
 * this way, against sizeof(struct tw_keep). */

_Static_assert(sizeof(sy_tcb_stats) % 4 == 0 && sizeof(sy_rtt) % 4 == 0,
	       "the counters and the estimator pack as 32-bit units");

enum {
	U_ST = sizeof(sy_tcb_stats) / 4, U_RTT = sizeof(sy_rtt) / 4,
	K_TIMES = 8, K_PLAIN = 6,
	K_N = U_ST + U_RTT + K_TIMES + K_PLAIN,
	K_MAP = (K_N + 7) / 8,
};

_Static_assert(K_MAP + K_N * 10 <= TW_KEEP_MAX, "TW_KEEP_MAX holds every value");

static sy_time *k_time(struct tw_keep *k, int i)
{
	sy_time *t[K_TIMES] = {
		&k->t_open, &k->t_established, &k->t_first_rx, &k->t_all_acked,
		&k->t_closed, &k->data_rx_at, &k->data_tx_at, &k->last_send,
	};

	return t[i];
}

/* k's values in order, into v */
static void k_values(const struct tw_keep *k, sy_time base, uint64_t *v)
{
	uint32_t u[U_ST > U_RTT ? U_ST : U_RTT];
	int n = 0;

	memcpy(u, &k->st, sizeof k->st);
	for (int i = 0; i < U_ST; i++)
		v[n++] = u[i];
	memcpy(u, &k->rtt, sizeof k->rtt);
	for (int i = 0; i < U_RTT; i++)
		v[n++] = u[i];
	for (int i = 0; i < K_TIMES; i++) {
		sy_time t = *k_time((struct tw_keep *)k, i);
		uint64_t d = (uint64_t)base - (uint64_t)t;

		/* zero stays zero (unset); else the bitmap says it is there */
		v[n++] = t ? (d << 1) ^ (uint64_t)-(int64_t)(d >> 63) : 0;
	}
	v[n++] = k->snd_queued;
	v[n++] = k->snd_sent;
	v[n++] = k->cwnd;
	v[n++] = k->ssthresh;
	v[n++] = k->iw_bytes;
	v[n++] = (uint64_t)k->want_data | (uint64_t)k->in_recovery << 1;
}

size_t sy_tw_keep_pack(const struct tw_keep *k, sy_time base, unsigned char *buf)
{
	uint64_t v[K_N];
	size_t n = K_MAP;
	k_values(k, base, v);
	memset(buf, 0, K_MAP);
	for (int i = 0; i < K_N; i++) {
		uint64_t x = v[i];

		if (i >= U_ST + U_RTT && i < U_ST + U_RTT + K_TIMES) {
			/* a time is there if set, whatever its distance */
			if (!*k_time((struct tw_keep *)k, i - U_ST - U_RTT))
				continue;
		} else if (!x) {
			continue;
		}
		buf[i / 8] |= (unsigned char)(1u << (i % 8));
		while (x >= 0x80) {
			buf[n++] = (unsigned char)(x | 0x80);
			x >>= 7;
		}
		buf[n++] = (unsigned char)x;
	}
	return n;
}

void sy_tw_keep_unpack(const unsigned char *buf, size_t len, sy_time base, struct tw_keep *k)
{
	uint64_t v[K_N];
	uint32_t u[U_ST > U_RTT ? U_ST : U_RTT];
	size_t p = K_MAP;
	int n = 0;

	for (int i = 0; i < K_N; i++) {
		uint64_t x = 0;
		int shift = 0;

		v[i] = 0;
		if (!(buf[i / 8] & (1u << (i % 8))))
			continue;
		do {
			assert(p < len);
			x |= (uint64_t)(buf[p] & 0x7f) << shift;
			shift += 7;
		} while (buf[p++] & 0x80);
		v[i] = x;
	}
	assert(p == len);
	for (int i = 0; i < U_ST; i++)
		u[i] = (uint32_t)v[n++];
	memcpy(&k->st, u, sizeof k->st);
	for (int i = 0; i < U_RTT; i++)
		u[i] = (uint32_t)v[n++];
	memcpy(&k->rtt, u, sizeof k->rtt);
	for (int i = 0; i < K_TIMES; i++) {
		int bit = U_ST + U_RTT + i;
		uint64_t z = v[n++];
		uint64_t d = (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);

		*k_time(k, i) = buf[bit / 8] & (1u << (bit % 8))
			? (sy_time)((uint64_t)base - d) : 0;
	}
	k->snd_queued = v[n++];
	k->snd_sent = v[n++];
	k->cwnd = (uint32_t)v[n++];
	k->ssthresh = (uint32_t)v[n++];
	k->iw_bytes = (uint32_t)v[n++];
	k->want_data = v[n] & 1;
	k->in_recovery = (v[n] >> 1) & 1;
}

bool sy_tw_keep_same(const struct tw_keep *a, const struct tw_keep *b)
{
	return !memcmp(&a->st, &b->st, sizeof a->st) && !memcmp(&a->rtt, &b->rtt, sizeof a->rtt) &&
	       a->user == b->user && a->want_data == b->want_data &&
	       a->in_recovery == b->in_recovery && a->t_open == b->t_open &&
	       a->t_established == b->t_established && a->t_first_rx == b->t_first_rx &&
	       a->t_all_acked == b->t_all_acked && a->t_closed == b->t_closed &&
	       a->snd_queued == b->snd_queued && a->snd_sent == b->snd_sent &&
	       a->data_rx_at == b->data_rx_at && a->data_tx_at == b->data_tx_at &&
	       a->last_send == b->last_send &&
	       a->cwnd == b->cwnd && a->ssthresh == b->ssthresh && a->iw_bytes == b->iw_bytes;
}

void sy_tcp_ep_tw_moved(sy_tcp_ep *ep,
			void (*moved)(void *ctx, void *user, const void *from, sy_tcb *c,
				      struct sy_tw_held *h))
{
	ep->tw_moved = moved;
}

sy_tcb *sy_tw_held_wake(struct sy_tw_held *h)
{
	sy_tcb *c = sy_tw_wake(h->ep, h->w.raddr, h->w.lport, h->w.rport);

	if (c)
		sy_tw_settle_later(c);
	return c;
}
