/* Connections let go in TIME_WAIT.
 *
 * A connection the script holds enters TIME_WAIT: if no handler that can
 * still fire for it (any but "established") could receive it (each is a
 * Lua function of no parameters, not vararg), the binding lets go of its
 * record, which is compacted as one nobody holds (tw.h), and keeps the box
 * only in a weak table of the endpoint, under the connection's id.  A
 * script that still has the box finds the same object working as before:
 * its first use finds the record again (rebuilt on demand) and takes it
 * back (sy_lua_away_take_back), with what a rebuilt record would not have (struct
 * conn_away, saved when the record is compacted); so does the binding when
 * the connection reports (its end), or when a lookup or a handler gives
 * it to Lua.  If the box was collected, a new one is made then with the
 * connection's handlers, which take no parameter: they cannot tell it
 * from the old (a handler or lookup that gets it later sees a connection
 * Lua never had, its statistics from its rebuilt record on).  Which records
 * were let go is a bit per id (struct sy_lua_ep); their handler tables
 * are the endpoint's usual one (counted) or, if another, kept by id. */

#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "ltcp_priv.h"
#include "tcb.h"
#include "tcp.h"
#include "tw.h"

/* What the box of a connection let go keeps: how to find the record, and
 * (saved when the record is compacted) what conn.stats and conn:info()
 * read of it that a rebuilt record does not have. */
struct conn_away {
	struct sy_lua_ep *e;
	sy_tcp_ep *ep;
	uint64_t id;
	uint32_t raddr;
	uint16_t lport, rport;
	bool saved;
	struct tw_keep k;          /* as a held compact record keeps it */
};

#define AWAY_TAG ((uintptr_t)2)

/* The slots of the weak state table (e->weak_ref). */
enum { W_BOXES = 1, W_BITS, W_OTHER, W_USUAL };

/* Sets id's bit; the weak state table is on top. */
static void weak_set(lua_State *L, struct sy_lua_ep *e, uint64_t id)
{
	uint64_t at = id & ~(uint64_t)63;

	if (!e->wn) {
		e->wbase = at;
		e->wbits = e->wbuf ? e->wbuf + e->wcap / 2 : NULL;
	}
	if (at < e->wbase || at >= e->wbase + 64 * e->wn) {
		uint64_t lo = at < e->wbase ? at : e->wbase;
		uint64_t hi = at >= e->wbase + 64 * e->wn ? at + 64 : e->wbase + 64 * e->wn;
		size_t n = (size_t)((hi - lo) / 64), off = (size_t)((e->wbase - lo) / 64);
		size_t at_now = e->wbuf ? (size_t)(e->wbits - e->wbuf) : 0;
		size_t first = at_now - off;

		if (!e->wbuf || at_now < off || first + n > e->wcap) {
			/* a new buffer with room on both sides */
			size_t cap = 2 * n + 16;
			uint64_t *buf = lua_newuserdatauv(L, cap * sizeof *buf, 0);

			first = (cap - n) / 2;
			memset(buf, 0, cap * sizeof *buf);
			if (e->wn)
				memcpy(buf + first + off, e->wbits, e->wn * sizeof *buf);
			lua_rawseti(L, -2, W_BITS);
			e->wbuf = buf;
			e->wcap = cap;
		} else {
			memset(e->wbuf + first, 0, off * sizeof *e->wbuf);
			memset(e->wbuf + first + off + e->wn, 0, (n - off - e->wn) * sizeof *e->wbuf);
		}
		e->wbits = e->wbuf + first;
		e->wbase = lo;
		e->wn = n;
	}
	assert(!sy_lua_away_has(e, id));
	e->wbits[(id - e->wbase) / 64] |= (uint64_t)1 << (id % 64);
	e->nweak++;
	e->ls->conn_weak++;
}

static void weak_clear(struct sy_lua_ep *e, uint64_t id)
{
	assert(sy_lua_away_has(e, id));
	e->wbits[(id - e->wbase) / 64] &= ~((uint64_t)1 << (id % 64));
	e->nweak--;
	e->ls->conn_weak--;
	/* the window follows the ids still let go */
	while (e->wn && !e->wbits[0]) {
		e->wbits++;
		e->wbase += 64;
		e->wn--;
	}
	while (e->wn && !e->wbits[e->wn - 1])
		e->wn--;
}

