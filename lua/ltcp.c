/* Lua binding of TCP connections.
 *
 * Connections belong to their endpoint; a connection's box is emptied
 * when the endpoint frees the record (after CLOSED), keeping a snapshot
 * of conn.stats and conn:info(); conn.state then answers "CLOSED" and
 * methods that act raise.  conn.state, conn.stats, conn.error and
 * conn.send_space are fields; everything else is a method.  Handlers run inside the simulator's
 * events; a state change caused outside a run (a connect before sim:run)
 * is not reported to handlers.
 *
 * A connection Lua never sees has no box and no handler table (lpriv.h):
 * its box is made when it is first returned to Lua or passed to a
 * handler, its handler table with its first conn:on. */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "ltcp_priv.h"
#include "tcb.h"
#include "tcp.h"
#include "tw.h"
#include "units.h"


/* A connection whose record was freed (after CLOSED) is gone. */
static sy_tcb *check_conn(lua_State *L, int idx)
{
	return sy_lua_check_box(L, idx, SY_MT_CONN, "connection", NULL);
}

void sy_lua_push_conn(lua_State *L, int sim_idx, sy_tcb *c)
{
	struct sy_lua_sim *ls;
	struct sy_lua_conn *b;

	sim_idx = lua_absindex(L, sim_idx);
	ls = lua_touserdata(L, sim_idx);
	lua_getiuservalue(L, sim_idx, 3);  /* the simulator's objects */
	if (!c->user && ls->conn_weak) {
		/* let go in TIME_WAIT: held again, with its box if alive */
		struct sy_lua_ep *e = sy_lua_ep_of(L, lua_gettop(L), c->ep);

		if (e && sy_lua_away_has(e, c->id))
			sy_lua_away_come_back(L, e, c);
	}
	if (c->user) {
		lua_rawgetp(L, -1, c);
		lua_remove(L, -2);
		return;
	}
	/* 1: simulator, 2: handlers, 3: what stays readable once it is gone */
	b = lua_newuserdatauv(L, sizeof *b, 3);
	b->ptr = c;
	b->want = 0;
	b->error = SY_LERR_NONE;
	luaL_setmetatable(L, SY_MT_CONN);
	lua_pushvalue(L, sim_idx);
	lua_setiuservalue(L, -2, 1);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, c);  /* kept until the record is freed */
	lua_remove(L, -2);
	c->user = b;
	ls->conn_boxes++;
	ls->conn_boxes_made++;
}

/* The names the events have in Lua, for a handler's arguments. */
static void push_state(lua_State *L, sy_tcp_state s)
{
	lua_pushstring(L, sy_tcp_state_name(s));
}

/* What a report that is not a state change (from == to) means.  A cause
 * becomes a string only when a handler is called. */
enum report { R_FREED, R_ACCEPTED, R_TIMEOUT, R_RESET };

static enum report report_kind(sy_tcp_cause cause)
{
	switch (cause) {
	case SY_TCP_CAUSE_FREED:
		return R_FREED;
	case SY_TCP_CAUSE_ACCEPTED:
		return R_ACCEPTED;
	case SY_TCP_CAUSE_TIMEOUT:
		return R_TIMEOUT;
	default:
		return R_RESET;  /* reset, refused */
	}
}

/* Calls handler ev of the connection box at idx with the values pushed
 * after it (nargs), if it has one; pops the arguments. */
static void call_conn(struct sy_lua_sim *ls, int idx, enum sy_lua_conn_ev ev, int nargs)
{
	lua_State *L = ls->L;
	struct sy_lua_conn *b = lua_touserdata(L, idx);

	if (!(b->want & (1u << ev))) {
		lua_pop(L, nargs);
		return;
	}
	lua_getiuservalue(L, idx, 2);
	lua_rawgeti(L, -1, ev + 1);
	lua_remove(L, -2);
	lua_insert(L, -1 - nargs);
	lua_pushvalue(L, idx);
	lua_insert(L, -1 - nargs);
	sy_lua_call(ls, nargs + 1);
}

/* Forgets the box of c, whose record is being freed: a new record may get
 * the same address.  Records are freed by events only, so a run is under
 * way. */
