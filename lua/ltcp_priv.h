/* The Lua binding of connections, shared by ltcp.c (the objects, their
 * handlers and methods), ltcp_info.c (conn.stats and conn:info()) and
 * ltcp_away.c (connections let go in TIME_WAIT). */
#ifndef SY_LTCP_PRIV_H
#define SY_LTCP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "lpriv.h"
#include "tcb.h"

/* The slots of a handler table (see conn:on): the handlers, then the memo
 * of the table made from it. */
enum { MEMO_EV = SY_LEV_N + 1, MEMO_FN, MEMO_TO, HANDLER_SLOTS = MEMO_TO };

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

/* c's figures into k; the tables {stats, info} of the block at idx
 * pushed; the kept tables of the freed connection box at idx pushed
 * (false, nothing pushed, if it has none); c's conn:info() and
 * conn.stats tables pushed. */
void sy_lua_kept_get(const sy_tcb *c, struct conn_kept *k);
void sy_lua_push_kept_tables(lua_State *L, int idx);
bool sy_lua_push_kept(lua_State *L, int idx);
void sy_lua_push_info(lua_State *L, const sy_tcb *c);
void sy_lua_push_stats(lua_State *L, const sy_tcb *c);

/* Whether the connection id of e was let go in TIME_WAIT. */
static inline bool sy_lua_away_has(const struct sy_lua_ep *e, uint64_t id)
{
	uint64_t w;

	if (!e->nweak || id < e->wbase)
		return false;
	w = (id - e->wbase) / 64;
	return w < e->wn && (e->wbits[w] >> (id % 64) & 1);
}

/* The binding's endpoint of ep (whose simulator's objects table is at
 * objs), or NULL. */
struct sy_lua_ep *sy_lua_ep_of(lua_State *L, int objs, const sy_tcp_ep *ep);
/* c, whose box is at idx, has just entered TIME_WAIT: lets go of it if
 * nothing but the box could read it. */
void sy_lua_away_let_go(struct sy_lua_ep *e, sy_tcb *c, int idx);
/* The binding holds the record c of a connection let go again: with the
 * same box if it is still alive (true); with a new one that has its
 * handlers (come_back); or forgets it (forget: a record being freed). */
bool sy_lua_away_take_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c);
void sy_lua_away_come_back(lua_State *L, struct sy_lua_ep *e, sy_tcb *c);
void sy_lua_away_forget(lua_State *L, struct sy_lua_ep *e, uint64_t id);
/* Whether the binding still holds c, let go and about to be compacted
 * (its box alive and c rebuilt since: taken back). */
bool sy_lua_away_holds(lua_State *L, struct sy_lua_ep *e, const sy_tcb *c);
/* A box of a connection let go, found again and taken back (true), or
 * not such a box (false). */
bool sy_lua_away_resolve(lua_State *L, struct sy_lua_conn *b);

#endif
