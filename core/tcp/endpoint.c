/* The endpoint of a node: its connections by 4-tuple and its listeners
 * by port, the demultiplexing of arriving segments, segments with no
 * connection, observers, and the endpoint's plugins. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "isn.h"
#include "tcp_priv.h"

#define EPHEMERAL_LO 32768 /* Linux's default ip_local_port_range */
#define EPHEMERAL_HI 60999

static const char *const state_names[SY_TCP_STATES] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT",
};

const char *sy_tcp_state_name(sy_tcp_state s)
{
	return (unsigned)s < SY_TCP_STATES ? state_names[s] : "?";
}

const sy_tcp_ep_stats *sy_tcp_ep_stats_get(const sy_tcp_ep *ep) { return &ep->st; }
sy_node *sy_tcp_ep_node(const sy_tcp_ep *ep) { return ep->node; }
sy_net *sy_tcp_ep_net(const sy_tcp_ep *ep) { return ep->net; }
sy_tcp_ep *sy_tcp_listener_ep(const sy_tcp_listener *l) { return l->ep; }
uint16_t sy_tcp_listener_port(const sy_tcp_listener *l) { return l->port; }
sy_tcp_listener_stats sy_tcp_listener_stats_get(const sy_tcp_listener *l)
{
	return (sy_tcp_listener_stats){
		.syn_received = l->pending, .syn_queue_drops = l->overflows,
		.accept_queue = l->aq_len, .accept_queue_drops = l->accept_drops,
		.cookies_sent = l->cookies_sent, .cookies_accepted = l->cookies_accepted,
		.cookies_rejected = l->cookies_rejected,
	};
}

void sy_tcp_ep_state_log(sy_tcp_ep *ep, FILE *f)
{
	ep->log = f;
}

void sy_tcp_ep_observe(sy_tcp_ep *ep, sy_tcp_observer fn, void *ctx)
{
	ep->obs = fn;
	ep->obs_ctx = ctx;
}

#define NET_OBS 4
struct net_obs {
	int n, nn;
	struct { sy_tcp_observer fn; void *ctx; } o[NET_OBS];
	struct { sy_tcp_note_observer fn; void *ctx; } no[NET_OBS]; /* notes */
};

int sy_tcp_net_observe(sy_net *net, sy_tcp_observer fn, void *ctx)
{
	void **slot = sy_net_tcp_observers(net);
	struct net_obs *no = *slot;

	if (!no && !(no = *slot = calloc(1, sizeof *no)))
		return -1;
	if (no->n == NET_OBS)
		return -1;
	no->o[no->n].fn = fn;
	no->o[no->n].ctx = ctx;
	no->n++;
	return 0;
}

void sy_tcp_net_unobserve(sy_net *net, sy_tcp_observer fn, void *ctx)
{
	struct net_obs *no = *sy_net_tcp_observers(net);

	for (int i = 0; no && i < no->n; i++)
		if (no->o[i].fn == fn && no->o[i].ctx == ctx) {
			memmove(no->o + i, no->o + i + 1, (size_t)(no->n - i - 1) * sizeof no->o[0]);
			no->n--;
			return;
		}
}

/* ------------------------------------------------------------ notes */

static const char *const drop_names[SY_TCP_DROPS] = {
	[SY_TCP_DROP_SYN_QUEUE] = "syn_queue_full",
	[SY_TCP_DROP_ACCEPT_QUEUE] = "accept_queue_full",
	[SY_TCP_DROP_NO_SOCKET] = "no_socket",
	[SY_TCP_DROP_CHALLENGE_LIMIT] = "challenge_ack_limit",
	[SY_TCP_DROP_COOKIE] = "cookie_rejected",
};

static const char *const event_names[SY_TCP_EVENTS] = {
	[SY_TCP_EV_COOKIE_SENT] = "cookie_sent",
	[SY_TCP_EV_COOKIE_VALIDATED] = "cookie_validated",
	[SY_TCP_EV_CHALLENGE_ACK] = "challenge_ack",
	[SY_TCP_EV_WINDOW_PROBE] = "window_probe",
	[SY_TCP_EV_KEEPALIVE_PROBE] = "keepalive_probe",
};