static void conn_freed(struct sy_lua_ep *e, sy_tcb *c)
{
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;

	if (ls->running && L) {
		/* conn.stats and conn:info() stay readable: a snapshot */
		lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
		lua_getiuservalue(L, -1, 1);
		lua_getiuservalue(L, -1, 3);
		if (lua_rawgetp(L, -1, c) == LUA_TUSERDATA) {
			struct conn_kept *k = lua_newuserdatauv(L, sizeof *k, 1);

			sy_lua_kept_get(c, k);
			k->state = SY_TCP_CLOSED;
			lua_pushstring(L, sy_tcp_cc_name(c));
			lua_setiuservalue(L, -2, 1);
			if (sy_lua_conn_has_unread(c)) {
				/* rare: the tables now, with the bytes */
				sy_lua_push_kept_tables(L, -1);
				lua_remove(L, -2);
				sy_lua_conn_keep_unread(L, c);
			}
			lua_setiuservalue(L, -2, 3);
		}
		lua_pop(L, 1);
		lua_pushnil(L);
		lua_rawsetp(L, -2, c);
		lua_pop(L, 3);
	}
	((struct sy_lua_conn *)c->user)->ptr = NULL;
	ls->conn_boxes--;
}

static void observer(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct sy_lua_ep *e = ctx;
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;
	struct sy_lua_conn *b = c->user;
	int top, conn;

	if (!b && e->nweak && sy_lua_away_has(e, c->id)) {
		lua_State *wl = L ? L : e->Lmain;

		/* let go in TIME_WAIT: its end is told as ever, to its box if
		 * alive, else to a new one; a record freed needs none */
		if (from == to && cause == SY_TCP_CAUSE_FREED) {
			if (!sy_lua_away_take_back(wl, e, c))
				sy_lua_away_forget(wl, e, c->id);
		} else {
			sy_lua_away_come_back(wl, e, c);
		}
		b = c->user;
	}
	if (from == to && (cause == SY_TCP_CAUSE_RESET || cause == SY_TCP_CAUSE_REFUSED ||
			   cause == SY_TCP_CAUSE_TIMEOUT))
		sy_lua_conn_error(e, c, b, cause);
	if (!b && !e->want)
		return;  /* nothing in Lua to tell */
	if (from == to) {
		enum report k = report_kind(cause);

		if (k == R_FREED) {
			if (b)
				conn_freed(e, c);
			return;
		}
		if (!ls->running || !L)
			return;
		top = lua_gettop(L);
		if (k == R_ACCEPTED) {
			if (!(e->want & SY_LEP_ACCEPT))
				return;
			lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
			lua_getiuservalue(L, -1, 2);
			lua_rawgeti(L, -1, 1);
			if (lua_rawgeti(L, -1, c->lport) == LUA_TFUNCTION) {
				lua_getiuservalue(L, top + 1, 1);
				sy_lua_push_conn(L, -1, c);
				lua_remove(L, -2);
				sy_lua_call(ls, 1);
			}
		} else if (b && (b->want & (1u << (k == R_TIMEOUT ? SY_LEV_ERROR : SY_LEV_RESET)))) {
			lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
			lua_getiuservalue(L, -1, 1);
			sy_lua_push_conn(L, -1, c);
			lua_pushstring(L, sy_tcp_cause_name(cause));
			call_conn(ls, lua_gettop(L) - 1,
				  k == R_TIMEOUT ? SY_LEV_ERROR : SY_LEV_RESET, 1);
		}
		lua_settop(L, top);
		return;
	}
	if (!ls->running || !L)
		return;
	top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);  /* top + 1: endpoint box */
	if (e->want & SY_LEP_STATE) {
		/* the endpoint's state handler, given the connection */
		lua_getiuservalue(L, top + 1, 1);
		sy_lua_push_conn(L, -1, c);
		lua_replace(L, -2);
		lua_getiuservalue(L, top + 1, 2);
		lua_rawgeti(L, -1, 2);
		lua_replace(L, -2);
		lua_pushvalue(L, -2);
		push_state(L, from);
		push_state(L, to);
		lua_pushstring(L, sy_tcp_cause_name(cause));
		sy_lua_call(ls, 4);
		lua_settop(L, top + 2);
		b = c->user;
	} else if (b) {
		lua_getiuservalue(L, top + 1, 1);
		sy_lua_push_conn(L, -1, c);
		lua_replace(L, -2);
	}
	/* then the connection's own (which the handler may just have set) */
	if (b && b->want) {
		conn = top + 2;
		if (b->want & (1u << SY_LEV_STATE)) {
			push_state(L, from);
			push_state(L, to);
			lua_pushstring(L, sy_tcp_cause_name(cause));
			call_conn(ls, conn, SY_LEV_STATE, 3);
		}
		if (to == SY_TCP_ESTABLISHED)
			call_conn(ls, conn, SY_LEV_ESTABLISHED, 0);
		if (to == SY_TCP_CLOSED && (b->want & (1u << SY_LEV_CLOSED))) {
			lua_pushstring(L, sy_tcp_cause_name(cause));
			call_conn(ls, conn, SY_LEV_CLOSED, 1);
		}
	}
	if (to == SY_TCP_TIME_WAIT && b && !(e->want & SY_LEP_STATE))
		sy_lua_away_let_go(e, c, top + 2);
	lua_settop(L, top);
}

