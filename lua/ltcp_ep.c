/* Lua binding of TCP endpoints: node:tcp{...}, the endpoint and
 * listener classes, and state logs.  Connections are in ltcp.c,
 * applications (node:app) in lapp.c. */
#define _GNU_SOURCE /* fopencookie: state logs that keep their write errors */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "tcp.h"
#include "tcp_sm.h"
#include "tw.h"
#include "units.h"

#define MT_TCP "synack.tcp"
#define MT_LISTENER "synack.listener"

static sy_tcp_ep *check_ep(lua_State *L, int idx, struct sy_lua_sim **ls)
{
	return sy_lua_check_box(L, idx, MT_TCP, "endpoint", ls);
}

/* The binding state of the endpoint whose box is at idx. */
static struct sy_lua_ep *ep_state(lua_State *L, int idx)
{
	struct sy_lua_ep *e;

	lua_getiuservalue(L, idx, 2);
	lua_getfield(L, -1, "lep");
	e = lua_touserdata(L, -1);
	lua_pop(L, 2);
	return e;
}

/* A closed listener's box keeps its object but no pointer. */
static sy_tcp_listener *check_listener(lua_State *L, int idx)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, idx, MT_LISTENER, NULL);

	if (!b->ptr)
		luaL_error(L, "the listener is closed");
	return b->ptr;
}

/* node:tcp{rcvbuf=}: the state machine's receive buffer, so that every
 * connection has it from its first segment, a listener's before it is
 * accepted too (conn:set changes one connection, later). */
