/* Lua binding: the socket calls of a connection (conn:read, conn:close,
 * conn:shutdown, conn:poll), its socket options in conn:set, and its
 * errors (conn.error, and the report of an error nobody watches). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "tcb.h"
#include "tcp.h"
#include "units.h"

static const char *const error_names[] = {
	[SY_LERR_REFUSED] = "refused",
	[SY_LERR_RESET] = "reset",
	[SY_LERR_TIMEOUT] = "timeout",
};

const char *sy_lua_conn_error_name(const struct sy_lua_conn *b)
{
	return b->error ? error_names[b->error] : NULL;
}

void sy_lua_conn_error(struct sy_lua_ep *e, sy_tcb *c, struct sy_lua_conn *b,
		       sy_tcp_cause cause)
{
	static const char *const said[] = {
		[SY_LERR_REFUSED] = "refused",
		[SY_LERR_RESET] = "reset",
		[SY_LERR_TIMEOUT] = "timed out",
	};
	const unsigned watch = 1u << SY_LEV_STATE | 1u << SY_LEV_CLOSED |
			       1u << SY_LEV_RESET | 1u << SY_LEV_ERROR;
	int err = cause == SY_TCP_CAUSE_REFUSED ? SY_LERR_REFUSED :
		  cause == SY_TCP_CAUSE_RESET ? SY_LERR_RESET :
		  cause == SY_TCP_CAUSE_TIMEOUT ? SY_LERR_TIMEOUT : SY_LERR_NONE;
	char la[16], ra[16];
	sy_time now;

	if (!err)
		return;
	if (b) {
		if (b->error)
			return;  /* reported once */
		b->error = (uint8_t)err;
	}
	/* never silent for a connection the script holds: unless one of its
	 * handlers sees the end, or it let go of the connection (close) */
	if (!b || (b->want & watch) || (e->want & SY_LEP_STATE) || c->orphan || !e->ls->sim)
		return;
	sy_ipv4_format(c->laddr, la);
	sy_ipv4_format(c->raddr, ra);
	now = sy_sim_now(e->ls->sim);
	fprintf(stderr, "synack: %lld.%06llds: connection %s:%u -> %s:%u %s\n",
		(long long)(now / SY_SEC), (long long)(now % SY_SEC / 1000), la,
		(unsigned)c->lport, ra, (unsigned)c->rport, said[err]);
}

/* The connection of the box at 1, or NULL once it is gone or closed. */
static sy_tcb *live_conn(lua_State *L, struct sy_lua_conn **b)
{
	sy_tcb *c;

	*b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);
	c = (*b)->ptr;
	return c && c->state != SY_TCP_CLOSED ? c : NULL;
}

/* A connection's user keeps what it received until it reads it, as a
 * socket does: when the connection ends (a reset, a timeout, the end of
 * TIME_WAIT) its unread bytes stay readable, and then the read reports
 * the error or the end of the stream.  The record goes soon after, so
 * what is unread then moves to the box's snapshot: a list of runs, each
 * a string of real bytes or a count of virtual ones, and in field "i" the
 * index of the first run not read.  Nothing is kept for a connection
 * that reads by itself or that its user closed. */
bool sy_lua_conn_has_unread(const sy_tcb *c)
{
	return !c->autoread && !c->orphan && c->rcv_unread;
}

void sy_lua_conn_keep_unread(lua_State *L, sy_tcb *c)
{
	int k = 0;

	if (!sy_lua_conn_has_unread(c))
		return;
	lua_createtable(L, 2, 1);
	while (c->rcv_unread) {
		bool real;
		uint32_t want = sy_tcp_readable(c, &real);

		if (!want)
			break;
		if (real) {
			luaL_Buffer buf;
			char *p = luaL_buffinitsize(L, &buf, want);

			luaL_pushresultsize(&buf, sy_tcp_recv(c, p, want, &real));
		} else {
			lua_pushinteger(L, sy_tcp_recv(c, NULL, want, &real));
		}
		lua_rawseti(L, -2, ++k);
	}
	lua_pushinteger(L, 1);
	lua_setfield(L, -2, "i");
	lua_rawseti(L, -2, 3);
}

/* conn:read of a connection gone with bytes unread (see above): pushes up
 * to n of them and returns 1, or returns 0 when none is left. */
