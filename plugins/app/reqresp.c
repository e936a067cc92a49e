/* Request and response over one persistent connection, in two roles.
 *
 * The client (role = "client") connects to target:port at `start`, sends
 * a request of `request` bytes, waits for the whole response of
 * `response` bytes, and repeats: `count` exchanges in sequence over the
 * same connection (like HTTP/1.1 keep-alive without pipelining), then it
 * closes.  The server (role = "server") listens on `port` and answers
 * each whole request (every `request` bytes received) with `response`
 * bytes; it closes when the client does.  Messages are virtual bytes and
 * have no framing: both roles must be given the same sizes.
 *
 * Statistics: completed counts exchanges (client: responses received in
 * full; server: responses acknowledged in full); the latency of an
 * exchange (client only) runs from the request's queueing to the last
 * byte of its response.  The client is complete when the last response
 * has arrived; the server when its latest connection has finished (the
 * client closed, every response acknowledged), at the time its last
 * response was acknowledged. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "tcpapp.h"

enum { CLIENT, SERVER };
static const char *const roles[] = { "client", "server", NULL };

struct rr {
	int role;             /* parameters */
	char *target;
	int64_t port;
	sy_time start;
	int64_t request, response, count, backlog;
	bool nagle;
	uint32_t dst;
	struct tapp app;
	sy_tcp_listener *l;
};

struct rconn {
	struct tapp_conn k;   /* first: the list's record */
	struct rr *r;
	uint64_t rx;          /* bytes received */
	uint64_t n;           /* client: responses in full; server: requests answered */
	uint64_t acked;       /* server: responses acknowledged */
	sy_time sent_at;      /* client: the current request was queued then */
	sy_time last_ack;     /* server: every response acknowledged then */
	bool eof;             /* the peer has closed */
};

static void request(struct rconn *rc)
{
	rc->sent_at = tapp_now(&rc->r->app);
	sy_tcp_send(rc->k.c, NULL, (uint64_t)rc->r->request, NULL);
}

static void exchange_done(struct rconn *rc, sy_time lat)
{
	sy_app_stats *s = &rc->r->app.st;

	if (!s->completed || lat < s->latency_min)
		s->latency_min = lat;
	if (lat > s->latency_max)
		s->latency_max = lat;
	s->latency_sum += lat;
	s->completed++;
}

static void on_data(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes)
{
	struct rconn *rc = ctx;
	struct rr *r = rc->r;
	sy_time now = tapp_now(&r->app);

	(void)bytes;
	rc->rx += n;
	if (r->role == SERVER) {
		while (rc->rx >= (rc->n + 1) * (uint64_t)r->request) {
			rc->n++;
			if (sy_tcp_send(c, NULL, (uint64_t)r->response, NULL) < 0)
				break;
		}
		return;
	}
	while (!rc->k.done && rc->rx >= (rc->n + 1) * (uint64_t)r->response) {
		rc->n++;
		exchange_done(rc, now - rc->sent_at);
		if (rc->n < (uint64_t)r->count) {
			request(rc);
		} else {
			rc->k.done = true;
			tapp_complete(&r->app, now);
			sy_tcp_close(c);
		}
	}
}

/* The server's responses are all acknowledged. */
static void on_sent(void *ctx, sy_tcb *c)
{
	struct rconn *rc = ctx;
	struct rr *r = rc->r;

	(void)c;
	if (r->role != SERVER)
		return;
	rc->last_ack = tapp_now(&r->app);
	while (rc->acked < rc->n) {
		rc->acked++;
		r->app.st.completed++;
	}
	if (rc->eof && !rc->k.done) {
		rc->k.done = true;
		tapp_complete(&r->app, rc->last_ack);
	}
}

static void on_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct rconn *rc = ctx;
	struct rr *r = rc->r;

	if (tapp_event(&r->app, &rc->k, from, to, cause)) {
		free(rc);
		return;
	}
	if (from == to)
		return;
	if (to == SY_TCP_ESTABLISHED && r->role == CLIENT) {
		request(rc);
	} else if (to == SY_TCP_CLOSE_WAIT) {
		rc->eof = true;
		if (r->role == SERVER && sy_tcp_unacked(c) == 0 && !rc->k.done) {
			rc->k.done = true;
			tapp_complete(&r->app, rc->last_ack >= 0 ? rc->last_ack : tapp_now(&r->app));
		}
		sy_tcp_close(c);
	}
}

