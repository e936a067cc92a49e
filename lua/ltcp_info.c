/* What conn.stats and conn:info() read of a connection (ltcp_priv.h):
 * taken from its record, or from the block kept in its box once the
 * record is freed, as Lua tables built only when the script reads them. */
#include "config.h"

#include <stdbool.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "ltcp_priv.h"
#include "tcb.h"
#include "tcp.h"
#include "units.h"

void sy_lua_kept_get(const sy_tcb *c, struct conn_kept *k)
{
	sy_tcb_stats_read(c, &k->st);
	sy_tcb_info_get(c, &k->info);
	k->snd_queued = sy_tcb_snd_queued(c);
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
void sy_lua_push_kept_tables(lua_State *L, int idx)
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
bool sy_lua_push_kept(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	switch (lua_getiuservalue(L, idx, 3)) {
	case LUA_TTABLE:
		return true;
	case LUA_TUSERDATA:
		sy_lua_push_kept_tables(L, -1);
		lua_remove(L, -2);
		lua_pushvalue(L, -1);
		lua_setiuservalue(L, idx, 3);
		return true;
	default:
		lua_pop(L, 1);
		return false;
	}
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

void sy_lua_push_info(lua_State *L, const sy_tcb *c)
{
	struct conn_kept k;

	sy_lua_kept_get(c, &k);
	push_kept_info(L, &k);
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

void sy_lua_push_stats(lua_State *L, const sy_tcb *c)
{
	struct conn_kept k;

	sy_lua_kept_get(c, &k);
	push_kept_stats(L, &k, sy_tcp_cc_name(c));
}