/* The weak state table of e, pushed (made on first use). */
static void push_weak(lua_State *L, struct sy_lua_ep *e)
{
	if (e->weak_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, e->weak_ref);
		return;
	}
	lua_createtable(L, W_USUAL, 0);
	lua_newtable(L);                 /* the boxes by id: weak values */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "v");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawseti(L, -2, W_BOXES);
	lua_newtable(L);                 /* other handler tables by id */
	lua_rawseti(L, -2, W_OTHER);
	lua_pushvalue(L, -1);
	e->weak_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Pushes the handler table of the connection id let go (false if none);
 * the weak state table is at w. */
static void push_away_handlers(lua_State *L, int w, uint64_t id)
{
	lua_rawgeti(L, w, W_OTHER);
	if (lua_rawgeti(L, -1, (lua_Integer)id) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_rawgeti(L, w, W_USUAL);
	}
	lua_remove(L, -2);
}

/* The connection id is no longer let go: its bit and its handler table's
 * count; the weak state table is at w. */
static void away_end(lua_State *L, struct sy_lua_ep *e, int w, uint64_t id)
{
	lua_rawgeti(L, w, W_OTHER);
	if (lua_rawgeti(L, -1, (lua_Integer)id) != LUA_TNIL) {
		lua_pushnil(L);
		lua_rawseti(L, -3, (lua_Integer)id);
	} else {
		assert(e->hdom_n > 0);
		if (--e->hdom_n == 0) {
			lua_pushnil(L);
			lua_rawseti(L, w, W_USUAL);
		}
	}
	lua_pop(L, 2);
	lua_pushnil(L);
	lua_rawgeti(L, w, W_BOXES);
	lua_insert(L, -2);
	lua_rawseti(L, -2, (lua_Integer)id);
	lua_pop(L, 1);
	weak_clear(e, id);
}

enum { VERDICT = HANDLER_SLOTS + 1 };

/* Whether no handler of the table at idx that can fire in TIME_WAIT or
 * after could read the connection it is given: each a Lua function of no
 * parameters, not vararg.  Kept in the table (its handlers never change). */
static bool handlers_blind(lua_State *L, int idx)
{
	bool blind = true;

	if (lua_rawgeti(L, idx, VERDICT) == LUA_TBOOLEAN) {
		blind = lua_toboolean(L, -1);
		lua_pop(L, 1);
		return blind;
	}
	lua_pop(L, 1);
	for (int ev = 0; ev < SY_LEV_N && blind; ev++) {
		lua_Debug ar;

		if (ev == SY_LEV_ESTABLISHED)
			continue;  /* fired before TIME_WAIT */
		if (lua_rawgeti(L, idx, ev + 1) != LUA_TFUNCTION) {
			lua_pop(L, 1);
			continue;
		}
		if (lua_iscfunction(L, -1)) {
			lua_pop(L, 1);
			blind = false;
			break;
		}
		lua_getinfo(L, ">u", &ar);
		blind = ar.nparams == 0 && !ar.isvararg;
	}
	lua_pushboolean(L, blind);
	lua_rawseti(L, idx, VERDICT);
	return blind;
}

/* c, whose box is at idx, has just entered TIME_WAIT: lets go of it if
 * nothing but the box could read it. */
