/* A sink: listens on `port` and reads whatever its connections bring, and
 * closes each one once it has read everything up to the peer's FIN.
 *
 * With read_rate = 0 it reads every byte on arrival.  Otherwise it reads
 * like a slow application: every read_interval it takes read_rate x
 * read_interval worth of bytes from the receive buffer (what it cannot
 * take because the buffer is empty is lost, as for a reader that waits),
 * so a sender faster than that fills the buffer and meets a zero window.
 * The buffer is rcvbuf bytes (0: the endpoint's); it should hold more than
 * one interval's reading, or the reader runs below its rate.  The buffer
 * is set when the connection is accepted: the window of the handshake is
 * the endpoint's (at most 64 KiB, unscaled).
 *
 * Statistics: bytes_received counts the bytes delivered; a connection is
 * complete when its last byte has been read (for an immediate reader,
 * when it arrived) and the peer has closed; start is the first accept. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "tcpapp.h"

struct sink {
	int64_t port;         /* parameter */
	int64_t backlog;      /* parameter */
	int64_t read_rate;    /* parameter: bit/s, 0 = at once */
	sy_time read_interval;/* parameter */
	int64_t rcvbuf;       /* parameter: 0 = the endpoint's */
	struct tapp app;
	sy_tcp_listener *l;
};

struct sconn {
	struct tapp_conn k;   /* first: the list's record */
	struct sink *s;
	sy_event_id tick;
	double carry;         /* fraction of a byte the reader may still take */
	bool eof;             /* the peer has closed */
	sy_time last;         /* the last byte was read (or arrived) then */
};

/* Everything is read and the peer has closed: complete, and close. */
static void finish(struct sconn *sc)
{
	struct tapp *a = &sc->s->app;

	sy_sim_cancel(a->ctx.sim, sc->tick);
	tapp_done(a, &sc->k, sc->last >= 0 ? sc->last : tapp_now(a));
	sy_tcp_close(sc->k.c);
}

static void tick(sy_sim *sim, void *arg, uint64_t data)
{
	struct sconn *sc = arg;
	struct sink *s = sc->s;
	sy_tcb *c = sc->k.c;
	double allow = (double)s->read_rate * (double)s->read_interval / 8e9 + sc->carry;
	uint32_t want = allow >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)allow;

	(void)data;
	sc->carry = want == UINT32_MAX ? 0 : allow - (double)want;
	if (!c || sy_tcb_state(c) == SY_TCP_CLOSED)
		return;
	if (sy_tcp_consume(c, want) > 0)
		sc->last = sy_sim_now(sim);
	if (sc->eof && sy_tcp_unread(c) == 0) {
		finish(sc);
		return;
	}
	if (sy_sim_after(sim, s->read_interval, tick, sc, 0, &sc->tick, NULL) < 0)
		sy_sim_fail(sim, "app/sink: out of memory scheduling a read");
}

static void on_data(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes)
{
	struct sconn *sc = ctx;

	(void)bytes;
	(void)n;
	if (sy_tcp_autoread(c))
		sc->last = tapp_now(&sc->s->app);
}

static void on_event(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct sconn *sc = ctx;
	struct sink *s = sc->s;

	if (tapp_event(&s->app, &sc->k, from, to, cause)) {
		sy_sim_cancel(s->app.ctx.sim, sc->tick);
		free(sc);
		return;
	}
	if (from == to)
		return;
	if (to == SY_TCP_CLOSE_WAIT) {
		sc->eof = true;
		if (sy_tcp_autoread(c) || sy_tcp_unread(c) == 0)
			finish(sc);
	} else if (to == SY_TCP_CLOSED) {
		sy_sim_cancel(s->app.ctx.sim, sc->tick);
	}
}

static const sy_tcp_cb callbacks = {
	.data = on_data,
	.event = on_event,
};

static void on_accept(void *ctx, sy_tcb *c)
{
	struct sink *s = ctx;
	struct sconn *sc = calloc(1, sizeof *sc);

	if (!sc) {
		sy_tcp_abort(c);
		return;
	}
	sc->s = s;
	sc->tick = SY_EVENT_NONE;
	sc->last = -1;
	tapp_add(&s->app, &sc->k, c, &callbacks, sc);
	tapp_set_bufs(c, 0, s->rcvbuf, -1, s->read_rate > 0 ? 0 : 1, NULL);
	if (s->read_rate > 0 &&
	    sy_sim_after(s->app.ctx.sim, s->read_interval, tick, sc, 0, &sc->tick, NULL) < 0)
		sy_sim_fail(s->app.ctx.sim, "app/sink: out of memory scheduling a read");
}

static int sink_start(void *st, const sy_app_ctx *ctx, sy_err *err)
{
	struct sink *s = st;

	if (tapp_init(&s->app, ctx, err) < 0)
		return -1;
	s->l = sy_tcp_listen(s->app.ep, (uint16_t)s->port, (int)s->backlog,
			     SY_SYNCOOKIES_ON_OVERFLOW, err);
	if (!s->l)
		return -1;
	sy_tcp_listener_on_accept(s->l, on_accept, s);
	return 0;
}

static void sink_fini(void *st)
{
	tapp_fini(&((struct sink *)st)->app);
}

static sy_app_stats sink_stats(const void *st)
{
	return tapp_stats(&((const struct sink *)st)->app);
}

static const sy_app_ops ops = {
	SY_OPS_HEAD(SY_APP_OPS_VERSION, sy_app_ops),
	.start = sink_start,
	.stats = sink_stats,
};

static const sy_param params[] = {
	{ .name = "port", .type = SY_PT_INT, .offset = offsetof(struct sink, port),
	  .def = "5001", .min = "1", .max = "65535", .doc = "the port to listen on" },
	{ .name = "backlog", .type = SY_PT_INT, .offset = offsetof(struct sink, backlog),
	  .def = "128", .min = "1", .max = "1000000", .doc = "connections in SYN_RECEIVED, at most" },
	{ .name = "read_rate", .type = SY_PT_RATE, .offset = offsetof(struct sink, read_rate),
	  .def = "0bps", .min = "0bps", .doc = "how fast the application reads; 0: every byte on arrival" },
	{ .name = "read_interval", .type = SY_PT_DURATION, .offset = offsetof(struct sink, read_interval),
	  .def = "100ms", .min = "1us", .max = "1000s", .doc = "with read_rate: time between reads" },
	{ .name = "rcvbuf", .type = SY_PT_SIZE, .offset = offsetof(struct sink, rcvbuf),
	  .def = "0B", .min = "0B", .max = "1GiB", .doc = "receive buffer; 0: the endpoint's" },
	{ .name = NULL },
};

static const sy_plugin desc = {
	.abi = SY_PLUGIN_ABI,
	.kind = "app",
	.name = "sink",
	.summary = "listens and reads everything, at once or at a given rate",
	.state_size = sizeof(struct sink),
	.params = params,
	.fini = sink_fini,
	.ops = &ops,
};

SY_PLUGIN_EXPORT(desc)
