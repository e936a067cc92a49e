/* Lua binding of the statistics: synack.summary, synack.series,
 * sim:every, sim:tcp_table and sim:write_tcp_csv; and the pure-Lua
 * helpers synack.csv, synack.plot and synack.models, loaded on first use.
 *
 * The connection table (stats.h) costs time at every state change and
 * a row per connection, so a simulator keeps one only once a script asks
 * for it (sim:tcp_table, sim:write_tcp_csv, sim:record) before its first
 * connection; asked for later, it would miss rows, so it is an error
 * saying what to call first.  It is freed after the network. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpriv.h"
#include "outfile.h"
#include "stats.h"
#include "tcp.h"
#include "units.h"

#define MT_SERIES "synack.series"

/* ------------------------------------------------------------ summaries */

static void set_num(lua_State *L, const char *k, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

static void push_summary(lua_State *L, const sy_summary *s)
{
	lua_createtable(L, 0, 8);
	lua_pushinteger(L, (lua_Integer)s->count);
	lua_setfield(L, -2, "count");
	if (!s->count)
		return; /* the rest is undefined: nil */
	set_num(L, "mean", s->mean);
	set_num(L, "min", s->min);
	set_num(L, "max", s->max);
	set_num(L, "sd", s->sd);
	set_num(L, "p50", s->p50);
	set_num(L, "p90", s->p90);
	set_num(L, "p99", s->p99);
}

/* Summarises n values; the buffer is a userdata, so that an error leaks
 * nothing. */
static int summarize(lua_State *L, const double *v, size_t n, const char *fname)
{
	sy_summary s;
	sy_err err;

	if (sy_summarize(v, n, &s, &err) < 0)
		return luaL_error(L, "%s: %s", fname, err.msg);
	push_summary(L, &s);
	return 1;
}

/* synack.summary(list): count, mean, min, max, sd (sample: n - 1), p50,
 * p90, p99 (linear interpolation between closest ranks); an empty list
 * has only count = 0. */
static int l_summary(lua_State *L)
{
	size_t n;
	double *v;

	luaL_checktype(L, 1, LUA_TTABLE);
	n = (size_t)luaL_len(L, 1);
	v = lua_newuserdatauv(L, (n ? n : 1) * sizeof *v, 0);
	for (size_t i = 0; i < n; i++) {
		int isnum;

		lua_geti(L, 1, (lua_Integer)i + 1);
		v[i] = lua_tonumberx(L, -1, &isnum);
		if (!isnum || lua_type(L, -1) != LUA_TNUMBER)
			return luaL_error(L, "summary: element %d is a %s, not a number",
					  (int)i + 1, luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	return summarize(L, v, n, "summary");
}

/* ------------------------------------------------------------ series */

/* A series: (t, v) pairs; user value 1 is its name. */
struct lseries {
	sy_series s;
};

static struct lseries *check_series(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_SERIES);
}

/* synack.series(name) */
static int l_series(lua_State *L)
{
	struct lseries *s;

	sy_lua_check_string(L, 1, NULL);
	s = lua_newuserdatauv(L, sizeof *s, 1);
	sy_series_init(&s->s);
	luaL_setmetatable(L, MT_SERIES);
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	return 1;
}

static int series_gc(lua_State *L)
{
	sy_series_free(&check_series(L, 1)->s);
	return 0;
}

/* series:add(t, v): t in seconds (a number or a string with a unit);
 * returns the series. */
static int series_add(lua_State *L)
{
	struct lseries *s = check_series(L, 1);
	double t, v;
	sy_err err;

	if (lua_type(L, 2) == LUA_TSTRING)
		t = sy_time_to_sec(sy_lua_check_time(L, 2));
	else
		t = luaL_checknumber(L, 2);
	if (lua_isboolean(L, 3))
		v = lua_toboolean(L, 3);
	else
		v = luaL_checknumber(L, 3);
	if (sy_series_add(&s->s, t, v, &err) < 0)
		return luaL_error(L, "series:add: %s", err.msg);
	lua_settop(L, 1);
	return 1;
}

static int push_array(lua_State *L, const double *a, size_t n)
{
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushnumber(L, a[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int series_times(lua_State *L)
{
	struct lseries *s = check_series(L, 1);

	return push_array(L, s->s.t, s->s.n);
}

static int series_values(lua_State *L)
{
	struct lseries *s = check_series(L, 1);

	return push_array(L, s->s.v, s->s.n);
}

/* series:summary(): of the values, as synack.summary */
static int series_summary(lua_State *L)
{
	struct lseries *s = check_series(L, 1);

	return summarize(L, s->s.v, s->s.n, "series:summary");
}

static int series_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_series(L, 1)->s.n);
	return 1;
}

static int series_tostring(lua_State *L)
{
	struct lseries *s = check_series(L, 1);

	lua_getiuservalue(L, 1, 1);
	lua_pushfstring(L, "synack.series (%s, %I samples)", lua_tostring(L, -1),
			(lua_Integer)s->s.n);
	return 1;
}

/* series.name is a field; the rest are methods. */
static int series_index(lua_State *L)
{
	size_t len;
	const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &len) : NULL;

	check_series(L, 1);
	if (k && len == 4 && memcmp(k, "name", 4) == 0) {
		lua_getiuservalue(L, 1, 1);
		return 1;
	}
	lua_pushvalue(L, 2);
	lua_gettable(L, lua_upvalueindex(1));
	return 1;
}

static const luaL_Reg series_methods[] = {
	{ "add", series_add },
	{ "times", series_times },
	{ "values", series_values },
	{ "summary", series_summary },
	{ NULL, NULL },
};

/* ------------------------------------------------------------ sim:every */

/* A sampler; its userdata (user value 1: the function) is kept in the
 * simulator's callback table while it runs. */
struct every {
	struct sy_lua_sim *ls;
	sy_time interval;
	int ref;
	bool stop;
};

/* Calls the sampler's function (the userdata at 1) with the time. */
static int every_call(lua_State *L)
{
	struct every *e = lua_touserdata(L, 1);

	lua_getiuservalue(L, 1, 1);
	lua_pushnumber(L, sy_time_to_sec(sy_sim_now(e->ls->sim)));
	lua_call(L, 1, 1);
	e->stop = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
	return 0;
}

static void every_tick(sy_sim *sim, void *arg, uint64_t data)
{
	struct every *e = arg;
	struct sy_lua_sim *ls = e->ls;
	lua_State *L = ls->L;
	int failed;

	ls->samplers--;
	lua_pushcfunction(L, every_call);
	lua_rawgeti(L, ls->cb_idx, e->ref);
	failed = sy_lua_call(ls, 1) < 0;
	/* Only while something other than samplers is pending: a sampler
	 * must not keep an otherwise finished run alive. */
	if (!failed && !e->stop && sy_sim_size(sim) > (size_t)ls->samplers) {
		if (sy_sim_after(sim, e->interval, every_tick, e, 0, NULL, NULL) == 0) {
			ls->samplers++;
			return;
		}
		sy_sim_fail(sim, "out of memory scheduling the next call of sim:every");
	}
	luaL_unref(L, ls->cb_idx, e->ref);
	(void)data;
}

/* sim:every(interval, fn): fn(t) now and every interval after, while any
 * event other than samplers is pending; fn returning false stops it. */
static int sim_every(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_time iv = sy_lua_check_time(L, 2);
	struct every *e;
	sy_err err;

	luaL_argcheck(L, iv > 0, 2, "the interval must be positive");
	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_settop(L, 3);
	e = lua_newuserdatauv(L, sizeof *e, 1);
	e->ls = ls;
	e->interval = iv;
	e->stop = false;
	lua_pushvalue(L, 3);
	lua_setiuservalue(L, 4, 1);
	lua_getiuservalue(L, 1, 1);  /* the callbacks of pending events */
	lua_pushvalue(L, 4);
	e->ref = luaL_ref(L, -2);
	if (sy_sim_after(ls->sim, 0, every_tick, e, 0, NULL, &err) < 0) {
		luaL_unref(L, -1, e->ref);
		return luaL_error(L, "every: %s", err.msg);
	}
	ls->samplers++;
	return 0;
}

/* ------------------------------------------------------------ connections */

static void push_endpoint(lua_State *L, uint32_t a, uint16_t port)
{
	char s[16];

	sy_ipv4_format(a, s);
	lua_pushfstring(L, "%s:%d", s, (int)port);
}

/* A duration since open in seconds, or nil. */
static void set_since(lua_State *L, const char *k, sy_time t, sy_time open)
{
	if (t < 0)
		return;
	lua_pushnumber(L, sy_time_to_sec(t - open));
	lua_setfield(L, -2, k);
}

static void push_row(lua_State *L, sy_net *net, const sy_tcp_row *r, sy_time now)
{
	lua_createtable(L, 0, 22);
	lua_pushinteger(L, (lua_Integer)r->id);
	lua_setfield(L, -2, "id");
	lua_pushstring(L, sy_node_name(sy_net_node_at(net, r->node)));
	lua_setfield(L, -2, "node");
	lua_pushstring(L, r->server ? "server" : "client");
	lua_setfield(L, -2, "side");
	push_endpoint(L, r->laddr, r->lport);
	lua_setfield(L, -2, "local");
	push_endpoint(L, r->raddr, r->rport);
	lua_setfield(L, -2, "remote");
	lua_pushstring(L, r->cc);
	lua_setfield(L, -2, "cc");
	lua_pushstring(L, sy_tcp_state_name(r->state));
	lua_setfield(L, -2, "state");
	set_num(L, "open", sy_time_to_sec(r->t_open));
	set_since(L, "handshake_time", r->t_established, r->t_open);
	set_since(L, "ttfb", r->t_first_rx, r->t_open);
	set_since(L, "completion", r->t_all_acked, r->t_open);
	if (r->t_closed >= 0)
		set_num(L, "closed", sy_time_to_sec(r->t_closed));
	sy_lua_set_int(L, "bytes_sent", r->bytes_sent);
	sy_lua_set_int(L, "bytes_received", r->bytes_received);
	if (r->t_established >= 0) {
		sy_time end = r->t_closed >= 0 ? r->t_closed : now;

		if (end > r->t_established)
			set_num(L, "goodput", (double)r->bytes_received /
				sy_time_to_sec(end - r->t_established));
	}
	sy_lua_set_int(L, "retransmissions", r->retransmissions);
	sy_lua_set_int(L, "timeouts", r->timeouts);
	sy_lua_set_int(L, "fast_retransmits", r->fast_retransmits);
	sy_lua_set_int(L, "rsts_sent", r->rsts_sent);
	sy_lua_set_int(L, "rsts_received", r->rsts_received);
	sy_lua_set_int(L, "zero_window_probes", r->zero_window_probes);
}

/* The columns of the table, in CSV order. */
static const char *const tcp_columns[] = {
	"id", "node", "side", "local", "remote", "cc", "state", "open",
	"handshake_time", "ttfb", "completion", "closed", "bytes_sent",
	"bytes_received", "goodput", "retransmissions", "timeouts",
	"fast_retransmits", "rsts_sent", "rsts_received", "zero_window_probes",
	NULL,
};

/* Whether a connection can have existed in the network: each one sent
 * (an active open) or received (a passive one) a segment through its
 * endpoint. */
static bool had_connections(sy_net *net)
{
	for (size_t i = 0; net && i < sy_net_nodes(net); i++) {
		const sy_tcp_ep *ep = sy_tcp_ep_of(sy_net_node_at(net, i));

		if (ep && (sy_tcp_ep_stats_get(ep)->segments_out ||
			   sy_tcp_ep_stats_get(ep)->segments_in))
			return true;
	}
	return false;
}

bool sy_lua_stats_keep(lua_State *L, struct sy_lua_sim *ls)
{
	if (ls->tcp_table)
		return true;
	if (!ls->net) {
		ls->want_table = true;  /* made with the network */
		return true;
	}
	if (had_connections(ls->net))
		return false;
	ls->want_table = true;
	sy_lua_stats_net(L, ls);
	return true;
}

/* The table, kept from now on; an error naming fname when connections
 * it would miss have been made already. */
static sy_tcp_table *need_table(lua_State *L, struct sy_lua_sim *ls, const char *fname)
{
	if (!sy_lua_stats_keep(L, ls))
		luaL_error(L, "%s: the connection table was not kept: call sim:tcp_table() "
			   "(or sim:record()) before the first connection, e.g. right after "
			   "creating the simulator, to have it", fname);
	return ls->tcp_table;
}

/* sim:tcp_table(): a row per connection the simulator has had, in order
 * of creation.  open and closed are times; handshake_time, ttfb and
 * completion durations since open (s); goodput bytes received per second
 * from established to closed (or now). */
static int sim_tcp_table(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	const char *fname = lua_isstring(L, lua_upvalueindex(1)) ?
		lua_tostring(L, lua_upvalueindex(1)) : "tcp_table";
	sy_tcp_table *t = need_table(L, ls, fname);
	size_t n = t ? sy_tcp_table_rows(t) : 0;
	sy_time now = sy_sim_now(ls->sim);

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		sy_tcp_row r;

		sy_tcp_table_row(t, i, &r);
		push_row(L, ls->net, &r, now);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* sim:write_tcp_csv(path): the table formatted by synack.csv.format,
 * with the columns in a fixed order, written whole (outfile.h). */
static int sim_write_tcp_csv(lua_State *L)
{
	const char *path, *text;
	size_t n;
	sy_err err;

	sy_lua_check_sim(L, 1);
	path = sy_lua_check_string(L, 2, NULL);
	lua_settop(L, 2);
	lua_getglobal(L, "require");
	lua_pushliteral(L, "synack.csv");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "format");   /* 4 */
	lua_pushliteral(L, "write_tcp_csv");
	lua_pushcclosure(L, sim_tcp_table, 1);
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	lua_newtable(L);
	for (int i = 0; tcp_columns[i]; i++) {
		lua_pushstring(L, tcp_columns[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_call(L, 2, 1);
	text = luaL_checklstring(L, -1, &n);
	if (sy_out_whole(path, text, n, &err) < 0)
		return luaL_error(L, "write_tcp_csv: %s", err.msg);
	return 0;
}

/* synack.write_file(path, text): text as the whole of file path: a
 * regular file is replaced only once everything was written, anything
 * else (a link, a device) written through; every write is checked and a
 * failure names the file. */
static int l_write_file(lua_State *L)
{
	const char *path = sy_lua_check_string(L, 1, NULL);
	size_t n;
	const char *text = luaL_checklstring(L, 2, &n);
	sy_err err;

	if (sy_out_whole(path, text, n, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* sim:totals(): the whole run's figures: virtual time, events run; over
 * every link direction, packets and bytes offered and delivered, drops
 * by reason, corrupted and duplicated packets; over every node, packets
 * originated, received and forwarded; over every TCP connection, their
 * number, established ones, bytes sent and received, retransmissions,
 * timeouts and fast retransmits; resets sent by every endpoint (those
 * answering segments without a socket included). */
static int sim_totals(lua_State *L)
{
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_net *net = sy_lua_net_of(L, ls);
	uint64_t sp = 0, sb = 0, dp = 0, db = 0, corrupted = 0, duplicated = 0;
	uint64_t drops[SY_DROP_REASONS] = { 0 }, nsent = 0, nrecv = 0, nfwd = 0;
	uint64_t conns = 0, est = 0, tx = 0, rx = 0, rtx = 0, tos = 0, frs = 0, rsts = 0;
	sy_tcp_table *t = need_table(L, ls, "totals");
	size_t n = t ? sy_tcp_table_rows(t) : 0;

	for (size_t i = 0; i < sy_net_links(net); i++)
		for (int d = 0; d < 2; d++) {
			sy_dir_stats st = sy_link_stats(sy_net_link_at(net, i), d);

			sp += st.sent_packets;
			sb += st.sent_bytes;
			dp += st.delivered_packets;
			db += st.delivered_bytes;
			corrupted += st.corrupted;
			duplicated += st.duplicated;
			for (int r = 0; r < SY_DROP_REASONS; r++)
				drops[r] += st.drops[r];
		}
	for (size_t i = 0; i < sy_net_nodes(net); i++) {
		const sy_node_stats *st = sy_node_stats_get(sy_net_node_at(net, i));

		const sy_tcp_ep *ep = sy_tcp_ep_of(sy_net_node_at(net, i));

		nsent += st->sent;
		nrecv += st->received;
		nfwd += st->forwarded;
		if (ep)
			rsts += sy_tcp_ep_stats_get(ep)->rst_out;
	}
	for (size_t i = 0; i < n; i++) {
		sy_tcp_row r;

		sy_tcp_table_row(t, i, &r);
		conns++;
		est += r.t_established >= 0;
		tx += r.bytes_sent;
		rx += r.bytes_received;
		rtx += r.retransmissions;
		tos += r.timeouts;
		frs += r.fast_retransmits;
	}
	lua_createtable(L, 0, 24);
	lua_pushnumber(L, sy_time_to_sec(sy_sim_now(ls->sim)));
	lua_setfield(L, -2, "time");
	sy_lua_set_int(L, "events", sy_sim_fired(ls->sim));
	sy_lua_set_int(L, "sent_packets", sp);
	sy_lua_set_int(L, "sent_bytes", sb);
	sy_lua_set_int(L, "delivered_packets", dp);
	sy_lua_set_int(L, "delivered_bytes", db);
	sy_lua_set_int(L, "corrupted", corrupted);
	sy_lua_set_int(L, "duplicated", duplicated);
	lua_createtable(L, 0, SY_DROP_REASONS);
	for (int r = 0; r < SY_DROP_REASONS; r++)
		sy_lua_set_int(L, sy_drop_name((sy_drop)r), drops[r]);
	lua_setfield(L, -2, "drops");
	sy_lua_set_int(L, "originated", nsent);
	sy_lua_set_int(L, "received", nrecv);
	sy_lua_set_int(L, "forwarded", nfwd);
	sy_lua_set_int(L, "tcp_connections", conns);
	sy_lua_set_int(L, "tcp_established", est);
	sy_lua_set_int(L, "tcp_bytes_sent", tx);
	sy_lua_set_int(L, "tcp_bytes_received", rx);
	sy_lua_set_int(L, "tcp_retransmissions", rtx);
	sy_lua_set_int(L, "tcp_timeouts", tos);
	sy_lua_set_int(L, "tcp_fast_retransmits", frs);
	sy_lua_set_int(L, "tcp_resets", rsts);
	return 1;
}

/* ------------------------------------------------------------ module */

/* synack.csv, synack.plot, synack.models: require "synack.NAME" on
 * first use. */
static int module_index(lua_State *L)
{
	static const char *const lazy[] = { "csv", "plot", "models", NULL };
	size_t len;
	const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &len) : NULL;

	for (int i = 0; k && lazy[i]; i++)
		if (len == strlen(lazy[i]) && memcmp(k, lazy[i], len) == 0) {
			lua_getglobal(L, "require");
			lua_pushfstring(L, "synack.%s", k);
			lua_call(L, 1, 1);
			lua_pushvalue(L, 2);
			lua_pushvalue(L, -2);
			lua_rawset(L, 1);
			return 1;
		}
	return 0;
}

static const luaL_Reg stats_funcs[] = {
	{ "summary", l_summary },
	{ "series", l_series },
	{ "write_file", l_write_file },
	{ NULL, NULL },
};

static const luaL_Reg sim_stats_methods[] = {
	{ "every", sim_every },
	{ "tcp_table", sim_tcp_table },
	{ "write_tcp_csv", sim_write_tcp_csv },
	{ "totals", sim_totals },
	{ NULL, NULL },
};

void sy_lua_stats_module(lua_State *L)
{
	luaL_setfuncs(L, stats_funcs, 0);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, module_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}

void sy_lua_open_stats(lua_State *L)
{
	sy_lua_new_class(L, MT_SERIES, series_methods, series_gc, series_tostring);
	luaL_getmetatable(L, MT_SERIES);
	lua_getfield(L, -1, "__index");
	lua_pushcclosure(L, series_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, series_len);
	lua_setfield(L, -2, "__len");
	lua_pop(L, 1);
	luaL_getmetatable(L, SY_MT_SIM);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, sim_stats_methods, 0);
	lua_pop(L, 2);
}

void sy_lua_stats_net(lua_State *L, struct sy_lua_sim *ls)
{
	sy_err err;

	if (ls->want_table && !ls->tcp_table && ls->net &&
	    !(ls->tcp_table = sy_tcp_table_new(ls->net, &err)))
		luaL_error(L, "%s", err.msg);
}

void sy_lua_stats_close(struct sy_lua_sim *ls)
{
	sy_tcp_table_free(ls->tcp_table);
	ls->tcp_table = NULL;
	ls->want_table = false;
	ls->samplers = 0;
}