void sy_lua_away_let_go(struct sy_lua_ep *e, sy_tcb *c, int idx)
{
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;
	struct sy_lua_conn *b = lua_touserdata(L, idx);
	struct conn_away *a;
	int top = lua_gettop(L), w;

	if ((e->want & SY_LEP_STATE) || b->ptr != c || c->state != SY_TCP_TIME_WAIT ||
	    sy_lua_conn_has_unread(c) || c->id >= ((uint64_t)1 << 62))
		return;
	if (lua_getiuservalue(L, idx, 2) == LUA_TTABLE && !handlers_blind(L, top + 1)) {
		lua_settop(L, top);
		return;
	}
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, false);
	}
	push_weak(L, e);
	w = lua_gettop(L);
	/* the handler table: the usual one, counted, or kept by id */
	if (!e->hdom_n) {
		lua_pushvalue(L, w - 1);
		lua_rawseti(L, w, W_USUAL);
		e->hdom_n = 1;
	} else if (lua_rawgeti(L, w, W_USUAL), lua_rawequal(L, -1, w - 1)) {
		lua_pop(L, 1);
		e->hdom_n++;
	} else {
		lua_pop(L, 1);
		lua_rawgeti(L, w, W_OTHER);
		lua_pushvalue(L, w - 1);
		lua_rawseti(L, -2, (lua_Integer)c->id);
		lua_pop(L, 1);
	}
	weak_set(L, e, c->id);
	/* the box: held weakly, by id */
	lua_rawgeti(L, w, W_BOXES);
	lua_pushvalue(L, idx);
	lua_rawseti(L, -2, (lua_Integer)c->id);
	lua_pop(L, 1);
	lua_getiuservalue(L, idx, 1);
	lua_getiuservalue(L, -1, 3);
	lua_pushnil(L);
	lua_rawsetp(L, -2, c);
	lua_pop(L, 2);
	a = lua_newuserdatauv(L, sizeof *a, 0);
	memset(a, 0, sizeof *a);
	a->e = e;
	a->ep = c->ep;
	a->id = c->id;
	a->raddr = c->raddr;
	a->lport = c->lport;
	a->rport = c->rport;
	lua_setiuservalue(L, idx, 3);
	b->ptr = (void *)((uintptr_t)a | AWAY_TAG);
	c->user = NULL;
	ls->conn_boxes--;
	lua_settop(L, top);
}

/* What a rebuilt record lacks of c, into a. */
static void away_save(struct conn_away *a, const sy_tcb *c)
{
	a->saved = true;
	sy_tw_keep_save(c, &a->k);
}

/* The counters of a and what the rebuilt record counted since, added
 * (every counter: the lists of tcb.h, which services.c checks against
 * sy_tcb_stats). */
static void stats_add(sy_tcb_stats *to, const sy_tcb_stats *a)
{
#define ADD(f) to->f += a->f;
	SY_TCB_COUNT_FIELDS(ADD) SY_TCB_RARE_FIELDS(ADD)
#undef ADD
}

/* A rebuilt record c of a let go (it starts with defaults): given back
 * what it had, the counters since added. */
static void away_apply(const struct conn_away *a, sy_tcb *c)
{
	sy_tcb_stats since, sum = a->k.st;
	void *user = c->user;

	sy_tcb_stats_read(c, &since);
	sy_tw_keep_apply(c, &a->k);
	c->user = user;
	stats_add(&sum, &since);
	sy_tcb_stats_write(c, &sum);
}

/* The binding holds the record c of a connection let go again, the same
 * box if it is still alive (true), which then works as before. */
bool sy_lua_away_take_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c)
{
	int top = lua_gettop(L), w;
	struct sy_lua_conn *b;
	struct conn_away *a;

	assert(!c->user && sy_lua_away_has(e, c->id));
	push_weak(L, e);
	w = top + 1;
	lua_rawgeti(L, w, W_BOXES);
	if (lua_rawgeti(L, -1, (lua_Integer)c->id) != LUA_TUSERDATA) {
		lua_settop(L, top);
		return false;
	}
	b = lua_touserdata(L, -1);
	lua_getiuservalue(L, -1, 3);
	a = lua_touserdata(L, -1);
	assert(a && (void *)((uintptr_t)a | AWAY_TAG) == b->ptr && a->id == c->id);
	lua_pop(L, 1);
	/* a record rebuilt since it was let go starts from the endpoint's
	 * defaults (t_open unset); the first one is still whole */
	if (c->t_open < 0) {
		assert(a->saved);
		away_apply(a, c);
	}
	lua_pushnil(L);
	lua_setiuservalue(L, -2, 3);
	lua_getiuservalue(L, -1, 1);
	lua_getiuservalue(L, -1, 3);
	lua_pushvalue(L, -3);
	lua_rawsetp(L, -2, c);
	lua_settop(L, w);
	away_end(L, e, w, c->id);
	lua_settop(L, top);
	c->user = b;
	b->ptr = c;
	e->ls->conn_boxes++;
	return true;
}

