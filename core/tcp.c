#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define TTL_DEFAULT 64

struct sy_tcp_ep {
	sy_net *net;
	sy_node *node;
	sy_tcp_ep_stats st;
};

const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep)
{
	return &ep->st;
}

int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err)
{
	sy_packet *p = sy_packet_new(sy_net_pool(ep->net));

	if (!p)
		return sy_err_set(err, "out of memory sending a segment");
	p->hdr_len = (uint16_t)(40 + t->optlen);
	if (sy_packet_set_payload(sy_net_pool(ep->net), p, NULL, len, err) < 0) {
		sy_net_release(ep->net, p);
		return -1;
	}
	sy_tcp_build(p, ip, t);
	ep->st.segments_out++;
	if (t->flags & SY_TCP_RST)
		ep->st.rst_out++;
	sy_node_send(ep->node, p);
	return 0;
}

/* RFC 9293 3.10.7.1, the CLOSED state: every segment but a reset is
 * answered by a reset that the sender will accept.  A segment carrying an
 * ACK gets <SEQ=SEG.ACK><CTL=RST>; one without gets
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, where SEG.LEN counts SYN and
 * FIN. */
static void refuse(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len)
{
	sy_ipv4 rip = {
		.src = ip->dst, .dst = ip->src, .proto = SY_IPPROTO_TCP,
		.ttl = TTL_DEFAULT, .id = sy_node_next_ip_id(ep->node), .df = true,
	};
	sy_tcp r = { .sport = t->dport, .dport = t->sport };

	if (t->flags & SY_TCP_RST)
		return;
	if (t->flags & SY_TCP_ACK) {
		r.seq = t->ack;
		r.flags = SY_TCP_RST;
	} else {
		r.seq = 0;
		r.ack = t->seq + len + !!(t->flags & SY_TCP_SYN) + !!(t->flags & SY_TCP_FIN);
		r.flags = SY_TCP_RST | SY_TCP_ACK;
	}
	sy_tcp_ep_send(ep, &rip, &r, 0, NULL);
}

static void input(void *ctx, sy_node *n, sy_packet *p)
{
	sy_tcp_ep *ep = ctx;
	sy_ipv4 ip;
	sy_tcp t;

	if (sy_ipv4_read(p, &ip, NULL) < 0 || sy_tcp_read(p, &t, NULL) < 0) {
		ep->st.bad_segments++;
		sy_net_release(ep->net, p);
		return;
	}
	ep->st.segments_in++;
	if (t.flags & SY_TCP_RST)
		ep->st.rst_in++;
	/* No sockets yet: every segment finds none. */
	ep->st.no_socket++;
	refuse(ep, &ip, &t, p->payload_len);
	sy_net_release(ep->net, p);
}

sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_err *err)
{
	sy_tcp_ep *ep;

	if (sy_tcp_ep_of(n))
		return sy_err_set(err, "node '%s' has a TCP endpoint already", sy_node_name(n)), NULL;
	ep = calloc(1, sizeof *ep);
	if (!ep) {
		sy_err_set(err, "out of memory creating a TCP endpoint");
		return NULL;
	}
	ep->net = net;
	ep->node = n;
	sy_node_set_proto_owned(n, SY_IPPROTO_TCP, input, ep, free);
	return ep;
}

sy_tcp_ep *sy_tcp_ep_of(const sy_node *n)
{
	return sy_node_proto_ctx(n, SY_IPPROTO_TCP, input);
}