static void data_observer(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes);

/* The observer looks at a connection Lua has seen, and at every one
 * once the endpoint has a state handler: the others may be compacted in
 * TIME_WAIT (tw.h). */
static bool holds(void *ctx, const sy_tcb *c)
{
	struct sy_lua_ep *e = ctx;
	lua_State *L = e->ls->L ? e->ls->L : e->Lmain;

	if (c->user || (e->want & SY_LEP_STATE))
		return true;
	if (!e->nweak || !sy_lua_away_has(e, c->id))
		return false;
	return sy_lua_away_holds(L, e, c);
}

/* A connection with a box was compacted in TIME_WAIT (c NULL: the box
 * holds the handle h, tagged), rebuilt (c), or lost (both NULL: memory
 * ran out, the run fails): the box follows it, and the simulator's
 * objects keep it under the record's new address. */
static void tw_moved(void *ctx, void *user, const void *from, sy_tcb *c,
		     struct sy_tw_held *h)
{
	struct sy_lua_ep *e = ctx;
	lua_State *L = e->ls->L;
	struct sy_lua_conn *b = user;
	const void *to = c ? (const void *)c : (const void *)h;

	b->ptr = c ? (void *)c : h ? (void *)((uintptr_t)h | 1) : NULL;
	if (!b->ptr)
		e->ls->conn_boxes--;  /* gone, as conn_freed */
	if (!L)
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
	lua_getiuservalue(L, -1, 1);
	lua_getiuservalue(L, -1, 3);
	lua_rawgetp(L, -1, from);
	if (to)
		lua_rawsetp(L, -2, to);
	else
		lua_pop(L, 1);
	lua_pushnil(L);
	lua_rawsetp(L, -2, from);
	lua_pop(L, 3);
}

void sy_lua_conn_resolve(lua_State *L, struct sy_lua_conn *b)
{
	if (sy_lua_away_resolve(L, b))
		return;
	if ((uintptr_t)b->ptr & 1) {
		struct sy_tw_held *h = (struct sy_tw_held *)((uintptr_t)b->ptr & ~(uintptr_t)1);

		/* rebuilt (tw_moved points the box at it), or gone with
		 * the memory that failed the run */
		if (!sy_tw_held_wake(h))
			b->ptr = NULL;
	}
}

void sy_lua_tcp_observe(sy_tcp_ep *ep, struct sy_lua_ep *e)
{
	sy_tcp_ep_observe(ep, observer, e);
	sy_tcp_ep_observe_holds(ep, holds);
	sy_tcp_ep_tw_moved(ep, tw_moved);
	sy_tcp_ep_observe_data(ep, data_observer);
}

/* Connections given the same handlers share one handler table: a
 * table is never changed once a box has it (for its handlers, slots 1 to
 * SY_LEV_N); conn:on gives the box another, the last one made from the
 * same table for the same event and function (kept in the table's slots
 * after the handlers: MEMO_EV, MEMO_FN, MEMO_TO), or a new copy.  A
 * storm whose every connection gets the same handlers makes a table per
 * conn:on in its chain, not per connection.  The chain starts at an empty
 * table kept in the registry; a table keeps its last successor alive. */

static char handlers_root;

/* The handler table of the box at 1 (the empty root if it has none) with
 * handler i+1 set to the function at 3, pushed. */