static int read_kept(lua_State *L, lua_Integer n)
{
	lua_Integer i;
	int t;

	if (lua_getiuservalue(L, 1, 3) != LUA_TTABLE || lua_rawgeti(L, -1, 3) != LUA_TTABLE)
		return 0;
	t = lua_gettop(L);
	lua_getfield(L, t, "i");
	i = lua_tointeger(L, -1);
	lua_pop(L, 1);
	switch (lua_rawgeti(L, t, i)) {
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);

		if ((lua_Integer)len > n) {
			lua_pushlstring(L, s + n, len - (size_t)n);
			lua_rawseti(L, t, i);
			lua_pushlstring(L, s, (size_t)n);
			return 1;
		}
		break;
	}
	case LUA_TNUMBER: {
		lua_Integer v = lua_tointeger(L, -1);

		if (v > n) {
			lua_pushinteger(L, v - n);
			lua_rawseti(L, t, i);
			lua_pushinteger(L, n);
			return 1;
		}
		break;
	}
	default:
		return 0;
	}
	/* the whole run, which is on top */
	lua_pushinteger(L, i + 1);
	lua_setfield(L, t, "i");
	lua_pushnil(L);
	lua_rawseti(L, t, i);
	return 1;
}

/* conn:read([n]): up to n bytes (all without n) of what waits unread: a
 * string of real bytes or a count of virtual ones (the first run of
 * either); "" or 0 when nothing waits; nil, "eof" at the end of the
 * stream; nil and conn.error after a refusal, reset or timeout, once
 * what was received before it is read. */
int sy_lua_conn_read(lua_State *L)
{
	struct sy_lua_conn *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);
	sy_tcb *c = b->ptr;
	lua_Integer n = luaL_optinteger(L, 2, UINT32_MAX);
	uint32_t want, got;
	bool real;

	luaL_argcheck(L, n >= 0, 2, "a byte count cannot be negative");
	if (!c && read_kept(L, n))
		return 1;
	if (!c || sy_tcp_eof(c) || (c->state == SY_TCP_CLOSED && !c->rcv_unread)) {
		lua_pushnil(L);
		lua_pushstring(L, sy_lua_conn_error_name(b) ? sy_lua_conn_error_name(b) : "eof");
		return 2;
	}
	if (c->autoread)
		return luaL_error(L, "read: the connection reads by itself (set{autoread = false} first)");
	want = sy_tcp_readable(c, &real);
	if (want > n)
		want = (uint32_t)n;
	if (!want) {
		if (sy_tcp_got_real(c))
			lua_pushliteral(L, "");
		else
			lua_pushinteger(L, 0);
		return 1;
	}
	if (real) {
		luaL_Buffer buf;
		char *p = luaL_buffinitsize(L, &buf, want);

		got = sy_tcp_recv(c, p, want, &real);
		luaL_pushresultsize(&buf, got);
	} else {
		lua_pushinteger(L, sy_tcp_recv(c, NULL, want, &real));
	}
	return 1;
}

/* conn:close(): the socket's close (sy_tcp_close). */
int sy_lua_conn_close(lua_State *L)
{
	sy_tcp_close(sy_lua_check_box(L, 1, SY_MT_CONN, "connection", NULL));
	return 0;
}