static void ep_rcvbuf(lua_State *L, int idx, sy_instance *sm)
{
	sy_value v = { .type = SY_V_INT };
	sy_err err;
	int rc;

	if (lua_getfield(L, idx, "rcvbuf") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	rc = sy_lua_to_quantity(L, -1, sy_parse_size, sy_size_from_number, &v.u.i, &err);
	if (rc == -2)
		luaL_error(L, "tcp: option 'rcvbuf' must be a size (bytes, or a string such as \"128KiB\")");
	if (rc < 0)
		luaL_error(L, "tcp: option 'rcvbuf': %s", err.msg);
	if (v.u.i < 1 || v.u.i > (1 << 30))
		luaL_error(L, "tcp: option 'rcvbuf' must be between 1 byte and 1 GiB");
	if (sy_instance_set(sm, "rcvbuf", &v, "tcp{rcvbuf}", &err) < 0)
		luaL_error(L, "tcp: option 'rcvbuf': %s", err.msg);
	lua_pop(L, 1);
}

/* Instances for the endpoint from the options table at idx. */
static void ep_options(lua_State *L, int idx, struct sy_lua_ctx *c, sy_tcp_ep_opts *o)
{
	static const char *const known[] = { "state_machine", "isn", "timers", "cc", "rcvbuf", NULL };

	if (lua_isnoneornil(L, idx)) {
		/* every plugin as synack.conf says */
		lua_newtable(L);
		lua_replace(L, idx);
	}
	luaL_checktype(L, idx, LUA_TTABLE);
	sy_lua_check_options(L, idx, "tcp", known);
	lua_getfield(L, idx, "state_machine");
	sy_lua_instance(L, c, "tcp", lua_gettop(L), "rfc9293", &o->sm);
	ep_rcvbuf(L, idx, &o->sm);
	lua_getfield(L, idx, "isn");
	sy_lua_instance(L, c, "isn", lua_gettop(L), "rfc6528", &o->isn);
	lua_getfield(L, idx, "timers");
	sy_lua_instance(L, c, "timers", lua_gettop(L), "rfc", &o->timers);
	lua_getfield(L, idx, "cc");
	sy_lua_instance(L, c, "cc", lua_gettop(L), "newreno", &o->cc);
	lua_pop(L, 4);
}

static int opts_gc(lua_State *L)
{
	sy_tcp_ep_opts *o = lua_touserdata(L, 1);

	sy_instance_free(&o->sm);
	sy_instance_free(&o->isn);
	sy_instance_free(&o->timers);
	sy_instance_free(&o->cc);
	return 0;
}

/* Gives the endpoint's box (on top) its handler table and the endpoint
 * its observers, which report to the binding state e (at e_idx). */
static int bind_ep(lua_State *L, int e_idx, sy_tcp_ep *ep, struct sy_lua_ep *e)
{
	lua_createtable(L, 2, 1);
	lua_newtable(L);
	lua_rawseti(L, -2, 1);       /* accept handlers by port */
	lua_pushvalue(L, e_idx);
	lua_setfield(L, -2, "lep");  /* keeps e alive */
	lua_setiuservalue(L, -2, 2);
	lua_pushvalue(L, -1);
	e->box_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	sy_lua_tcp_observe(ep, e);
	return 1;
}

/* node:tcp{state_machine=, isn=, timers=, cc=, rcvbuf=}: the node's TCP endpoint,
 * created on first use (with these plugins; each defaults to synack.conf's
 * choice).  Options on a later call are an error. */
static int node_tcp(lua_State *L)
{
	sy_node *n = sy_lua_check_node(L, 1, NULL);
	struct sy_lua_sim *ls = sy_lua_obj_sim(L, 1);
	sy_tcp_ep *ep = sy_tcp_ep_of(n);
	struct sy_lua_ctx *c;
	sy_tcp_ep_opts *o;
	struct sy_lua_ep *e;
	sy_err err;

	lua_settop(L, 2);
	lua_getiuservalue(L, 1, 1); /* 3: the simulator */
	if (ep) {
		if (!lua_isnil(L, 2))
			return luaL_error(L, "tcp: node '%s' has its endpoint already; options go to the first call",
					  sy_node_name(n));
		sy_lua_push_box(L, 3, ep, MT_TCP);
		if (lua_getiuservalue(L, -1, 2) == LUA_TTABLE) {
			lua_pop(L, 1);
			return 1;
		}
		/* made by an application: bind it now */
		lua_pop(L, 1);
		e = lua_newuserdatauv(L, sizeof *e, 0);
		memset(e, 0, sizeof *e);
		e->ls = ls;
		e->weak_ref = LUA_NOREF;
		lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
		e->Lmain = lua_tothread(L, -1);
		lua_pop(L, 1);
		e->want = 0;
		lua_insert(L, -2);
		return bind_ep(L, lua_gettop(L) - 1, ep, e);
	}
	if (sy_node_proto_ctx(n, SY_IPPROTO_TCP, sy_lua_hook_input))
		return luaL_error(L, "tcp: node '%s' has an on_receive hook for TCP", sy_node_name(n));
	lua_getiuservalue(L, 3, 2);
	c = lua_touserdata(L, -1);
	lua_pop(L, 1);
	o = lua_newuserdatauv(L, sizeof *o, 0); /* 4: freed by __gc on error */
	memset(o, 0, sizeof *o);
	lua_newtable(L);
	lua_pushcfunction(L, opts_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	ep_options(L, 2, c, o);
	e = lua_newuserdatauv(L, sizeof *e, 0); /* 5: kept alive by the box */
	memset(e, 0, sizeof *e);
	e->ls = ls;
	e->weak_ref = LUA_NOREF;
	e->box_ref = LUA_NOREF;
	e->want = 0;
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
	e->Lmain = lua_tothread(L, -1);
	lua_pop(L, 1);
	ep = sy_tcp_ep_new(sy_lua_net_of(L, ls), n, o, &err);
	if (!ep)
		return luaL_error(L, "%s", err.msg);
	sy_lua_push_box(L, 3, ep, MT_TCP);
	return bind_ep(L, 5, ep, e);
}

static int ep_stats(lua_State *L)
{
	sy_tcp_ep *ep = check_ep(L, 1, NULL);
	const sy_tcp_ep_stats *s = sy_tcp_ep_stats_get(ep);
	size_t tw_n, tw_bytes;

	sy_tcp_ep_tw_usage(ep, &tw_n, &tw_bytes);
	lua_createtable(L, 0, 10);
	sy_lua_set_int(L, "segments_in", s->segments_in);
	sy_lua_set_int(L, "segments_out", s->segments_out);
	sy_lua_set_int(L, "bad_options", s->bad_options);
	sy_lua_set_int(L, "bad_segments", s->bad_segments);
	sy_lua_set_int(L, "no_socket", s->no_socket);
	sy_lua_set_int(L, "rst_out", s->rst_out);
	sy_lua_set_int(L, "rst_in", s->rst_in);
	/* TIME_WAIT records: compact ones (and their bytes), full ones */
	sy_lua_set_int(L, "tw_compact", tw_n);
	sy_lua_set_int(L, "tw_compact_bytes", tw_bytes);
	sy_lua_set_int(L, "tw_full", sy_tcp_ep_tw_full(ep));
	return 1;
}

/* ep:listen(port, {backlog = N, syncookies = "off" | "on_overflow" |
 * "always"}, function(conn) ... end); cookies default to on_overflow, as
 * in Linux. */
static int ep_listen(lua_State *L)
{
	static const char *const known[] = { "backlog", "syncookies", "accept", "accept_backlog", NULL };
	static const char *const modes[] = { "off", "on_overflow", "always", NULL };
	sy_syncookies cookies = SY_SYNCOOKIES_ON_OVERFLOW;
	sy_tcp_ep *ep = check_ep(L, 1, NULL);
	lua_Integer port = luaL_checkinteger(L, 2);
	lua_Integer backlog = 128, accept_backlog = 0;
	bool manual = false;
	sy_tcp_listener *l;
	int fn = 3;
	sy_err err;

	luaL_argcheck(L, port > 0 && port <= 65535, 2, "port must be between 1 and 65535");
	if (lua_istable(L, 3)) {
		sy_lua_check_options(L, 3, "listen", known);
		lua_getfield(L, 3, "backlog");
		backlog = luaL_optinteger(L, -1, 128);
		lua_pop(L, 1);
		lua_getfield(L, 3, "syncookies");
		if (!lua_isnil(L, -1)) {
			const char *m = lua_type(L, -1) == LUA_TSTRING ?
				sy_lua_check_string(L, -1, "listen: syncookies") : NULL;
			int i;

			for (i = 0; modes[i] && (!m || strcmp(m, modes[i]) != 0); i++)
				;
			if (!modes[i])
				return luaL_error(L, "listen: syncookies must be \"off\", \"on_overflow\" or \"always\", got %s",
						  m ? m : luaL_typename(L, -1));
			cookies = (sy_syncookies)i;
		}
		lua_pop(L, 1);
		lua_getfield(L, 3, "accept");
		if (!lua_isnil(L, -1)) {
			const char *m = lua_type(L, -1) == LUA_TSTRING ?
				sy_lua_check_string(L, -1, "listen: accept") : NULL;

			if (!m || (strcmp(m, "auto") != 0 && strcmp(m, "manual") != 0))
				return luaL_error(L, "listen: accept must be \"auto\" or \"manual\", got %s",
						  m ? m : luaL_typename(L, -1));
			manual = strcmp(m, "manual") == 0;
		}
		lua_pop(L, 1);
		lua_getfield(L, 3, "accept_backlog");
		accept_backlog = luaL_optinteger(L, -1, 0);
		lua_pop(L, 1);
		if (accept_backlog < 0 || accept_backlog > 1000000)
			return luaL_error(L, "listen: accept_backlog must be between 1 and 1000000");
		fn = 4;
	}
	luaL_argcheck(L, backlog >= 1 && backlog <= 1000000, 3, "backlog must be between 1 and 1000000");
	if (!lua_isnoneornil(L, fn))
		luaL_checktype(L, fn, LUA_TFUNCTION);
	if (manual && !lua_isnoneornil(L, fn))
		return luaL_error(L, "listen: with accept = \"manual\" there is no accept handler: call listener:accept()");
	if (!(l = sy_tcp_listen(ep, (uint16_t)port, (int)backlog, cookies, &err)))
		return luaL_error(L, "%s", err.msg);
	if (manual || accept_backlog)
		sy_tcp_listener_set_manual(l, manual, (int)accept_backlog);
	if (!lua_isnoneornil(L, fn)) {
		lua_getiuservalue(L, 1, 2);
		lua_rawgeti(L, -1, 1);
		lua_pushvalue(L, fn);
		lua_rawseti(L, -2, port);
		ep_state(L, 1)->want |= SY_LEP_ACCEPT;
	}
	lua_getiuservalue(L, 1, 1);
	sy_lua_push_box(L, -1, l, MT_LISTENER);
	/* the endpoint, for close to find the accept handlers */
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 2);
	return 1;
}

/* listener:stats(): connections waiting in SYN_RECEIVED, SYNs dropped
 * because the backlog was full, and SYN cookies. */
static int listener_stats(lua_State *L)
{
	sy_tcp_listener_stats st = sy_tcp_listener_stats_get(check_listener(L, 1));

	lua_createtable(L, 0, 5);
	sy_lua_set_int(L, "syn_received", (uint64_t)st.syn_received);
	sy_lua_set_int(L, "syn_queue_drops", st.syn_queue_drops);
	sy_lua_set_int(L, "cookies_sent", st.cookies_sent);
	sy_lua_set_int(L, "cookies_accepted", st.cookies_accepted);
	sy_lua_set_int(L, "cookies_rejected", st.cookies_rejected);
	sy_lua_set_int(L, "accept_queue", (uint64_t)st.accept_queue);
	sy_lua_set_int(L, "accept_queue_drops", st.accept_queue_drops);
	return 1;
}

/* listener:accept(): with accept = "manual", the next established
 * connection waiting in the accept queue, or nil. */
static int listener_accept(lua_State *L)
{
	sy_tcb *c = sy_tcp_accept(check_listener(L, 1));

	if (!c) {
		lua_pushnil(L);
		return 1;
	}
	lua_getiuservalue(L, 1, 1);
	sy_lua_push_conn(L, -1, c);
	return 1;
}

/* listener:close(): as close(2) of a listening socket (see
 * sy_tcp_listener_close); the port may be listened on again, and the
 * listener's methods raise afterwards. */
static int listener_close(lua_State *L)
{
	sy_tcp_listener *l = check_listener(L, 1);
	struct sy_lua_box *b = lua_touserdata(L, 1);
	lua_Integer port = sy_tcp_listener_port(l);

	/* the accept handler goes with the port: a later listen's is its own */
	lua_getiuservalue(L, 1, 2);
	lua_getiuservalue(L, -1, 2);
	lua_rawgeti(L, -1, 1);
	lua_pushnil(L);
	lua_rawseti(L, -2, port);
	/* and the box with the pointer: another listener may get the address */
	lua_getiuservalue(L, 1, 1);
	lua_getiuservalue(L, -1, 3);
	lua_pushnil(L);
	lua_rawsetp(L, -2, l);
	b->ptr = NULL;
	sy_tcp_listener_close(l);
	return 0;
}

/* Misuse that would otherwise be a bare "attempt to call a nil value". */
static int listener_misuse(lua_State *L)
{
	return luaL_error(L, "a listener does not send or receive: use the connection its accept handler is given");
}

static const luaL_Reg listener_methods[] = {
	{ "close", listener_close },
	{ "stats", listener_stats },
	{ "accept", listener_accept },
	{ "send", listener_misuse },
	{ "read", listener_misuse },
	{ "shutdown", listener_misuse },
	{ NULL, NULL },
};

/* ep:on_state(function(conn, from, to, cause) ... end): every state
 * change of every connection of the endpoint. */
static int ep_on_state(lua_State *L)
{
	check_ep(L, 1, NULL);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_getiuservalue(L, 1, 2);
	lua_pushvalue(L, 2);
	lua_rawseti(L, -2, 2);
	ep_state(L, 1)->want |= SY_LEP_STATE;
	return 0;
}

/* connect's options: the connection's box at 1, the options at 2, the
 * connection at 3. */
static int connect_options(lua_State *L)
{
	sy_lua_conn_options(L, 2, lua_touserdata(L, 3), "connect");
	return 0;
}

/* ep:connect(node_or_address, port [, options]) -> conn; options as
 * conn:set. */
static int ep_connect(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_tcp_ep *ep = check_ep(L, 1, &ls);
	lua_Integer port = luaL_checkinteger(L, 3);
	uint32_t addr;
	sy_tcb *c;
	sy_err err;

	luaL_argcheck(L, port > 0 && port <= 65535, 3, "port must be between 1 and 65535");
	if (lua_type(L, 2) == LUA_TSTRING) {
		if (sy_ipv4_parse(sy_lua_check_string(L, 2, NULL), &addr) < 0)
			return luaL_argerror(L, 2, "not an IPv4 address");
	} else {
		sy_node *n = sy_lua_check_node(L, 2, ls);

		if (!sy_node_ifaces(n))
			return luaL_argerror(L, 2, "the node has no link");
		addr = sy_node_addr(n, 0);
	}
	bool opts = !lua_isnoneornil(L, 4);
	lua_Integer lport = 0;

	if (opts)
		luaL_checktype(L, 4, LUA_TTABLE);
	lua_settop(L, 4);
	if (opts && lua_getfield(L, 4, "lport") != LUA_TNIL) {
		/* the local port (port reuse); the other options as conn:set */
		if (!lua_isinteger(L, -1) || (lport = lua_tointeger(L, -1)) < 1 || lport > 65535)
			return luaL_error(L, "connect: option 'lport' must be a port (1 to 65535)");
		lua_newtable(L);
		lua_pushnil(L);
		while (lua_next(L, 4)) {
			if (lua_type(L, -2) == LUA_TSTRING && lua_rawlen(L, -2) == 5 &&
			    strcmp(lua_tostring(L, -2), "lport") == 0) {
				lua_pop(L, 1);
				continue;
			}
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, -4);
		}
		lua_replace(L, 4);
	}
	lua_settop(L, 4);
	c = sy_tcp_connect_prepare(ep, (uint16_t)lport, addr, (uint16_t)port, &err);
	if (!c)
		return luaL_error(L, "%s", err.msg);
	lua_getiuservalue(L, 1, 1);
	sy_lua_push_conn(L, -1, c);
	lua_replace(L, 1);
	if (opts) {
		/* before the SYN, which carries some of them (mss, rcvbuf);
		 * the connection opens even when one is refused */
		int rc;

		lua_pushcfunction(L, connect_options);
		lua_pushvalue(L, 1);
		lua_pushvalue(L, 4);
		lua_pushlightuserdata(L, c);
		rc = lua_pcall(L, 3, 0, 0);
		sy_tcp_connect_open(c);
		if (rc != LUA_OK)
			return lua_error(L);
	} else {
		sy_tcp_connect_open(c);
	}
	lua_settop(L, 1);
	return 1;
}