static void push_handlers_with(lua_State *L, int i)
{
	int from;

	if (lua_getiuservalue(L, 1, 2) != LUA_TTABLE) {
		lua_pop(L, 1);
		if (lua_rawgetp(L, LUA_REGISTRYINDEX, &handlers_root) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_createtable(L, HANDLER_SLOTS, 0);
			lua_pushvalue(L, -1);
			lua_rawsetp(L, LUA_REGISTRYINDEX, &handlers_root);
		}
	}
	from = lua_gettop(L);
	if (lua_rawgeti(L, from, MEMO_EV) == LUA_TNUMBER && lua_tointeger(L, -1) == i + 1) {
		lua_rawgeti(L, from, MEMO_FN);
		if (lua_rawequal(L, -1, 3)) {
			lua_rawgeti(L, from, MEMO_TO);
			lua_replace(L, from);
			lua_settop(L, from);
			return;
		}
	}
	lua_settop(L, from);
	lua_createtable(L, HANDLER_SLOTS, 0);
	for (int ev = 1; ev <= SY_LEV_N; ev++) {
		lua_rawgeti(L, from, ev);
		lua_rawseti(L, -2, ev);
	}
	lua_pushvalue(L, 3);
	lua_rawseti(L, -2, i + 1);
	sy_lua_obj_sim(L, 1)->conn_handlers++;
	lua_pushinteger(L, i + 1);
	lua_rawseti(L, from, MEMO_EV);
	lua_pushvalue(L, 3);
	lua_rawseti(L, from, MEMO_FN);
	lua_pushvalue(L, -1);
	lua_rawseti(L, from, MEMO_TO);
	lua_replace(L, from);
}

/* conn:on(event, fn): "state", "established", "closed", "reset",
 * "error", "data" (fn(conn, n, bytes): bytes is a string when real bytes
 * were sent, else nil) or "sent" (fn(conn): every byte queued so far is
 * acknowledged).  Returns conn. */
static int conn_on(lua_State *L)
{
	static const char *const events[] = {
		"state", "established", "closed", "reset", "error", "data", "sent", NULL,
	};
	struct sy_lua_conn *b;
	sy_tcb *c = check_conn(L, 1);
	int i;

	i = sy_lua_check_option(L, 2, NULL, events);  /* sy_lua_conn_ev */
	luaL_checktype(L, 3, LUA_TFUNCTION);
	b = lua_touserdata(L, 1);
	push_handlers_with(L, i);
	lua_setiuservalue(L, 1, 2);
	b->want |= 1u << i;
	if (i == SY_LEV_DATA || i == SY_LEV_SENT)
		c->want_data = true;
	lua_settop(L, 1);
	return 1;
}

/* The binding's data observer: "data" and "sent" handlers. */
static void data_observer(void *ctx, sy_tcb *c, uint32_t n, const unsigned char *bytes)
{
	struct sy_lua_ep *e = ctx;
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;
	int top;

	if (!ls->running || !L || !c->user)
		return;
	top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
	lua_getiuservalue(L, -1, 1);
	sy_lua_push_conn(L, -1, c);
	if (n) {
		lua_pushinteger(L, n);
		if (bytes)
			lua_pushlstring(L, (const char *)bytes, n);
		else
			lua_pushnil(L);
		call_conn(ls, lua_gettop(L) - 2, SY_LEV_DATA, 2);
	} else {
		call_conn(ls, lua_gettop(L), SY_LEV_SENT, 0);
	}
	lua_settop(L, top);
}

/* The byte count of conn:send at idx: a whole number from 0 to
 * math.maxinteger (a float with a whole value, 2^20 or 1e6, is one too);
 * anything else is an error naming the argument and what is wrong. */
static uint64_t check_count(lua_State *L, int idx)
{
	lua_Integer n;
	lua_Number x;

	if (lua_type(L, idx) != LUA_TNUMBER)
		return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L,
				"a byte count (an integer) or a string expected, got %s",
				luaL_typename(L, idx)));
	if (lua_isinteger(L, idx)) {
		n = lua_tointeger(L, idx);
		if (n < 0)
			return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L,
					"a byte count cannot be negative, got %I", n));
		return (uint64_t)n;
	}
	x = lua_tonumber(L, idx);
	if (isnan(x))
		return (uint64_t)luaL_argerror(L, idx, "a byte count cannot be NaN");
	if (isinf(x))
		return (uint64_t)luaL_argerror(L, idx, "a byte count cannot be infinite");
	if (x < 0)
		return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L,
				"a byte count cannot be negative, got %f", x));
	if (!lua_numbertointeger(x, &n))
		return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L,
				"a byte count is at most math.maxinteger, got %f", x));
	if ((lua_Number)n != x)
		return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L,
				"a byte count is a whole number, got %f", x));
	return (uint64_t)n;
}