/* conn:shutdown([how]): "write" (the default), "read" or "both". */
int sy_lua_conn_shutdown(lua_State *L)
{
	static const char *const hows[] = { "read", "write", "both", NULL };
	sy_tcb *c = sy_lua_check_box(L, 1, SY_MT_CONN, "connection", NULL);
	int how = sy_lua_check_option(L, 2, "write", hows) + 1;
	sy_err err;

	if (sy_tcp_shutdown(c, (sy_tcp_shut)how, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

static void set_bool(lua_State *L, const char *k, bool v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

/* conn:poll(): what Linux's poll would say of the socket.  readable:
 * unread bytes, the end of the stream, or an error; writable: shut for
 * writing (a write fails at once), or the send buffer's free space at
 * least half of what is queued in it (a third of it free when full);
 * rdhup: the peer's FIN received or shut for reading; hup: shut both
 * ways, or closed; err: conn.error is set.  Nothing but hup and err
 * before the connection is synchronized. */
int sy_lua_conn_poll(lua_State *L)
{
	struct sy_lua_conn *b;
	sy_tcb *c = live_conn(L, &b);
	bool rd, wr, err = b->error != SY_LERR_NONE;

	lua_createtable(L, 0, 5);
	if (!c) {
		set_bool(L, "readable", true);
		set_bool(L, "writable", true);
		set_bool(L, "rdhup", true);
		set_bool(L, "hup", true);
		set_bool(L, "err", err);
		return 1;
	}
	rd = c->shut_rd || c->fin_rcvd;
	wr = c->fin_pending;
	set_bool(L, "hup", rd && wr);
	set_bool(L, "err", err);
	if (!(c->caps & SY_TCP_CAP_SYNC)) {
		set_bool(L, "readable", false);
		set_bool(L, "writable", false);
		set_bool(L, "rdhup", false);
		return 1;
	}
	set_bool(L, "rdhup", rd);
	set_bool(L, "readable", rd || c->rcv_unread > 0);
	set_bool(L, "writable", wr || sy_tcp_send_space(c) >= sy_tcp_unacked(c) / 2);
	return 1;
}

/* A time option: seconds (a number) or a string with a unit. */
static sy_time opt_time(lua_State *L, int idx, const char *key, const char *fname)
{
	sy_err err;
	sy_time t;
	int rc;

	if (lua_isinteger(L, idx)) {
		lua_Integer s = lua_tointeger(L, idx);

		if (s < 0 || s > SY_TIME_NEVER / SY_SEC)
			luaL_error(L, "%s: option '%s' must be a time from 0 (seconds, or a string such as \"10s\")",
				   fname, key);
		return (sy_time)s * SY_SEC;
	}
	if (lua_type(L, idx) == LUA_TNUMBER)
		rc = sy_duration_from_seconds(lua_tonumber(L, idx), &t, &err);
	else if (lua_type(L, idx) == LUA_TSTRING)
		rc = sy_parse_duration(lua_tostring(L, idx), &t, &err);
	else
		return luaL_error(L, "%s: option '%s' must be a time (seconds, or a string such as \"10s\"), got %s",
				  fname, key, luaL_typename(L, idx));
	if (rc < 0)
		return luaL_error(L, "%s: option '%s': %s", fname, key, err.msg);
	return t;
}

static bool opt_bool(lua_State *L, int idx, const char *key, const char *fname)
{
	if (!lua_isboolean(L, idx))
		luaL_error(L, "%s: option '%s' must be a boolean, got %s", fname, key,
			   luaL_typename(L, idx));
	return lua_toboolean(L, idx);
}

/* user_timeout, keepalive, keepidle, keepintvl, keepcnt, cork, mss,
 * linger, syn_retries, ecn of the table at idx. */
void sy_lua_conn_sock_options(lua_State *L, int idx, sy_tcb *c, const char *fname)
{
	sy_tcp_sock_opts o;
	sy_err err;

	idx = lua_absindex(L, idx);
	sy_tcp_get_sock_opts(c, &o);
	if (lua_getfield(L, idx, "user_timeout") != LUA_TNIL)
		o.user_timeout = opt_time(L, -1, "user_timeout", fname);
	if (lua_getfield(L, idx, "keepalive") != LUA_TNIL)
		o.keepalive = opt_bool(L, -1, "keepalive", fname);
	if (lua_getfield(L, idx, "keepidle") != LUA_TNIL)
		o.keepidle = opt_time(L, -1, "keepidle", fname);
	if (lua_getfield(L, idx, "keepintvl") != LUA_TNIL)
		o.keepintvl = opt_time(L, -1, "keepintvl", fname);
	if (lua_getfield(L, idx, "keepcnt") != LUA_TNIL) {
		lua_Integer n = lua_tointeger(L, -1);

		if (!lua_isinteger(L, -1) || n < 1 || n > 1000000)
			luaL_error(L, "%s: option 'keepcnt' must be an integer count from 1 to 1000000", fname);
		o.keepcnt = n;
	}
	if (lua_getfield(L, idx, "cork") != LUA_TNIL)
		o.cork = opt_bool(L, -1, "cork", fname);
	if (lua_getfield(L, idx, "mss") != LUA_TNIL) {
		int64_t v;
		int rc = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1) ? (v = 0, 0) :
			 sy_lua_to_quantity(L, -1, sy_parse_size, sy_size_from_number, &v, &err);

		if (rc == -2)
			luaL_error(L, "%s: option 'mss' must be a size (bytes, or a string such as \"1000B\")", fname);
		if (rc < 0)
			luaL_error(L, "%s: option 'mss': %s", fname, err.msg);
		if (v != 0 && (v < 88 || v > 65495))
			luaL_error(L, "%s: option 'mss' must be between 88 and 65495 bytes (0 or false: none)", fname);
		o.mss = (uint32_t)v;
	}
	lua_pop(L, 7);
	lua_getfield(L, idx, "linger");
	if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		o.linger = -1;
	else if (!lua_isnil(L, -1))
		o.linger = opt_time(L, -1, "linger", fname);
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "syn_retries") != LUA_TNIL) {
		lua_Integer n = lua_tointeger(L, -1);

		if (!lua_isinteger(L, -1) || n < 1 || n > 127)
			luaL_error(L, "%s: option 'syn_retries' must be an integer count from 1 to 127", fname);
		o.syn_retries = n;
	}
	lua_pop(L, 1);
	if (lua_getfield(L, idx, "ecn") != LUA_TNIL) {
		static const char *const modes[] = { "off", "accept", "on" };
		const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
		int i = 0;

		while (i < 3 && strcmp(m, modes[i]) != 0)
			i++;
		if (i == 3)
			luaL_error(L, "%s: option 'ecn' must be \"off\", \"accept\" or \"on\"", fname);
		o.ecn = i; /* SY_TCP_ECN_OFF, _ACCEPT, _ON */
	}
	lua_pop(L, 1);
	if (sy_tcp_set_sock_opts(c, &o, &err) < 0)
		luaL_error(L, "%s: %s", fname, err.msg);
}