/* A state log: a stream the endpoint writes to during the run, whose
 * writes are all checked (the first failure is kept, with its reason),
 * so that a full disk fails the run (sim:run checks the logs when it
 * ends) and sim:close, never silently. */
struct sy_lua_log {
	struct sy_lua_log *next;
	FILE *f;
	int fd;
	int err;       /* errno of the first failed write or close, 0 if none */
	bool reported; /* the failure was raised already */
	char path[];
};

static ssize_t log_write(void *cookie, const char *buf, size_t n)
{
	struct sy_lua_log *g = cookie;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(g->fd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!g->err)
				g->err = w < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

static int log_close(void *cookie)
{
	struct sy_lua_log *g = cookie;

	if (close(g->fd) < 0 && !g->err)
		g->err = errno;
	return g->err ? -1 : 0;
}

int sy_lua_logs_check(struct sy_lua_sim *ls, bool close, sy_err *err)
{
	struct sy_lua_log *g, *next;
	int rc = 0;

	for (g = ls->logs; g; g = next) {
		next = g->next;
		if (fflush(g->f) != 0 && !g->err)
			g->err = errno ? errno : EIO;
		if (close) {
			if (fclose(g->f) != 0 && !g->err)
				g->err = EIO;
		}
		if (g->err && !g->reported && rc == 0) {
			rc = sy_err_set(err, "state_log: cannot write %s: %s", g->path,
					strerror(g->err));
			g->reported = true;
		}
		if (close)
			free(g);
	}
	if (close)
		ls->logs = NULL;
	return rc;
}

/* ep:state_log(path): every state change of the endpoint's connections,
 * one line each (TIME LOCAL REMOTE FROM TO CAUSE); the file is the
 * endpoint's until the simulator closes. */
static int ep_state_log(lua_State *L)
{
	static const cookie_io_functions_t io = { .write = log_write, .close = log_close };
	struct sy_lua_sim *ls;
	sy_tcp_ep *ep = check_ep(L, 1, &ls);
	const char *path = sy_lua_check_string(L, 2, NULL);
	struct sy_lua_log *g = malloc(sizeof *g + strlen(path) + 1);

	if (!g)
		return luaL_error(L, "state_log: out of memory");
	memset(g, 0, sizeof *g);
	strcpy(g->path, path);
	g->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (g->fd < 0) {
		int e = errno;

		free(g);
		return luaL_error(L, "state_log: cannot write %s: %s", path, strerror(e));
	}
	if (!(g->f = fopencookie(g, "w", io))) {
		close(g->fd);
		free(g);
		return luaL_error(L, "state_log: out of memory");
	}
	setvbuf(g->f, NULL, _IOLBF, 0); /* readable while the run goes on */
	g->next = ls->logs;
	ls->logs = g;
	sy_tcp_ep_state_log(ep, g->f);
	return 0;
}

/* The remote address at idx: "a.b.c.d" or a node (its first address). */
static uint32_t check_raddr(lua_State *L, int idx, struct sy_lua_sim *ls)
{
	uint32_t addr;
	sy_node *n;

	if (lua_type(L, idx) == LUA_TSTRING) {
		if (sy_ipv4_parse(sy_lua_check_string(L, idx, NULL), &addr) < 0)
			return (uint32_t)luaL_argerror(L, idx, "not an IPv4 address");
		return addr;
	}
	n = sy_lua_check_node(L, idx, ls);
	if (!sy_node_ifaces(n))
		return (uint32_t)luaL_argerror(L, idx, "the node has no link");
	return sy_node_addr(n, 0);
}

/* ep:connections(): the endpoint's connections (those still waiting for
 * a listener's accept left out) in the order they were made. */
static int ep_connections(lua_State *L)
{
	sy_tcp_ep *ep = check_ep(L, 1, NULL);
	size_t n = sy_tcp_ep_connections(ep, NULL, 0), k = 0;
	sy_tcb **all;

	lua_createtable(L, n < INT_MAX ? (int)n : 0, 0);
	if (!n)
		return 1;
	all = lua_newuserdatauv(L, n * sizeof *all, 0);
	sy_tcp_ep_connections(ep, all, n);
	lua_getiuservalue(L, 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (sy_tcb_passive(all[i]))
			continue;
		sy_lua_push_conn(L, -1, all[i]);
		lua_rawseti(L, -4, (lua_Integer)++k);
	}
	lua_pop(L, 2);
	return 1;
}

/* ep:connection(local_port, remote_addr, remote_port): the connection of
 * that 4-tuple, or nil (also while it waits for a listener's accept). */
static int ep_connection(lua_State *L)
{
	struct sy_lua_sim *ls;
	sy_tcp_ep *ep = check_ep(L, 1, &ls);
	lua_Integer lport = luaL_checkinteger(L, 2), rport = luaL_checkinteger(L, 4);
	uint32_t raddr = check_raddr(L, 3, ls);
	sy_tcb *c;

	luaL_argcheck(L, lport > 0 && lport <= 65535, 2, "port must be between 1 and 65535");
	luaL_argcheck(L, rport > 0 && rport <= 65535, 4, "port must be between 1 and 65535");
	c = sy_tcp_find(ep, (uint16_t)lport, raddr, (uint16_t)rport);
	if (!c || sy_tcb_passive(c)) {
		lua_pushnil(L);
		return 1;
	}
	lua_getiuservalue(L, 1, 1);
	sy_lua_push_conn(L, -1, c);
	return 1;
}

static const luaL_Reg ep_methods[] = {
	{ "connections", ep_connections },
	{ "connection", ep_connection },
	{ "state_log", ep_state_log },
	{ "stats", ep_stats },
	{ "listen", ep_listen },
	{ "connect", ep_connect },
	{ "on_state", ep_on_state },
	{ NULL, NULL },
};


void sy_lua_open_tcp_ep(lua_State *L)
{
	sy_lua_new_class(L, MT_TCP, ep_methods, NULL, NULL);
	sy_lua_new_class(L, MT_LISTENER, listener_methods, NULL, NULL);
	luaL_getmetatable(L, SY_MT_NODE);
	lua_getfield(L, -1, "__index");
	lua_pushcfunction(L, node_tcp);
	lua_setfield(L, -2, "tcp");
	lua_pop(L, 2);
	sy_lua_open_apps(L);
}