/* conn:send(n_or_string): n virtual bytes, or the string's bytes. */
static int conn_send(lua_State *L)
{
	sy_tcb *c = check_conn(L, 1);
	sy_err err;
	int rc;

	if (lua_type(L, 2) == LUA_TSTRING) {
		size_t n;
		const char *b = lua_tolstring(L, 2, &n);

		rc = sy_tcp_send(c, n ? b : NULL, n, &err);
	} else {
		rc = sy_tcp_send(c, NULL, check_count(L, 2), &err);
	}
	if (rc < 0)
		return luaL_error(L, "%s", err.msg);
	lua_settop(L, 1);
	return 1;
}

static uint32_t opt_bytes(lua_State *L, int idx, const char *key)
{
	sy_err err;
	int64_t v;
	int rc = sy_lua_to_quantity(L, idx, sy_parse_size, sy_size_from_number, &v, &err);

	if (rc == -2)
		return (uint32_t)luaL_error(L, "option '%s' must be a size (bytes, or a string such as \"64KiB\")", key);
	if (rc < 0)
		return (uint32_t)luaL_error(L, "option '%s': %s", key, err.msg);
	if (v < 1 || v > (1 << 30))
		return (uint32_t)luaL_error(L, "option '%s' must be between 1 byte and 1 GiB", key);
	return (uint32_t)v;
}

static int instance_gc(lua_State *L)
{
	sy_instance_free(lua_touserdata(L, 1));
	return 0;
}

/* Applies the options of the table at idx to c: sndbuf, rcvbuf, nagle,
 * autoread, initial_window, cc, and the socket options (ltcp_sock.c). */