const char *sy_tcp_drop_name(sy_tcp_drop d)
{
	return (unsigned)d < SY_TCP_DROPS ? drop_names[d] : "?";
}

const char *sy_tcp_event_name(sy_tcp_event e)
{
	return (unsigned)e < SY_TCP_EVENTS ? event_names[e] : "?";
}

int sy_tcp_net_observe_notes(sy_net *net, sy_tcp_note_observer fn, void *ctx)
{
	void **slot = sy_net_tcp_observers(net);
	struct net_obs *no = *slot;

	if (!no && !(no = *slot = calloc(1, sizeof *no)))
		return -1;
	if (no->nn == NET_OBS)
		return -1;
	no->no[no->nn].fn = fn;
	no->no[no->nn].ctx = ctx;
	no->nn++;
	return 0;
}

void sy_tcp_net_unobserve_notes(sy_net *net, sy_tcp_note_observer fn, void *ctx)
{
	struct net_obs *no = *sy_net_tcp_observers(net);

	for (int i = 0; no && i < no->nn; i++)
		if (no->no[i].fn == fn && no->no[i].ctx == ctx) {
			memmove(no->no + i, no->no + i + 1, (size_t)(no->nn - i - 1) * sizeof no->no[0]);
			no->nn--;
			return;
		}
}

bool sy_tcp_observed(const sy_tcp_ep *ep)
{
	const struct net_obs *no = *sy_net_tcp_observers(ep->net);

	return no && no->n;
}

bool sy_tcp_noted(const sy_tcp_ep *ep)
{
	const struct net_obs *no = *sy_net_tcp_observers(ep->net);

	return no && no->nn;
}

void sy_tcp_note_send(sy_tcp_ep *ep, sy_tcp_note *n)
{
	struct net_obs *no = *sy_net_tcp_observers(ep->net);

	n->node = ep->node;
	for (int i = 0; no && i < no->nn; i++)
		no->no[i].fn(no->no[i].ctx, n);
}

void sy_tcp_note_drop(sy_tcp_ep *ep, sy_tcp_drop why)
{
	sy_tcp_note n = { .drop = true, .what = (uint8_t)why, .p = ep->cur };

	/* only a segment being delivered can be refused */
	if (!ep->cur || !sy_tcp_noted(ep))
		return;
	sy_tcp_note_send(ep, &n);
}

void sy_tcb_note(sy_tcb *c, sy_tcp_event what, uint32_t seq, bool received)
{
	sy_tcp_note n = {
		.what = (uint8_t)what, .p = received ? c->ep->cur : NULL,
		.laddr = c->laddr, .raddr = c->raddr, .lport = c->lport,
		.rport = c->rport, .seq = seq,
	};

	if (!sy_tcp_noted(c->ep) || (received && !c->ep->cur))
		return;
	sy_tcp_note_send(c->ep, &n);
}

/* Every observer of c's endpoint and network. */
void sy_tcp_report(sy_tcb *c, sy_tcp_state from, sy_tcp_state to, sy_tcp_cause cause)
{
	struct net_obs *no = *sy_net_tcp_observers(c->ep->net);

	if (c->ep->obs)
		c->ep->obs(c->ep->obs_ctx, c, from, to, cause);
	for (int i = 0; no && i < no->n; i++)
		no->o[i].fn(no->o[i].ctx, c, from, to, cause);
	if (c->cb && c->cb->event)
		c->cb->event(c->cb_ctx, c, from, to, cause);
}

/* ------------------------------------------------------------ output */

int sy_tcp_ep_send(sy_tcp_ep *ep, const sy_ipv4 *ip, const sy_tcp *t,
		   uint32_t len, sy_err *err)
{
	return sy_tcp_ep_send_bytes(ep, ip, t, len, NULL, err);
}

