/* TCP options: parsing and writing them (RFC 9293 3.2, RFC 7323, RFC
 * 2018, RFC 7413), and the SACK blocks a receiver reports. */

#include "config.h"

#include <string.h>

#include "tcp_priv.h"

int sy_tcp_parse_options(const uint8_t *opt, unsigned len, sy_tcp_opts *o)
{
	memset(o, 0, sizeof *o);
	for (unsigned i = 0; i < len;) {
		uint8_t kind = opt[i], olen;

		if (kind == 0)
			break;          /* end of option list */
		if (kind == 1) {
			i++;            /* no-operation */
			continue;
		}
		if (i + 1 >= len || (olen = opt[i + 1]) < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case 2:
			if (olen != 4)
				return -1;
			o->has_mss = true;
			o->mss = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
			break;
		case 3:
			if (olen != 3) {
				o->ignored++;
				break;
			}
			o->has_ws = true;
			o->ws = opt[i + 2];
			break;
		case 4:
			if (olen != 2)
				return -1;
			o->sack_ok = true;
			break;
		case 8:
			if (olen != 10)
				return -1;
			o->has_ts = true;
			o->tsval = (uint32_t)opt[i + 2] << 24 | (uint32_t)opt[i + 3] << 16 |
				   (uint32_t)opt[i + 4] << 8 | opt[i + 5];
			o->tsecr = (uint32_t)opt[i + 6] << 24 | (uint32_t)opt[i + 7] << 16 |
				   (uint32_t)opt[i + 8] << 8 | opt[i + 9];
			break;
		case 5:
			if (olen < 10 || (olen - 2) % 8 != 0 || o->nsack) {
				o->ignored++;
				break;
			}
			for (unsigned k = 0; k < (olen - 2u) / 8; k++) {
				const uint8_t *q = opt + i + 2 + 8 * k;

				o->sack[k][0] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
						(uint32_t)q[2] << 8 | q[3];
				o->sack[k][1] = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 |
						(uint32_t)q[6] << 8 | q[7];
			}
			o->nsack = (uint8_t)((olen - 2) / 8);
			break;
		case 34:
			/* RFC 7413 4.1.1: an empty cookie asks for one; a
			 * cookie has 4 to 16 bytes, an even number */
			if (olen != 2 && (olen < 6 || olen > 18 || olen % 2)) {
				o->ignored++;
				break;
			}
			o->has_tfo = true;
			o->tfo_len = (uint8_t)(olen - 2);
			memcpy(o->tfo_cookie, opt + i + 2, o->tfo_len);
			break;
		default:
			break;          /* unknown: skipped */
		}
		i += olen;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

unsigned sy_tcp_write_options(const sy_tcp_opts *o, uint8_t *b)
{
	unsigned n = 0;

	if (o->has_mss) {
		b[n++] = 2;
		b[n++] = 4;
		b[n++] = (uint8_t)(o->mss >> 8);
		b[n++] = (uint8_t)o->mss;
	}
	if (o->sack_ok) {
		if (!o->has_ts) {
			b[n++] = 1;
			b[n++] = 1;
		}
		b[n++] = 4;
		b[n++] = 2;
	} else if (o->has_ts) {
		b[n++] = 1;
		b[n++] = 1;
	}
	if (o->has_ts) {
		b[n++] = 8;
		b[n++] = 10;
		put32(b + n, o->tsval);
		put32(b + n + 4, o->tsecr);
		n += 8;
	}
	if (o->has_ws) {
		b[n++] = 1;
		b[n++] = 3;
		b[n++] = 3;
		b[n++] = o->ws;
	}
	if (o->has_tfo) {
		uint8_t len = o->tfo_len > 16 ? 16 : o->tfo_len;

		b[n++] = 34;
		b[n++] = (uint8_t)(2 + len);
		memcpy(b + n, o->tfo_cookie, len);
		n += len;
		if (n % 4 == 2) {
			b[n++] = 1;
			b[n++] = 1;
		}
	}
	if (o->nsack) {
		unsigned k = o->nsack;

		while (k && n + 4 + 8 * k > 40)
			k--;
		if (k) {
			b[n++] = 1;
			b[n++] = 1;
			b[n++] = 5;
			b[n++] = (uint8_t)(2 + 8 * k);
			for (unsigned j = 0; j < k; j++) {
				put32(b + n, o->sack[j][0]);
				put32(b + n + 4, o->sack[j][1]);
				n += 8;
			}
		}
	}
	while (n % 4)
		b[n++] = 0;
	return n;
}

/* ------------------------------------------------------------ SACK blocks */

/* Appends block [l, r) to o unless it is there already. */
static void sack_put(sy_tcp_opts *o, const sy_range *g)
{
	for (unsigned i = 0; i < o->nsack; i++)
		if (o->sack[i][0] == g->l)
			return;
	o->sack[o->nsack][0] = g->l;
	o->sack[o->nsack][1] = g->r;
	o->nsack++;
}

/* Fills o with SACK blocks from the reassembly queue's blocks: the block
 * holding the latest segment to arrive, then those holding the arrivals
 * before it (RFC 2018 4: the most recent first), then the others in
 * sequence order, as many as fit.  Each is found by bisection, and the
 * walk in order skips at most the three already taken. */
void sy_tcb_sack_blocks(const sy_tcb *c, sy_tcp_opts *o, unsigned max)
{
	const sy_tcb_rx *rx = c->rx;
	uint32_t want[3];
	const sy_ranges *rs;
	unsigned n;

	o->nsack = 0;
	if (!rx)
		return;  /* nothing out of order */
	want[0] = rx->last_ooo;
	want[1] = rx->recent_ooo[0];
	want[2] = rx->recent_ooo[1];
	rs = &rx->ooo_blocks;
	n = sy_ranges_count(rs);
	for (int k = 0; k < 3 && o->nsack < max; k++) {
		unsigned i = sy_ranges_upper(rs, want[k]);

		if (i < n && sy_seq_le(sy_ranges_at(rs, i)->l, want[k]))
			sack_put(o, sy_ranges_at(rs, i));
	}
	for (unsigned i = 0; i < n && o->nsack < max; i++)
		sack_put(o, sy_ranges_at(rs, i));
}

/* ------------------------------------------------------------ timestamps */

/* The TS clock ticks every millisecond of virtual time.  Under a profile
 * with ts_offset it starts from a keyed hash of the two addresses, as
 * Linux's secure_tcp_ts_off: every connection between the same two
 * addresses shares it, whichever side opened it, and the key is the
 * node's, drawn from the run seed. */
uint32_t sy_tcb_ts_now(sy_tcb *c)
{
	uint32_t now = (uint32_t)(now_of(c) / SY_MS);
	sy_tcp_ep *ep = c->ep;

	if (!limits(c)->ts_offset)
		return now;
	if (!c->ts_off_ok) {
		uint8_t m[8];

		if (!ep->ts_key_ok) {
			sy_rng r;

			sy_sim_stream(ep->sim, &r, "tcp-ts-offset", sy_node_index(ep->node));
			for (int i = 0; i < 16; i += 8) {
				uint64_t x = sy_rng_next(&r);

				memcpy(ep->ts_key + i, &x, 8);
			}
			ep->ts_key_ok = true;
		}
		memcpy(m, &c->laddr, 4);
		memcpy(m + 4, &c->raddr, 4);
		c->ts_off = (uint32_t)sy_siphash24(ep->ts_key, m, sizeof m);
		c->ts_off_ok = true;
	}
	return now + c->ts_off;
}

/* ------------------------------------------------------------ negotiation */

void sy_tcp_sm_common_offer(sy_tcb *c, const sy_tcp_sm_common *p)
{
	sy_tcp_offer o = {
		.mss = (uint16_t)p->mss, .window_scaling = p->window_scaling,
		.wscale = (uint8_t)p->wscale, .timestamps = p->timestamps,
		.sack = p->sack,
	};

	sy_tcb_offer(c, &o);
}

void sy_tcp_sm_common_defaults(const sy_tcp_sm_common *p, sy_tcp_data_opts *o)
{
	o->sndbuf = (uint32_t)p->sndbuf;
	o->rcvbuf = (uint32_t)p->rcvbuf;
	o->initial_window = (uint32_t)p->initial_window;
	o->nagle = p->nagle;
	o->limited_transmit = p->limited_transmit;
}

void sy_tcb_offer(sy_tcb *c, const sy_tcp_offer *o)
{
	c->mss_local = c->mss_user && c->mss_user < o->mss ? c->mss_user : o->mss;
	c->ws_ok = o->window_scaling;
	c->rcv_wscale = o->window_scaling ? o->wscale : 0;
	c->ts_ok = o->timestamps;
	c->sack_ok = o->sack;
}

void sy_tcb_negotiate(sy_tcb *c, const sy_tcp_opts *o)
{
	c->mss_peer = o->has_mss ? o->mss : 536;
	c->ws_ok = c->ws_ok && o->has_ws;
	c->snd_wscale = c->ws_ok ? (uint8_t)(o->ws > 14 ? 14 : o->ws) : 0;
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->ts_ok = c->ts_ok && o->has_ts;
	if (c->ts_ok)
		c->ts_recent = o->tsval;
	c->sack_ok = c->sack_ok && o->sack_ok;
	/* ECN is negotiated by the SYN's flags, not its options: the
	 * segment being delivered */
	sy_ecn_negotiate(c, c->ep->cur_seg);
}

void sy_tcb_fastopen_option(sy_tcb *c, const uint8_t *cookie, unsigned len)
{
	sy_tcb_loss *l = c->lr;

	if (!cookie && !len) {
		if (l) {
			l->tfo = false;
			l->tfo_len = 0;
		}
		return;
	}
	/* a connection with Fast Open takes the block for its cookie */
	l = sy_loss(c);
	if (!l)
		return;
	l->tfo = cookie != NULL;
	l->tfo_len = (uint8_t)(len > sizeof l->tfo_cookie ? sizeof l->tfo_cookie : len);
	if (cookie)
		memcpy(l->tfo_cookie, cookie, l->tfo_len);
}