void sy_lua_conn_options(lua_State *L, int idx, sy_tcb *c, const char *fname)
{
	static const char *const known[] = {
		"sndbuf", "rcvbuf", "nagle", "autoread", "initial_window", "cc",
		"user_timeout", "keepalive", "keepidle", "keepintvl", "keepcnt", "cork",
		"mss", "linger", "syn_retries", "ecn", NULL,
	};
	sy_tcp_data_opts o = {
		.sndbuf = c->sndbuf, .rcvbuf = c->rcvbuf, .nagle = c->nagle,
		.autoread = c->autoread, .initial_window = c->iw_segs,
	};
	sy_err err;

	idx = lua_absindex(L, idx);
	sy_lua_check_options(L, idx, fname, known);
	if (lua_getfield(L, idx, "sndbuf") != LUA_TNIL)
		o.sndbuf = opt_bytes(L, -1, "sndbuf");
	if (lua_getfield(L, idx, "rcvbuf") != LUA_TNIL)
		o.rcvbuf = opt_bytes(L, -1, "rcvbuf");
	if (lua_getfield(L, idx, "nagle") != LUA_TNIL) {
		luaL_argexpected(L, lua_isboolean(L, -1), -1, "boolean for 'nagle'");
		o.nagle = lua_toboolean(L, -1);
	}
	if (lua_getfield(L, idx, "autoread") != LUA_TNIL) {
		luaL_argexpected(L, lua_isboolean(L, -1), -1, "boolean for 'autoread'");
		o.autoread = lua_toboolean(L, -1);
	}
	if (lua_getfield(L, idx, "initial_window") != LUA_TNIL) {
		lua_Integer w = lua_tointeger(L, -1);

		if (!lua_isinteger(L, -1) || w < 1 || w > 1000)
			luaL_error(L, "%s: initial_window must be an integer number of segments from 1 to 1000", fname);
		o.initial_window = (uint32_t)w;
	}
	lua_pop(L, 5);
	if (sy_tcp_set_data_opts(c, &o, &err) < 0)
		luaL_error(L, "%s: %s", fname, err.msg);
	sy_lua_conn_sock_options(L, idx, c, fname);
	if (lua_getfield(L, idx, "cc") != LUA_TNIL) {
		struct sy_lua_ctx *ctx;
		sy_instance *in;

		lua_getiuservalue(L, 1, 1);      /* the simulator */
		lua_getiuservalue(L, -1, 2);     /* its context */
		ctx = lua_touserdata(L, -1);
		lua_pop(L, 2);
		in = lua_newuserdatauv(L, sizeof *in, 0);
		memset(in, 0, sizeof *in);
		lua_newtable(L);
		lua_pushcfunction(L, instance_gc);
		lua_setfield(L, -2, "__gc");
		lua_setmetatable(L, -2);
		sy_lua_instance(L, ctx, "cc", lua_absindex(L, -2), "newreno", in);
		if (sy_tcp_set_cc(c, in, &err) < 0)
			luaL_error(L, "%s: %s", fname, err.msg);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* conn:set{sndbuf=, rcvbuf=, nagle=, autoread=, initial_window=, cc=,
 * user_timeout=, keepalive=, keepidle=, keepintvl=, keepcnt=, cork=, mss=,
 * linger=} */
static int conn_set(lua_State *L)
{
	sy_tcb *c = check_conn(L, 1);

	luaL_checktype(L, 2, LUA_TTABLE);
	sy_lua_conn_options(L, 2, c, "set");
	lua_settop(L, 1);
	return 1;
}

/* conn:info(): cwnd, ssthresh, windows, flight, pipe, srtt, rttvar, rto
 * (seconds), in_recovery, bytes acknowledged and received. */
static int conn_info(lua_State *L)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

	if (!b->ptr && sy_lua_push_kept(L, 1)) {
		lua_rawgeti(L, -1, 2);
		return 1;  /* as it was when the connection went */
	}
	sy_lua_push_info(L, check_conn(L, 1));
	return 1;
}

/* One sampling event: upvalues conn, variable (or nil), interval (ns),
 * fn, the simulator. */
static int sample_tick(lua_State *L)
{
	struct sy_lua_box *b = lua_touserdata(L, lua_upvalueindex(1));
	struct sy_lua_sim *ls = sy_lua_obj_sim(L, lua_upvalueindex(1));

	sy_lua_conn_resolve(L, (struct sy_lua_conn *)b);
	if (!b->ptr)
		return 0; /* the connection is gone: sampling ends */
	lua_pushvalue(L, lua_upvalueindex(4));
	lua_pushnumber(L, sy_time_to_sec(sy_sim_now(ls->sim)));
	sy_lua_push_info(L, b->ptr);
	if (!lua_isnil(L, lua_upvalueindex(2)))
		lua_getfield(L, -1, lua_tostring(L, lua_upvalueindex(2)));
	else
		lua_pushvalue(L, -1);
	lua_remove(L, -2);
	lua_call(L, 2, 1);
	if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
		return 0; /* the handler said stop */
	lua_pushvalue(L, lua_upvalueindex(5));
	lua_getfield(L, -1, "after");
	lua_insert(L, -2);
	lua_pushinteger(L, lua_tointeger(L, lua_upvalueindex(3)));
	lua_pushstring(L, "ns");
	lua_concat(L, 2);
	lua_pushvalue(L, lua_upvalueindex(6));
	lua_call(L, 3, 0);
	return 0;
}

/* conn:sample([variable,] interval, fn): calls fn(t, value) now and every
 * interval while the connection lives; value is the named field of
 * conn:info() ("cwnd", "srtt", ...) or, without a variable, the whole
 * table.  fn returning false stops the sampling. */
static int conn_sample(lua_State *L)
{
	static const char *const vars[] = {
		"cwnd", "ssthresh", "snd_wnd", "rcv_wnd", "flight", "pipe", "srtt",
		"rttvar", "rto", "in_recovery", "bytes_acked", "bytes_received",
		"unacked", NULL,
	};
	sy_time iv;

	check_conn(L, 1);
	if (lua_type(L, 2) == LUA_TSTRING && lua_type(L, 3) != LUA_TFUNCTION)
		sy_lua_check_option(L, 2, NULL, vars);
	else
		lua_pushnil(L), lua_insert(L, 2);
	lua_settop(L, 4);
	iv = sy_lua_check_time(L, 3);
	luaL_argcheck(L, iv > 0, 3, "the interval must be positive");
	luaL_checktype(L, 4, LUA_TFUNCTION);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushinteger(L, iv);
	lua_pushvalue(L, 4);
	lua_getiuservalue(L, 1, 1);
	lua_pushnil(L);                        /* 6: the closure itself */
	lua_pushcclosure(L, sample_tick, 6);
	lua_pushvalue(L, -1);
	lua_setupvalue(L, -2, 6);
	/* the first sample now, through the simulator (inside a run) */
	lua_getiuservalue(L, 1, 1);
	lua_getfield(L, -1, "after");
	lua_insert(L, -2);
	lua_pushinteger(L, 0);
	lua_pushvalue(L, -4);
	lua_call(L, 3, 0);
	return 0;
}

static int conn_connect_again(lua_State *L)
{
	return luaL_error(L, "connect: this connection is open already; ep:connect makes a new one");
}

static int conn_listen(lua_State *L)
{
	return luaL_error(L, "listen: a connection does not listen; ep:listen makes a listener");
}

static int conn_state(lua_State *L)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

	lua_pushstring(L, b->ptr ? sy_tcp_state_name(((sy_tcb *)b->ptr)->state) : "CLOSED");
	return 1;
}