void sy_tcp_send_reset(sy_tcp_ep *ep, const sy_seg *s, uint32_t seq,
		       uint32_t ack, uint8_t flags)
{
	sy_ipv4 ip = ip_for(ep, s->dst, s->src);
	sy_tcp t = { .sport = s->dport, .dport = s->sport, .seq = seq, .ack = ack,
		     .flags = flags };

	sy_tcp_ep_send(ep, &ip, &t, 0, NULL);
}

/* RFC 9293 3.10.7.1, the CLOSED state: every segment but a reset is
 * answered by a reset that the sender will accept.  A segment carrying an
 * ACK gets <SEQ=SEG.ACK><CTL=RST>; one without gets
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
void sy_tcp_refuse(sy_tcp_ep *ep, const sy_seg *s)
{
	if (s->flags & SY_TCP_RST)
		return;
	if (s->flags & SY_TCP_ACK)
		sy_tcp_send_reset(ep, s, s->ack, 0, SY_TCP_RST);
	else
		sy_tcp_send_reset(ep, s, 0, s->seq + sy_seg_len(s),
				  SY_TCP_RST | SY_TCP_ACK);
}

/* ------------------------------------------------------------ tables */

static size_t tuple_hash(size_t nhash, uint32_t raddr, uint16_t lport,
			 uint16_t rport)
{
	uint64_t h = ((uint64_t)raddr << 32) ^ ((uint64_t)lport << 16) ^ rport;

	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 32) & (nhash - 1);
}

/* Connections are keyed by (raddr, lport, rport): a node answers from the
 * address a segment came to, and two connections differing only in the
 * local address are not supported (one address per peer path). */
sy_tcb *sy_tcp_lookup(const sy_tcp_ep *ep, uint32_t raddr, uint16_t lport,
		      uint16_t rport)
{
	if (!ep->nhash)
		return NULL;
	for (sy_tcb *c = ep->hash[tuple_hash(ep->nhash, raddr, lport, rport)]; c; c = c->hnext)
		if (c->raddr == raddr && c->lport == lport && c->rport == rport)
			return c;
	return NULL;
}

int sy_tcp_insert(sy_tcp_ep *ep, sy_tcb *c)
{
	if (2 * (ep->nconns + 1) > ep->nhash) {
		size_t n = ep->nhash ? 2 * ep->nhash : 64;
		sy_tcb **h = calloc(n, sizeof *h);

		if (!h)
			return -1;
		for (size_t i = 0; i < ep->nhash; i++) {
			sy_tcb *x = ep->hash[i];

			while (x) {
				sy_tcb *next = x->hnext;
				size_t k = tuple_hash(n, x->raddr, x->lport, x->rport);

				x->hnext = h[k];
				h[k] = x;
				x = next;
			}
		}
		free(ep->hash);
		ep->hash = h;
		ep->nhash = n;
	}
	c->hnext = ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)];
	ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)] = c;
	ep->nconns++;
	return 0;
}

void sy_tcp_unlink(sy_tcb *c)
{
	sy_tcp_ep *ep = c->ep;
	sy_tcb **pp = &ep->hash[tuple_hash(ep->nhash, c->raddr, c->lport, c->rport)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			ep->nconns--;
			return;
		}
}

sy_tcp_listener *sy_tcp_find_listener(const sy_tcp_ep *ep, uint16_t port)
{
	for (int i = 0; i < ep->nlst; i++)
		if (ep->lst[i]->port == port)
			return ep->lst[i];
	return NULL;
}

/* ------------------------------------------------------------ connections */

void sy_tcb_defaults(sy_tcp_ep *ep, sy_tcb *c)
{
	c->ep = ep;
	c->t_open = c->t_established = c->t_first_rx = c->t_all_acked = c->t_closed = -1;
	c->data_rx_at = c->data_tx_at = -1;
	c->sndbuf = ep->dopts.sndbuf;
	c->rcvbuf = ep->dopts.rcvbuf;
	c->iw_segs = (uint16_t)ep->dopts.initial_window;
	c->nagle = ep->dopts.nagle;
	c->limited_transmit = ep->dopts.limited_transmit;
	c->autoread = ep->dopts.autoread;
	c->cci = &ep->cc;
	for (int i = 0; i < SY_TCB_TSLOTS; i++)
		c->tm.low[i] = 0, c->tm.slot1[i] = 0;
	ep->tmo->rtt_init(ep->timers.state, &c->rtt);
}