/* The connection c, let go, is given to Lua or reports: the binding holds
 * it again, with its box if alive, else with a new one that has its
 * handlers. */
void sy_lua_away_come_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c)
{
	int top = lua_gettop(L);

	if (sy_lua_away_take_back(L, e, c))
		return;
	push_weak(L, e);
	push_away_handlers(L, top + 1, c->id);
	away_end(L, e, top + 1, c->id);
	lua_rawgeti(L, LUA_REGISTRYINDEX, e->box_ref);
	lua_getiuservalue(L, -1, 1);
	sy_lua_push_conn(L, -1, c);
	if (lua_istable(L, top + 2)) {
		struct sy_lua_conn *b = lua_touserdata(L, -1);

		for (int ev = 0; ev < SY_LEV_N; ev++) {
			if (lua_rawgeti(L, top + 2, ev + 1) == LUA_TFUNCTION)
				b->want |= 1u << ev;
			lua_pop(L, 1);
		}
		if (b->want & (1u << SY_LEV_DATA | 1u << SY_LEV_SENT))
			c->want_data = true;
		lua_pushvalue(L, top + 2);
		lua_setiuservalue(L, -2, 2);
	}
	lua_settop(L, top);
}

/* The binding's endpoint of ep (whose simulator's objects table is at
 * objs), or NULL. */
struct sy_lua_ep *sy_lua_ep_of(lua_State *L, int objs, const sy_tcp_ep *ep)
{
	struct sy_lua_ep *e = NULL;
	int top = lua_gettop(L);

	if (lua_rawgetp(L, objs, ep) == LUA_TUSERDATA &&
	    lua_getiuservalue(L, -1, 2) == LUA_TTABLE &&
	    lua_getfield(L, -1, "lep") == LUA_TUSERDATA)
		e = lua_touserdata(L, -1);
	lua_settop(L, top);
	return e;
}

void sy_lua_away_forget(lua_State *L, struct sy_lua_ep *e, uint64_t id)
{
	int top = lua_gettop(L);

	push_weak(L, e);
	away_end(L, e, top + 1, id);
	lua_settop(L, top);
}

bool sy_lua_away_holds(lua_State *L, struct sy_lua_ep *e, const sy_tcb *c)
{
	int top = lua_gettop(L);
	bool take;

	/* about to be compacted: if its box is still alive, the record it
	 * leaves keeps what a rebuilt one would lack (the first time), or
	 * takes the box back (a record rebuilt since, by a segment or a
	 * lookup: what it counted is not lost) */
	push_weak(L, e);
	lua_rawgeti(L, -1, W_BOXES);
	if (lua_rawgeti(L, -1, (lua_Integer)c->id) != LUA_TUSERDATA) {
		lua_settop(L, top);
		return false;
	}
	take = c->t_open < 0;
	if (!take) {
		lua_getiuservalue(L, -1, 3);
		away_save(lua_touserdata(L, -1), c);
	}
	lua_settop(L, top);
	return take && sy_lua_away_take_back(L, e, (sy_tcb *)c);
}

bool sy_lua_away_resolve(lua_State *L, struct sy_lua_conn *b)
{
	if ((uintptr_t)b->ptr & AWAY_TAG) {
		/* let go: found again (rebuilt if compact) and taken back */
		struct conn_away *a = (struct conn_away *)((uintptr_t)b->ptr & ~AWAY_TAG);
		sy_tcb *c = sy_tcp_find(a->ep, a->lport, a->raddr, a->rport);

		if (!c || c->id != a->id || c->user || !sy_lua_away_has(a->e, c->id) ||
		    !sy_lua_away_take_back(L, a->e, c))
			b->ptr = NULL;  /* not expected: its end takes it back */
		return true;
	}
	return false;
}
