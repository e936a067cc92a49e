/* Lua binding of the network model: sim:duplex_link and the link object
 * (boxes, as nodes are: see lnet.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lnet.h"
#include "lpriv.h"
#include "net.h"
#include "trace.h"
#include "units.h"

#define MT_NODE SY_MT_NODE
#define MT_LINK "synack.link"
#define MT_LINKOPTS "synack.linkopts"

static sy_link *check_link(lua_State *L, int idx)
{
	return sy_lua_check_box(L, idx, MT_LINK, "link", NULL);
}

/* ------------------------------------------------------------ link options */

/* The options being built, in a userdata whose __gc frees any instance
 * still in it: an error half-way leaks nothing.  sy_net_link takes the
 * instances (zeroing them) or frees them. */
static int linkopts_gc(lua_State *L)
{
	sy_link_opts *o = luaL_checkudata(L, 1, MT_LINKOPTS);

	for (int d = 0; d < 2; d++) {
		sy_instance_free(&o->dir[d].queue);
		for (int i = 0; i < SY_LOSS_CHAIN_MAX; i++)
			sy_instance_free(&o->dir[d].loss[i]);
	}
	return 0;
}

/* A rate or size option of duplex_link or send_raw. */
static int64_t opt_quantity(lua_State *L, int idx, const char *key, bool rate)
{
	sy_err err;
	int64_t v;
	int rc = rate ? sy_lua_to_quantity(L, idx, sy_parse_rate, sy_rate_from_number, &v, &err) :
			sy_lua_to_quantity(L, idx, sy_parse_size, sy_size_from_number, &v, &err);

	if (rc == -2)
		return luaL_error(L, "option '%s' must be %s", key, rate ?
				  "a rate (bit/s, or a string such as \"10Mbps\")" :
				  "a size (bytes, or a string such as \"1500B\")");
	if (rc < 0)
		return luaL_error(L, "option '%s': %s", key, err.msg);
	return v;
}

static int64_t opt_rate(lua_State *L, int idx, const char *key)
{
	return opt_quantity(L, idx, key, true);
}

int64_t sy_lua_opt_size(lua_State *L, int idx, const char *key)
{
	return opt_quantity(L, idx, key, false);
}

static sy_time opt_delay(lua_State *L, int idx)
{
	sy_err err;
	sy_time t;
	int rc;

	if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0 &&
	    lua_tointeger(L, idx) <= SY_TIME_NEVER / SY_SEC)
		return (sy_time)lua_tointeger(L, idx) * SY_SEC;
	if (lua_type(L, idx) == LUA_TNUMBER)
		rc = sy_duration_from_seconds(lua_tonumber(L, idx), &t, &err);
	else if (lua_type(L, idx) == LUA_TSTRING)
		rc = sy_parse_duration(sy_lua_check_string(L, idx, "option 'delay'"), &t, &err);
	else
		return luaL_error(L, "option 'delay' must be a time (seconds, or a string such as \"10ms\")");
	if (rc < 0)
		return luaL_error(L, "option 'delay': %s", err.msg);
	return t;
}

static const char *const dir_keys[] = { "rate", "delay", "mtu", "queue", "loss", NULL };

/* Applies the direction options of table t (an absolute index) to
 * direction d; `seen` records which keys were set. */
static void dir_options(lua_State *L, struct sy_lua_ctx *c, int t, sy_dir_opts *o,
			unsigned *seen, const char *fname)
{
	int top = lua_gettop(L);

	if (lua_getfield(L, t, "rate") != LUA_TNIL) {
		o->rate = opt_rate(L, -1, "rate");
		*seen |= 1;
	}
	if (lua_getfield(L, t, "delay") != LUA_TNIL) {
		o->delay = opt_delay(L, -1);
		*seen |= 2;
	}
	if (lua_getfield(L, t, "mtu") != LUA_TNIL) {
		int64_t mtu = sy_lua_opt_size(L, -1, "mtu");

		if (mtu < 40 || mtu > SY_IP_MAXLEN)
			luaL_error(L, "%s: option 'mtu': %I B cannot carry IPv4 and TCP headers (40 B) or exceeds %d B",
				   fname, (lua_Integer)mtu, SY_IP_MAXLEN);
		o->mtu = (uint32_t)mtu;
	}
	if (lua_getfield(L, t, "queue") != LUA_TNIL) {
		sy_instance_free(&o->queue);
		sy_lua_instance(L, c, "queue", lua_gettop(L), "droptail", &o->queue);
	}
	if (lua_getfield(L, t, "loss") != LUA_TNIL) {
		int idx = lua_gettop(L);
		int chain = lua_istable(L, idx) && lua_rawgeti(L, idx, 1) == LUA_TTABLE;

		if (lua_istable(L, idx))
			lua_pop(L, 1);
		for (int i = 0; i < SY_LOSS_CHAIN_MAX; i++)
			sy_instance_free(&o->loss[i]);
		o->nloss = 0;
		if (!chain) {
			sy_lua_instance(L, c, "loss", idx, "none", &o->loss[0]);
			o->nloss = 1;
		} else {
			int n = (int)lua_rawlen(L, idx);

			if (n > SY_LOSS_CHAIN_MAX)
				luaL_error(L, "%s: option 'loss': at most %d loss models per direction, got %d",
					   fname, SY_LOSS_CHAIN_MAX, n);
			for (int i = 1; i <= n; i++) {
				lua_rawgeti(L, idx, i);
				sy_lua_instance(L, c, "loss", lua_gettop(L), "none", &o->loss[i - 1]);
				o->nloss = i;
				lua_pop(L, 1);
			}
		}
	}
	lua_settop(L, top);
}