/* What every connection pays for, idle or not: what is needed only for a
 * while or by some goes to blocks allocated on first use (tcb.h).  A
 * field added to the record is to make room for itself. */
_Static_assert(sizeof(void *) != 8 || sizeof(sy_tcb) <= 504,
	       "the record of an idle connection stays within 504 bytes");

sy_tcb *sy_tcb_new(sy_tcp_ep *ep, uint32_t laddr, uint16_t lport,
		       uint32_t raddr, uint16_t rport)
{
	sy_tcb *c = sy_pool_zalloc(ep->pool, sizeof *c);
	sy_isn_ctx ic = { laddr, raddr, lport, rport, sy_sim_now(ep->sim) };

	if (!c)
		return NULL;
	sy_tcb_defaults(ep, c);
	c->laddr = laddr;
	c->raddr = raddr;
	c->lport = lport;
	c->rport = rport;
	c->state = SY_TCP_CLOSED;
	c->iss = ep->isno->isn(ep->isn.state, &ic);
	c->snd_una = c->snd_nxt = c->iss;
	c->mss_local = 1460;
	c->mss_peer = 536;
	c->id = ++ep->next_id;
	c->t_open = sy_sim_now(ep->sim);
	c->rcv_wnd = c->rcvbuf < 65535 ? c->rcvbuf : 65535;
	if (sy_tcp_insert(ep, c) < 0) {
		sy_pool_free(ep->pool, c);
		return NULL;
	}
	return c;
}

/* ------------------------------------------------------------ connect */

/* A connection from the next free ephemeral port, not opened yet. */
static sy_tcb *ephemeral(sy_tcp_ep *ep, uint32_t raddr, uint16_t rport, sy_err *err)
{
	uint32_t laddr;
	sy_tcb *c = NULL;

	if (!sy_node_ifaces(ep->node))
		return sy_err_set(err, "connect: node '%s' has no link", sy_node_name(ep->node)), NULL;
	if (rport == 0)
		return sy_err_set(err, "connect: port 0 is not a port"), NULL;
	laddr = sy_node_addr(ep->node, 0);
	/* The next free ephemeral port, cycling through the range. */
	for (int tries = 0;; tries++) {
		uint16_t p = ep->next_port;

		if (tries > EPHEMERAL_HI - EPHEMERAL_LO)
			return sy_err_set(err, "connect: no free ephemeral port"), NULL;
		ep->next_port = p >= EPHEMERAL_HI ? EPHEMERAL_LO : (uint16_t)(p + 1);
		int r;

		if (sy_tcp_find_listener(ep, p))
			continue;
		if ((r = sy_tw_reuse(ep, raddr, p, rport, false, &c)) < 0) {
			c = sy_tcb_new(ep, laddr, p, raddr, rport);
			break;
		}
		if (r > 0)
			break;
		c = NULL;
	}
	if (!c)
		return sy_err_set(err, "out of memory"), NULL;
	return c;
}

sy_tcb *sy_tcp_connect(sy_tcp_ep *ep, uint32_t raddr, uint16_t rport, sy_err *err)
{
	sy_tcb *c = sy_tcp_connect_prepare(ep, 0, raddr, rport, err);

	if (c)
		sy_tcp_connect_open(c);
	return c;
}

sy_tcb *sy_tcp_connect_from(sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
			    uint16_t rport, sy_err *err)
{
	sy_tcb *c = sy_tcp_connect_prepare(ep, lport, raddr, rport, err);

	if (c)
		sy_tcp_connect_open(c);
	return c;
}

void sy_tcp_connect_open(sy_tcb *c)
{
	/* once: a connection that has been open ends with t_closed set */
	if (c->state == SY_TCP_CLOSED && c->t_closed < 0)
		c->ep->smo->connect(c);
}

