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
#include "tcb.h"
#include "tcp.h"
#include "tw.h"
#include "units.h"


/* The slots of a handler table (see conn:on): the handlers, then the memo
 * of the table made from it. */
enum { MEMO_EV = SY_LEV_N + 1, MEMO_FN, MEMO_TO, HANDLER_SLOTS = MEMO_TO };

/* A connection whose record was freed (after CLOSED) is gone. */
static sy_tcb *check_conn(lua_State *L, int idx)
{
	return sy_lua_check_box(L, idx, SY_MT_CONN, "connection", NULL);
}
static bool weak_has(const struct sy_lua_ep *e, uint64_t id);
static struct sy_lua_ep *lua_ep_of(lua_State *L, int objs, const sy_tcp_ep *ep);
static void conn_come_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c);

void sy_lua_push_conn(lua_State *L, int sim_idx, sy_tcb *c)
{
	struct sy_lua_sim *ls;
	struct sy_lua_conn *b;

	sim_idx = lua_absindex(L, sim_idx);
	ls = lua_touserdata(L, sim_idx);
	lua_getiuservalue(L, sim_idx, 3);  /* the simulator's objects */
	if (!c->user && ls->conn_weak) {
		/* let go in TIME_WAIT: held again, with its box if alive */
		struct sy_lua_ep *e = lua_ep_of(L, lua_gettop(L), c->ep);

		if (e && weak_has(e, c->id))
			conn_come_back(L, e, c);
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

/* What conn.stats and conn:info() read of a connection, taken when its
 * record is freed and kept in its box (user value 3) as this one block:
 * the tables are built from it only when the script reads them (then
 * kept instead, so that every read gives the same tables).  The
 * congestion control's name is the block's user value. */
struct conn_kept {
	sy_tcb_stats st;
	sy_tcb_info info;
	uint64_t snd_queued, unacked;
	uint32_t iss, irs, snd_nxt, rcv_nxt;
	uint16_t lport, rport, mss_local, mss_peer;
	uint8_t snd_wscale, rcv_wscale, state;
	bool ws_ok, ts_ok, sack_ok, ecn_ok;
};

static void kept_get(const sy_tcb *c, struct conn_kept *k)
{
	k->st = c->st;
	sy_tcb_info_get(c, &k->info);
	k->snd_queued = c->snd_queued;
	k->unacked = sy_tcp_unacked(c);
	k->iss = c->iss;
	k->irs = c->irs;
	k->snd_nxt = c->snd_nxt;
	k->rcv_nxt = c->rcv_nxt;
	k->lport = c->lport;
	k->rport = c->rport;
	k->mss_local = c->mss_local;
	k->mss_peer = c->mss_peer;
	k->snd_wscale = c->snd_wscale;
	k->rcv_wscale = c->rcv_wscale;
	k->state = (uint8_t)c->state;
	k->ws_ok = c->ws_ok;
	k->ts_ok = c->ts_ok;
	k->sack_ok = c->sack_ok;
	k->ecn_ok = (c->ecn & SY_ECN_OK) != 0;
}

static void push_kept_stats(lua_State *L, const struct conn_kept *k, const char *cc);
static void push_kept_info(lua_State *L, const struct conn_kept *k);

/* Builds the tables {stats, info} of the block at idx. */
static void push_kept_tables(lua_State *L, int idx)
{
	const struct conn_kept *k = lua_touserdata(L, idx);

	idx = lua_absindex(L, idx);
	lua_createtable(L, 2, 0);
	lua_getiuservalue(L, idx, 1);
	push_kept_stats(L, k, lua_tostring(L, -1));
	lua_remove(L, -2);
	lua_rawseti(L, -2, 1);
	push_kept_info(L, k);
	lua_rawseti(L, -2, 2);
}

/* The kept tables of the freed connection box at idx (built from its
 * block at the first read), pushed; false (nothing pushed) if it has
 * none. */
static bool push_kept(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	switch (lua_getiuservalue(L, idx, 3)) {
	case LUA_TTABLE:
		return true;
	case LUA_TUSERDATA:
		push_kept_tables(L, -1);
		lua_remove(L, -2);
		lua_pushvalue(L, -1);
		lua_setiuservalue(L, idx, 3);
		return true;
	default:
		lua_pop(L, 1);
		return false;
	}
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

			kept_get(c, k);
			k->state = SY_TCP_CLOSED;
			lua_pushstring(L, sy_tcp_cc_name(c));
			lua_setiuservalue(L, -2, 1);
			if (sy_lua_conn_has_unread(c)) {
				/* rare: the tables now, with the bytes */
				push_kept_tables(L, -1);
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

/* ------------------------------------------- connections let go in TIME_WAIT
 *
 * A connection the script holds enters TIME_WAIT: if no handler that can
 * still fire for it (any but "established") could receive it (each is a
 * Lua function of no parameters, not vararg), the binding lets go of its
 * record, which is compacted as one nobody holds (tw.h), and keeps the box
 * only in a weak table of the endpoint, under the connection's id.  A
 * script that still has the box finds the same object working as before:
 * its first use finds the record again (rebuilt on demand) and takes it
 * back (conn_take_back), with what a rebuilt record would not have (struct
 * conn_away, saved when the record is compacted); so does the binding when
 * the connection reports (its end), or when a lookup or a handler gives
 * it to Lua.  If the box was collected, a new one is made then with the
 * connection's handlers, which take no parameter: they cannot tell it
 * from the old (a handler or lookup that gets it later sees a connection
 * Lua never had, its statistics from its rebuilt record on).  Which records
 * were let go is a bit per id (struct sy_lua_ep); their handler tables
 * are the endpoint's usual one (counted) or, if another, kept by id. */

/* What the box of a connection let go keeps: how to find the record, and
 * (saved when the record is compacted) what conn.stats and conn:info()
 * read of it that a rebuilt record does not have. */
struct conn_away {
	struct sy_lua_ep *e;
	sy_tcp_ep *ep;
	uint64_t id;
	uint32_t raddr;
	uint16_t lport, rport;
	bool saved, want_data;
	sy_tcb_stats st;
	sy_rtt rtt;
	sy_time t_open, t_established, t_first_rx, t_all_acked, t_closed;
	sy_time data_rx_at, data_tx_at, tx_head, last_send;
	uint64_t snd_queued, snd_sent;
	uint32_t cwnd, ssthresh, iw_bytes;
};

#define AWAY_TAG ((uintptr_t)2)

/* The slots of the weak state table (e->weak_ref). */
enum { W_BOXES = 1, W_BITS, W_OTHER, W_USUAL };

static bool weak_has(const struct sy_lua_ep *e, uint64_t id)
{
	uint64_t w;

	if (!e->nweak || id < e->wbase)
		return false;
	w = (id - e->wbase) / 64;
	return w < e->wn && (e->wbits[w] >> (id % 64) & 1);
}

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
	assert(!weak_has(e, id));
	e->wbits[(id - e->wbase) / 64] |= (uint64_t)1 << (id % 64);
	e->nweak++;
	e->ls->conn_weak++;
}

static void weak_clear(struct sy_lua_ep *e, uint64_t id)
{
	assert(weak_has(e, id));
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
static void conn_let_go(struct sy_lua_ep *e, sy_tcb *c, int idx)
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
	a->want_data = c->want_data;
	a->st = c->st;
	a->rtt = c->rtt;
	a->t_open = c->t_open;
	a->t_established = c->t_established;
	a->t_first_rx = c->t_first_rx;
	a->t_all_acked = c->t_all_acked;
	a->t_closed = c->t_closed;
	a->data_rx_at = c->data_rx_at;
	a->data_tx_at = c->data_tx_at;
	a->tx_head = c->tx_head;
	a->last_send = c->last_send;
	a->snd_queued = c->snd_queued;
	a->snd_sent = c->snd_sent;
	a->cwnd = c->cc.cwnd;
	a->ssthresh = c->cc.ssthresh;
	a->iw_bytes = c->iw_bytes;
}

/* The counters of a and what the rebuilt record counted since, added. */
static void stats_add(sy_tcb_stats *to, const sy_tcb_stats *a)
{
#define ADD(f) to->f += a->f
	ADD(syns_sent); ADD(synacks_sent); ADD(retransmissions);
	ADD(rsts_sent); ADD(rsts_received); ADD(challenge_acks);
	ADD(challenge_acks_suppressed); ADD(invalid_acks_suppressed);
	ADD(fast_retransmits); ADD(timeouts); ADD(dupacks_in);
	ADD(zero_window_probes); ADD(bad_options); ADD(segments_out);
	ADD(segments_in); ADD(bytes_sent); ADD(bytes_retransmitted);
	ADD(bytes_acked); ADD(bytes_received); ADD(bytes_duplicate);
	ADD(segments_ooo); ADD(tlp_probes); ADD(tlp_recoveries);
	ADD(ecn_ce_received); ADD(ecn_ece_received); ADD(ecn_reductions);
	ADD(ecn_cwr_sent); ADD(dsacks_received); ADD(dsack_undos);
	ADD(rack_lost); ADD(rack_reo_timeouts); ADD(rack_reord_seen);
	ADD(rack_reo_wnd_grown); ADD(frto_spurious); ADD(ts_undos);
#undef ADD
}

/* every counter is added above: one more must be added there too */
_Static_assert(sizeof(sy_tcb_stats) == 28 * 4 + 8 * 8, "stats_add adds every counter");

/* A rebuilt record c of a let go (it starts with defaults): given back
 * what it had, the counters since added. */
static void away_apply(const struct conn_away *a, sy_tcb *c)
{
	sy_tcb_stats st = a->st;

	stats_add(&st, &c->st);
	c->st = st;
	c->want_data = a->want_data;
	c->rtt = a->rtt;
	c->t_open = a->t_open;
	c->t_established = a->t_established;
	c->t_first_rx = a->t_first_rx;
	c->t_all_acked = a->t_all_acked;
	c->t_closed = a->t_closed;
	c->data_rx_at = a->data_rx_at;
	c->data_tx_at = a->data_tx_at;
	c->tx_head = a->tx_head;
	c->last_send = a->last_send;
	c->snd_queued = a->snd_queued;
	c->snd_sent = a->snd_sent;
	c->cc.cwnd = a->cwnd;
	c->cc.ssthresh = a->ssthresh;
	c->iw_bytes = a->iw_bytes;
}

/* The binding holds the record c of a connection let go again, the same
 * box if it is still alive (true), which then works as before. */
static bool conn_take_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c)
{
	int top = lua_gettop(L), w;
	struct sy_lua_conn *b;
	struct conn_away *a;

	assert(!c->user && weak_has(e, c->id));
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
static void conn_come_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c)
{
	int top = lua_gettop(L);

	if (conn_take_back(L, e, c))
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
static struct sy_lua_ep *lua_ep_of(lua_State *L, int objs, const sy_tcp_ep *ep)
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

static void observer(void *ctx, sy_tcb *c, sy_tcp_state from, sy_tcp_state to,
		     sy_tcp_cause cause)
{
	struct sy_lua_ep *e = ctx;
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;
	struct sy_lua_conn *b = c->user;
	int top, conn;

	if (!b && e->nweak && weak_has(e, c->id)) {
		lua_State *wl = L ? L : e->Lmain;

		/* let go in TIME_WAIT: its end is told as ever, to its box if
		 * alive, else to a new one; a record freed needs none */
		if (from == to && cause == SY_TCP_CAUSE_FREED) {
			if (!conn_take_back(wl, e, c)) {
				top = lua_gettop(wl);
				push_weak(wl, e);
				away_end(wl, e, top + 1, c->id);
				lua_settop(wl, top);
			}
		} else {
			conn_come_back(wl, e, c);
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
		conn_let_go(e, c, top + 2);
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
	int top;
	bool take;

	if (c->user || (e->want & SY_LEP_STATE))
		return true;
	if (!e->nweak || !weak_has(e, c->id))
		return false;
	/* let go, about to be compacted: if its box is still alive, the
	 * record it leaves keeps what a rebuilt one would lack (the first
	 * time), or takes the box back (a record rebuilt since, by a
	 * segment or a lookup: what it counted is not lost) */
	top = lua_gettop(L);
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
	return take && conn_take_back(L, e, (sy_tcb *)c);
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
	if ((uintptr_t)b->ptr & AWAY_TAG) {
		/* let go: found again (rebuilt if compact) and taken back */
		struct conn_away *a = (struct conn_away *)((uintptr_t)b->ptr & ~AWAY_TAG);
		sy_tcb *c = sy_tcp_find(a->ep, a->lport, a->raddr, a->rport);

		if (!c || c->id != a->id || c->user || !weak_has(a->e, c->id) ||
		    !conn_take_back(L, a->e, c))
			b->ptr = NULL;  /* not expected: its end takes it back */
		return;
	}
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

static void push_kept_info(lua_State *L, const struct conn_kept *k)
{
	const sy_tcb_info *i = &k->info;

	lua_createtable(L, 0, 12);
	sy_lua_set_int(L, "cwnd", i->cwnd);
	sy_lua_set_int(L, "ssthresh", i->ssthresh);
	sy_lua_set_int(L, "snd_wnd", i->snd_wnd);
	sy_lua_set_int(L, "rcv_wnd", i->rcv_wnd);
	sy_lua_set_int(L, "flight", i->flight);
	sy_lua_set_int(L, "pipe", i->pipe);
	lua_pushnumber(L, sy_time_to_sec(i->srtt));
	lua_setfield(L, -2, "srtt");
	lua_pushnumber(L, sy_time_to_sec(i->rttvar));
	lua_setfield(L, -2, "rttvar");
	lua_pushnumber(L, sy_time_to_sec(i->rto));
	lua_setfield(L, -2, "rto");
	lua_pushboolean(L, i->in_recovery);
	lua_setfield(L, -2, "in_recovery");
	sy_lua_set_int(L, "bytes_acked", k->st.bytes_acked);
	sy_lua_set_int(L, "bytes_received", k->st.bytes_received);
	sy_lua_set_int(L, "unacked", k->unacked);
}

static void push_info(lua_State *L, const sy_tcb *c)
{
	struct conn_kept k;

	kept_get(c, &k);
	push_kept_info(L, &k);
}

/* conn:info(): cwnd, ssthresh, windows, flight, pipe, srtt, rttvar, rto
 * (seconds), in_recovery, bytes acknowledged and received. */
static int conn_info(lua_State *L)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

	if (!b->ptr && push_kept(L, 1)) {
		lua_rawgeti(L, -1, 2);
		return 1;  /* as it was when the connection went */
	}
	push_info(L, check_conn(L, 1));
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
	push_info(L, b->ptr);
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

static void push_stats(lua_State *L, const sy_tcb *c);

static int conn_stats(lua_State *L)
{
	struct sy_lua_box *b = sy_lua_check_obj(L, 1, SY_MT_CONN, NULL);

	if (!b->ptr && push_kept(L, 1)) {
		lua_rawgeti(L, -1, 1);
		return 1;  /* as they were when the connection went */
	}
	push_stats(L, check_conn(L, 1));
	return 1;
}

static void push_kept_stats(lua_State *L, const struct conn_kept *k, const char *cc)
{
	lua_createtable(L, 0, 40);  /* every field below: no rehash */
	sy_lua_set_int(L, "syns_sent", k->st.syns_sent);
	sy_lua_set_int(L, "synacks_sent", k->st.synacks_sent);
	sy_lua_set_int(L, "retransmissions", k->st.retransmissions);
	sy_lua_set_int(L, "rsts_sent", k->st.rsts_sent);
	sy_lua_set_int(L, "rsts_received", k->st.rsts_received);
	sy_lua_set_int(L, "challenge_acks", k->st.challenge_acks);
	sy_lua_set_int(L, "challenge_acks_suppressed", k->st.challenge_acks_suppressed);
	sy_lua_set_int(L, "invalid_acks_suppressed", k->st.invalid_acks_suppressed);
	sy_lua_set_int(L, "iss", k->iss);
	sy_lua_set_int(L, "irs", k->irs);
	sy_lua_set_int(L, "snd_nxt", k->snd_nxt);
	sy_lua_set_int(L, "rcv_nxt", k->rcv_nxt);
	sy_lua_set_int(L, "lport", k->lport);
	sy_lua_set_int(L, "mss_local", k->mss_local);
	sy_lua_set_int(L, "mss_peer", k->mss_peer);
	sy_lua_set_int(L, "snd_wscale", k->snd_wscale);
	sy_lua_set_int(L, "rcv_wscale", k->rcv_wscale);
	lua_pushboolean(L, k->ws_ok);
	lua_setfield(L, -2, "window_scaling");
	lua_pushboolean(L, k->ts_ok);
	lua_setfield(L, -2, "timestamps");
	lua_pushboolean(L, k->sack_ok);
	lua_setfield(L, -2, "sack");
	lua_pushboolean(L, k->ecn_ok);
	lua_setfield(L, -2, "ecn");
	sy_lua_set_int(L, "ecn_ce_received", k->st.ecn_ce_received);
	sy_lua_set_int(L, "ecn_ece_received", k->st.ecn_ece_received);
	sy_lua_set_int(L, "ecn_reductions", k->st.ecn_reductions);
	sy_lua_set_int(L, "ecn_cwr_sent", k->st.ecn_cwr_sent);
	sy_lua_set_int(L, "rport", k->rport);
	sy_lua_set_int(L, "fast_retransmits", k->st.fast_retransmits);
	sy_lua_set_int(L, "timeouts", k->st.timeouts);
	sy_lua_set_int(L, "tlp_probes", k->st.tlp_probes);
	sy_lua_set_int(L, "tlp_recoveries", k->st.tlp_recoveries);
	sy_lua_set_int(L, "dsacks_received", k->st.dsacks_received);
	sy_lua_set_int(L, "dsack_undos", k->st.dsack_undos);
	sy_lua_set_int(L, "rack_lost", k->st.rack_lost);
	sy_lua_set_int(L, "rack_reo_timeouts", k->st.rack_reo_timeouts);
	sy_lua_set_int(L, "rack_reord_seen", k->st.rack_reord_seen);
	sy_lua_set_int(L, "rack_reo_wnd_grown", k->st.rack_reo_wnd_grown);
	sy_lua_set_int(L, "frto_spurious", k->st.frto_spurious);
	sy_lua_set_int(L, "ts_undos", k->st.ts_undos);
	sy_lua_set_int(L, "dupacks_in", k->st.dupacks_in);
	sy_lua_set_int(L, "zero_window_probes", k->st.zero_window_probes);
	sy_lua_set_int(L, "bad_options", k->st.bad_options);
	sy_lua_set_int(L, "segments_in", k->st.segments_in);
	sy_lua_set_int(L, "segments_out", k->st.segments_out);
	sy_lua_set_int(L, "bytes_sent", k->st.bytes_sent);
	sy_lua_set_int(L, "bytes_retransmitted", k->st.bytes_retransmitted);
	sy_lua_set_int(L, "bytes_acked", k->st.bytes_acked);
	sy_lua_set_int(L, "bytes_received", k->st.bytes_received);
	sy_lua_set_int(L, "bytes_duplicate", k->st.bytes_duplicate);
	sy_lua_set_int(L, "segments_ooo", k->st.segments_ooo);
	sy_lua_set_int(L, "bytes_queued", k->snd_queued);
	lua_pushstring(L, cc);
	lua_setfield(L, -2, "cc");
	lua_pushstring(L, sy_tcp_state_name((sy_tcp_state)k->state));
	lua_setfield(L, -2, "state");
}

static void push_stats(lua_State *L, const sy_tcb *c)
{
	struct conn_kept k;

	kept_get(c, &k);
	push_kept_stats(L, &k, sy_tcp_cc_name(c));
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
