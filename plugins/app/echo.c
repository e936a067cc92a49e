/* An echo server (RFC 862 over TCP): listens on `port` and sends back
 * every byte it receives, as it arrives: real bytes as the same real
 * bytes, virtual ones as virtual ones.  When the peer closes, it closes
 * too, after the echo of the last byte.
 *
 * Statistics: bytes_received counts the bytes delivered, bytes_sent the
 * echoed bytes acknowledged; a connection is complete once the peer has
 * closed and every echoed byte is acknowledged; start is the first
 * accept. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "tcpapp.h"

struct echo {
	int64_t port;         /* parameter */
	int64_t backlog;      /* parameter */
	bool nagle;           /* parameter */
	struct tapp app;
	sy_tcp_listener *l;
};

struct econn {
	struct tapp_conn k;   /* first: the list's record */
	struct echo *e;
	bool eof;             /* the peer has closed */
};

static void on_data(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes)
{
	(void)ctx;
	/* fails only once we have closed, which is after the peer's FIN,
	 * after which nothing arrives */
	sy_tcp_send(c, bytes, n, NULL);
}

static void on_sent(void *ctx, sy_tcb *c)
{
	struct econn *ec = ctx;

	(void)c;
	if (ec->eof)
		tapp_done(&ec->e->app, &ec->k, tapp_now(&ec->e->app));
}

static void on_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct econn *ec = ctx;

	if (tapp_event(&ec->e->app, &ec->k, from, to, cause)) {
		free(ec);
		return;
	}
	if (from != to && to == SY_TCP_CLOSE_WAIT) {
		ec->eof = true;
		if (sy_tcp_unacked(c) == 0)
			tapp_done(&ec->e->app, &ec->k, tapp_now(&ec->e->app));
		sy_tcp_close(c);
	}
}

static const sy_tcp_cb callbacks = {
	.data = on_data,
	.sent = on_sent,
	.event = on_event,
};

static void on_accept(void *ctx, sy_tcb *c)
{
	struct echo *e = ctx;
	struct econn *ec = calloc(1, sizeof *ec);

	if (!ec) {
		sy_tcp_abort(c);
		return;
	}
	ec->e = e;
	tapp_add(&e->app, &ec->k, c, &callbacks, ec);
	tapp_set_bufs(c, 0, 0, e->nagle, 1, NULL);
}

static int echo_start(void *st, const sy_app_ctx *ctx, sy_err *err)
{
	struct echo *e = st;

	if (tapp_init(&e->app, ctx, err) < 0)
		return -1;
	e->l = sy_tcp_listen(e->app.ep, (uint16_t)e->port, (int)e->backlog,
			     SY_SYNCOOKIES_ON_OVERFLOW, err);
	if (!e->l)
		return -1;
	sy_tcp_listener_on_accept(e->l, on_accept, e);
	return 0;
}

static void echo_fini(void *st)
{
	tapp_fini(&((struct echo *)st)->app);
}

static sy_app_stats echo_stats(const void *st)
{
	return tapp_stats(&((const struct echo *)st)->app);
}

static const sy_app_ops ops = {
	SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops),
	.start = echo_start,
	.stats = echo_stats,
};

static const sy_param params[] = {
	{ .name = "port", .type = SY_PT_INT, .offset = offsetof(struct echo, port),
	  .def = "7", .min = "1", .max = "65535", .doc = "the port to listen on" },
	{ .name = "backlog", .type = SY_PT_INT, .offset = offsetof(struct echo, backlog),
	  .def = "128", .min = "1", .max = "1000000", .doc = "connections in SYN_RECEIVED, at most" },
	{ .name = "nagle", .type = SY_PT_BOOL, .offset = offsetof(struct echo, nagle),
	  .def = "true", .doc = "Nagle's algorithm (RFC 896) for the echoed bytes" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "app",
	.name = "echo",
	.summary = "listens and sends back every byte it receives (RFC 862)",
	.state_size = sizeof(struct echo),
	.params = params,
	.fini = echo_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