sy_tcb *sy_tcp_connect_prepare(sy_tcp_ep *ep, uint16_t lport, uint32_t raddr,
			       uint16_t rport, sy_err *err)
{
	sy_tcb *c;

	if (!lport)
		return ephemeral(ep, raddr, rport, err);
	if (!sy_node_ifaces(ep->node))
		return sy_err_set(err, "connect: node '%s' has no link", sy_node_name(ep->node)), NULL;
	if (rport == 0)
		return sy_err_set(err, "connect: port 0 is not a port"), NULL;
	if (!sy_tcp_find_listener(ep, lport) &&
	    sy_tw_reuse(ep, raddr, lport, rport, true, &c) > 0) {
		if (!c)
			return sy_err_set(err, "out of memory"), NULL;
		return c;
	}
	if ((c = sy_tcp_lookup(ep, raddr, lport, rport)) ||
	    sy_tw_exists(ep, raddr, lport, rport)) {
		char ra[16];

		sy_ipv4_format(raddr, ra);
		return sy_err_set(err, "connect: local port %u to %s:%u is in use (%s)",
				  (unsigned)lport, ra, (unsigned)rport,
				  sy_tcp_state_name(c ? c->state : SY_TCP_TIME_WAIT)), NULL;
	}
	if (sy_tcp_find_listener(ep, lport))
		return sy_err_set(err, "connect: local port %u is a listener's", (unsigned)lport), NULL;
	if (!(c = sy_tcb_new(ep, sy_node_addr(ep->node, 0), lport, raddr, rport)))
		return sy_err_set(err, "out of memory"), NULL;
	return c;
}

void sy_tcp_abort(sy_tcb *c)
{
	c->ep->smo->abort(c);
}

/* ------------------------------------------------------------ input */

static void input(void *ctx, sy_node *n, sy_packet *p)
{
	sy_tcp_ep *ep = ctx;
	sy_tcp_listener *l;
	sy_ipv4 ip;
	sy_tcp t;
	sy_seg s;
	sy_tcb *c;

	if (sy_ipv4_read(p, &ip, NULL) < 0 || sy_tcp_read(p, &t, NULL) < 0) {
		ep->st.bad_segments++;
		sy_net_release(ep->net, p);
		return;
	}
	s = (sy_seg){
		.src = ip.src, .dst = ip.dst, .sport = t.sport, .dport = t.dport,
		.seq = t.seq, .ack = t.ack, .flags = t.flags, .win = t.window,
		.len = p->payload_len, .data = p->data, .tos = ip.tos,
	};
	if (sy_tcp_parse_options(t.opt, t.optlen, &s.opts) < 0) {
		ep->st.bad_segments++;
		sy_net_release(ep->net, p);
		return;
	}
	ep->st.segments_in++;
	ep->st.bad_options += s.opts.ignored;
	ep->cur = p; /* the segment a drop or an event may name */
	ep->cur_seg = &s;
	if (s.flags & SY_TCP_RST)
		ep->st.rst_in++;
	c = sy_tcp_lookup(ep, s.src, s.dport, s.sport);
	if (!c)
		c = sy_tw_wake(ep, s.src, s.dport, s.sport);
	if (c) {
		bool tw = c->state == SY_TCP_TIME_WAIT;

		c->st.segments_in++;
		if (s.opts.ignored)
			sy_rare(c)->bad_options += s.opts.ignored;
		if (s.flags & SY_TCP_RST)
			sy_rare(c)->rsts_received++;
		if (!sy_tw_syn(ep, c, &s))
			ep->smo->input(c, &s);
		/* still (or again) in TIME_WAIT: compact again */
		if (tw && (c = sy_tcp_lookup(ep, s.src, s.dport, s.sport)))
			sy_tw_settle(c);
	} else if ((l = sy_tcp_find_listener(ep, s.dport))) {
		ep->smo->listen_input(l, &s);
	} else {
		ep->st.no_socket++;
		sy_tcp_note_drop(ep, SY_TCP_DROP_NO_SOCKET);
		sy_tcp_refuse(ep, &s);
	}
	ep->cur = NULL;
	ep->cur_seg = NULL;
	sy_net_release(ep->net, p);
}

