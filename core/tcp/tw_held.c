/* Compact TIME_WAIT: what the binding reads of a record it holds, kept
 * beside the compact record (struct sy_tw_held), and the binding's way
 * of following its records (tw.h). */

#include "config.h"

#include "tw_priv.h"

void sy_tw_keep_save(const sy_tcb *c, struct tw_keep *k)
{
	*k = (struct tw_keep){
		.user = c->user, .want_data = c->want_data, .in_recovery = c->in_recovery,
		.st = c->st, .t_open = c->t_open, .t_established = c->t_established,
		.t_first_rx = c->t_first_rx, .t_all_acked = c->t_all_acked,
		.t_closed = c->t_closed, .snd_queued = c->snd_queued, .snd_sent = c->snd_sent,
		.data_rx_at = c->data_rx_at, .data_tx_at = c->data_tx_at,
		.tx_head = c->tx_head, .last_send = c->last_send, .rtt = c->rtt,
		.cwnd = c->cc.cwnd, .ssthresh = c->cc.ssthresh, .iw_bytes = c->iw_bytes,
	};
}

void sy_tw_keep_apply(sy_tcb *c, const struct tw_keep *k)
{
	c->user = k->user;
	c->want_data = k->want_data;
	c->in_recovery = k->in_recovery;
	c->st = k->st;
	c->t_open = k->t_open;
	c->t_established = k->t_established;
	c->t_first_rx = k->t_first_rx;
	c->t_all_acked = k->t_all_acked;
	c->t_closed = k->t_closed;
	c->snd_queued = k->snd_queued;
	c->snd_sent = k->snd_sent;
	c->data_rx_at = k->data_rx_at;
	c->data_tx_at = k->data_tx_at;
	c->tx_head = k->tx_head;
	c->last_send = k->last_send;
	c->rtt = k->rtt;
	c->cc.cwnd = k->cwnd;
	c->cc.ssthresh = k->ssthresh;
	c->iw_bytes = k->iw_bytes;
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