static int conn_abort(lua_State *L)
{
	sy_tcp_abort(check_conn(L, 1));
	return 0;
}

static int conn_stats(lua_State *L)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

	if (!b->ptr && sy_lua_push_kept(L, 1)) {
		lua_rawgeti(L, -1, 1);
		return 1;  /* as they were when the connection went */
	}
	sy_lua_push_stats(L, check_conn(L, 1));
	return 1;
}

/* conn.state, conn.stats, conn.error and conn.send_space are fields,
 * read when asked for. */
static int conn_index(lua_State *L)
{
	const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;

	if (k && strlen(k) != lua_rawlen(L, 2))
		k = "";  /* with a NUL: no field, no method */
	if (k && strcmp(k, "error") == 0) {
		struct sy_lua_conn *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

		lua_pushstring(L, sy_lua_conn_error_name(b));
		return 1;
	}
	if (k && strcmp(k, "send_space") == 0) {
		struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);
		const sy_tcb *c = b->ptr;

		lua_pushinteger(L, c && c->state != SY_TCP_CLOSED && !c->fin_pending ?
				   (lua_Integer)sy_tcp_send_space(c) : 0);
		return 1;
	}
	if (k && strcmp(k, "state") != 0 && strcmp(k, "stats") != 0) {
		lua_pushvalue(L, 2);
		lua_gettable(L, lua_upvalueindex(1));
		return 1;
	}
	if (!k) {
		lua_pushnil(L);
		return 1;
	}
	if (strcmp(k, "state") == 0) {
		conn_state(L);
		return 1;
	}
	return conn_stats(L);
}
static const luaL_Reg conn_methods[] = {
	{ "on", conn_on },
	{ "close", sy_lua_conn_close },
	{ "abort", conn_abort },
	{ "send", conn_send },
	{ "read", sy_lua_conn_read },
	{ "shutdown", sy_lua_conn_shutdown },
	{ "poll", sy_lua_conn_poll },
	{ "set", conn_set },
	{ "info", conn_info },
	{ "sample", conn_sample },
	{ "connect", conn_connect_again },
	{ "listen", conn_listen },
	{ NULL, NULL },
};

/* sim:lua_stats(): what the binding holds for the script: conn_boxes,
 * the connection boxes whose connection lives; conn_boxes_made and
 * conn_handlers, the boxes and handler tables made so far. */
static int sim_lua_stats(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);

	lua_createtable(L, 0, 4);
	sy_lua_set_int(L, "conn_boxes", ls->conn_boxes);
	sy_lua_set_int(L, "conn_weak", ls->conn_weak);
	sy_lua_set_int(L, "conn_boxes_made", ls->conn_boxes_made);
	sy_lua_set_int(L, "conn_handlers", ls->conn_handlers);
	return 1;
}

void sy_lua_open_tcp(lua_State *L)
{
	sy_lua_new_class(L, SY_MT_CONN, conn_methods, NULL, NULL);
	luaL_getmetatable(L, SY_MT_CONN);
	lua_getfield(L, -1, "__index");
	lua_pushcclosure(L, conn_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_getmetatable(L, SY_MT_SIM);
	lua_getfield(L, -1, "__index");
	lua_pushcfunction(L, sim_lua_stats);
	lua_setfield(L, -2, "lua_stats");
	lua_pop(L, 2);
	sy_lua_open_tcp_ep(L);
}