/* ------------------------------------------------------------ endpoint */

static void ep_free(void *ctx)
{
	sy_tcp_ep *ep = ctx;

	/* Connections still open are dropped with the network; their
	 * pending events die with the simulator, which is freed first. */
	for (size_t i = 0; i < ep->nhash; i++) {
		sy_tcb *c = ep->hash[i];

		while (c) {
			sy_tcb *next = c->hnext;

			sy_tcb_data_free(c);
			sy_pool_free(ep->pool, c);
			c = next;
		}
	}
	sy_tw_free_all(ep);
	while (ep->zombies) {
		sy_tcb *c = ep->zombies;

		ep->zombies = c->hnext;
		sy_tcb_data_free(c);
		sy_pool_free(ep->pool, c);
	}
	/* every block went back: the pool checks its counts */
	sy_pool_destroy(ep->pool);
	for (int i = 0; i < ep->nccx; i++) {
		sy_instance_free(ep->ccx[i]);
		free(ep->ccx[i]);
	}
	free(ep->ccx);
	free(ep->scratch);
	sy_instance_free(&ep->cc);
	for (int i = 0; i < ep->nlst; i++) {
		free(ep->lst[i]->aq);
		free(ep->lst[i]);
	}
	free(ep->hash);
	sy_instance_free(&ep->sm);
	sy_instance_free(&ep->isn);
	sy_instance_free(&ep->timers);
	free(ep);
}

sy_tcp_ep *sy_tcp_ep_of(const sy_node *n)
{
	return sy_node_proto_ctx(n, SY_IPPROTO_TCP, input);
}

/* Takes the instance of kind in *in, or loads `def`; initializes it and,
 * for ISN generators, gives it its random stream. */
static int take(sy_tcp_ep *ep, sy_instance *dst, sy_instance *in,
		const char *kind, const char *def, sy_err *err)
{
	const sy_plugin *p;

	if (in && in->plugin) {
		*dst = *in;
		memset(in, 0, sizeof *in);
	} else if (!(p = sy_plugin_load(kind, def, err)) || sy_instance_new(dst, p, err) < 0) {
		return -1;
	}
	if (strcmp(dst->plugin->kind, kind) != 0)
		return sy_err_set(err, "%s/%s is not a %s plugin", dst->plugin->kind,
				  dst->plugin->name, kind);
	return sy_instance_init(dst, ep->sim, err);
}