static const sy_tcp_cb callbacks = {
	.data = on_data,
	.sent = on_sent,
	.event = on_event,
};

static struct rconn *rconn_new(struct rr *r, sy_tcb *c)
{
	struct rconn *rc = calloc(1, sizeof *rc);

	if (!rc)
		return NULL;
	rc->r = r;
	rc->last_ack = -1;
	tapp_add(&r->app, &rc->k, c, &callbacks, rc);
	tapp_set_bufs(c, 0, 0, r->nagle, 1, NULL);
	return rc;
}

static void on_accept(void *ctx, sy_tcb *c)
{
	if (!rconn_new(ctx, c))
		sy_tcp_abort(c);
}

static void go(sy_sim *sim, void *arg, uint64_t data)
{
	struct rr *r = arg;
	sy_tcb *c;

	(void)sim;
	(void)data;
	c = sy_tcp_connect(r->app.ep, r->dst, (uint16_t)r->port, NULL);
	if (!c) {
		r->app.st.failed++;
		return;
	}
	if (!rconn_new(r, c)) {
		r->app.st.failed++;
		sy_tcp_abort(c);
	}
}

static int rr_start(void *st, const sy_app_ctx *ctx, sy_err *err)
{
	struct rr *r = st;
	sy_time now = sy_sim_now(ctx->sim);

	if (r->role == CLIENT && (!r->target || sy_ipv4_parse(r->target, &r->dst) < 0))
		return sy_err_set(err, "parameter 'target': '%s' is not an IPv4 address",
				  r->target ? r->target : "");
	if (tapp_init(&r->app, ctx, err) < 0)
		return -1;
	if (r->role == CLIENT)
		return sy_sim_at(ctx->sim, r->start > now ? r->start : now, go, r, 0, NULL, err);
	r->l = sy_tcp_listen(r->app.ep, (uint16_t)r->port, (int)r->backlog,
			     SY_SYNCOOKIES_ON_OVERFLOW, err);
	if (!r->l)
		return -1;
	sy_tcp_listener_on_accept(r->l, on_accept, r);
	return 0;
}

static void rr_fini(void *st)
{
	tapp_fini(&((struct rr *)st)->app);
}

static sy_app_stats rr_stats(const void *st)
{
	return tapp_stats(&((const struct rr *)st)->app);
}

static const sy_app_ops ops = {
	SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops),
	.start = rr_start,
	.stats = rr_stats,
};

static const sy_param params[] = {
	{ .name = "role", .type = SY_PT_ENUM, .offset = offsetof(struct rr, role),
	  .def = "client", .choices = roles, .doc = "client (connects and asks) or server (listens and answers)" },
	{ .name = "target", .type = SY_PT_STRING, .offset = offsetof(struct rr, target),
	  .doc = "client: the server's IPv4 address" },
	{ .name = "port", .type = SY_PT_INT, .offset = offsetof(struct rr, port),
	  .def = "80", .min = "1", .max = "65535", .doc = "the server's port" },
	{ .name = "start", .type = SY_PT_DURATION, .offset = offsetof(struct rr, start),
	  .def = "0s", .doc = "client: when to connect" },
	{ .name = "request", .type = SY_PT_SIZE, .offset = offsetof(struct rr, request),
	  .def = "100B", .min = "1B", .max = "1GiB", .doc = "bytes of a request (the same for both roles)" },
	{ .name = "response", .type = SY_PT_SIZE, .offset = offsetof(struct rr, response),
	  .def = "10KB", .min = "1B", .max = "1GiB", .doc = "bytes of a response (the same for both roles)" },
	{ .name = "count", .type = SY_PT_INT, .offset = offsetof(struct rr, count),
	  .def = "1", .min = "1", .doc = "client: exchanges, one after the other on one connection" },
	{ .name = "backlog", .type = SY_PT_INT, .offset = offsetof(struct rr, backlog),
	  .def = "128", .min = "1", .max = "1000000", .doc = "server: connections in SYN_RECEIVED, at most" },
	{ .name = "nagle", .type = SY_PT_BOOL, .offset = offsetof(struct rr, nagle),
	  .def = "true", .doc = "Nagle's algorithm (RFC 896)" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "app",
	.name = "reqresp",
	.summary = "requests and responses of given sizes over one connection (role client or server)",
	.state_size = sizeof(struct rr),
	.params = params,
	.fini = rr_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