/* sim:duplex_link(a, b, {rate=, delay=, mtu=, queue=, loss=, ab={...},
 *                        ba={...}, addresses={A, B}}) */
int sy_lua_sim_duplex_link(lua_State *L)
{
	static const char *const known[] = {
		"rate", "delay", "mtu", "queue", "loss", "ab", "ba", "addresses", NULL,
	};
	struct sy_lua_sim *ls = sy_lua_check_sim(L, 1);
	sy_node *a = sy_lua_check_node(L, 2, ls), *b = sy_lua_check_node(L, 3, ls);
	struct sy_lua_ctx *c;
	unsigned seen[2] = { 0, 0 };
	sy_link_opts *o;
	sy_link *l;
	char where[256];
	sy_err err;

	luaL_checktype(L, 4, LUA_TTABLE);
	lua_settop(L, 4);
	sy_lua_check_options(L, 4, "duplex_link", known);
	lua_getiuservalue(L, 1, 2);
	c = lua_touserdata(L, -1);
	lua_pop(L, 1);

	o = lua_newuserdatauv(L, sizeof *o, 0); /* index 5 */
	memset(o, 0, sizeof *o);
	luaL_setmetatable(L, MT_LINKOPTS);
	o->dir[0].mtu = o->dir[1].mtu = 1500;

	/* Options for both directions, each direction its own instances. */
	for (int d = 0; d < 2; d++)
		dir_options(L, c, 4, &o->dir[d], &seen[d], "duplex_link");
	for (int d = 0; d < 2; d++) {
		const char *key = d ? "ba" : "ab";

		if (lua_getfield(L, 4, key) != LUA_TNIL) {
			char fname[32];

			if (!lua_istable(L, -1))
				return luaL_error(L, "duplex_link: option '%s' must be a table of options for the direction %s",
						  key, d ? "b -> a" : "a -> b");
			snprintf(fname, sizeof fname, "duplex_link: %s", key);
			sy_lua_check_options(L, lua_gettop(L), fname, dir_keys);
			dir_options(L, c, lua_gettop(L), &o->dir[d], &seen[d], fname);
		}
		lua_pop(L, 1);
		if (!(seen[d] & 1))
			return luaL_error(L, "duplex_link: no 'rate' for the direction %s (give rate= or %s={rate=...})",
					  d ? "b -> a" : "a -> b", key);
		if (!(seen[d] & 2))
			return luaL_error(L, "duplex_link: no 'delay' for the direction %s (give delay= or %s={delay=...})",
					  d ? "b -> a" : "a -> b", key);
	}
	if (lua_getfield(L, 4, "addresses") != LUA_TNIL) {
		if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2)
			return luaL_error(L, "duplex_link: option 'addresses' must be a list of two IPv4 addresses");
		for (int s = 0; s < 2; s++) {
			const char *txt;

			lua_rawgeti(L, -1, s + 1);
			if (lua_type(L, -1) == LUA_TSTRING)
				sy_lua_check_string(L, -1, "duplex_link: option 'addresses'");
			txt = lua_tostring(L, -1);
			if (!txt || sy_ipv4_parse(txt, &o->addr[s]) < 0)
				return luaL_error(L, "duplex_link: option 'addresses': '%s' is not an IPv4 address",
						  txt ? txt : luaL_typename(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);

	l = sy_net_link(sy_lua_net_of(L, ls), a, b, o, &err);
	if (!l) {
		sy_lua_where(L, where, sizeof where);
		sy_err_prefix(&err, "%s", where);
		return sy_lua_raise(L, err.msg);
	}
	sy_lua_push_box(L, 1, l, MT_LINK);
	return 1;
}

/* ------------------------------------------------------------ objects */

static void push_dir_stats(lua_State *L, const sy_link *l, int d, sy_time now)
{
	sy_dir_stats s = sy_link_stats(l, d);
	double span = (double)(now - s.since) / 1e9;

	lua_createtable(L, 0, 12);
	sy_lua_set_int(L, "sent_packets", s.sent_packets);
	sy_lua_set_int(L, "sent_bytes", s.sent_bytes);
	sy_lua_set_int(L, "delivered_packets", s.delivered_packets);
	sy_lua_set_int(L, "delivered_bytes", s.delivered_bytes);
	sy_lua_set_int(L, "corrupted", s.corrupted);
	sy_lua_set_int(L, "duplicated", s.duplicated);
	sy_lua_set_int(L, "queue_max", s.queue_max);
	sy_lua_set_int(L, "queue_now", sy_link_queue_packets(l, d));
	sy_lua_set_num(L, "queue_avg", span > 0 ? s.queue_area / span : 0);
	sy_lua_set_num(L, "utilization", span > 0 ? (double)s.busy / 1e9 / span : 0);
	sy_lua_push_drops(L, s.drops);
	lua_setfield(L, -2, "drops");
}

static int link_stats(lua_State *L)
{
	sy_link *l = check_link(L, 1);
	sy_time now = sy_sim_now(sy_lua_obj_sim(L, 1)->sim);

	lua_createtable(L, 0, 2);
	push_dir_stats(L, l, 0, now);
	lua_setfield(L, -2, "ab");
	push_dir_stats(L, l, 1, now);
	lua_setfield(L, -2, "ba");
	return 1;
}

static int link_nodes(lua_State *L)
{
	sy_link *l = check_link(L, 1);

	lua_getiuservalue(L, 1, 1);
	sy_lua_push_box(L, -1, sy_link_node(l, 0), MT_NODE);
	sy_lua_push_box(L, -2, sy_link_node(l, 1), MT_NODE);
	return 2;
}

static int link_addresses(lua_State *L)
{
	sy_link *l = check_link(L, 1);

	sy_lua_push_addr(L, sy_link_addr(l, 0));
	sy_lua_push_addr(L, sy_link_addr(l, 1));
	return 2;
}

/* link:sample_queue(interval): queue lengths of both directions every
 * interval while anything else is pending; link:queue_samples() returns
 * {ab = {t = {seconds...}, packets = {...}}, ba = {...}}. */
static int link_sample_queue(lua_State *L)
{
	sy_link *l = check_link(L, 1);
	sy_time every = sy_lua_check_time(L, 2);
	sy_err err;

	if (sy_link_sample(l, every, &err) < 0)
		return luaL_error(L, "sample_queue: %s", err.msg);
	return 0;
}

static int link_queue_samples(lua_State *L)
{
	sy_link *l = check_link(L, 1);

	lua_createtable(L, 0, 2);
	for (int d = 0; d < 2; d++) {
		const sy_time *t;
		const uint32_t *q;
		size_t n;

		sy_link_samples(l, d, &n, &t, &q);
		lua_createtable(L, 0, 2);
		lua_createtable(L, (int)n, 0);
		for (size_t i = 0; i < n; i++) {
			lua_pushnumber(L, sy_time_to_sec(t[i]));
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, "t");
		lua_createtable(L, (int)n, 0);
		for (size_t i = 0; i < n; i++) {
			lua_pushinteger(L, q[i]);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, "packets");
		lua_setfield(L, -2, d ? "ba" : "ab");
	}
	return 1;
}

/* link:pcap(file), link:trace(file): this link only */
static int link_pcap(lua_State *L)
{
	sy_link *l = check_link(L, 1);
	const char *path = sy_lua_check_string(L, 2, NULL);
	sy_err err;

	if (sy_trace_pcap_link(sy_lua_trace_of(L, sy_lua_obj_sim(L, 1)), l, path, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

static int link_trace(lua_State *L)
{
	sy_link *l = check_link(L, 1);
	const char *path = sy_lua_check_string(L, 2, NULL);
	sy_err err;

	if (sy_trace_text_link(sy_lua_trace_of(L, sy_lua_obj_sim(L, 1)), l, path, &err) < 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

static int link_tostring(lua_State *L)
{
	sy_link *l = check_link(L, 1);

	lua_pushfstring(L, "synack.link (%s - %s)", sy_node_name(sy_link_node(l, 0)),
			sy_node_name(sy_link_node(l, 1)));
	return 1;
}

static const luaL_Reg link_methods[] = {
	{ "stats", link_stats },
	{ "nodes", link_nodes },
	{ "addresses", link_addresses },
	{ "pcap", link_pcap },
	{ "trace", link_trace },
	{ "sample_queue", link_sample_queue },
	{ "queue_samples", link_queue_samples },
	{ NULL, NULL },
};

void sy_lua_open_link(lua_State *L)
{
	sy_lua_new_class(L, MT_LINK, link_methods, NULL, link_tostring);
	luaL_newmetatable(L, MT_LINKOPTS);
	lua_pushcfunction(L, linkopts_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
}