sy_tcp_ep *sy_tcp_ep_new(sy_net *net, sy_node *n, sy_tcp_ep_opts *o, sy_err *err)
{
	sy_tcp_ep *ep;
	sy_rng r;

	if (sy_tcp_ep_of(n)) {
		sy_err_set(err, "node '%s' has a TCP endpoint already", sy_node_name(n));
		goto fail_opts;
	}
	ep = calloc(1, sizeof *ep);
	if (!ep) {
		sy_err_set(err, "out of memory creating a TCP endpoint");
		goto fail_opts;
	}
	ep->net = net;
	ep->node = n;
	ep->sim = sy_net_sim(net);
	ep->next_port = EPHEMERAL_LO;
	if (!(ep->pool = sy_pool_new())) {
		sy_err_set(err, "out of memory creating a TCP endpoint");
		ep_free(ep);
		goto fail_opts;
	}
	if ((ep->tw_mode = sy_tw_mode_env(err)) < 0) {
		ep_free(ep);
		goto fail_opts;
	}
	if (take(ep, &ep->sm, o ? &o->sm : NULL, "tcp", "rfc9293", err) < 0 ||
	    take(ep, &ep->isn, o ? &o->isn : NULL, "isn", "rfc6528", err) < 0 ||
	    take(ep, &ep->timers, o ? &o->timers : NULL, "timers", "rfc", err) < 0 ||
	    take(ep, &ep->cc, o ? &o->cc : NULL, "cc", "newreno", err) < 0) {
		ep_free(ep);
		goto fail_opts;
	}
	ep->smo = ep->sm.plugin->ops;
	ep->isno = ep->isn.plugin->ops;
	ep->tmo = ep->timers.plugin->ops;
	ep->dopts = (sy_tcp_data_opts){
		.sndbuf = 4 << 20, .rcvbuf = 4 << 20, .initial_window = 10,
		.nagle = true, .autoread = true, .limited_transmit = true,
	};
	if (ep->smo->data_defaults)
		ep->smo->data_defaults(ep->sm.state, &ep->dopts);
	if (ep->dopts.initial_window > SY_TCB_IW_MAX) {
		/* a record holds at most this many (tcb.h) */
		sy_err_set(err, "tcp/%s: initial_window must be at most %u segments (%lu given)",
			   ep->sm.plugin->name, SY_TCB_IW_MAX,
			   (unsigned long)ep->dopts.initial_window);
		ep_free(ep);
		goto fail_opts;
	}
	if (ep->isno->seed) {
		sy_sim_stream(ep->sim, &r, "tcp-isn", sy_node_index(n));
		ep->isno->seed(ep->isn.state, &r);
	}
	sy_sim_stream(ep->sim, &r, "tcp-cookie", sy_node_index(n));
	for (int i = 0; i < 16; i += 8) {
		uint64_t x = sy_rng_next(&r);

		memcpy(ep->cookie_key + i, &x, 8);
	}
	sy_node_set_proto_owned(n, SY_IPPROTO_TCP, input, ep, ep_free);
	return ep;
fail_opts:
	if (o) {
		sy_instance_free(&o->sm);
		sy_instance_free(&o->isn);
		sy_instance_free(&o->timers);
		sy_instance_free(&o->cc);
	}
	return NULL;
}

int sy_tcp_set_cc(sy_tcb *c, sy_instance *in, sy_err *err)
{
	sy_tcp_ep *ep = c->ep;
	sy_instance **x, *n;
	void *priv = NULL;
	const sy_cc_ops *o, *old = sy_cco(c);
	const void *old_st = sy_ccst(c);

	if (strcmp(in->plugin->kind, "cc") != 0)
		return sy_err_set(err, "%s/%s is not a cc plugin", in->plugin->kind, in->plugin->name);
	if (synchronized(c) && c->snd_max != c->iss + 1)
		return sy_err_set(err, "cc: the connection has sent data already");
	if (sy_instance_init(in, ep->sim, err) < 0)
		return -1;
	x = realloc(ep->ccx, (size_t)(ep->nccx + 1) * sizeof *x);
	if (!x)
		return sy_err_set(err, "out of memory");
	ep->ccx = x;
	o = in->plugin->ops;
	if (!(n = malloc(sizeof *n)))
		return sy_err_set(err, "out of memory");
	if (synchronized(c) && o->conn_size &&
	    !(priv = sy_pool_zalloc(ep->pool, o->conn_size))) {
		free(n);
		return sy_err_set(err, "out of memory");
	}
	*n = *in;
	memset(in, 0, sizeof *in);
	x[ep->nccx++] = n;
	c->cci = n;
	c->cc_lost = false;
	if (synchronized(c)) {
		sy_cc_conn k;

		if (old && c->data_started && old->destroy) {
			cc_load(c, &k);
			old->destroy(old_st, &k);
		}
		sy_pool_free(ep->pool, c->cc.priv);
		c->cc.priv = priv;
		c->cc.cwnd = c->iw_bytes;
		c->cc.ssthresh = UINT32_MAX;
		c->cc.prior_cwnd = c->cc.prior_ssthresh = 0;
		cc_load(c, &k);
		o->init(sy_ccst(c), &k);
		cc_store(c, &k);
	}
	return 0;
}

const char *sy_tcp_cc_name(const sy_tcb *c)
{
	return c->cci->plugin->name;
}
